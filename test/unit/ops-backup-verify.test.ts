// ops backup-verify: the restore script's arguments and syntax, its output parser, the database URL split, the stage's verdicts under a scripted target.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { Redactor } from '../../src/core/redact.js';
import { RecordingExecutor } from '../../src/exec/recording.js';
import { COUNT_SQL, restoreCheckCommand } from '../../src/commands/ops-backup.js';
import { between, parseRestore } from '../../src/stages/operate/backup-verify/parse.js';
import { opsBackupVerify, splitDatabaseUrl, type BackupVerifyRequest } from '../../src/stages/operate/backup-verify/index.js';
import { OperationsReportSchema } from '../../src/report/operations.js';
import { renderOperationsMarkdown } from '../../src/report/markdown-operations.js';

const OK = [
  'uid=0', 'pgbin=/usr/lib/postgresql/15/bin', 'mysqld=', '@@detect', 'size=2711', 'format=pg-custom', 'compressed=none',
  'pgversion=postgres (PostgreSQL) 15.18', 'server_user=postgres', 'sandbox=/tmp/deckhand-restore.AbC123',
  '@@t initdb 100.00', '@@initdb 0', '@@t start 101.50', '@@start 0', '@@t restore 102.00', '@@t restored 102.25', '@@restore 0',
  '@@tables', 'public\titems\t3', 'audit\tlog\t0', '@@count 0', 'dbsize=7540495', '@@t checked 102.40', '@@done', '@@stop 0', '@@removed 0',
].join('\n');

describe('the restore script', () => {
  it('arguments: dump, URL without password, work dir, time limit, the count query; valid sh; the password never in argv', () => {
    const c = restoreCheckCommand({ dump: '/backups/app.dump', sourceUrl: null, workDir: '/var/tmp', timeoutSec: 1800 });
    assert.deepEqual(c.argv.slice(3, 9), ['deckhand-backup-verify', '/backups/app.dump', '', '/var/tmp', '1800', COUNT_SQL]);
    assert.equal(spawnSync('sh', ['-n', '-c', c.argv[2] ?? '']).status, 0);
    assert.equal(spawnSync('sh', ['-n', '-c', c.argv[9] ?? '']).status, 0, 'the watchdog is valid sh');
    assert.equal(c.timeoutMs, 1_800_000);
    const fresh = restoreCheckCommand({ dump: null, sourceUrl: 'postgres://app@db:5432/appdb', workDir: '/tmp', timeoutSec: 60 });
    assert.deepEqual(fresh.argv.slice(4, 6), ['', 'postgres://app@db:5432/appdb']);
    assert.match(fresh.description ?? '', /^pg_dump the app's database, restore it/);
  });

  it('parses facts, step exits, marks and the table counts', () => {
    const r = parseRestore(OK);
    assert.equal(r.done, true);
    assert.equal(r.facts.get('sandbox'), '/tmp/deckhand-restore.AbC123');
    assert.deepEqual(r.tables, [{ schema: 'public', name: 'items', rows: 3 }, { schema: 'audit', name: 'log', rows: 0 }]);
    assert.equal(between(r, 'restore', 'restored'), 250);
    assert.deepEqual(r.steps.map((s) => `${s.name}:${String(s.code)}`), ['detect:null', 'initdb:0', 'start:0', 'restore:0', 'stop:0', 'removed:0']);
    const failed = parseRestore('@@restore 1\n  pg_restore: error: could not read from input file: end of file\n@@stop 0\n@@removed 0\n');
    assert.deepEqual(failed.steps[0], { name: 'restore', code: 1, output: 'pg_restore: error: could not read from input file: end of file' });
  });

  it('database URLs: the password split off (percent-decoded), MySQL refused', () => {
    assert.deepEqual(splitDatabaseUrl('postgres://app:p%40ss%3Aw@127.0.0.1:5432/appdb?sslmode=disable'), { url: 'postgres://app@127.0.0.1:5432/appdb?sslmode=disable', password: 'p@ss:w' });
    assert.deepEqual(splitDatabaseUrl('mysql://root:x@db/app'), { error: 'it is a mysql URL: --from-target takes PostgreSQL databases (pg_dump)' });
    assert.deepEqual(splitDatabaseUrl('not a url'), { error: 'it is not a URL' });
  });
});

describe('the stage under a scripted target', () => {
  const req = (over: Partial<BackupVerifyRequest> = {}): BackupVerifyRequest => ({
    app: 'api', baseDir: null, dump: '/backups/app.dump', fromTarget: false, envVar: 'DATABASE_URL', checkTable: 'items', workDir: '/tmp', timeoutSec: 600, ...over,
  });
  const run = async (stdout: string, over: Partial<BackupVerifyRequest> = {}) => {
    const ex = new RecordingExecutor([{ match: 'deckhand-backup-verify', stdout }]);
    const rep = await opsBackupVerify({ executor: ex, redactor: new Redactor() }, req(over));
    OperationsReportSchema.parse(rep);
    return rep;
  };

  it('restored with rows in the checked table: VERIFIED, with sizes and times', async () => {
    const rep = await run(OK);
    assert.equal(rep.status, 'ok');
    assert.deepEqual(rep.findings.map((f) => `${f.status} ${f.id}: ${f.summary}`), [
      'pass backup.restore: restored pg-custom (2711 bytes) in 0.25 s: 2 table(s), 3 row(s)',
      'pass backup.check-table: public.items: 3 row(s)',
      'pass backup.cleanup: stopped and removed /tmp/deckhand-restore.AbC123',
    ]);
    const d = rep.data.task === 'backup-verify' ? rep.data : null;
    assert.deepEqual(d?.timings, { dumpMs: null, initdbMs: 1500, startMs: 500, restoreMs: 250, checkMs: 150 });
    assert.match(renderOperationsMarkdown(rep), /## Backup Verification\n\n- \*\*Result:\*\* VERIFIED\n/);
  });

  it('the checked table empty or absent fails; a plain dump without its trailer fails though it restored', async () => {
    const empty = await run(OK, { checkTable: 'audit.log' });
    assert.equal(empty.status, 'failed');
    assert.equal(empty.findings.find((f) => f.id === 'backup.check-table')?.summary, 'audit.log: 0 row(s)');
    const cut = await run(OK.replace('format=pg-custom', 'format=pg-plain\ntrailer=0'), { checkTable: null });
    assert.equal(cut.findings.find((f) => f.id === 'backup.complete')?.status, 'fail');
  });

  it('pg_restore failing is FAILED with its message; missing server binaries are UNKNOWN with the remedy', async () => {
    const bad = await run('sandbox=/tmp/deckhand-restore.x\n@@initdb 0\n@@start 0\n@@restore 1\n  pg_restore: error: could not read from input file: end of file\n@@stop 0\n@@removed 0\n');
    assert.equal(bad.status, 'failed');
    assert.equal(bad.findings[0]?.summary, 'pg_restore could not restore the dump (exit 1): pg_restore: error: could not read from input file: end of file');
    const none = await run('uid=1000\npgbin=\n@@detect\nformat=pg-custom\n@@missing initdb\n');
    assert.equal(none.status, 'unknown');
    assert.match(none.findings[0]?.remedy ?? '', /apt-get install postgresql/);
    assert.equal(none.findings.length, 1, 'no sandbox was made: no cleanup finding');
  });

  it('a server left behind is a failure with the commands to remove it', async () => {
    const rep = await run(OK.replace('@@removed 0', '@@removed 1'));
    const f = rep.findings.find((x) => x.id === 'backup.cleanup');
    assert.equal(f?.status, 'fail');
    assert.equal(f?.remedy, 'stop it (pg_ctl -D /tmp/deckhand-restore.AbC123/data stop -m immediate) and rm -rf /tmp/deckhand-restore.AbC123');
  });
});
