// Health endpoints in Rust routes: axum/actix/poem route registrations (joined under their actix web::scope), actix/rocket method attributes, actix web::resource and warp path filters.
import type { Detector, Signal } from '../../types.js';
import { HEALTHY, joinRoute } from '../../health-names.js';
import { citeRust, inString, rustApp } from './common.js';

const NAME = 'rust-health';

/** A path given as a string literal to a route registration or attribute. */
const PATTERNS: RegExp[] = [
  // axum Router::route("/health", get(h)), actix App::route("/health", web::get().to(h)), poem Route::at("/health", get(h)).
  // Inside an actix scope the path may be relative or empty: `.route("", web::get().to(h))`.
  /\.(?:route|at)\(\s*"([^"\s{]*)"/g,
  // actix-web / rocket: #[get("/healthz")], #[route("/health", method = "GET")].
  /#\[\s*(?:(?:actix_web|rocket)::)?(?:get|head|route)\(\s*"(\/[^"\s<{]*)"/g,
  // actix-web: web::resource("/ready").
  /\bweb::resource\(\s*"([^"\s{]*)"/g,
];

/** actix-web scopes: `web::scope("/api")` and `Scope::new("/api")`. */
const SCOPE = /\b(?:web::scope|Scope::new)\(\s*"([^"\s{]*)"\s*\)/g;

interface ScopeSpan { prefix: string; start: number; end: number }

/**
 * Where each scope's builder chain ends: `web::scope("/api").service(…).route(…)` runs until the group that holds
 * it closes, or a `,`/`;` at its own level. Scanned on `bare` (strings blanked), so brackets in paths do not count.
 */
function scopeSpans(bare: string, code: string): ScopeSpan[] {
  const out: ScopeSpan[] = [];
  for (const m of code.matchAll(SCOPE)) {
    if (bare[m.index] !== code[m.index]) continue;
    let depth = 0;
    let end = bare.length;
    for (let i = m.index + m[0].length; i < bare.length; i++) {
      const c = bare[i];
      if (c === '(' || c === '[' || c === '{') depth++;
      else if (c === ')' || c === ']' || c === '}') { if (depth === 0) { end = i; break; } depth--; } else if ((c === ',' || c === ';') && depth === 0) { end = i; break; }
    }
    out.push({ prefix: m[1] ?? '', start: m.index, end });
  }
  return out;
}

/** warp: warp::path("health") and path!("api" / "health") segments joined. */
const WARP = /\b(?:warp::)?path(!?)\(\s*((?:"[^"]*"\s*\/?\s*)+)\)/g;

export const rustHealthDetector: Detector = {
  name: NAME,
  async detect(ctx) {
    const app = await rustApp(ctx);
    if (!app) return [];
    const out: Signal[] = [];
    const seen = new Set<string>();
    const add = (path: string, file: string, text: string, index: number, leaf = path): void => {
      const p = path.length > 1 ? path.replace(/\/+$/, '') : path;
      // A scoped route counts when the registration itself names a health check (`/api` + `/healthcheck` + ``),
      // not when a health-like word ends a deeper path (`/orders` + `/status`).
      if (!(HEALTHY.test(p) || HEALTHY.test(leaf)) || seen.has(p)) return;
      seen.add(p);
      out.push({ kind: 'health', path: p, evidence: [citeRust(file, text, index)], source: 'code', confidence: 'high', detector: NAME });
    };
    for (const s of app.sources) {
      const hits: { path: string; index: number }[] = [];
      for (const re of PATTERNS) for (const m of s.code.matchAll(re)) hits.push({ path: m[1] ?? '', index: m.index });
      if (/\bwarp\b/.test(s.code)) {
        for (const m of s.code.matchAll(WARP)) {
          const segs = [...(m[2] ?? '').matchAll(/"([^"]*)"/g)].map((x) => x[1] ?? '').filter((x) => x !== '');
          if (segs.length > 0) hits.push({ path: `/${segs.join('/')}`, index: m.index });
        }
      }
      const scopes = /\bactix|\bweb::scope|\bScope::new/.test(s.code) ? scopeSpans(s.bare, s.code) : [];
      for (const h of hits.sort((a, b) => a.index - b.index)) {
        if (inString(s, h.index)) continue;
        const within = scopes.filter((sc) => sc.start < h.index && h.index < sc.end).sort((a, b) => a.start - b.start);
        // A relative or empty path means something only under a scope.
        if (within.length === 0) { if (h.path.startsWith('/')) add(h.path, s.path, s.text, h.index); continue; }
        const inner = within[within.length - 1]?.prefix ?? '';
        const full = [...within.map((sc) => sc.prefix), h.path].reduce((acc, seg) => (seg === '' ? acc : joinRoute(acc, seg)), '');
        add(full || '/', s.path, s.text, h.index, h.path === '' ? joinRoute('', inner) : joinRoute(inner, h.path));
      }
    }
    return out;
  },
};
