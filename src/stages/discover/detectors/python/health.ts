// Health endpoints in Python routes: FastAPI/Flask decorators (with APIRouter/Blueprint prefixes, and the prefix the app mounts other modules' routers at) and Django urls.py paths.
import type { Detector, Signal } from '../../types.js';
import { HEALTHY, joinRoute } from '../../health-names.js';
import { pythonApps } from './apps.js';
import { codeMatches, escapeRe, inComment, isPythonApp, safeCite, type PySource } from './common.js';

const NAME = 'python-health';

/** A string constant's value anywhere in the sources: `API_V1_STR: str = "/api/v1"` (a settings field) or `PREFIX = "/api"`. */
function constant(sources: readonly PySource[], name: string): string | null {
  const re = new RegExp(`^\\s*${name}\\s*(?::[^=\\n]+)?=\\s*["']([^"']*)["']`, 'm');
  for (const s of sources) {
    const m = re.exec(s.text);
    if (m && !inComment(s.text, m.index)) return m[1] ?? null;
  }
  return null;
}

/**
 * Prefixes the app object adds to routers defined in other modules: `app.include_router(api_router,
 * prefix=settings.API_V1_STR)` where `app = FastAPI(...)` and the router is imported. A literal or a resolvable
 * constant counts; one distinct prefix is applied, several are ambiguous and none is.
 */
function mountPrefix(sources: readonly PySource[]): { prefix: string; file: string } | null {
  const found = new Map<string, string>();
  // An imported router mounted with no prefix: its routes and the prefixed ones cannot be told apart.
  let unprefixed = false;
  for (const s of sources) {
    const apps = [...s.text.matchAll(/^(\w+)\s*(?::\s*[\w.]+\s*)?=\s*(?:\w+\.)?(?:FastAPI|Flask)\(/gm)].map((m) => m[1]);
    for (const appVar of apps) {
      if (!appVar) continue;
      const re = new RegExp(`^\\s*${appVar}\\.(?:include_router|register_blueprint)\\(\\s*([\\w.]+)\\s*,[^)]*?(?:url_)?prefix\\s*=\\s*(?:["']([^"']*)["']|(?:\\w+\\.)*(\\w+))`, 'gm');
      const all = new RegExp(`^\\s*${appVar}\\.(?:include_router|register_blueprint)\\(\\s*([\\w.]+)\\s*(?:,([^)]*))?\\)`, 'gm');
      for (const m of codeMatches(s.text, all)) {
        if (!/prefix\s*=/.test(m[2] ?? '') && !new RegExp(`^${escapeRe(m[1] ?? '')}\\s*=`, 'm').test(s.text)) unprefixed = true;
      }
      for (const m of codeMatches(s.text, re)) {
        // A router defined in this file already has its prefix joined where its routes are read.
        if (new RegExp(`^${escapeRe(m[1] ?? '')}\\s*=`, 'm').test(s.text)) continue;
        const prefix = m[2] ?? (m[3] ? constant(sources, m[3]) : null);
        if (prefix) found.set(prefix, s.path);
      }
    }
  }
  const first = [...found][0];
  if (found.size !== 1 || !first || unprefixed) return null;
  const [prefix, file] = first;
  return prefix.replace(/\/+$/, '') === '' ? null : { prefix, file };
}

export const pythonHealthDetector: Detector = {
  name: NAME,
  async detect(ctx) {
    if (!isPythonApp(ctx)) return [];
    const a = await pythonApps(ctx);
    const out: Signal[] = [];
    const seen = new Set<string>();
    const mount = mountPrefix(a.sources);
    for (const s of a.sources) {
      // router/blueprint variable → prefix, from its constructor or an include_router/register_blueprint in the same file.
      const prefixes = new Map<string, string>();
      for (const m of s.text.matchAll(/^(\w+)\s*=\s*(?:APIRouter|Blueprint)\(([^)]*)\)/gm)) {
        const p = /(?:url_)?prefix\s*=\s*["']([^"']*)["']/.exec(m[2] ?? '');
        if (m[1] && p?.[1]) prefixes.set(m[1], p[1]);
      }
      for (const m of s.text.matchAll(/\.(?:include_router|register_blueprint)\(\s*(\w+)\s*,[^)]*?(?:url_)?prefix\s*=\s*["']([^"']*)["']/g)) {
        if (m[1] && m[2] !== undefined) prefixes.set(m[1], joinRoute(m[2], prefixes.get(m[1]) ?? ''));
      }
      for (const m of codeMatches(s.text, /^\s*@(\w+)\.(?:get|head|route|api_route)\(\s*["']([^"']*)["']/gm)) {
        const path = m[2] ?? '';
        if (!HEALTHY.test(path)) continue;
        // Routes on a router of another module sit under the prefix the app mounts that router at.
        const outer = mount && s.path !== mount.file && !/^\w+\s*(?::\s*[\w.]+\s*)?=\s*(?:\w+\.)?(?:FastAPI|Flask)\(/m.test(s.text) ? mount.prefix : '';
        const full = joinRoute(outer, joinRoute(prefixes.get(m[1] ?? '') ?? '', path));
        if (seen.has(full)) continue;
        seen.add(full);
        out.push({ kind: 'health', path: full, evidence: [safeCite(s.path, s.text, m.index + (m[0].length - m[0].trimStart().length))], source: 'code', confidence: 'high', detector: NAME });
      }
      if (/(?:^|\/)urls\.py$/.test(s.path)) {
        for (const m of codeMatches(s.text, /\b(re_)?path\(\s*r?["']([^"']*)["']/g)) {
          const raw = m[2] ?? '';
          const path = m[1] ? raw.replace(/^\^/, '').replace(/\$$/, '') : raw;
          if (!HEALTHY.test(path)) continue;
          const full = joinRoute('', path);
          if (seen.has(full)) continue;
          seen.add(full);
          out.push({ kind: 'health', path: full, evidence: [safeCite(s.path, s.text, m.index)], source: 'code', confidence: 'high', detector: NAME });
        }
      }
    }
    return out;
  },
};
