// Health endpoints in Ruby routes: Rails/Hanami config/routes.rb (Rails 7.1's `get "up"`), Sinatra/Grape verbs, Roda `r.get`, and mounted health engines.
import type { Detector, Signal } from '../../types.js';
import { HEALTHY } from '../../health-names.js';
import { isRubyApp, rubyApp, safeCite } from './common.js';

const NAME = 'ruby-health';

/** A route at the start of a line (a call with a receiver, like `Faraday.get("/status")`, is a client request, not a route). */
const ROUTE = /^[ \t]*(?:r\.(?:get|head|is|on)|get|head|match)\b\s*\(?\s*["']([^"'#\s]*)["']/gm;
/** `mount HealthCheck::Engine, at: "/healthz"` / `mount X => "/health"` */
const MOUNT = /^[ \t]*mount\b[^\n]*?(?:\bat:\s*|=>\s*)["']([^"'\s]+)["']/gm;

function normalize(path: string): string {
  const p = `/${path}`.replace(/\/{2,}/g, '/').replace(/(.)\/$/, '$1');
  return p;
}

export const rubyHealthDetector: Detector = {
  name: NAME,
  async detect(ctx) {
    if (!isRubyApp(ctx)) return [];
    const a = await rubyApp(ctx);
    const out: Signal[] = [];
    const seen = new Set<string>();
    for (const s of a.sources) {
      if (s.kind !== 'ruby') continue;
      for (const re of [ROUTE, MOUNT]) {
        for (const m of s.code.matchAll(re)) {
          const path = normalize(m[1] ?? '');
          if (!HEALTHY.test(path) || seen.has(path)) continue;
          seen.add(path);
          const at = m.index + (m[0].length - m[0].trimStart().length);
          out.push({ kind: 'health', path, evidence: [safeCite(s.path, s.text, at)], source: 'code', confidence: 'high', detector: NAME });
        }
      }
    }
    return out;
  },
};
