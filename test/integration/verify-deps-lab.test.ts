// verify's dependency handshakes and proxy check through real SSH forwards: PostgreSQL and Redis run here (reached via the
// lab's Docker host, which is this machine's sshd), nginx on the lab node20 host with a dead and a live upstream.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { chmod, chown, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test, type TestContext } from 'node:test';
import { promisify } from 'node:util';
import { Redactor } from '../../src/core/redact.js';
import { parseTarget } from '../../src/core/target.js';
import { freeLocalPort } from '../../src/exec/free-port.js';
import { SshExecutor } from '../../src/exec/ssh.js';
import type { Finding } from '../../src/report/common.js';
import { checkDeps } from '../../src/stages/verify/checks/deps.js';
import { checkProxy } from '../../src/stages/verify/checks/proxy.js';
import type { LayerInput, VerifyTarget } from '../../src/stages/verify/types.js';
import { labHostOf, labOrSkip, loadLab, sshExec, type LabHostName, type LabState } from '../lab/lab.js';

const run = promisify(execFile);

const PG_PASSWORD = `pg-${randomBytes(9).toString('hex')}`;
const PG_WRONG = `wrong-${randomBytes(6).toString('hex')}`;
const REDIS_PASSWORD = `rd-${randomBytes(9).toString('hex')}`;
const GHOST_HOST = 'db.deckhand-lab.invalid';

/** The newest PostgreSQL server binaries Debian installed (postgresql-NN), or null. */
function pgBin(): string | null {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root).filter((v) => /^\d+$/.test(v) && existsSync(join(root, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(root, versions[0], 'bin') : null;
}

function onPath(cmd: string): boolean {
  return (process.env.PATH ?? '').split(':').some((d) => d !== '' && existsSync(join(d, cmd)));
}

/** Skips (or, under CI=true, fails) when the servers this test starts are not installed. */
function serversOrSkip(t: TestContext): boolean {
  const missing = [pgBin() ? null : 'postgresql', onPath('redis-server') ? null : 'redis-server'].filter((x): x is string => x !== null);
  if (missing.length === 0) return true;
  const why = `${missing.join(' and ')} not installed (apt-get install -y postgresql redis-server)`;
  if (process.env.CI === 'true') throw new Error(why);
  t.skip(why);
  return false;
}

function show(fs: readonly Finding[]): string {
  return fs.map((f) => `${f.id} ${f.status}: ${f.summary}`).join('\n');
}

function sshExecutor(lab: LabState, name: LabHostName, user: string, redactor: Redactor): SshExecutor {
  const h = labHostOf(lab, name);
  return new SshExecutor(parseTarget(`ssh://${user}@${h.host}:${h.port}`) as Extract<ReturnType<typeof parseTarget>, { kind: 'ssh' }>,
    { identityFile: lab.identityFile, options: [`UserKnownHostsFile=${lab.knownHostsFile}`] }, redactor);
}

const baseTarget: VerifyTarget = { app: 'api', strategy: 'systemd', port: null, healthPath: '/health', release: null, base: null, since: null, url: null, serverName: null };
const baseOptions: LayerInput['options'] = { windowMs: 1000, intervalMs: 500, requestTimeoutMs: 5000, successes: 1, checks: [], proxyUrl: null, tlsWarnDays: 14 };

describe('dependency handshakes through an SSH forward (PostgreSQL and Redis on the lab Docker host)', { concurrency: false }, () => {
  let dir = '';
  let pgPort = 0;
  let redisPort = 0;
  let deadPort = 0;
  let pgStarted = false;
  let redisPid: number | null = null;
  let executor: SshExecutor | null = null;
  const redactor = new Redactor();

  before(async () => {
    const bin = pgBin();
    if (!loadLab() || !bin || !onPath('redis-server')) return;
    dir = await mkdtemp(join(tmpdir(), 'dh-deps-'));
    await chown(dir, Number((await run('id', ['-u', 'postgres'])).stdout.trim()), Number((await run('id', ['-g', 'postgres'])).stdout.trim()));
    await chmod(dir, 0o700);
    [pgPort, redisPort, deadPort] = [await freeLocalPort(), await freeLocalPort(), await freeLocalPort()];
    // PostgreSQL: a throwaway cluster on loopback only, run as the postgres user; socket in the temp dir.
    await writeFile(join(dir, 'pw'), 'unused-superuser-pw\n', { mode: 0o600 });
    await chown(join(dir, 'pw'), Number((await run('id', ['-u', 'postgres'])).stdout.trim()), 0);
    const asPg = (argv: string[]) => run('runuser', ['-u', 'postgres', '--', ...argv], { timeout: 60_000 });
    await asPg([join(bin, 'initdb'), '-D', join(dir, 'data'), '-U', 'postgres', `--pwfile=${join(dir, 'pw')}`, '--auth-local=trust', '--auth-host=scram-sha-256']);
    await asPg([join(bin, 'pg_ctl'), '-D', join(dir, 'data'), '-l', join(dir, 'pg.log'), '-w', '-t', '30', 'start', '-o', `-c listen_addresses=127.0.0.1 -p ${pgPort} -k ${dir}`]);
    pgStarted = true;
    const psql = (sql: string) => asPg(['psql', '-h', dir, '-p', String(pgPort), '-U', 'postgres', '-v', 'ON_ERROR_STOP=1', '-qc', sql]);
    await psql(`CREATE ROLE app LOGIN PASSWORD '${PG_PASSWORD}'`);
    await psql('CREATE DATABASE appdb OWNER app');
    // Redis: daemonized on loopback with a password, no persistence, pid file to stop exactly this process.
    await run('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--requirepass', REDIS_PASSWORD, '--daemonize', 'yes',
      '--pidfile', join(dir, 'redis.pid'), '--dir', dir, '--save', '', '--appendonly', 'no', '--logfile', join(dir, 'redis.log')]);
    for (let i = 0; i < 50 && redisPid === null; i++) {
      const pid = Number((await readFile(join(dir, 'redis.pid'), 'utf8').catch(() => '')).trim());
      if (pid > 0) redisPid = pid;
      else await new Promise((r) => setTimeout(r, 100));
    }
    executor = sshExecutor(loadLab() as LabState, 'docker', 'root', redactor);
  });

  after(async () => {
    await executor?.close();
    if (redisPid !== null) { try { process.kill(redisPid, 'SIGTERM'); } catch { /* already gone */ } }
    const bin = pgBin();
    if (pgStarted && bin) await run('runuser', ['-u', 'postgres', '--', join(bin, 'pg_ctl'), '-D', join(dir, 'data'), '-m', 'fast', '-w', 'stop'], { timeout: 60_000 }).catch(() => undefined);
    // Redis exits on SIGTERM within a moment; the directory goes once it has.
    for (let i = 0; i < 50 && redisPid !== null; i++) {
      try { process.kill(redisPid, 0); await new Promise((r) => setTimeout(r, 100)); } catch { break; }
    }
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const input = (envFileText: string): LayerInput => ({ ctx: { executor: executor as SshExecutor, redactor }, target: baseTarget, options: baseOptions, envFileText });

  test('right password OK, wrong password auth failed, dead port unreachable, unknown host DNS failure; no password shown', async (t) => {
    if (!labOrSkip(t) || !serversOrSkip(t)) return;
    const env = [
      `DATABASE_URL=postgres://app:${PG_PASSWORD}@127.0.0.1:${pgPort}/appdb`,
      `REDIS_URL="redis://:${REDIS_PASSWORD}@localhost:${redisPort}/0"`,
      `WRONG_DATABASE_URL=postgresql://app:${PG_WRONG}@127.0.0.1:${pgPort}/appdb`,
      `WRONG_REDIS_URL=redis://:${PG_WRONG}@127.0.0.1:${redisPort}`,
      `DEAD_DATABASE_URL=postgres://app:${PG_PASSWORD}@127.0.0.1:${deadPort}/appdb`,
      `GHOST_REDIS_URL=redis://:${REDIS_PASSWORD}@${GHOST_HOST}:6379`,
    ].join('\n');
    const fs = await checkDeps(input(env));
    t.diagnostic(show(fs));
    const by = (id: string): Finding => {
      const f = fs.find((x) => x.id === id);
      assert.ok(f, `${id} in\n${show(fs)}`);
      return f;
    };
    const ok = by('deps.DATABASE_URL');
    assert.equal(ok.status, 'pass', `${ok.summary}\n${ok.evidence ?? ''}`);
    assert.equal(ok.summary, `OK: postgres://app:***@127.0.0.1:${pgPort}/appdb (SELECT 1 answered, from the target's side)`);
    assert.match(ok.evidence ?? '', /SSH forward 127\.0\.0\.1:\d+ → 127\.0\.0\.1:\d+ as root@127\.0\.0\.1:2222 sees it/);
    assert.equal(by('deps.REDIS_URL').status, 'pass', by('deps.REDIS_URL').evidence);
    assert.match(by('deps.REDIS_URL').evidence ?? '', /getent hosts localhost → /);

    const auth = by('deps.WRONG_DATABASE_URL');
    assert.equal(auth.status, 'fail');
    assert.match(auth.summary, /^auth failed: postgresql:\/\/app:\*\*\*@127\.0\.0\.1:\d+\/appdb \[28P01\] password authentication failed for user "app"$/);
    assert.match(by('deps.WRONG_REDIS_URL').summary, /^auth failed: redis:\/\/:\*\*\*@127\.0\.0\.1:\d+ \[WRONGPASS\]/);

    const dead = by('deps.DEAD_DATABASE_URL');
    assert.equal(dead.status, 'fail');
    assert.match(dead.summary, /^unreachable: postgres:\/\/app:\*\*\*@127\.0\.0\.1:\d+\/appdb \[ECONNREFUSED\] connection refused \(from the target\)$/);

    const ghost = by('deps.GHOST_REDIS_URL');
    assert.equal(ghost.status, 'fail');
    assert.equal(ghost.summary, `DNS failure: ${GHOST_HOST} does not resolve on the target (redis://:***@${GHOST_HOST}:6379)`);

    assert.ok(fs.every((f) => f.required && f.section === 'deps'));
    const text = JSON.stringify(fs);
    for (const pw of [PG_PASSWORD, PG_WRONG, REDIS_PASSWORD]) assert.ok(!text.includes(pw), 'a password leaked into a finding');
  });
});

const LIVE = { name: 'live.verify-proxy.test', port: 3721 };
const DEAD = { name: 'dead.verify-proxy.test', port: 3722 };
const SITE = '/etc/nginx/sites-enabled/dh-verify-proxy';
const WWW = '/tmp/dh-verify-proxy-www';
const UNIT = 'dh-verify-proxy-app';

const SITE_CONF = [DEAD, LIVE].map((s) => `server { listen 80; server_name ${s.name}; location / { proxy_pass http://127.0.0.1:${s.port}; } }`).join('\n');
const proxyCleanup = `sudo -n systemctl stop ${UNIT} >/dev/null 2>&1; sudo -n systemctl reset-failed ${UNIT} >/dev/null 2>&1; sudo -n rm -f ${SITE}; sudo -n rm -rf ${WWW}; sudo -n nginx -t >/dev/null 2>&1 && sudo -n systemctl reload nginx; true`;

describe('reverse proxy through nginx on the lab node20 host', { concurrency: false }, () => {
  let executor: SshExecutor | null = null;
  const redactor = new Redactor();

  before(async () => {
    const lab = loadLab();
    if (!lab) return;
    await sshExec('node20', 'deploy', proxyCleanup);
    const setup = [
      `mkdir -p ${WWW} && printf 'ok\\n' > ${WWW}/health`,
      `printf '%s\\n' '${SITE_CONF}' | sudo -n tee ${SITE} >/dev/null`,
      'sudo -n nginx -t 2>&1 && sudo -n systemctl reload nginx',
      // The live upstream: a static file server on loopback, as a transient unit so it is stopped by name.
      `sudo -n systemd-run --unit ${UNIT} --property=User=nobody --property=WorkingDirectory=${WWW} /usr/bin/python3 -m http.server ${LIVE.port} --bind 127.0.0.1 >/dev/null`,
      `for i in $(seq 50); do curl -fs http://127.0.0.1:${LIVE.port}/health >/dev/null && break; sleep 0.1; done`,
    ].join(' && ');
    const r = await sshExec('node20', 'deploy', setup);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    executor = sshExecutor(lab, 'node20', 'deploy', redactor);
  });

  after(async () => {
    await executor?.close();
    if (loadLab()) await sshExec('node20', 'deploy', proxyCleanup).catch(() => undefined);
  });

  const input = (t: Partial<VerifyTarget>, proxyUrl: string | null = null): LayerInput => ({
    ctx: { executor: executor as SshExecutor, redactor }, target: { ...baseTarget, ...t }, options: { ...baseOptions, proxyUrl }, envFileText: null,
  });

  test('an upstream on a dead port: FAIL "the proxy cannot reach the app: 502"', async (t) => {
    if (!labOrSkip(t)) return;
    const fs = await checkProxy(input({ serverName: DEAD.name, port: DEAD.port }));
    t.diagnostic(show(fs));
    assert.equal(fs.length, 1);
    assert.equal(fs[0]?.status, 'fail');
    assert.match(fs[0]?.summary ?? '', /^the proxy cannot reach the app: 502; the app does not answer on 127\.0\.0\.1:3722 either/);
    assert.match(fs[0]?.evidence ?? '', /GET http:\/\/dead\.verify-proxy\.test\/health via nginx on port 80 of deploy@127\.0\.0\.1:2220 .* → HTTP 502/);
  });

  test('an upstream on a live port: pass, through the server name and through --proxy-url alike', async (t) => {
    if (!labOrSkip(t)) return;
    const fs = await checkProxy(input({ serverName: LIVE.name, port: LIVE.port }));
    t.diagnostic(show(fs));
    assert.equal(fs[0]?.status, 'pass', fs[0]?.evidence);
    assert.equal(fs[0]?.summary, 'the proxy and the app agree: HTTP 200 (3 bytes)');
    const viaUrl = await checkProxy(input({ serverName: LIVE.name, port: LIVE.port }, 'http://127.0.0.1:80'));
    t.diagnostic(show(viaUrl));
    assert.equal(viaUrl[0]?.status, 'pass', viaUrl[0]?.evidence);
  });

  test('the same 404 from both agrees; a name nginx routes elsewhere: WARN with both statuses', async (t) => {
    if (!labOrSkip(t)) return;
    const fs = await checkProxy(input({ serverName: LIVE.name, port: LIVE.port, healthPath: '/nope' }));
    t.diagnostic(show(fs));
    assert.equal(fs[0]?.status, 'pass', 'both 404: the proxy and the app agree');
    // A name no site claims lands on nginx's default site, which is not this app.
    const other = await checkProxy(input({ serverName: 'unknown.verify-proxy.test', port: LIVE.port }));
    t.diagnostic(show(other));
    assert.equal(other[0]?.status, 'warn', other[0]?.evidence);
  });
});
