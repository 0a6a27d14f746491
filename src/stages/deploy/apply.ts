// Applies an Execution Plan under the deploy lock: runs each step, reverts to the previous release on failure, records the ledger and journal.
import { hostname, userInfo } from 'node:os';
import { shJoin, type Command } from '../../core/command.js';
import { DeckhandError, tail } from '../../core/errors.js';
import type { RunContext } from '../../core/context.js';
import { VERSION } from '../../core/version.js';
import { writeFileCommand } from '../../commands/fs.js';
import { installFileCommand, removeReleasesCommand } from '../../commands/release.js';
import { asRoot } from '../../commands/sudo.js';
import { ENGINE_ROLLBACK_MARK } from '../../commands/swarm.js';
import type { ExecResult, Executor } from '../../exec/types.js';
import { LocalExecutor } from '../../exec/local.js';
import type { ExecutionData, ExecutionReport } from '../../report/execution.js';
import type { StepResult } from '../../report/common.js';
import { SCHEMA_VERSION } from '../../report/common.js';
import { markPruned, parseLedger, restartStamp, withDeployed, withFailed, type Ledger } from './ledger.js';
import { acquireLock, releaseLock, type LockHandle } from './lock.js';
import { probeState, stateChanges, stateFingerprint, stateSummary } from './state.js';
import { backoffMs, isTransient } from './transient.js';
import type { Action, Plan, Step } from './types.js';

export interface ApplyInputs {
  /** The env file's text (values!), written 0600; null when the plan has no env step or it comes from a remote file. */
  envContent: string | null;
  remoteEnvFile: string | null;
  /** Asked between steps: an operator's Ctrl-C stops at the next step boundary and reverts cleanly. */
  stopRequested?: () => boolean;
  /** Base override used when the plan was made, to re-read the same state. */
  baseOverride: string | null;
  /** The deploy lock, already taken by the caller (a fleet rollout holds every host's lock from start to end); kept, not released. */
  heldLock?: LockHandle;
}

type Executed = ExecutionData['commands'][number];

class StepFailed extends Error {
  constructor(readonly step: Step, message: string) { super(message); }
}

function describeAction(a: Action): string {
  switch (a.type) {
    case 'run': return shJoin(a.command.argv);
    case 'write': return `write ${a.path} (mode ${a.mode})`;
    case 'write-env': return `write ${a.path} (mode 0600${a.owner ? `, owner ${a.owner}` : ''}; values not shown)`;
    case 'transfer': return `upload ${a.from} → ${a.to}`;
    case 'local-transfer': return `copy ${a.from} → ${a.to} (here)`;
    case 'local-run': return `${shJoin(a.command.argv)} (here)`;
  }
}

export function planSteps(plan: Plan): ExecutionData['plan'] {
  return plan.steps.map((s) => ({
    id: s.id, title: s.title, phase: s.phase, destructive: s.destructive,
    ...(s.impact ? { impact: s.impact } : {}), ...(s.undo ? { undo: s.undo } : {}), ...(s.verify ? { verify: s.verify } : {}),
    commands: s.actions.map(describeAction),
  }));
}

function filesOf(plan: Plan): string[] {
  const out = new Set<string>();
  for (const s of plan.steps) {
    for (const a of s.actions) {
      if (a.type === 'write' || a.type === 'write-env') out.add(a.path);
      if (a.type === 'transfer') out.add(`${a.to}/`);
      if (a.type === 'run' && a.command.description?.startsWith('install ')) out.add(a.command.argv[a.command.argv.length - 3] ?? '');
    }
  }
  out.add(plan.layout.current);
  out.add(plan.ledgerPath);
  return [...out].filter((f) => f.startsWith('/'));
}

export class Applier {
  readonly executed: Executed[] = [];
  readonly stepResults: StepResult[] = [];

  constructor(private readonly ctx: RunContext, private readonly plan: Plan, private readonly inputs: ApplyInputs) {
    this.local = ctx.executor.host.kind === 'local' ? ctx.executor : new LocalExecutor(ctx.redactor, ctx.signal);
  }

  private record(step: string, r: ExecResult, attempts: number): void {
    const output = tail(`${r.stdout}\n${r.stderr}`, 6);
    this.executed.push({ step, command: r.command, exitCode: r.exitCode, durationMs: r.durationMs, attempts, timedOut: r.timedOut, output });
  }

  private readonly local: Executor;

  async runCommand(step: string, cmd: Command, retries: number, on: Executor = this.ctx.executor): Promise<ExecResult> {
    let attempt = 0;
    for (;;) {
      attempt++;
      let r: ExecResult;
      try {
        r = await on.run(cmd);
      } catch (e) {
        if (!(e instanceof DeckhandError) || attempt > retries || e.kind === 'auth' || e.kind === 'host-key') throw e;
        await new Promise((res) => setTimeout(res, backoffMs(attempt)));
        continue;
      }
      if (!r.failed || attempt > retries || !isTransient(r)) { this.record(step, r, attempt); return r; }
      await new Promise((res) => setTimeout(res, backoffMs(attempt)));
    }
  }

  private async runAction(step: Step, a: Action): Promise<ExecResult> {
    const retries = step.retry ?? 0;
    switch (a.type) {
      case 'run': return this.runCommand(step.id, a.command, retries);
      case 'write': {
        const cmd: Command = { ...writeFileCommand(a.path, a.mode), stdin: a.content };
        return this.runCommand(step.id, a.sudo ? asRoot(cmd, true) : cmd, retries);
      }
      case 'write-env': {
        if (this.inputs.remoteEnvFile) {
          return this.runCommand(step.id, asRoot(installFileCommand(this.inputs.remoteEnvFile, a.path, '0600', a.owner ?? undefined), a.sudo), retries);
        }
        const write: Command = { ...writeFileCommand(a.path, '0600'), stdin: this.inputs.envContent ?? '', description: `write ${a.path} (values not shown)` };
        const r = await this.runCommand(step.id, asRoot(write, a.sudo), retries);
        if (r.failed || !a.owner) return r;
        return this.runCommand(step.id, asRoot({ argv: ['chown', `${a.owner}:${a.owner}`, a.path], mutates: true }, a.sudo), 0);
      }
      case 'local-run': return this.runCommand(step.id, a.command, 0, this.local);
      case 'local-transfer': {
        const r = await this.local.transfer(a.from, a.to, { excludes: a.excludes, gitignore: true, useRsync: this.localRsync });
        this.record(step.id, r, 1);
        return r;
      }
      case 'transfer': {
        const useRsync = this.rsync && this.localRsync;
        let attempt = 0;
        for (;;) {
          attempt++;
          const r = await this.ctx.executor.transfer(a.from, a.to, { excludes: a.excludes, gitignore: a.gitignore, useRsync });
          if (!r.failed || attempt > retries || !isTransient(r)) { this.record(step.id, r, attempt); return r; }
          await new Promise((res) => setTimeout(res, backoffMs(attempt)));
        }
      }
    }
  }

  rsync = true;
  /** rsync on this machine too (both ends need it); tar otherwise. */
  localRsync = true;

  async runStep(step: Step): Promise<void> {
    const started = performance.now();
    this.ctx.onProgress?.({ type: 'step-start', id: step.id, title: step.title });
    const finish = (status: 'pass' | 'fail', detail?: string): void => {
      const durationMs = Math.round(performance.now() - started);
      this.stepResults.push({ id: step.id, title: step.title, status, durationMs, ...(detail ? { detail } : {}) });
      this.ctx.onProgress?.({ type: 'step-end', id: step.id, title: step.title, status, durationMs, ...(detail ? { detail } : {}) });
    };
    for (const a of step.actions) {
      const r = await this.runAction(step, a);
      if (r.failed) {
        const why = r.timedOut ? 'timed out' : `exit ${r.exitCode ?? 'none'}`;
        const msg = `${describeAction(a)} failed (${why})${tail(r.stderr || r.stdout, 4) ? `: ${tail(r.stderr || r.stdout, 4)}` : ''}`;
        finish('fail', this.ctx.redactor.mask(msg));
        throw new StepFailed(step, this.ctx.redactor.mask(msg));
      }
    }
    finish('pass');
  }

  /** Runs a bookkeeping command on this machine; true when it failed. */
  async localFailed(cmd: Command): Promise<boolean> {
    return (await this.local.run(cmd)).failed;
  }

  /** Runs actions best-effort (revert, cleanup): every one is attempted, failures are reported. */
  async runBestEffort(id: string, title: string, actions: readonly Action[]): Promise<string | null> {
    const step: Step = { id, title, phase: 'finalize', actions: [...actions], destructive: true };
    try { await this.runStep(step); return null; } catch (e) { return e instanceof Error ? e.message : String(e); }
  }
}

export function operator(): string {
  let u = 'unknown';
  try { u = userInfo().username; } catch { /* no passwd entry */ }
  return `${u}@${hostname()}`;
}

export function finding(id: string, title: string, status: 'pass' | 'fail' | 'warn', summary: string, remedy?: string): ExecutionReport['findings'][number] {
  return { id, section: 'Execution', title, status, required: true, summary, ...(remedy ? { remedy } : {}) };
}

/** Creates the base directory when the plan needs it there first, then takes the plan's deploy lock (throws when it is held). */
export async function takePlanLock(ctx: RunContext, plan: Plan, operation: string, applier = new Applier(ctx, plan, { envContent: null, remoteEnvFile: null, baseOverride: null })): Promise<LockHandle> {
  for (const a of plan.preLock) {
    const r = await applier.runBestEffort('pre-lock', 'Create the base directory', [a]);
    if (r) throw new DeckhandError('internal', `could not create ${plan.layout.base}: ${r}`, { hint: 'check sudo rights and the disk' });
  }
  return acquireLock(ctx, plan.lockPath, operation);
}

/** Applies the plan. Never throws for a failed step: the report says FAILED or REVERTED. Throws when it could not start (lock, changed target). */
export async function applyPlan(ctx: RunContext, plan: Plan, inputs: ApplyInputs): Promise<ExecutionReport> {
  const startedAt = ctx.now?.() ?? new Date();
  const t0 = performance.now();
  const applier = new Applier(ctx, plan, inputs);
  const lock: LockHandle = inputs.heldLock ?? await takePlanLock(ctx, plan, `deploy ${plan.releaseId}`, applier);
  const data: ExecutionData = {
    outcome: 'FAILED', operation: 'deploy', app: plan.app, strategy: plan.strategy, planId: plan.id, releaseId: plan.releaseId,
    commit: plan.commit, dirty: plan.dirty, previousRelease: plan.previousRelease, base: plan.layout.base,
    plan: planSteps(plan), commands: applier.executed, filesTouched: filesOf(plan),
    runtime: { status: 'not-started', detail: 'nothing was started' },
    handoff: null, rollbackEntry: plan.rollbackEntry, failure: null,
    lockRecovered: lock.recovered ? `stale lock of ${lock.recovered.owner} (pid ${lock.recovered.pid}, ${lock.recovered.operation}) taken over` : null,
    pruned: [], warnings: [...plan.warnings], envNames: plan.envNames, journal: `${plan.journalDir}/${plan.releaseId}.json`,
  };
  let ledger: Ledger | null = null;
  try {
    // Under the lock, the target must still be what the plan was made against.
    const state = await probeState(ctx, plan.app, inputs.baseOverride ?? plan.layout.base);
    applier.rsync = state.rsync;
    if (stateFingerprint(state) !== plan.stateFingerprint) {
      const what = stateChanges(plan.stateSummary ?? {}, stateSummary(state));
      throw new DeckhandError('usage', `${ctx.executor.host.display} changed since plan ${plan.id} was made (another deploy or a manual change): ${what.join('; ')}`, {
        hint: 'make a new plan (deckhand deploy --plan) and review it again',
      });
    }
    ledger = parseLedger(state.ledgerText, plan.app).ledger;
    applier.localRsync = !(await applier.localFailed({ argv: ['sh', '-c', 'command -v rsync'], mutates: false, timeoutMs: 10_000 }));
    let failedAt: StepFailed | null = null;
    for (const step of plan.steps) {
      if (step.id === 'ledger') break;
      if (inputs.stopRequested?.()) { failedAt = new StepFailed(step, 'interrupted by the operator before this step'); break; }
      try { await applier.runStep(step); } catch (e) {
        if (e instanceof StepFailed) { failedAt = e; break; }
        failedAt = new StepFailed(step, e instanceof Error ? e.message : String(e));
        break;
      }
    }
    // A second Ctrl-C kills the running command: its failure is the operator's doing, and the report must say so.
    if (failedAt && ctx.signal?.aborted) failedAt = new StepFailed(failedAt.step, `aborted by the operator during this step (second Ctrl-C): ${failedAt.message}`);
    const entry = { id: plan.releaseId, ...plan.ledgerEntry, deployedAt: startedAt.toISOString(), deployedBy: operator(), deckhandVersion: VERSION };
    if (failedAt) {
      const phase = failedAt.step.phase;
      let revert: string | null = null;
      let restored: { id: string; at: string } | null = null;
      if (phase === 'prepare') {
        const err = await applier.runBestEffort('cleanup', `Remove the unfinished release ${plan.releaseId}`, [{ type: 'run', command: removeReleasesCommand(plan.layout.base, [plan.releaseId]) }]);
        revert = err ? `cleanup failed: ${err}` : `nothing was switched; ${plan.previousRelease ?? 'no release'} keeps serving; the unfinished release was removed`;
        data.outcome = 'FAILED';
        data.runtime = { status: plan.previousRelease ? 'running' : 'not-started', detail: plan.previousRelease ? `${plan.previousRelease} untouched` : 'nothing deployed' };
      } else {
        // The revert restarts the previous release within moments of starting: the ledger dates it from here (as rollback does).
        const revertAt = restartStamp(ctx.now?.() ?? new Date());
        const err = await applier.runBestEffort('revert', plan.previousRelease ? `Revert to ${plan.previousRelease}` : 'Stop the failed first release', plan.revert);
        if (plan.previousRelease && !err) restored = { id: plan.previousRelease, at: revertAt };
        // The orchestrator already put the previous spec back (swarm): the deploy FAILED; deckhand's revert only re-aligns current and the settings.
        const byEngine = failedAt.message.includes(ENGINE_ROLLBACK_MARK);
        if (plan.previousRelease && byEngine) {
          revert = `${ENGINE_ROLLBACK_MARK}: ${plan.previousRelease} is serving again; ${err ? `deckhand could not re-align current and the settings: ${err}` : `deckhand switched current back to ${plan.previousRelease} and saw it healthy`}`;
          data.outcome = 'FAILED';
          data.runtime = err ? { status: 'unknown', detail: err } : { status: 'running', detail: `${plan.previousRelease} serving (${ENGINE_ROLLBACK_MARK})` };
        } else if (plan.previousRelease) {
          revert = err ? `revert to ${plan.previousRelease} FAILED: ${err}` : `reverted: ${plan.previousRelease} restored (env, config, current) and healthy again`;
          data.outcome = err ? 'FAILED' : 'REVERTED';
          data.runtime = err ? { status: 'unknown', detail: err } : { status: 'running', detail: `${plan.previousRelease} serving after the revert` };
        } else {
          revert = err ? `stopping failed: ${err}` : 'the first release was stopped and current removed';
          data.outcome = 'FAILED';
          data.runtime = { status: 'not-running', detail: 'the first release failed and was stopped' };
        }
      }
      data.failure = { step: failedAt.step.id, message: failedAt.message, revert };
      ledger = withFailed(ledger, entry, failedAt.message, restored ?? undefined);
    } else {
      const pruneStep = plan.steps.find((s) => s.id === 'prune');
      ledger = withDeployed(ledger, entry);
      data.outcome = 'SUCCESS';
      data.runtime = { status: 'running', detail: executedDetail(applier.executed) };
      data.handoff = { ...plan.handoff, base: plan.layout.base, target: plan.target };
      if (pruneStep) {
        const err = await applier.runBestEffort('prune', pruneStep.title, pruneStep.actions);
        if (err) data.warnings.push(`pruning old releases failed: ${err}`);
        else {
          const ids = pruneStep.actions.flatMap((a) => (a.type === 'run' ? a.command.argv.slice(5) : []));
          data.pruned = ids;
          ledger = markPruned(ledger, ids);
        }
      }
    }
    const w = await applier.runBestEffort('ledger', `Record ${plan.releaseId} in the ledger`, [{ type: 'write', path: plan.ledgerPath, mode: '0644', content: `${JSON.stringify(ledger, null, 2)}\n`, sudo: false }]);
    if (w) data.warnings.push(`the ledger could not be written: ${w}`);
  } finally {
    const stages = plan.steps.flatMap((st) => st.actions).filter((a) => a.type === 'local-transfer').map((a) => a.to);
    if (stages.length > 0) await applier.localFailed({ argv: ['rm', '-rf', '--', ...stages], mutates: true, timeoutMs: 120_000 });
    const journal = { plan: { ...plan, revert: undefined }, commands: applier.executed, steps: applier.stepResults, outcome: data.outcome, failure: data.failure };
    await ctx.executor.run({ ...writeFileCommand(data.journal ?? `${plan.journalDir}/${plan.releaseId}.json`, '0600'), stdin: ctx.redactor.mask(JSON.stringify(journal, null, 2)) })
      .catch(() => undefined);
    const released = inputs.heldLock ? true : await releaseLock(ctx, lock).catch(() => false);
    if (!released) data.warnings.push(`the deploy lock ${plan.lockPath} could not be released; run \`deckhand lock release\``);
  }
  const report: ExecutionReport = {
    schemaVersion: SCHEMA_VERSION, tool: { name: 'deckhand', version: VERSION }, stage: 'execution',
    status: data.outcome === 'SUCCESS' ? 'ok' : 'failed',
    target: { kind: ctx.executor.host.kind, display: ctx.executor.host.display },
    startedAt: startedAt.toISOString(), durationMs: Math.round(performance.now() - t0),
    findings: [
      data.outcome === 'SUCCESS'
        ? finding('deploy.outcome', 'Deployment', 'pass', `${plan.releaseId} is live (${plan.strategy})`)
        : finding('deploy.outcome', 'Deployment', 'fail', `${data.outcome}: ${data.failure?.message ?? 'failed'}`, data.failure?.revert ?? undefined),
      ...(data.lockRecovered ? [finding('deploy.lock', 'Stale lock', 'warn', data.lockRecovered)] : []),
      ...data.warnings.map((w, i) => finding(`deploy.warning.${i + 1}`, 'Warning', 'warn', w)),
    ],
    steps: applier.stepResults,
    data,
  };
  return ctx.redactor.maskDeep(report);
}

function executedDetail(cmds: readonly Executed[]): string {
  const wait = [...cmds].reverse().find((c) => c.step === 'wait-healthy');
  return wait?.output.split('\n')[0] ?? 'started';
}
