// The repository index: walks a checkout once (respecting .gitignore, skipping dependency and build
// folders, never following symlinked directories), then serves capped, cached reads. Never executes anything.
import { lstat, open, readdir, readFile, realpath } from 'node:fs/promises';
import { basename, join } from 'node:path';
import ignore, { type Ignore } from 'ignore';
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

export interface WalkOptions {
  /** Stop listing after this many files (a problem is recorded). */
  maxFiles?: number;
}

class DiskRepo implements RepoIndex {
  readonly files: RepoFile[] = [];
  readonly problems: { path: string; message: string }[] = [];
  private readonly set = new Set<string>();
  private readonly cache = new Map<string, Promise<string | null>>();

  constructor(readonly root: string) {}

  add(f: RepoFile): void { this.files.push(f); this.set.add(f.path); }
  has(path: string): boolean { return this.set.has(path); }

  byName(name: string | RegExp): RepoFile[] {
    return this.files.filter((f) => { const b = basename(f.path); return typeof name === 'string' ? b === name : name.test(b); });
  }

  under(dir: string): RepoFile[] {
    if (dir === '') return this.files;
    const prefix = `${dir}/`;
    return this.files.filter((f) => f.path.startsWith(prefix));
  }

  read(path: string, maxBytes?: number): Promise<string | null> {
    const cap = maxBytes ?? (MANIFEST_RE.test(path) ? MANIFEST_MAX : SOURCE_MAX);
    const key = `${cap}:${path}`;
    let p = this.cache.get(key);
    if (!p) { p = this.readCapped(path, cap); this.cache.set(key, p); }
    return p;
  }

  private async readCapped(path: string, cap: number): Promise<string | null> {
    if (!this.set.has(path)) return null;
    let fh;
    try {
      fh = await open(join(this.root, path), 'r');
      const buf = Buffer.alloc(cap);
      const { bytesRead } = await fh.read(buf, 0, cap, 0);
      const data = buf.subarray(0, bytesRead);
      // A NUL byte in the first 8 KiB: binary, not text.
      if (data.subarray(0, 8192).includes(0)) return null;
      return data.toString('utf8');
    } catch (e) {
      this.problems.push({ path, message: `unreadable: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` });
      return null;
    } finally {
      await fh?.close();
    }
  }
}

async function gitignoreAt(root: string, dir: string): Promise<Ignore | null> {
  try {
    const text = await readFile(join(root, dir, '.gitignore'), 'utf8');
    return ignore().add(text);
  } catch {
    return null;
  }
}

/** Walks `root` and returns its index. Throws only when root itself is missing or not a directory. */
export async function buildRepoIndex(root: string, opts: WalkOptions = {}): Promise<RepoIndex> {
  const repo = new DiskRepo(await realpath(root));
  const maxFiles = opts.maxFiles ?? MAX_FILES;
  // Each level's .gitignore applies to paths relative to its own directory.
  const walk = async (dir: string, rules: { base: string; ig: Ignore }[]): Promise<void> => {
    if (repo.files.length >= maxFiles) return;
    const own = await gitignoreAt(repo.root, dir);
    const active = own ? [...rules, { base: dir, ig: own }] : rules;
    let entries;
    try {
      entries = await readdir(join(repo.root, dir), { withFileTypes: true });
    } catch (e) {
      repo.problems.push({ path: dir || '.', message: `unreadable directory: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` });
      return;
    }
    const subdirs: string[] = [];
    for (const ent of entries) {
      const rel = dir === '' ? ent.name : `${dir}/${ent.name}`;
      const isDir = ent.isDirectory();
      if (isDir && SKIP_DIRS.has(ent.name)) continue;
      if (active.some((r) => r.ig.ignores(`${r.base === '' ? rel : rel.slice(r.base.length + 1)}${isDir ? '/' : ''}`))) continue;
      if (isDir) { subdirs.push(rel); continue; }
      if (ent.isSymbolicLink()) {
        // Symlinked files are read through; symlinked directories are not followed (no loops, no escapes).
        try {
          const st = await lstat(join(repo.root, rel)).then(async () => (await import('node:fs/promises')).stat(join(repo.root, rel)));
          if (st.isFile()) repo.add({ path: rel, size: st.size });
        } catch {
          repo.problems.push({ path: rel, message: 'dangling symlink' });
        }
        continue;
      }
      if (!ent.isFile()) continue;
      if (repo.files.length >= maxFiles) { repo.problems.push({ path: rel, message: `file limit ${maxFiles} reached; the rest is not indexed` }); return; }
      repo.add({ path: rel, size: -1 });
    }
    for (const d of subdirs) await walk(d, active);
  };
  await walk('', []);
  return repo;
}
