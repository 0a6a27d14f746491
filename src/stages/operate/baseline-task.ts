// `deckhand ops baseline`: records what "normal" looks like for the running release (version, paths, ports, dependencies, log patterns, resource levels, watch items).
import type { RunContext } from '../../core/context.js';
import type { Finding } from '../../report/common.js';
import type { OperationsReport } from '../../report/operations.js';
import type { OpsBaseline } from '../../report/ops/baseline.js';
import { discoverDeps } from '../verify/deps/discover.js';
import { baselinePath, factsForBaseline, parseBaseline, recordBaseline } from './baseline.js';
import { loadDeployedApp, registerEnvSecrets, type DeployedApp } from './deployed-app.js';
import { gatherFacts, releaseWindow, type Gathered } from './inspect/collect.js';
import { DEFAULT_WINDOW_SEC, inspectData, inspectFindings } from './inspect/index.js';
import { opsEvidence, opsFinding, startTask } from './task-report.js';

export interface BaselineOptions {
  app: string;
  baseDir: string | null;
  /** Log window in seconds (default one hour, never before the release was deployed). */
  windowSec?: number;
}

/** Dependencies as the env file names them (scheme://user@host:port/db, never a password). */
export function dependenciesOf(envText: string | null): string[] {
  if (envText === null) return [];
  const d = discoverDeps(envText);
  return [...d.endpoints.map((e) => `${e.protocol} ${e.display} (${e.keys.join(', ')})`), ...d.notes.map((n) => `${n.key}: ${n.display} (${n.reason})`)];
}

/** The baseline of the running release from an inspect probe (pure; the previous baseline lends its verification when it is of the same release). */
export function baselineFrom(ctx: RunContext, d: DeployedApp, g: Gathered, envText: string | null, windowSec: number, now: Date): OpsBaseline {
  const previous = parseBaseline(g.facts.baselineText).baseline;
  // Watch items come from the inspection rules without a baseline to compare with (this one is it).
  const data = inspectData(ctx, d, { ...g, facts: { ...g.facts, baselineText: null } }, windowSec);
  const cur = d.current;
  return {
    schemaVersion: 1, app: d.app, recordedAt: now.toISOString(), release: cur.id, commit: cur.commit, strategy: cur.strategy,
    paths: { base: d.base, current: d.layout.current, envFile: d.layout.envFile, logs: `${d.layout.shared}/logs` },
    serviceManager: `${data.service.manager}${data.service.units[0] ? ` ${data.service.units[0].name}` : ''}`,
    ports: cur.port ? [cur.port] : [], health: cur.healthPath ?? null, dependencies: dependenciesOf(envText),
    lastVerification: previous && previous.release === cur.id ? previous.lastVerification : null,
    watch: {
      immediate: data.recommendations.immediate.map((r) => r.text),
      observe: data.recommendations.observe.filter((r) => !r.id.startsWith('baseline.')).map((r) => r.text),
    },
    ...factsForBaseline(g.facts, windowSec, (s) => ctx.redactor.mask(s)),
  };
}

export async function opsBaseline(ctx: RunContext, opts: BaselineOptions): Promise<OperationsReport> {
  const now = ctx.now?.() ?? new Date();
  const { log, finish } = startTask(ctx, opts.app);
  log.begin('app', `read the deployment of ${opts.app}`);
  const d = await loadDeployedApp(ctx, opts.app, opts.baseDir).catch((e: unknown) => { log.end('fail'); throw e; });
  const envText = await registerEnvSecrets(ctx, d);
  log.end('pass', `release ${d.current.id} (${d.current.strategy})`);
  const windowSec = releaseWindow(opts.windowSec ?? DEFAULT_WINDOW_SEC, d.current.deployedAt, now);
  log.begin('probe', 'read service, processes, disk and logs');
  const g = await gatherFacts(ctx, { app: d.app, base: d.base, strategy: d.current.strategy, port: d.current.port ?? null }, windowSec);
  log.end(g.error === null ? 'pass' : 'unknown', g.error ?? undefined);
  const baseline = baselineFrom(ctx, d, g, envText, windowSec, now);
  const previous = parseBaseline(g.facts.baselineText).baseline;
  const findings: Finding[] = inspectFindings(ctx, inspectData(ctx, d, g, windowSec), g)
    .filter((f) => f.section === 'service' || f.section === 'resources' || f.id.startsWith('inspect.logs.'));
  const path = baselinePath(d.base);
  const service = findings.find((f) => f.id === 'inspect.service');
  // A baseline records normal: a service that is down (or could not be read) would make the broken state the reference.
  if (service?.status !== 'pass') {
    findings.push(opsFinding('baseline.recorded', 'baseline', 'Ops baseline', service?.status === 'unknown' ? 'unknown' : 'fail',
      `not recorded: the service is ${service?.status === 'unknown' ? 'in an unknown state' : 'not running'}`, { remedy: 'fix or roll back the service, verify it, then record the baseline' }));
  } else {
    log.begin('record', `write ${path}`);
    try {
      await recordBaseline(ctx, baseline);
      log.end('pass');
      findings.push(opsFinding('baseline.recorded', 'baseline', 'Ops baseline', 'pass',
        `recorded for release ${baseline.release}: ${baseline.logs?.patterns.length ?? 0} log pattern(s), resource levels ${baseline.resources ? 'recorded' : 'not read'}`,
        { evidence: opsEvidence(ctx, `write ${path} (0644)`, `${JSON.stringify(ctx.redactor.maskDeep(baseline)).length} bytes`) }));
    } catch (e) {
      log.end('fail');
      findings.push(opsFinding('baseline.recorded', 'baseline', 'Ops baseline', 'fail', `could not be written: ${ctx.redactor.mask(e instanceof Error ? e.message : String(e))}`, {
        remedy: `check that ${d.layout.state} is writable by ${d.state.user}`,
      }));
    }
  }
  const report = finish(findings, { task: 'baseline', path, replaced: previous ? { recordedAt: previous.recordedAt, release: previous.release } : null, baseline });
  // Recommendations are watch items here, not a call to act: only a failure or an unknown changes the status.
  const status = findings.some((f) => f.status === 'fail') ? 'failed' : findings.some((f) => f.status === 'unknown' && f.required) ? 'unknown' : 'ok';
  return ctx.redactor.maskDeep({ ...report, status });
}

/** CPU is sampled briefly after a deploy: `deckhand up` waits for it, and a fresh process is busy anyway. */
const UP_CPU_SAMPLE_SEC = 0.5;

/**
 * Log patterns and resource levels of a release just verified, for the baseline `deckhand up` records: one probe
 * over the time since the deploy. Undefined when the probe did not complete (the baseline is recorded without them).
 */
export async function observeAfterDeploy(ctx: RunContext, s: { app: string; base: string; strategy: string; port: number | null; deployedAt: string }, now: Date): Promise<Pick<OpsBaseline, 'logs' | 'resources'> | undefined> {
  const windowSec = releaseWindow(DEFAULT_WINDOW_SEC, s.deployedAt, now);
  const g = await gatherFacts(ctx, s, windowSec, UP_CPU_SAMPLE_SEC);
  return g.error === null ? factsForBaseline(g.facts, windowSec, (x) => ctx.redactor.mask(x)) : undefined;
}
