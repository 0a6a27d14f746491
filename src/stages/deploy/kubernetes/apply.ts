// Applies a kubernetes plan: kubectl/helm run here under a local lock; a failure after the apply puts the recorded revisions back.
import { DeckhandError } from '../../../core/errors.js';
import type { RunContext } from '../../../core/context.js';
import { VERSION } from '../../../core/version.js';
import { readFileIfExistsCommand, writeFileCommand } from '../../../commands/fs.js';
import { SCHEMA_VERSION, type StepResult } from '../../../report/common.js';
import type { ExecutionData, ExecutionReport } from '../../../report/execution.js';
import { Applier, finding, operator, planSteps } from '../apply.js';
import { parseLedger, withDeployed, withFailed } from '../ledger.js';
import { acquireLock, releaseLock } from '../lock.js';
import type { Plan, Step } from '../types.js';
import { hasRevisions, readRevisions, restoreRevisions } from './revisions.js';
import { verifyThroughService } from './verify-service.js';
import { ledgerFingerprint } from './plan.js';
import type { KubePlan, KubeRevisions } from './types.js';

/** The ledger's text on this machine, or null when there is none yet. */
export async function readLedgerText(ctx: RunContext, path: string): Promise<string | null> {
  const r = await ctx.executor.run(readFileIfExistsCommand(path));
  if (r.exitCode === 3) return null;
  if (r.failed) throw new DeckhandError('internal', `could not read the ledger ${path}: ${r.stderr.trim()}`, { hint: 'check its permissions' });
  return r.rawStdout ?? r.stdout;
}

/** Runs `fn` as a step: progress events and a step result, failures as a message. */
export async function asStep(ctx: RunContext, results: StepResult[], step: Step, fn: () => Promise<string | null>): Promise<string | null> {
  const t0 = performance.now();
  ctx.onProgress?.({ type: 'step-start', id: step.id, title: step.title });
  let err: string | null;
  try { err = await fn(); } catch (e) { err = e instanceof Error ? e.message : String(e); }
  const durationMs = Math.round(performance.now() - t0);
  const status = err ? 'fail' as const : 'pass' as const;
  const detail = err ? ctx.redactor.mask(err) : undefined;
  results.push({ id: step.id, title: step.title, status, durationMs, ...(detail ? { detail } : {}) });
  ctx.onProgress?.({ type: 'step-end', id: step.id, title: step.title, status, durationMs, ...(detail ? { detail } : {}) });
  return detail ?? null;
}

/** The verify-service step: GETs through the port-forward its action starts; the outcome recorded as a command. */
export async function runVerifyService(ctx: RunContext, applier: Applier, step: Step, k: KubePlan): Promise<string | null> {
  const forward = step.actions[0]?.type === 'local-run' ? step.actions[0].command : null;
  return asStep(ctx, applier.stepResults, step, async () => {
    if (!forward) return 'the plan has no port-forward command';
    const v = await verifyThroughService(ctx, forward, k);
    applier.executed.push({ step: step.id, command: `${v.forward} + GET ${v.url}`, exitCode: v.ok ? 0 : 1, durationMs: 0, attempts: 1, timedOut: false, output: ctx.redactor.mask(v.detail) });
    return v.ok ? null : `verification through svc/${k.service} failed: ${v.detail}`;
  });
}

export interface KubeApplyOptions { stopRequested?: () => boolean }

export async function applyKubernetesPlan(ctx: RunContext, plan: Plan, opts: KubeApplyOptions = {}): Promise<ExecutionReport> {
  const k: KubePlan | undefined = plan.kubernetes;
  if (!k) throw new DeckhandError('internal', 'a kubernetes plan without its kubernetes settings');
  if (ctx.executor.host.kind !== 'local') {
    throw new DeckhandError('usage', 'kubernetes deploys run kubectl on this machine; the cluster is chosen by kubernetes.context, not by a target', { hint: 'run `deckhand deploy` without a target (or with `local`)' });
  }
  const startedAt = ctx.now?.() ?? new Date();
  const t0 = performance.now();
  const applier = new Applier(ctx, plan, { envContent: null, remoteEnvFile: null, baseOverride: null });
  const state = plan.steps.find((s) => s.id === 'state');
  if (state) {
    const err = await applier.runBestEffort(state.id, state.title, state.actions);
    if (err) throw new DeckhandError('internal', `could not create ${plan.layout.base}: ${err}`, { hint: 'check the permissions of your home directory' });
  }
  const lock = await acquireLock(ctx, plan.lockPath, `deploy ${plan.releaseId}`);
  const data: ExecutionData = {
    outcome: 'FAILED', operation: 'deploy', app: plan.app, strategy: plan.strategy, planId: plan.id, releaseId: plan.releaseId,
    commit: plan.commit, dirty: plan.dirty, previousRelease: plan.previousRelease, base: plan.layout.base,
    plan: planSteps(plan), commands: applier.executed, filesTouched: [plan.ledgerPath],
    runtime: { status: 'not-started', detail: 'nothing was applied' }, handoff: null, rollbackEntry: plan.rollbackEntry, failure: null,
    lockRecovered: lock.recovered ? `stale lock of ${lock.recovered.owner} (pid ${lock.recovered.pid}, ${lock.recovered.operation}) taken over` : null,
    pruned: [], warnings: [...plan.warnings], envNames: [], journal: `${plan.journalDir}/${plan.releaseId}.json`,
  };
  const results = applier.stepResults;
  try {
    // Under the lock, the ledger must still be what the plan was made against.
    const ledgerText = await readLedgerText(ctx, plan.ledgerPath);
    if (ledgerFingerprint(ledgerText) !== plan.stateFingerprint) {
      throw new DeckhandError('usage', `the ledger ${plan.ledgerPath} changed since plan ${plan.id} was made (another deploy or rollback)`, { hint: 'make a new plan (deckhand deploy --plan) and review it again' });
    }
    let ledger = parseLedger(ledgerText, plan.app).ledger;
    let before: KubeRevisions | null = null;
    let failed: { step: Step; message: string } | null = null;
    for (const step of plan.steps) {
      if (step.id === 'state') continue;
      if (step.id === 'ledger') break;
      if (opts.stopRequested?.()) { failed = { step, message: 'interrupted by the operator before this step' }; break; }
      let err: string | null;
      if (step.id === 'rollback-point') {
        err = await asStep(ctx, results, step, async () => { before = await readRevisions(applier, step.id, k); return null; });
      } else if (step.id === 'verify-service') {
        err = await runVerifyService(ctx, applier, step, k);
      } else {
        err = await applier.runStep(step).then(() => null, (e: unknown) => (e instanceof Error ? e.message : String(e)));
      }
      if (err) { failed = { step, message: err }; break; }
    }
    if (failed && ctx.signal?.aborted) failed = { ...failed, message: `aborted by the operator during this step (second Ctrl-C): ${failed.message}` };
    const entry = { id: plan.releaseId, ...plan.ledgerEntry, deployedAt: startedAt.toISOString(), deployedBy: operator(), deckhandVersion: VERSION };
    if (failed) {
      let revert: string | null;
      let reverted: KubeRevisions | null = null;
      const prev = before as KubeRevisions | null;
      if (failed.step.phase === 'prepare') {
        revert = 'nothing was applied to the cluster';
        data.runtime = { status: plan.previousRelease ? 'running' : 'not-started', detail: plan.previousRelease ? `${plan.previousRelease} untouched` : 'nothing deployed' };
      } else if (hasRevisions(prev)) {
        const title = `Put back ${prev.helm !== null ? `Helm revision ${prev.helm}` : Object.entries(prev.deployments).map(([d, n]) => `deployment/${d} revision ${n}`).join(', ')}`;
        const err = await asStep(ctx, results, { id: 'revert', title, phase: 'finalize', destructive: true, actions: [] }, () => restoreRevisions(applier, 'revert', k, prev));
        revert = err ? `revert FAILED: ${err}` : `reverted: ${title.replace(/^Put back /, '')} restored and rolled out`;
        // The undo gave the restored ReplicaSets new revision numbers: the serving release's entry must carry them, or a later rollback to it finds none.
        if (!err) reverted = await readRevisions(applier, 'revert', k).catch(() => null);
        data.outcome = err ? 'FAILED' : 'REVERTED';
        data.runtime = err ? { status: 'unknown', detail: err } : { status: 'running', detail: `${plan.previousRelease ?? 'the previous revision'} serving after the revert` };
      } else {
        revert = `first release: nothing to roll back to; the objects are left in ${k.target.namespace} for inspection`;
        data.runtime = { status: 'unknown', detail: 'the first release failed; its objects were left as applied' };
      }
      data.failure = { step: failed.step.id, message: failed.message, revert };
      ledger = withFailed(ledger, entry, failed.message);
      const now = reverted as KubeRevisions | null;
      if (now && plan.previousRelease) {
        ledger = { ...ledger, releases: ledger.releases.map((r) => (r.id === plan.previousRelease && r.kubernetes ? { ...r, kubernetes: { ...now, image: r.kubernetes.image } } : r)) };
      }
    } else {
      let after: KubeRevisions | null = null;
      const err = await readRevisions(applier, 'ledger', k).then((r) => { after = r; return null; }, (e: unknown) => (e instanceof Error ? e.message : String(e)));
      if (err) data.warnings.push(`the new revisions could not be read (${err}): rollback to this release will not be possible`);
      ledger = withDeployed(ledger, { ...entry, ...(after ? { kubernetes: after } : {}) });
      data.outcome = 'SUCCESS';
      data.runtime = { status: 'running', detail: applier.executed.filter((c) => c.step === 'verify-service').at(-1)?.output ?? 'rolled out' };
      data.handoff = { ...plan.handoff, base: plan.layout.base, target: plan.target };
    }
    const w = await applier.runBestEffort('ledger', `Record ${plan.releaseId} in the ledger`, [{ type: 'write', path: plan.ledgerPath, mode: '0644', content: `${JSON.stringify(ledger, null, 2)}\n`, sudo: false }]);
    if (w) data.warnings.push(`the ledger could not be written: ${w}`);
  } finally {
    if (k.stageDir) await applier.localFailed({ argv: ['rm', '-rf', '--', k.stageDir], mutates: true, timeoutMs: 60_000 });
    const journal = { plan, commands: applier.executed, steps: applier.stepResults, outcome: data.outcome, failure: data.failure };
    await ctx.executor.run({ ...writeFileCommand(data.journal ?? `${plan.journalDir}/${plan.releaseId}.json`, '0600'), stdin: ctx.redactor.mask(JSON.stringify(journal, null, 2)) }).catch(() => undefined);
    if (!(await releaseLock(ctx, lock).catch(() => false))) data.warnings.push(`the deploy lock ${plan.lockPath} could not be released; remove it by hand once no deploy runs`);
  }
  const report: ExecutionReport = {
    schemaVersion: SCHEMA_VERSION, tool: { name: 'deckhand', version: VERSION }, stage: 'execution', status: data.outcome === 'SUCCESS' ? 'ok' : 'failed',
    target: { kind: 'local', display: plan.target }, startedAt: startedAt.toISOString(), durationMs: Math.round(performance.now() - t0),
    findings: [
      data.outcome === 'SUCCESS'
        ? finding('deploy.outcome', 'Deployment', 'pass', `${plan.releaseId} is live (kubernetes, ${k.imageRef}) and answered through svc/${k.service}`)
        : finding('deploy.outcome', 'Deployment', 'fail', `${data.outcome}: ${data.failure?.message ?? 'failed'}`, data.failure?.revert ?? undefined),
      ...(data.lockRecovered ? [finding('deploy.lock', 'Stale lock', 'warn', data.lockRecovered)] : []),
      ...data.warnings.map((w, i) => finding(`deploy.warning.${i + 1}`, 'Warning', 'warn', w)),
    ],
    steps: applier.stepResults, data,
  };
  return ctx.redactor.maskDeep(report);
}
