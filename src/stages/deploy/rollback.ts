// `deckhand rollback`: restores a recorded release (code, env, unit/config) atomically, restarts, checks health, updates the ledger.
import { createHash } from 'node:crypto';
import { DeckhandError } from '../../core/errors.js';
import type { RunContext } from '../../core/context.js';
import { VERSION } from '../../core/version.js';
import { asRoot } from '../../commands/sudo.js';
import { restoreCommand, snapshotCommand, switchCurrentCommand } from '../../commands/release.js';
import { writeFileCommand } from '../../commands/fs.js';
import { parseSlotConfig, readSlotConfigCommand, slotConfigPath } from '../../commands/blue-green.js';
import { waitHealthyCommand } from '../../commands/health.js';
import { SCHEMA_VERSION } from '../../report/common.js';
import type { ExecutionData, ExecutionReport } from '../../report/execution.js';
import { Applier, planSteps } from './apply.js';
import { currentRelease, knownGood, parseLedger, restartStamp, withRolledBack, type LedgerEntry } from './ledger.js';
import { layoutFor } from './layout.js';
import { acquireLock, releaseLock, type LockHandle } from './lock.js';
import { probeState, stateFingerprint, stateSummary } from './state.js';
import { plannerFor } from './strategies/index.js';
import type { PlanContext } from './strategies/types.js';
import type { DeploySpec, Layout, Plan, Step } from './types.js';

export interface RollbackOptions {
  app: string;
  baseDir?: string | null;
  /** Release id; default: the newest restorable release before the current one. */
  to?: string;
  /** deckhand's own pm2 on this machine: used only when the target is local. */
  pm2Bin?: string;
  startTimeoutSec?: number;
  target: string;
  /** The deploy lock, already held by the caller (a fleet rollout); kept, not released. */
  heldLock?: LockHandle;
}

function pickTarget(entries: readonly LedgerEntry[], current: LedgerEntry | null, to: string | undefined, onDisk: readonly string[]): LedgerEntry {
  if (to) {
    const e = entries.find((r) => r.id === to);
    if (!e) throw new DeckhandError('usage', `release ${to} is not in the ledger`, { hint: 'list releases with `deckhand releases`' });
    if (e.status === 'failed') throw new DeckhandError('usage', `release ${to} failed when it was deployed and never served`, { hint: 'pick a release that was current once (`deckhand releases`)' });
    if (e.pruned || !onDisk.includes(e.id)) throw new DeckhandError('usage', `release ${to} was pruned: its files are no longer on the target`, { hint: 'deploy that commit again instead' });
    if (current && e.id === current.id) throw new DeckhandError('usage', `release ${to} is already current`);
    return e;
  }
  const idx = current ? entries.findIndex((r) => r.id === current.id) : entries.length;
  for (let i = idx - 1; i >= 0; i--) {
    const e = entries[i];
    if (e && knownGood(e) && !e.pruned && onDisk.includes(e.id)) return e;
  }
  throw new DeckhandError('usage', 'there is no earlier release to roll back to', { hint: 'the ledger holds no restorable release older than the current one that was not rolled back from (`deckhand releases`; `--to` picks one on purpose)' });
}

/**
 * blue-green: the slot settings recorded for the release (which runner ran its slots, their ports), else the ones
 * in force. The slot commands read the restored file on the target themselves; the planner needs the runner for
 * the files it restores and the checks it runs. Null when neither file is readable.
 */
async function recordedSlots(ctx: RunContext, layout: Layout, id: string, sudo: boolean): Promise<DeploySpec['blueGreen'] | null> {
  const r = await ctx.executor.run(asRoot(readSlotConfigCommand([`${layout.record(id)}/blue-green.conf`, slotConfigPath(layout.base)]), sudo));
  const c = r.exitCode === 0 ? parseSlotConfig(r.rawStdout ?? r.stdout) : null;
  return c ? { runner: c.runner, ports: [c.ports[0], c.ports[1]], proxyPort: c.proxyPort, drainSec: c.drainSec } : null;
}

export async function rollback(ctx: RunContext, opts: RollbackOptions): Promise<ExecutionReport> {
  const startedAt = ctx.now?.() ?? new Date();
  const t0 = performance.now();
  const state = await probeState(ctx, opts.app, opts.baseDir ?? null);
  const { ledger, error } = parseLedger(state.ledgerText, opts.app);
  if (error) throw new DeckhandError('config', `the release ledger of ${opts.app} is corrupt: ${error}`, { hint: 'inspect it by hand; nothing was changed' });
  if (ledger.releases.length === 0) throw new DeckhandError('usage', `no ledger for ${opts.app} on ${ctx.executor.host.display} (at ${state.base})`, { hint: 'check --app and --base-dir; rollback needs a release deployed by deckhand' });
  const current = currentRelease(ledger);
  const target = pickTarget(ledger.releases, current, opts.to, state.releaseDirs);
  const layout = layoutFor(state.base);
  const sudo = state.uid !== 0 && state.sudo;
  const blueGreen = target.strategy === 'blue-green' ? await recordedSlots(ctx, layout, target.id, sudo) : null;
  // pm2Bin is a path on this machine (deckhand's own pm2): a remote host runs the pm2 on its PATH instead.
  const pm2Bin = ctx.executor.host.kind === 'local' ? opts.pm2Bin : undefined;
  const spec: DeploySpec = {
    app: opts.app, strategy: target.strategy as DeploySpec['strategy'], sourceDir: '', commit: target.commit, dirty: target.dirty, runtime: null,
    port: target.port ?? null, healthPath: target.healthPath ?? null, build: 'target', commands: { install: null, build: null, start: null, migrate: null },
    envNames: [], envSources: [], serviceUser: target.serviceUser ?? opts.app, keep: 5, excludes: [], startTimeoutMs: (opts.startTimeoutSec ?? 30) * 1000,
    baseDirOverride: opts.baseDir ?? null, pm2Instances: 1, script: null, ...(pm2Bin ? { pm2Bin } : {}),
    zeroDowntime: target.strategy === 'blue-green', ...(blueGreen ? { blueGreen } : {}),
  };
  const ctxPlan: PlanContext = { spec, layout, state, releaseId: target.id, previousId: current?.id ?? null, sudo, root: (c) => asRoot(c, sudo) };
  const strategy = plannerFor(spec.strategy);
  const managed = strategy.managedFiles(ctxPlan);
  const owner = target.serviceUser ?? (sudo ? state.user : null);
  const wait = waitHealthyCommand({ aliveCheck: strategy.aliveCheck(ctxPlan), port: spec.port, path: spec.healthPath, timeoutSec: Math.ceil(spec.startTimeoutMs / 1000), successes: 3 });
  const restore = (id: string): Step => ({
    id: 'restore', title: `Restore the env file and ${managed.map((m) => m.path).join(', ')} recorded for ${id}, switch current`, phase: 'switch', destructive: true,
    impact: `${opts.app} runs ${id} again after the restart`, undo: current ? `deckhand rollback --to ${current.id}` : 'none', verify: 'health check after the restart',
    actions: [
      { type: 'run', command: asRoot(restoreCommand(layout.record(id), [
        { to: layout.envFile, name: 'env', mode: '0600', ...(owner ? { owner } : {}) }, ...managed.map((m) => ({ to: m.path, name: m.name, mode: m.mode })),
      ]), sudo) },
      { type: 'run', command: switchCurrentCommand(layout.base, id) },
    ],
  });
  const steps: Step[] = [
    ...(current ? [{
      id: 'rollback-point', title: `Record the env file and config in force for ${current.id}`, phase: 'prepare' as const, destructive: false,
      // The same snapshot a deploy takes: a file absent now is absent from the record too.
      actions: [{ type: 'run' as const, command: asRoot(snapshotCommand(layout.record(current.id), [{ from: layout.envFile, name: 'env' }, ...managed.map((m) => ({ from: m.path, name: m.name }))]), sudo) }],
    }] : []),
    restore(target.id),
    { id: 'start', title: `Restart ${opts.app} on ${target.id}`, phase: 'start', destructive: true, actions: strategy.startCommands(ctxPlan).map((command) => ({ type: 'run' as const, command })) },
    { id: 'wait-healthy', title: 'Wait until it is up and healthy', phase: 'start', destructive: false, actions: [{ type: 'run', command: wait }] },
  ];
  const plan: Plan = {
    schemaVersion: 1, kind: 'deckhand-plan', id: createHash('sha256').update(JSON.stringify([target.id, current?.id, stateFingerprint(state)])).digest('hex').slice(0, 12),
    createdAt: startedAt.toISOString(), target: opts.target, app: opts.app, strategy: spec.strategy, releaseId: target.id, previousRelease: current?.id ?? null,
    commit: target.commit, dirty: target.dirty, layout: { base: layout.base, current: layout.current, envFile: layout.envFile }, stateFingerprint: stateFingerprint(state), stateSummary: stateSummary(state),
    useSudo: sudo, steps, handoff: { service: opts.app, strategy: spec.strategy, port: spec.port, healthPath: spec.healthPath, release: target.id },
    rollbackEntry: current ? `deckhand rollback ${opts.target} --app ${opts.app} --to ${current.id}` : 'none', warnings: [], envNames: [], preLock: [],
    lockPath: layout.lock, ledgerPath: layout.ledger, journalDir: layout.journal,
    revert: current ? [restore(current.id).actions, strategy.startCommands(ctxPlan).map((command) => ({ type: 'run' as const, command })), [{ type: 'run' as const, command: wait }]].flat() : [],
    ledgerEntry: { commit: target.commit, dirty: target.dirty, strategy: target.strategy, port: spec.port, healthPath: spec.healthPath, serviceUser: owner },
    logsCommand: strategy.logsCommand(ctxPlan),
  };
  const applier = new Applier(ctx, plan, { envContent: null, remoteEnvFile: null, baseOverride: layout.base });
  applier.rsync = state.rsync;
  const lock = opts.heldLock ?? await acquireLock(ctx, layout.lock, `rollback to ${target.id}`);
  const data: ExecutionData = {
    outcome: 'FAILED', operation: 'rollback', app: opts.app, strategy: spec.strategy, planId: plan.id, releaseId: target.id, commit: target.commit, dirty: target.dirty,
    previousRelease: current?.id ?? null, base: layout.base, plan: planSteps(plan), commands: applier.executed,
    filesTouched: [layout.current, layout.envFile, ...managed.map((m) => m.path), layout.ledger], runtime: { status: 'unknown', detail: '' },
    handoff: null, rollbackEntry: plan.rollbackEntry, failure: null,
    warnings: target.strategy === 'blue-green' && !blueGreen ? [`no slot settings could be read for ${target.id} (${layout.record(target.id)}/blue-green.conf, ${slotConfigPath(layout.base)}): planned as systemd slots; the slot commands read the restored settings themselves`] : [],
    lockRecovered: lock.recovered ? `stale lock of ${lock.recovered.owner} (pid ${lock.recovered.pid}) taken over` : null,
    pruned: [], envNames: [], journal: `${layout.journal}/rollback-${startedAt.toISOString().replace(/[-:.]/g, '')}.json`,
  };
  try {
    let failed: { step: string; message: string } | null = null;
    let restartedAt: string | undefined;
    for (const s of steps) {
      // Until this restart the release rolled back from keeps running (or crashing): the ledger dates the restored
      // release from here, so a verification reads none of its lines. Journals stamp whole seconds: the next one.
      if (s.id === 'start') restartedAt = restartStamp(ctx.now?.() ?? new Date());
      try { await applier.runStep(s); } catch (e) { failed = { step: s.id, message: e instanceof Error ? e.message : String(e) }; break; }
    }
    if (failed) {
      const revertErr = current && failed.step !== 'rollback-point'
        ? await applier.runBestEffort('revert', `Put ${current.id} back`, plan.revert) : null;
      data.failure = { step: failed.step, message: failed.message, revert: current ? (revertErr ? `putting ${current.id} back failed: ${revertErr}` : `${current.id} restored`) : null };
      data.runtime = { status: revertErr ? 'unknown' : 'running', detail: revertErr ?? `${current?.id ?? 'nothing'} serving` };
    } else {
      data.outcome = 'SUCCESS';
      data.runtime = { status: 'running', detail: applier.executed.filter((c) => c.step === 'wait-healthy').at(-1)?.output.split('\n')[0] ?? 'started' };
      data.handoff = { ...plan.handoff, base: layout.base, target: opts.target };
      const next = withRolledBack(ledger, target.id, restartedAt);
      const w = await applier.runBestEffort('ledger', 'Update the ledger', [{ type: 'write', path: layout.ledger, mode: '0644', content: `${JSON.stringify(next, null, 2)}\n`, sudo: false }]);
      if (w) data.warnings.push(`the ledger could not be written: ${w}`);
    }
  } finally {
    await ctx.executor.run({ ...writeFileCommand(data.journal ?? `${layout.journal}/rollback.json`, '0600'), stdin: ctx.redactor.mask(JSON.stringify({ plan: { ...plan, revert: undefined }, commands: applier.executed, outcome: data.outcome }, null, 2)) }).catch(() => undefined);
    if (!opts.heldLock && !(await releaseLock(ctx, lock).catch(() => false))) data.warnings.push(`the lock ${layout.lock} could not be released`);
  }
  const report: ExecutionReport = {
    schemaVersion: SCHEMA_VERSION, tool: { name: 'deckhand', version: VERSION }, stage: 'execution', status: data.outcome === 'SUCCESS' ? 'ok' : 'failed',
    target: { kind: ctx.executor.host.kind, display: ctx.executor.host.display }, startedAt: startedAt.toISOString(), durationMs: Math.round(performance.now() - t0),
    findings: [data.outcome === 'SUCCESS'
      ? { id: 'rollback.outcome', section: 'Execution', title: 'Rollback', status: 'pass', required: true, summary: `${target.id} is current again and healthy` }
      : { id: 'rollback.outcome', section: 'Execution', title: 'Rollback', status: 'fail', required: true, summary: data.failure?.message ?? 'failed', ...(data.failure?.revert ? { remedy: data.failure.revert } : {}) }],
    steps: applier.stepResults, data,
  };
  return ctx.redactor.maskDeep(report);
}
