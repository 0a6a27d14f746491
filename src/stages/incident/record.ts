// The Incident Record: the one shape `deckhand incident`, `deckhand rollback` and `deckhand up` write to <base>/.deckhand/incidents/.
import type { RunContext } from '../../core/context.js';
import { writeFileCommand } from '../../commands/fs.js';
import type { ExecutionReport } from '../../report/execution.js';
import type { IncidentRecord } from '../../report/incident.js';

export type { IncidentRecord } from '../../report/incident.js';

/** Record id: the UTC time it was opened, compact and sortable. */
export function incidentId(at: Date): string {
  return at.toISOString().replace(/[-:.]/g, '');
}

async function writeMasked(ctx: RunContext, dir: string, path: string, text: string): Promise<void> {
  const stdin = ctx.redactor.mask(text);
  const r = await ctx.executor.run({ ...writeFileCommand(path, '0600'), stdin });
  if (!r.failed) return;
  await ctx.executor.run({ argv: ['mkdir', '-p', dir], mutates: true, timeoutMs: 15_000 });
  const again = await ctx.executor.run({ ...writeFileCommand(path, '0600'), stdin });
  if (again.failed) throw new Error(`could not write ${path}: ${again.stderr.trim()}`);
}

/** Writes the record (and, when given, its post-incident review draft beside it as <id>.review.md); returns the record's path. */
export async function writeIncident(ctx: RunContext, base: string, rec: IncidentRecord, review?: string): Promise<string> {
  const dir = `${base}/.deckhand/incidents`;
  const path = `${dir}/${rec.id}.json`;
  await writeMasked(ctx, dir, path, `${JSON.stringify(rec, null, 2)}\n`);
  if (review !== undefined) await writeMasked(ctx, dir, `${dir}/${rec.id}.review.md`, review);
  return path;
}

/**
 * The record of a manual `deckhand rollback`: the operator judged the release bad enough to restore another (a hard
 * rollback, SEV-1 in the decision tree); the cause is not diagnosed here (`deckhand incident --dry-run` does that).
 */
export function rollbackRecord(r: ExecutionReport, at: Date): IncidentRecord {
  const d = r.data;
  const ok = d.outcome === 'SUCCESS';
  return {
    schemaVersion: 1, id: incidentId(at), app: d.app, openedAt: r.startedAt, source: 'rollback',
    triage: { severity: 'SEV-1', summary: `manual rollback of ${d.app} from ${d.previousRelease ?? '?'} to ${d.releaseId}`, evidence: r.findings.map((f) => `${f.title}: ${f.summary}`),
      decision: ['the operator asked for a rollback: a hard rollback is the SEV-1 action'] },
    diagnoses: [], changes: null,
    timeline: [{ at: r.startedAt, event: 'deckhand rollback started' }, { at: at.toISOString(), event: `rollback ${d.outcome}` }],
    actions: [`rolled back from ${d.previousRelease ?? '?'} to ${d.releaseId}: ${d.outcome}${d.failure ? ` (${d.failure.message}; ${d.failure.revert ?? 'nothing to put back'})` : ''}`],
    rollback: { from: d.previousRelease, to: d.releaseId, outcome: d.outcome, verified: ok ? `health check: ${d.runtime.detail}` : null },
    currentState: ok ? `${d.releaseId} running and healthy (${d.runtime.detail})` : `${d.runtime.status}: ${d.runtime.detail}`,
    status: ok ? 'RESTORED' : 'UNRESOLVED', causeClass: 'unknown',
    followUp: ['run `deckhand verify` for the full layers, and `deckhand incident --dry-run` to diagnose the release rolled back from'],
  };
}
