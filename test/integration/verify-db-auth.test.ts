// A deploy with a wrong database password: verify says FAILED with deps "auth failed", the failing /ready check and the
// log pattern, never the password; the same deploy with the right password is VERIFIED. Real PostgreSQL, pm2 and HTTP.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { cp, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { freeLocalPort } from '../../src/exec/free-port.js';
import { runCli, type CliResult } from '../helpers/cli.js';
import { pm2Workspace, type Pm2Workspace } from '../helpers/pm2-workspace.js';
import { postgresOrSkip, startPostgres, type TestPostgres } from '../helpers/postgres.js';

const EXAMPLE = fileURLToPath(new URL('../../examples/node-api/', import.meta.url));
const PG_PASSWORD = `pg-${randomBytes(9).toString('hex')}`;
const PG_WRONG = `wrong-${randomBytes(6).toString('hex')}`;

interface Finding { id: string; status: string; summary: string; detail?: string; evidence?: string }
interface Report { data: { verdict: string; reasons: string[] }; findings: Finding[] }

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => [])) {
    if (e.isFile()) out.push(join(e.parentPath, e.name));
  }
  return out;
}

describe('verify after a deploy with a wrong database password (local pm2, real PostgreSQL)', { concurrency: false }, () => {
  let pg: TestPostgres | null = null;
  let ws: Pm2Workspace | undefined;
  let work = '';
  let base = '';
  let checks = '';
  let pgPort = 0;
  let appPort = 0;
  let env: Record<string, string> = {};
  const outputs: CliResult[] = [];

  const deploy = async (password: string, version: string): Promise<CliResult> => {
    await writeFile(join(work, 'prod.env'), `APP_VERSION=${version}\nDATABASE_URL=postgres://app:${password}@127.0.0.1:${pgPort}/appdb\n`, { mode: 0o600 });
    const r = await runCli(['deploy', 'local', '--repo', join(work, 'repo'), '--strategy', 'pm2', '--name', 'node-api', '--base-dir', base, '--port', String(appPort),
      '--health', '/health', '--env-file', join(work, 'prod.env'), '--json', '--yes'], { env, timeoutMs: 240_000 });
    outputs.push(r);
    return r;
  };
  const verify = async (): Promise<{ r: CliResult; rep: Report; by: (id: string) => Finding }> => {
    const r = await runCli(['verify', 'local', '--name', 'node-api', '--base-dir', base, '--checks', checks, '--window', '5s', '--json'], { env, timeoutMs: 120_000 });
    outputs.push(r);
    let rep: Report;
    try { rep = JSON.parse(r.stdout) as Report; } catch { assert.fail(`no JSON report (exit ${r.code}):\n${r.stdout}\n${r.stderr}`); }
    const by = (id: string): Finding => {
      const f = rep.findings.find((x) => x.id === id);
      assert.ok(f, `${id} in\n${rep.findings.map((x) => `${x.id} ${x.status}: ${x.summary}`).join('\n')}`);
      return f;
    };
    return { r, rep, by };
  };

  before(async () => {
    // A throwaway cluster on loopback only, run as the postgres user; password auth over TCP.
    pg = await startPostgres('dh-db-auth-pg-');
    if (!pg) return;
    [pgPort, appPort] = [pg.port, await freeLocalPort()];
    await pg.psql(`CREATE ROLE app LOGIN PASSWORD '${PG_PASSWORD}'`);
    await pg.psql('CREATE DATABASE appdb OWNER app');

    ws = await pm2Workspace('dh-db-auth-');
    work = ws.dir;
    base = join(work, 'base');
    await cp(EXAMPLE, join(work, 'repo'), { recursive: true, filter: (src) => !src.includes('node_modules') });
    checks = join(work, 'checks.yml');
    await writeFile(checks, 'checks:\n  - name: ready\n    path: /ready\n    conditions: ["[STATUS] == 200"]\n');
    env = ws.env;
  });

  after(async () => {
    await ws?.close();
    await pg?.stop();
  });

  test('wrong password: FAILED with deps "auth failed", /ready failing and the log pattern found', async (t) => {
    if (!postgresOrSkip(t)) return;
    // /health does not touch the database: the deploy itself succeeds, which is exactly why verify must look further.
    const d = await deploy(PG_WRONG, '1.0.0');
    assert.equal(d.code, 0, d.stderr + d.stdout);
    assert.equal(JSON.parse(d.stdout).data.outcome, 'SUCCESS');

    const { r, rep, by } = await verify();
    t.diagnostic(rep.findings.map((f) => `${f.id} ${f.status}: ${f.summary}`).join('\n'));
    assert.equal(r.code, 1, r.stderr);
    assert.equal(rep.data.verdict, 'FAILED');

    const db = by('deps.DATABASE_URL');
    assert.equal(db.status, 'fail');
    assert.equal(db.summary, `auth failed: postgres://app:***@127.0.0.1:${pgPort}/appdb [28P01] password authentication failed for user "app"`);

    const ready = by('smoke.ready');
    assert.equal(ready.status, 'fail');
    assert.match(ready.evidence ?? '', /\[STATUS\] \(503\) == 200/);

    const logs = by('logs.auth-failed');
    assert.equal(logs.status, 'fail');
    assert.match(logs.summary, /ready check failed: password authentication failed for user "app"/);
    assert.match(logs.summary, /node-api\.err\.log/);

    // The app itself is up: the failure is the dependency, not the process.
    assert.equal(by('http.health').status, 'pass');
    for (const reason of ['DATABASE_URL', 'GET /ready', 'Authentication to a dependency failed']) {
      assert.ok(rep.data.reasons.some((x) => x.includes(reason)), `a reason mentions ${reason}:\n${rep.data.reasons.join('\n')}`);
    }
  });

  test('the right password, deployed again: VERIFIED (the earlier release\'s log lines no longer count)', async (t) => {
    if (!postgresOrSkip(t)) return;
    const d = await deploy(PG_PASSWORD, '1.0.1');
    assert.equal(d.code, 0, d.stderr + d.stdout);
    const { r, rep, by } = await verify();
    t.diagnostic(rep.findings.map((f) => `${f.id} ${f.status}: ${f.summary}`).join('\n'));
    assert.equal(r.code, 0, `${rep.data.reasons.join('\n')}\n${r.stderr}`);
    assert.equal(rep.data.verdict, 'VERIFIED');
    assert.equal(by('deps.DATABASE_URL').status, 'pass');
    assert.equal(by('smoke.ready').status, 'pass');
    assert.equal(by('logs.scan').status, 'pass');
    // The old lines are still in the shared log file: only their age keeps them out of this verdict.
    assert.match(await readFile(join(base, 'shared/logs/node-api.err.log'), 'utf8'), /ready check failed: password authentication failed/);
  });

  test('neither password appears in any output, report or log file', async (t) => {
    if (!postgresOrSkip(t)) return;
    assert.ok(outputs.length >= 4);
    for (const o of outputs) {
      for (const pw of [PG_PASSWORD, PG_WRONG]) assert.ok(!o.stdout.includes(pw) && !o.stderr.includes(pw), 'a password in the CLI output');
    }
    const files = [...await listFiles(join(base, '.deckhand/journal')), ...await listFiles(join(base, 'shared/logs')), ...await listFiles(join(ws?.home ?? '', 'logs'))];
    assert.ok(files.length > 0);
    for (const f of files) {
      const text = await readFile(f, 'utf8');
      for (const pw of [PG_PASSWORD, PG_WRONG]) assert.ok(!text.includes(pw), `${f} holds a password`);
    }
  });
});
