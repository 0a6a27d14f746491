// Benchmark: `deckhand check` on a lab host against a bare `ssh host true`, interleaved, medians of N runs.
// Prints figures; asserts nothing. Needs the lab (npm run lab:up) and a build (npm run build).
import { spawnSync } from 'node:child_process';
import { loadLab, type LabHostName } from '../test/lab/lab.js';

const RUNS = Number(process.env.RUNS ?? 7);
const lab = loadLab();
if (!lab) {
  console.error('bench: the lab is not running; start it with `npm run lab:up` (as root)');
  process.exit(2);
}
const hostName = (process.env.BENCH_HOST ?? 'node20') as LabHostName;
const host = lab.hosts[hostName];
if (!host) { console.error(`bench: no lab host ${hostName}`); process.exit(2); }
const user = process.env.BENCH_USER ?? 'root';
const common = ['-o', `UserKnownHostsFile=${lab.knownHostsFile}`];

const bare = ['ssh', '-o', 'BatchMode=yes', '-i', lab.identityFile, '-o', 'IdentitiesOnly=yes', ...common, '-p', String(host.port), `${user}@${host.host}`, 'true'];
const deckhand = [process.execPath, 'dist/cli.js', 'check', `ssh://${user}@${host.host}:${host.port}`, '-i', lab.identityFile,
  '--ssh-option', `UserKnownHostsFile=${lab.knownHostsFile}`, '--require', 'node>=18', '--port', '3000', '--json'];

function time(argv: string[]): number {
  const [cmd, ...args] = argv;
  const t = performance.now();
  const r = spawnSync(cmd ?? 'false', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = performance.now() - t;
  if (r.status !== 0 && r.status !== 1) throw new Error(`${argv.join(' ')} exited ${r.status}: ${String(r.stderr)}`);
  return ms;
}
const median = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); const m = Math.floor(s.length / 2); return s.length % 2 ? (s[m] ?? 0) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2; };

time(bare); time(deckhand); // warm caches, not counted
const a: number[] = [];
const b: number[] = [];
const nodeBare: number[] = [];
const cliStart: number[] = [];
const probe: number[] = [];
for (let i = 0; i < RUNS; i++) {
  a.push(time(bare));
  b.push(time(deckhand));
  nodeBare.push(time([process.execPath, '-e', '0']));
  cliStart.push(time([process.execPath, 'dist/cli.js', '--version']));
  const out = spawnSync(deckhand[0] ?? 'node', deckhand.slice(1), { encoding: 'utf8' }).stdout;
  probe.push((JSON.parse(out) as { data: { facts: { probe: { durationMs: number } } } }).data.facts.probe.durationMs);
}
const ma = median(a);
const mb = median(b);
console.log(`host: ${hostName} (${user}@${host.host}:${host.port}), ${RUNS} runs each, interleaved`);
console.log('| command | median ms | min ms | max ms |');
console.log('|---|---|---|---|');
console.log(`| ssh host true | ${ma.toFixed(0)} | ${Math.min(...a).toFixed(0)} | ${Math.max(...a).toFixed(0)} |`);
console.log(`| deckhand check | ${mb.toFixed(0)} | ${Math.min(...b).toFixed(0)} | ${Math.max(...b).toFixed(0)} |`);
console.log(`ratio (median deckhand / median ssh): ${(mb / ma).toFixed(2)}x (target <= 1.5x)`);
console.log('where deckhand check spends its time (medians):');
console.log(`  node itself (node -e 0):                  ${median(nodeBare).toFixed(0)} ms`);
console.log(`  CLI start (deckhand --version):           ${median(cliStart).toFixed(0)} ms`);
console.log(`  connect + probe (report's probe step):   ${median(probe).toFixed(0)} ms`);
console.log(`  bare connection + session (ssh true):    ${ma.toFixed(0)} ms`);
