// Shared reading helpers for the PHP detectors: app gating, composer.json with line citations, sources with comments blanked, redacted citations.
import { cite, inApp, lineAt } from '../../evidence.js';
import type { DetectContext, Evidence } from '../../types.js';

export { inApp, lineAt };
export { appThenRoot } from '../../evidence.js';

export function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Whether the app dir holds a PHP app: a Composer manifest or lockfile, or Laravel's artisan. */
export function isPhpApp(ctx: DetectContext): boolean {
  return ['composer.json', 'composer.lock', 'artisan'].some((f) => ctx.repo.has(inApp(ctx.appDir, f)));
}

export function joinPath(prefix: string, path: string): string {
  const p = `${prefix.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
  const out = p.startsWith('/') ? p : `/${p}`;
  return out.length > 1 ? out.replace(/\/+$/, '') : out;
}

export interface ComposerDep { name: string; constraint: string; dev: boolean; evidence: Evidence }

export interface Composer {
  path: string;
  text: string;
  /** Parsed manifest, or null when it is not valid JSON (then `error` says where). */
  json: Record<string, unknown> | null;
  error: { message: string; line: number | null } | null;
  /** Package name (lower case; `php` and `ext-*` included) → its declaration; `require` wins over `require-dev`. */
  deps: Map<string, ComposerDep>;
  /** Script name → its commands (a string script becomes a one-item list). */
  scripts: Map<string, { commands: string[]; evidence: Evidence }>;
}

/** Evidence for `"key":` inside the top-level object `section` of a JSON text, or the key anywhere; line 1 as a last resort. */
export function jsonKeyEvidence(path: string, text: string, key: string, section?: string): Evidence {
  let from = 0;
  if (section) {
    const s = new RegExp(`"${escapeRe(section)}"\\s*:\\s*\\{`).exec(text);
    if (s) from = s.index + s[0].length;
  }
  const re = new RegExp(`"${escapeRe(key)}"\\s*:`, 'gi');
  re.lastIndex = from;
  const m = re.exec(text);
  return m ? cite(path, text, m.index) : { file: path, line: 1 };
}

/** The 1-based line a JSON.parse error points at: "(line N column M)" on newer V8, "at position N" on older. */
function jsonErrorLine(message: string, text: string): number | null {
  const l = /\(line (\d+) column \d+\)/.exec(message);
  if (l?.[1]) return Number(l[1]);
  const p = /at position (\d+)/.exec(message);
  return p?.[1] ? lineAt(text, Math.min(Number(p[1]), text.length)) : null;
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' ? [v] : []);

/** Reads and parses a Composer manifest; a parse error is captured with its line, never thrown. */
export async function readComposer(ctx: DetectContext, path: string): Promise<Composer | null> {
  const text = await ctx.repo.read(path);
  if (text === null) return null;
  const c: Composer = { path, text, json: null, error: null, deps: new Map(), scripts: new Map() };
  try {
    const json: unknown = JSON.parse(text.replace(/^\uFEFF/, ''));
    if (isRecord(json)) c.json = json;
    else c.error = { message: `${path} is not a JSON object`, line: 1 };
  } catch (e) {
    const msg = (e as Error).message.split('\n')[0] ?? 'parse error';
    c.error = { message: `${path} is not valid JSON: ${msg}`, line: jsonErrorLine(msg, text) };
  }
  const add = (name: string, constraint: string, dev: boolean, evidence: Evidence): void => {
    const key = name.toLowerCase();
    const cur = c.deps.get(key);
    if (cur && (!cur.dev || dev)) return;
    c.deps.set(key, { name: key, constraint, dev, evidence });
  };
  if (c.json) {
    for (const [section, dev] of [['require', false], ['require-dev', true]] as const) {
      const req = c.json[section];
      if (!isRecord(req)) continue;
      for (const [name, v] of Object.entries(req)) add(name, typeof v === 'string' ? v : '', dev, jsonKeyEvidence(path, text, name, section));
    }
    const scripts = c.json.scripts;
    if (isRecord(scripts)) {
      for (const [name, v] of Object.entries(scripts)) c.scripts.set(name, { commands: strings(v), evidence: jsonKeyEvidence(path, text, name, 'scripts') });
    }
  } else {
    // Invalid JSON: `"vendor/package": "constraint"` pairs are still a fair hint of what the project uses.
    for (const m of text.matchAll(/"((?:[a-z0-9_.-]+\/[a-z0-9_.-]+)|php|ext-[a-z0-9_-]+)"\s*:\s*"([^"\n]*)"/gi)) {
      if (m[1]) add(m[1], m[2] ?? '', false, cite(path, text, m.index));
    }
  }
  return c;
}

const composerCache = new WeakMap<object, Map<string, Promise<Composer | null>>>();

/** The app's composer.json, read once per repo and app dir. */
export function composer(ctx: DetectContext): Promise<Composer | null> {
  let perRepo = composerCache.get(ctx.repo);
  if (!perRepo) { perRepo = new Map(); composerCache.set(ctx.repo, perRepo); }
  let p = perRepo.get(ctx.appDir);
  if (!p) { p = readComposer(ctx, inApp(ctx.appDir, 'composer.json')); perRepo.set(ctx.appDir, p); }
  return p;
}

/** A dependency from `require` (dev ones only when `dev` is set). */
export function dep(c: Composer | null, name: string, dev = false): ComposerDep | undefined {
  const d = c?.deps.get(name);
  return d && (dev || !d.dev) ? d : undefined;
}

/**
 * Blanks PHP comments (`//`, `#` but not `#[` attributes, `/* … *\/`) with spaces, same length and newlines kept, so
 * offsets still map to the original text. Strings, heredocs and inline HTML (outside `<?php … ?>`) are left alone.
 */
export function blankComments(text: string, startInPhp = false): string {
  const out = text.split('');
  const n = text.length;
  let i = 0;
  let php = startInPhp;
  const blank = (from: number, to: number): void => { for (let k = from; k < to; k++) if (out[k] !== '\n') out[k] = ' '; };
  while (i < n) {
    if (!php) {
      const open = text.indexOf('<?', i);
      if (open < 0) break;
      php = true;
      i = open + 2;
      continue;
    }
    const c = text[i];
    const next = text[i + 1];
    if (c === '?' && next === '>') { php = false; i += 2; continue; }
    if (c === "'" || c === '"') {
      let j = i + 1;
      while (j < n && text[j] !== c) j += text[j] === '\\' ? 2 : 1;
      i = j + 1;
      continue;
    }
    if (c === '<' && text.startsWith('<<<', i)) {
      const h = /^<<<[ \t]*(['"]?)([A-Za-z_]\w*)\1\r?\n/.exec(text.slice(i, i + 80));
      if (h?.[2]) {
        const end = new RegExp(`^[ \\t]*${h[2]}\\b`, 'm');
        end.lastIndex = 0;
        const rest = text.slice(i + h[0].length);
        const m = end.exec(rest);
        i = m ? i + h[0].length + m.index + m[0].length : n;
        continue;
      }
    }
    if ((c === '/' && next === '/') || (c === '#' && next !== '[')) {
      let j = i;
      while (j < n && text[j] !== '\n' && !(text[j] === '?' && text[j + 1] === '>')) j++;
      blank(i, j);
      i = j;
      continue;
    }
    if (c === '/' && next === '*') {
      const end = text.indexOf('*/', i + 2);
      const j = end < 0 ? n : end + 2;
      blank(i, j);
      i = j;
      continue;
    }
    i++;
  }
  return out.join('');
}

/** Blanks YAML comments: `#` at a line start or after whitespace, outside quotes. */
export function blankYamlComments(text: string): string {
  return text.split('\n').map((line) => {
    let quote: string | null = null;
    for (let k = 0; k < line.length; k++) {
      const ch = line[k];
      if (quote) { if (ch === quote) quote = null; continue; }
      if (ch === '"' || ch === "'") quote = ch;
      else if (ch === '#' && (k === 0 || /\s/.test(line[k - 1] ?? ''))) return line.slice(0, k) + ' '.repeat(line.length - k);
    }
    return line;
  }).join('\n');
}

export interface PhpSource {
  path: string;
  /** Path relative to the app dir. */
  rel: string;
  text: string;
  /** `text` with comments blanked: match on this, cite from `text`. */
  code: string;
}

/** Folders that are not the app's running code: tests, dependencies, generated caches and storage. */
const SKIP_DIR = /(?:^|\/)(?:tests?|Tests?|spec|vendor|node_modules|storage|bootstrap\/cache|var|docs?|examples?)\//;
export const MAX_SOURCE_FILES = 2000;

/** The app's .php files (plus `artisan` and `bin/console`), tests and dependencies skipped, shallowest first. */
export function sourceFiles(ctx: DetectContext): string[] {
  const prefixLen = ctx.appDir === '' ? 0 : ctx.appDir.length + 1;
  const out: string[] = [];
  for (const f of ctx.repo.under(ctx.appDir)) {
    const rel = f.path.slice(prefixLen);
    if (SKIP_DIR.test(rel)) continue;
    if (!rel.endsWith('.php') && rel !== 'artisan' && rel !== 'bin/console') continue;
    out.push(f.path);
  }
  const depth = (p: string): number => p.split('/').length;
  return out.sort((a, b) => depth(a) - depth(b) || a.localeCompare(b)).slice(0, MAX_SOURCE_FILES);
}

const sourceCache = new WeakMap<object, Map<string, Promise<PhpSource[]>>>();

/** Reads the app's PHP sources once per repo and app dir, comments blanked. */
export function phpSources(ctx: DetectContext): Promise<PhpSource[]> {
  let perRepo = sourceCache.get(ctx.repo);
  if (!perRepo) { perRepo = new Map(); sourceCache.set(ctx.repo, perRepo); }
  let p = perRepo.get(ctx.appDir);
  if (!p) {
    p = (async () => {
      const files = sourceFiles(ctx);
      const texts = await Promise.all(files.map((f) => ctx.repo.read(f)));
      const prefixLen = ctx.appDir === '' ? 0 : ctx.appDir.length + 1;
      const out: PhpSource[] = [];
      files.forEach((path, i) => {
        const text = texts[i];
        if (typeof text === 'string') out.push({ path, rel: path.slice(prefixLen), text, code: blankComments(text) });
      });
      return out;
    })();
    perRepo.set(ctx.appDir, p);
  }
  return p;
}

/** Config files the app reads at run time: config/**\/*.yaml|yml (Symfony), comments blanked. */
export async function yamlConfigs(ctx: DetectContext): Promise<PhpSource[]> {
  const dir = inApp(ctx.appDir, 'config');
  const prefixLen = ctx.appDir === '' ? 0 : ctx.appDir.length + 1;
  const out: PhpSource[] = [];
  for (const f of ctx.repo.under(dir)) {
    if (!/\.ya?ml$/.test(f.path) || /\/(?:test|dev)\//.test(f.path.slice(dir.length))) continue;
    const text = await ctx.repo.read(f.path);
    if (text !== null) out.push({ path: f.path, rel: f.path.slice(prefixLen), text, code: blankYamlComments(text) });
  }
  return out.sort((a, b) => a.path.localeCompare(b.path));
}

const STRING_LIT = /(['"])((?:\\.|(?!\1)[^\\\n])*)\1/g;

/**
 * cite() made safe to print: credentials in URLs masked, and every string literal except the names in `keep`
 * becomes '***' (env defaults and config literals are values).
 */
export function safeCite(file: string, text: string, index: number, keep: readonly string[] = []): Evidence {
  const start = text.lastIndexOf('\n', index - 1) + 1;
  const endRaw = text.indexOf('\n', index);
  let t = text.slice(start, endRaw < 0 ? text.length : endRaw).trim();
  t = t.replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^\s'"]*/gi, '$1…');
  // Array keys ('driver' => …) are names, not values: kept so the line stays readable.
  t = t.replace(STRING_LIT, (all, q: string, body: string, at: number, whole: string) =>
    (keep.includes(body) || body === '' || /^\s*=>/.test(whole.slice(at + all.length)) ? all : `${q}***${q}`));
  return { file, line: lineAt(text, index), text: t.length > 160 ? `${t.slice(0, 157)}...` : t };
}

/** `NAME=value` lines of an env file: names, 1-based lines and (for callers that need a scheme or a driver) raw values. */
export function envFileEntries(text: string): { name: string; value: string; line: number; index: number }[] {
  const out: { name: string; value: string; line: number; index: number }[] = [];
  let offset = 0;
  text.split('\n').forEach((raw, i) => {
    const at = offset;
    offset += raw.length + 1;
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(raw.replace(/\r$/, ''));
    if (!m?.[1]) return;
    let value = m[2] ?? '';
    const q = /^(["'])(.*)\1$/.exec(value);
    value = q ? q[2] ?? '' : value.replace(/\s+#.*$/, '');
    out.push({ name: m[1], value, line: i + 1, index: at + raw.indexOf(m[1]) });
  });
  return out;
}

/** Env files a PHP app commits: examples, and Symfony's `.env` of defaults. */
export const ENV_FILES = ['.env.example', '.env.dist', '.env.sample', '.env'];

export interface EnvFile { path: string; text: string; entries: ReturnType<typeof envFileEntries> }

/** The app's committed env files that exist, in ENV_FILES order. */
export async function envFiles(ctx: DetectContext): Promise<EnvFile[]> {
  const out: EnvFile[] = [];
  for (const rel of ENV_FILES) {
    const path = inApp(ctx.appDir, rel);
    if (!ctx.repo.has(path)) continue;
    const text = await ctx.repo.read(path);
    if (text !== null) out.push({ path, text, entries: envFileEntries(text) });
  }
  return out;
}

/** Evidence for an env file line that shows the name only. */
export function envLineEvidence(file: string, name: string, line: number): Evidence {
  return { file, line, text: `${name}=***` };
}
