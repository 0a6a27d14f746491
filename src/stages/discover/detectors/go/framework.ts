// Go web frameworks from go.mod requires (gin, echo, fiber, chi, gorilla/mux), else net/http when the code serves with the standard library.
import type { Detector, Signal } from '../../types.js';
import { citeGo, directRequire, goApp } from './common.js';

const NAME = 'go-framework';

const FRAMEWORKS: [string, string[]][] = [
  ['gin', ['github.com/gin-gonic/gin']],
  ['echo', ['github.com/labstack/echo']],
  ['fiber', ['github.com/gofiber/fiber']],
  ['chi', ['github.com/go-chi/chi']],
  ['gorilla-mux', ['github.com/gorilla/mux']],
];

export const goFrameworkDetector: Detector = {
  name: NAME,
  async detect(ctx) {
    const app = await goApp(ctx);
    if (!app) return [];
    const out: Signal[] = [];
    for (const [value, prefixes] of FRAMEWORKS) {
      const r = directRequire(app.mod, ...prefixes);
      if (r) out.push({ kind: 'framework', value, detail: { module: r.path, version: r.version }, evidence: [r.evidence], source: 'build-file', confidence: 'high', detector: NAME });
    }
    if (out.length === 0) {
      for (const s of app.sources) {
        const m = /\bhttp\.ListenAndServe(?:TLS)?\(|\bhttp\.Server\s*\{/.exec(s.code);
        if (m) {
          out.push({ kind: 'framework', value: 'net/http', evidence: [citeGo(s.path, s.text, m.index)], source: 'code', confidence: 'medium', detector: NAME });
          break;
        }
      }
    }
    return out;
  },
};
