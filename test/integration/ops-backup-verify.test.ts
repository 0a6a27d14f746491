// `deckhand ops backup-verify` for real: pg_dumps of examples/node-api's database (items table, seeded rows) restore into a
// throwaway server and verify; a truncated dump fails with pg_restore's message; --from-target dumps the deployed app's DATABASE_URL.
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cp, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { freeLocalPort } from '../../src/exec/free-port.js';
import { runCli, type CliResult } from '../helpers/cli.js';
import { pm2Workspace, type Pm2Workspace } from '../helpers/pm2-workspace.js';
import { postgresOrSkip, startPostgres, type TestPostgres } from '../helpers/postgres.js';

const run = promisify(execFile);
const EXAMPLE = fileURLToPath(new URL('../../examples/node-api/', import.meta.url));
const PASSWORD = `bv-${randomBytes(9).toString('hex')}`;
const APP = 'opsbv-api';

interface Finding { id: string; status: string; summary: string; evidence?: string; remedy?: string }
interface Report {
  status: string;
  findings: Finding[];
  data: {
    outcome: string; source: string; format: string | null; compressed: boolean | null; dumpBytes: number | null; database: string | null;
    server: { binaries: string | null; user: string | null; sandbox: string | null; stopped: boolean | null; removed: boolean | null };
    timings: { restoreMs: number | null; dumpMs: number | null };
    restoredBytes: number | null;
    tables: { schema: string; name: string; rows: number }[];
    failure: { step: string; message: string } | null;
  };
}

function report(r: CliResult): Report {
  try { return JSON.parse(r.stdout) as Report; } catch { return assert.fail(`no JSON report (exit ${r.code}):\n${r.stdout}\n${r.stderr}`); }
}
const show = (rep: Report): string => rep.findings.map((f) => `${f.status} ${f.id}: ${f.summary}`).join('\n');

/** Sandboxes and servers a run may have left: none must remain. */
async function leftovers(): Promise<string[]> {
  const dirs = (await readdir('/tmp')).filter((n) => n.startsWith('deckhand-restore.'));
  const procs = execFileSync('sh', ['-c', 'ps -eo pid=,args= | grep "[d]eckhand-restore" || true']).toString().trim();
  return [...dirs, ...(procs ? [procs] : [])];
}

describe('ops backup-verify with real PostgreSQL (local target, as root: the throwaway server runs as postgres)', { concurrency: false }, () => {
  let pg: TestPostgres | null = null;
  let ws: Pm2Workspace | undefined;
  let work = '';
  let base = '';
  let env: Record<string, string> = {};
  const outputs: CliResult[] = [];
  const verify = async (args: string[]): Promise<{ r: CliResult; rep: Report }> => {
    const r = await runCli(['ops', 'backup-verify', 'local', '--name', APP, '--base-dir', base, '--json', ...args], { env, timeoutMs: 240_000 });
    outputs.push(r);
    return { r, rep: report(r) };
  };

  before(async () => {
    pg = await startPostgres('dh-ops-bv-pg-');
    if (!pg) return;
    await pg.psql(`CREATE ROLE app LOGIN PASSWORD '${PASSWORD}'`);
    await pg.psql('CREATE DATABASE appdb OWNER app');
    ws = await pm2Workspace('dh-ops-bv-');
    work = ws.dir;
    base = join(work, 'base');
    env = ws.env;
    await cp(EXAMPLE, join(work, 'repo'), { recursive: true, filter: (src) => !src.includes('node_modules') });
    const appPort = await freeLocalPort();
    await writeFile(join(work, 'prod.env'), `DATABASE_URL=postgres://app:${PASSWORD}@127.0.0.1:${pg.port}/appdb\n`, { mode: 0o600 });
    const d = await runCli(['deploy', 'local', '--repo', join(work, 'repo'), '--strategy', 'pm2', '--name', APP, '--base-dir', base, '--port', String(appPort),
      '--health', '/health', '--env-file', join(work, 'prod.env'), '--json', '--yes'], { env, timeoutMs: 300_000 });
    outputs.push(d);
    assert.equal(d.code, 0, d.stderr + d.stdout);
    // The app creates its items table on the first /api/items; then three rows are seeded.
    const res = await fetch(`http://127.0.0.1:${appPort}/api/items`);
    assert.equal(res.status, 200, await res.text());
    await pg.psql("INSERT INTO items (name) VALUES ('anchor'), ('rope'), ('sail')", 'appdb');
    await run(join(pg.bin, 'pg_dump'), ['-h', pg.dir, '-p', String(pg.port), '-U', 'postgres', '-Fc', '-f', join(work, 'appdb.dump'), 'appdb'], { timeout: 60_000 });
    await run('sh', ['-c', `"$1" -h "$2" -p "$3" -U postgres appdb | gzip > "$4"`, 'sh', join(pg.bin, 'pg_dump'), pg.dir, String(pg.port), join(work, 'appdb.sql.gz')], { timeout: 60_000 });
    const full = await readFile(join(work, 'appdb.dump'));
    await writeFile(join(work, 'truncated.dump'), full.subarray(0, Math.floor(full.length / 2)));
    await writeFile(join(work, 'mysql.sql'), '-- MySQL dump 10.13  Distrib 8.0.36, for Linux (x86_64)\nCREATE TABLE t (id int);\n');
  });

  after(async () => {
    await ws?.close();
    await pg?.stop();
  });

  test('a custom-format pg_dump restores: VERIFIED, items has its 3 rows, the server is removed', async (t) => {
    if (!postgresOrSkip(t)) return;
    const { r, rep } = await verify(['--dump', join(work, 'appdb.dump'), '--check-table', 'items']);
    t.diagnostic(show(rep));
    assert.equal(r.code, 0, r.stderr);
    assert.equal(rep.status, 'ok');
    assert.equal(rep.data.outcome, 'VERIFIED');
    assert.equal(rep.data.format, 'pg-custom');
    assert.equal(rep.data.dumpBytes, (await stat(join(work, 'appdb.dump'))).size);
    assert.deepEqual(rep.data.tables, [{ schema: 'public', name: 'items', rows: 3 }]);
    assert.equal(rep.data.server.user, 'postgres');
    assert.match(rep.data.server.binaries ?? '', /^\/usr\/lib\/postgresql\/\d+\/bin$/);
    assert.deepEqual([rep.data.server.stopped, rep.data.server.removed], [true, true]);
    assert.ok((rep.data.restoredBytes ?? 0) > 0 && rep.data.timings.restoreMs !== null);
    assert.equal(rep.findings.find((f) => f.id === 'backup.check-table')?.summary, 'public.items: 3 row(s)');
    assert.deepEqual(await leftovers(), []);
  });

  test('a gzipped plain SQL dump restores too (the owner role it names is created in the sandbox)', async (t) => {
    if (!postgresOrSkip(t)) return;
    const { r, rep } = await verify(['--dump', join(work, 'appdb.sql.gz'), '--check-table', 'public.items']);
    t.diagnostic(show(rep));
    assert.equal(r.code, 0, r.stderr + show(rep));
    assert.deepEqual([rep.data.format, rep.data.compressed], ['pg-plain', true]);
    assert.deepEqual(rep.data.tables, [{ schema: 'public', name: 'items', rows: 3 }]);
  });

  test('a truncated dump is a clear FAILED with pg_restore\'s message; nothing is left behind', async (t) => {
    if (!postgresOrSkip(t)) return;
    const { r, rep } = await verify(['--dump', join(work, 'truncated.dump'), '--check-table', 'items']);
    t.diagnostic(show(rep));
    assert.equal(r.code, 1, r.stderr);
    assert.equal(rep.status, 'failed');
    assert.equal(rep.data.outcome, 'FAILED');
    assert.equal(rep.data.failure?.step, 'restore');
    assert.match(rep.data.failure?.message ?? '', /^pg_restore could not restore the dump \(exit 1\):\npg_restore: error: /);
    const f = rep.findings.find((x) => x.id === 'backup.restore');
    assert.equal(f?.status, 'fail');
    assert.match(f?.remedy ?? '', /not restorable/);
    assert.equal(rep.findings.find((x) => x.id === 'backup.cleanup')?.status, 'pass');
    assert.deepEqual(await leftovers(), []);
  });

  test('--from-target: a fresh pg_dump of the deployed app\'s DATABASE_URL verifies; the password never shows', async (t) => {
    if (!postgresOrSkip(t)) return;
    const { r, rep } = await verify(['--from-target', '--check-table', 'items']);
    t.diagnostic(show(rep));
    assert.equal(r.code, 0, r.stderr + show(rep));
    assert.equal(rep.data.source, 'pg_dump');
    assert.equal(rep.data.database, `postgres://app@127.0.0.1:${pg?.port}/appdb`);
    assert.deepEqual(rep.data.tables, [{ schema: 'public', name: 'items', rows: 3 }]);
    assert.ok(rep.data.timings.dumpMs !== null);
    assert.deepEqual(await leftovers(), []);
  });

  test('a table that is not there fails the check; a MySQL dump without mysqld is UNKNOWN; a missing file fails', async (t) => {
    if (!postgresOrSkip(t)) return;
    const missing = await verify(['--dump', join(work, 'appdb.dump'), '--check-table', 'users']);
    assert.equal(missing.r.code, 1);
    assert.match(missing.rep.findings.find((f) => f.id === 'backup.check-table')?.summary ?? '', /^no table users in the restored database \(tables: public\.items\)$/);

    const mysqld = execFileSync('sh', ['-c', 'command -v mariadbd || command -v mysqld || true']).toString().trim();
    if (mysqld === '') {
      const my = await verify(['--dump', join(work, 'mysql.sql')]);
      assert.equal(my.r.code, 3, my.r.stderr);
      assert.equal(my.rep.status, 'unknown');
      assert.equal(my.rep.data.format, 'mysql');
      assert.match(my.rep.findings[0]?.summary ?? '', /a MySQL dump, and mysqld is not installed on the target/);
      assert.match(my.rep.findings[0]?.remedy ?? '', /mariadb-server/);
    }

    const none = await verify(['--dump', join(work, 'no-such.dump')]);
    assert.equal(none.r.code, 1);
    assert.match(none.rep.findings[0]?.summary ?? '', /the dump file does not exist/);
    assert.deepEqual(await leftovers(), []);
  });

  test('usage errors exit 2', async () => {
    for (const [args, re] of [[[], /exactly one of --dump FILE and --from-target/], [['--dump', 'x', '--from-target'], /exactly one of/],
      [['--dump', 'x', '--check-table', 'a;b'], /is not a table name/], [['--dump', 'x', '--work-dir', 'tmp'], /--work-dir must be an absolute path/]] as const) {
      const r = await runCli(['ops', 'backup-verify', 'local', '--name', APP, ...args]);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, re);
    }
  });

  test('the database password appears in no output', async (t) => {
    if (!postgresOrSkip(t)) return;
    assert.ok(outputs.length >= 6);
    for (const o of outputs) assert.ok(!o.stdout.includes(PASSWORD) && !o.stderr.includes(PASSWORD));
  });
});
