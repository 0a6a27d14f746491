// Shared reading helpers for the Go detectors: app gating, go.mod parsing, source files with comments blanked, main packages, redacted citations.
import { inApp, lineAt, looksSecret } from '../../evidence.js';
import type { DetectContext, Evidence } from '../../types.js';

export { inApp, lineAt };

/** Whether the app dir holds a Go module (its own go.mod). */
export function isGoApp(ctx: DetectContext): boolean {
  return ctx.repo.has(inApp(ctx.appDir, 'go.mod'));
}

export interface GoRequire { path: string; version: string; indirect: boolean; evidence: Evidence }

export interface GoMod {
  path: string;
  text: string;
  module: string | null;
  moduleEvidence: Evidence;
  /** `go 1.22` directive, with the offset of its line. */
  go: { value: string; index: number } | null;
  toolchain: { value: string; index: number } | null;
  requires: GoRequire[];
}

/** Parses go.mod by line (module, go, toolchain, require single lines and blocks); never throws. */
export function parseGoMod(path: string, text: string): GoMod {
  const mod: GoMod = { path, text, module: null, moduleEvidence: { file: path, line: null }, go: null, toolchain: null, requires: [] };
  let inRequire = false;
  let offset = 0;
  for (const raw of text.split('\n')) {
    const at = offset;
    offset += raw.length + 1;
    const indirect = /\/\/\s*indirect\b/.test(raw);
    const line = raw.replace(/\/\/.*$/, '').trim();
    if (!line) continue;
    const lead = raw.length - raw.trimStart().length;
    const ev = (): Evidence => ({ file: path, line: lineAt(text, at), text: raw.trim().slice(0, 160) });
    if (inRequire) {
      if (line === ')') { inRequire = false; continue; }
      const m = /^(\S+)\s+(\S+)/.exec(line);
      if (m?.[1] && m[2]) mod.requires.push({ path: m[1].replace(/^"|"$/g, ''), version: m[2], indirect, evidence: ev() });
      continue;
    }
    let m: RegExpExecArray | null;
    if ((m = /^module\s+"?([^\s"]+)"?/.exec(line)) && m[1]) { mod.module = m[1]; mod.moduleEvidence = ev(); }
    else if ((m = /^go\s+(\d+(?:\.\d+){0,2})/.exec(line)) && m[1]) mod.go = { value: m[1], index: at + lead };
    else if ((m = /^toolchain\s+go(\d+(?:\.\d+){0,2})/.exec(line)) && m[1]) mod.toolchain = { value: m[1], index: at + lead };
    else if (/^require\s*\($/.test(line)) inRequire = true;
    else if ((m = /^require\s+(\S+)\s+(\S+)/.exec(line)) && m[1] && m[2]) mod.requires.push({ path: m[1].replace(/^"|"$/g, ''), version: m[2], indirect, evidence: ev() });
  }
  return mod;
}

/** Whether a required module is `prefix` itself or a major-version/sub path of it (github.com/jackc/pgx/v5). */
export function modMatches(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(`${prefix}/`);
}

/** Blanks Go comments (same length, newlines kept) so offsets still map to the original text; strings are left alone. */
export function blankComments(text: string): string {
  const out = text.split('');
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i];
    const d = text[i + 1];
    if (c === '/' && d === '/') {
      while (i < n && text[i] !== '\n') out[i++] = ' ';
    } else if (c === '/' && d === '*') {
      out[i++] = ' '; out[i++] = ' ';
      while (i < n && !(text[i] === '*' && text[i + 1] === '/')) { if (text[i] !== '\n') out[i] = ' '; i++; }
      if (i < n) { out[i++] = ' '; out[i++] = ' '; }
    } else if (c === '"' || c === "'") {
      i++;
      while (i < n && text[i] !== c && text[i] !== '\n') i += text[i] === '\\' ? 2 : 1;
      i++;
    } else if (c === '`') {
      i++;
      while (i < n && text[i] !== '`') i++;
      i++;
    } else i++;
  }
  return out.join('');
}

export interface GoSource { path: string; text: string; /** text with comments blanked (same offsets) */ code: string; pkg: string | null }

export const MAX_SOURCE_FILES = 2000;
const SKIP = /(?:^|\/)(?:vendor|testdata|node_modules|\.git|examples?|third_party)\//;

/** The module's .go files (tests, vendor, testdata and nested modules skipped), shallowest first. */
export function sourceFiles(ctx: DetectContext): string[] {
  const prefixLen = ctx.appDir === '' ? 0 : ctx.appDir.length + 1;
  const files = ctx.repo.under(ctx.appDir);
  const nested = files.map((f) => f.path.slice(prefixLen)).filter((p) => p !== 'go.mod' && p.endsWith('/go.mod')).map((p) => p.slice(0, -'go.mod'.length));
  const out: string[] = [];
  for (const f of files) {
    if (!f.path.endsWith('.go') || f.path.endsWith('_test.go')) continue;
    const rel = f.path.slice(prefixLen);
    if (SKIP.test(rel) || nested.some((d) => rel.startsWith(d))) continue;
    out.push(f.path);
  }
  const depth = (p: string): number => p.split('/').length;
  return out.sort((a, b) => depth(a) - depth(b) || a.localeCompare(b)).slice(0, MAX_SOURCE_FILES);
}

export interface GoApp { mod: GoMod; sources: GoSource[] }

const CACHE = new WeakMap<object, Map<string, Promise<GoApp | null>>>();

/** go.mod and sources of the app, read once per repo index and app dir. */
export function goApp(ctx: DetectContext): Promise<GoApp | null> {
  let per = CACHE.get(ctx.repo);
  if (!per) { per = new Map(); CACHE.set(ctx.repo, per); }
  const hit = per.get(ctx.appDir);
  if (hit) return hit;
  const p = (async (): Promise<GoApp | null> => {
    if (!isGoApp(ctx)) return null;
    const path = inApp(ctx.appDir, 'go.mod');
    const text = await ctx.repo.read(path);
    if (text === null) return null;
    const files = sourceFiles(ctx);
    const texts = await Promise.all(files.map((f) => ctx.repo.read(f)));
    const sources: GoSource[] = [];
    files.forEach((f, i) => {
      const t = texts[i];
      if (typeof t !== 'string') return;
      // `//go:build ignore` files (generators, one-off scripts) are never part of the build.
      if (/^\/\/\s*(?:go:build|\+build)\s+ignore\b/m.test(t.slice(0, Math.max(0, t.search(/^\s*package\s/m))))) return;
      const code = blankComments(t);
      sources.push({ path: f, text: t, code, pkg: /^\s*package\s+(\w+)/m.exec(code)?.[1] ?? null });
    });
    return { mod: parseGoMod(path, text), sources };
  })();
  per.set(ctx.appDir, p);
  return p;
}

/** Direct (non-indirect) requirement matching one of the prefixes. */
export function directRequire(mod: GoMod, ...prefixes: string[]): GoRequire | undefined {
  return mod.requires.find((r) => !r.indirect && prefixes.some((p) => modMatches(r.path, p)));
}

export interface MainPkg { dir: string; rel: string; name: string; file: string; evidence: Evidence }

/** Main packages (package main + func main), preferring cmd/<name>/ and then the module root. */
export function mainPackages(ctx: DetectContext, app: GoApp): MainPkg[] {
  const prefixLen = ctx.appDir === '' ? 0 : ctx.appDir.length + 1;
  const byDir = new Map<string, MainPkg>();
  for (const s of app.sources) {
    if (s.pkg !== 'main') continue;
    const m = /^func\s+main\s*\(\s*\)/m.exec(s.code);
    if (!m) continue;
    const rel = s.path.slice(prefixLen);
    const dir = rel.includes('/') ? rel.slice(0, rel.lastIndexOf('/')) : '';
    if (byDir.has(dir)) continue;
    const modName = app.mod.module?.split('/').filter((x) => !/^v\d+$/.test(x)).pop() ?? 'app';
    const name = dir === '' ? modName : dir.split('/').pop() ?? modName;
    byDir.set(dir, { dir, rel: dir === '' ? '.' : `./${dir}`, name: safeName(name), file: s.path, evidence: citeGo(s.path, s.text, m.index) });
  }
  const rank = (p: MainPkg): number => (/^cmd\/[^/]+$/.test(p.dir) ? 0 : p.dir === '' ? 1 : 2);
  return [...byDir.values()].sort((a, b) => rank(a) - rank(b) || a.dir.localeCompare(b.dir));
}

function safeName(n: string): string {
  const s = n.replace(/[^A-Za-z0-9._-]/g, '-');
  return s === '' ? 'app' : s;
}

const GO_STRING = /"(?:\\.|[^"\\\n])*"|`[^`]*`/g;

/**
 * Makes a Go line safe to print: credentials in URLs are masked, and on a line that mentions a secret-looking
 * name (or any line, with `all`) every string literal except the names in `keep` becomes "***".
 */
export function scrubGo(line: string, keep: readonly string[] = [], all = false): string {
  let out = line.replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^\s"`@/]*@/gi, '$1***@');
  const words = out.match(/[A-Za-z_][A-Za-z0-9_]*/g) ?? [];
  if (all || words.some((w) => looksSecret(w))) {
    out = out.replace(GO_STRING, (lit) => {
      const q = lit[0] ?? '"';
      const body = lit.slice(1, -1);
      // Struct tags keep their keys and the names in `keep`, never a default.
      if (q === '`') return `\`${body.replace(/(\w+):"([^"]*)"/g, (t, k: string, v: string) => (/^(?:env|envconfig|json|yaml|mapstructure|split_words|required)$/.test(k) && !/default/i.test(k) ? t : `${k}:"***"`))}\``;
      return keep.includes(body) ? lit : `${q}***${q}`;
    });
  }
  return out;
}

/** Evidence for offset `index` of a Go file, line text scrubbed before truncation. */
export function citeGo(file: string, text: string, index: number, keep: readonly string[] = [], all = false): Evidence {
  const start = text.lastIndexOf('\n', index - 1) + 1;
  const endRaw = text.indexOf('\n', index);
  const t = scrubGo(text.slice(start, endRaw < 0 ? text.length : endRaw).trim(), keep, all);
  return { file, line: lineAt(text, index), text: t.length > 160 ? `${t.slice(0, 157)}...` : t };
}

/** The `{ … }` block starting at or after `open` (index of `{`) in code, as [start, end) offsets; brace-counted, strings ignored roughly. */
export function blockAt(code: string, open: number): [number, number] | null {
  const i = code.indexOf('{', open);
  if (i < 0) return null;
  let depth = 0;
  for (let j = i; j < code.length; j++) {
    const c = code[j];
    if (c === '"' || c === '`') { const end = code.indexOf(c, j + 1); if (end < 0) return null; j = end; continue; }
    if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return [i + 1, j];
  }
  return null;
}

export function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
