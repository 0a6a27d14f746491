// `deckhand rollback --strategy kubernetes`: an earlier release's revisions put back, its rollout and Service checked like a deploy's, under the local lock.
import { DeckhandError } from '../../../core/errors.js';
import type { RunContext } from '../../../core/context.js';
import { VERSION } from '../../../core/version.js';
import { SCHEMA_VERSION } from '../../../report/common.js';
import type { ExecutionData, ExecutionReport } from '../../../report/execution.js';
import { Applier, planSteps } from '../apply.js';
import { helmRollbackCommand } from '../../../commands/helm.js';
import { rolloutUndoCommand } from '../../../commands/kubectl.js';
import { currentRelease, knownGood, parseLedger, withRolledBack, type Ledger, type LedgerEntry } from '../ledger.js';
import { acquireLock, releaseLock } from '../lock.js';
import type { Action, Plan, Step } from '../types.js';
import { readLedgerText, runVerifyService } from './apply.js';
import { kubePaths, ledgerFingerprint, readinessSteps, VERIFY_WINDOW_SEC } from './plan.js';
import { readRevisions, restoreRevisions, hasRevisions } from './revisions.js';
import type { KubePlan, KubeRevisions, KubeSpec } from './types.js';

export interface KubeRollbackOptions {
  app: string; kube: KubeSpec; to?: string; healthPath?: string | null;
  /** How long verification through the Service may take (default: a deploy's). */
  verifyWindowSec?: number;
}

/** The release to go back to: --to, else the newest known-good one before the current. It must carry recorded revisions. */
export function pickKubeTarget(ledger: Ledger, to: string | undefined): LedgerEntry {
  const current = currentRelease(ledger);
  if (to) {
    const e = ledger.releases.find((r) => r.id === to);
    if (!e) throw new DeckhandError('usage', `release ${to} is not in the ledger`, { hint: 'list releases with `deckhand releases`' });
    if (e.status === 'failed') throw new DeckhandError('usage', `release ${to} failed when it was deployed and never served`, { hint: 'pick a release that was current once' });
    if (current && e.id === current.id) throw new DeckhandError('usage', `release ${to} is already current`);
    if (!hasRevisions(e.kubernetes)) throw new DeckhandError('usage', `release ${to} has no recorded revision to return to`, { hint: 'deploy that commit again instead' });
    return e;
  }
  const idx = current ? ledger.releases.findIndex((r) => r.id === current.id) : ledger.releases.length;
  for (let i = idx - 1; i >= 0; i--) {
    const e = ledger.releases[i];
    // A release rolled back from is known bad: only --to brings it back on purpose.
    if (e && knownGood(e) && hasRevisions(e.kubernetes)) return e;
  }
  throw new DeckhandError('usage', 'there is no earlier release to roll back to', { hint: 'the ledger holds no restorable release older than the current one that was not rolled back from (`--to` picks one on purpose)' });
}

/**
 * The rollback's steps: put the recorded revisions back (helm rollback --wait, or rollout undo of each Deployment), then
 * the same waits as a deploy: rollout status within the rollout deadline and GETs through the Service.
 */
export function kubeRollbackSteps(k: KubePlan, to: KubeRevisions, title: string, undo: string): Step[] {
  const helm = k.mode === 'helm' && k.helmRelease && to.helm !== null ? { release: k.helmRelease, namespace: k.target.namespace, context: k.target.context } : null;
  const actions: Action[] = helm
    ? [{ type: 'local-run', command: helmRollbackCommand(helm, to.helm ?? 0, k.rolloutTimeoutSec) }]
    : Object.entries(to.deployments).map(([d, rev]) => ({ type: 'local-run', command: rolloutUndoCommand(k.target, d, rev) }));
  return [
    { id: 'restore', title, phase: 'switch', destructive: true, actions, impact: `the pods roll back to ${to.image}`, undo,
      verify: `kubectl rollout status of each Deployment within ${k.rolloutTimeoutSec}s, then GET through svc/${k.service}` },
    ...readinessSteps(k),
  ];
}

/**
 * The ledger after a rollback that did not become ready: statuses unchanged (the release rolled back from was put back, or
 * the cluster's state is unknown), the failure noted on both releases, and the revision numbers the undos gave them.
 */
export function withKubeRollbackFailed(l: Ledger, r: { to: string; from: string | null; at: string; message: string; restored: KubeRevisions | null; reverted: KubeRevisions | null }): Ledger {
  const note = `rollback to ${r.to} at ${r.at} failed: ${r.message}`;
  return {
    ...l,
    releases: l.releases.map((e) => {
      if (e.id === r.to) return { ...e, note, ...(r.restored && e.kubernetes ? { kubernetes: { ...r.restored, image: e.kubernetes.image } } : {}) };
      if (e.id === r.from) return { ...e, note, ...(r.reverted && e.kubernetes ? { kubernetes: { ...r.reverted, image: e.kubernetes.image } } : {}) };
      return e;
    }),
  };
}

export async function rollbackKubernetes(ctx: RunContext, opts: KubeRollbackOptions): Promise<ExecutionReport> {
  const startedAt = ctx.now?.() ?? new Date();
  const t0 = performance.now();
  const k = opts.kube;
  const paths = kubePaths(k.stateDir);
  const ledgerText = await readLedgerText(ctx, paths.ledger);
  const { ledger, error } = parseLedger(ledgerText, opts.app);
  if (error) throw new DeckhandError('config', `the release ledger ${paths.ledger} is corrupt: ${error}`, { hint: 'inspect it by hand; nothing was changed' });
  if (ledger.releases.length === 0) throw new DeckhandError('usage', `no ledger for ${opts.app} in ${k.target.context}/${k.target.namespace} (${paths.ledger})`, { hint: 'check --name, kubernetes.context and kubernetes.namespace' });
  const current = currentRelease(ledger);
  const entry = pickKubeTarget(ledger, opts.to);
  const to = entry.kubernetes;
  if (!to) throw new DeckhandError('internal', 'picked a release without revisions');
  const kube: KubePlan = {
    mode: k.mode, target: k.target, deployments: Object.keys(to.deployments).length > 0 ? Object.keys(to.deployments) : k.deployments, helmRelease: k.helm?.release ?? null,
    imageRef: to.image, service: k.service, servicePort: k.servicePort, healthPath: opts.healthPath ?? null, rolloutTimeoutSec: k.rolloutTimeoutSec, verifyWindowSec: opts.verifyWindowSec ?? VERIFY_WINDOW_SEC, stageDir: null,
  };
  const what = to.helm !== null && k.mode === 'helm' ? `Helm revision ${to.helm} of ${k.helm?.release ?? '?'}` : Object.entries(to.deployments).map(([d, n]) => `deployment/${d} revision ${n}`).join(', ');
  const target = `kubernetes:${k.target.context}/${k.target.namespace}`;
  const steps = kubeRollbackSteps(kube, to, `Put back ${what} (${to.image})`, current ? `deckhand rollback --strategy kubernetes --name ${opts.app} --to ${current.id}` : 'none');
  const plan: Plan = {
    schemaVersion: 1, kind: 'deckhand-plan', id: ledgerFingerprint(`${ledgerText ?? ''}${entry.id}`).slice(0, 12), createdAt: startedAt.toISOString(), target, app: opts.app,
    strategy: 'kubernetes', releaseId: entry.id, previousRelease: current?.id ?? null, commit: entry.commit, dirty: entry.dirty,
    layout: { base: k.stateDir, current: '', envFile: '' }, stateFingerprint: ledgerFingerprint(ledgerText), stateSummary: {}, useSudo: false, steps,
    handoff: { service: k.service, strategy: 'kubernetes', port: k.servicePort, healthPath: opts.healthPath ?? null, release: entry.id },
    rollbackEntry: current ? `deckhand rollback --strategy kubernetes --name ${opts.app} --to ${current.id}` : 'none', warnings: [], envNames: [], preLock: [],
    lockPath: paths.lock, ledgerPath: paths.ledger, journalDir: paths.journal, revert: [],
    ledgerEntry: { commit: entry.commit, dirty: entry.dirty, strategy: 'kubernetes', port: k.servicePort, healthPath: opts.healthPath ?? null, serviceUser: null },
    logsCommand: '', kubernetes: kube,
  };
  const applier = new Applier(ctx, plan, { envContent: null, remoteEnvFile: null, baseOverride: null });
  const lock = await acquireLock(ctx, paths.lock, `rollback to ${entry.id}`);
  const data: ExecutionData = {
    outcome: 'FAILED', operation: 'rollback', app: opts.app, strategy: 'kubernetes', planId: plan.id, releaseId: entry.id, commit: entry.commit, dirty: entry.dirty,
    previousRelease: current?.id ?? null, base: k.stateDir, plan: planSteps(plan), commands: applier.executed, filesTouched: [paths.ledger],
    runtime: { status: 'unknown', detail: '' }, handoff: null, rollbackEntry: plan.rollbackEntry, failure: null,
    lockRecovered: lock.recovered ? `stale lock of ${lock.recovered.owner} (pid ${lock.recovered.pid}) taken over` : null,
    pruned: [], warnings: [], envNames: [], journal: null,
  };
  try {
    let failed: { step: string; message: string } | null = null;
    // rollout undo gives the restored ReplicaSet a new revision number: the ledger records the one it has now.
    let restored: KubeRevisions | null = null;
    for (const step of steps) {
      const err = step.id === 'verify-service' ? await runVerifyService(ctx, applier, step, kube)
        : await applier.runStep(step).then(() => null, (e: unknown) => (e instanceof Error ? e.message : String(e)));
      if (step.id === 'restore' && !err) restored = await readRevisions(applier, 'restore', kube).catch(() => null);
      if (err) { failed = { step: step.id, message: err }; break; }
    }
    let updated: Ledger;
    if (failed) {
      const back = current?.kubernetes;
      let revert: string;
      let reverted: KubeRevisions | null = null;
      if (current && hasRevisions(back)) {
        const kb: KubePlan = { ...kube, deployments: Object.keys(back.deployments).length > 0 ? Object.keys(back.deployments) : kube.deployments, imageRef: back.image };
        const err = await restoreRevisions(applier, 'revert', kb, back);
        if (!err) reverted = await readRevisions(applier, 'revert', kb).catch(() => null);
        revert = err ? `putting ${current.id} back FAILED: ${err}` : `${current.id} (${back.image}) put back and rolled out`;
        data.runtime = err ? { status: 'unknown', detail: err } : { status: 'running', detail: `${current.id} serving again (it was current before the rollback)` };
      } else {
        revert = 'nothing recorded to put back: the cluster is left as the rollback made it';
        data.runtime = { status: 'unknown', detail: `${entry.id} did not become ready` };
      }
      data.failure = { step: failed.step, message: failed.message, revert };
      updated = withKubeRollbackFailed(ledger, { to: entry.id, from: current?.id ?? null, at: startedAt.toISOString(), message: `${failed.step}: ${failed.message}; ${revert}`, restored, reverted });
    } else {
      const next = withRolledBack(ledger, entry.id);
      updated = restored ? { ...next, releases: next.releases.map((r) => (r.id === entry.id ? { ...r, kubernetes: { ...restored, image: to.image } } : r)) } : next;
      if (!restored) data.warnings.push('the revisions after the rollback could not be read: the ledger keeps the old numbers');
      data.outcome = 'SUCCESS';
      data.runtime = { status: 'running', detail: applier.executed.filter((c) => c.step === 'verify-service').at(-1)?.output ?? `${what} rolled out` };
      data.handoff = { ...plan.handoff, base: k.stateDir, target };
    }
    const w = await applier.runBestEffort('ledger', 'Update the ledger', [{ type: 'write', path: paths.ledger, mode: '0644', content: `${JSON.stringify(updated, null, 2)}\n`, sudo: false }]);
    if (w) data.warnings.push(`the ledger could not be written: ${w}`);
  } finally {
    if (!(await releaseLock(ctx, lock).catch(() => false))) data.warnings.push(`the lock ${paths.lock} could not be released`);
  }
  const report: ExecutionReport = {
    schemaVersion: SCHEMA_VERSION, tool: { name: 'deckhand', version: VERSION }, stage: 'execution', status: data.outcome === 'SUCCESS' ? 'ok' : 'failed',
    target: { kind: 'local', display: target }, startedAt: startedAt.toISOString(), durationMs: Math.round(performance.now() - t0),
    findings: [data.outcome === 'SUCCESS'
      ? { id: 'rollback.outcome', section: 'Execution', title: 'Rollback', status: 'pass', required: true, summary: `${entry.id} (${to.image}) is current again, rolled out and answered through svc/${k.service}` }
      : { id: 'rollback.outcome', section: 'Execution', title: 'Rollback', status: 'fail', required: true, summary: `FAILED at ${data.failure?.step ?? '?'}: ${data.failure?.message ?? 'failed'}`, ...(data.failure?.revert ? { remedy: data.failure.revert } : {}) }],
    steps: applier.stepResults, data,
  };
  return ctx.redactor.maskDeep(report);
}
