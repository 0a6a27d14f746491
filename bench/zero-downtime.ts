// Benchmark: deploys under a constant 500 requests/s from a second process on the target's loopback; one Markdown table, per-run lines, --json. Asserts nothing.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, release, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadLab } from '../test/lab/lab.js';
import { CLI } from '../test/helpers/cli.js';
import { bundleLoadRunner } from './zero-downtime/bundle.js';
import { ensureLocalNginx, releaseLocalNginx, type LocalNginx } from './zero-downtime/local-nginx.js';
import { signalChildren } from './zero-downtime/proc.js';
import { LEGEND, renderRunLine, renderTable } from './zero-downtime/render.js';
import { runScenario, type ScenarioOutcome } from './zero-downtime/run-scenario.js';
import { SCENARIOS } from './zero-downtime/scenarios.js';

const USAGE = 'usage: npm run bench:zero-downtime -- [--only NAME]... [--runs N] [--json FILE] [--rate N] [--connections N] [--settle SECONDS] [--timeout SECONDS]';

function fail(message: string, code = 2): never {
  process.stderr.write(`bench: ${message}\n${USAGE}\n`);
  process.exit(code);
}

function whole(v: string | undefined, flag: string, def: number, min: number, max: number): number {
  if (v === undefined) return def;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) fail(`${flag} must be a whole number from ${min} to ${max} (got "${v}")`);
  return n;
}

const { values: opt } = (() => {
  try {
    return parseArgs({ options: { only: { type: 'string', multiple: true }, runs: { type: 'string' }, json: { type: 'string' }, rate: { type: 'string' }, connections: { type: 'string' }, settle: { type: 'string' }, timeout: { type: 'string' }, help: { type: 'boolean' } } });
  } catch (e) { return fail((e as Error).message); }
})();
if (opt.help) { process.stdout.write(`${USAGE}\nscenarios: ${SCENARIOS.map((s) => `"${s.name}"`).join(', ')}\n`); process.exit(0); }
const runs = whole(opt.runs, '--runs', 3, 1, 50);
const rate = whole(opt.rate, '--rate', 500, 1, 5000);
// Each connection has one request in flight (no pipelining): 50 keep 500/s going while the mean latency stays under 100 ms,
// which a loaded machine (Docker builds beside the load) exceeded with 20.
const connections = whole(opt.connections, '--connections', 50, 1, Math.min(rate, 500));
const settleSec = whole(opt.settle, '--settle', 5, 1, 120);
const timeoutSec = whole(opt.timeout, '--timeout', 5, 1, 120);
const unknown = (opt.only ?? []).filter((n) => !SCENARIOS.some((s) => s.name === n));
if (unknown.length > 0) fail(`unknown scenario ${unknown.map((n) => `"${n}"`).join(', ')}; scenarios: ${SCENARIOS.map((s) => `"${s.name}"`).join(', ')}`);
const selected = SCENARIOS.filter((s) => !opt.only || opt.only.includes(s.name));

const lab = loadLab();
if (!lab) fail('the lab is not running; start it with `npm run lab:up` (as root)');
if (opt.json && !existsSync(dirname(resolve(opt.json)))) fail(`--json ${opt.json}: its directory does not exist`);
if (!existsSync(CLI)) fail(`${CLI} is missing: build deckhand first (npm run build)`);

let interrupts = 0;
const onInterrupt = (): void => {
  interrupts++;
  if (interrupts === 1) {
    process.stderr.write('\nbench: interrupted: stopping the load and the deploy (it reverts), then cleaning up; Ctrl-C again to kill them\n');
    signalChildren('SIGINT');
  } else if (interrupts === 2) {
    signalChildren('SIGKILL');
  } else {
    process.exit(130);
  }
};
// SIGTERM and SIGHUP (a closed terminal) clean up like a Ctrl-C: the deploy reverts, the load stops, the hosts are cleaned.
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, onInterrupt);

const log = (line: string): void => { process.stderr.write(`bench: ${line}\n`); };
const work = await mkdtemp(join(tmpdir(), 'zdb-bench-'));
let nginx: LocalNginx | null = null;
const results: ScenarioOutcome[] = [];
const startedAt = new Date();
const cpu = cpus();
const machine = `${cpu.length} CPUs (${cpu[0]?.model.trim() ?? '?'}), Linux ${release()}, node ${process.version}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')} at the start`;
try {
  await bundleLoadRunner(join(work, 'load.cjs'));
  const runner = await readFile(join(work, 'load.cjs'));
  for (const s of selected) {
    if (interrupts > 0) break;
    if (s.localNginxFiles && nginx === null) nginx = await ensureLocalNginx(log);
    results.push(await runScenario(s, lab, { runs, rate, connections, settleSec, timeoutSec, deployTimeoutMs: 600_000, work, runner, interrupted: () => interrupts > 0 }, log));
  }
} finally {
  if (nginx) await releaseLocalNginx(nginx, SCENARIOS.flatMap((s) => s.localNginxFiles ?? []), log);
  await rm(work, { recursive: true, force: true });
}

const out = [
  `## Zero-downtime deploys under ${rate} requests/s (${startedAt.toISOString()})`,
  '',
  `Load: autocannon 9, ${connections} keep-alive connections, ${rate} requests/s paced evenly, GET /version on the target's own loopback, ${timeoutSec}s request timeout; ${settleSec}s of load before and after each deploy. Medians of ${runs} run(s) per scenario.`,
  `Machine: ${machine}.`,
  '',
  renderTable(results),
  '',
  LEGEND,
  ...selected.map((s) => `- ${s.name}: ${s.switchCovers}.`),
  '',
  ...results.flatMap((r) => (r.status === 'measured' ? r.runs.map((f, i) => renderRunLine(r.name, i, f, r.records[i]?.deploy.outcome ?? '?')) : [])),
];
process.stdout.write(`${out.join('\n')}\n`);
if (opt.json) {
  await writeFile(opt.json, `${JSON.stringify({ startedAt: startedAt.toISOString(), machine, settings: { runs, rate, connections, settleSec, timeoutSec }, scenarios: results }, null, 2)}\n`);
  log(`figures written to ${opt.json}`);
}
process.exit(interrupts > 0 ? 130 : 0);
