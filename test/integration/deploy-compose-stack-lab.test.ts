// examples/compose-stack (app + PostgreSQL + Redis, built from the lab base image) deployed with the compose strategy, verified, redeployed with its data kept.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { labOrSkip, sshExec, type LabState } from '../lab/lab.js';
import { labSshFlags, runCli, type CliResult } from '../helpers/cli.js';

const EXAMPLE = fileURLToPath(new URL('../../examples/compose-stack/', import.meta.url));
const APP = 'compose-stack-lab';
const PORT = 8091;
const PASSWORD = 'pw-compose-stack-Zk41';
/** A first build installs PostgreSQL, Redis and psycopg2 with apt; on the vfs storage driver that takes minutes. */
const DEPLOY_TIMEOUT_MS = 25 * 60_000;

const git = (dir: string, ...args: string[]): string =>
  execFileSync('git', ['-C', dir, '-c', 'user.email=lab@deckhand.test', '-c', 'user.name=lab', ...args], { encoding: 'utf8' }).trim();

interface Finding { id: string; section: string; status: string; summary: string }

describe('compose-stack example on the lab Docker host', { concurrency: false }, () => {
  let lab: LabState | null = null;
  let work = '';
  const sh = async (cmd: string): Promise<string> => (await sshExec('docker', 'root', cmd)).stdout.trim();
  /** `<status> <body>` of a GET to the published port, from the Docker host. */
  const get = (path: string): Promise<string> => sh(`curl -s -m 10 -w ' %{http_code}' http://127.0.0.1:${PORT}${path}`);
  const psql = (sql: string): Promise<string> =>
    sh(`docker exec "$(docker ps -q --filter label=com.docker.compose.project=${APP} --filter label=com.docker.compose.service=db)" psql -U app -d app -tA -c "${sql}"`);

  after(async () => {
    if (lab) {
      await sh([
        // --rmi local: the project's own images (it names none); -v: its database volume.
        `(cd /opt/${APP}/current 2>/dev/null && docker-compose -p ${APP} down -v --rmi local --remove-orphans >/dev/null 2>&1)`,
        `docker rm -f $(docker ps -aq --filter label=com.docker.compose.project=${APP}) >/dev/null 2>&1`,
        `docker volume rm ${APP}_db-data >/dev/null 2>&1`,
        `docker rmi ${APP}_app ${APP}_db ${APP}_cache >/dev/null 2>&1`,
        `rm -rf /opt/${APP}`,
        'true',
      ].join('; ')).catch(() => undefined);
    }
    if (work) await rm(work, { recursive: true, force: true });
  });

  test('deploy → /ready 200 → VERIFIED with PostgreSQL and Redis handshakes; a redeploy keeps the database volume', async (t) => {
    lab = labOrSkip(t); if (!lab) return;
    const h = lab.hosts.docker;
    const target = `ssh://root@${h.host}:${h.port}`;
    work = await mkdtemp(join(tmpdir(), 'dh-compose-stack-'));
    const repo = join(work, 'repo');
    await cp(EXAMPLE, repo, { recursive: true, filter: (s) => !s.endsWith('/.env') });
    git(repo, 'init', '-q');
    git(repo, 'add', '-A');
    git(repo, 'commit', '-q', '-m', 'compose-stack');
    const envFile = join(work, 'app.env');
    const writeEnv = (version: string): Promise<void> => writeFile(envFile, [
      `POSTGRES_PASSWORD=${PASSWORD}`, `DATABASE_URL=postgres://app:${PASSWORD}@db:5432/app`, 'REDIS_URL=redis://cache:6379/0',
      `APP_VERSION=${version}`, `APP_PORT=${PORT}`, '',
    ].join('\n'), { mode: 0o600 });
    const deploy = (): Promise<CliResult> => runCli([
      'deploy', target, ...labSshFlags(lab as LabState), '--repo', repo, '--name', APP, '--strategy', 'compose',
      '--port', String(PORT), '--health', '/health', '--env-file', envFile, '--start-timeout', '120', '--json', '--yes',
    ], { timeoutMs: DEPLOY_TIMEOUT_MS });
    const outcome = (r: CliResult): string => {
      try { return (JSON.parse(r.stdout) as { data: { outcome: string } }).data.outcome; } catch { return `no JSON report (exit ${String(r.code)}):\n${r.stderr}\n${r.stdout}`; }
    };

    await writeEnv('1');
    const d1 = await deploy();
    assert.equal(outcome(d1), 'SUCCESS', d1.stderr + d1.stdout);
    t.diagnostic(`first deploy (build included): ${Math.round(d1.ms / 1000)} s`);
    assert.equal(await get('/ready'), '{"status": "ready", "checks": {"db": "ok", "cache": "ok"}} 200');
    assert.equal(await get('/version'), '{"version": "1", "commit": null} 200');

    const v = await runCli(['verify', target, ...labSshFlags(lab), '--name', APP, '--window', '5s', '--json'], { timeoutMs: 180_000 });
    const rep = JSON.parse(v.stdout) as { data: { verdict: string }; findings: Finding[] };
    const deps = rep.findings.filter((f) => f.section === 'deps').map((f) => `${f.id} ${f.status}: ${f.summary}`);
    assert.equal(rep.data.verdict, 'VERIFIED', `${v.stderr}\n${rep.findings.filter((f) => f.status !== 'pass').map((f) => `${f.id} ${f.status}: ${f.summary}`).join('\n')}`);
    assert.equal(v.code, 0);
    assert.deepEqual(deps.map((l) => l.split(':')[0]), ['deps.DATABASE_URL pass', 'deps.REDIS_URL pass'], deps.join('\n'));
    assert.match(deps[0] ?? '', /OK: postgres:\/\/app:\*\*\*@db:5432\/app/);
    for (const out of [d1.stdout, d1.stderr, v.stdout, v.stderr]) assert.ok(!out.includes(PASSWORD), 'the database password is never printed');

    // Data written now must outlive the redeploy: the volume belongs to the project, not to a release.
    await psql('CREATE TABLE IF NOT EXISTS kept (v text); INSERT INTO kept VALUES (\'written by release 1\');');
    await writeEnv('2');
    const d2 = await deploy();
    assert.equal(outcome(d2), 'SUCCESS', d2.stderr + d2.stdout);
    t.diagnostic(`second deploy (layer cache): ${Math.round(d2.ms / 1000)} s`);
    assert.equal(await get('/version'), '{"version": "2", "commit": null} 200');
    assert.equal(await get('/ready'), '{"status": "ready", "checks": {"db": "ok", "cache": "ok"}} 200');
    assert.equal(await psql('SELECT v FROM kept;'), 'written by release 1');
    assert.equal(await sh(`docker volume ls -q --filter name=^${APP}_db-data$`), `${APP}_db-data`);
  });
});
