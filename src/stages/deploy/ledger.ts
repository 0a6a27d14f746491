// The release ledger kept on the target (<base>/.deckhand/ledger.json): the truth rollback works from.
import { z } from 'zod';

export const ReleaseStatusSchema = z.enum(['current', 'previous', 'failed', 'rolled-back', 'superseded']);
export type ReleaseStatus = z.infer<typeof ReleaseStatusSchema>;

export const LedgerEntrySchema = z.object({
  id: z.string(),
  commit: z.string().nullable(),
  dirty: z.boolean(),
  strategy: z.string(),
  status: ReleaseStatusSchema,
  deployedAt: z.string(),
  deployedBy: z.string().describe('user@machine the deploy ran from'),
  deckhandVersion: z.string(),
  note: z.string().optional(),
  port: z.number().int().nullable().optional(),
  healthPath: z.string().nullable().optional(),
  serviceUser: z.string().nullable().optional().describe('owner of the env file (systemd strategy)'),
  pruned: z.boolean().optional(),
  kubernetes: z.object({
    deployments: z.record(z.string(), z.number().int()), helm: z.number().int().nullable(), image: z.string(),
  }).optional().describe('kubernetes strategy: the revisions this release runs as (rollout undo / helm rollback targets) and its image'),
  restoredAt: z.string().optional().describe('when the last rollback to this release restarted it (whole second, rounded up)'),
});
export type LedgerEntry = z.infer<typeof LedgerEntrySchema>;

export const LedgerSchema = z.object({
  schemaVersion: z.literal(1),
  app: z.string(),
  releases: z.array(LedgerEntrySchema),
});
export type Ledger = z.infer<typeof LedgerSchema>;

export function emptyLedger(app: string): Ledger {
  return { schemaVersion: 1, app, releases: [] };
}

/** Parses the ledger text read from the target; a corrupt ledger is an error, never silently replaced. */
export function parseLedger(text: string | null, app: string): { ledger: Ledger; error: string | null } {
  if (text === null) return { ledger: emptyLedger(app), error: null };
  let raw: unknown;
  try { raw = JSON.parse(text); } catch (e) { return { ledger: emptyLedger(app), error: `not JSON (${(e as Error).message})` }; }
  const p = LedgerSchema.safeParse(raw);
  if (!p.success) return { ledger: emptyLedger(app), error: p.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') };
  return { ledger: p.data, error: null };
}

export function currentRelease(l: Ledger): LedgerEntry | null {
  return l.releases.find((r) => r.status === 'current') ?? null;
}

/**
 * When what serves now started serving: the newest ledger event that changed it, a deploy that went live (its
 * deployedAt) or a rollback (its restoredAt). Log lines before it belong to another release (or to a release rolled
 * back from, which kept crashing until the restart). Null when the ledger records no such event.
 */
export function servingSince(l: Ledger): string | null {
  let best: { at: string; ms: number } | null = null;
  for (const r of l.releases) {
    for (const at of [r.status === 'failed' ? undefined : r.deployedAt, r.restoredAt]) {
      const ms = at === undefined ? NaN : Date.parse(at);
      if (at !== undefined && !Number.isNaN(ms) && (best === null || ms > best.ms)) best = { at, ms };
    }
  }
  return best?.at ?? null;
}

/**
 * Whether a release is a default rollback target: it served and was not rolled back from. A release rolled back from
 * is known bad (`deckhand rollback --to` still brings it back on purpose).
 */
export function knownGood(r: LedgerEntry): boolean {
  return r.status !== 'failed' && r.status !== 'rolled-back';
}

/** Releases that can serve again: deployed successfully once and still on disk, newest first. */
export function restorable(l: Ledger): LedgerEntry[] {
  return l.releases.filter((r) => r.status !== 'failed' && !r.pruned).slice().reverse();
}

/** The ledger after a successful deploy of `entry`: it is current, the old current is previous, older ones superseded. */
export function withDeployed(l: Ledger, entry: Omit<LedgerEntry, 'status'>): Ledger {
  const releases = l.releases.map((r): LedgerEntry => {
    if (r.status === 'current') return { ...r, status: 'previous' };
    if (r.status === 'previous') return { ...r, status: 'superseded' };
    return r;
  });
  return { ...l, releases: [...releases, { ...entry, status: 'current' }] };
}

/**
 * The restoredAt stamp of a restart at `at`: the next whole second, because journals and log readers work in whole
 * seconds and a line of the release replaced in the same second must fall before the window.
 */
export function restartStamp(at: Date): string {
  return new Date(Math.ceil(at.getTime() / 1000) * 1000).toISOString();
}

/**
 * Records a release that failed (never current): the ledger keeps it for the audit trail. When a revert restarted the
 * release that serves again (`restored`), that release is dated from the restart, so servingSince skips the failed one's lines.
 */
export function withFailed(l: Ledger, entry: Omit<LedgerEntry, 'status'>, note: string, restored?: { id: string; at: string }): Ledger {
  const releases = restored ? l.releases.map((r) => (r.id === restored.id ? { ...r, restoredAt: restored.at } : r)) : l.releases;
  return { ...l, releases: [...releases, { ...entry, status: 'failed', note, pruned: true }] };
}

/**
 * After rolling back to `toId`: it is current (since `restoredAt`, when given); the release it replaced is rolled-back;
 * the rest keep their status.
 */
export function withRolledBack(l: Ledger, toId: string, restoredAt?: string): Ledger {
  const from = currentRelease(l);
  const releases = l.releases.map((r): LedgerEntry => {
    if (r.id === toId) return { ...r, status: 'current', ...(restoredAt ? { restoredAt } : {}) };
    if (from && r.id === from.id) return { ...r, status: 'rolled-back' };
    if (r.status === 'previous') return { ...r, status: 'superseded' };
    return r;
  });
  // The newest restorable release older than the new current becomes "previous": the next rollback target.
  const idx = releases.findIndex((r) => r.id === toId);
  for (let i = idx - 1; i >= 0; i--) {
    const r = releases[i];
    if (r && r.status === 'superseded' && !r.pruned) { releases[i] = { ...r, status: 'previous' }; break; }
  }
  return { ...l, releases };
}

/**
 * Release directories to delete so that at most `keep` remain: oldest first, never the current, never the
 * previous (the rollback target), never a directory the ledger does not know (that is reported, not deleted).
 */
export function pruneCandidates(l: Ledger, onDisk: readonly string[], keep: number, keepIds: readonly string[]): string[] {
  const known = new Map(l.releases.map((r) => [r.id, r]));
  const protectedIds = new Set([...keepIds, ...l.releases.filter((r) => r.status === 'current' || r.status === 'previous').map((r) => r.id)]);
  const ours = onDisk.filter((id) => known.has(id)).sort();
  const excess = ours.length - keep;
  if (excess <= 0) return [];
  return ours.filter((id) => !protectedIds.has(id)).slice(0, excess);
}

export function markPruned(l: Ledger, ids: readonly string[]): Ledger {
  const set = new Set(ids);
  return { ...l, releases: l.releases.map((r) => (set.has(r.id) ? { ...r, pruned: true } : r)) };
}
