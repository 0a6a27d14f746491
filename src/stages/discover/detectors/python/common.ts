// Shared reading helpers for the Python detectors: app gating, manifests (TOML parsed safely), dependencies, source files, redacted citations.
import { parse as parseToml, TomlError } from 'smol-toml';
import { cite, inApp, lineAt, looksSecret } from '../../evidence.js';
import type { DetectContext, Evidence } from '../../types.js';

export function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Files that make a directory a Python app. */
const PY_MARKERS = ['pyproject.toml', 'Pipfile', 'Pipfile.lock', 'setup.py', 'setup.cfg', 'manage.py', 'uv.lock', 'poetry.lock', 'pdm.lock'];

/** requirements*.txt files in the app dir (not nested), sorted with requirements.txt first. */
export function requirementFiles(ctx: DetectContext): string[] {
  const prefix = ctx.appDir === '' ? '' : `${ctx.appDir}/`;
  const out = ctx.repo.under(ctx.appDir)
    .map((f) => f.path)
    .filter((p) => p.startsWith(prefix) && /^requirements[^/]*\.txt$/.test(p.slice(prefix.length)));
  // requirements/base.txt, requirements/prod.txt: a common layout too.
  for (const f of ctx.repo.under(inApp(ctx.appDir, 'requirements'))) if (/^requirements\/[^/]+\.txt$/.test(f.path.slice(prefix.length))) out.push(f.path);
  return out.sort((a, b) => Number(b.endsWith('/requirements.txt') || b === 'requirements.txt') - Number(a.endsWith('/requirements.txt') || a === 'requirements.txt') || a.localeCompare(b));
}

/** Whether a requirements file is for development/tests only. */
export function devRequirements(path: string): boolean {
  return /(?:dev|test|lint|doc|ci|local)[^/]*\.txt$/i.test(path);
}

/** Whether the app dir holds a Python app (a manifest, lockfile or manage.py), judged from file names only. */
export function isPythonApp(ctx: DetectContext): boolean {
  if (PY_MARKERS.some((m) => ctx.repo.has(inApp(ctx.appDir, m)))) return true;
  return requirementFiles(ctx).length > 0;
}

export { appThenRoot } from '../../evidence.js';

export interface TomlDoc {
  path: string;
  text: string;
  /** Parsed document, or null when the file is not valid TOML (then `error` says where). */
  doc: Record<string, unknown> | null;
  error: { message: string; line: number | null } | null;
}

/** A TOML file (pyproject.toml, Pipfile), parsed; a parse error is captured with its line, never thrown. */
export async function readToml(ctx: DetectContext, path: string): Promise<TomlDoc | null> {
  const text = await ctx.repo.read(path);
  if (text === null) return null;
  try {
    const doc = parseToml(text);
    return { path, text, doc: isRecord(doc) ? doc : null, error: null };
  } catch (e) {
    const line = e instanceof TomlError && Number.isFinite(e.line) ? e.line : null;
    const first = ((e as Error).message ?? 'parse error').split('\n')[0] ?? 'parse error';
    return { path, text, doc: null, error: { message: `${path} is not valid TOML: ${first}`, line } };
  }
}

export function pyproject(ctx: DetectContext): Promise<TomlDoc | null> {
  return readToml(ctx, inApp(ctx.appDir, 'pyproject.toml'));
}

export function pipfile(ctx: DetectContext): Promise<TomlDoc | null> {
  return readToml(ctx, inApp(ctx.appDir, 'Pipfile'));
}

/** A nested table of a parsed TOML doc (`get(doc, 'tool', 'poetry')`), or undefined. */
export function tbl(doc: unknown, ...keys: string[]): Record<string, unknown> | undefined {
  let cur: unknown = doc;
  for (const k of keys) {
    if (!isRecord(cur)) return undefined;
    cur = cur[k];
  }
  return isRecord(cur) ? cur : undefined;
}

/** PEP 503 normalized distribution name. */
export function normName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

/** The distribution name of a PEP 508 requirement string ("Django>=4.2", "uvicorn[standard]"), or null. */
export function reqName(spec: string): string | null {
  const m = /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)/.exec(spec);
  return m?.[1] ? normName(m[1]) : null;
}

export interface Dep { name: string; dev: boolean; evidence: Evidence }

/** Evidence for the line of `file` that declares dependency `name` (any spelling of - _ .), or line null. */
function depLine(file: string, text: string, name: string): Evidence {
  const flexible = name.split('-').map(escapeRe).join('[-_.]');
  const re = new RegExp(`(?:^|["'\\s])${flexible}\\s*(?:[\\[=<>~!;,"'\\s]|$)`, 'im');
  const m = re.exec(text);
  if (!m) return { file, line: null };
  return cite(file, text, m.index + (m[0].length > 0 && /["'\s]/.test(m[0][0] ?? '') ? 1 : 0));
}

/** Every dependency declared in requirements*.txt, pyproject (PEP 621, poetry, pdm, dependency groups) and Pipfile. */
export async function dependencies(ctx: DetectContext): Promise<Map<string, Dep>> {
  const deps = new Map<string, Dep>();
  const add = (name: string | null, dev: boolean, file: string, text: string): void => {
    if (!name || name === 'python') return;
    const cur = deps.get(name);
    if (cur && (!cur.dev || dev)) return; // a runtime declaration beats a dev one
    deps.set(name, { name, dev, evidence: depLine(file, text, name) });
  };
  for (const file of requirementFiles(ctx)) {
    const text = await ctx.repo.read(file);
    if (text === null) continue;
    const dev = devRequirements(file);
    let offset = 0;
    text.split('\n').forEach((raw) => {
      const at = offset;
      offset += raw.length + 1;
      const line = raw.replace(/(^|\s)#.*/, '').trim();
      if (!line || line.startsWith('-') || /^[a-z+]+:\/\//i.test(line)) return;
      const name = reqName(line);
      if (!name) return;
      const cur = deps.get(name);
      if (cur && (!cur.dev || dev)) return;
      deps.set(name, { name, dev, evidence: cite(file, text, at) });
    });
  }
  const py = await pyproject(ctx);
  if (py?.doc) {
    const project = tbl(py.doc, 'project');
    const list = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
    for (const s of list(project?.dependencies)) add(reqName(s), false, py.path, py.text);
    for (const v of Object.values(tbl(project, 'optional-dependencies') ?? {})) for (const s of list(v)) add(reqName(s), true, py.path, py.text);
    for (const v of Object.values(tbl(py.doc, 'dependency-groups') ?? {})) for (const s of list(v)) add(reqName(s), true, py.path, py.text);
    for (const v of Object.values(tbl(py.doc, 'tool', 'pdm', 'dev-dependencies') ?? {})) for (const s of list(v)) add(reqName(s), true, py.path, py.text);
    for (const k of Object.keys(tbl(py.doc, 'tool', 'poetry', 'dependencies') ?? {})) add(normName(k), false, py.path, py.text);
    for (const k of Object.keys(tbl(py.doc, 'tool', 'poetry', 'dev-dependencies') ?? {})) add(normName(k), true, py.path, py.text);
    for (const g of Object.values(tbl(py.doc, 'tool', 'poetry', 'group') ?? {})) for (const k of Object.keys(tbl(g, 'dependencies') ?? {})) add(normName(k), true, py.path, py.text);
  } else if (py) {
    // Invalid TOML: quoted requirement strings and `name = ` keys are still a fair hint of what the project uses.
    for (const m of py.text.matchAll(/^\s*"([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*(?:[=<>~!;][^"]*)?",?\s*$/gm)) add(reqName(m[1] ?? ''), false, py.path, py.text);
  }
  const pf = await pipfile(ctx);
  if (pf?.doc) {
    for (const k of Object.keys(tbl(pf.doc, 'packages') ?? {})) add(normName(k), false, pf.path, pf.text);
    for (const k of Object.keys(tbl(pf.doc, 'dev-packages') ?? {})) add(normName(k), true, pf.path, pf.text);
  }
  return deps;
}

const TEST_FILE = /(?:^|\/)(?:test_[^/]*|[^/]*_test|conftest)\.py$/;
const SKIP_DIR = /(?:^|\/)(?:tests?|testing|migrations|alembic\/versions|site-packages|docs|examples?|scripts\/dev)\//;
export const MAX_SOURCE_FILES = 2000;

/** The app's .py files (tests and migrations skipped), at most MAX_SOURCE_FILES, shallowest first. */
export function sourceFiles(ctx: DetectContext): string[] {
  const prefixLen = ctx.appDir === '' ? 0 : ctx.appDir.length + 1;
  const out: string[] = [];
  for (const f of ctx.repo.under(ctx.appDir)) {
    if (!f.path.endsWith('.py')) continue;
    const rel = f.path.slice(prefixLen);
    if (TEST_FILE.test(rel) || SKIP_DIR.test(rel)) continue;
    out.push(f.path);
  }
  const depth = (p: string): number => p.split('/').length;
  return out.sort((a, b) => depth(a) - depth(b) || a.localeCompare(b)).slice(0, MAX_SOURCE_FILES);
}

export interface PySource { path: string; text: string }

/** Reads the app's Python sources (capped by the index). */
export async function readSources(ctx: DetectContext): Promise<PySource[]> {
  const files = sourceFiles(ctx);
  const texts = await Promise.all(files.map((p) => ctx.repo.read(p)));
  const out: PySource[] = [];
  files.forEach((p, i) => { const t = texts[i]; if (typeof t === 'string') out.push({ path: p, text: t }); });
  return out;
}

/**
 * The dotted module of a source file, relative to the app dir; a src/ layout (src/ without __init__.py)
 * drops the `src.` prefix and reports `src` as the directory to put on the import path.
 */
export function moduleOf(ctx: DetectContext, path: string): { module: string; pythonPath: string | null } {
  const rel = ctx.appDir === '' ? path : path.slice(ctx.appDir.length + 1);
  let mod = rel.replace(/\.py$/, '').replace(/\/__init__$/, '');
  let pythonPath: string | null = null;
  if (mod.startsWith('src/') && !ctx.repo.has(inApp(ctx.appDir, 'src/__init__.py'))) {
    mod = mod.slice(4);
    pythonPath = 'src';
  }
  return { module: mod.split('/').join('.'), pythonPath };
}

/** Whether the offset sits after a `#` on its line (outside quotes, roughly). */
export function inComment(text: string, index: number): boolean {
  const start = text.lastIndexOf('\n', index - 1) + 1;
  const before = text.slice(start, index);
  let quote: string | null = null;
  for (const ch of before) {
    if (quote) { if (ch === quote) quote = null; continue; }
    if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '#') return true;
  }
  return false;
}

/** All matches of a global regex that are not in a comment. */
export function* codeMatches(text: string, re: RegExp): Generator<RegExpExecArray> {
  for (const m of text.matchAll(re)) if (!inComment(text, m.index)) yield m as RegExpExecArray;
}

const STRING_LIT = /(?<prefix>(?:\b[rRbBuUfF]{1,2})?)(?<q>'''|"""|'|")(?<body>(?:\\.|(?!\k<q>)[^\\\n])*)\k<q>/g;

/**
 * Makes an evidence line safe to print: credentials in URLs are masked, and on a line that mentions a
 * secret-looking name (or any line, with `all`) every string literal except the names in `keep` becomes '***'.
 */
export function scrub(line: string, keep: readonly string[] = [], all = false): string {
  let out = line.replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^\s'"@/]*@/gi, '$1***@');
  const words = out.match(/[A-Za-z_][A-Za-z0-9_]*/g) ?? [];
  const secretish = all || words.some((w) => looksSecret(w)) || keep.some((k) => looksSecret(k));
  if (secretish) {
    out = out.replace(STRING_LIT, (all, _p: string, q: string, body: string) => (keep.includes(body) ? all : `${all.slice(0, all.length - body.length - 2 * q.length)}${q}***${q}`));
  }
  return out;
}

/** A URL-free variant: every `scheme://…` becomes `scheme://…` with nothing after it (datastore URLs in code). */
export function scrubUrls(line: string): string {
  return line.replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^\s'"]*/gi, '$1…');
}

/** cite() with the line text scrubbed. */
export function safeCite(file: string, text: string, index: number, keep: readonly string[] = [], urls = false, all = false): Evidence {
  const start = text.lastIndexOf('\n', index - 1) + 1;
  const endRaw = text.indexOf('\n', index);
  // Scrubbed before truncation, so a cut cannot leave a secret literal unterminated and unmasked.
  let t = scrub(text.slice(start, endRaw < 0 ? text.length : endRaw).trim(), keep, all);
  if (urls) t = scrubUrls(t);
  return { file, line: lineAt(text, index), text: t.length > 160 ? `${t.slice(0, 157)}...` : t };
}

export { inApp, lineAt };
