// ops cleanup and ops logrotate on a real lab host (systemd, deploy user with sudo): logs grown by a generator are listed,
// compressed and deleted with the bytes accounted; a rollback target older than the keep count survives and still rolls back;
// the generated logrotate file passes logrotate -d and a forced rotation rotates.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { shQuote } from '../../src/core/command.js';
import { labOrSkip, sshExec, type LabState } from '../lab/lab.js';
import { labSshFlags, runCli, type CliResult } from '../helpers/cli.js';

const EXAMPLE = fileURLToPath(new URL('../../examples/node-api/', import.meta.url));
const CANARY = `canary-Opsc7Qz-${randomBytes(4).toString('hex')}`;
const APP = 'lab-opsc';
const PORT = 3891;
const BASE = '/srv/deckhand-lab-opsc';
const LOGS = `${BASE}/shared/logs`;

interface Item { kind: string; target: string; bytes: number; outcome: string; reclaimedBytes: number | null; reason: string }

/**
 * Writes dated log files of known sizes as the service user and sets their mtimes in the past: one past the age
 * limit, a dated one and a rotated one idle for days (to compress), a fresh live log, an old already-compressed
 * copy, and an old file a process keeps open.
 */
const GENERATOR = `set -e
d=${LOGS}
gen() { head -c "$2" /dev/urandom | od -An -tx1 -v | tr -d ' \\n' | fold -w 100 | sed 's/^/2026-01-01T00:00:00Z INFO served /' | head -c "$2" > "$d/$1"; touch -d "$3" "$d/$1"; chown ${APP}:${APP} "$d/$1"; }
gen app-2026-09-01.log 6000000 '40 days ago'
gen app-2026-11-27.log 3000000 '3 days ago'
gen app.log.1 2000000 '2 days ago'
gen app.log 200000 'now'
gen held.log 300000 '50 days ago'
head -c 1000000 /dev/urandom | gzip -1 > "$d/app.log.5.gz"; touch -d '45 days ago' "$d/app.log.5.gz"`;

describe('ops cleanup and ops logrotate on a lab host', { concurrency: false }, () => {
  let lab: LabState | null = null;
  let work = '';
  let target = '';
  let holder = '';
  const releases: string[] = [];
  const outputs: CliResult[] = [];
  const sh = async (cmd: string): Promise<string> => (await sshExec('node20', 'deploy', cmd, 120_000)).stdout.trim();
  const cli = async (args: string[], timeoutMs = 180_000): Promise<CliResult> => {
    const r = await runCli(args, { timeoutMs });
    outputs.push(r);
    return r;
  };
  const flags = (): string[] => [...labSshFlags(lab as LabState), '--name', APP, '--base-dir', BASE];
  const ops = (task: string, extra: string[] = []): Promise<CliResult> => cli(['ops', task, target, ...flags(), '--json', ...extra]);
  const version = async (): Promise<string> => JSON.parse(await sh(`curl -s -m 5 http://127.0.0.1:${PORT}/version`)).version;
  /** size mtime name of every file in the logs, and the release directories: to prove a listing changed nothing. */
  const snapshot = (): Promise<string> => sh(`sudo -n sh -c 'cd ${LOGS} && stat -c "%s %Y %n" * && ls ${BASE}/releases'`);

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'dh-ops-cleanup-lab-'));
    await cp(EXAMPLE, join(work, 'repo'), { recursive: true, filter: (src) => !src.includes('node_modules') });
  });

  after(async () => {
    if (lab) {
      if (holder) await sh(`sudo -n kill ${holder} 2>/dev/null`).catch(() => undefined);
      await sh([
        `sudo -n systemctl disable --now ${APP}.service`, `sudo -n rm -rf ${BASE} /etc/systemd/system/${APP}.service /etc/logrotate.d/${APP}`,
        `sudo -n userdel ${APP}`, 'sudo -n systemctl daemon-reload', `sudo -n sed -i '\\#${BASE}/#d' /var/lib/logrotate/status`,
      ].join('; ')).catch(() => undefined);
    }
    await rm(work, { recursive: true, force: true });
  });

  test('four releases, then a rollback: the rollback target is now the oldest release but one', async (t) => {
    lab = labOrSkip(t); if (!lab) return;
    const h = lab.hosts.node20;
    target = `ssh://deploy@${h.host}:${h.port}`;
    for (const v of ['1', '2', '3', '4']) {
      await writeFile(join(work, 'v.env'), `APP_VERSION=${v}.0.0\nAPI_TOKEN=${CANARY}\n`, { mode: 0o600 });
      const r = await cli(['deploy', target, ...labSshFlags(lab), '--repo', join(work, 'repo'), '--name', APP, '--base-dir', BASE, '--strategy', 'systemd', '--build', 'local',
        '--port', String(PORT), '--health', '/health', '--env-file', join(work, 'v.env'), '--keep', '10', '--json', '--yes'], 240_000);
      assert.equal(r.code, 0, r.stderr + r.stdout);
      releases.push(JSON.parse(r.stdout).data.releaseId);
    }
    const rb = await cli(['rollback', target, ...flags(), '--json'], 180_000);
    assert.equal(rb.code, 0, rb.stderr + rb.stdout);
    assert.equal(await version(), '3.0.0');
    const rel = JSON.parse((await cli(['releases', target, ...flags(), '--json'])).stdout) as { releases: { id: string; status: string }[] };
    // Newest first.
    assert.deepEqual(rel.releases.map((r) => [r.id, r.status]), [[releases[3], 'rolled-back'], [releases[2], 'current'], [releases[1], 'previous'], [releases[0], 'superseded']]);
  });

  test('cleanup without --yes lists logs and releases with their bytes and changes nothing', async (t) => {
    lab = labOrSkip(t); if (!lab) return;
    const gen = await sshExec('node20', 'deploy', `sudo -n sh -c ${shQuote(GENERATOR)}`, 120_000);
    assert.equal(gen.code, 0, gen.stderr);
    holder = await sh(`sudo -n sh -c 'nohup sh -c "exec 3>>${LOGS}/held.log; exec sleep 900" >/dev/null 2>&1 & echo $!'`);
    assert.match(holder, /^\d+$/);
    const sizes = new Map((await sh(`sudo -n stat -c '%s %n' ${LOGS}/*`)).split('\n').map((l) => [l.slice(l.indexOf(' ') + 1), Number(l.slice(0, l.indexOf(' ')))]));
    const before = await snapshot();
    const r = await ops('cleanup', ['--keep', '1']);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.equal(await snapshot(), before, 'a listing changes nothing');
    const rep = JSON.parse(r.stdout);
    assert.equal(rep.data.mode, 'plan');
    const items = rep.data.items as Item[];
    assert.deepEqual(items.map((i) => `${i.kind} ${i.target}`).sort(), [
      `log-compress ${LOGS}/app-2026-11-27.log`, `log-compress ${LOGS}/app.log.1`, `log-delete ${LOGS}/app-2026-09-01.log`, `log-delete ${LOGS}/app.log.5.gz`, `release ${releases[0]}`,
    ]);
    for (const i of items.filter((x) => x.kind.startsWith('log-'))) assert.equal(i.bytes, sizes.get(i.target), `${i.target}: listed bytes are its size`);
    assert.ok((items.find((i) => i.kind === 'release')?.bytes ?? 0) > 0, 'a release has a size');
    const kept = rep.data.protected as { target: string; reason: string }[];
    assert.match(kept.find((k) => k.target === releases[1])?.reason ?? '', /rollback target/, 'the old rollback target is protected');
    assert.match(kept.find((k) => k.target === `${LOGS}/held.log`)?.reason ?? '', /a process holds it open/);
    assert.ok(!kept.some((k) => k.target === `${LOGS}/app.log`) && !items.some((i) => i.target === `${LOGS}/app.log`), 'a fresh log is not touched');
    assert.ok(rep.data.disk.before.sizeBytes > 0 && rep.data.disk.after === null);
    const md = await cli(['ops', 'cleanup', target, ...flags(), '--keep', '1']);
    assert.match(md.stdout, /### What would go[\s\S]*\| delete log \| `\/srv\/deckhand-lab-opsc\/shared\/logs\/app-2026-09-01\.log` \| 5\.7 MiB \|/);
  });

  test('cleanup --yes compresses and deletes exactly what it listed; the rollback target survives and still rolls back', async (t) => {
    lab = labOrSkip(t); if (!lab) return;
    const listed = JSON.parse((await ops('cleanup', ['--keep', '1'])).stdout).data.items as Item[];
    const r = await ops('cleanup', ['--keep', '1', '--yes']);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const d = JSON.parse(r.stdout).data;
    assert.equal(d.mode, 'applied');
    const items = d.items as Item[];
    assert.deepEqual(items.map((i) => [i.kind, i.target, i.bytes]), listed.map((i) => [i.kind, i.target, i.bytes]), 'it acts on exactly what was listed');
    assert.ok(items.every((i) => i.outcome === 'done'), JSON.stringify(items));
    for (const i of items) {
      if (i.kind === 'log-compress') assert.ok((i.reclaimedBytes ?? 0) > 0 && (i.reclaimedBytes ?? 0) < i.bytes, `${i.target}: ${i.reclaimedBytes} of ${i.bytes}`);
      else assert.equal(i.reclaimedBytes, i.bytes, `${i.target}: freed what was listed`);
    }
    assert.equal(d.totals.reclaimedBytes, items.reduce((s, i) => s + (i.reclaimedBytes ?? 0), 0));
    assert.ok(d.totals.reclaimedBytes > 7_000_000, `reclaimed ${d.totals.reclaimedBytes}`);
    t.diagnostic(`listed ${d.totals.listedBytes} bytes, reclaimed ${d.totals.reclaimedBytes}; disk used ${d.disk.before.usedBytes} → ${d.disk.after.usedBytes} bytes (shared disk)`);
    assert.ok(d.disk.before.usedBytes > 0 && d.disk.after.usedBytes > 0);
    assert.equal(d.ledgerUpdated, true);
    const files = (await sh(`sudo -n ls ${LOGS}`)).split('\n').sort();
    assert.deepEqual(files, ['app-2026-11-27.log.gz', 'app.log', 'app.log.1.gz', 'held.log']);
    const gz = await sh(`sudo -n sh -c 'gzip -t ${LOGS}/app.log.1.gz && gzip -dc ${LOGS}/app.log.1.gz | wc -c'`);
    assert.equal(gz, '2000000', 'the compressed copy holds the whole log');
    assert.deepEqual((await sh(`ls ${BASE}/releases`)).split('\n'), releases.slice(1), 'only the oldest release was pruned');
    const rel = JSON.parse((await cli(['releases', target, ...flags(), '--json'])).stdout) as { releases: { id: string; pruned?: boolean }[] };
    assert.deepEqual(rel.releases.map((x) => [x.id, x.pruned === true]), [...releases].reverse().map((id, i) => [id, i === 3]), 'the ledger marks the pruned release');
    const rb = await cli(['rollback', target, ...flags(), '--json'], 180_000);
    assert.equal(rb.code, 0, rb.stderr + rb.stdout);
    assert.equal(JSON.parse(rb.stdout).data.releaseId, releases[1]);
    assert.equal(await version(), '2.0.0', 'the protected rollback target serves again');
    assert.equal(await sh(`test -e ${BASE}/.deckhand/lock && echo held || echo free`), 'free', 'the deploy lock was released');
  });

  test('logrotate: the plan shows the file and installs nothing; --yes checks it with logrotate -d; --force rotates', async (t) => {
    lab = labOrSkip(t); if (!lab) return;
    const plan = await ops('logrotate');
    assert.equal(plan.code, 0, plan.stderr + plan.stdout);
    const p = JSON.parse(plan.stdout).data;
    assert.equal(p.mode, 'plan');
    assert.match(p.config, new RegExp(`^${LOGS}/\\*\\.log \\{\\n    daily\\n    rotate 14\\n    compress\\n    delaycompress\\n    missingok\\n    notifempty\\n    copytruncate\\n\\}$`, 'm'));
    assert.ok(p.elsewhere.some((e: { what: string }) => e.what === `stdout and stderr of ${APP}.service`));
    assert.equal(await sh(`test -e /etc/logrotate.d/${APP} && echo yes || echo no`), 'no');
    const r = await ops('logrotate', ['--yes', '--force']);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const d = JSON.parse(r.stdout).data;
    assert.deepEqual([d.check.ok, d.installed], [true, 'written']);
    assert.equal(await sh(`sudo -n cat /etc/logrotate.d/${APP}`), p.config.trimEnd(), 'the file installed is the one shown');
    const check = await sshExec('node20', 'deploy', `sudo -n logrotate -d /etc/logrotate.d/${APP} 2>&1`);
    assert.equal(check.code, 0, check.stdout);
    assert.doesNotMatch(check.stdout, /^error:/m);
    const rotated = d.rotation.rotated as { log: string; to: string[] }[];
    assert.ok(rotated.some((x) => x.log === `${LOGS}/app.log` && x.to.includes(`${LOGS}/app.log.1`)), JSON.stringify(rotated));
    assert.equal(await sh(`sudo -n stat -c %s ${LOGS}/app.log.1`), '200000', 'the live log\'s content moved to app.log.1');
    assert.equal(await sh(`sudo -n stat -c %s ${LOGS}/app.log`), '0', 'copytruncate left the live file in place, empty');
    const again = await ops('logrotate', ['--yes']);
    assert.equal(JSON.parse(again.stdout).data.installed, 'unchanged');
  });

  test('the canary secret appears in no output', async (t) => {
    lab = labOrSkip(t); if (!lab) return;
    assert.ok(outputs.length > 5);
    for (const o of outputs) assert.ok(!o.stdout.includes(CANARY) && !o.stderr.includes(CANARY));
  });
});

describe('ops logrotate for a pm2 app on a lab host (the connecting user runs pm2)', { concurrency: false }, () => {
  let lab: LabState | null = null;
  let work = '';
  const PM2_BASE = '/srv/deckhand-lab-opsc-pm2';
  const PM2_LOGS = `${PM2_BASE}/shared/logs`;
  const sh = async (cmd: string): Promise<string> => (await sshExec('node20', 'deploy', cmd, 120_000)).stdout.trim();
  /** The deploy user's pm2 daemon pid, or '' when none runs (read from its pid file: a pm2 command would start one). */
  const daemon = (): Promise<string> => sh('p=$(cat ~/.pm2/pm2.pid 2>/dev/null) && kill -0 "$p" 2>/dev/null && echo "$p" || true');
  let daemonBefore: string | null = null;

  after(async () => {
    if (lab) {
      await sh([
        `pm2 delete ${APP} >/dev/null 2>&1`, 'pm2 save --force >/dev/null 2>&1', `sudo -n rm -rf ${PM2_BASE} /etc/logrotate.d/${APP}`,
        `sudo -n sed -i '\\#${PM2_BASE}/#d' /var/lib/logrotate/status`,
      ].join('; ')).catch(() => undefined);
      // The daemon our deploy started (none ran before) is ended by its pid, unless someone else's app runs in it now.
      const now = await daemon().catch(() => '');
      if (daemonBefore === '' && now !== '' && (await sh('pm2 jlist')) === '[]') await sh(`kill ${now}`).catch(() => undefined);
    }
    if (work) await rm(work, { recursive: true, force: true });
  });

  test('pm2\'s files rotate by renaming and pm2 reloadLogs, run as the deploy user, reopens them', async (t) => {
    lab = labOrSkip(t); if (!lab) return;
    work = await mkdtemp(join(tmpdir(), 'dh-ops-logrotate-pm2-'));
    await cp(EXAMPLE, join(work, 'repo'), { recursive: true, filter: (src) => !src.includes('node_modules') });
    await writeFile(join(work, 'v.env'), 'APP_VERSION=7.0.0\n', { mode: 0o600 });
    const h = lab.hosts.node20;
    const target = `ssh://deploy@${h.host}:${h.port}`;
    daemonBefore = await daemon();
    const d = await runCli(['deploy', target, ...labSshFlags(lab), '--repo', join(work, 'repo'), '--name', APP, '--base-dir', PM2_BASE, '--strategy', 'pm2', '--build', 'local',
      '--instances', '1', '--port', String(PORT), '--health', '/health', '--env-file', join(work, 'v.env'), '--json', '--yes'], { timeoutMs: 240_000 });
    assert.equal(d.code, 0, d.stderr + d.stdout);
    const before = await sh(`cat ${PM2_LOGS}/${APP}.out.log`);
    assert.match(before, /listening on port 3891/);
    const r = await runCli(['ops', 'logrotate', target, ...labSshFlags(lab), '--name', APP, '--base-dir', PM2_BASE, '--json', '--yes', '--force'], { timeoutMs: 180_000 });
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const data = JSON.parse(r.stdout).data;
    assert.deepEqual(data.sources.map((s: { method: string }) => s.method), ['postrotate']);
    assert.match(data.config, /runuser -u deploy -- env HOME=\/home\/deploy PM2_HOME=\/home\/deploy\/.pm2 PATH=\S+ \S+\/pm2 reloadLogs/);
    assert.ok(data.rotation.rotated.some((x: { log: string; to: string[] }) => x.log === `${PM2_LOGS}/${APP}.out.log` && x.to.includes(`${PM2_LOGS}/${APP}.out.log.1`)), JSON.stringify(data.rotation));
    assert.equal(await sh(`cat ${PM2_LOGS}/${APP}.out.log.1`), before, 'the old lines moved to .1 whole');
    // pm2 writes this line into the file it reopened: proof that the postrotate script reached the daemon.
    assert.match(await sh(`cat ${PM2_LOGS}/${APP}.out.log`), /Reloading log/);
  });
});

describe('ops cleanup of image tags on the lab Docker host (root, real engine)', { concurrency: false }, () => {
  let lab: LabState | null = null;
  const base = `/tmp/deckhand-lab-opsc-docker-${randomBytes(3).toString('hex')}`;
  const [R1, R2, R3] = ['20260101T000000Z-abc1234', '20260102T000000Z-bcd2345', '20260103T000000Z-cde3456'];
  const sh = async (cmd: string): Promise<{ stdout: string; code: number }> => {
    const r = await sshExec('docker', 'root', cmd, 300_000);
    return { stdout: r.stdout.trim(), code: r.code };
  };
  const entry = (id: string, status: string, pruned = false): Record<string, unknown> => ({
    id, commit: id.slice(-7), dirty: false, strategy: 'docker', status, deployedAt: '2026-01-01T00:00:00Z', deployedBy: 't', deckhandVersion: '0', ...(pruned ? { pruned } : {}),
  });

  after(async () => {
    if (lab) await sh(`docker image ls -q lab-opsc | sort -u | xargs -r docker rmi -f >/dev/null 2>&1; rm -rf ${base}`).catch(() => undefined);
  });

  test('the tags of a release that is gone go (its image is freed); the current and previous releases\' images stay', async (t) => {
    lab = labOrSkip(t); if (!lab) return;
    // Three small images built FROM scratch (no registry needed), tagged as deckhand's docker strategy tags them.
    const build = (tags: string[]): string => `d=$(mktemp -d) && head -c 2000000 /dev/urandom > $d/payload && printf 'FROM scratch\\nCOPY payload /payload\\n' > $d/Dockerfile && docker build -q ${tags.map((x) => `-t lab-opsc:${x}`).join(' ')} $d >/dev/null && rm -rf $d`;
    const ledger = { schemaVersion: 1, app: 'lab-opsc', releases: [entry(R1, 'superseded', true), entry(R2, 'previous'), entry(R3, 'current')] };
    const setup = await sh([
      build([R1, 'abc1234']), build([R2, 'bcd2345']), build([R3, 'cde3456']),
      `mkdir -p ${base}/releases/${R2} ${base}/releases/${R3} ${base}/.deckhand ${base}/shared/logs`, `ln -s releases/${R3} ${base}/current`,
      `echo ${shQuote(JSON.stringify(ledger))} > ${base}/.deckhand/ledger.json`,
    ].join(' && '));
    assert.equal(setup.code, 0, setup.stdout);
    const h = lab.hosts.docker;
    const target = `ssh://root@${h.host}:${h.port}`;
    const args = ['ops', 'cleanup', target, ...labSshFlags(lab), '--name', 'lab-opsc', '--base-dir', base, '--json'];
    const plan = await runCli(args, { timeoutMs: 180_000 });
    assert.equal(plan.code, 0, plan.stderr + plan.stdout);
    const listed = JSON.parse(plan.stdout).data as { items: Item[]; protected: { kind: string; target: string; reason: string }[] };
    assert.deepEqual(listed.items.map((i) => [i.kind, i.target]), [['image', `lab-opsc:${R1}`], ['image', 'lab-opsc:abc1234']]);
    assert.ok(listed.items.reduce((s, i) => s + i.bytes, 0) >= 2_000_000, 'the freed image is counted once, with its size');
    assert.deepEqual(listed.protected.filter((p) => p.kind === 'image').map((p) => p.target).sort(), [`lab-opsc:${R2}`, `lab-opsc:${R3}`, 'lab-opsc:bcd2345', 'lab-opsc:cde3456']);
    const r = await runCli([...args, '--yes'], { timeoutMs: 180_000 });
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.deepEqual((JSON.parse(r.stdout).data.items as Item[]).map((i) => i.outcome), ['done', 'done']);
    const left = await sh('docker image ls --format "{{.Tag}}" lab-opsc | sort');
    assert.deepEqual(left.stdout.split('\n'), [R2, R3, 'bcd2345', 'cde3456'].sort());
  });
});
