// `deckhand up`: discovery → readiness → plan → apply → verification → ops baseline; on FAILED, roll back, verify again, record the incident.
import type { RunContext } from '../../core/context.js';
import { VERSION } from '../../core/version.js';
import { LocalExecutor } from '../../exec/local.js';
import type { Finding, StepResult } from '../../report/common.js';
import { SCHEMA_VERSION } from '../../report/common.js';
import type { BriefData, DeploymentBrief } from '../../report/brief.js';
import type { ExecutionReport } from '../../report/execution.js';
import type { LifecycleData, LifecycleReport } from '../../report/lifecycle.js';
import type { ReadinessReport } from '../../report/readiness.js';
import type { VerificationReport } from '../../report/verification.js';
import { renderBriefMarkdown } from '../../report/markdown-brief.js';
import { renderExecutionMarkdown } from '../../report/markdown-execution.js';
import { renderReadinessMarkdown } from '../../report/markdown-readiness.js';
import { renderVerificationMarkdown } from '../../report/markdown-verification.js';
import { writeReportFiles } from '../../report/write.js';
import { discover } from '../discover/index.js';
import { isGitUrl, openSource } from '../discover/source.js';
import { applyDeploy, prepareDeploy, type DeployOptions } from '../deploy/index.js';
import { rollback } from '../deploy/rollback.js';
import { appName } from '../deploy/spec.js';
import { currentRelease, parseLedger } from '../deploy/ledger.js';
import { probeState, type ProbedState } from '../deploy/state.js';
import { writeIncident } from '../incident/record.js';
import { lifecycleRecord } from './incident-record.js';
import { buildBaseline, recordBaseline } from '../operate/baseline.js';
import { observeAfterDeploy } from '../operate/baseline-task.js';
import { checkReadiness } from '../readiness/index.js';
import { deployCheckOptions } from '../readiness/deploy-requirements.js';
import { DeckhandError } from '../../core/errors.js';
import { verify } from '../verify/index.js';
import type { SmokeCheck } from '../verify/types.js';

export interface UpOptions extends Omit<DeployOptions, 'brief' | 'briefFile'> {
  /** Where the reports of every stage are written. */
  out: string;
  windowMs?: number;
  checks?: SmokeCheck[];
}


/** With no target named: compose/docker when an engine is usable and the repo is containerised; systemd as root on systemd; else pm2. */
export function chooseLocalStrategy(brief: BriefData, state: ProbedState): string {
  const names = brief.strategies.map((s) => s.name);
  const engine = state.tools['docker-direct'] === true;
  if (engine && names.includes('compose') && (state.tools['compose-v2'] || state.tools['compose-v1'])) return 'compose';
  if (engine && names.includes('docker')) return 'docker';
  if (state.systemd && state.uid === 0) return 'systemd';
  return 'pm2';
}

type Stage = LifecycleData['stages'][number];

/**
 * `up` checks, verifies and rolls back on a host; a kubernetes deploy has no host (kubectl runs here), so up refuses it
 * and names the commands that do each stage for a cluster.
 */
export function kubernetesRefusal(): DeckhandError {
  return new DeckhandError('usage', 'deckhand up runs on a host (probe, verify, rollback there); the kubernetes strategy has no target host', {
    hint: 'for a cluster: `deckhand check --strategy kubernetes --context NAME`, then `deckhand deploy --strategy kubernetes` (it waits for the rollout and checks the Service through a port-forward), `deckhand rollback --strategy kubernetes` to undo',
  });
}

export async function up(ctx: RunContext, opts: UpOptions): Promise<LifecycleReport> {
  if (opts.strategy === 'kubernetes') throw kubernetesRefusal();
  const startedAt = ctx.now?.() ?? new Date();
  const t0 = performance.now();
  const stages: Stage[] = [];
  const steps: StepResult[] = [];
  const findings: Finding[] = [];
  const requiredActions: string[] = [];
  const write = async (stage: string, report: { startedAt: string; target: { display: string } }, md: string): Promise<string> => {
    const json = ctx.redactor.mask(`${JSON.stringify(report, null, 2)}\n`);
    return (await writeReportFiles(opts.out, stage, report.target.display, report.startedAt, json, ctx.redactor.mask(md))).json;
  };
  const timed = async <T>(id: string, title: string, fn: () => Promise<T>): Promise<T> => {
    const t = performance.now();
    ctx.onProgress?.({ type: 'step-start', id, title });
    try {
      const r = await fn();
      steps.push({ id, title, status: 'pass', durationMs: Math.round(performance.now() - t) });
      return r;
    } catch (e) {
      steps.push({ id, title, status: 'fail', durationMs: Math.round(performance.now() - t), detail: e instanceof Error ? e.message : String(e) });
      throw e;
    }
  };

  // 1. Discovery, once: its runtime and port are what readiness checks and what the deploy uses.
  const local: RunContext = { executor: new LocalExecutor(ctx.redactor, ctx.signal), redactor: ctx.redactor };
  const cloned = isGitUrl(opts.source) ? await openSource(local, opts.source) : null;
  const source = cloned ? cloned.root : opts.source;
  try {
    const brief: DeploymentBrief = await timed('discovery', 'discover the repository', () => discover(local, source, opts.appDir ? { app: opts.appDir } : {}));
    const b = brief.data;
    stages.push({ stage: 'discovery', status: brief.status, summary: `${b.stack.language?.value ?? '?'} / ${b.stack.frameworks.map((f) => f.value.name).join(', ') || 'no framework'}, start ${b.commands.start?.value.command ?? 'unknown'}, port ${b.port?.value ?? 'unknown'}`, report: await write('brief', brief, renderBriefMarkdown(brief)) });
    const app = appName(opts.app ?? b.app);
    const state = await probeState(ctx, app, opts.baseDir ?? null);
    const strategy = opts.strategy ?? (ctx.executor.host.kind === 'local' && !opts.configFile ? chooseLocalStrategy(b, state) : undefined);
    const hasCurrent = currentRelease(parseLedger(state.ledgerText, app).ledger) !== null;

    // 2. Readiness: the runtime and port discovery found; a port held by our own running release is expected.
    const port = opts.port ?? b.port?.value;
    const readiness: ReadinessReport = await timed('readiness', `check ${ctx.executor.host.display}`, () => checkReadiness(ctx, deployCheckOptions({
      brief: b, strategy, build: opts.build, port, hasCurrent, app, baseDir: opts.baseDir ?? null,
    })));
    stages.push({ stage: 'readiness', status: readiness.data.verdict, summary: `${readiness.data.verdict} (${readiness.findings.filter((f) => f.status !== 'pass').length} findings not passing)`, report: await write('readiness', readiness, renderReadinessMarkdown(readiness)) });
    if (readiness.data.verdict === 'NOT READY') {
      requiredActions.push(...readiness.data.requiredActions);
      return finish('NOT_READY', app, strategy ?? null, null, null, null, null);
    }

    // 3. Plan and apply.
    const prepared = await timed('plan', 'plan the deploy', () => prepareDeploy(ctx, { ...opts, source, brief: b, app, ...(strategy ? { strategy } : {}) }));
    // deckhand.yml may choose kubernetes: refused before anything is applied.
    if (prepared.plan.strategy === 'kubernetes') { await prepared.cleanup(); throw kubernetesRefusal(); }
    let exec: ExecutionReport;
    try {
      exec = await timed('apply', `apply ${prepared.plan.releaseId}`, () => applyDeploy(ctx, prepared));
    } finally {
      await prepared.cleanup();
    }
    stages.push({ stage: 'execution', status: exec.data.outcome, summary: exec.data.failure ? `${exec.data.outcome}: ${exec.data.failure.message}` : `${exec.data.releaseId} live (${exec.data.strategy})`, report: await write('execution', exec, renderExecutionMarkdown(exec)) });
    const base = exec.data.base;
    const summary = { strategy: exec.data.strategy, release: exec.data.releaseId, commit: exec.data.commit, logs: prepared.plan.logsCommand, base };
    if (exec.data.outcome !== 'SUCCESS') {
      const inc = await incident(app, base, `the deploy of ${exec.data.releaseId} ${exec.data.outcome === 'REVERTED' ? 'failed and was reverted' : 'failed'}`, exec.findings.filter((f) => f.status === 'fail'), exec.data.previousRelease, exec.data.outcome === 'REVERTED' ? exec.data.previousRelease : null, exec.data.failure?.revert ?? exec.data.outcome, exec.data.runtime.detail);
      return finish(exec.data.outcome === 'REVERTED' ? 'ROLLED_BACK' : 'FAILED', app, summary.strategy, exec.data.previousRelease, exec.data.commit, summary.logs, inc, port ?? null, base);
    }

    // 4. Verify what was handed over.
    const ver: VerificationReport = await timed('verification', 'verify the release', () => verify(ctx, { app, ...(opts.baseDir ? { baseDir: opts.baseDir } : {}), ...(opts.windowMs ? { windowMs: opts.windowMs } : {}), ...(opts.checks ? { checks: opts.checks } : {}) }));
    stages.push({ stage: 'verification', status: ver.data.verdict, summary: ver.data.verdict === 'VERIFIED' ? 'every core check passed' : ver.data.reasons.slice(0, 3).join('; '), report: await write('verification', ver, renderVerificationMarkdown(ver)) });
    if (ver.data.verdict === 'VERIFIED') {
      const path = await timed('baseline', 'record the ops baseline', async () => {
        const now = ctx.now?.() ?? new Date();
        // Log patterns and resource levels cost one more probe; without them the baseline still records the release.
        const observed = await observeAfterDeploy(ctx, { app, base, strategy: exec.data.strategy, port: exec.data.handoff?.port ?? null, deployedAt: exec.startedAt }, now).catch(() => undefined);
        return recordBaseline(ctx, buildBaseline(exec, ver, now, observed));
      });
      stages.push({ stage: 'baseline', status: 'ok', summary: `recorded at ${path}`, report: null });
      return finish('VERIFIED', app, summary.strategy, summary.release, summary.commit, summary.logs, null, port ?? null, base, path);
    }

    // 5. FAILED: roll back to the previous release (if any), verify again, record the incident.
    const failing = ver.findings.filter((f) => f.status === 'fail' || f.status === 'block' || (f.status === 'unknown' && f.required));
    if (!exec.data.previousRelease) {
      const inc = await incident(app, base, `the first release ${exec.data.releaseId} failed verification; there is no earlier release to roll back to`, failing, null, null, 'no rollback possible', 'the failed release is still running');
      requiredActions.push(...ver.data.followUp);
      return finish('FAILED', app, summary.strategy, summary.release, summary.commit, summary.logs, inc, port ?? null, base);
    }
    const rb = await timed('rollback', `roll back to ${exec.data.previousRelease}`, () => rollback(ctx, { app, target: opts.target, ...(opts.baseDir ? { baseDir: opts.baseDir } : {}), ...(opts.pm2Bin ? { pm2Bin: opts.pm2Bin } : {}) }));
    stages.push({ stage: 'rollback', status: rb.data.outcome, summary: rb.data.outcome === 'SUCCESS' ? `${rb.data.releaseId} restored` : `rollback ${rb.data.outcome}: ${rb.data.failure?.message ?? ''}`, report: await write('rollback', rb, renderExecutionMarkdown(rb)) });
    const again = await timed('reverification', 'verify the restored release', () => verify(ctx, { app, ...(opts.baseDir ? { baseDir: opts.baseDir } : {}), ...(opts.windowMs ? { windowMs: opts.windowMs } : {}), ...(opts.checks ? { checks: opts.checks } : {}) }));
    stages.push({ stage: 'reverification', status: again.data.verdict, summary: again.data.verdict === 'VERIFIED' ? `${rb.data.releaseId} verified again` : again.data.reasons.slice(0, 3).join('; '), report: await write('verification', again, renderVerificationMarkdown(again)) });
    const restored = rb.data.outcome === 'SUCCESS' && again.data.verdict === 'VERIFIED';
    const inc = await incident(app, base, `release ${exec.data.releaseId} failed verification: ${ver.data.reasons.slice(0, 2).join('; ')}`, failing, exec.data.releaseId, rb.data.releaseId,
      restored ? 'rolled back and verified' : `rollback ${rb.data.outcome}, re-verification ${again.data.verdict}`, restored ? `${rb.data.releaseId} serving, VERIFIED` : 'degraded: see the reports');
    return finish(restored ? 'ROLLED_BACK' : 'FAILED', app, summary.strategy, restored ? rb.data.releaseId : summary.release, restored ? rb.data.commit : summary.commit, summary.logs, inc, port ?? null, base);
  } finally {
    await cloned?.cleanup();
  }

  async function incident(app: string, base: string, what: string, failing: readonly Finding[], from: string | null, to: string | null, outcome: string, current: string): Promise<string | null> {
    const rec = lifecycleRecord({ app, what, failing, from, to, outcome, currentState: current, startedAt, now: ctx.now?.() ?? new Date() });
    try {
      const path = await writeIncident(ctx, base, rec);
      stages.push({ stage: 'incident', status: rec.triage.severity, summary: `${rec.causeClass} cause; record at ${path}`, report: null });
      return path;
    } catch (e) {
      findings.push({ id: 'lifecycle.incident', section: 'lifecycle', title: 'Incident record', status: 'warn', required: false, summary: `could not be written: ${e instanceof Error ? e.message : String(e)}` });
      return null;
    }
  }

  function finish(outcome: LifecycleData['outcome'], app: string, strategy: string | null, release: string | null, commit: string | null, logs: string | null, inc: string | null, port: number | null = null, base: string | null = null, baseline: string | null = null): LifecycleReport {
    const target = ctx.executor.host.display;
    const ok = outcome === 'VERIFIED';
    findings.unshift({ id: 'lifecycle.outcome', section: 'lifecycle', title: 'deckhand up', status: ok ? 'pass' : outcome === 'ROLLED_BACK' ? 'warn' : 'fail', required: true, summary: outcome });
    const report: LifecycleReport = {
      schemaVersion: SCHEMA_VERSION, tool: { name: 'deckhand', version: VERSION }, stage: 'lifecycle',
      status: ok ? 'verified' : outcome === 'ROLLED_BACK' ? 'rolled-back' : outcome === 'NOT_READY' ? 'not-ready' : 'failed',
      target: { kind: ctx.executor.host.kind, display: target }, startedAt: startedAt.toISOString(), durationMs: Math.round(performance.now() - t0),
      findings, steps,
      data: {
        outcome, stages, requiredActions,
        summary: {
          // The app listens on the target; from elsewhere it may sit behind a firewall or a proxy.
          app, target, strategy, port, url: port ? `http://${ctx.executor.host.kind === 'ssh' ? ctx.executor.host.host : '127.0.0.1'}:${port}` : null,
          release, commit, logs, rollback: base && release ? `deckhand rollback ${target} --name ${app}${opts.baseDir ? ` --base-dir ${opts.baseDir}` : ''}` : null,
          reportsDir: opts.out, baseline, incident: inc,
        },
      },
    };
    return ctx.redactor.maskDeep(report);
  }
}
