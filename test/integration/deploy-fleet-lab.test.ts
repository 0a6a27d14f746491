// Several hosts per app on four real systemd lab hosts: rolling batches of 2, a release failing in the first batch rolled back there (the second never touched), a canary, and the fleet lock.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { countAcceptedConnections, labHostOf, labOrSkip, sshExec, type FleetHostName, type LabState } from '../lab/lab.js';
import { labSshFlags, runCli, type CliResult } from '../helpers/cli.js';
import { FleetReportSchema } from '../../src/schemas.js';
import type { FleetReport } from '../../src/index.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/deploy/fleet-app/', import.meta.url));
const APP = 'fleet-lab-app';
const PORT = 4781;
const HOSTS: FleetHostName[] = ['fleet1', 'fleet2', 'fleet3', 'fleet4'];
// Random per run: a secret in the env file that must never appear in output or reports.
const CANARY = `canary-Fl33t-${randomBytes(4).toString('hex')}`;

const git = (dir: string, ...args: string[]): string =>
  execFileSync('git', ['-C', dir, '-c', 'user.email=lab@deckhand.test', '-c', 'user.name=lab', ...args], { encoding: 'utf8' }).trim();

describe('deploy one app to four lab hosts: batches, rollback of a failed batch, canary, fleet lock', { concurrency: false }, () => {
  let lab: LabState | null = null;
  let work = '';
  let repo = '';
  const outputs: CliResult[] = [];
  const targets = (l: LabState): string[] => HOSTS.map((n) => { const h = labHostOf(l, n); return `ssh://root@${h.host}:${h.port}`; });
  const sh = async (host: FleetHostName, cmd: string): Promise<string> => (await sshExec(host, 'root', cmd)).stdout.trim();
  const version = async (host: FleetHostName): Promise<string> => {
    const text = await sh(host, `curl -s -m 10 http://127.0.0.1:${PORT}/version`);
    try { return (JSON.parse(text) as { version: string }).version; } catch { return `no answer (${text.slice(0, 80)})`; }
  };
  const versions = (): Promise<string[]> => Promise.all(HOSTS.map(version));
  const releases = async (host: FleetHostName): Promise<string[]> => (await sh(host, `ls /opt/${APP}/releases 2>/dev/null`)).split('\n').filter(Boolean);
  const deploy = async (args: string[]): Promise<CliResult> => {
    const r = await runCli(['deploy', ...labSshFlags(lab as LabState), '--repo', repo, '--name', APP, '--strategy', 'systemd', '--build', 'local',
      '--port', String(PORT), '--health', '/health', '--env-file', join(work, 'prod.env'), '--window', '4s', '--json', '--out', join(work, 'reports'), ...args], { timeoutMs: 420_000 });
    outputs.push(r);
    return r;
  };
  const report = (r: CliResult): FleetReport => {
    let raw: unknown;
    try { raw = JSON.parse(r.stdout); } catch { throw new Error(`no JSON report (exit ${r.code}):\n${r.stderr.slice(-3000)}\n${r.stdout.slice(-2000)}`); }
    const parsed = FleetReportSchema.safeParse(raw);
    assert.ok(parsed.success, parsed.success ? '' : JSON.stringify(parsed.error.issues.slice(0, 3)));
    return raw as FleetReport;
  };
  const release = async (v: string, crashOn: string | null = null): Promise<void> => {
    await writeFile(join(repo, 'VERSION'), `${v}\n`);
    if (crashOn) await writeFile(join(repo, 'CRASH_ON'), `${crashOn}\n`);
    else await rm(join(repo, 'CRASH_ON'), { force: true });
    git(repo, 'add', '-A');
    git(repo, 'commit', '-q', '-m', `v${v}`);
  };
  const status = (rep: FleetReport): string[] => rep.data.hosts.map((h) => `${h.batch}:${h.status}`);
  const end = (iso: string, ms: number): number => Date.parse(iso) + ms;

  after(async () => {
    if (lab) {
      await Promise.all(HOSTS.map((h) => sshExec(h, 'root', `systemctl disable --now ${APP}.service; rm -rf /opt/${APP} /etc/systemd/system/${APP}.service; userdel ${APP}; systemctl daemon-reload`).catch(() => undefined)));
    }
    if (work) await rm(work, { recursive: true, force: true });
  });

  test('rolling deploy in batches of 2: each batch verified before the next, one SSH connection per host, no secret in any output', async (t) => {
    lab = labOrSkip(t); if (!lab) return;
    work = await mkdtemp(join(tmpdir(), 'dh-fleet-lab-'));
    repo = join(work, 'repo');
    await cp(FIXTURE, repo, { recursive: true });
    await writeFile(join(work, 'prod.env'), `FLEET_TOKEN=${CANARY}\n`, { mode: 0o600 });
    git(repo, 'init', '-q');
    await release('1');
    const before = await Promise.all(HOSTS.map((h) => countAcceptedConnections(h)));
    const to = targets(lab).flatMap((x) => ['--to', x]);
    const r = await deploy([...to, '--batch', '2', '--yes']);
    assert.equal(r.code, 0, r.stderr.slice(-3000) + r.stdout.slice(-3000));
    const connections = (await Promise.all(HOSTS.map((h) => countAcceptedConnections(h)))).map((n, i) => n - (before[i] ?? 0));
    const rep = report(r);
    assert.equal(rep.data.outcome, 'VERIFIED');
    assert.deepEqual(status(rep), ['1:verified', '1:verified', '2:verified', '2:verified']);
    assert.equal(rep.data.batches.length, 2);
    assert.equal(rep.data.build.shared, true, 'built once here, shipped to all');
    // Batch 2 started only after both hosts of batch 1 were verified.
    const [a, b, c, d] = rep.data.hosts;
    const batch1Done = Math.max(...[a, b].map((h) => end(h?.verification?.startedAt ?? '', h?.verification?.durationMs ?? 0)));
    for (const h of [c, d]) assert.ok(Date.parse(h?.execution?.startedAt ?? '') >= batch1Done - 5, `${h?.host} started before batch 1 was verified`);
    assert.deepEqual(await versions(), ['1', '1', '1', '1']);
    assert.deepEqual(connections, [1, 1, 1, 1], 'one SSH connection per host for the whole rollout (plan, lock, deploy, verify)');
    // The Markdown report beside the JSON: one row per host.
    const md = (await readdir(join(work, 'reports'))).find((f) => f.endsWith('.md') && f.startsWith('fleet')) ?? '';
    const text = await readFile(join(work, 'reports', md), 'utf8');
    assert.equal(text.split('\n').filter((l) => /^\| [12] \| `root@/.test(l)).length, 4, text);
    assert.ok(!r.stdout.includes(CANARY) && !r.stderr.includes(CANARY) && !text.includes(CANARY), 'the secret leaked');
  });

  test('a release that fails on the first batch: stopped there, both hosts of batch 1 rolled back, batch 2 never touched', async (t) => {
    lab = labOrSkip(t); if (!lab) return;
    const v1 = await releases('fleet3');
    // v2 passes the deploy's start check everywhere, but on fleet2 it exits 4 s later: its verification fails.
    await release('2', 'lab-fleet2');
    const r = await deploy([...targets(lab).flatMap((x) => ['--to', x]), '--batch', '2', '--yes']);
    assert.equal(r.code, 1, r.stderr.slice(-3000));
    const rep = report(r);
    assert.equal(rep.data.outcome, 'ROLLED_BACK', JSON.stringify(rep.data.failure));
    assert.equal(rep.data.failure?.batch, 1);
    assert.equal(rep.data.failure?.host, rep.data.hosts[1]?.host);
    const [f1, f2, f3, f4] = rep.data.hosts;
    assert.equal(f1?.status, 'rolled-back', f1?.summary);
    assert.match(f1?.summary ?? '', /was VERIFIED/);
    assert.ok(f2?.status === 'rolled-back' || f2?.status === 'reverted', `${f2?.status}: ${f2?.summary}`);
    for (const h of [f1, f2]) if (h?.rollback) assert.equal(h.rollback.data.outcome, 'SUCCESS');
    assert.deepEqual([f3?.status, f4?.status], ['untouched', 'untouched']);
    assert.equal(f3?.execution, null);
    assert.deepEqual(await versions(), ['1', '1', '1', '1']);
    assert.deepEqual(await releases('fleet3'), v1, 'batch 2 got no new release directory');
    assert.deepEqual(await releases('fleet4'), v1);
    for (const h of HOSTS) assert.equal(await sh(h, `test -e /opt/${APP}/.deckhand/lock && echo held || echo free`), 'free', `${h}: the fleet lock was released`);
  });

  test('canary: hosts: and rollout: from deckhand.yml, one host deployed, verified and watched before the other three', async (t) => {
    lab = labOrSkip(t); if (!lab) return;
    await writeFile(join(repo, 'deckhand.yml'), `hosts:\n${targets(lab).map((x) => `  - ${x}\n`).join('')}rollout:\n  canary: 1\n  canary_window: 6s\n  batch: all\n`);
    await release('3');
    const r = await deploy(['--yes']);
    assert.equal(r.code, 0, r.stderr.slice(-3000) + r.stdout.slice(-2000));
    const rep = report(r);
    assert.equal(rep.data.outcome, 'VERIFIED');
    assert.deepEqual(rep.data.hosts.map((h) => `${h.batch}:${h.canary}:${h.status}`), ['1:true:verified', '2:false:verified', '2:false:verified', '2:false:verified']);
    const canary = rep.data.hosts[0];
    const watched = end(canary?.verification?.startedAt ?? '', canary?.verification?.durationMs ?? 0);
    assert.ok((canary?.verification?.durationMs ?? 0) >= 6000, 'the canary was watched for its window');
    for (const h of rep.data.hosts.slice(1)) assert.ok(Date.parse(h.execution?.startedAt ?? '') >= watched - 5, `${h.host} started before the canary was watched`);
    assert.deepEqual(await versions(), ['3', '3', '3', '3']);
  });

  test('readiness on every host first: a port taken on one host blocks the rollout, and no host is changed', async (t) => {
    lab = labOrSkip(t); if (!lab) return;
    const other = 'fleet-lab-blocked';
    await sh('fleet2', `systemd-run --unit dh-fleet-port python3 -m http.server ${PORT + 1} --bind 127.0.0.1 && for i in $(seq 1 50); do ss -Hltn 'sport = :${PORT + 1}' | grep -q . && break; sleep 0.1; done`);
    try {
      const r = await runCli(['deploy', ...labSshFlags(lab), ...targets(lab).flatMap((x) => ['--to', x]), '--repo', repo, '--name', other, '--strategy', 'systemd',
        '--build', 'local', '--port', String(PORT + 1), '--health', '/health', '--json', '--yes'], { timeoutMs: 300_000 });
      outputs.push(r);
      assert.equal(r.code, 1, r.stderr.slice(-2000));
      const rep = report(r);
      assert.equal(rep.data.outcome, 'BLOCKED');
      assert.equal(rep.data.failure?.stage, 'readiness');
      assert.deepEqual(rep.data.hosts.map((h) => h.readiness?.verdict === 'NOT READY'), [false, true, false, false]);
      assert.match(JSON.stringify(rep.data.hosts[1]?.readiness?.findings), new RegExp(`${PORT + 1}`));
      assert.deepEqual(rep.data.hosts.map((h) => h.status), ['untouched', 'untouched', 'untouched', 'untouched']);
      for (const h of HOSTS) assert.equal(await sh(h, `test -e /opt/${other} && echo yes || echo no`), 'no', `${h} was changed`);
    } finally {
      await sh('fleet2', 'systemctl stop dh-fleet-port');
    }
  });

  test('fleet lock: a deploy lock held on one host refuses the whole rollout before any host changes, and gives back the others', async (t) => {
    lab = labOrSkip(t); if (!lab) return;
    const held = JSON.stringify({ owner: 'ops@elsewhere', machine: 'elsewhere', pid: 4242, started: new Date().toISOString(), expires: new Date(Date.now() + 600_000).toISOString(), operation: 'deploy 20990101T000000Z-abcdef0', token: 'f00d' });
    await sh('fleet3', `printf '%s\\n' '${held}' > /opt/${APP}/.deckhand/lock`);
    const ledger = await sh('fleet1', `cat /opt/${APP}/.deckhand/ledger.json`);
    await release('4');
    const r = await deploy(['--yes']);
    await sh('fleet3', `rm -f /opt/${APP}/.deckhand/lock`);
    assert.equal(r.code, 2, `exit ${r.code}: ${r.stderr.slice(-2000)}`);
    assert.match(r.stderr, /fleet lock could not be taken, so no host was changed/);
    assert.match(r.stderr, /127\.0\.0\.1:2233.*ops@elsewhere/);
    assert.equal(await sh('fleet1', `cat /opt/${APP}/.deckhand/ledger.json`), ledger, 'fleet1 unchanged');
    for (const h of ['fleet1', 'fleet2', 'fleet4'] as const) assert.equal(await sh(h, `test -e /opt/${APP}/.deckhand/lock && echo held || echo free`), 'free', `${h}: its lock was given back`);
    assert.deepEqual(await versions(), ['3', '3', '3', '3']);
    for (const o of outputs) assert.ok(!o.stdout.includes(CANARY) && !o.stderr.includes(CANARY), 'the secret leaked');
  });
});
