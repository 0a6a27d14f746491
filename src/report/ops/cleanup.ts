// The data of `deckhand ops cleanup` in the Operations Report, and its Markdown section.
import { z } from 'zod';
import { formatBytes } from '../../core/units.js';

export const DiskUseSchema = z.object({
  mount: z.string(), sizeBytes: z.number().int().nonnegative(), usedBytes: z.number().int().nonnegative(),
  availBytes: z.number().int().nonnegative(), usePercent: z.number().int().min(0).max(100),
});

export const CleanupItemSchema = z.object({
  kind: z.enum(['log-compress', 'log-delete', 'release', 'image']),
  target: z.string().describe('file path, release id or image reference'),
  bytes: z.number().int().nonnegative().describe('size when listed (images: up to, as layers shared with kept images stay)'),
  reason: z.string(),
  outcome: z.enum(['listed', 'done', 'skipped', 'failed']).describe('listed: plan only; skipped: changed between listing and deleting, or no longer selected'),
  reclaimedBytes: z.number().int().nullable().describe('bytes freed (compression: size before minus the .gz); null until applied'),
  note: z.string().optional(),
});
export type CleanupItem = z.infer<typeof CleanupItemSchema>;

export const OpsCleanupDataSchema = z.object({
  task: z.literal('cleanup'),
  mode: z.enum(['plan', 'applied']).describe('plan: listed only (no --yes); applied: deleted exactly what was listed and still matched'),
  base: z.string(),
  olderThanDays: z.number().positive(),
  keep: z.number().int().positive(),
  keepSource: z.string().describe('where the keep count came from: --keep, deckhand.yml or the default'),
  disk: z.object({ before: DiskUseSchema.nullable(), after: DiskUseSchema.nullable() }).describe('df of the base directory\'s filesystem'),
  items: z.array(CleanupItemSchema),
  protected: z.array(z.object({ kind: z.enum(['log', 'release', 'image']), target: z.string(), reason: z.string() })).describe('what was considered and kept, and why'),
  totals: z.object({
    listedBytes: z.number().int().nonnegative().describe('logs and releases listed'),
    reclaimedBytes: z.number().int().describe('logs and releases freed, measured on the target'),
    imageBytesUpTo: z.number().int().nonnegative().describe('image sizes listed (an upper bound)'),
    done: z.number().int().nonnegative(), skipped: z.number().int().nonnegative(), failed: z.number().int().nonnegative(),
  }),
  ledgerUpdated: z.boolean().nullable().describe('pruned releases marked in the ledger (null: nothing pruned)'),
  notes: z.array(z.string()),
});
export type OpsCleanupData = z.infer<typeof OpsCleanupDataSchema>;

const KIND: Record<CleanupItem['kind'], string> = { 'log-compress': 'compress log', 'log-delete': 'delete log', release: 'prune release', image: 'remove image tag' };

function disk(d: z.infer<typeof DiskUseSchema> | null): string {
  return d ? `${d.usePercent}% used on ${d.mount} (${formatBytes(d.availBytes)} free of ${formatBytes(d.sizeBytes)})` : 'unknown';
}

function summary(d: OpsCleanupData): string[] {
  const sum = (k: CleanupItem['kind']): { n: number; bytes: number; freed: number } => {
    const done = d.items.filter((i) => i.kind === k && i.outcome === 'done');
    return { n: done.length, bytes: done.reduce((s, i) => s + i.bytes, 0), freed: done.reduce((s, i) => s + (i.reclaimedBytes ?? 0), 0) };
  };
  const c = sum('log-compress'); const del = sum('log-delete'); const r = sum('release'); const im = sum('image');
  const out = [
    `- Compressed ${c.n} log file(s): ${formatBytes(c.bytes)} → ${formatBytes(c.bytes - c.freed)}.`,
    `- Deleted ${del.n} log file(s) older than ${d.olderThanDays} days: ${formatBytes(del.freed)}.`,
    `- Pruned ${r.n} release(s): ${formatBytes(r.freed)}.`,
    `- Removed ${im.n} image tag(s): up to ${formatBytes(im.bytes)}.`,
  ];
  const b = d.disk.before; const a = d.disk.after;
  out.push(`- **Result:** reclaimed ${formatBytes(d.totals.reclaimedBytes)}; disk usage ${b ? `${b.usePercent}% (${formatBytes(b.usedBytes)} used)` : 'unknown'} → ${a ? `${a.usePercent}% (${formatBytes(a.usedBytes)} used)` : 'unknown'}${d.totals.skipped + d.totals.failed > 0 ? ` (${d.totals.skipped} skipped, ${d.totals.failed} failed)` : ''}.`);
  return out;
}

export function renderCleanupMarkdown(d: OpsCleanupData): string[] {
  const lines = ['## Cleanup', ''];
  lines.push(`- **Base:** \`${d.base}\``);
  lines.push(`- **Rules:** logs last written more than ${d.olderThanDays} days ago are deleted; uncompressed logs idle for a day are compressed; releases beyond the newest ${d.keep} (${d.keepSource}) are pruned, never the current release or the rollback target; image tags of releases that are gone are removed`);
  lines.push(`- **Disk before:** ${disk(d.disk.before)}`);
  if (d.mode === 'applied') lines.push(`- **Disk after:** ${disk(d.disk.after)}`);
  lines.push(`- **Mode:** ${d.mode === 'plan' ? 'list only: nothing was changed (rerun with --yes to delete exactly these)' : 'applied'}`);
  if (d.mode === 'applied') lines.push('', '### Result', '', ...summary(d));
  lines.push('', d.mode === 'plan' ? '### What would go' : '### Items', '');
  if (d.items.length === 0) lines.push('Nothing to clean up.');
  else {
    lines.push('| Action | Item | Bytes | Why | Outcome |', '|---|---|---|---|---|');
    for (const i of d.items) {
      const out = i.outcome === 'done' && i.reclaimedBytes !== null ? `done (${formatBytes(i.reclaimedBytes)} freed)` : `${i.outcome}${i.note ? `: ${i.note}` : ''}`;
      lines.push(`| ${KIND[i.kind]} | \`${i.target}\` | ${i.kind === 'image' ? 'up to ' : ''}${formatBytes(i.bytes)} | ${i.reason} | ${out} |`);
    }
    lines.push('', `Total listed: ${d.items.length} item(s), ${formatBytes(d.totals.listedBytes)}${d.totals.imageBytesUpTo > 0 ? ` and up to ${formatBytes(d.totals.imageBytesUpTo)} of images` : ''}.`);
  }
  if (d.protected.length > 0) {
    lines.push('', '### Kept', '', '| Kind | Item | Why |', '|---|---|---|');
    for (const p of d.protected) lines.push(`| ${p.kind} | \`${p.target}\` | ${p.reason} |`);
  }
  if (d.notes.length > 0) lines.push('', '### Notes', '', ...d.notes.map((n) => `- ${n}`));
  return lines;
}
