// Shared reading for the Rust detectors: Cargo.toml parsing with dependency lines, workspace inheritance, local path crates, bin targets and sources with comments and tests blanked.
import { parse as parseToml, TomlError } from 'smol-toml';
import { inApp, lineAt, looksSecret } from '../../evidence.js';
import type { DetectContext, Evidence } from '../../types.js';

export { inApp, lineAt };

type Rec = Record<string, unknown>;
export const isRecord = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/** Whether the app dir holds a Cargo manifest. */
export function isRustApp(ctx: DetectContext): boolean {
  return ctx.repo.has(inApp(ctx.appDir, 'Cargo.toml'));
}

export type DepKind = 'normal' | 'dev' | 'build';

export interface CargoDep {
  /** The table key (what the code calls the crate). */
  key: string;
  /** The crate on crates.io: `package = "…"` when renamed, else the key. */
  crate: string;
  kind: DepKind;
  features: string[];
  /** `path = "…"` as written (relative to the manifest that declares it), when the crate is local. */
  path: string | null;
  /** The local crate's directory, repo-relative; null when not local or outside the repository. */
  localDir: string | null;
  /** `x.workspace = true`: version, features and path come from [workspace.dependencies]. */
  workspace: boolean;
  evidence: Evidence;
  /** For an inherited dependency, its [workspace.dependencies] line in the root manifest. */
  rootEvidence?: Evidence;
}

export interface CargoManifest {
  path: string;
  dir: string;
  text: string;
  doc: Rec | null;
  error: { message: string; line: number | null } | null;
  deps: CargoDep[];
  /** 1-based line of `key` inside `[table]`, for citations. */
  lineOf(table: string, key: string): number | null;
}

/** Evidence for line `line` (1-based) of a manifest, text trimmed; null line when unknown. */
export function citeLine(m: { path: string; text: string }, line: number | null): Evidence {
  if (line === null) return { file: m.path, line: null };
  const t = (m.text.split('\n')[line - 1] ?? '').trim();
  return { file: m.path, line, text: t.length > 160 ? `${t.slice(0, 157)}...` : t };
}

/**
 * Line positions of keys per table, by a line scan: TOML parsers drop positions. `[dependencies.serde]` headers
 * count as the key `serde` of `[dependencies]`, and dotted keys (`serde.workspace = true`) as their first part.
 */
function keyLines(text: string): Map<string, Map<string, number>> {
  const out = new Map<string, Map<string, number>>();
  let table = '';
  const put = (t: string, k: string, line: number): void => {
    let m = out.get(t);
    if (!m) { m = new Map(); out.set(t, m); }
    if (!m.has(k)) m.set(k, line);
  };
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/\s#.*$/, '').trim();
    const h = /^\[\[?\s*([^\]]+?)\s*\]\]?$/.exec(line);
    if (h?.[1]) {
      const parts = splitKey(h[1]);
      table = parts.join('.');
      if (parts.length >= 1) put(parts.slice(0, -1).join('.'), parts[parts.length - 1] ?? '', i + 1);
      return;
    }
    const k = /^("[^"]+"|'[^']+'|[A-Za-z0-9_-]+)\s*(?:\.|=)/.exec(line);
    if (k?.[1]) put(table, k[1].replace(/^["']|["']$/g, ''), i + 1);
  });
  return out;
}

/** `target.'cfg(unix)'.dependencies` → ['target', 'cfg(unix)', 'dependencies']. */
function splitKey(k: string): string[] {
  const out: string[] = [];
  for (const m of k.matchAll(/\s*(?:"([^"]*)"|'([^']*)'|([^.\s]+))\s*(?:\.|$)/g)) {
    const v = m[1] ?? m[2] ?? m[3];
    if (v !== undefined) out.push(v);
  }
  return out;
}

const DEP_TABLES: [string, DepKind][] = [['dependencies', 'normal'], ['dev-dependencies', 'dev'], ['build-dependencies', 'build']];

/** Parses a Cargo.toml; a syntax error is captured with its line, never thrown. */
export function parseCargo(path: string, text: string): CargoManifest {
  const dir = path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '';
  const lines = keyLines(text);
  const lineOf = (table: string, key: string): number | null => lines.get(table)?.get(key) ?? null;
  let doc: Rec | null = null;
  let error: CargoManifest['error'] = null;
  try {
    const d = parseToml(text);
    doc = isRecord(d) ? d : null;
  } catch (e) {
    const line = e instanceof TomlError && Number.isFinite(e.line) ? e.line : null;
    const first = ((e as Error).message ?? 'parse error').split('\n')[0] ?? 'parse error';
    error = { message: `${path} is not valid TOML: ${first}`, line };
  }
  const deps: CargoDep[] = [];
  const m = { path, text };
  const collect = (tableName: string, table: unknown, kind: DepKind): void => {
    if (!isRecord(table)) return;
    for (const [key, spec] of Object.entries(table)) {
      const s = isRecord(spec) ? spec : {};
      deps.push({
        key, crate: str(s.package) ?? key, kind, features: strings(s.features), path: str(s.path) ?? null,
        localDir: str(s.path) !== undefined ? joinPath(dir, str(s.path) ?? '') : null, workspace: s.workspace === true, evidence: citeLine(m, lineOf(tableName, key)),
      });
    }
  };
  if (doc) {
    for (const [t, kind] of DEP_TABLES) collect(t, doc[t], kind);
    // [target.'cfg(…)'.dependencies]: platform-specific, still part of a Linux build in the common cases.
    if (isRecord(doc.target)) {
      for (const [cfg, v] of Object.entries(doc.target)) {
        if (!isRecord(v)) continue;
        for (const [t, kind] of DEP_TABLES) collect(`target.${cfg}.${t}`, v[t], kind);
      }
    }
  }
  return { path, dir, text, doc, error, deps, lineOf };
}

export function table(doc: unknown, ...keys: string[]): Rec | undefined {
  let cur: unknown = doc;
  for (const k of keys) {
    if (!isRecord(cur)) return undefined;
    cur = cur[k];
  }
  return isRecord(cur) ? cur : undefined;
}

export function field(doc: unknown, ...keys: string[]): unknown {
  const last = keys[keys.length - 1];
  const t = table(doc, ...keys.slice(0, -1));
  return t && last !== undefined ? t[last] : undefined;
}

/** A posix path joined and normalized (`a/b` + `../c` → `a/c`); null when it leaves the repository. */
export function joinPath(dir: string, rel: string): string | null {
  const out: string[] = dir === '' ? [] : dir.split('/');
  for (const seg of rel.replace(/\\/g, '/').split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') { if (out.length === 0) return null; out.pop(); } else out.push(seg);
  }
  return out.join('/');
}

/** Relative path from directory `from` to directory `to` (both repo-relative posix), '' when equal. */
export function relPath(from: string, to: string): string {
  const a = from === '' ? [] : from.split('/');
  const b = to === '' ? [] : to.split('/');
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return [...a.slice(i).map(() => '..'), ...b.slice(i)].join('/');
}

export interface BinTarget { name: string; evidence: Evidence }

export interface RustSource {
  path: string;
  text: string;
  /** comments, tests and #[cfg(test)] items blanked (same offsets) */
  code: string;
  /** `code` with string literal contents blanked too: a match that starts where the two differ is inside a string. */
  bare: string;
}

/** Whether offset `i` of a source lies inside a string literal (`r#"env::var("X")"#` is text, not a read). */
export function inString(s: RustSource, i: number): boolean {
  return s.bare[i] !== s.code[i];
}

export interface RustApp {
  manifest: CargoManifest;
  /** The workspace root manifest, when the app is a workspace member (or the root of one). */
  workspace: CargoManifest | null;
  packageName: string | null;
  /** Binary targets: [[bin]] entries, src/main.rs and src/bin/*. */
  bins: BinTarget[];
  defaultRun: { name: string; evidence: Evidence } | null;
  /** Normal dependencies of the app and of the local path crates it uses, workspace features merged in. */
  deps: CargoDep[];
  /** Local path crates the app depends on (repo dirs), whose code is part of the binary. */
  localCrates: string[];
  sources: RustSource[];
}

/** Blanks Rust comments (nested block comments too) with spaces, newlines kept; strings, raw strings and chars are skipped over. */
export function blankComments(text: string, strings = false): string {
  const out = text.split('');
  const n = text.length;
  let i = 0;
  const blank = (from: number, to: number): void => { for (let k = from; k < to && k < n; k++) if (out[k] !== '\n') out[k] = ' '; };
  while (i < n) {
    const c = text[i];
    const d = text[i + 1];
    if (c === '/' && d === '/') {
      const end = text.indexOf('\n', i);
      const e = end < 0 ? n : end;
      blank(i, e);
      i = e;
    } else if (c === '/' && d === '*') {
      let depth = 0;
      let j = i;
      while (j < n) {
        if (text[j] === '/' && text[j + 1] === '*') { depth++; j += 2; } else if (text[j] === '*' && text[j + 1] === '/') { depth--; j += 2; if (depth === 0) break; } else j++;
      }
      blank(i, j);
      i = j;
    } else if ((c === 'r' || (c === 'b' && d === 'r')) && /^b?r#*"/.test(text.slice(i, i + 260)) && !/\w/.test(text[i - 1] ?? '')) {
      const m = /^b?r(#*)"/.exec(text.slice(i, i + 260));
      const hashes = m?.[1] ?? '';
      const open = i + (m?.[0].length ?? 2);
      const close = text.indexOf(`"${hashes}`, open);
      if (strings) blank(open, close < 0 ? n : close);
      i = close < 0 ? n : close + 1 + hashes.length;
    } else if (c === '"') {
      const open = ++i;
      while (i < n && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
      if (strings) blank(open, i);
      i++;
    } else if (c === "'") {
      // A char literal ('x', '\n', '\u{1F600}'), else a lifetime ('a) or a label.
      const m = /^'(?:\\(?:u\{[0-9A-Fa-f]{1,6}\}|x[0-9A-Fa-f]{2}|.)|[^\\'\n])'/u.exec(text.slice(i, i + 12));
      i += m ? m[0].length : 1;
    } else i++;
  }
  return out.join('');
}

/** Index of the `}` closing the block opened at `open` (a `{`), strings and chars skipped; -1 when unbalanced. */
export function closeBrace(code: string, open: number): number {
  let depth = 0;
  for (let j = open; j < code.length; j++) {
    const c = code[j];
    if (c === '"') { j++; while (j < code.length && code[j] !== '"') j += code[j] === '\\' ? 2 : 1; continue; }
    if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return j;
  }
  return -1;
}

const TEST_ATTR = /#\[\s*(?:cfg\s*\(\s*(?:test|all\s*\(\s*test\b[^\]]*)\s*\)|(?:tokio::|actix_web::|actix_rt::|sqlx::|async_std::)?test(?:\s*\([^\]]*\))?)\s*\]/g;

/**
 * Blanks `#[cfg(test)]` items and `#[test]`-style functions; returns the code and the names of `#[cfg(test)] mod x;`
 * declarations, whose files are test code too.
 */
export function blankTests(code: string): { code: string; testMods: string[] } {
  const out = code.split('');
  const testMods: string[] = [];
  for (const m of code.matchAll(TEST_ATTR)) {
    const from = m.index + m[0].length;
    const semi = code.indexOf(';', from);
    const brace = code.indexOf('{', from);
    if (brace < 0 || (semi >= 0 && semi < brace)) {
      const mod = /^\s*(?:pub(?:\([^)]*\))?\s+)?mod\s+(\w+)\s*;/.exec(code.slice(from, semi + 1));
      if (mod?.[1]) testMods.push(mod[1]);
      continue;
    }
    const end = closeBrace(code, brace);
    const stop = end < 0 ? code.length : end + 1;
    for (let k = m.index; k < stop; k++) if (out[k] !== '\n') out[k] = ' ';
  }
  return { code: out.join(''), testMods };
}

export const MAX_SOURCE_FILES = 2000;
const SKIP = /(?:^|\/)(?:tests|benches|examples|target|vendor|fixtures|node_modules|\.git)\//;

/** A crate's .rs files (tests/, benches/, examples/, build.rs and nested crates skipped), shallowest first. */
function crateFiles(ctx: DetectContext, dir: string): string[] {
  const prefixLen = dir === '' ? 0 : dir.length + 1;
  const files = ctx.repo.under(dir);
  const nested = files.map((f) => f.path.slice(prefixLen)).filter((p) => p.endsWith('/Cargo.toml')).map((p) => p.slice(0, -'Cargo.toml'.length));
  const out: string[] = [];
  for (const f of files) {
    if (!f.path.endsWith('.rs')) continue;
    const rel = f.path.slice(prefixLen);
    if (rel === 'build.rs' || SKIP.test(rel) || nested.some((d) => rel.startsWith(d))) continue;
    out.push(f.path);
  }
  const depth = (p: string): number => p.split('/').length;
  return out.sort((a, b) => depth(a) - depth(b) || a.localeCompare(b));
}

async function readManifest(ctx: DetectContext, path: string): Promise<CargoManifest | null> {
  if (!ctx.repo.has(path)) return null;
  const text = await ctx.repo.read(path);
  return text === null ? null : parseCargo(path, text);
}

/** The nearest manifest at or above `dir` with a [workspace] table that does not exclude `dir`. */
async function findWorkspace(ctx: DetectContext, dir: string, own: CargoManifest): Promise<CargoManifest | null> {
  if (own.doc && isRecord(own.doc.workspace)) return own;
  const parts = dir === '' ? [] : dir.split('/');
  for (let i = parts.length - 1; i >= 0; i--) {
    const up = parts.slice(0, i).join('/');
    const m = await readManifest(ctx, inApp(up, 'Cargo.toml'));
    if (m?.doc && isRecord(m.doc.workspace)) {
      const rel = relPath(up, dir);
      const excluded = strings(field(m.doc, 'workspace', 'exclude')).some((e) => rel === e.replace(/\/+$/, '') || rel.startsWith(`${e.replace(/\/+$/, '')}/`));
      return excluded ? null : m;
    }
  }
  return null;
}

/** Resolves `x.workspace = true` against [workspace.dependencies]: features are added, path and crate taken from the root. */
function inherit(dep: CargoDep, ws: CargoManifest | null): CargoDep {
  if (!dep.workspace || !ws?.doc) return dep;
  const spec = field(ws.doc, 'workspace', 'dependencies', dep.key);
  const s = isRecord(spec) ? spec : {};
  const rootPath = str(s.path);
  return {
    ...dep,
    crate: str(s.package) ?? dep.crate,
    features: [...new Set([...strings(s.features), ...dep.features])],
    ...(rootPath !== undefined ? { path: rootPath, localDir: joinPath(ws.dir, rootPath) } : {}),
    rootEvidence: citeLine(ws, ws.lineOf('workspace.dependencies', dep.key)),
  };
}

/** Binary targets: [[bin]] entries, then src/main.rs (named for the package) and src/bin/ files, unless autobins = false. */
function binTargets(ctx: DetectContext, m: CargoManifest, pkgName: string | null): BinTarget[] {
  const out: BinTarget[] = [];
  const seen = new Set<string>();
  const add = (name: string, evidence: Evidence): void => { if (!seen.has(name)) { seen.add(name); out.push({ name, evidence }); } };
  const bins = Array.isArray(m.doc?.bin) ? m.doc.bin : [];
  const claimed = new Set<string>();
  const nameLines = [...m.text.matchAll(/^\s*\[\[\s*bin\s*\]\][^[]*?^\s*name\s*=/gm)].map((x) => lineAt(m.text, x.index + x[0].length));
  bins.forEach((b, i) => {
    const name = str(isRecord(b) ? b.name : undefined);
    const path = str(isRecord(b) ? b.path : undefined);
    if (path) claimed.add(joinPath(m.dir, path) ?? path);
    if (name) add(name, citeLine(m, nameLines[i] ?? null));
  });
  if (field(m.doc, 'package', 'autobins') === false) return out;
  const main = inApp(m.dir, 'src/main.rs');
  if (pkgName && ctx.repo.has(main) && !claimed.has(main)) add(pkgName, { file: main, line: null });
  const binDir = inApp(m.dir, 'src/bin/');
  for (const f of ctx.repo.under(inApp(m.dir, 'src/bin'))) {
    if (claimed.has(f.path)) continue;
    const rel = f.path.slice(binDir.length);
    const x = /^([^/]+)\.rs$/.exec(rel) ?? /^([^/]+)\/main\.rs$/.exec(rel);
    if (x?.[1]) add(x[1], { file: f.path, line: null });
  }
  return out;
}

async function readSources(ctx: DetectContext, dirs: string[]): Promise<RustSource[]> {
  const files = dirs.flatMap((d) => crateFiles(ctx, d)).slice(0, MAX_SOURCE_FILES);
  const texts = await Promise.all(files.map((f) => ctx.repo.read(f)));
  const pre: (RustSource & { testMods: string[] })[] = [];
  files.forEach((f, i) => {
    const t = texts[i];
    if (typeof t !== 'string') return;
    const { code, testMods } = blankTests(blankComments(t));
    pre.push({ path: f, text: t, code, bare: blankTests(blankComments(t, true)).code, testMods });
  });
  // `#[cfg(test)] mod tests;` puts tests.rs (or tests/mod.rs) next to the declaring file out of the build.
  const testFiles = new Set<string>();
  for (const p of pre) {
    const base = p.path.slice(0, p.path.lastIndexOf('/') + 1);
    const stem = p.path.slice(base.length).replace(/\.rs$/, '');
    const modDir = /^(?:main|lib|mod)$/.test(stem) ? base : `${base}${stem}/`;
    for (const t of p.testMods) { testFiles.add(`${modDir}${t}.rs`); testFiles.add(`${modDir}${t}/mod.rs`); }
  }
  return pre.filter((p) => !testFiles.has(p.path)).map(({ path, text, code, bare }) => ({ path, text, code, bare }));
}

const CACHE = new WeakMap<object, Map<string, Promise<RustApp | null>>>();

/** The app's manifest, workspace, bins, dependencies (its own and its local crates') and sources, read once per repo index and app dir. */
export function rustApp(ctx: DetectContext): Promise<RustApp | null> {
  let per = CACHE.get(ctx.repo);
  if (!per) { per = new Map(); CACHE.set(ctx.repo, per); }
  const hit = per.get(ctx.appDir);
  if (hit) return hit;
  const p = (async (): Promise<RustApp | null> => {
    if (!isRustApp(ctx)) return null;
    const manifest = await readManifest(ctx, inApp(ctx.appDir, 'Cargo.toml'));
    if (!manifest) return null;
    const workspace = await findWorkspace(ctx, ctx.appDir, manifest);
    const packageName = str(field(manifest.doc, 'package', 'name')) ?? null;
    const bins = packageName || manifest.doc?.bin ? binTargets(ctx, manifest, packageName) : [];
    const dr = str(field(manifest.doc, 'package', 'default-run'));
    const defaultRun = dr ? { name: dr, evidence: citeLine(manifest, manifest.lineOf('package', 'default-run')) } : null;
    // The app's normal dependencies, then those of the local crates it pulls in by path (transitively, capped).
    const deps: CargoDep[] = [];
    const localCrates: string[] = [];
    const queue: CargoManifest[] = [manifest];
    const visited = new Set<string>([manifest.dir]);
    while (queue.length > 0 && visited.size <= 20) {
      const m = queue.shift() as CargoManifest;
      for (const raw of m.deps) {
        if (raw.kind !== 'normal') continue;
        const d = inherit(raw, workspace);
        deps.push(d);
        const dir = d.localDir;
        if (dir === null || visited.has(dir)) continue;
        visited.add(dir);
        const sub = await readManifest(ctx, inApp(dir, 'Cargo.toml'));
        if (sub) { localCrates.push(dir); queue.push(sub); }
      }
    }
    const sources = packageName ? await readSources(ctx, [ctx.appDir, ...localCrates]) : [];
    return { manifest, workspace, packageName, bins, defaultRun, deps, localCrates, sources };
  })();
  per.set(ctx.appDir, p);
  return p;
}

/** The first normal dependency on one of `crates`. */
export function findDep(app: RustApp, ...crates: string[]): CargoDep | undefined {
  return app.deps.find((d) => crates.includes(d.crate));
}

/** Existing paths for `rel` in the app dir, then the workspace root, then the repo root. */
export function upward(ctx: DetectContext, app: RustApp, rel: string): string[] {
  const dirs = [ctx.appDir, app.workspace?.dir ?? ctx.appDir, ''];
  return [...new Set(dirs.map((d) => inApp(d, rel)))].filter((p) => ctx.repo.has(p));
}

const RS_STRING = /b?r(#*)"[\s\S]*?"\1|b?"(?:\\.|[^"\\])*"/g;

/**
 * Makes a Rust line safe to print: credentials in URLs are masked, and on a line that mentions a secret-looking
 * name (or any line, with `all`) every string literal except the names in `keep` becomes "***".
 */
export function scrubRust(line: string, keep: readonly string[] = [], all = false): string {
  let out = line.replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^\s"@/]*@/gi, '$1***@');
  const words = out.match(/[A-Za-z_][A-Za-z0-9_]*/g) ?? [];
  if (all || words.some((w) => looksSecret(w))) {
    out = out.replace(RS_STRING, (lit) => {
      const body = /"([\s\S]*)"/.exec(lit)?.[1] ?? '';
      return keep.includes(body) ? lit : '"***"';
    });
  }
  return out;
}

/** Evidence for offset `index` of a Rust file, line text scrubbed before truncation. */
export function citeRust(file: string, text: string, index: number, keep: readonly string[] = [], all = false): Evidence {
  const start = text.lastIndexOf('\n', index - 1) + 1;
  const endRaw = text.indexOf('\n', index);
  const t = scrubRust(text.slice(start, endRaw < 0 ? text.length : endRaw).trim(), keep, all);
  return { file, line: lineAt(text, index), text: t.length > 160 ? `${t.slice(0, 157)}...` : t };
}

export function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
