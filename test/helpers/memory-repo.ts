// An in-memory RepoIndex for detector unit tests: files given as a path → text map.
import { basename } from 'node:path';
import type { RepoFile, RepoIndex } from '../../src/stages/discover/types.js';

export function memoryRepo(files: Record<string, string>): RepoIndex {
  const list: RepoFile[] = Object.entries(files).map(([path, text]) => ({ path, size: Buffer.byteLength(text) }));
  return {
    root: '/memory',
    files: list,
    problems: [],
    has: (p) => p in files,
    byName: (name) => list.filter((f) => (typeof name === 'string' ? basename(f.path) === name : name.test(basename(f.path)))),
    under: (dir) => (dir === '' ? list : list.filter((f) => f.path.startsWith(`${dir}/`))),
    read: async (p, max) => {
      const t = files[p];
      if (t === undefined) return null;
      return max === undefined ? t : t.slice(0, max);
    },
  };
}
