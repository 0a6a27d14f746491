// Listening ports from JS/TS source (env defaults, listen calls, serve options, `deno serve --port`), else the framework's or runtime's default port.
import { cite } from '../../evidence.js';
import type { Confidence, Detector, Evidence, Signal, SourceClass } from '../../types.js';
import { depEvidence, inLineComment, sourceFiles } from './common.js';
import { isDevScript } from './commands.js';
import { denoKeyEvidence } from './deno-config.js';
import { appFrameworks } from './framework.js';
import { jsApp, type JsRuntime } from './js-app.js';

const NAME = 'node-port';

/** A port env read (`process.env.PORT`, `Bun.env.APP_PORT`, `Deno.env.get("PORT")`) then a default after || / ??. */
const ENV_READ = String.raw`(?:process\.env|Bun\.env|import\.meta\.env)(?:\.[A-Z_]*PORT\b|\[\s*['"][A-Z_]*PORT['"]\s*\])|Deno\.env\.get\(\s*['"][A-Z_]*PORT['"]\s*\)`;
const ENV_DEFAULT = new RegExp(String.raw`(?:${ENV_READ})\s*(?:,\s*10\s*)?\)*\s*(?:\|\||\?\?)\s*['"]?(\d{2,5})\b`, 'g');
/** The port in an options object (`{ port: 3000` / `{ port: PORT` / `{ hostname, port }`) or a bare first argument. */
const PORT_ARG = String.raw`(?:\{[^}]*?\bport\s*:\s*(\d{2,5}|[A-Za-z_$][\w$]*)\b|\{[^}]*?\b(port)\s*[,}]|(\d{2,5}|[A-Za-z_$][\w$]*)\b)`;
/** `.listen(3000` / `.listen(PORT` / `.listen({ port: 3000` / `.listen({ port })`. */
const LISTEN = new RegExp(String.raw`\.listen\(\s*${PORT_ARG}`, 'g');
/** Bun.serve / Deno.serve / @hono/node-server serve({ port: … }). */
const SERVE = /\b(?:Bun\.serve|Deno\.serve|serve)\(\s*\{[^}]*?\bport\s*(?::\s*(\d{2,5}|[A-Za-z_$][\w$]*)\b|()(?=\s*[,}]))/g;
/** Bun serves a default-exported `{ port, fetch }` object itself (Hono's Bun template). */
const EXPORT_SERVE = /^[ \t]*export\s+default\s*\{([^}]*?)\}/gm;

/** Defaults the frameworks' own servers use when nothing sets a port. */
const FRAMEWORK_DEFAULT: Record<string, number> = { nextjs: 3000, nuxt: 3000, remix: 3000, nestjs: 3000, sveltekit: 3000, astro: 4321, vite: 4173, fresh: 8000 };
/** Bun.serve and Deno.serve without a port: Bun listens on 3000 (or $PORT), Deno on 8000. */
const RUNTIME_DEFAULT: Partial<Record<JsRuntime, number>> = { bun: 3000, deno: 8000 };
/** A serve call that states no port: a bare handler, or an options object without `port`. */
const SERVE_NO_PORT: Partial<Record<JsRuntime, RegExp>> = {
  bun: /\bBun\.serve\(\s*\{(?![^}]*\bport\b)|^[ \t]*export\s+default\s*\{(?![^}]*\bport\b)[^}]*\bfetch\b/gm,
  deno: /\bDeno\.serve\(\s*(?:\{(?![^}]*\bport\b)|[\w$.]+\s*\)|(?:async\s*)?\(|(?:async\s+)?function\b|[\w$]+\s*=>)/g,
};

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
    const app = await jsApp(ctx);
    if (!app) return [];
    const found = new Map<number, { evidence: Evidence[]; confidence: Confidence; source: SourceClass }>();
    const add = (port: number, ev: Evidence, confidence: Confidence, source: SourceClass = 'code') => {
      if (!validPort(port)) return;
      const cur = found.get(port);
      if (!cur) { found.set(port, { evidence: [ev], confidence, source }); return; }
      if (!cur.evidence.some((e) => e.file === ev.file && e.line === ev.line) && cur.evidence.length < 5) cur.evidence.push(ev);
      if (confidence === 'high') cur.confidence = 'high';
    };
    const addArg = (text: string, file: string, index: number, arg: string) => {
      if (/^\d+$/.test(arg)) { add(Number(arg), cite(file, text, index), 'high'); return; }
      const r = arg ? resolveIdent(text, arg) : null;
      if (r) add(r.port, cite(file, text, r.index), r.confidence);
    };
    // `deno serve --port 8080 main.ts` in a task: the port is on the command line, a build-file fact.
    if (app.deno) {
      for (const [name, command] of Object.entries(app.deno.tasks)) {
        const m = /\bdeno\s+serve\b[^&|;]*?\s--port(?:=|\s+)(\d{2,5})\b/.exec(command);
        if (m?.[1] && !isDevScript(command)) add(Number(m[1]), denoKeyEvidence(app.deno, name, 'tasks'), 'high', 'build-file');
      }
    }
    const files: { file: string; text: string }[] = [];
    for (const file of sourceFiles(ctx)) {
      const text = await ctx.repo.read(file);
      if (text === null || !/port|listen|serve|fetch/i.test(text)) continue;
      files.push({ file, text });
      // An env default is what runs when the platform sets no PORT: a fact, though the env may override it.
      for (const m of text.matchAll(ENV_DEFAULT)) {
        if (inLineComment(text, m.index)) continue;
        add(Number(m[1]), cite(file, text, m.index), 'medium');
      }
      for (const m of text.matchAll(LISTEN)) {
        if (!inLineComment(text, m.index)) addArg(text, file, m.index, m[1] ?? m[2] ?? m[3] ?? '');
      }
      for (const m of text.matchAll(SERVE)) {
        // `{ port }` shorthand: the variable is named port.
        if (!inLineComment(text, m.index)) addArg(text, file, m.index, m[1] ?? 'port');
      }
      if (app.runtime === 'bun') {
        for (const m of text.matchAll(EXPORT_SERVE)) {
          const body = m[1] ?? '';
          const port = /\bport\s*:\s*(\d{2,5}|[A-Za-z_$][\w$]*)\b/.exec(body);
          if (port?.[1] && /\bfetch\b/.test(body)) addArg(text, file, m.index, port[1]);
        }
      }
    }
    const out: Signal[] = [...found].map(([port, f]) => ({ kind: 'port', port, evidence: f.evidence, source: f.source, confidence: f.confidence, detector: NAME }));
    if (out.length > 0) return out;
    // Nothing in code: the framework's documented default, said with low confidence.
    for (const fw of await appFrameworks(ctx, app)) {
      const port = FRAMEWORK_DEFAULT[fw.id];
      if (port === undefined || fw.detail?.output === 'export') continue;
      const dep = fw.evidence[0] ?? (app.pkg ? depEvidence(app.pkg, fw.id) : { file: ctx.appDir || '.', line: null });
      out.push({ kind: 'port', port, evidence: [dep], source: 'fallback', confidence: 'low', detector: NAME });
      return out;
    }
    // Then the runtime's own default for a serve call (or `deno serve` task) that names no port.
    const port = RUNTIME_DEFAULT[app.runtime];
    const noPort = SERVE_NO_PORT[app.runtime];
    if (port === undefined || !noPort) return out;
    if (app.deno) {
      for (const [name, command] of Object.entries(app.deno.tasks)) {
        if (!/\bdeno\s+serve\b/.test(command) || isDevScript(command)) continue;
        out.push({ kind: 'port', port, evidence: [denoKeyEvidence(app.deno, name, 'tasks')], source: 'fallback', confidence: 'low', detector: NAME });
        return out;
      }
    }
    for (const { file, text } of files) {
      for (const m of text.matchAll(noPort)) {
        if (inLineComment(text, m.index)) continue;
        out.push({ kind: 'port', port, evidence: [cite(file, text, m.index)], source: 'fallback', confidence: 'low', detector: NAME });
        return out;
      }
    }
    return out;
  },
};
