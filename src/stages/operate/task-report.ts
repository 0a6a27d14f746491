// What every ops task shares to produce its Operations Report: findings, timed steps with progress events, the envelope.
import type { RunContext } from '../../core/context.js';
import { VERSION } from '../../core/version.js';
import type { Finding, Outcome, StepResult } from '../../report/common.js';
import type { OperationsData, OperationsReport } from '../../report/operations.js';

export interface FindingExtra { required?: boolean; detail?: string; evidence?: string; remedy?: string }

export function opsFinding(id: string, section: string, title: string, status: Outcome, summary: string, extra: FindingExtra = {}): Finding {
  const f: Finding = { id, section, title, status, required: extra.required ?? true, summary };
  if (extra.detail !== undefined) f.detail = extra.detail;
  if (extra.evidence !== undefined) f.evidence = extra.evidence;
  // A remedy on a PASS would read as an instruction to act where nothing is wrong.
  if (extra.remedy !== undefined && status !== 'pass') f.remedy = extra.remedy;
  return f;
}

/** The report's status from its findings: a failure outranks a could-not-check, which outranks a recommendation. */
export function opsStatus(findings: readonly Finding[]): OperationsReport['status'] {
  if (findings.some((f) => f.status === 'fail')) return 'failed';
  if (findings.some((f) => f.status === 'unknown' && f.required)) return 'unknown';
  if (findings.some((f) => f.status === 'warn' || f.status === 'block')) return 'attention';
  // An empty list would read as "all clear" although nothing was checked.
  if (findings.length === 0) return 'unknown';
  return 'ok';
}

/** Times the task's steps and reports them as progress events, so the CLI shows what runs while it runs. */
export class StepLog {
  readonly steps: StepResult[] = [];
  private current: { id: string; title: string; t: number } | null = null;

  constructor(private readonly ctx: RunContext) {}

  begin(id: string, title: string): void {
    this.current = { id, title, t: performance.now() };
    this.ctx.onProgress?.({ type: 'step-start', id, title });
  }

  end(status: Outcome, detail?: string): void {
    const c = this.current;
    if (!c) return;
    this.current = null;
    const durationMs = Math.max(0, Math.round(performance.now() - c.t));
    this.steps.push({ id: c.id, title: c.title, status, durationMs, ...(detail ? { detail } : {}) });
    this.ctx.onProgress?.({ type: 'step-end', id: c.id, title: c.title, status: status === 'block' ? 'fail' : status, durationMs, ...(detail ? { detail } : {}) });
  }
}

/** A started task: its clock and step log; `finish` wraps findings and data into the report (masked where shown by the CLI). */
export function startTask(ctx: RunContext, app: string): { log: StepLog; finish: (findings: Finding[], data: OperationsData) => OperationsReport } {
  const startedAt = (ctx.now ?? (() => new Date()))();
  const t0 = performance.now();
  const log = new StepLog(ctx);
  return {
    log,
    finish: (findings, data) => ({
      schemaVersion: 1, tool: { name: 'deckhand', version: VERSION }, stage: 'operations', status: opsStatus(findings),
      target: { kind: ctx.executor.host.kind, display: ctx.executor.host.display }, app, startedAt: startedAt.toISOString(),
      durationMs: Math.max(0, Math.round(performance.now() - t0)), findings, steps: log.steps, data,
    }),
  };
}

/** Evidence text: where it ran, what ran, what came back (bounded; masked by the redactor). */
export function opsEvidence(ctx: RunContext, command: string, output: string, maxChars = 4000): string {
  const body = output.length > maxChars ? `${output.slice(0, maxChars)}\n… (${output.length - maxChars} more characters)` : output;
  return ctx.redactor.mask(`on ${ctx.executor.host.display}: $ ${command}\n${body}`.trimEnd());
}
