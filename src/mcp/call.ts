// One tool call's frame: deadline and cancellation, an executor for the target, progress notifications, masked results and errors.
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { CallToolResult, ServerNotification, ServerRequest } from '@modelcontextprotocol/sdk/types.js';
import { createExecutor, DeckhandError, formatError, parseTarget, type Executor, type ProgressEvent, type RunContext } from '../index.js';
import { reportUri, type StoredKind } from './reports.js';
import type { Session } from './session.js';

export type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;

export const MINUTE = 60_000;

export interface CallSpec<R> {
  tool: string;
  /** Target the executor connects to; omit for work done on this machine only. */
  target?: string;
  /** After this the call stops: mutating calls first get `graceMs` to stop at a step boundary and revert. */
  deadlineMs: number;
  graceMs?: number;
  kind: StoredKind;
  work: (ctx: RunContext & { executor: Executor }, stopping: () => boolean) => Promise<R>;
  render: (report: R) => string;
  /** Resource id of the stored report (default: a fresh one). */
  reportId?: (report: R) => string;
  /** Extra lines after the Markdown (e.g. the plan id to apply). */
  note?: (report: R, uri: string) => string;
  title: (report: R) => string;
}

/** A tool result saying why nothing (more) was done: what, why, how to fix — masked. */
export function errorResult(session: Session, err: unknown): CallToolResult {
  return { isError: true, content: [{ type: 'text', text: session.redactor.mask(formatError(err)) }] };
}

function progressText(e: ProgressEvent): string {
  if (e.type === 'step-start') return `${e.title} …`;
  return `${e.title}: ${e.status}${e.detail ? ` (${e.detail})` : ''}`;
}

export async function runCall<R extends object>(session: Session, extra: Extra, spec: CallSpec<R>): Promise<CallToolResult> {
  const { redactor } = session;
  const hard = new AbortController();
  let stopRequested = false;
  const minutes = Math.round(spec.deadlineMs / MINUTE);
  const stop = (why: string): void => {
    if (stopRequested) return;
    stopRequested = true;
    // A call that can revert stops at its next step boundary first; the hard abort ends whatever is still running.
    const kill = (): void => hard.abort(new DeckhandError('timeout', why, { hint: 'rerun it; for a slow build or start, check the target and retry (the deploy, if any, was stopped and reverted)' }));
    if (spec.graceMs) setTimeout(kill, spec.graceMs).unref();
    else kill();
  };
  const deadline = setTimeout(() => stop(`${spec.tool} did not finish within ${minutes} minutes`), spec.deadlineMs);
  const onCancel = (): void => stop(`${spec.tool} was cancelled by the client`);
  extra.signal.addEventListener('abort', onCancel, { once: true });
  const aborted = new Promise<never>((_, reject) => hard.signal.addEventListener('abort', () => reject(hard.signal.reason as Error), { once: true }));
  aborted.catch(() => undefined);

  const token = extra._meta?.progressToken;
  let progress = 0;
  const onProgress = token === undefined ? undefined : (e: ProgressEvent): void => {
    progress++;
    extra.sendNotification({ method: 'notifications/progress', params: { progressToken: token, progress, message: redactor.mask(progressText(e)) } }).catch(() => undefined);
  };

  let executor: Executor | undefined;
  try {
    executor = createExecutor(parseTarget(spec.target ?? 'local'), session.options.ssh, redactor, hard.signal);
    const ctx = { executor, redactor, signal: hard.signal, ...(onProgress ? { onProgress } : {}) };
    const report = await Promise.race([spec.work(ctx, () => stopRequested), aborted]);
    const masked = redactor.maskDeep(report);
    const json = JSON.stringify(masked, null, 2);
    const stored = session.reports.add(spec.kind, redactor.mask(spec.title(report)), json, spec.reportId?.(report));
    const uri = reportUri(stored.kind, stored.id);
    const text = redactor.mask(spec.render(report) + (spec.note ? `\n\n${spec.note(report, uri)}` : ''));
    return {
      content: [
        { type: 'text', text },
        { type: 'resource_link', uri, name: `${stored.kind}/${stored.id}`, mimeType: 'application/json', description: 'the full report (JSON)' },
      ],
      structuredContent: masked as Record<string, unknown>,
    };
  } catch (err) {
    return errorResult(session, err);
  } finally {
    clearTimeout(deadline);
    extra.signal.removeEventListener('abort', onCancel);
    await executor?.close().catch(() => undefined);
  }
}
