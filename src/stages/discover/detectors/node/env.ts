// Environment variable NAMES read by JS/TS code (process.env, import.meta.env, Deno.env, Bun.env, Nest ConfigService, Prisma env()); never values.
import { cite } from '../../evidence.js';
import type { Confidence, DetectContext, Detector, Evidence, Signal } from '../../types.js';
import { inLineComment, isTestPath, prismaPushScript, sourceFiles } from './common.js';
import { jsApp } from './js-app.js';

const NAME = 'node-env';
const ID = '[A-Za-z_][A-Za-z0-9_]*';

/** Direct reads; group 1 or 2 is the name. */
const READS: { re: RegExp; buildTime: boolean }[] = [
  { re: new RegExp(String.raw`\bprocess\.env(?:\.(${ID})|\[\s*['"\`](${ID})['"\`]\s*\])`, 'g'), buildTime: false },
  { re: new RegExp(String.raw`\bBun\.env(?:\.(${ID})|\[\s*['"\`](${ID})['"\`]\s*\])`, 'g'), buildTime: false },
  { re: new RegExp(String.raw`\bDeno\.env\.get\(\s*['"\`](${ID})['"\`]\s*\)()`, 'g'), buildTime: false },
  // Vite inlines import.meta.env at build time.
  { re: new RegExp(String.raw`\bimport\.meta\.env(?:\.(${ID})|\[\s*['"\`](${ID})['"\`]\s*\])`, 'g'), buildTime: true },
];
/** Vite's own import.meta.env keys: not the app's configuration. */
const VITE_BUILTIN = new Set(['MODE', 'DEV', 'PROD', 'SSR', 'BASE_URL']);
/** `const { A, B = 'x', C: c } = process.env` (and Bun.env, Deno.env.toObject()). */
const DESTRUCTURE = /\b(?:const|let|var)\s*\{([^}]*)\}\s*=\s*(?:(?:process\.env|Bun\.env|import\.meta\.env)\b|Deno\.env\.toObject\(\s*\))/g;
/** `Deno.env.has("X")`: a presence check, so the app copes without X. */
const DENO_HAS = new RegExp(String.raw`\bDeno\.env\.has\(\s*['"\`](${ID})['"\`]\s*\)`, 'g');
/** NestJS ConfigService: getOrThrow is required by definition; get('X', fallback) has a default. */
const CONFIG_SERVICE = /\b(?:config|configService|this\.config(?:Service)?)\s*\.\s*(get|getOrThrow)\s*(?:<[^>]*>)?\(\s*['"`]([A-Z][A-Z0-9_]*)['"`]\s*(,)?/g;

type Use = 'required' | 'default' | 'bare' | 'unknown';
interface Acc { evidence: Evidence[]; uses: Set<Use>; buildTime: boolean }

/** How a read is used: followed by a default (|| ?? ?: or a comparison), guarded by a throw, or bare. */
function classify(text: string, start: number, end: number): Use {
  const after = text.slice(end, end + 120);
  const before = text.slice(Math.max(0, start - 40), start);
  // `if (!process.env.X) throw …` / `if (!process.env.X) { throw …`: the app refuses to start without it.
  if (/!\s*$/.test(before)) return /^\s*\)\s*\{?\s*throw\b/.test(after) ? 'required' : 'default';
  if (/^\s*(?:,\s*\d+\s*)?\)*\s*(?:\|\||\?\?|\?(?![.?])|[=!]==?)/.test(after)) return 'default';
  // Boolean(process.env.X) is a presence check: the app copes without it.
  if (/(?:===?|!==?)\s*$/.test(before) || /\bBoolean\(\s*$/.test(before) || /\bif\s*\(\s*$/.test(before) || /&&\s*$/.test(before)) return 'default';
  return 'bare';
}

/**
 * A bare read stored in a local (`const url = process.env.DATABASE_URL;`) is judged by how the code uses the local:
 * `if (!url) throw …` makes it required; a presence test (`if (url)`, `url ?? …`, `url && …`) means the app starts
 * without it; anything else leaves it a bare read.
 */
function aliasUse(text: string, start: number, end: number): Use {
  const decl = /\b(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*=\s*$/.exec(text.slice(Math.max(0, start - 60), start));
  if (!decl?.[1] || !/^\s*(?:;|\n|$)/.test(text.slice(end, end + 2))) return 'bare';
  const v = decl[1].replace(/\$/g, '\\$');
  const rest = text.slice(end);
  if (new RegExp(String.raw`\bif\s*\(\s*!\s*${v}\s*\)\s*\{?\s*(?:throw\b|process\.exit\b)`).test(rest)) return 'required';
  const presence = new RegExp(String.raw`\bif\s*\(\s*!?\s*${v}\s*\)|\bBoolean\(\s*${v}\s*\)|(?<![\w$.])${v}\s*(?:\?\?|\|\||&&|\?(?![.?]))`);
  return presence.test(rest) ? 'default' : 'bare';
}

/**
 * The line with string literals blanked, so a hard-coded default (maybe a secret) never leaves the repo.
 * Template literals keep their ${…} expressions: that is where the variable names are.
 */
export function redactLiterals(text: string): string {
  return text.replace(/(['"`])((?:(?!\1)[^\\]|\\.)*)\1/g, (all, q: string, body: string) => {
    if (/^[A-Z][A-Z0-9_]*$/.test(body)) return all;
    if (q !== '`') return `${q}…${q}`;
    return `\`${body.split(/(\$\{[^}]*\})/).map((part) => (part === '' || part.startsWith('${') ? part : '…')).join('')}\``;
  });
}

function redact(ev: Evidence): Evidence {
  return ev.text === undefined ? ev : { ...ev, text: redactLiterals(ev.text) };
}

/** `atBuild`: a build-phase script runs `prisma db push`, so the schema's variables are needed by the build too. */
async function prismaEnv(ctx: DetectContext, found: Map<string, Acc>, atBuild: boolean): Promise<void> {
  for (const f of ctx.repo.under(ctx.appDir)) {
    if (!f.path.endsWith('.prisma') || isTestPath(ctx.appDir === '' ? f.path : f.path.slice(ctx.appDir.length + 1))) continue;
    const text = await ctx.repo.read(f.path);
    if (text === null) continue;
    // datasource url = env("DATABASE_URL"): Prisma refuses to connect without it.
    for (const m of text.matchAll(/\benv\(\s*"([A-Za-z_][A-Za-z0-9_]*)"\s*\)/g)) {
      const acc = found.get(m[1]!) ?? { evidence: [], uses: new Set<Use>(), buildTime: false };
      acc.uses.add('required');
      if (atBuild) acc.buildTime = true;
      if (acc.evidence.length < 3) acc.evidence.push(cite(f.path, text, m.index));
      found.set(m[1]!, acc);
    }
  }
}

export const nodeEnvDetector: Detector = {
  name: NAME,
  async detect(ctx) {
    if (!(await jsApp(ctx))) return [];
    const found = new Map<string, Acc>();
    const note = (name: string, use: Use, ev: Evidence, buildTime: boolean) => {
      const acc = found.get(name) ?? { evidence: [], uses: new Set<Use>(), buildTime: false };
      acc.uses.add(use);
      // Next.js inlines NEXT_PUBLIC_* at build time, like Vite's import.meta.env.
      if (buildTime || name.startsWith('NEXT_PUBLIC_')) acc.buildTime = true;
      if (acc.evidence.length < 3 && !acc.evidence.some((e) => e.file === ev.file && e.line === ev.line)) acc.evidence.push(ev);
      found.set(name, acc);
    };
    for (const file of sourceFiles(ctx)) {
      const text = await ctx.repo.read(file);
      if (text === null || !/\benv\b|ConfigService|config\./.test(text)) continue;
      for (const { re, buildTime } of READS) {
        for (const m of text.matchAll(re)) {
          const name = m[1] ?? m[2];
          if (!name || inLineComment(text, m.index)) continue;
          if (buildTime && VITE_BUILTIN.has(name)) continue;
          const rest = text.slice(m.index + m[0].length, m.index + m[0].length + 4);
          // process.env.X = … is a write; process.env.PREFIX_${i} is a computed name we cannot know.
          if (/^\s*=(?!=)/.test(rest) || /^[$`{]/.test(rest)) continue;
          const end = m.index + m[0].length;
          const use = classify(text, m.index, end);
          note(name, use === 'bare' ? aliasUse(text, m.index, end) : use, cite(file, text, m.index), buildTime);
        }
      }
      for (const m of text.matchAll(DESTRUCTURE)) {
        if (inLineComment(text, m.index)) continue;
        const buildTime = m[0].includes('import.meta');
        for (const part of (m[1] ?? '').split(',')) {
          const p = /^\s*(?:(['"]?)([A-Za-z_][A-Za-z0-9_]*)\1)\s*(?::\s*[\w$]+\s*)?(=)?/.exec(part);
          if (!p?.[2] || part.trim().startsWith('...')) continue;
          note(p[2], p[3] ? 'default' : 'bare', cite(file, text, m.index), buildTime);
        }
      }
      for (const m of text.matchAll(DENO_HAS)) {
        if (!inLineComment(text, m.index)) note(m[1]!, 'default', cite(file, text, m.index), false);
      }
      for (const m of text.matchAll(CONFIG_SERVICE)) {
        if (inLineComment(text, m.index)) continue;
        note(m[2]!, m[1] === 'getOrThrow' ? 'required' : m[3] ? 'default' : 'unknown', cite(file, text, m.index), false);
      }
    }
    const pkg = (await jsApp(ctx))?.pkg;
    await prismaEnv(ctx, found, pkg ? prismaPushScript(pkg.scripts) !== null : false);

    const out: Signal[] = [];
    for (const [name, acc] of found) {
      // A throw guard anywhere makes it required; a default anywhere makes it optional; bare reads only: required.
      let required: boolean | null;
      let confidence: Confidence;
      if (acc.uses.has('required')) { required = true; confidence = 'high'; }
      else if (name === 'NODE_ENV' || acc.uses.has('default')) { required = false; confidence = 'high'; }
      else if (acc.uses.has('bare')) { required = true; confidence = 'medium'; }
      else { required = null; confidence = 'low'; }
      const s: Signal = { kind: 'env', name, required, evidence: acc.evidence.map(redact), source: 'code', confidence, detector: NAME };
      if (acc.buildTime) s.buildTime = true;
      out.push(s);
    }
    return out.sort((a, b) => (a.kind === 'env' && b.kind === 'env' ? a.name.localeCompare(b.name) : 0));
  },
};
