// Tests for the repository index: gitignore semantics, skipped folders, symlinks, binary and huge files, bad roots.
import assert from 'node:assert/strict';
import fs, { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it, mock } from 'node:test';
import ignore from 'ignore';
import { DeckhandError } from '../../src/core/errors.js';
import { buildRepoIndex, compileGitignore, SKIP_DIRS } from '../../src/stages/discover/repo.js';

const temps: string[] = [];
after(() => { for (const t of temps) rmSync(t, { recursive: true, force: true }); });

/** A temp repo from a path → content map. */
function makeRepo(files: Record<string, string | Buffer>): string {
  const root = mkdtempSync(join(tmpdir(), 'deckhand-repo-'));
  temps.push(root);
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, p)), { recursive: true });
    writeFileSync(join(root, p), text);
  }
  return root;
}
const paths = async (root: string): Promise<string[]> => (await buildRepoIndex(root)).files.map((f) => f.path).sort();

describe('buildRepoIndex: ignore rules', () => {
  it('applies nested .gitignore files, negation, directory-only and anchored patterns', async () => {
    const root = makeRepo({
      '.gitignore': '*.log\n!keep.log\nlogs/\n/secret.txt\n# comment\n',
      'a.log': '', 'keep.log': '', 'secret.txt': '', 'src/secret.txt': '', 'src/app.js': '',
      'logs/x.txt': '', 'src/logs': 'a file named logs is not a directory',
      'pkg/.gitignore': 'gen/\n!important.log\n/local.js\n',
      'pkg/gen/a.js': '', 'pkg/important.log': '', 'pkg/other.log': '', 'pkg/local.js': '', 'pkg/sub/local.js': '',
    });
    assert.deepEqual(await paths(root), [
      '.gitignore', 'keep.log', 'pkg/.gitignore', 'pkg/important.log', 'pkg/sub/local.js', 'src/app.js', 'src/logs', 'src/secret.txt',
    ]);
  });

  it('uses .git/info/exclude and never lists .git', async () => {
    const root = makeRepo({ '.git/info/exclude': 'private.md\n', '.git/HEAD': 'ref', 'private.md': '', 'README.md': '' });
    assert.deepEqual(await paths(root), ['README.md']);
  });

  it('skips dependency and build folders (SKIP_DIRS) but not files with those names', async () => {
    const root = makeRepo({ 'node_modules/x/index.js': '', 'dist/app.js': '', '.venv/lib/a.py': '', 'src/index.js': '', 'build': 'a file' });
    assert.ok(SKIP_DIRS.has('node_modules') && SKIP_DIRS.has('.venv'));
    assert.deepEqual(await paths(root), ['build', 'src/index.js']);
  });

  it('compiles gitignore patterns like the `ignore` package decides them', () => {
    const patterns = ['*.log', '!keep.log', 'build/', '/root.txt', 'a/**/b', '**/cache', 'doc/*.txt', 'x?y', '[abc].md', 'foo/**', '\\#hash', 'sp\\ ace'];
    const probes = ['a.log', 'keep.log', 'dir/a.log', 'root.txt', 'sub/root.txt', 'a/b', 'a/x/y/b', 'q/cache', 'cache', 'doc/n.txt', 'doc/s/n.txt',
      'xzy', 'x/y', 'b.md', 'd.md', 'foo/bar', 'foo', '#hash', 'sp ace'];
    const ours = compileGitignore(patterns.join('\n'));
    const ref = ignore().add(patterns);
    for (const p of probes) {
      const name = p.slice(p.lastIndexOf('/') + 1);
      let verdict = false;
      for (let j = ours.length - 1; j >= 0; j--) { const r = ours[j]!; if (!r.dirOnly && r.re.test(r.base ? name : p)) { verdict = !r.neg; break; } }
      // `ignore` also ignores files under an ignored parent; the walk gets that by not descending, so compare leaf rules only.
      const parentIgnored = p.includes('/') && p.split('/').slice(0, -1).some((_, i, a) => ref.ignores(`${a.slice(0, i + 1).join('/')}/`));
      if (!parentIgnored) assert.equal(verdict, ref.ignores(p), `pattern verdict for ${p}`);
    }
  });
});

describe('buildRepoIndex: symlinks', () => {
  it('does not follow a symlinked directory that points to a parent (no hang), and reports it', async () => {
    const root = makeRepo({ 'src/a.js': '' });
    symlinkSync('..', join(root, 'src', 'loop'));
    symlinkSync(root, join(root, 'self'));
    const repo = await buildRepoIndex(root);
    assert.deepEqual(repo.files.map((f) => f.path), ['src/a.js']);
    assert.ok(repo.problems.some((p) => p.path === 'src/loop' && /loop/.test(p.message)));
    assert.ok(repo.problems.some((p) => p.path === 'self' && /loop/.test(p.message)));
  });

  it('does not index or read a symlink that resolves outside the root; follows one that stays inside', async () => {
    const outside = makeRepo({ 'secret.env': 'TOKEN=abc' });
    const root = makeRepo({ 'real.txt': 'inside' });
    symlinkSync(join(outside, 'secret.env'), join(root, 'leak.env'));
    symlinkSync('real.txt', join(root, 'alias.txt'));
    symlinkSync('missing.txt', join(root, 'dangling.txt'));
    const repo = await buildRepoIndex(root);
    assert.deepEqual(repo.files.map((f) => f.path), ['alias.txt', 'real.txt']);
    assert.equal(await repo.read('leak.env'), null);
    assert.equal(await repo.read('alias.txt'), 'inside');
    assert.ok(repo.problems.some((p) => p.path === 'leak.env' && /outside the repository/.test(p.message)));
    assert.ok(repo.problems.some((p) => p.path === 'dangling.txt' && /dangling/.test(p.message)));
  });

  it('a link retargeted outside the root after the walk is not read', async () => {
    const outside = makeRepo({ 'secret.env': 'TOKEN=abc' });
    const root = makeRepo({ 'real.txt': 'inside' });
    symlinkSync('real.txt', join(root, 'alias.txt'));
    const repo = await buildRepoIndex(root);
    rmSync(join(root, 'alias.txt'));
    symlinkSync(join(outside, 'secret.env'), join(root, 'alias.txt'));
    assert.equal(await repo.read('alias.txt'), null);
  });
});

describe('buildRepoIndex: reads', () => {
  it('binary → null; text → text; unknown path → null', async () => {
    const root = makeRepo({ 'logo.png': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0x0d]), 'a.txt': 'héllo' });
    const repo = await buildRepoIndex(root);
    assert.equal(await repo.read('logo.png'), null);
    assert.equal(await repo.read('a.txt'), 'héllo');
    assert.equal(await repo.read('nope.txt'), null);
    assert.equal(await repo.read('../etc/passwd'), null);
  });

  it('caps a 3 MiB source file at 256 KiB by default, at maxBytes when given; manifests get 2 MiB', async () => {
    const big = 'x'.repeat(3 * 1024 * 1024);
    const root = makeRepo({ 'src/huge.js': big, 'package.json': `{"a":"${'y'.repeat(2.5 * 1024 * 1024)}"}` });
    const repo = await buildRepoIndex(root);
    assert.equal((await repo.read('src/huge.js'))?.length, 256 * 1024);
    assert.equal((await repo.read('src/huge.js', 1000))?.length, 1000);
    assert.equal((await repo.read('package.json'))?.length, 2 * 1024 * 1024);
  });

  it('an unreadable file becomes a problem, not a throw', async () => {
    const root = makeRepo({ 'a.txt': 'x' });
    const repo = await buildRepoIndex(root);
    rmSync(join(root, 'a.txt'));
    assert.equal(await repo.read('a.txt'), null);
    assert.ok(repo.problems.some((p) => p.path === 'a.txt' && /unreadable/.test(p.message)));
  });

  it('thousands of concurrent reads do not exhaust file descriptors', async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 3000; i++) files[`f/${i}.txt`] = String(i);
    const repo = await buildRepoIndex(makeRepo(files));
    const texts = await Promise.all(repo.files.map((f) => repo.read(f.path)));
    assert.equal(texts.filter((t) => t !== null).length, 3000);
    assert.equal(repo.problems.length, 0);
  });
});

describe('buildRepoIndex: lookups', () => {
  it('under(), byName() and has() agree with the file list', async () => {
    const root = makeRepo({ 'apps/api/package.json': '{}', 'apps/api/src/x.js': '', 'apps/api-2/package.json': '{}', 'package.json': '{}', '.github/ci.yml': '' });
    const repo = await buildRepoIndex(root);
    assert.deepEqual(repo.under('apps/api').map((f) => f.path), ['apps/api/package.json', 'apps/api/src/x.js']);
    assert.deepEqual(repo.under('apps/api/').map((f) => f.path), ['apps/api/package.json', 'apps/api/src/x.js']);
    assert.deepEqual(repo.under('./apps/api').map((f) => f.path), ['apps/api/package.json', 'apps/api/src/x.js']);
    assert.deepEqual(repo.under('nope'), []);
    assert.equal(repo.under('').length, 5);
    assert.deepEqual(repo.under('.github').map((f) => f.path), ['.github/ci.yml']);
    assert.deepEqual(repo.byName('package.json').map((f) => f.path).sort(), ['apps/api-2/package.json', 'apps/api/package.json', 'package.json']);
    assert.equal(repo.byName(/\.js$/g).length, 1);
    assert.equal(repo.byName(/\.js$/g).length, 1); // a /g RegExp gives the same answer twice
    assert.ok(repo.has('apps/api/src/x.js') && !repo.has('apps/api'));
  });

  it('maxFiles stops the listing and says so', async () => {
    const repo = await buildRepoIndex(makeRepo({ a: '', b: '', c: '' }), { maxFiles: 2 });
    assert.equal(repo.files.length, 2);
    assert.ok(repo.problems.some((p) => /file limit 2/.test(p.message)));
  });
});

describe('buildRepoIndex: bad input', () => {
  it('empty directory → empty index', async () => {
    const repo = await buildRepoIndex(makeRepo({}));
    assert.deepEqual(repo.files, []);
    assert.deepEqual(repo.problems, []);
  });

  it('nonexistent path → usage DeckhandError saying how to fix it', async () => {
    await assert.rejects(buildRepoIndex('/definitely/not/here'), (e: unknown) =>
      e instanceof DeckhandError && e.kind === 'usage' && /does not exist: \/definitely\/not\/here/.test(e.message) && /pass the folder/.test(e.hint ?? ''));
  });

  it('a file instead of a directory → usage DeckhandError', async () => {
    const root = makeRepo({ 'package.json': '{}' });
    await assert.rejects(buildRepoIndex(join(root, 'package.json')), (e: unknown) =>
      e instanceof DeckhandError && e.kind === 'usage' && /not a directory/.test(e.message) && /not a file inside it/.test(e.hint ?? ''));
  });

  it('an unreadable directory is a problem, not a throw (readdir failure mocked: root can read anything)', async () => {
    const root = makeRepo({ 'ok/a.js': '', 'locked/b.js': '' });
    const real = fs.readdir;
    const m = mock.method(fs, 'readdir', ((path: string, opts: unknown, cb: (e: Error | null, d?: unknown) => void) => {
      if (String(path).endsWith('/locked')) { cb(Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' })); return; }
      (real as (...a: unknown[]) => void)(path, opts, cb);
    }) as typeof fs.readdir);
    try {
      const repo = await buildRepoIndex(root);
      assert.deepEqual(repo.files.map((f) => f.path), ['ok/a.js']);
      assert.deepEqual(repo.problems, [{ path: 'locked', message: 'unreadable directory: EACCES' }]);
    } finally {
      m.mock.restore();
    }
  });

  it('chmod 000 directory and file → problems (skipped as root, which can read them anyway)', { skip: process.getuid?.() === 0 }, async () => {
    const root = makeRepo({ 'locked/b.js': '', 'f.txt': 'x' });
    fs.chmodSync(join(root, 'locked'), 0);
    fs.chmodSync(join(root, 'f.txt'), 0);
    try {
      const repo = await buildRepoIndex(root);
      assert.ok(repo.problems.some((p) => p.path === 'locked'));
      assert.equal(await repo.read('f.txt'), null);
      assert.ok(repo.problems.some((p) => p.path === 'f.txt'));
    } finally {
      fs.chmodSync(join(root, 'locked'), 0o755);
    }
  });

  it('a FIFO in the tree is skipped, never opened (no hang)', async () => {
    const root = makeRepo({ 'a.js': '' });
    const { spawnSync } = await import('node:child_process');
    if (spawnSync('mkfifo', [join(root, 'pipe')]).status !== 0) return;
    const repo = await buildRepoIndex(root);
    assert.deepEqual(repo.files.map((f) => f.path), ['a.js']);
  });
});
