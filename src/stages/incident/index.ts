// `deckhand incident`: gather signals in one pass, classify (SEV-1/2/3), diagnose, act (roll back / stabilise / report), write the Incident Record.
import type { RunContext } from '../../core/context.js';
import { VERSION } from '../../core/version.js';
import type { Finding } from '../../report/common.js';
import type { IncidentRecord, IncidentReport, Severity } from '../../report/incident.js';
import { knownGood, servingSince } from '../deploy/ledger.js';
import { rollback } from '../deploy/rollback.js';
import { loadDeployedApp, registerEnvSecrets, type DeployedApp } from '../operate/deployed-app.js';
import { releaseWindow } from '../operate/inspect/collect.js';
import { StepLog } from '../operate/task-report.js';
import { verify } from '../verify/index.js';
import { diagnose, incidentCause } from './diagnoses.js';
import { incidentId, writeIncident } from './record.js';
import { renderReviewDraft } from '../../report/markdown-incident.js';
import { classify } from './severity.js';
import { gatherSignals, type Signals } from './signals.js';
import { restartCommand, watchStable } from './stabilise.js';

export interface IncidentOptions {
  app: string;
  baseDir: string | null;
  /** The target as the user wrote it (for the rollback's report and hints). */
  target: string;
  dryRun?: boolean;
  /** How long a SEV-2 stabilisation may take before it escalates to SEV-1 (default 120 s). */
  stabiliseTimeoutSec?: number;
  /** Log window in seconds (default 15 min), never before the current release was deployed. */
  windowSec?: number;
  /** Verification window after a rollback (default verify's 10 s). */
  verifyWindowMs?: number;
  startTimeoutSec?: number;
  pm2Bin?: string;
}

export const DEFAULT_STABILISE_SEC = 120;
export const DEFAULT_INCIDENT_WINDOW_SEC = 900;

/** Why nothing can be rolled back to: no earlier release, or the one that would be restored was pruned. */
export function rollbackRefusal(d: DeployedApp): string | null {
  if (d.previous) return null;
  const idx = d.ledger.releases.findIndex((r) => r.id === d.current.id);
  const candidate = d.ledger.releases.slice(0, idx).reverse().find(knownGood);
  if (!candidate) return `there is no earlier release of ${d.app} in the ledger to roll back to`;
  return `the last known-good release ${candidate.id} was pruned: its files are no longer on the target, so it cannot be restored (deploy that commit again instead)`;
}

function evidenceOf(s: Signals): string[] {
  return [
    `service: ${s.service.detail}${s.service.restarts !== null ? `, ${s.service.restarts} restart(s)` : ''}${s.service.result ? `, Result=${s.service.result}` : ''}`,
    ...[s.health, ...s.proxies].filter((h) => h !== null).map((h) => `health ${h.url}: ${h.code === 0 ? `no answer (curl exit ${h.curlExit})` : `HTTP ${h.code}`}`),
    ...s.deps.filter((x) => x.verdict !== 'ok').map((x) => `dependency ${x.keys}: ${x.summary}`),
    ...(s.disk ? [`disk ${s.disk.mount}: ${s.disk.usedPercent}% used`] : []),
    ...(s.memory ? [`memory: ${s.memory.rssBytes} B of ${s.memory.limitBytes} B limit`] : []),
    ...s.kernel.slice(-2).map((l) => `kernel: ${l}`),
    ...s.logs.slice(-5).map((l) => `log: ${l}`),
    ...s.problems.map((p) => `could not check: ${p}`),
  ];
}

export async function incident(ctx: RunContext, opts: IncidentOptions): Promise<IncidentReport> {
  const openedAt = ctx.now?.() ?? new Date();
  const t0 = performance.now();
  const log = new StepLog(ctx);
  const timeline: IncidentRecord['timeline'] = [];
  const at = (event: string): void => { timeline.push({ at: (ctx.now?.() ?? new Date()).toISOString(), event }); };
  const actions: string[] = [];
  const followUp: string[] = [];
  at('deckhand incident started');

  log.begin('app', `read the deployment of ${opts.app}`);
  const d = await loadDeployedApp(ctx, opts.app, opts.baseDir).catch((e: unknown) => { log.end('fail'); throw e; });
  const envFileText = await registerEnvSecrets(ctx, d);
  log.end('pass', `release ${d.current.id} (${d.current.strategy})`);

  log.begin('signals', 'gather signals: service, health, dependencies, logs, resources, OOM, disk, changes');
  const windowSec = releaseWindow(opts.windowSec ?? DEFAULT_INCIDENT_WINDOW_SEC, servingSince(d.ledger) ?? d.current.deployedAt, openedAt);
  const signals = await gatherSignals(ctx, d, windowSec, envFileText);
  log.end(signals.problems.length === 0 ? 'pass' : 'unknown', signals.problems.join('; ') || undefined);
  const diagnoses = diagnose(signals);
  const triage = classify(signals, diagnoses);
  let severity: Severity = triage.severity;
  at(`triage: ${severity}${diagnoses.length > 0 ? `; diagnosed ${diagnoses.map((x) => x.id).join(', ')}` : ''}`);

  const refusal = rollbackRefusal(d);
  let rb = null as IncidentRecord['rollback'];
  let status = 'REPORTED' as IncidentRecord['status'];
  let currentState = `${d.current.id}: ${signals.service.detail}`;
  const sudo = d.state.uid !== 0 && d.state.sudo;

  const doRollback = async (): Promise<void> => {
    if (refusal) {
      actions.push(`no rollback: ${refusal}`);
      rb = { from: d.current.id, to: null, outcome: `refused: ${refusal}`, verified: null };
      return;
    }
    log.begin('rollback', `roll back to ${d.previous?.id ?? '?'}`);
    at(`rollback to ${d.previous?.id ?? '?'} started`);
    const r = await rollback(ctx, { app: d.app, target: opts.target, baseDir: opts.baseDir, ...(opts.pm2Bin ? { pm2Bin: opts.pm2Bin } : {}), ...(opts.startTimeoutSec ? { startTimeoutSec: opts.startTimeoutSec } : {}) })
      .catch((e: unknown) => e instanceof Error ? e : new Error(String(e)));
    if (r instanceof Error) {
      log.end('fail', r.message);
      actions.push(`rollback to ${d.previous?.id ?? '?'} could not run: ${r.message}`);
      rb = { from: d.current.id, to: d.previous?.id ?? null, outcome: `could not run: ${r.message}`, verified: null };
      return;
    }
    log.end(r.data.outcome === 'SUCCESS' ? 'pass' : 'fail', r.data.failure?.message);
    actions.push(`rolled back from ${d.current.id} to ${r.data.releaseId}: ${r.data.outcome}${r.data.failure ? ` (${r.data.failure.message})` : ''}`);
    at(`rollback ${r.data.outcome}`);
    let verified: string | null = null;
    if (r.data.outcome === 'SUCCESS') {
      log.begin('verify', `verify ${r.data.releaseId}`);
      // verify dates its log window from the ledger: the rollback's restart, so the lines of the release rolled back from do not count.
      const v = await verify(ctx, { app: d.app, baseDir: opts.baseDir, ...(opts.verifyWindowMs ? { windowMs: opts.verifyWindowMs } : {}) });
      log.end(v.data.verdict === 'VERIFIED' ? 'pass' : 'fail', v.data.reasons.slice(0, 2).join('; ') || undefined);
      verified = v.data.verdict === 'VERIFIED' ? 'VERIFIED' : `FAILED: ${v.data.reasons.slice(0, 3).join('; ')}`;
      actions.push(`verified ${r.data.releaseId}: ${verified}`);
      at(`verification of ${r.data.releaseId}: ${v.data.verdict}`);
      status = v.data.verdict === 'VERIFIED' ? 'RESTORED' : 'UNRESOLVED';
      currentState = v.data.verdict === 'VERIFIED' ? `${r.data.releaseId} serving, VERIFIED` : `${r.data.releaseId} running, verification FAILED`;
    } else {
      status = 'UNRESOLVED';
      currentState = r.data.runtime.detail || 'unknown';
    }
    rb = { from: d.current.id, to: r.data.releaseId, outcome: r.data.outcome, verified };
  };

  /** Restart and watch; true when stable within the timer. */
  const stabilise = async (): Promise<boolean> => {
    const cmd = restartCommand(d, sudo, opts.pm2Bin);
    if (!cmd) { actions.push(`no restart: the ${d.current.strategy} strategy has no service deckhand can restart`); return false; }
    log.begin('restart', cmd.description ?? 'restart');
    at(`stabilisation: ${cmd.description ?? 'restart'}`);
    const r = await ctx.executor.run(cmd);
    log.end(r.failed ? 'fail' : 'pass', r.failed ? r.stderr.trim().slice(0, 300) : undefined);
    actions.push(`${cmd.description ?? 'restart'}: ${r.failed ? `failed (${r.stderr.trim().slice(0, 200)})` : 'done'}`);
    if (r.failed) return false;
    const limit = opts.stabiliseTimeoutSec ?? DEFAULT_STABILISE_SEC;
    log.begin('watch', `watch for ${limit}s: stable when healthy with no new restart`);
    const w = await watchStable(ctx, d, sudo, limit);
    log.end(w.stable ? 'pass' : 'fail', w.detail);
    actions.push(`watched for stability (timer ${limit}s): ${w.detail}`);
    at(w.stable ? `stable: ${w.detail}` : `not stable within ${limit}s: ${w.detail}`);
    if (w.stable) { status = 'STABILISED'; currentState = `${d.current.id}: stable after the restart (${w.detail})`; }
    return w.stable;
  };

  if (opts.dryRun) {
    actions.push(`none (--dry-run): ${severity === 'SEV-1' ? (refusal ? `would stabilise (restart); ${refusal}` : `would roll back to ${d.previous?.id ?? '?'} and verify`) : severity === 'SEV-2' ? 'would restart the service and escalate to SEV-1 if not stable' : 'would report only'}`);
  } else if (severity === 'SEV-1') {
    if (refusal) {
      actions.push(`no rollback: ${refusal}; actions are limited to stabilisation`);
      rb = { from: d.current.id, to: null, outcome: `refused: ${refusal}`, verified: null };
      if (!(await stabilise())) status = 'UNRESOLVED';
    } else {
      await doRollback();
    }
  } else if (severity === 'SEV-2') {
    if (refusal) actions.push(`no rollback available should the stabilisation fail: ${refusal}; actions are limited to stabilisation`);
    if (diagnoses.some((x) => x.id === 'enospc')) followUp.push('freeing disk is not part of `deckhand incident`: run `deckhand ops cleanup` (it lists what can go and never removes the current release or the rollback point)');
    if (!(await stabilise())) {
      severity = 'SEV-1';
      at('escalated to SEV-1');
      actions.push('escalated to SEV-1: not stable within the timer');
      if (refusal) { rb = { from: d.current.id, to: null, outcome: `refused: ${refusal}`, verified: null }; status = 'UNRESOLVED'; } else await doRollback();
    }
  }

  for (const x of diagnoses) followUp.push(`${x.title}: ${x.action}`);
  if (diagnoses.length === 0) followUp.push('no known failure pattern matched: read the logs (`deckhand ops inspect`) and the evidence above');
  if (status === 'RESTORED') followUp.push(`fix the cause, then deploy again; ${d.current.id} stays in the ledger as rolled back`);

  const record: IncidentRecord = ctx.redactor.maskDeep({
    schemaVersion: 1, id: incidentId(openedAt), app: d.app, openedAt: openedAt.toISOString(), source: 'incident',
    triage: {
      severity, summary: diagnoses.length > 0 ? `${triage.severity}: ${diagnoses.map((x) => x.title).join('; ')}` : `${triage.severity}: ${triage.decision.at(-1) ?? ''}`,
      evidence: evidenceOf(signals), decision: triage.decision,
    },
    diagnoses, changes: signals.changes, timeline, actions, rollback: rb, currentState, status, causeClass: incidentCause(diagnoses), followUp,
  });
  let recordPath: string | null = null;
  let reviewPath: string | null = null;
  const findings: Finding[] = [
    { id: 'incident.triage', section: 'triage', title: 'Severity', status: severity !== 'SEV-3' ? 'fail' : diagnoses.length > 0 ? 'warn' : 'pass', required: true, summary: `${severity}: ${triage.decision.at(-1) ?? ''}`, evidence: triage.decision.join('\n') },
    ...diagnoses.map((x): Finding => ({ id: `incident.diagnosis.${x.id}`, section: 'diagnosis', title: x.title, status: 'fail', required: false, summary: `${x.causeClass} cause`, evidence: x.evidence.join('\n'), remedy: x.action })),
    ...signals.problems.map((p, i): Finding => ({ id: `incident.unknown.${i}`, section: 'signals', title: 'Signal not read', status: 'unknown', required: false, summary: p })),
  ];
  if (!opts.dryRun) {
    log.begin('record', 'write the incident record and the review draft');
    try {
      recordPath = await writeIncident(ctx, d.base, record, renderReviewDraft(record));
      reviewPath = recordPath.replace(/\.json$/, '.review.md');
      log.end('pass', recordPath);
    } catch (e) {
      log.end('fail', e instanceof Error ? e.message : String(e));
      findings.push({ id: 'incident.record', section: 'record', title: 'Incident record', status: 'warn', required: false, summary: `could not be written on the target: ${e instanceof Error ? e.message : String(e)}` });
    }
  }
  const reportStatus: IncidentReport['status'] = status === 'RESTORED' || status === 'STABILISED' || (status === 'REPORTED' && severity === 'SEV-3' && diagnoses.length === 0) ? 'ok'
    : status === 'UNRESOLVED' ? 'failed' : 'attention';
  const report: IncidentReport = {
    schemaVersion: 1, tool: { name: 'deckhand', version: VERSION }, stage: 'incident', status: reportStatus,
    target: { kind: ctx.executor.host.kind, display: ctx.executor.host.display }, startedAt: openedAt.toISOString(), durationMs: Math.max(0, Math.round(performance.now() - t0)),
    findings, steps: log.steps, data: { dryRun: opts.dryRun ?? false, record, recordPath, reviewPath },
  };
  return ctx.redactor.maskDeep(report);
}
