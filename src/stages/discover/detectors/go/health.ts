// Health endpoints in Go routes: gin/echo/fiber/chi/gorilla/net-http registrations (Go 1.22 "GET /path" patterns too), with same-file Group/PathPrefix/chi Route prefixes.
import type { Detector, Signal } from '../../types.js';
import { HEALTHY, joinRoute } from '../../health-names.js';
import { blockAt, citeGo, goApp } from './common.js';

const NAME = 'go-health';

const ROUTE = /\b(\w+)\.(?:GET|Get|HEAD|Head|Any|All|Handle|HandleFunc|Path|Match|Add)\(\s*(?:(?:http\.)?(?:Method\w+|"[A-Z]+")\s*,\s*)?"(?:(?:GET|HEAD)\s+)?(\/[^"\s{]*)"/g;

export const goHealthDetector: Detector = {
  name: NAME,
  async detect(ctx) {
    const app = await goApp(ctx);
    if (!app) return [];
    const out: Signal[] = [];
    const seen = new Set<string>();
    for (const s of app.sources) {
      // api := r.Group("/api") / e.Group / app.Group / r.PathPrefix("/api").Subrouter().
      const prefixes = new Map<string, string>();
      for (const m of s.code.matchAll(/\b(\w+)\s*:?=\s*(\w+)\.(?:Group|PathPrefix)\(\s*"([^"]*)"/g)) {
        if (m[1] && m[3] !== undefined) prefixes.set(m[1], joinRoute(prefixes.get(m[2] ?? '') ?? '', m[3]));
      }
      // chi: r.Route("/api", func(r chi.Router) { r.Get("/health", h) }): the closure's router carries the prefix, nested too.
      const scopes: { start: number; end: number; v: string; prefix: string }[] = [];
      const prefixAt = (v: string, at: number): string => {
        const inner = scopes.filter((x) => x.v === v && x.start <= at && at < x.end).sort((a, b) => b.start - a.start)[0];
        return inner ? inner.prefix : prefixes.get(v) ?? '';
      };
      for (const m of s.code.matchAll(/\b(\w+)\.Route\(\s*"([^"]*)"\s*,\s*func\s*\(\s*(\w+)\s+[\w.*]+\s*\)\s*\{/g)) {
        const b = blockAt(s.code, m.index + m[0].length - 1);
        if (b && m[3]) scopes.push({ start: b[0], end: b[1], v: m[3], prefix: joinRoute(prefixAt(m[1] ?? '', m.index), m[2] ?? '') });
      }
      for (const m of s.code.matchAll(ROUTE)) {
        const full = joinRoute(prefixAt(m[1] ?? '', m.index), m[2] ?? '');
        if (!HEALTHY.test(full) || seen.has(full)) continue;
        seen.add(full);
        out.push({ kind: 'health', path: full, evidence: [citeGo(s.path, s.text, m.index)], source: 'code', confidence: 'high', detector: NAME });
      }
    }
    return out;
  },
};
