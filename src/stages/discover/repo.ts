// The repository index: walks a checkout once (respecting .gitignore, skipping dependency and build
// folders, never following symlinked directories), then serves capped, cached reads. Never executes anything.
import fs from 'node:fs';
import { join, sep } from 'node:path';
import { DeckhandError } from '../../core/errors.js';
import type { RepoFile, RepoIndex } from './types.js';

/** Folders that are never the app's own source. */
export const SKIP_DIRS = new Set([
  '.git', '.hg', '.svn', 'node_modules', 'vendor', 'bower_components', '.venv', 'venv', '__pycache__', '.tox', '.mypy_cache',
  '.pytest_cache', 'dist', 'build', 'out', 'target', '.next', '.nuxt', '.svelte-kit', '.turbo', '.cache', 'coverage', '.gradle',
  '.idea', '.vscode', '.terraform', '.output', '.parcel-cache', 'tmp',
]);

const MANIFEST_RE = /(^|\/)(package\.json|pyproject\.toml|requirements[^/]*\.txt|Pipfile|go\.mod|pom\.xml|build\.gradle(\.kts)?|Cargo\.toml|Gemfile|composer\.json|Dockerfile[^/]*|[^/]*compose[^/]*\.ya?ml|Procfile)$/;
const MANIFEST_MAX = 2 * 1024 * 1024;
const SOURCE_MAX = 256 * 1024;
const MAX_FILES = 500_000;
/** Concurrent readdirs: libuv's pool has 4 threads; a few more keep it busy while JS sorts and filters. */
const WALK_CONCURRENCY = 16;
/** Bytes of text the read cache keeps (manifests and sources each); older entries are evicted first. */
const CACHE_BUDGET = 24 * 1024 * 1024;
/** Bytes sniffed for a NUL to call a file binary (git's heuristic). */
const BINARY_SNIFF = 8192;
// O_NOFOLLOW: a file swapped for a symlink after the walk is not followed out of the repo;
// O_NONBLOCK: a FIFO put in place of a file cannot hang the open.
const OPEN_FLAGS = fs.constants.O_RDONLY | (fs.constants.O_NOFOLLOW ?? 0) | (fs.constants.O_NONBLOCK ?? 0);

export interface WalkOptions {
  /** Stop listing after this many files (a problem is recorded). */
  maxFiles?: number;
}

type Problem = { path: string; message: string };

/** A small LRU of read results, bounded by text length, so a big monorepo's reads cannot pile up in memory. */
class ReadCache {
  private readonly map = new Map<string, { p: Promise<string | null>; size: number }>();
  private total = 0;
  constructor(private readonly budget: number) {}

  get(key: string): Promise<string | null> | undefined {
    const e = this.map.get(key);
    if (!e) return undefined;
    this.map.delete(key); // re-insert: Map order is the recency order
    this.map.set(key, e);
    return e.p;
  }

  set(key: string, p: Promise<string | null>): void {
    const e = { p, size: 0 };
    this.map.set(key, e);
    void p.then((text) => {
      if (this.map.get(key) !== e) return; // evicted or replaced while in flight
      e.size = text?.length ?? 0;
      this.total += e.size;
      for (const [k, old] of this.map) {
        if (this.total <= this.budget || old === e) break;
        this.map.delete(k);
        this.total -= old.size;
      }
    });
  }
}

class DiskRepo implements RepoIndex {
  files: RepoFile[] = [];
  readonly problems: Problem[] = [];
  private set = new Set<string>();
  /** Base names parallel to `files`, built on the first byName(): most runs never need them all. */
  private namesCache: string[] | null = null;
  private byBase: Map<string, RepoFile[]> | null = null;
  /** dir → [start, end) in `files`: the walk lists each directory's subtree contiguously. */
  private ranges = new Map<string, [number, number]>();
  /** Symlinked files (path → absolute target inside the root), re-checked on every read. */
  private readonly links = new Map<string, string>();
  private readonly manifestCache = new ReadCache(CACHE_BUDGET);
  private readonly sourceCache = new ReadCache(CACHE_BUDGET);

  constructor(readonly root: string) {}

  /** Installs the walk's result (called once). */
  finish(files: RepoFile[], ranges: Map<string, [number, number]>, links: Map<string, string>): void {
    this.files = files;
    this.ranges = ranges;
    const set = new Set<string>();
    for (const f of files) set.add(f.path);
    this.set = set;
    for (const [k, v] of links) this.links.set(k, v);
  }

  has(path: string): boolean { return this.set.has(path); }

  private get names(): string[] {
    this.namesCache ??= this.files.map((f) => { const i = f.path.lastIndexOf('/'); return i < 0 ? f.path : f.path.slice(i + 1); });
    return this.namesCache;
  }

  byName(name: string | RegExp): RepoFile[] {
    if (typeof name === 'string') {
      // Built on first use: detectors ask for the same few names (package.json, Dockerfile …) many times.
      if (!this.byBase) {
        this.byBase = new Map();
        const names = this.names;
        this.files.forEach((f, i) => {
          const n = names[i] as string;
          const list = this.byBase!.get(n);
          if (list) list.push(f); else this.byBase!.set(n, [f]);
        });
      }
      return [...(this.byBase.get(name) ?? [])];
    }
    const out: RepoFile[] = [];
    const names = this.names;
    for (let i = 0; i < this.files.length; i++) {
      name.lastIndex = 0; // a /g or /y RegExp is stateful across test() calls
      if (name.test(names[i] as string)) out.push(this.files[i] as RepoFile);
    }
    return out;
  }

  under(dir: string): RepoFile[] {
    // './x' and 'x/' mean x; a dot folder such as '.github' keeps its dot.
    const d = dir.replace(/^(\.\/)+/, '').replace(/\/+$/, '');
    if (d === '' || d === '.') return this.files.slice();
    const r = this.ranges.get(d);
    return r ? this.files.slice(r[0], r[1]) : [];
  }

  read(path: string, maxBytes?: number): Promise<string | null> {
    const manifest = MANIFEST_RE.test(path);
    const cap = maxBytes ?? (manifest ? MANIFEST_MAX : SOURCE_MAX);
    const cache = manifest ? this.manifestCache : this.sourceCache;
    const key = `${cap}:${path}`;
    let p = cache.get(key);
    if (!p) {
      p = this.has(path) ? this.readCapped(path, cap) : Promise.resolve(null);
      cache.set(key, p);
    }
    return p;
  }

  private async readCapped(path: string, cap: number): Promise<string | null> {
    let abs = join(this.root, path);
    if (this.links.has(path)) {
      // The link may have been retargeted since the walk: resolve and check containment again.
      try {
        abs = await fs.promises.realpath(abs);
      } catch (e) {
        this.problems.push({ path, message: `unreadable symlink: ${errCode(e)}` });
        return null;
      }
      if (!inside(this.root, abs)) {
        this.problems.push({ path, message: 'symlink points outside the repository; not read' });
        return null;
      }
    }
    try {
      const text = readCappedSync(abs, cap);
      if (text === NOT_FILE) { this.problems.push({ path, message: 'not a regular file; not read' }); return null; }
      return text;
    } catch (e) {
      const code = errCode(e);
      this.problems.push({ path, message: code === 'ELOOP' ? 'became a symlink after the walk; not followed' : `unreadable: ${code}` });
      return null;
    }
  }
}

const NOT_FILE = Symbol('not a regular file');

/**
 * Reads at most `cap` bytes of a regular file; null when binary. Synchronous on purpose: on a 2-core machine a
 * small file costs ~8 µs this way against ~50 µs through libuv's thread pool (open, fstat, read, close are four
 * round trips), and detectors read thousands of files. Only one descriptor is ever open, so no EMFILE either.
 * O_NONBLOCK keeps a FIFO from blocking the open; the fstat check refuses anything but a regular file.
 */
function readCappedSync(abs: string, cap: number): string | null | typeof NOT_FILE {
  const fd = fs.openSync(abs, OPEN_FLAGS);
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) return NOT_FILE;
    // Sized from fstat, not the cap: a 300-byte package.json must not allocate 2 MiB.
    const want = Math.max(0, Math.min(cap, st.size));
    const buf = Buffer.allocUnsafe(want);
    let got = 0;
    while (got < want) {
      const n = fs.readSync(fd, buf, got, want - got, got);
      if (n === 0) break;
      got += n;
    }
    const data = buf.subarray(0, got);
    // A NUL byte in the first 8 KiB: binary, not text (git's heuristic).
    return data.subarray(0, BINARY_SNIFF).includes(0) ? null : data.toString('utf8');
  } finally {
    fs.closeSync(fd);
  }
}

function errCode(e: unknown): string {
  return (e as NodeJS.ErrnoException).code ?? (e as Error).message;
}

function inside(root: string, abs: string): boolean {
  return abs === root || abs.startsWith(root.endsWith(sep) ? root : root + sep);
}

/** One compiled .gitignore line. `base`: match the base name only (the pattern has no slash). */
interface Rule { neg: boolean; dirOnly: boolean; base: boolean; re: RegExp }
/** Gitignore rules of one directory; `base` is that directory relative to the root ('' = root). */
interface Rules { base: string; rules: Rule[] }

/** A gitignore glob (without !, trailing / or leading /) as a RegExp body, per gitignore(5). */
function globBody(p: string): string {
  let re = '';
  for (let i = 0; i < p.length; i++) {
    const c = p[i] as string;
    if (c === '\\' && i + 1 < p.length) { re += escapeRe(p[++i] as string); continue; }
    if (c === '*') {
      if (p[i + 1] === '*' && (i === 0 || p[i - 1] === '/')) {
        if (p[i + 2] === '/') { re += '(?:[^/]*/)*'; i += 2; continue; } // "**/": zero or more folders
        if (i + 2 === p.length) { re += '.*'; i += 1; continue; } // trailing "/**": everything inside
      }
      while (p[i + 1] === '*') i++; // any other run of stars is one star
      re += '[^/]*';
      continue;
    }
    if (c === '?') { re += '[^/]'; continue; }
    if (c === '[') {
      const end = p.indexOf(']', i + 2);
      if (end > 0) {
        let body = p.slice(i + 1, end);
        if (body.startsWith('!')) body = `^${body.slice(1)}`;
        re += `[${body.replace(/\\(?!.)/g, '\\\\').replace(/\//g, '')}]`;
        i = end;
        continue;
      }
    }
    re += escapeRe(c);
  }
  return re;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** Compiles a .gitignore file; lines that cannot be compiled are dropped (git ignores them too). */
export function compileGitignore(text: string): Rule[] {
  const out: Rule[] = [];
  for (let line of text.split(/\r?\n/)) {
    if (line === '' || line.startsWith('#')) continue;
    line = line.replace(/(?<!\\)\s+$/, ''); // trailing blanks, unless escaped
    if (line === '') continue;
    let neg = false;
    if (line.startsWith('!')) { neg = true; line = line.slice(1); } else if (line.startsWith('\\!') || line.startsWith('\\#')) line = line.slice(1);
    let dirOnly = false;
    if (line.endsWith('/')) { dirOnly = true; line = line.replace(/\/+$/, ''); }
    if (line === '') continue;
    const anchored = line.includes('/');
    if (line.startsWith('/')) line = line.slice(1);
    try {
      out.push({ neg, dirOnly, base: !anchored, re: new RegExp(`^${globBody(line)}$`) });
    } catch {
      // An odd character class git would also reject: skip the line rather than fail the walk.
    }
  }
  return out;
}

/** Whether the rule sets (deepest first: git's precedence) ignore `rel`; within a file the last matching line wins. */
function ignoredBy(sets: readonly Rules[], rel: string, name: string, isDir: boolean): boolean {
  for (let i = sets.length - 1; i >= 0; i--) {
    const s = sets[i] as Rules;
    const local = s.base === '' ? rel : rel.slice(s.base.length + 1);
    for (let j = s.rules.length - 1; j >= 0; j--) {
      const r = s.rules[j] as Rule;
      if (r.dirOnly && !isDir) continue;
      if (r.re.test(r.base ? name : local)) return !r.neg; // a deeper `!pattern` re-includes what a shallower file excluded
    }
  }
  return false;
}

/** One listed directory; `items` keeps the name order so the flattened file list is deterministic. */
interface DirNode { rel: string; items: (RepoFile | DirNode | null)[] }

function usage(message: string, hint: string): DeckhandError {
  return new DeckhandError('usage', message, { hint });
}

/** Resolves and checks the root, turning the usual mistakes into usage errors that say how to fix them. */
async function resolveRoot(root: string): Promise<string> {
  let real: string;
  try {
    real = await fs.promises.realpath(root);
  } catch (e) {
    const code = errCode(e);
    if (code === 'ENOENT') throw usage(`repository path does not exist: ${root}`, 'pass the folder of a checkout, e.g. `deckhand discover ./my-app`');
    if (code === 'ELOOP') throw usage(`repository path is a symlink loop: ${root}`, 'pass the real folder of the checkout');
    if (code === 'ENOTDIR') throw usage(`repository path is not a directory: ${root}`, 'pass the folder that contains the app, not a file inside it');
    throw usage(`cannot open repository path ${root}: ${code}`, 'check the path and its permissions');
  }
  let st: fs.Stats;
  try {
    st = await fs.promises.stat(real);
  } catch (e) {
    throw usage(`cannot open repository path ${root}: ${errCode(e)}`, 'check the path and its permissions');
  }
  if (!st.isDirectory()) {
    throw usage(`repository path is a file, not a directory: ${root}`, 'pass the folder that contains the app (its checkout root), not a file inside it');
  }
  return real;
}

/** Walks `root` and returns its index. Throws a usage DeckhandError only when root is missing or not a directory. */
export async function buildRepoIndex(root: string, opts: WalkOptions = {}): Promise<RepoIndex> {
  const repo = new DiskRepo(await resolveRoot(root));
  const maxFiles = opts.maxFiles ?? MAX_FILES;
  const problems = repo.problems;
  const links = new Map<string, string>();
  let count = 0;
  let limitHit = false;

  const rootRules: Rules[] = [];
  // .git/info/exclude is the repo's private ignore file: same semantics as the root .gitignore, lower precedence.
  const exclude = await fs.promises.readFile(join(repo.root, '.git', 'info', 'exclude'), 'utf8').catch(() => null);
  if (exclude !== null) { const rules = compileGitignore(exclude); if (rules.length > 0) rootRules.push({ base: '', rules }); }

  const top: DirNode = { rel: '', items: [] };

  await new Promise<void>((resolveWalk) => {
    const queue: { node: DirNode; rules: Rules[] }[] = [{ node: top, rules: rootRules }];
    let running = 0;

    const pump = (): void => {
      while (running < WALK_CONCURRENCY && queue.length > 0) {
        const job = queue.pop() as { node: DirNode; rules: Rules[] };
        running++;
        void listDir(job.node, job.rules).finally(() => { running--; pump(); });
      }
      if (running === 0 && queue.length === 0) resolveWalk();
    };

    const listDir = async (node: DirNode, inherited: Rules[]): Promise<void> => {
      const dir = node.rel;
      let entries: fs.Dirent[];
      try {
        entries = await new Promise((res, rej) => fs.readdir(join(repo.root, dir), { withFileTypes: true }, (e, d) => (e ? rej(e) : res(d))));
      } catch (e) {
        problems.push({ path: dir || '.', message: `unreadable directory: ${errCode(e)}` });
        return;
      }
      let rules = inherited;
      // Only read a .gitignore that the listing shows: no failed open per directory.
      if (entries.some((e) => e.name === '.gitignore' && e.isFile())) {
        try {
          const text = await fs.promises.readFile(join(repo.root, dir, '.gitignore'), 'utf8');
          const compiled = compileGitignore(text);
          if (compiled.length > 0) rules = [...inherited, { base: dir, rules: compiled }];
        } catch (e) {
          problems.push({ path: dir === '' ? '.gitignore' : `${dir}/.gitignore`, message: `unreadable: ${errCode(e)}` });
        }
      }
      entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      const pendingLinks: Promise<void>[] = [];
      for (const ent of entries) {
        const name = ent.name;
        const rel = dir === '' ? name : `${dir}/${name}`;
        // Cheap checks first: the skip set needs no string building or rule matching.
        if (ent.isDirectory()) {
          if (SKIP_DIRS.has(name)) continue;
          if (rules.length > 0 && ignoredBy(rules, rel, name, true)) continue;
          const child: DirNode = { rel, items: [] };
          node.items.push(child);
          queue.push({ node: child, rules });
          continue;
        }
        if (ent.isFile()) {
          if (rules.length > 0 && ignoredBy(rules, rel, name, false)) continue;
          if (count >= maxFiles) { limitHit = true; continue; }
          count++;
          node.items.push({ path: rel, size: -1 });
          continue;
        }
        if (ent.isSymbolicLink()) {
          if (rules.length > 0 && ignoredBy(rules, rel, name, false)) continue;
          const slot = node.items.length;
          node.items.push(null);
          pendingLinks.push(checkLink(rel).then((f) => { node.items[slot] = f; }));
        }
        // Sockets, FIFOs and devices are never source: skipped silently.
      }
      await Promise.all(pendingLinks);
    };

    /** A symlink becomes a file entry only when it resolves to a regular file inside the root. */
    const checkLink = async (rel: string): Promise<RepoFile | null> => {
      const abs = join(repo.root, rel);
      let target: string;
      try {
        target = await fs.promises.realpath(abs);
      } catch (e) {
        const code = errCode(e);
        problems.push({ path: rel, message: code === 'ELOOP' ? 'symlink loop; not followed' : `dangling symlink (${code})` });
        return null;
      }
      if (!inside(repo.root, target)) {
        problems.push({ path: rel, message: `symlink points outside the repository (${target}); not read` });
        return null;
      }
      let st: fs.Stats;
      try {
        st = await fs.promises.stat(target);
      } catch (e) {
        problems.push({ path: rel, message: `unreadable symlink target: ${errCode(e)}` });
        return null;
      }
      if (st.isDirectory()) {
        const relTarget = target.slice(repo.root.length + 1);
        const loop = relTarget === '' || rel === relTarget || rel.startsWith(`${relTarget}/`);
        problems.push({ path: rel, message: loop ? 'symlink loop (points to a parent folder); not followed' : 'symlinked directory; not followed' });
        return null;
      }
      if (!st.isFile()) return null;
      if (count >= maxFiles) { limitHit = true; return null; }
      count++;
      links.set(rel, target);
      return { path: rel, size: st.size };
    };

    pump();
  });

  if (limitHit) problems.push({ path: '.', message: `file limit ${maxFiles} reached; the rest is not indexed` });

  // Flatten depth-first in name order: deterministic, and each directory's subtree is one contiguous range.
  const files: RepoFile[] = [];
  const ranges = new Map<string, [number, number]>();
  const flatten = (node: DirNode): void => {
    const start = files.length;
    for (const it of node.items) {
      if (it === null) continue;
      if ('items' in it) flatten(it); else files.push(it);
    }
    if (node.rel !== '' && files.length > start) ranges.set(node.rel, [start, files.length]);
  };
  flatten(top);
  repo.finish(files, ranges, links);
  return repo;
}
