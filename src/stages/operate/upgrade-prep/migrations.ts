// Parsers for the read-only migration status commands: Django showmigrations --plan, prisma migrate status, rails db:migrate:status.
import { isTimeoutRc } from '../../readiness/parse.js';

/** Pending migrations, or why the status could not be read. */
export type MigrationStatus = { ok: true; pending: string[] } | { ok: false; reason: string };

function tailText(text: string, n = 3): string {
  return text.split('\n').map((l) => l.trim()).filter((l) => l.length > 0).slice(-n).join(' / ');
}

function failed(tool: string, rc: number | null, stdout: string, stderr: string): MigrationStatus {
  if (rc === null || isTimeoutRc(rc)) return { ok: false, reason: `${tool} did not finish within its time limit` };
  const said = tailText(stderr) || tailText(stdout);
  return { ok: false, reason: `${tool} failed (exit ${rc})${said ? `: ${said}` : ''}` };
}

/** `manage.py showmigrations --plan`: `[X]  app.0001_initial` applied, `[ ]  app.0002_x` not. */
export function parseDjangoShowmigrations(stdout: string, rc: number | null, stderr: string): MigrationStatus {
  if (rc !== 0) return failed('manage.py showmigrations', rc, stdout, stderr);
  const lines = stdout.split('\n').map((l) => l.trim());
  const entries = lines.filter((l) => /^\[[ X]\]\s+\S/.test(l));
  if (entries.length === 0 && lines.some((l) => l.length > 0)) return { ok: false, reason: `manage.py showmigrations printed no migration lines: ${tailText(stdout)}` };
  return { ok: true, pending: entries.filter((l) => l.startsWith('[ ]')).map((l) => l.replace(/^\[ \]\s+/, '').split(/\s+/)[0] ?? l) };
}

/**
 * `prisma migrate status`: exits non-zero when migrations are pending, so the text decides. "Database schema is
 * up to date!" or "Following migration(s) have not yet been applied:" followed by one name a line.
 */
export function parsePrismaStatus(stdout: string, rc: number | null, stderr: string): MigrationStatus {
  const text = `${stdout}\n${stderr}`;
  if (/Database schema is up to date/i.test(text)) return { ok: true, pending: [] };
  const lines = text.split('\n');
  const at = lines.findIndex((l) => /have not yet been applied:?\s*$/i.test(l.trim()));
  if (at >= 0) {
    const pending: string[] = [];
    for (const l of lines.slice(at + 1)) {
      const t = l.trim();
      if (t.length === 0) { if (pending.length > 0) break; continue; }
      if (!/^\S+$/.test(t)) break;
      pending.push(t);
    }
    return { ok: true, pending };
  }
  return failed('prisma migrate status', rc === 0 ? 1 : rc, stdout, stderr);
}

/** `rails db:migrate:status`: a table of `up|down  <id>  <name>`; down is pending. */
export function parseRailsStatus(stdout: string, rc: number | null, stderr: string): MigrationStatus {
  if (rc !== 0) return failed('rails db:migrate:status', rc, stdout, stderr);
  if (/Schema migrations table does not exist/i.test(stdout)) return { ok: false, reason: 'rails: the schema_migrations table does not exist yet (the database was never migrated)' };
  const pending: string[] = [];
  let rows = 0;
  for (const l of stdout.split('\n')) {
    const m = /^\s*(up|down)\s+(\d+)\s*(.*)$/.exec(l);
    if (!m) continue;
    rows++;
    if (m[1] === 'down') pending.push(`${m[2]}${m[3] ? ` ${m[3].trim()}` : ''}`);
  }
  if (rows === 0 && stdout.trim().length > 0 && !/Migration ID/i.test(stdout)) return { ok: false, reason: `rails db:migrate:status printed no status rows: ${tailText(stdout)}` };
  return { ok: true, pending };
}
