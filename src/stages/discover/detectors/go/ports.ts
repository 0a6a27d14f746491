// Go listen ports from code: ListenAndServe/Run/Start/Listen with a literal or an address variable, http.Server Addr, PORT env fallbacks, flag defaults, gin's Run() default.
import { portSink, type PortHit } from '../../port-signals.js';
import type { Detector } from '../../types.js';
import { citeGo, directRequire, escapeRe, goApp, type GoSource } from './common.js';

const NAME = 'go-port';

/** Calls that take a listen address as their first (or, for net.Listen, second) argument. */
const CALL = String.raw`(?:\bhttp\.ListenAndServe(?:TLS)?|\.ListenAndServe(?:TLS)?|\.Run(?:TLS)?|\.Start(?:TLS)?|\.Listen(?:TLS)?|\bnet\.Listen\(\s*"tcp[46]?"\s*,)`;
const ADDR_LIT = String.raw`"(?:[\w.\-\[\]]*):(\d{2,5})"`;

/** `var := ":9090"`, `var = "0.0.0.0:9090"`, `const var = ":9090"` in the same file: the literal's port and offset. */
function addrVar(s: GoSource, name: string): { port: number; index: number } | null {
  const re = new RegExp(String.raw`(?:\b(?:const|var)\s+)?\b${escapeRe(name)}\s*(?:string\s*)?:?=\s*${ADDR_LIT}`, 'g');
  const m = re.exec(s.code);
  return m?.[1] ? { port: Number(m[1]), index: m.index } : null;
}

/** `x := os.Getenv("PORT")` followed by `if x == "" { x = "8080" }`, or `cmp.Or(os.Getenv("PORT"), "8080")`. */
function envFallbacks(s: GoSource, push: (h: PortHit) => void): void {
  for (const m of s.code.matchAll(/\b(\w+)\s*:?=\s*os\.Getenv\(\s*"(\w*PORT\w*|ADDR|LISTEN_ADDR|HTTP_ADDR)"\s*\)/g)) {
    const v = escapeRe(m[1] ?? '');
    const after = s.code.slice(m.index + m[0].length, m.index + m[0].length + 400);
    const d = new RegExp(String.raw`^[\s\S]*?\bif\s+${v}\s*==\s*""\s*\{\s*${v}\s*=\s*"(?:[\w.\-]*:)?(\d{2,5})"`).exec(after);
    if (d?.[1]) {
      const at = m.index + m[0].length + d[0].length - 1;
      const keep = [m[2] ?? ''];
      push({ port: Number(d[1]), evidence: [citeGo(s.path, s.text, m.index, keep, true), citeGo(s.path, s.text, at, keep, true)], source: 'code', confidence: 'medium' });
    }
  }
  for (const m of s.code.matchAll(/\bcmp\.Or\(\s*os\.Getenv\(\s*"(\w*PORT\w*)"\s*\)\s*,\s*"(?:[\w.\-]*:)?(\d{2,5})"/g)) {
    if (m[2]) push({ port: Number(m[2]), evidence: [citeGo(s.path, s.text, m.index, [m[1] ?? ''], true)], source: 'code', confidence: 'medium' });
  }
}

export const goPortDetector: Detector = {
  name: NAME,
  async detect(ctx) {
    const app = await goApp(ctx);
    if (!app) return [];
    const { out, push } = portSink(NAME);
    for (const s of app.sources) {
      for (const m of s.code.matchAll(new RegExp(String.raw`${CALL}\(?\s*${ADDR_LIT}`, 'g'))) {
        push({ port: Number(m[1]), evidence: [citeGo(s.path, s.text, m.index)], source: 'code', confidence: 'high' });
      }
      for (const m of s.code.matchAll(new RegExp(String.raw`\bAddr\s*:\s*${ADDR_LIT}`, 'g'))) {
        push({ port: Number(m[1]), evidence: [citeGo(s.path, s.text, m.index)], source: 'code', confidence: 'high' });
      }
      // ListenAndServe(addr) / Addr: addr with `addr := ":9090"` in the same file.
      for (const m of s.code.matchAll(new RegExp(String.raw`(?:${CALL}\(?|\bAddr\s*:)\s*([A-Za-z_]\w*)\s*[,)\n}]`, 'g'))) {
        const v = addrVar(s, m[1] ?? '');
        if (v) push({ port: v.port, evidence: [citeGo(s.path, s.text, v.index), citeGo(s.path, s.text, m.index)], source: 'code', confidence: 'high' });
      }
      envFallbacks(s, push);
      // flag.String("addr", ":8080", …) / flag.Int("port", 8080, …): the flag's default is the port the binary uses unless told otherwise.
      for (const m of s.code.matchAll(new RegExp(String.raw`\bflag\.(?:String|StringVar)\((?:[^,()]*,)?\s*"(?:[\w-]*(?:addr|port|listen|http)[\w-]*)"\s*,\s*${ADDR_LIT}`, 'gi'))) {
        push({ port: Number(m[1]), evidence: [citeGo(s.path, s.text, m.index)], source: 'code', confidence: 'medium' });
      }
      for (const m of s.code.matchAll(/\bflag\.(?:Int|IntVar|Uint)\((?:[^,()]*,)?\s*"[\w-]*port[\w-]*"\s*,\s*(\d{2,5})\s*,/gi)) {
        push({ port: Number(m[1]), evidence: [citeGo(s.path, s.text, m.index)], source: 'code', confidence: 'medium' });
      }
    }
    // gin's engine.Run() with no address listens on $PORT or 8080.
    const gin = directRequire(app.mod, 'github.com/gin-gonic/gin');
    if (gin && out.length === 0) {
      for (const s of app.sources) {
        const m = /\.Run\(\s*\)/.exec(s.code);
        if (m && /gin\.(?:Default|New)\(/.test(s.code)) { push({ port: 8080, evidence: [citeGo(s.path, s.text, m.index)], source: 'fallback', confidence: 'low' }); break; }
      }
    }
    return out;
  },
};
