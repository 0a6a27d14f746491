// Health endpoints of PHP apps: Laravel's `health:` route and routes/*.php (api.php under its prefix), Symfony #[Route]/@Route and routes YAML, Slim/Lumen `$app->get`.
import { cite } from '../../evidence.js';
import type { Detector, Signal } from '../../types.js';
import { HEALTHY } from '../../health-names.js';
import { inApp, isPhpApp, joinPath, yamlConfigs, type PhpSource } from './common.js';
import { phpProject } from './project.js';

const NAME = 'php-health';

/** `, function`, `, fn`, `, [Controller::class, …]`, `, Action::class`, `, 'Controller@method'`: a route handler follows. */
const HANDLER = String.raw`\s*,\s*(?:static\s+)?(?:function\b|fn\b|\[|[\w\\]+::class\b|['"][\w\\]+@)`;

/** The path prefix a Laravel routes file is served under: routes/api.php gets `api` (or bootstrap/app.php's apiPrefix). */
function laravelPrefix(rel: string, apiPrefix: string): string {
  return rel === 'routes/api.php' ? apiPrefix : '';
}

/** A class-level #[Route('/prefix')] (the attribute right before `class`), Symfony's route prefix for the class's actions. */
function classPrefix(s: PhpSource): { prefix: string; end: number } | null {
  const m = /#\[Route\(\s*(?:path:\s*)?['"]([^'"]*)['"][^\]]*\]\s*(?:(?:final|abstract|readonly)\s+)*class\b/.exec(s.code);
  return m?.[1] !== undefined ? { prefix: m[1], end: m.index + m[0].length } : null;
}

export const phpHealthDetector: Detector = {
  name: NAME,
  async detect(ctx) {
    if (!isPhpApp(ctx)) return [];
    const p = await phpProject(ctx);
    const out: Signal[] = [];
    const seen = new Set<string>();
    const push = (path: string, file: string, text: string, index: number): void => {
      if (seen.has(path)) return;
      seen.add(path);
      out.push({ kind: 'health', path, evidence: [cite(file, text, index)], source: 'code', confidence: 'high', detector: NAME });
    };
    const laravel = p.frameworks.some((f) => f.id === 'laravel');
    const bootstrap = p.sources.find((s) => s.path === inApp(ctx.appDir, 'bootstrap/app.php'));
    let apiPrefix = 'api';
    if (laravel && bootstrap) {
      // Laravel 11: ->withRouting(..., health: '/up') registers the framework's own health route.
      const h = /\bhealth:\s*['"]([^'"]+)['"]/.exec(bootstrap.code);
      if (h?.[1]) push(joinPath('', h[1]), bootstrap.path, bootstrap.text, h.index);
      const a = /\bapiPrefix:\s*['"]([^'"]*)['"]/.exec(bootstrap.code);
      if (a?.[1] !== undefined) apiPrefix = a[1];
    }
    for (const s of p.sources) {
      const inRoutes = /^routes\/[^/]+\.php$/.test(s.rel);
      const prefix = laravel && inRoutes ? laravelPrefix(s.rel, apiPrefix) : '';
      // Route::get('/health', …), Route::any(…), Route::match([...], '/health', …); Route::middleware(…)->get(…) in route files.
      for (const m of s.code.matchAll(/\bRoute::(?:get|any|match\(\s*\[[^\]]*\]\s*,)\(?\s*['"]([^'"]*)['"]/g)) {
        if (HEALTHY.test(m[1] ?? '')) push(joinPath(prefix, m[1] ?? ''), s.path, s.text, m.index);
      }
      // Slim `$app->get('/ping', …)`, Lumen `$router->get(…)`, chained `->get('/health', …)` in Laravel route files.
      // The second argument must be a handler, so `$request->get('status', …)` is not taken for a route.
      const chained = new RegExp((inRoutes ? '' : String.raw`\$\w+`) + String.raw`->(?:get|any|map\(\s*\[[^\]]*\]\s*,)\(?\s*['"]([^'"]*)['"]` + HANDLER, 'g');
      for (const m of s.code.matchAll(chained)) {
        if (HEALTHY.test(m[1] ?? '')) push(joinPath(prefix, m[1] ?? ''), s.path, s.text, m.index);
      }
      // Symfony attributes (with a class-level prefix) and docblock annotations.
      const cls = classPrefix(s);
      for (const m of s.code.matchAll(/#\[Route\(\s*(?:path:\s*)?['"]([^'"]*)['"]/g)) {
        if (cls && m.index < cls.end) continue;
        const full = joinPath(cls?.prefix ?? '', m[1] ?? '');
        if (HEALTHY.test(m[1] ?? '') || HEALTHY.test(full)) push(full, s.path, s.text, m.index);
      }
      for (const m of s.text.matchAll(/@Route\(\s*(?:path\s*=\s*)?"([^"]*)"/g)) {
        if (HEALTHY.test(m[1] ?? '')) push(joinPath('', m[1] ?? ''), s.path, s.text, m.index);
      }
    }
    // config/routes.yaml (Symfony): `path: /health` entries.
    for (const y of await yamlConfigs(ctx)) {
      if (!/^config\/routes(?:\.ya?ml|\/)/.test(y.rel)) continue;
      for (const m of y.code.matchAll(/^[ \t]+path:[ \t]*['"]?(\/[^'"\s]*)/gm)) {
        if (HEALTHY.test(m[1] ?? '')) push(joinPath('', m[1] ?? ''), y.path, y.text, m.index + (m[0].length - m[0].trimStart().length));
      }
    }
    return out;
  },
};
