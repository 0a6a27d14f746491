// Listening ports from JS/TS source (env defaults, listen calls, serve options), else the framework's default port.
import { cite } from '../../evidence.js';
import type { Confidence, Detector, Evidence, Signal } from '../../types.js';
import { depEvidence, inLineComment, packageJson, sourceFiles } from './common.js';
import { detectFrameworks } from './framework.js';

const NAME = 'node-port';

/** A port env read (`process.env.PORT`, `Bun.env.APP_PORT`, `Deno.env.get("PORT")`) then a default after || / ??. */
const ENV_READ = String.raw`(?:process\.env|Bun\.env|import\.meta\.env)(?:\.[A-Z_]*PORT\b|\[\s*['"][A-Z_]*PORT['"]\s*\])|Deno\.env\.get\(\s*['"][A-Z_]*PORT['"]\s*\)`;
const ENV_DEFAULT = new RegExp(String.raw`(?:${ENV_READ})\s*(?:,\s*10\s*)?\)*\s*(?:\|\||\?\?)\s*['"]?(\d{2,5})\b`, 'g');
/** `.listen(3000` / `.listen(PORT` / `.listen({ port: 3000` / `.listen({ port: PORT`. */
const LISTEN = /\.listen\(\s*(?:\{[^}]*?\bport\s*:\s*)?(\d{2,5}|[A-Za-z_$][\w$]*)\b/g;
/** Bun.serve / Deno.serve / @hono/node-server serve({ port: … }). */
const SERVE = /\b(?:Bun\.serve|Deno\.serve|serve)\(\s*\{[^}]*?\bport\s*:\s*(\d{2,5}|[A-Za-z_$][\w$]*)\b/g;

/** Defaults the frameworks' own servers use when nothing sets a port. */
const FRAMEWORK_DEFAULT: Record<string, number> = { nextjs: 3000, nuxt: 3000, remix: 3000, nestjs: 3000, sveltekit: 3000, astro: 4321, vite: 4173 };

function validPort(n: number): boolean {
  return Number.isInteger(n) && n > 0 && n < 65536;
}

/** Resolves an identifier to a port through `const ID = 3000` or `const ID = process.env.PORT || 3000` in the same file. */
function resolveIdent(text: string, ident: string): { port: number; index: number; confidence: Confidence } | null {
  const re = new RegExp(String.raw`\b(?:const|let|var)\s+${ident.replace(/\$/g, '\\$')}\s*(?::\s*\w+\s*)?=\s*([^;\n]+)`);
  const m = re.exec(text);
  if (!m?.[1]) return null;
  const lit = /^\s*(?:Number\(|parseInt\()?\s*['"]?(\d{2,5})['"]?/.exec(m[1]);
  if (lit?.[1]) return { port: Number(lit[1]), index: m.index, confidence: 'high' };
  const def = /(?:\|\||\?\?)\s*['"]?(\d{2,5})\b/.exec(m[1]);
  if (def?.[1] && /env/.test(m[1])) return { port: Number(def[1]), index: m.index, confidence: 'medium' };
  return null;
}

export const nodePortDetector: Detector = {
  name: NAME,
  async detect(ctx) {
    const pkg = await packageJson(ctx);
    if (!pkg) return [];
    const found = new Map<number, { evidence: Evidence[]; confidence: Confidence }>();
    const add = (port: number, ev: Evidence, confidence: Confidence) => {
      if (!validPort(port)) return;
      const cur = found.get(port);
      if (!cur) { found.set(port, { evidence: [ev], confidence }); return; }
      if (!cur.evidence.some((e) => e.file === ev.file && e.line === ev.line) && cur.evidence.length < 5) cur.evidence.push(ev);
      if (confidence === 'high') cur.confidence = 'high';
    };
    for (const file of sourceFiles(ctx)) {
      const text = await ctx.repo.read(file);
      if (text === null || !/port|listen|serve/i.test(text)) continue;
      // An env default is what runs when the platform sets no PORT: a fact, though the env may override it.
      for (const m of text.matchAll(ENV_DEFAULT)) {
        if (inLineComment(text, m.index)) continue;
        add(Number(m[1]), cite(file, text, m.index), 'medium');
      }
      for (const re of [LISTEN, SERVE]) {
        for (const m of text.matchAll(re)) {
          const arg = m[1] ?? '';
          if (inLineComment(text, m.index)) continue;
          if (/^\d+$/.test(arg)) { add(Number(arg), cite(file, text, m.index), 'high'); continue; }
          const r = resolveIdent(text, arg);
          if (r) add(r.port, cite(file, text, r.index), r.confidence);
        }
      }
    }
    const out: Signal[] = [...found].map(([port, f]) => ({ kind: 'port', port, evidence: f.evidence, source: 'code', confidence: f.confidence, detector: NAME }));
    if (out.length > 0) return out;
    // Nothing in code: the framework's documented default, said with low confidence.
    for (const fw of await detectFrameworks(ctx, pkg)) {
      const port = FRAMEWORK_DEFAULT[fw.id];
      if (port === undefined || fw.detail?.output === 'export') continue;
      const dep = fw.evidence[0] ?? depEvidence(pkg, fw.id);
      out.push({ kind: 'port', port, evidence: [dep], source: 'fallback', confidence: 'low', detector: NAME });
      break;
    }
    return out;
  },
};
