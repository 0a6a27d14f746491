// deploy/rollback over real SSH to a real systemd lab host as a non-root sudo user: releases, rollback, lock, kill -9, canary secrets.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { labOrSkip, sshExec, type LabState } from '../lab/lab.js';
import { CLI, labSshFlags, runCli, type CliResult } from '../helpers/cli.js';

const EXAMPLE = fileURLToPath(new URL('../../examples/node-api/', import.meta.url));
// Random per run: the target's journal outlives a run, and an earlier run's value must not be found again.
const CANARY = `canary-Lb4Rt8Kq2-${randomBytes(4).toString('hex')}`;
const APP = 'lab-api';
const PORT = 3411;

describe('deploy to a lab host (systemd, deploy user with sudo)', { concurrency: false }, () => {
  let lab: LabState | null = null;
  let work = '';
  let target = '';
  const outputs: CliResult[] = [];
  const sh = async (cmd: string): Promise<string> => {
    const r = await sshExec('node20', 'deploy', cmd);
    return r.stdout.trim();
  };
  const args = (version: string, extra: string[] = []): string[] => [
    'deploy', target, ...labSshFlags(lab as LabState), '--repo', join(work, 'repo'), '--name', APP, '--strategy', 'systemd', '--build', 'local',
    '--port', String(PORT), '--health', '/health', '--env-file', join(work, `v${version}.env`), '--json', '--yes', '--out', join(work, 'reports'), ...extra,
  ];
  const deploy = async (version: string, extra: string[] = []): Promise<CliResult> => {
    const r = await runCli(args(version, extra), { timeoutMs: 240_000 });
    outputs.push(r);
    return r;
  };
  const version = async (): Promise<string> => JSON.parse(await sh(`curl -s -m 5 http://127.0.0.1:${PORT}/version`)).version;

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'dh-deploy-lab-'));
    await cp(EXAMPLE, join(work, 'repo'), { recursive: true, filter: (src) => !src.includes('node_modules') });
    for (const v of ['1', '2', '3']) await writeFile(join(work, `v${v}.env`), `APP_VERSION=${v}.0.0\nAPI_TOKEN=${CANARY}\n`, { mode: 0o600 });
  });

  after(async () => {
    if (lab) await sshExec('node20', 'deploy', `sudo -n systemctl disable --now ${APP}.service; sudo -n rm -rf /opt/${APP} /etc/systemd/system/${APP}.service; sudo -n userdel ${APP}; sudo -n systemctl daemon-reload`).catch(() => undefined);
    await rm(work, { recursive: true, force: true });
  });

  test('first and second deploy: new release each time, served by a dedicated non-login user', async (t) => {
    lab = labOrSkip(t); if (!lab) return;
    const h = lab.hosts.node20;
    target = `ssh://deploy@${h.host}:${h.port}`;
    const r1 = await deploy('1');
    assert.equal(r1.code, 0, r1.stderr + r1.stdout);
    assert.equal(JSON.parse(r1.stdout).data.outcome, 'SUCCESS');
    assert.equal(await version(), '1.0.0');
    assert.equal(await sh(`systemctl show -p User --value ${APP}.service`), APP);
    assert.match(await sh(`getent passwd ${APP}`), /:\/usr\/sbin\/nologin$/);
    assert.equal(await sh(`stat -c '%a %U' /opt/${APP}/shared/.env`), `600 ${APP}`);
    const r2 = await deploy('2');
    assert.equal(r2.code, 0, r2.stderr + r2.stdout);
    const rep = JSON.parse(r2.stdout);
    assert.equal(rep.data.previousRelease, JSON.parse(r1.stdout).data.releaseId);
    assert.equal(await version(), '2.0.0');
    assert.equal((await sh(`ls /opt/${APP}/releases`)).split('\n').length, 2);
  });

  test('rollback restores the previous release and its env; the ledger says so', async (t) => {
    lab = labOrSkip(t); if (!lab) return;
    const r = await runCli(['rollback', target, ...labSshFlags(lab), '--name', APP, '--json', '--out', join(work, 'reports')], { timeoutMs: 120_000 });
    outputs.push(r);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.equal(await version(), '1.0.0');
    const rel = JSON.parse((await runCli(['releases', target, ...labSshFlags(lab), '--name', APP, '--json'])).stdout);
    assert.deepEqual(rel.releases.map((x: { status: string }) => x.status), ['rolled-back', 'current']);
  });

  test('a concurrent deploy is refused by the lock while the first one runs', async (t) => {
    lab = labOrSkip(t); if (!lab) return;
    const first = runCli(args('2', ['--start-timeout', '20']), { timeoutMs: 240_000 });
    let held = false;
    for (let i = 0; i < 100 && !held; i++) {
      held = (await sh(`test -f /opt/${APP}/.deckhand/lock && echo yes`)) === 'yes';
      if (!held) await new Promise((res) => setTimeout(res, 100));
    }
    assert.ok(held, 'the first deploy took the lock');
    const second = await deploy('3');
    assert.equal(second.code, 2, second.stderr);
    assert.match(second.stderr, /another deploy holds the lock on .*: deploy \S+ by /);
    const r = await first;
    outputs.push(r);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await version(), '2.0.0');
  });

  test('kill -9 of deckhand mid-deploy: current stays on a whole release; the next run recovers the stale lock and cleans up', async (t) => {
    lab = labOrSkip(t); if (!lab) return;
    const before = await sh(`readlink /opt/${APP}/current`);
    const count = Number(await sh(`ls /opt/${APP}/releases | wc -l`));
    const child = spawn(process.execPath, [CLI, ...args('3')], { stdio: 'ignore' });
    // Wait until the new release directory exists (the upload has begun), then kill deckhand outright.
    let started = false;
    for (let i = 0; i < 200 && !started; i++) {
      started = Number(await sh(`ls /opt/${APP}/releases | wc -l`)) === count + 1;
      if (!started) await new Promise((res) => setTimeout(res, 50));
    }
    assert.ok(started, 'the deploy created its release directory');
    const descendants = execFileSync('sh', ['-c', `pgrep -P ${child.pid} || true`]).toString().split('\n').filter(Boolean).map(Number);
    child.kill('SIGKILL');
    await new Promise((res) => child.once('exit', res));
    for (const pid of descendants) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
    assert.equal(await sh(`readlink /opt/${APP}/current`), before, 'current still points at the whole previous release');
    assert.equal(await version(), '2.0.0', 'the previous release still serves');
    const status = await runCli(['lock', 'status', target, ...labSshFlags(lab), '--name', APP]);
    assert.match(status.stdout, /held: .*\(stale: process \d+ on .* no longer exists\)/);
    const next = await deploy('3');
    assert.equal(next.code, 0, next.stderr + next.stdout);
    const rep = JSON.parse(next.stdout);
    assert.match(rep.data.lockRecovered ?? '', /stale lock/);
    assert.ok(rep.data.warnings.some((w: string) => /interrupted/.test(w)), JSON.stringify(rep.data.warnings));
    assert.equal(await version(), '3.0.0');
    const dirs = (await sh(`ls /opt/${APP}/releases`)).split('\n');
    const ledger = JSON.parse(await sh(`cat /opt/${APP}/.deckhand/ledger.json`)) as { releases: { id: string }[] };
    for (const d of dirs) assert.ok(ledger.releases.some((r) => r.id === d), `${d} is a recorded release (the half-made one was removed)`);
  });

  test('the canary secret appears in no output, report, journal or log', async (t) => {
    lab = labOrSkip(t); if (!lab) return;
    for (const o of outputs) assert.ok(!o.stdout.includes(CANARY) && !o.stderr.includes(CANARY));
    for (const f of await readdir(join(work, 'reports'))) assert.ok(!(await readFile(join(work, 'reports', f), 'utf8')).includes(CANARY), f);
    // Read everything back and search here: a canary in a remote command line would itself land in sudo's log.
    const journals = await sh(`sudo -n sh -c 'cat /opt/${APP}/.deckhand/journal/* /opt/${APP}/shared/logs/* 2>/dev/null'`);
    assert.ok(journals.includes('"commands"'), 'journals were read');
    assert.ok(!journals.includes(CANARY), 'deckhand journals and app logs');
    const system = await sh("sudo -n sh -c 'journalctl --no-pager -q; cat /var/log/*.log 2>/dev/null'");
    assert.ok(system.length > 0 && !system.includes(CANARY), 'system journal and logs');
    assert.ok((await sh(`sudo -n cat /opt/${APP}/shared/.env`)).includes(CANARY), 'the value is in the 0600 env file');
  });
});

describe('pm2 over SSH to a lab host (the connecting user runs pm2)', { concurrency: false }, () => {
  let lab: LabState | null = null;
  let work = '';
  const APP2 = 'lab-pm2';
  const PORT2 = 3412;
  after(async () => {
    if (lab) await sshExec('node20', 'deploy', `pm2 delete ${APP2} >/dev/null 2>&1; pm2 kill >/dev/null 2>&1; sudo -n rm -rf /opt/${APP2}`).catch(() => undefined);
    if (work) await rm(work, { recursive: true, force: true });
  });

  test('deploy twice (cluster reload), then roll back; the version endpoint proves each step', async (t) => {
    lab = labOrSkip(t); if (!lab) return;
    work = await mkdtemp(join(tmpdir(), 'dh-deploy-pm2-'));
    await cp(EXAMPLE, join(work, 'repo'), { recursive: true, filter: (src) => !src.includes('node_modules') });
    const h = lab.hosts.node20;
    const target = `ssh://deploy@${h.host}:${h.port}`;
    const run = async (v: string): Promise<{ outcome: string; releaseId: string }> => {
      await writeFile(join(work, 'v.env'), `APP_VERSION=${v}\n`, { mode: 0o600 });
      const r = await runCli(['deploy', target, ...labSshFlags(lab as LabState), '--repo', join(work, 'repo'), '--name', APP2, '--strategy', 'pm2', '--build', 'local',
        '--instances', '2', '--port', String(PORT2), '--health', '/health', '--env-file', join(work, 'v.env'), '--json', '--yes'], { timeoutMs: 240_000 });
      assert.equal(r.code, 0, r.stderr + r.stdout);
      return JSON.parse(r.stdout).data;
    };
    const version = async (): Promise<string> => JSON.parse((await sshExec('node20', 'deploy', `curl -s -m 5 http://127.0.0.1:${PORT2}/version`)).stdout).version;
    assert.equal((await run('1.0.0')).outcome, 'SUCCESS');
    assert.equal(await version(), '1.0.0');
    const jlist = JSON.parse((await sshExec('node20', 'deploy', 'pm2 jlist')).stdout) as { name: string; pm2_env: { exec_mode: string; status: string } }[];
    const mine = jlist.filter((p) => p.name === APP2);
    assert.equal(mine.length, 2, 'two cluster instances');
    assert.ok(mine.every((p) => p.pm2_env.exec_mode === 'cluster_mode' && p.pm2_env.status === 'online'));
    assert.equal((await run('2.0.0')).outcome, 'SUCCESS');
    assert.equal(await version(), '2.0.0');
    const rb = await runCli(['rollback', target, ...labSshFlags(lab), '--name', APP2, '--json'], { timeoutMs: 120_000 });
    assert.equal(rb.code, 0, rb.stderr + rb.stdout);
    assert.equal(await version(), '1.0.0');
  });
});
