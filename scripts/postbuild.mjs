// Copies non-TypeScript assets (the probe shell script) into dist and marks the CLI executable.
import { chmodSync, copyFileSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

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
chmodSync('dist/cli.js', 0o755);
