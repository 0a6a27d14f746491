// Benchmark for `deckhand discover`: times the repo walk, app finding and (when present) full discovery on a generated 100k-file monorepo and a small service.
// Run: node --import tsx bench/discover.ts [--files N] [--runs N]. Prints a table; asserts nothing.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildRepoIndex } from '../src/stages/discover/repo.js';
import { findApps } from '../src/stages/discover/apps.js';
import type { RepoIndex } from '../src/stages/discover/types.js';

const argv = process.argv.slice(2);
const arg = (name: string, def: number): number => {
  const i = argv.indexOf(name);
  const v = i >= 0 ? Number(argv[i + 1]) : NaN;
  return Number.isFinite(v) && v > 0 ? v : def;
};
const TOTAL_FILES = arg('--files', 100_000);
const RUNS = arg('--runs', 5);
const SMALL_RUNS = 10;
const APPS = 50;

// ---- generation -------------------------------------------------------------------------------------------

let written = 0;
function put(root: string, rel: string, text: string): void {
  const abs = join(root, rel);
  mkdirSync(join(abs, '..'), { recursive: true });
  writeFileSync(abs, text);
  written++;
}

const nodeSrc = (i: number): string => `import express from 'express';
const app = express();
const port = Number(process.env.PORT ?? 3000);
const db = process.env.DATABASE_URL;
export function handler${i}(req, res) { res.json({ ok: true, db: Boolean(db), n: ${i} }); }
app.get('/r${i}', handler${i});
if (process.env.START_${i % 7} === '1') app.listen(port);
`;
const pySrc = (i: number): string => `import os
REDIS_URL = os.environ.get("REDIS_URL", "redis://localhost")
SECRET_KEY = os.environ["SECRET_KEY"]

def view_${i}(request):
    return {"ok": True, "n": ${i}}
`;
const goSrc = (pkg: string, i: number): string => `package ${pkg}

import "os"

func Handler${i}() string {
\treturn os.Getenv("PORT") + "${i}"
}
`;

/** Writes the monorepo; `TOTAL_FILES` counts indexed files (node_modules and ignored files come on top). */
function generateMonorepo(root: string): { indexed: number; extra: number } {
  const perApp = Math.floor((TOTAL_FILES - 4) / APPS);
  let indexed = 0;
  let extra = 0;
  const goApps: string[] = [];
  put(root, 'package.json', JSON.stringify({ name: 'bench-mono', private: true, workspaces: ['apps/*'] }, null, 2));
  put(root, '.gitignore', 'node_modules/\n*.log\n/generated/\ncoverage/\n!keep.log\n');
  put(root, 'README.md', '# bench monorepo\n');
  put(root, 'turbo.json', '{"pipeline":{}}\n');
  indexed += 4;
  for (let a = 0; a < APPS; a++) {
    const kind = a % 3 === 0 ? 'python' : a % 3 === 1 ? 'go' : 'node';
    const dir = `apps/${kind}-${a}`;
    let n = 0;
    const file = (rel: string, text: string): void => { put(root, `${dir}/${rel}`, text); n++; };
    if (kind === 'node') {
      file('package.json', JSON.stringify({ name: `@bench/${kind}-${a}`, scripts: { start: 'node src/index.js', build: 'tsc' }, dependencies: { express: '^4.19.0' } }, null, 2));
      file('src/index.js', `import express from 'express';\nconst app = express();\napp.listen(process.env.PORT || 3000);\n`);
      for (let m = 0; m < 300; m++) { put(root, `${dir}/node_modules/pkg${m % 30}/lib/f${m}.js`, 'module.exports = 1;\n'); extra++; }
      while (n < perApp) file(`src/mod${Math.floor(n / 25)}/f${n}.js`, nodeSrc(n));
    } else if (kind === 'python') {
      file('requirements.txt', 'flask==3.0.0\ngunicorn==22.0.0\nredis==5.0.0\n');
      file('app.py', 'from flask import Flask\nimport os\napp = Flask(__name__)\nif __name__ == "__main__":\n    app.run(port=int(os.environ.get("PORT", 5000)))\n');
      for (let m = 0; m < 100; m++) { put(root, `${dir}/.venv/lib/site-packages/p${m}.py`, 'x = 1\n'); extra++; }
      while (n < perApp) file(`pkg/sub${Math.floor(n / 25)}/m${n}.py`, pySrc(n));
    } else {
      goApps.push(dir);
      file('go.mod', `module example.com/bench/${kind}-${a}\n\ngo 1.22\n`);
      file('main.go', 'package main\n\nimport (\n\t"net/http"\n\t"os"\n)\n\nfunc main() {\n\thttp.ListenAndServe(":"+os.Getenv("PORT"), nil)\n}\n');
      while (n < perApp) { const p = `p${Math.floor(n / 25)}`; file(`internal/${p}/f${n}.go`, goSrc(p, n)); }
    }
    // Ignored by the root .gitignore: must not be indexed.
    for (let m = 0; m < 20; m++) { put(root, `${dir}/debug-${m}.log`, 'log line\n'); extra++; }
    indexed += n;
  }
  put(root, 'go.work', `go 1.22\n\nuse (\n${goApps.map((d) => `\t./${d}`).join('\n')}\n)\n`);
  indexed++;
  for (let m = 0; m < 500; m++) { put(root, `generated/g${m}.json`, '{}\n'); extra++; }
  return { indexed, extra };
}

function generateSmall(root: string): number {
  put(root, 'package.json', JSON.stringify({ name: 'small', scripts: { start: 'node src/server.js' }, dependencies: { express: '^4.19.0' } }, null, 2));
  put(root, 'Dockerfile', 'FROM node:20-alpine\nWORKDIR /app\nCOPY . .\nRUN npm ci\nEXPOSE 3000\nCMD ["node","src/server.js"]\n');
  put(root, '.env.example', 'PORT=3000\nDATABASE_URL=\n');
  put(root, 'src/server.js', nodeSrc(0));
  let n = 4;
  for (; n < 30; n++) put(root, `src/routes/r${n}.js`, nodeSrc(n));
  return n;
}

// ---- measurement ------------------------------------------------------------------------------------------

let peakRss = 0;
/** Peak of the current step (reset per step), next to the whole run's peak. */
let stepPeak = 0;
const sampler = setInterval(() => { const r = process.memoryUsage.rss(); peakRss = Math.max(peakRss, r); stepPeak = Math.max(stepPeak, r); }, 5);
sampler.unref();

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

async function time<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const t0 = performance.now();
  const r = await fn();
  return [performance.now() - t0, r];
}

/** What detectors roughly do per app: read each manifest, then scan up to 200 source files for env reads and listens. */
async function detectorStyleReads(repo: RepoIndex, dirs: string[]): Promise<number> {
  let hits = 0;
  await Promise.all(dirs.map(async (dir) => {
    const files = repo.under(dir);
    const manifests = files.filter((f) => /(package\.json|requirements\.txt|go\.mod)$/.test(f.path));
    for (const m of manifests) if (await repo.read(m.path)) hits++;
    const sources = files.filter((f) => /\.(js|ts|py|go)$/.test(f.path)).slice(0, 200);
    await Promise.all(sources.map(async (f) => {
      const t = await repo.read(f.path);
      if (t && /process\.env|os\.environ|os\.Getenv|listen\(/.test(t)) hits++;
    }));
  }));
  return hits;
}

type Discover = (path: string) => Promise<unknown>;
/** The stage's discover(), adapted to take a path: it is called as discover(path) or discover(ctx, path, opts). */
async function loadDiscover(): Promise<Discover | null> {
  try {
    const mod = (await import('../src/stages/discover/index.js' as string)) as { discover?: unknown };
    if (typeof mod.discover !== 'function') return null;
    const fn = mod.discover as (...a: unknown[]) => Promise<unknown>;
    if (fn.length < 2) return (path) => fn(path);
    // A local run context, built from the repo's own pieces (imported lazily: they may not exist yet).
    const { Redactor } = (await import('../src/core/redact.js' as string)) as { Redactor: new () => unknown };
    const { LocalExecutor } = (await import('../src/exec/local.js' as string)) as { LocalExecutor: new (r: unknown) => unknown };
    const redactor = new Redactor();
    const ctx = { executor: new LocalExecutor(redactor), redactor };
    return (path) => fn(ctx, path, {});
  } catch (e) {
    console.log(`(discover() not loadable: ${(e as Error).message})`);
    return null;
  }
}

interface Row { scenario: string; step: string; runs: number; median: number; min: number; max: number; rssMiB: number; note: string }
const rows: Row[] = [];
async function measure(scenario: string, step: string, runs: number, fn: () => Promise<string>): Promise<void> {
  const ts: number[] = [];
  let note = '';
  stepPeak = process.memoryUsage.rss();
  for (let i = 0; i < runs; i++) { const [t, n] = await time(fn); ts.push(t); note = n; }
  stepPeak = Math.max(stepPeak, process.memoryUsage.rss());
  rows.push({ scenario, step, runs, median: median(ts), min: Math.min(...ts), max: Math.max(...ts), rssMiB: stepPeak / 2 ** 20, note });
}

async function main(): Promise<void> {
  const base = mkdtempSync(join(tmpdir(), 'deckhand-bench-discover-'));
  try {
    const mono = join(base, 'mono');
    const small = join(base, 'small');
    const [genMs, gen] = await time(async () => generateMonorepo(mono));
    const smallFiles = generateSmall(small);
    console.log(`generated ${written} files (${gen.indexed} to index, ${gen.extra} in node_modules/.venv/ignored) in ${(genMs / 1000).toFixed(1)} s`);
    const discover = await loadDiscover();

    // One unmeasured walk warms the page cache, so runs compare code rather than the disk.
    await buildRepoIndex(mono);
    await measure('monorepo', 'buildRepoIndex (walk)', RUNS, async () => { const r = await buildRepoIndex(mono); return `${r.files.length} files, ${r.problems.length} problems`; });
    const repo = await buildRepoIndex(mono);
    await measure('monorepo', 'findApps', RUNS, async () => `${(await findApps(repo)).length} apps`);
    await measure('monorepo', 'walk + findApps + reads', RUNS, async () => {
      const r = await buildRepoIndex(mono);
      const apps = await findApps(r);
      const hits = await detectorStyleReads(r, apps.map((a) => a.dir));
      return `${apps.length} apps, ${hits} read hits`;
    });
    if (discover) await measure('monorepo', 'discover() (whole stage)', RUNS, async () => { await discover(mono); return ''; });

    await measure('small service', 'buildRepoIndex (walk)', SMALL_RUNS, async () => `${(await buildRepoIndex(small)).files.length} files`);
    await measure('small service', 'walk + findApps', SMALL_RUNS, async () => `${(await findApps(await buildRepoIndex(small))).length} app(s)`);
    if (discover) await measure('small service', 'discover() (whole stage)', SMALL_RUNS, async () => { await discover(small); return ''; });

    peakRss = Math.max(peakRss, process.memoryUsage.rss());
    const pad = (s: string, n: number): string => s.padEnd(n);
    const num = (x: number): string => x.toFixed(1).padStart(9);
    console.log(`\n${pad('scenario', 14)} ${pad('step', 28)} runs  median ms    min ms    max ms  peak RSS MiB  result`);
    for (const r of rows) console.log(`${pad(r.scenario, 14)} ${pad(r.step, 28)} ${String(r.runs).padStart(4)} ${num(r.median)} ${num(r.min)} ${num(r.max)} ${r.rssMiB.toFixed(0).padStart(13)}  ${r.note}`);
    if (!discover) console.log('\n(discover() not exported by src/stages/discover/index.ts yet: whole-stage rows skipped)');
    console.log(`\npeak RSS (sampled every 5 ms): ${(peakRss / 2 ** 20).toFixed(0)} MiB; maxRSS (resourceUsage): ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
    console.log(`small service: ${smallFiles} files; node ${process.version}; ${(await import('node:os')).cpus().length} CPUs`);
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}

await main();
