// One scenario end to end: clean slate, first release (no load), then per run a new release deployed under the constant load.
import { cp, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LabState } from '../../test/lab/lab.js';
import { runDeploy, type DeployRun } from './deckhand.js';
import { switchMoment } from './deploy-timing.js';
import type { BenchHost } from './hosts.js';
import { startLoad } from './load.js';
import type { LoadOutput } from './load-format.js';
import type { ScenarioResult } from './render.js';
import type { Scenario } from './scenarios.js';
import { medianRow, summarizeRun, type RunFigures } from './stats.js';

export interface BenchSettings {
  runs: number;
  rate: number;
  connections: number;
  /** Seconds of load before the deploy starts and after it ends. */
  settleSec: number;
  /** Per-request timeout: a request unanswered this long counts as failed. */
  timeoutSec: number;
  deployTimeoutMs: number;
  work: string;
  /** The bundled runner on this machine. */
  runner: Buffer;
  /** Set once the operator interrupted: the scenario stops at its next step. */
  interrupted: () => boolean;
}

/** Everything a run produced, for --json. */
export interface RunRecord {
  figures: RunFigures;
  deploy: { outcome: string; error: string | null; errorDetail: string | null; start: number; end: number; switchAt: number | null; switchMs: number | null };
  load: Pick<LoadOutput, 't0Epoch' | 'seconds' | 'stopReason' | 'versions' | 'errorCodes' | 'idleConnectFailures' | 'rate' | 'connections'>;
}

export type ScenarioOutcome = ScenarioResult & { records: RunRecord[]; detail?: string };

const sleep = (ms: number): Promise<void> => new Promise((res) => setTimeout(res, ms));

/** A deploy that is not a measurement; `detail` (the whole error) goes to --json. */
class NotMeasured extends Error {
  constructor(message: string, readonly detail: string | null) { super(message); }
}
/** deckhand ended without an execution report and not with a usage/could-not-run exit: it crashed (e.g. dist rebuilt under it). */
class Crashed extends NotMeasured {}
const CRASH_ATTEMPTS = 3;

/** Runs `fn` again (up to CRASH_ATTEMPTS in all) when deckhand crashed; any other error goes through. */
async function unlessCrashed<T>(what: string, log: (line: string) => void, fn: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try { return await fn(); } catch (e) {
      if (!(e instanceof Crashed) || attempt >= CRASH_ATTEMPTS) throw e;
      log(`${what}: deckhand ended without a report (${e.message}); not a measurement, running it again`);
      await sleep(2000);
    }
  }
}

/** Exit 2 (usage) and 3 (could not run) are not measurements; no report at all is a crash; exit 1 with a report is a deploy that failed. */
function notMeasured(run: DeployRun): Error | null {
  if (run.code !== null && run.code >= 2) return new NotMeasured(run.error ?? `deckhand deploy exited ${run.code}`, run.errorDetail);
  if (run.report === null && run.outcome !== 'SUCCESS') return new Crashed(run.error ?? run.outcome, run.errorDetail);
  return null;
}
const stopFileOf = (runnerPath: string): string => runnerPath.replace(/\.cjs$/, '.stop');

async function prepareRepo(s: Scenario, dir: string): Promise<string> {
  const repo = join(dir, 'repo');
  if (s.example) await cp(s.example, repo, { recursive: true, filter: (src) => !src.includes('node_modules') });
  else await mkdir(repo, { recursive: true });
  for (const [name, content] of Object.entries(s.files)) await writeFile(join(repo, name), content);
  return repo;
}

async function deploy(s: Scenario, host: BenchHost, repo: string, dir: string, version: string, set: BenchSettings, tag: string): Promise<DeployRun> {
  const envFile = join(dir, 'app.env');
  await writeFile(envFile, `APP_VERSION=${version}\n`, { mode: 0o600 });
  return runDeploy(host.target, [...host.targetFlags, '--repo', repo, ...s.flags(dir), '--env-file', envFile], join(dir, `out-${tag}`), { timeoutMs: set.deployTimeoutMs, ...(s.env ? { env: s.env(dir) } : {}) });
}

async function oneRun(s: Scenario, host: BenchHost, runnerPath: string, repo: string, dir: string, set: BenchSettings, i: number): Promise<RunRecord> {
  const maxSec = Math.ceil(set.settleSec * 2 + set.deployTimeoutMs / 1000 + 60);
  const load = startLoad(host, runnerPath, {
    port: s.loadPort, path: '/version', rate: set.rate, connections: set.connections, maxSec, maxCount: set.rate * maxSec, timeoutSec: set.timeoutSec, stopFile: stopFileOf(runnerPath),
  });
  let run: DeployRun;
  try {
    await load.firstAnswer(30_000);
    await sleep(set.settleSec * 1000);
    if (set.interrupted()) throw new Error('interrupted');
    run = await deploy(s, host, repo, dir, `${i + 2}.0.0`, set, `run${i + 1}`);
    await sleep(set.settleSec * 1000);
  } catch (e) {
    // Stopped and drained on an error too, so nothing keeps sending.
    await load.stop().catch(() => undefined);
    throw e;
  }
  const out = await load.stop();
  const why = notMeasured(run);
  if (why) throw why;
  const sw = run.report ? switchMoment(run.report, run.starts, s.isSwitch) : { at: null, ms: null };
  const timing = { start: run.start, end: run.end, switchAt: sw.at, switchMs: sw.ms };
  return {
    figures: summarizeRun(out, timing),
    deploy: { outcome: run.outcome, error: run.error, errorDetail: run.errorDetail, ...timing },
    load: { t0Epoch: out.t0Epoch, seconds: out.seconds, stopReason: out.stopReason, versions: out.versions, errorCodes: out.errorCodes, idleConnectFailures: out.idleConnectFailures, rate: out.rate, connections: out.connections },
  };
}

/**
 * Runs the scenario; always cleans up what it deployed. Never throws: a path that is not ready (the command fails
 * for a reason that is not a measurement) becomes a row saying why, with no figures.
 */
export async function runScenario(s: Scenario, lab: LabState, set: BenchSettings, log: (line: string) => void): Promise<ScenarioOutcome> {
  const host = s.host(lab);
  const dir = join(set.work, s.app);
  const records: RunRecord[] = [];
  const runnerPath = host.local ? join(dir, 'load.cjs') : `/tmp/${s.app}-load.cjs`;
  try {
    await mkdir(dir, { recursive: true });
    await host.sh(s.cleanup(dir), 180_000);
    const repo = await prepareRepo(s, dir);
    await host.put(runnerPath, set.runner);
    log(`${s.name}: first release 1.0.0 to ${host.label} (no load)`);
    await unlessCrashed(`${s.name}: first release`, log, async () => {
      const first = await deploy(s, host, repo, dir, '1.0.0', set, 'first');
      const why = notMeasured(first);
      if (why) throw why;
      if (first.outcome !== 'SUCCESS') throw new NotMeasured(first.error ?? first.outcome, first.errorDetail);
    });
    for (let i = 0; i < set.runs; i++) {
      if (set.interrupted()) throw new Error('interrupted');
      log(`${s.name}: run ${i + 1}/${set.runs}: ${set.rate} req/s on port ${s.loadPort}, release ${i + 2}.0.0 deployed under it`);
      const r = await unlessCrashed(`${s.name}: run ${i + 1}`, log, () => oneRun(s, host, runnerPath, repo, dir, set, i));
      log(`${s.name}: run ${i + 1}: deploy ${r.deploy.outcome}, ${r.figures.sent} requests, failed ${r.figures.failed}, longest gap ${Math.round(r.figures.longestGapMs ?? -1)} ms`);
      records.push(r);
    }
    const runs = records.map((r) => r.figures);
    const deployFailures = records.filter((r) => r.deploy.outcome !== 'SUCCESS').map((r) => r.deploy.error ?? r.deploy.outcome);
    return { name: s.name, status: 'measured', row: medianRow(runs), runs, deployFailures, records };
  } catch (e) {
    const msg = set.interrupted() ? 'interrupted before it finished' : e instanceof Error ? e.message : String(e);
    log(`${s.name}: not available: ${msg}`);
    const detail = e instanceof NotMeasured ? e.detail : null;
    return { name: s.name, status: 'not available', reason: msg.split('\n')[0] ?? msg, ...(detail ? { detail } : {}), records };
  } finally {
    // A runner still going (its SSH client gone) sees the stop file within 50 ms and ends.
    const stop = stopFileOf(runnerPath);
    const r = await host.sh(`touch '${stop}'; ${s.cleanup(dir)}; sleep 0.2; rm -f '${runnerPath}' '${stop}'`, 180_000).catch((e: unknown) => ({ code: -1, stderr: String(e) }));
    if (r.code !== 0) log(`${s.name}: cleanup on ${host.label} exited ${r.code}: ${r.stderr.trim().split('\n').slice(-2).join(' | ')}`);
  }
}
