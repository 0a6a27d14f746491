// Locates Python web apps in the sources: Django settings/WSGI/ASGI modules, Flask and FastAPI app objects (module:variable).
import { cite, inApp } from '../../evidence.js';
import type { DetectContext, Evidence } from '../../types.js';
import { codeMatches, dependencies, type Dep, moduleOf, readSources, type PySource } from './common.js';

export interface DjangoApp {
  kind: 'django';
  /** manage.py path, when present. */
  manage: string | null;
  settings: string | null;
  settingsFile: string | null;
  wsgi: string | null;
  asgi: string | null;
  evidence: Evidence[];
}

export interface PyApp {
  kind: 'flask' | 'fastapi';
  /** 'module:variable' or 'module:factory()' */
  target: string;
  factory: boolean;
  /** Directory to put on the import path (src layout), or null. */
  pythonPath: string | null;
  file: string;
  evidence: Evidence[];
}

export interface PythonApps {
  deps: Map<string, Dep>;
  sources: PySource[];
  django: DjangoApp | null;
  flask: PyApp | null;
  fastapi: PyApp | null;
}

/** Django: manage.py names the settings module; wsgi.py/asgi.py that call get_*_application are the entry points. */
async function findDjango(ctx: DetectContext, deps: Map<string, Dep>, sources: PySource[]): Promise<DjangoApp | null> {
  const manage = sources.find((s) => s.path === inApp(ctx.appDir, 'manage.py')) ?? sources.find((s) => s.path.endsWith('/manage.py') && /DJANGO_SETTINGS_MODULE/.test(s.text));
  const dep = deps.get('django');
  if (!manage && !dep) return null;
  const evidence: Evidence[] = [];
  if (dep) evidence.push(dep.evidence);
  let settings: string | null = null;
  const base = manage ? manage.path.slice(0, manage.path.length - 'manage.py'.length) : (ctx.appDir === '' ? '' : `${ctx.appDir}/`);
  if (manage) {
    const m = /DJANGO_SETTINGS_MODULE['"]\s*,\s*['"]([\w.]+)['"]/.exec(manage.text);
    if (m?.[1]) { settings = m[1]; evidence.push(cite(manage.path, manage.text, m.index)); } else evidence.push({ file: manage.path, line: null });
  }
  // The module path is relative to manage.py's folder (where `python manage.py` and gunicorn run from).
  const mod = (p: string): string => p.slice(base.length).replace(/\.py$/, '').replace(/\/__init__$/, '').split('/').join('.');
  let wsgi: string | null = null;
  let asgi: string | null = null;
  for (const s of sources) {
    if (!s.path.startsWith(base)) continue;
    const name = s.path.slice(s.path.lastIndexOf('/') + 1);
    if (!wsgi && name === 'wsgi.py') {
      const m = /^(\w+)\s*=\s*get_wsgi_application\(/m.exec(s.text);
      if (m?.[1]) { wsgi = `${mod(s.path)}:${m[1]}`; evidence.push(cite(s.path, s.text, m.index)); }
    }
    if (!asgi && name === 'asgi.py') {
      const m = /^(\w+)\s*=\s*(?:get_asgi_application|ProtocolTypeRouter)\(/m.exec(s.text);
      if (m?.[1]) { asgi = `${mod(s.path)}:${m[1]}`; evidence.push(cite(s.path, s.text, m.index)); }
    }
    if (!settings && (wsgi || asgi)) {
      const m = /DJANGO_SETTINGS_MODULE['"]\s*,\s*['"]([\w.]+)['"]/.exec(s.text);
      if (m?.[1]) settings = m[1];
    }
  }
  let settingsFile: string | null = null;
  if (settings) {
    const rel = settings.split('.').join('/');
    for (const cand of [`${base}${rel}.py`, `${base}${rel}/__init__.py`, `${base}src/${rel}.py`]) if (ctx.repo.has(cand)) { settingsFile = cand; break; }
  }
  if (!settingsFile) settingsFile = sources.find((s) => s.path.startsWith(base) && /(?:^|\/)settings(?:\/(?:__init__|base|production|prod))?\.py$/.test(s.path) && /^INSTALLED_APPS\s*=/m.test(s.text))?.path ?? null;
  if (!settings && settingsFile) settings = mod(settingsFile);
  return { kind: 'django', manage: manage?.path ?? null, settings, settingsFile, wsgi, asgi, evidence };
}

/** The real app object: a top-level `name = Flask(`/`FastAPI(`; else a factory `def create_app(` that builds one. */
function findApp(ctx: DetectContext, sources: PySource[], kind: 'flask' | 'fastapi', dep: Dep | undefined): PyApp | null {
  const ctor = kind === 'flask' ? 'Flask' : 'FastAPI';
  const objRe = new RegExp(`^(\\w+)\\s*(?::\\s*[\\w.]+\\s*)?=\\s*(?:\\w+\\.)?${ctor}\\(`, 'gm');
  const importRe = kind === 'flask' ? /^\s*(?:from\s+flask\s+import\b|import\s+flask\b)/m : /^\s*(?:from\s+fastapi\s+import\b|import\s+fastapi\b)/m;
  const candidates: { s: PySource; m: RegExpExecArray; factory: string | null }[] = [];
  for (const s of sources) {
    if (!importRe.test(s.text)) continue;
    for (const m of codeMatches(s.text, objRe)) { candidates.push({ s, m, factory: null }); break; }
  }
  if (candidates.length === 0) {
    const facRe = /^def\s+(create_app|make_app|get_app|app_factory)\s*\(/gm;
    for (const s of sources) {
      if (!importRe.test(s.text) || !new RegExp(`\\b${ctor}\\(`).test(s.text)) continue;
      for (const m of codeMatches(s.text, facRe)) { candidates.push({ s, m, factory: m[1] ?? null }); break; }
    }
  }
  // Prefer the conventional entry modules, then the shallowest file.
  const rank = (p: string): number => (/(?:^|\/)(?:app|main|wsgi|asgi|server|__init__)\.py$/.test(p) ? 0 : 1);
  candidates.sort((a, b) => rank(a.s.path) - rank(b.s.path));
  const best = candidates[0];
  if (!best || (!dep && !best.m)) return null;
  const { module, pythonPath } = moduleOf(ctx, best.s.path);
  const evidence: Evidence[] = [cite(best.s.path, best.s.text, best.m.index)];
  if (dep) evidence.unshift(dep.evidence);
  const target = best.factory ? `${module}:${best.factory}()` : `${module}:${best.m[1] ?? 'app'}`;
  return { kind, target, factory: best.factory !== null, pythonPath, file: best.s.path, evidence };
}

const cache = new WeakMap<object, Map<string, Promise<PythonApps>>>();

/** Everything the framework, command and port detectors share; computed once per repo and app dir. */
export function pythonApps(ctx: DetectContext): Promise<PythonApps> {
  let perRepo = cache.get(ctx.repo);
  if (!perRepo) { perRepo = new Map(); cache.set(ctx.repo, perRepo); }
  let p = perRepo.get(ctx.appDir);
  if (!p) {
    p = (async () => {
      const [deps, sources] = await Promise.all([dependencies(ctx), readSources(ctx)]);
      const django = await findDjango(ctx, deps, sources);
      const flask = deps.has('flask') || sources.some((s) => /^\s*from\s+flask\s+import\s+[^\n]*\bFlask\b/m.test(s.text)) ? findApp(ctx, sources, 'flask', deps.get('flask')) : null;
      const fastapi = deps.has('fastapi') || sources.some((s) => /^\s*from\s+fastapi\s+import\s+[^\n]*\bFastAPI\b/m.test(s.text)) ? findApp(ctx, sources, 'fastapi', deps.get('fastapi')) : null;
      return { deps, sources, django, flask, fastapi };
    })();
    perRepo.set(ctx.appDir, p);
  }
  return p;
}
