// Several hosts per app: plan every host in parallel, take every host's lock, build once, then roll out batch by batch (canary first), each batch verified before the next; a failure stops the rollout and rolls back the hosts it switched.
import { rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { DeckhandError } from '../../../core/errors.js';
import type { RunContext, ProgressEvent } from '../../../core/context.js';
import { mapLimited } from '../../../core/map-limited.js';
import { VERSION } from '../../../core/version.js';
import { LocalExecutor } from '../../../exec/local.js';
import type { Finding, StepResult } from '../../../report/common.js';
import { SCHEMA_VERSION } from '../../../report/common.js';
import type { ExecutionReport } from '../../../report/execution.js';
import type { FleetData, FleetHostRow, FleetReport } from '../../../report/fleet.js';
import type { BriefData } from '../../../report/brief.js';
import type { ReadinessReport } from '../../../report/readiness.js';
import { discover } from '../../discover/index.js';
import { isGitUrl, openSource } from '../../discover/source.js';
import { checkReadiness } from '../../readiness/index.js';
import { deployCheckOptions } from '../../readiness/deploy-requirements.js';
import { verify } from '../../verify/index.js';
import { Applier, applyPlan, takePlanLock } from '../apply.js';
import { prepareDeploy, type DeployOptions, type PreparedDeploy } from '../index.js';
import { releaseLock, type LockHandle } from '../lock.js';
import { planReport } from '../plan-report.js';
import { rollback } from '../rollback.js';
import { planBatches, type BatchSize } from './batches.js';
import { shareLocalBuild, type SharedBuild } from './shared-build.js';

/** One host of the fleet: the target as given, and a context whose executor reaches it (its own SSH connection). */
export interface FleetHost { target: string; ctx: RunContext }

export interface FleetOptions {
  /** What is deployed, as for one host (the target is each host's). */
  deploy: Omit<DeployOptions, 'target'>;
  hosts: FleetHost[];
  batch: BatchSize;
  /** The batch as the user wrote it (for the report). */
  batchText: string;
  canary: number;
  windowMs: number;
  canaryWindowMs: number;
  /** Hosts worked on at once. */
  parallel: number;
}

export interface PreparedFleet {
  options: FleetOptions;
  /** One prepared deploy per host, in the order given, with the host's readiness. */
  deploys: { host: FleetHost; prepared: PreparedDeploy; readiness: ReadinessReport }[];
  /** Host indexes per batch, in rollout order. */
  batches: number[][];
  build: SharedBuild | null;
  cleanup: () => Promise<void>;
}

/** Progress of one host, named so that the lines of hosts working at once can be told apart. */
function hostProgress(ctx: RunContext, host: string): RunContext {
  const on = ctx.onProgress;
  if (!on) return ctx;
  return { ...ctx, onProgress: (e: ProgressEvent) => on({ ...e, id: `${host}:${e.id}`, title: `${host}: ${e.title}` }) };
}

/** Refuses what a fleet cannot do, before anything is read from a host. */
function refuse(opts: FleetOptions): void {
  if (opts.hosts.length === 0) throw new DeckhandError('usage', 'no host to deploy to', { hint: 'name the hosts with --to HOST (repeatable) or hosts: in deckhand.yml' });
  const seen = new Set<string>();
  for (const h of opts.hosts) {
    if (h.ctx.executor.host.kind === 'local') throw new DeckhandError('usage', `${h.target}: a fleet is of remote hosts; this machine cannot be one of them`, { hint: 'deploy here with `deckhand deploy` and no --to' });
    const key = h.ctx.executor.host.display;
    if (seen.has(key)) throw new DeckhandError('usage', `${key} is named twice in the fleet`, { hint: 'name each host once' });
    seen.add(key);
  }
  if (opts.parallel < 1) throw new DeckhandError('usage', '--parallel must be at least 1');
}

/** Plans every host (in parallel, one round trip each) against one discovery and one release id. Changes nothing. */
export async function prepareFleet(ctx: RunContext, opts: FleetOptions): Promise<PreparedFleet> {
  refuse(opts);
  const batches = planBatches(opts.hosts.map((_, i) => i), opts.batch, opts.canary);
  const local: RunContext = { executor: new LocalExecutor(ctx.redactor, ctx.signal), redactor: ctx.redactor };
  const cloned = isGitUrl(opts.deploy.source) ? await openSource(local, opts.deploy.source) : null;
  const deploys: PreparedFleet['deploys'] = [];
  const cleanup = async (): Promise<void> => {
    for (const d of deploys) await d.prepared.cleanup();
    await cloned?.cleanup();
  };
  try {
    const source = cloned ? cloned.root : resolve(opts.deploy.source);
    // One discovery for all hosts, and one moment: every host's release gets the same id (unless a host already has it).
    const brief: BriefData | null = opts.deploy.brief ?? (opts.deploy.briefFile ? null
      : (await discover(local, source, opts.deploy.appDir ? { app: opts.deploy.appDir } : {})).data);
    const now = ctx.now?.() ?? new Date();
    const prepared = await mapLimited(opts.hosts, opts.parallel, async (host) => {
      const hctx = { ...hostProgress(host.ctx, host.ctx.executor.host.display), now: () => now };
      const t = performance.now();
      hctx.onProgress?.({ type: 'step-start', id: 'plan', title: 'read the host and plan' });
      const p = await prepareDeploy(hctx, { ...opts.deploy, source, target: host.target, ...(brief ? { brief } : {}) });
      hctx.onProgress?.({ type: 'step-end', id: 'plan', title: 'read the host and plan', status: 'pass', durationMs: Math.round(performance.now() - t) });
      try {
        const { plan } = p;
        const readiness = await checkReadiness(hctx, deployCheckOptions({
          brief: p.brief, strategy: plan.strategy, build: opts.deploy.build ?? p.spec.build, port: plan.handoff.port, hasCurrent: plan.previousRelease !== null, app: plan.app, baseDir: plan.layout.base,
        }));
        return { host, prepared: p, readiness };
      } catch (e) {
        await p.cleanup();
        throw e;
      }
    });
    deploys.push(...prepared);
    const strategy = deploys[0]?.prepared.plan.strategy;
    if (strategy === 'kubernetes' || strategy === 'swarm') {
      throw new DeckhandError('usage', `${strategy} deploys to a cluster, which spreads the app over its nodes itself: name one ${strategy === 'swarm' ? 'swarm manager' : 'cluster context'}, not a list of hosts`, {
        hint: strategy === 'swarm' ? 'deploy once to a manager: `deckhand deploy MANAGER --strategy swarm` (swarm.replicas sets how many tasks run)' : 'deploy with `deckhand deploy --strategy kubernetes` and no target',
      });
    }
    const build = shareLocalBuild(deploys.map((d) => d.prepared.plan));
    if (build) deploys.forEach((d, i) => { d.prepared.plan = build.plans[i] ?? d.prepared.plan; });
    return { options: opts, deploys, batches, build, cleanup };
  } catch (e) {
    await cleanup();
    throw e;
  }
}

function row(p: PreparedFleet, i: number): FleetHostRow {
  const d = p.deploys[i] as PreparedFleet['deploys'][number];
  const batch = p.batches.findIndex((b) => b.includes(i)) + 1;
  const { plan } = d.prepared;
  return {
    host: d.host.ctx.executor.host.display, target: d.host.target, batch, canary: p.options.canary > 0 && batch === 1,
    release: plan.releaseId, previousRelease: plan.previousRelease, status: 'planned',
    summary: `batch ${batch}: switches ${plan.app} to ${plan.releaseId}; current now: ${plan.previousRelease ?? 'none (first release)'}`,
    durationMs: null, readiness: { verdict: d.readiness.data.verdict, findings: d.readiness.findings.filter((f) => f.status !== 'pass' && f.status !== 'skipped') },
    execution: null, verification: null, rollback: null,
  };
}

function fleetData(p: PreparedFleet, rows: FleetHostRow[], outcome: FleetData['outcome']): FleetData {
  const plans = p.deploys.map((d) => d.prepared.plan);
  const first = plans[0];
  const ids = new Set(plans.map((x) => x.releaseId));
  const inImage = ['docker', 'compose'].includes(first?.strategy ?? '') || first?.steps.some((s) => s.id === 'image') === true;
  return {
    outcome, app: first?.app ?? '?', strategy: first?.strategy ?? '?', release: ids.size === 1 ? (first?.releaseId ?? null) : null,
    batchSize: p.options.batchText, canary: p.options.canary, windowMs: p.options.windowMs,
    canaryWindowMs: p.options.canary > 0 ? p.options.canaryWindowMs : null, parallel: p.options.parallel,
    batches: p.batches.map((b) => b.map((i) => rows[i]?.host ?? '?')),
    build: { where: p.build ? 'local' : inImage ? 'image' : 'target', shared: p.build !== null, title: p.build?.step.title ?? null, durationMs: null },
    lock: `every host's deploy lock (${first?.lockPath ?? '?'}), taken before any host changes and held until the rollout ends`,
    hosts: rows, failure: null,
  };
}

const STATUS = { PLANNED: 'planned', VERIFIED: 'verified', ROLLED_BACK: 'rolled-back', FAILED: 'failed', BLOCKED: 'blocked' } as const;

function envelope(ctx: RunContext, startedAt: Date, t0: number, data: FleetData, steps: StepResult[]): FleetReport {
  const findings: Finding[] = data.hosts.map((r) => ({
    id: `fleet.${r.host}`, section: `batch ${r.batch}`, title: r.host, required: true, summary: `${r.status}: ${r.summary}`,
    status: r.status === 'verified' ? 'pass' : r.status === 'planned' || r.status === 'untouched' ? 'skipped' : r.status === 'failed' ? 'fail' : 'warn',
  }));
  return ctx.redactor.maskDeep({
    schemaVersion: SCHEMA_VERSION, tool: { name: 'deckhand', version: VERSION }, stage: 'fleet', status: STATUS[data.outcome],
    target: { kind: 'ssh', display: `${data.hosts.length} hosts` }, startedAt: startedAt.toISOString(),
    durationMs: Math.round(performance.now() - t0), findings, steps, data,
  } satisfies FleetReport);
}

/** The rollout as a report that changes nothing: batches, and per host its plan. */
export function fleetPlanReport(ctx: RunContext, p: PreparedFleet, durationMs: number): FleetReport {
  const rows = p.deploys.map((d, i) => ({ ...row(p, i), execution: planReport(d.prepared.plan, d.host.ctx.executor.host, durationMs) }));
  const steps: StepResult[] = p.deploys.flatMap((d) => d.prepared.plan.warnings.map((w, i) => ({ id: `plan.${d.host.ctx.executor.host.display}.warning.${i + 1}`, title: w, status: 'warn' as const, durationMs: 0 })));
  return envelope(ctx, ctx.now?.() ?? new Date(), performance.now() - durationMs, fleetData(p, rows, 'PLANNED'), steps);
}

/** Takes every host's deploy lock, or none: a held lock anywhere gives back those taken and refuses the rollout. */
async function lockFleet(p: PreparedFleet, operation: string): Promise<LockHandle[]> {
  const taken = await Promise.allSettled(p.deploys.map((d) => takePlanLock(d.host.ctx, d.prepared.plan, operation)));
  const refused = taken.flatMap((t, i) => (t.status === 'rejected' ? [{ i, e: t.reason as unknown }] : []));
  const held = taken.map((t) => (t.status === 'fulfilled' ? t.value : null));
  if (refused.length === 0) return held as LockHandle[];
  await Promise.all(held.map((h, i) => (h ? releaseLock((p.deploys[i] as PreparedFleet['deploys'][number]).host.ctx, h).catch(() => false) : null)));
  const why = refused.map(({ i, e }) => `${p.deploys[i]?.host.ctx.executor.host.display}: ${e instanceof Error ? e.message : String(e)}`);
  throw new DeckhandError('usage', `the fleet lock could not be taken, so no host was changed: ${why.join('; ')}`, {
    hint: 'wait for the other deploy to finish; if you are sure it is dead, run `deckhand lock release` for that host',
  });
}

/** Runs the shared build here once; its staging folder is removed when the rollout ends. */
async function buildOnce(ctx: RunContext, p: PreparedFleet, steps: StepResult[]): Promise<string | null> {
  if (!p.build) return null;
  const local: RunContext = { executor: new LocalExecutor(ctx.redactor, ctx.signal), redactor: ctx.redactor, ...(ctx.onProgress ? { onProgress: ctx.onProgress } : {}) };
  const first = p.deploys[0] as PreparedFleet['deploys'][number];
  const applier = new Applier(local, first.prepared.plan, { envContent: null, remoteEnvFile: null, baseOverride: null });
  applier.localRsync = !(await applier.localFailed({ argv: ['sh', '-c', 'command -v rsync'], mutates: false, timeoutMs: 10_000 }));
  try {
    await applier.runStep(p.build.step);
    steps.push(...applier.stepResults);
    return null;
  } catch (e) {
    steps.push(...applier.stepResults);
    return e instanceof Error ? e.message : String(e);
  }
}

type HostResult = { ok: boolean; stage: 'execution' | 'verification'; message: string };

/** Deploys one host of a batch and verifies it; fills its row. */
async function deployHost(p: PreparedFleet, i: number, r: FleetHostRow, heldLock: LockHandle, windowMs: number, stop?: () => boolean): Promise<HostResult> {
  const d = p.deploys[i] as PreparedFleet['deploys'][number];
  const hctx = hostProgress(d.host.ctx, r.host);
  const t = performance.now();
  const exec: ExecutionReport = await applyPlan(hctx, d.prepared.plan, { ...d.prepared.inputs, heldLock, ...(stop ? { stopRequested: stop } : {}) });
  r.execution = exec;
  if (exec.data.outcome !== 'SUCCESS') {
    r.status = exec.data.outcome === 'REVERTED' ? 'reverted' : 'failed';
    r.summary = `${exec.data.outcome}: ${exec.data.failure?.message ?? 'the deploy did not complete'}${exec.data.failure?.revert ? ` (${exec.data.failure.revert})` : ''}`;
    r.durationMs = Math.round(performance.now() - t);
    return { ok: false, stage: 'execution', message: r.summary };
  }
  const ver = await verify(hctx, { app: d.prepared.plan.app, baseDir: d.prepared.plan.layout.base, windowMs });
  r.verification = ver;
  r.durationMs = Math.round(performance.now() - t);
  if (ver.data.verdict !== 'VERIFIED') {
    r.status = 'failed';
    r.summary = `deployed ${exec.data.releaseId}, then verification ${ver.data.verdict}: ${ver.data.reasons.slice(0, 3).join('; ')}`;
    return { ok: false, stage: 'verification', message: r.summary };
  }
  r.status = 'verified';
  r.summary = `${exec.data.releaseId} serving, VERIFIED over ${Math.round(windowMs / 1000)} s`;
  return { ok: true, stage: 'verification', message: '' };
}

/** Rolls back every host this run switched (its deploy succeeded), in parallel; fills their rows. */
async function rollBackSwitched(p: PreparedFleet, rows: FleetHostRow[], switched: number[], locks: LockHandle[]): Promise<void> {
  await mapLimited(switched, p.options.parallel, async (i) => {
    const r = rows[i] as FleetHostRow;
    const d = p.deploys[i] as PreparedFleet['deploys'][number];
    const was = r.status;
    if (!r.previousRelease) {
      r.status = 'failed';
      r.summary = `${r.summary}; first release on this host: nothing to roll back to, it stays on ${r.release ?? '?'}`;
      return;
    }
    try {
      const rb = await rollback(hostProgress(d.host.ctx, r.host), {
        app: d.prepared.plan.app, target: d.host.target, baseDir: d.prepared.plan.layout.base, to: r.previousRelease, heldLock: locks[i] as LockHandle,
      });
      r.rollback = rb;
      r.status = rb.data.outcome === 'SUCCESS' ? 'rolled-back' : 'failed';
      r.summary = rb.data.outcome === 'SUCCESS'
        ? `${was === 'verified' ? `was VERIFIED on ${r.release ?? '?'}` : r.summary}; rolled back to ${r.previousRelease} because the rollout stopped`
        : `${r.summary}; rollback to ${r.previousRelease} ${rb.data.outcome}: ${rb.data.failure?.message ?? ''}`;
    } catch (e) {
      r.status = 'failed';
      r.summary = `${r.summary}; rollback could not run: ${e instanceof Error ? e.message : String(e)}`;
    }
  });
}

/** Rolls out batch by batch; never throws for a host's failure (the report says it), throws when the fleet lock is held. */
export async function applyFleet(ctx: RunContext, p: PreparedFleet, stopRequested?: () => boolean): Promise<FleetReport> {
  const startedAt = ctx.now?.() ?? new Date();
  const t0 = performance.now();
  const steps: StepResult[] = [];
  const rows = p.deploys.map((_, i) => row(p, i));
  const data = fleetData(p, rows, 'VERIFIED');
  const plan0 = p.deploys[0]?.prepared.plan;
  // A host that is NOT READY blocks the rollout before any lock is taken: half a fleet on a new release is worse than none.
  const notReady = rows.filter((r) => r.readiness?.verdict === 'NOT READY');
  if (notReady.length > 0) {
    data.outcome = 'BLOCKED';
    const blocking = (r: FleetHostRow): Finding[] => (r.readiness?.findings ?? []).filter((f) => f.status === 'fail' || f.status === 'block' || (f.status === 'unknown' && f.required));
    data.failure = { host: notReady[0]?.host ?? null, batch: null, stage: 'readiness', message: `NOT READY: ${notReady.map((r) => `${r.host} (${blocking(r).map((f) => `${f.title}: ${f.summary}`).join('; ')})`).join('; ')}; no host was changed` };
    for (const r of rows) { r.status = 'untouched'; r.release = null; r.summary = r.readiness?.verdict === 'NOT READY' ? `NOT READY: ${blocking(r).map((f) => `${f.title}: ${f.summary}`).join('; ')}` : 'not deployed: another host is NOT READY'; }
    return envelope(ctx, startedAt, t0, data, steps);
  }
  const locks = await lockFleet(p, `fleet deploy ${plan0?.releaseId ?? ''} (${p.deploys.length} hosts)`);
  const switched: number[] = [];
  try {
    const tb = performance.now();
    const buildError = await buildOnce(ctx, p, steps);
    if (p.build) data.build.durationMs = Math.round(performance.now() - tb);
    if (buildError) data.failure = { host: null, batch: null, stage: 'build', message: `the build here failed, so no host was changed: ${buildError}` };
    for (const [b, batch] of p.batches.entries()) {
      if (data.failure) break;
      if (stopRequested?.()) { data.failure = { host: null, batch: b + 1, stage: 'interrupted', message: `interrupted by the operator before batch ${b + 1}` }; break; }
      const canary = p.options.canary > 0 && b === 0;
      const window = canary ? p.options.canaryWindowMs : p.options.windowMs;
      const tb2 = performance.now();
      ctx.onProgress?.({ type: 'step-start', id: `batch.${b + 1}`, title: `batch ${b + 1}${canary ? ' (canary)' : ''}: ${batch.map((i) => rows[i]?.host).join(', ')}` });
      const results = await mapLimited(batch, p.options.parallel, async (i) => {
        const res = await deployHost(p, i, rows[i] as FleetHostRow, locks[i] as LockHandle, window, stopRequested)
          .catch((e: unknown): HostResult => {
            const r = rows[i] as FleetHostRow;
            r.status = 'failed';
            r.summary = `the deploy could not run: ${e instanceof Error ? e.message : String(e)}`;
            return { ok: false, stage: 'execution', message: r.summary };
          });
        if (rows[i]?.execution?.data.outcome === 'SUCCESS') switched.push(i);
        return { i, res };
      });
      const bad = results.find((x) => !x.res.ok);
      const status = bad ? 'fail' : 'pass';
      const title = `batch ${b + 1}${canary ? ' (canary)' : ''}: ${batch.map((i) => rows[i]?.host).join(', ')}`;
      steps.push({ id: `batch.${b + 1}`, title, status, durationMs: Math.round(performance.now() - tb2) });
      ctx.onProgress?.({ type: 'step-end', id: `batch.${b + 1}`, title, status, durationMs: Math.round(performance.now() - tb2) });
      if (bad) data.failure = { host: rows[bad.i]?.host ?? null, batch: b + 1, stage: bad.res.stage, message: bad.res.message };
    }
    if (!data.failure) return envelope(ctx, startedAt, t0, data, steps);
    for (const r of rows) {
      if (r.status === 'planned') { r.status = 'untouched'; r.release = null; r.summary = `not deployed: the rollout stopped at batch ${data.failure.batch ?? 1}; ${r.previousRelease ?? 'nothing'} keeps serving`; }
    }
    const tr = performance.now();
    await rollBackSwitched(p, rows, switched.sort((a, b) => a - b), locks);
    if (switched.length > 0) steps.push({ id: 'rollback', title: `roll back ${switched.length} switched host(s)`, status: rows.some((r) => r.status === 'failed' && switched.includes(rows.indexOf(r))) ? 'fail' : 'pass', durationMs: Math.round(performance.now() - tr) });
    // ROLLED_BACK only when no host is left failed: each one this run touched serves its previous release again.
    data.outcome = rows.some((r) => r.status === 'failed') ? 'FAILED' : 'ROLLED_BACK';
    return envelope(ctx, startedAt, t0, data, steps);
  } finally {
    if (p.build) await rm(p.build.stage, { recursive: true, force: true }).catch(() => undefined);
    await Promise.all(locks.map((h, i) => releaseLock((p.deploys[i] as PreparedFleet['deploys'][number]).host.ctx, h).catch(() => false)));
  }
}
