// `deckhand rollback --strategy kubernetes`: the recorded revisions of an earlier release put back (rollout undo / helm rollback), under the local lock.
import { DeckhandError } from '../../../core/errors.js';
import type { RunContext } from '../../../core/context.js';
import { VERSION } from '../../../core/version.js';
import { SCHEMA_VERSION } from '../../../report/common.js';
import type { ExecutionData, ExecutionReport } from '../../../report/execution.js';
import { Applier, planSteps } from '../apply.js';
import { currentRelease, knownGood, parseLedger, withRolledBack, type Ledger, type LedgerEntry } from '../ledger.js';
import { acquireLock, releaseLock } from '../lock.js';
import type { Plan } from '../types.js';
import { readLedgerText } from './apply.js';
import { kubePaths, ledgerFingerprint, VERIFY_WINDOW_SEC } from './plan.js';
import { readRevisions, restoreRevisions, hasRevisions } from './revisions.js';
import type { KubePlan, KubeSpec } from './types.js';

export interface KubeRollbackOptions { app: string; kube: KubeSpec; to?: string; healthPath?: string | null }

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
    imageRef: to.image, service: k.service, servicePort: k.servicePort, healthPath: opts.healthPath ?? null, rolloutTimeoutSec: k.rolloutTimeoutSec, verifyWindowSec: VERIFY_WINDOW_SEC, stageDir: null,
  };
  const what = to.helm !== null && k.mode === 'helm' ? `Helm revision ${to.helm} of ${k.helm?.release ?? '?'}` : Object.entries(to.deployments).map(([d, n]) => `deployment/${d} revision ${n}`).join(', ');
  const target = `kubernetes:${k.target.context}/${k.target.namespace}`;
  const plan: Plan = {
    schemaVersion: 1, kind: 'deckhand-plan', id: ledgerFingerprint(`${ledgerText ?? ''}${entry.id}`).slice(0, 12), createdAt: startedAt.toISOString(), target, app: opts.app,
    strategy: 'kubernetes', releaseId: entry.id, previousRelease: current?.id ?? null, commit: entry.commit, dirty: entry.dirty,
    layout: { base: k.stateDir, current: '', envFile: '' }, stateFingerprint: ledgerFingerprint(ledgerText), stateSummary: {}, useSudo: false,
    steps: [{ id: 'restore', title: `Put back ${what} (${to.image})`, phase: 'switch', destructive: true, actions: [],
      impact: `${opts.app} rolls its pods back to ${to.image}`, undo: current ? `deckhand rollback --strategy kubernetes --name ${opts.app} --to ${current.id}` : 'none',
      verify: k.mode === 'helm' ? 'helm rollback --wait' : 'kubectl rollout status of each Deployment' }],
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
    const t1 = performance.now();
    ctx.onProgress?.({ type: 'step-start', id: 'restore', title: plan.steps[0]?.title ?? 'restore' });
    const err = await restoreRevisions(applier, 'restore', kube, to);
    const durationMs = Math.round(performance.now() - t1);
    applier.stepResults.push({ id: 'restore', title: plan.steps[0]?.title ?? 'restore', status: err ? 'fail' : 'pass', durationMs, ...(err ? { detail: err } : {}) });
    ctx.onProgress?.({ type: 'step-end', id: 'restore', title: plan.steps[0]?.title ?? 'restore', status: err ? 'fail' : 'pass', durationMs });
    if (err) {
      data.failure = { step: 'restore', message: err, revert: null };
      data.runtime = { status: 'unknown', detail: err };
    } else {
      // rollout undo gives the restored ReplicaSet a new revision number: the ledger records the one it has now.
      const now = await readRevisions(applier, 'ledger', kube).catch(() => null);
      const next = withRolledBack(ledger, entry.id);
      const updated: Ledger = now ? { ...next, releases: next.releases.map((r) => (r.id === entry.id ? { ...r, kubernetes: { ...now, image: to.image } } : r)) } : next;
      if (!now) data.warnings.push('the revisions after the rollback could not be read: the ledger keeps the old numbers');
      data.outcome = 'SUCCESS';
      data.runtime = { status: 'running', detail: `${what} rolled out` };
      data.handoff = { ...plan.handoff, base: k.stateDir, target };
      const w = await applier.runBestEffort('ledger', 'Update the ledger', [{ type: 'write', path: paths.ledger, mode: '0644', content: `${JSON.stringify(updated, null, 2)}\n`, sudo: false }]);
      if (w) data.warnings.push(`the ledger could not be written: ${w}`);
    }
  } finally {
    if (!(await releaseLock(ctx, lock).catch(() => false))) data.warnings.push(`the lock ${paths.lock} could not be released`);
  }
  const report: ExecutionReport = {
    schemaVersion: SCHEMA_VERSION, tool: { name: 'deckhand', version: VERSION }, stage: 'execution', status: data.outcome === 'SUCCESS' ? 'ok' : 'failed',
    target: { kind: 'local', display: target }, startedAt: startedAt.toISOString(), durationMs: Math.round(performance.now() - t0),
    findings: [data.outcome === 'SUCCESS'
      ? { id: 'rollback.outcome', section: 'Execution', title: 'Rollback', status: 'pass', required: true, summary: `${entry.id} (${to.image}) is current again and rolled out` }
      : { id: 'rollback.outcome', section: 'Execution', title: 'Rollback', status: 'fail', required: true, summary: data.failure?.message ?? 'failed' }],
    steps: applier.stepResults, data,
  };
  return ctx.redactor.maskDeep(report);
}
