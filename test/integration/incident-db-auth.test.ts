// deckhand incident after a deploy with a wrong database password (local target, bundled pm2, real PostgreSQL): the
// DB-auth diagnosis with its evidence, SEV-1, rolled back to the release whose env file worked (the rollback restores
// it), verified; neither password in any output, report, record, journal or log.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { cp, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { freeLocalPort } from '../../src/exec/free-port.js';
import { IncidentRecordSchema, IncidentReportSchema } from '../../src/report/incident.js';
import { runCli, type CliResult } from '../helpers/cli.js';
import { pm2Workspace, type Pm2Workspace } from '../helpers/pm2-workspace.js';
import { postgresOrSkip, startPostgres, type TestPostgres } from '../helpers/postgres.js';

const EXAMPLE = fileURLToPath(new URL('../../examples/node-api/', import.meta.url));
const APP = 'inc-db-api';
// Random per run: canaries for both passwords, looked for in everything deckhand writes or prints.
const PG_PASSWORD = `pg-right-${randomBytes(9).toString('hex')}`;
const PG_WRONG = `pg-wrong-${randomBytes(9).toString('hex')}`;

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => [])) {
    if (e.isFile()) out.push(join(e.parentPath, e.name));
  }
  return out;
}

async function get(url: string): Promise<{ status: number; body: string }> {
  const r = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  return { status: r.status, body: await r.text() };
}

describe('deckhand incident: a wrong database password in the new release (local pm2, real PostgreSQL)', { concurrency: false }, () => {
  let pg: TestPostgres | null = null;
  let ws: Pm2Workspace | undefined;
  let work = '';
  let base = '';
  let appPort = 0;
  let env: Record<string, string> = {};
  const outputs: CliResult[] = [];
  const releases: string[] = [];

  const deploy = async (password: string, version: string): Promise<void> => {
    // The way a user changes a credential: a new env file given to the next deploy.
    await writeFile(join(work, 'prod.env'), `APP_VERSION=${version}\nDATABASE_URL=postgres://app:${password}@127.0.0.1:${pg?.port ?? 0}/appdb\n`, { mode: 0o600 });
    const r = await runCli(['deploy', 'local', '--repo', join(work, 'repo'), '--strategy', 'pm2', '--name', APP, '--base-dir', base, '--port', String(appPort),
      '--health', '/health', '--env-file', join(work, 'prod.env'), '--json', '--yes'], { env, timeoutMs: 240_000 });
    outputs.push(r);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const rep = JSON.parse(r.stdout) as { data: { outcome: string; releaseId: string } };
    assert.equal(rep.data.outcome, 'SUCCESS');
    releases.push(rep.data.releaseId);
  };
  const verify = async (): Promise<CliResult> => {
    const r = await runCli(['verify', 'local', '--name', APP, '--base-dir', base, '--checks', join(work, 'checks.yml'), '--window', '5s', '--json'], { env, timeoutMs: 120_000 });
    outputs.push(r);
    return r;
  };

  before(async () => {
    pg = await startPostgres('dh-inc-db-pg-');
    if (!pg) return;
    await pg.psql(`CREATE ROLE app LOGIN PASSWORD '${PG_PASSWORD}'`);
    await pg.psql('CREATE DATABASE appdb OWNER app');
    ws = await pm2Workspace('dh-inc-db-');
    work = ws.dir;
    base = join(work, 'base');
    appPort = await freeLocalPort();
    await cp(EXAMPLE, join(work, 'repo'), { recursive: true, filter: (src) => !src.includes('node_modules') });
    await writeFile(join(work, 'checks.yml'), 'checks:\n  - name: ready\n    path: /ready\n    conditions: ["[STATUS] == 200"]\n');
    env = ws.env;
  });

  after(async () => {
    await ws?.close();
    await pg?.stop();
  });

  test('release 1 VERIFIED; release 2 with a wrong password → SEV-1 DB-auth, rolled back (env restored), verified, recorded', async (t) => {
    if (!postgresOrSkip(t) || !pg) return;
    await deploy(PG_PASSWORD, '1.0.0');
    const v1 = await verify();
    assert.equal(v1.code, 0, v1.stdout + v1.stderr);
    assert.equal(JSON.parse(v1.stdout).data.verdict, 'VERIFIED');

    // /health never touches the database: the deploy of release 2 succeeds, and only readiness shows the outage.
    await deploy(PG_WRONG, '2.0.0');
    assert.equal(releases.length, 2);
    // A readiness probe (a load balancer's) asks: 503, and the app logs why.
    for (let i = 0; i < 3; i++) assert.equal((await get(`http://127.0.0.1:${appPort}/ready`)).status, 503);
    assert.equal(JSON.parse((await get(`http://127.0.0.1:${appPort}/version`)).body).version, '2.0.0');

    const r = await runCli(['incident', 'local', '--name', APP, '--base-dir', base, '--json', '--out', join(work, 'reports'), '--verify-window', '5s'], { env, timeoutMs: 300_000 });
    outputs.push(r);
    t.diagnostic(r.stderr);
    let report;
    try { report = IncidentReportSchema.parse(JSON.parse(r.stdout)); } catch (e) { assert.fail(`no incident report (exit ${r.code}): ${String(e)}\n${r.stdout}\n${r.stderr}`); }
    const rec = report.data.record;
    t.diagnostic(`${rec.triage.decision.join('\n')}\n${rec.actions.join('\n')}`);

    // Triage: SEV-1 by the decision tree (the database refuses the app's credential), the DB-auth diagnosis with its evidence.
    assert.equal(rec.triage.severity, 'SEV-1');
    assert.match(rec.triage.decision.join('\n'), /down: its dependency DATABASE_URL fails the handshake \(auth failed: .*\[28P01\] password authentication failed for user "app"\) → SEV-1/);
    const auth = rec.diagnoses.find((x) => x.id === 'db-auth-failed');
    assert.ok(auth, JSON.stringify(rec.diagnoses));
    const evidence = auth.evidence.join('\n');
    assert.match(evidence, new RegExp(`handshake from the target, DATABASE_URL: auth failed: postgres://app:\\*\\*\\*@127\\.0\\.0\\.1:${pg.port}/appdb \\[28P01\\] password authentication failed`));
    assert.match(evidence, /ready check failed: password authentication failed for user "app"/, 'the log pattern the readiness probe left');
    assert.equal(auth.causeClass, 'application');
    assert.equal(rec.causeClass, 'application');
    assert.ok(rec.triage.evidence.some((l) => /^dependency DATABASE_URL: auth failed/.test(l)), rec.triage.evidence.join('\n'));
    assert.ok(rec.triage.evidence.some((l) => /^health http:\/\/127\.0\.0\.1:\d+\/health: HTTP 200$/.test(l)), 'liveness still answers: the outage is the dependency');
    assert.deepEqual(rec.changes?.envKeysAdded, []);
    assert.deepEqual(rec.changes?.envKeysRemoved, []);

    // The action: the rollback restores release 1's recorded env file, so it is the fix; then verified.
    assert.deepEqual([rec.rollback?.from, rec.rollback?.to, rec.rollback?.outcome, rec.rollback?.verified], [releases[1], releases[0], 'SUCCESS', 'VERIFIED']);
    assert.equal(rec.status, 'RESTORED', rec.actions.join('\n'));
    assert.equal(r.code, 0, r.stderr);
    assert.match(rec.actions.join('\n'), new RegExp(`rolled back from ${releases[1]} to ${releases[0]}: SUCCESS[\\s\\S]*verified ${releases[0]}: VERIFIED`));
    assert.match(rec.currentState, new RegExp(`${releases[0]} serving, VERIFIED`));
    assert.ok(rec.followUp.some((f) => /Wrong database credentials.*correct it/.test(f)), rec.followUp.join('\n'));

    // What serves now: release 1, with the password that works.
    assert.equal(JSON.parse((await get(`http://127.0.0.1:${appPort}/version`)).body).version, '1.0.0');
    assert.equal((await get(`http://127.0.0.1:${appPort}/ready`)).status, 200);
    assert.ok((await readFile(join(base, 'shared/.env'), 'utf8')).includes(PG_PASSWORD), 'the env file in force is release 1\'s again');
    const ledger = JSON.parse(await readFile(join(base, '.deckhand/ledger.json'), 'utf8')) as { releases: { id: string; status: string; restoredAt?: string }[] };
    assert.deepEqual(ledger.releases.map((x) => [x.id, x.status]), [[releases[0], 'current'], [releases[1], 'rolled-back']]);
    assert.ok(ledger.releases[0]?.restoredAt, 'the rollback dates what serves now');

    // A later verify, with no --since, reads logs from the rollback on: release 2's auth failures do not count.
    const v2 = await verify();
    assert.equal(v2.code, 0, v2.stdout);
    assert.equal(JSON.parse(v2.stdout).data.subject.since, ledger.releases[0]?.restoredAt);

    // The record on the target and the review draft say what happened and what was done.
    assert.ok(report.data.recordPath && report.data.reviewPath);
    const onTarget = IncidentRecordSchema.parse(JSON.parse(await readFile(report.data.recordPath, 'utf8')));
    assert.deepEqual([onTarget.status, onTarget.causeClass, onTarget.triage.severity], ['RESTORED', 'application', 'SEV-1']);
    assert.match(await readFile(report.data.reviewPath, 'utf8'), /Post-incident review[\s\S]*Wrong database credentials/);
  });

  test('deckhand up with the wrong password again: verification FAILED, rolled back, and the re-verification does not read the failed release\'s lines', async (t) => {
    if (!postgresOrSkip(t) || !pg) return;
    await writeFile(join(work, 'prod.env'), `APP_VERSION=3.0.0\nDATABASE_URL=postgres://app:${PG_WRONG}@127.0.0.1:${pg.port}/appdb\n`, { mode: 0o600 });
    const r = await runCli(['up', join(work, 'repo'), '--name', APP, '--strategy', 'pm2', '--port', String(appPort), '--health', '/health', '--base-dir', base,
      '--env-file', join(work, 'prod.env'), '--checks', join(work, 'checks.yml'), '--window', '5', '--out', join(work, 'reports'), '--json'], { env, timeoutMs: 300_000 });
    outputs.push(r);
    const rep = JSON.parse(r.stdout) as { data: { outcome: string; stages: { stage: string; status: string; summary: string }[] } };
    const st = Object.fromEntries(rep.data.stages.map((x) => [x.stage, x.status]));
    t.diagnostic(rep.data.stages.map((x) => `${x.stage} ${x.status}: ${x.summary}`).join('\n'));
    assert.deepEqual([st.execution, st.verification, st.rollback], ['SUCCESS', 'FAILED', 'SUCCESS']);
    // The release rolled back from logged "password authentication failed" into the shared pm2 log until the rollback's
    // restart; the re-verification reads from that restart on (the ledger's restoredAt), so only the restored release counts.
    assert.equal(st.reverification, 'VERIFIED', rep.data.stages.find((x) => x.stage === 'reverification')?.summary);
    assert.equal(rep.data.outcome, 'ROLLED_BACK');
    assert.equal(r.code, 1);
    assert.match(await readFile(join(base, 'shared/logs', `${APP}.err.log`), 'utf8'), /ready check failed: password authentication failed/);
    assert.equal(JSON.parse((await get(`http://127.0.0.1:${appPort}/version`)).body).version, '1.0.0');
  });

  test('neither password appears in any output, report, record, journal or log file', async (t) => {
    if (!postgresOrSkip(t) || !pg) return;
    assert.ok(outputs.length >= 6, `${outputs.length} outputs`);
    for (const o of outputs) {
      for (const pw of [PG_PASSWORD, PG_WRONG]) assert.ok(!o.stdout.includes(pw) && !o.stderr.includes(pw), 'a password in the CLI output');
    }
    const files = [
      ...await listFiles(join(base, '.deckhand/journal')), ...await listFiles(join(base, '.deckhand/incidents')), ...await listFiles(join(work, 'reports')),
      ...await listFiles(join(base, 'shared/logs')), ...await listFiles(join(ws?.home ?? '', 'logs')),
    ];
    assert.ok(files.some((f) => f.includes('/incidents/')) && files.some((f) => f.includes('/reports/')) && files.some((f) => f.includes('/journal/')), files.join('\n'));
    for (const f of files) {
      const text = await readFile(f, 'utf8');
      for (const pw of [PG_PASSWORD, PG_WRONG]) assert.ok(!text.includes(pw), `${f} holds a password`);
    }
  });
});
