// Build: copy src/ to dist/ and write dist/version.json. No dependencies, no network.
import { cp, readFile, rm, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('.', import.meta.url));
const src = `${root}src`;
const dist = `${root}dist`;

const pkg = JSON.parse(await readFile(`${root}package.json`, 'utf8'));
const version = process.env.APP_VERSION || pkg.version;

await rm(dist, { recursive: true, force: true });
await cp(src, dist, { recursive: true });
await writeFile(
  `${dist}/version.json`,
  `${JSON.stringify({ version, builtAt: new Date().toISOString() }, null, 2)}\n`,
);
console.log(`built dist/ (version ${version})`);
