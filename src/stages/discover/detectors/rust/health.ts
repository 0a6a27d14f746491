// Health endpoints in Rust routes: axum/actix/poem route registrations, actix/rocket method attributes, actix web::resource and warp path filters.
import type { Detector, Signal } from '../../types.js';
import { HEALTHY } from '../../health-names.js';
import { citeRust, inString, rustApp } from './common.js';

const NAME = 'rust-health';

/** A path given as a string literal to a route registration or attribute. */
const PATTERNS: RegExp[] = [
  // axum Router::route("/health", get(h)), actix App::route("/health", web::get().to(h)), poem Route::at("/health", get(h)).
  /\.(?:route|at)\(\s*"(\/[^"\s{]*)"/g,
  // actix-web / rocket: #[get("/healthz")], #[route("/health", method = "GET")].
  /#\[\s*(?:(?:actix_web|rocket)::)?(?:get|head|route)\(\s*"(\/[^"\s<{]*)"/g,
  // actix-web: web::resource("/ready").
  /\bweb::resource\(\s*"(\/[^"\s{]*)"/g,
];

/** warp: warp::path("health") and path!("api" / "health") segments joined. */
const WARP = /\b(?:warp::)?path(!?)\(\s*((?:"[^"]*"\s*\/?\s*)+)\)/g;

export const rustHealthDetector: Detector = {
  name: NAME,
  async detect(ctx) {
    const app = await rustApp(ctx);
    if (!app) return [];
    const out: Signal[] = [];
    const seen = new Set<string>();
    const add = (path: string, file: string, text: string, index: number): void => {
      const p = path.length > 1 ? path.replace(/\/+$/, '') : path;
      if (!HEALTHY.test(p) || seen.has(p)) return;
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
      for (const h of hits.sort((a, b) => a.index - b.index)) if (!inString(s, h.index)) add(h.path, s.path, s.text, h.index);
    }
    return out;
  },
};
