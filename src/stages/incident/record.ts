// The Incident Record (first version): triage, actions taken, rollback, current state, cause class, follow-up.
import type { RunContext } from '../../core/context.js';
import { writeFileCommand } from '../../commands/fs.js';
import type { Finding } from '../../report/common.js';

export interface IncidentRecord {
  schemaVersion: 1;
  id: string;
  app: string;
  openedAt: string;
  triage: { severity: 'SEV-1' | 'SEV-2' | 'SEV-3'; summary: string; evidence: string[] };
  timeline: { at: string; event: string }[];
  actions: string[];
  rollback: { from: string | null; to: string | null; outcome: string } | null;
  currentState: string;
  causeClass: 'infrastructure' | 'application' | 'unknown';
  followUp: string[];
}

/**
 * Cause class from the failing findings: dependencies, disk, permissions and certificates are infrastructure;
 * the app's own errors (its logs, its HTTP answers, a crash loop) are application; nothing clear is unknown.
 */
export function causeClass(failing: readonly Finding[]): IncidentRecord['causeClass'] {
  const infra = failing.some((f) => f.section === 'deps' || f.section === 'tls' || f.section === 'proxy' || /ENOSPC|permission denied|disk/i.test(f.summary));
  const app = failing.some((f) => ['http', 'smoke', 'logs', 'process', 'version', 'port'].includes(f.section));
  return infra ? 'infrastructure' : app ? 'application' : 'unknown';
}

export async function writeIncident(ctx: RunContext, base: string, rec: IncidentRecord): Promise<string> {
  const path = `${base}/.deckhand/incidents/${rec.id}.json`;
  const r = await ctx.executor.run({ ...writeFileCommand(path, '0600'), stdin: ctx.redactor.mask(`${JSON.stringify(rec, null, 2)}\n`) });
  if (r.failed) {
    await ctx.executor.run({ argv: ['mkdir', '-p', `${base}/.deckhand/incidents`], mutates: true });
    const again = await ctx.executor.run({ ...writeFileCommand(path, '0600'), stdin: ctx.redactor.mask(`${JSON.stringify(rec, null, 2)}\n`) });
    if (again.failed) throw new Error(`could not write ${path}: ${again.stderr.trim()}`);
  }
  return path;
}
