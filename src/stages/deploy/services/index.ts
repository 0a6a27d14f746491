// Several services per repo: plan each (dependencies first), then deploy, verify and handshake one at a time; a failure stops the rollout and rolls back what this run switched.
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { DeckhandError } from '../../../core/errors.js';
import type { RunContext } from '../../../core/context.js';
import type { HostRef } from '../../../core/target.js';
import { VERSION } from '../../../core/version.js';
import { LocalExecutor } from '../../../exec/local.js';
import { loadConfig } from '../../../config/load.js';
import type { Finding, StepResult } from '../../../report/common.js';
import { SCHEMA_VERSION } from '../../../report/common.js';
import type { ExecutionReport } from '../../../report/execution.js';
import type { ServiceRow, ServicesData, ServicesReport } from '../../../report/services.js';
import { isGitUrl, openSource } from '../../discover/source.js';
import { verify } from '../../verify/index.js';
import { applyDeploy, prepareDeploy, type PreparedDeploy } from '../index.js';
import { planReport } from '../plan-report.js';
import { rollback } from '../rollback.js';
import { dependencyHandshake, dependencyRelease } from './handshake.js';
import { selectUnits, type ServiceSelection, type ServiceUnit } from './units.js';

export interface ServicesOptions {
  /** Repository root on this machine (or a git URL, cloned once). */
  source: string;
  target: string;
  /** Deploy this service alone; the services it depends on must already be serving. */
  only?: string;
  configFile?: string;
  pm2Bin?: string;
  build?: 'target' | 'local';
  /** Sampling window of each service's verification (ms). */
  windowMs?: number;
}

export interface PreparedServices {
  selection: ServiceSelection;
  configPath: string | null;
  /** One prepared deploy per service of the run, in order. */
  deploys: { unit: ServiceUnit; prepared: PreparedDeploy }[];
  options: ServicesOptions;
  cleanup: () => Promise<void>;
}

/** True when the repository's deckhand.yml lists services (the deploy then goes through this module). */
export async function hasServices(source: string, configFile?: string): Promise<boolean> {
  if (isGitUrl(source)) return false;
  const st = await stat(source).catch(() => null);
  if (!st?.isDirectory()) return false;
  return (await loadConfig(resolve(source), configFile)).config.services !== undefined;
}

/** Plans every service of the run against the target's state. Changes nothing. */
export async function prepareServices(ctx: RunContext, opts: ServicesOptions): Promise<PreparedServices> {
  const local: RunContext = { executor: new LocalExecutor(ctx.redactor, ctx.signal), redactor: ctx.redactor };
  const cloned = isGitUrl(opts.source) ? await openSource(local, opts.source) : null;
  const root = cloned ? cloned.root : resolve(opts.source);
  const deploys: PreparedServices['deploys'] = [];
  const cleanup = async (): Promise<void> => {
    for (const d of deploys) await d.prepared.cleanup();
    await cloned?.cleanup();
  };
  try {
    const { path, config } = await loadConfig(root, opts.configFile);
    if (!config.services) throw new DeckhandError('usage', `${path ?? `${root}/deckhand.yml`} lists no services`, { hint: 'add services: to deckhand.yml, or deploy the app without --only' });
    const selection = selectUnits(config, opts.only ?? null);
    for (const unit of selection.run) {
      ctx.onProgress?.({ type: 'step-start', id: `plan.${unit.name}`, title: `plan ${unit.name}` });
      const prepared = await prepareDeploy(ctx, {
        source: root, target: opts.target, app: unit.app, config: { path: `${path ?? 'deckhand.yml'}#services.${unit.name}`, config: unit.config },
        ...(unit.appDir ? { appDir: unit.appDir } : {}), ...(opts.pm2Bin ? { pm2Bin: opts.pm2Bin } : {}), ...(opts.build ? { build: opts.build } : {}),
      });
      deploys.push({ unit, prepared });
    }
    return { selection, configPath: path, deploys, options: opts, cleanup };
  } catch (e) {
    await cleanup();
    throw e;
  }
}

function impactOf(p: PreparedDeploy, host: string): { impact: string; undo: string } {
  const { plan } = p;
  const impact = `switches ${plan.app} on ${host} to release ${plan.releaseId} (${plan.strategy}${plan.handoff.port ? `, port ${plan.handoff.port}` : ''}); current now: ${plan.previousRelease ?? 'none (first release)'}`;
  const undo = plan.previousRelease
    ? `if it or a later service fails in this run: rolled back to ${plan.previousRelease} (deckhand rollback, automatic)`
    : 'first release: nothing to roll back to; if it or a later service fails it stays as deployed (stop it by hand)';
  return { impact, undo };
}

function plannedRow(unit: ServiceUnit, p: PreparedDeploy, host: HostRef, ms: number): ServiceRow {
  return {
    service: unit.name, app: unit.app, appDir: unit.appDir, dependsOn: unit.dependsOn, strategy: p.plan.strategy, port: p.plan.handoff.port,
    release: p.plan.releaseId, previousRelease: p.plan.previousRelease, status: 'planned', ...impactOf(p, host.display),
    execution: planReport(p.plan, host, ms), verification: null, handshakes: [], rollback: null,
  };
}

function envelope(ctx: RunContext, startedAt: Date, t0: number, data: ServicesData, findings: Finding[], steps: StepResult[]): ServicesReport {
  const status = ({ PLANNED: 'planned', VERIFIED: 'verified', ROLLED_BACK: 'rolled-back', FAILED: 'failed', BLOCKED: 'blocked' } as const)[data.outcome];
  return ctx.redactor.maskDeep({
    schemaVersion: SCHEMA_VERSION, tool: { name: 'deckhand', version: VERSION }, stage: 'services', status,
    target: { kind: ctx.executor.host.kind, display: ctx.executor.host.display }, startedAt: startedAt.toISOString(),
    durationMs: Math.round(performance.now() - t0), findings, steps, data,
  } satisfies ServicesReport);
}

/** The plan of the run as a report: the order, and per service its Execution Plan with impact and undo. */
export function servicesPlanReport(ctx: RunContext, p: PreparedServices, durationMs: number): ServicesReport {
  const rows = p.deploys.map((d) => plannedRow(d.unit, d.prepared, ctx.executor.host, durationMs));
  const assumed = p.selection.assumed.map((u) => assumedRow(u, null, 'serving', `assumed already deployed and serving (checked before ${p.options.only ?? ''} is deployed)`));
  const findings = p.deploys.flatMap((d) => d.prepared.plan.warnings.map((w, i) => ({ id: `plan.${d.unit.name}.warning.${i + 1}`, section: d.unit.name, title: 'Warning', status: 'warn' as const, required: false, summary: w })));
  const data: ServicesData = { outcome: 'PLANNED', order: p.selection.order.map((u) => u.name), only: p.options.only ?? null, services: rows, assumed, failure: null };
  return envelope(ctx, ctx.now?.() ?? new Date(), performance.now() - durationMs, data, findings, []);
}

function assumedRow(u: ServiceUnit, release: string | null, status: 'serving' | 'not-serving', impact: string, handshakes: Finding[] = []): ServiceRow {
  return {
    service: u.name, app: u.app, appDir: u.appDir, dependsOn: u.dependsOn, strategy: u.config.strategy ?? null, port: u.config.port ?? null, release, previousRelease: null,
    status, impact, undo: 'not changed by this run', execution: null, verification: null, handshakes, rollback: null,
  };
}

const failing = (f: Finding): boolean => f.status === 'fail' || f.status === 'block' || (f.status === 'unknown' && f.required);

/** Deploys the run's services in order, each verified (with its handshakes) before the next starts. */
export async function applyServices(ctx: RunContext, p: PreparedServices, stopRequested?: () => boolean): Promise<ServicesReport> {
  const startedAt = ctx.now?.() ?? new Date();
  const t0 = performance.now();
  const steps: StepResult[] = [];
  const host = ctx.executor.host;
  const byName = new Map(p.selection.order.map((u) => [u.name, u]));
  const rows = p.deploys.map((d) => plannedRow(d.unit, d.prepared, host, 0));
  const timed = async <T>(id: string, title: string, fn: () => Promise<T>, ok: (r: T) => boolean): Promise<T> => {
    const t = performance.now();
    ctx.onProgress?.({ type: 'step-start', id, title });
    try {
      const r = await fn();
      const status = ok(r) ? 'pass' : 'fail';
      const ms = Math.round(performance.now() - t);
      ctx.onProgress?.({ type: 'step-end', id, title, status, durationMs: ms });
      steps.push({ id, title, status, durationMs: ms });
      return r;
    } catch (e) {
      steps.push({ id, title, status: 'fail', durationMs: Math.round(performance.now() - t), detail: e instanceof Error ? e.message : String(e) });
      throw e;
    }
  };
  const data: ServicesData = { outcome: 'VERIFIED', order: p.selection.order.map((u) => u.name), only: p.options.only ?? null, services: rows, assumed: [], failure: null };
  const finish = (): ServicesReport => {
    const findings: Finding[] = rows.map((r) => ({
      id: `service.${r.service}`, section: 'services', title: r.service, required: true, summary: `${r.app}: ${r.status}${r.release ? ` (${r.release})` : ''}`,
      status: r.status === 'verified' || r.status === 'serving' ? 'pass' : r.status === 'untouched' || r.status === 'planned' ? 'skipped' : r.status === 'rolled-back' ? 'warn' : 'fail',
    }));
    findings.push(...rows.flatMap((r) => r.handshakes), ...data.assumed.flatMap((r) => r.handshakes));
    return envelope(ctx, startedAt, t0, data, findings, steps);
  };

  // --only: the services it depends on must be serving now; otherwise nothing is changed.
  const only = p.deploys[0]?.unit;
  if (p.options.only && only) {
    for (const dep of p.selection.assumed) {
      const cur = await dependencyRelease(ctx, dep).catch(() => null);
      const direct = only.dependsOn.includes(dep.name);
      const hs = direct ? [await timed(`handshake.${only.name}.${dep.name}`, `${only.name} → ${dep.name}`, () => dependencyHandshake(ctx, only, dep), (f) => !failing(f))] : [];
      const serving = cur !== null && hs.every((f) => !failing(f));
      data.assumed.push(assumedRow(dep, cur?.release ?? null, serving ? 'serving' : 'not-serving', serving
        ? `assumed deployed: release ${cur?.release ?? '?'} is current${direct ? ` and answers ${only.name}` : ''}`
        : cur ? `release ${cur.release} is current but does not answer ${only.name}` : `no current release on ${host.display}`, hs));
    }
    const bad = data.assumed.find((a) => a.status === 'not-serving');
    if (bad) {
      data.outcome = 'BLOCKED';
      data.failure = { service: bad.service, stage: 'dependency', message: `--only ${only.name} assumes ${bad.service} is deployed and serving: ${bad.impact}` };
      for (const r of rows) { r.status = 'untouched'; r.impact = 'not deployed: a dependency it assumes is not serving'; }
      return finish();
    }
  }

  const switched: number[] = [];
  for (const [i, d] of p.deploys.entries()) {
    const row = rows[i] as ServiceRow;
    if (stopRequested?.()) {
      data.failure = { service: d.unit.name, stage: 'execution', message: 'interrupted before it started' };
      break;
    }
    const exec = await timed(`deploy.${d.unit.name}`, `deploy ${d.unit.name} (${d.unit.app})`, () => applyDeploy(ctx, d.prepared, stopRequested), (r) => r.data.outcome === 'SUCCESS');
    row.execution = exec;
    if (exec.data.outcome !== 'SUCCESS') {
      row.status = 'failed';
      data.failure = { service: d.unit.name, stage: 'execution', message: `${exec.data.outcome}: ${exec.data.failure?.message ?? 'the deploy did not complete'}${exec.data.outcome === 'REVERTED' ? ' (the deploy reverted itself to the previous release)' : ''}` };
      if (exec.data.outcome === 'REVERTED') row.status = 'rolled-back';
      break;
    }
    switched.push(i);
    const ver = await timed(`verify.${d.unit.name}`, `verify ${d.unit.name}`, () => verify(ctx, {
      app: d.unit.app, ...(d.unit.config.base_dir ? { baseDir: d.unit.config.base_dir } : {}), ...(p.options.windowMs ? { windowMs: p.options.windowMs } : {}),
    }), (r) => r.data.verdict === 'VERIFIED');
    row.verification = ver;
    for (const depName of d.unit.dependsOn) {
      const dep = byName.get(depName) as ServiceUnit;
      row.handshakes.push(await timed(`handshake.${d.unit.name}.${depName}`, `${d.unit.name} → ${depName}`, () => dependencyHandshake(ctx, d.unit, dep), (f) => !failing(f)));
    }
    const badHandshake = row.handshakes.find(failing);
    if (ver.data.verdict !== 'VERIFIED' || badHandshake) {
      row.status = 'failed';
      data.failure = ver.data.verdict !== 'VERIFIED'
        ? { service: d.unit.name, stage: 'verification', message: `FAILED: ${ver.data.reasons.slice(0, 3).join('; ')}` }
        : { service: d.unit.name, stage: 'handshake', message: `${badHandshake?.title ?? ''}: ${badHandshake?.summary ?? ''}` };
      break;
    }
    row.status = 'verified';
  }
  if (!data.failure) return finish();

  // Stop: later services are untouched; what this run switched goes back, the latest first.
  const stoppedAt = rows.findIndex((r) => r.service === data.failure?.service);
  for (const r of rows.slice(stoppedAt + 1)) { r.status = 'untouched'; r.release = null; r.execution = null; r.impact = `not deployed: the rollout stopped at ${data.failure.service}`; }
  if (rows[stoppedAt]?.status === 'planned') { const r = rows[stoppedAt] as ServiceRow; r.status = 'untouched'; r.release = null; r.execution = null; }
  for (const i of [...switched].reverse()) {
    const row = rows[i] as ServiceRow;
    const d = p.deploys[i] as PreparedServices['deploys'][number];
    if (!row.previousRelease) {
      row.status = 'failed';
      row.undo = `first release: nothing to roll back to; ${row.app} stays on ${row.release ?? '?'}`;
      continue;
    }
    try {
      const rb: ExecutionReport = await timed(`rollback.${d.unit.name}`, `roll back ${d.unit.name} to ${row.previousRelease}`, () => rollback(ctx, {
        app: d.unit.app, target: p.options.target, ...(d.unit.config.base_dir ? { baseDir: d.unit.config.base_dir } : {}), ...(p.options.pm2Bin ? { pm2Bin: p.options.pm2Bin } : {}),
      }), (r) => r.data.outcome === 'SUCCESS');
      row.rollback = rb;
      row.status = rb.data.outcome === 'SUCCESS' ? 'rolled-back' : 'failed';
    } catch (e) {
      row.status = 'failed';
      row.undo = `rollback could not run: ${e instanceof Error ? e.message : String(e)}`;
    }
  }
  // ROLLED_BACK only when nothing this run touched is left failed: every switched service serves its previous release.
  data.outcome = rows.some((r) => r.status === 'failed') ? 'FAILED' : 'ROLLED_BACK';
  return finish();
}
