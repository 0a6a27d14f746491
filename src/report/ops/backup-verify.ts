// The data of `deckhand ops backup-verify` in the Operations Report, and its Markdown section.
import { z } from 'zod';
import { formatBytes } from '../../core/units.js';

export const RestoredTableSchema = z.object({ schema: z.string(), name: z.string(), rows: z.number().int().nonnegative() });

export const OpsBackupVerifyDataSchema = z.object({
  task: z.literal('backup-verify'),
  outcome: z.enum(['VERIFIED', 'FAILED', 'UNKNOWN']),
  source: z.enum(['file', 'pg_dump']).describe('a dump file on the target, or a fresh pg_dump of the app\'s database taken there'),
  dump: z.string().nullable().describe('the dump file (or pg_dump directory) on the target'),
  database: z.string().nullable().describe('with --from-target: the database dumped (URL without its password)'),
  format: z.enum(['pg-custom', 'pg-directory', 'pg-tar', 'pg-plain', 'mysql', 'unknown']).nullable(),
  compressed: z.boolean().nullable().describe('gzip'),
  dumpBytes: z.number().int().nonnegative().nullable(),
  server: z.object({
    binaries: z.string().nullable().describe('the PostgreSQL server binaries used'),
    version: z.string().nullable(),
    user: z.string().nullable().describe('the unprivileged user the throwaway server ran as'),
    sandbox: z.string().nullable().describe('its temporary directory (data, Unix socket; no TCP listener)'),
    stopped: z.boolean().nullable(),
    removed: z.boolean().nullable(),
  }),
  timings: z.object({
    dumpMs: z.number().int().nonnegative().nullable(),
    initdbMs: z.number().int().nonnegative().nullable(),
    startMs: z.number().int().nonnegative().nullable(),
    restoreMs: z.number().int().nonnegative().nullable(),
    checkMs: z.number().int().nonnegative().nullable(),
  }),
  restoredBytes: z.number().int().nonnegative().nullable().describe('pg_database_size of the restored database'),
  tables: z.array(RestoredTableSchema),
  checkTable: z.string().nullable().describe('--check-table: the table that must have rows'),
  failure: z.object({ step: z.string(), message: z.string() }).nullable(),
});
export type OpsBackupVerifyData = z.infer<typeof OpsBackupVerifyDataSchema>;

function ms(n: number | null): string {
  return n === null ? '—' : `${(n / 1000).toFixed(2)} s`;
}

function size(n: number | null): string {
  return n === null ? '—' : formatBytes(n);
}

export function renderBackupVerifyMarkdown(d: OpsBackupVerifyData): string[] {
  const out = ['## Backup Verification', ''];
  out.push(`- **Result:** ${d.outcome}${d.failure ? ` — ${d.failure.step}: ${d.failure.message.split('\n')[0] ?? ''}` : ''}`);
  out.push(`- **Dump:** ${d.source === 'pg_dump' ? `fresh pg_dump of ${d.database ?? '?'}` : `\`${d.dump ?? '?'}\``} (${d.format ?? 'format unknown'}${d.compressed ? ', gzip' : ''}, ${size(d.dumpBytes)})`);
  out.push(`- **Throwaway server:** ${d.server.version ?? 'PostgreSQL'} from ${d.server.binaries ?? '?'} as ${d.server.user ?? '?'} in ${d.server.sandbox ?? '?'}; stopped: ${d.server.stopped === null ? '—' : d.server.stopped ? 'yes' : '**no**'}, removed: ${d.server.removed === null ? '—' : d.server.removed ? 'yes' : '**no**'}`);
  out.push(`- **Times:** ${d.timings.dumpMs !== null ? `pg_dump ${ms(d.timings.dumpMs)}, ` : ''}initdb ${ms(d.timings.initdbMs)}, start ${ms(d.timings.startMs)}, restore ${ms(d.timings.restoreMs)}, check ${ms(d.timings.checkMs)}`);
  out.push(`- **Restored size:** ${size(d.restoredBytes)}`);
  if (d.tables.length > 0) {
    out.push('', '| Table | Rows |', '|---|---|');
    for (const t of d.tables) out.push(`| ${t.schema}.${t.name}${d.checkTable && (d.checkTable === t.name || d.checkTable === `${t.schema}.${t.name}`) ? ' (checked)' : ''} | ${t.rows} |`);
  }
  return out;
}
