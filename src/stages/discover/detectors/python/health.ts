// Health endpoints in Python routes: FastAPI/Flask decorators (with APIRouter/Blueprint prefixes in the same file) and Django urls.py paths.
import type { Detector, Signal } from '../../types.js';
import { HEALTHY, joinRoute } from '../../health-names.js';
import { pythonApps } from './apps.js';
import { codeMatches, isPythonApp, safeCite } from './common.js';

const NAME = 'python-health';

export const pythonHealthDetector: Detector = {
  name: NAME,
  async detect(ctx) {
    if (!isPythonApp(ctx)) return [];
    const a = await pythonApps(ctx);
    const out: Signal[] = [];
    const seen = new Set<string>();
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
        const full = joinRoute(prefixes.get(m[1] ?? '') ?? '', path);
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
