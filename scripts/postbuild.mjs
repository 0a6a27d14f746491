// After tsc: copies the probe shell script and the skill files into dist, and bundles the CLI into one file (dist/cli.js).
// One file loads ~50 ms faster than a tree of modules; zod and semver stay external and are loaded only when used.
import { chmodSync, copyFileSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { build } from 'esbuild';

function walk(dir) {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}
for (const file of walk('src').filter((f) => f.endsWith('.sh'))) {
  const dest = join('dist', relative('src', file));
  mkdirSync(dirname(dest), { recursive: true });
  copyFileSync(file, dest);
}
// The SKILL.md files `deckhand skills install` writes for coding agents, read from the package at run time.
rmSync('dist/skills', { recursive: true, force: true });
for (const file of walk('src/skills').filter((f) => f.endsWith('.md'))) {
  const dest = join('dist', relative('src', file));
  mkdirSync(dirname(dest), { recursive: true });
  copyFileSync(file, dest);
}
rmSync('dist/chunks', { recursive: true, force: true });
await build({
  entryPoints: ['src/cli.ts'],
  outdir: 'dist',
  // Code behind dynamic imports (zod schemas, brief reading) lands in chunks loaded only when used.
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // Database clients (verify's handshakes) are loaded only inside that check: kept out of the bundle.
  external: ['zod', 'semver', 'pg', 'mysql2', 'ioredis', 'mongodb', 'amqplib', 'pm2'],
  sourcemap: true,
  logLevel: 'warning',
  banner: { js: "import { createRequire as __deckhandRequire } from 'node:module'; const require = __deckhandRequire(import.meta.url);" },
});
copyFileSync('src/stages/readiness/probe.sh', 'dist/probe.sh');
mkdirSync('dist/chunks', { recursive: true });
copyFileSync('src/stages/readiness/probe.sh', 'dist/chunks/probe.sh');
chmodSync('dist/cli.js', 0o755);
