// ops baseline and ops inspect on the lab node20 host (systemd, deploy user with sudo): a newly introduced error pattern is NEW and immediate, a known one is not; canary secrets stay out.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { labOrSkip, sshExec, type LabState } from '../lab/lab.js';
import { labSshFlags, runCli, type CliResult } from '../helpers/cli.js';

const EXAMPLE = fileURLToPath(new URL('../../examples/node-api/', import.meta.url));
// Random per run: the target's journal outlives a run, and an earlier run's value must not be found again.
const CANARY = `canary-Op5Wq8Rt-${randomBytes(4).toString('hex')}`;
const APP = 'lab-opsi';
const PORT = 3881;
/** Where the app's DATABASE_URL points: nothing listens at first (connection refused), later a server that hangs up. */
const DB_PORT = 3882;
const BASE = `/opt/${APP}`;

interface Anomaly { pattern: string; severity: string; isNew: boolean | null; count: number }

describe('ops baseline and ops inspect on a lab host (systemd, deploy user with sudo)', { concurrency: false }, () => {
  let lab: LabState | null = null;
  let work = '';
  let target = '';
  let release = '';
  let listenerPid = '';
  const outputs: CliResult[] = [];
  const sh = async (cmd: string): Promise<string> => (await sshExec('node20', 'deploy', cmd)).stdout.trim();
  const ops = async (task: string, extra: string[] = []): Promise<CliResult> => {
    const r = await runCli(['ops', task, target, ...labSshFlags(lab as LabState), '--name', APP, '--out', join(work, 'reports'), ...extra], { timeoutMs: 180_000 });
    outputs.push(r);
    return r;
  };
  const ready = async (): Promise<string> => sh(`curl -s -m 10 http://127.0.0.1:${PORT}/ready`);
  const cleanup = `sudo -n systemctl disable --now ${APP}.service >/dev/null 2>&1; sudo -n rm -rf ${BASE} /etc/systemd/system/${APP}.service; sudo -n userdel ${APP} >/dev/null 2>&1; sudo -n systemctl daemon-reload`;

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'dh-ops-inspect-lab-'));
    await cp(EXAMPLE, join(work, 'repo'), { recursive: true, filter: (src) => !src.includes('node_modules') });
    await writeFile(join(work, 'app.env'), `APP_VERSION=1.0.0\nAPI_TOKEN=${CANARY}\nDATABASE_URL=postgres://opsi:${CANARY}@127.0.0.1:${DB_PORT}/opsi\n`, { mode: 0o600 });
  });

  after(async () => {
    if (lab) {
      if (listenerPid) await sh(`kill ${listenerPid} 2>/dev/null; true`).catch(() => undefined);
      await sshExec('node20', 'deploy', cleanup).catch(() => undefined);
    }
    await rm(work, { recursive: true, force: true });
  });

  test('deploy, let /ready fail (connection refused), record the baseline', async (t) => {
    lab = labOrSkip(t); if (!lab) return;
    const h = lab.hosts.node20;
    target = `ssh://deploy@${h.host}:${h.port}`;
    await sh(cleanup);
    assert.equal(await sh(`ss -ltnH "( sport = :${DB_PORT} )" | wc -l`), '0', `port ${DB_PORT} must be free on node20`);
    const d = await runCli(['deploy', target, ...labSshFlags(lab), '--repo', join(work, 'repo'), '--name', APP, '--strategy', 'systemd', '--build', 'local',
      '--port', String(PORT), '--health', '/health', '--env-file', join(work, 'app.env'), '--json', '--yes', '--out', join(work, 'reports')], { timeoutMs: 240_000 });
    outputs.push(d);
    assert.equal(d.code, 0, d.stderr + d.stdout);
    release = JSON.parse(d.stdout).data.releaseId;
    for (let i = 0; i < 2; i++) assert.match(await ready(), /ECONNREFUSED/);

    const b = await ops('baseline', ['--json']);
    assert.equal(b.code, 0, b.stderr + b.stdout);
    const rep = JSON.parse(b.stdout);
    assert.equal(rep.stage, 'operations');
    assert.equal(rep.status, 'ok');
    assert.equal(rep.data.path, `${BASE}/.deckhand/baseline.json`);
    assert.equal(rep.data.baseline.release, release);
    assert.deepEqual(rep.data.baseline.ports, [PORT]);
    assert.match(rep.data.baseline.dependencies.join('\n'), /^postgres postgres:\/\/opsi:\*\*\*@127\.0\.0\.1:3882\/opsi \(DATABASE_URL\)$/m);
    assert.ok(rep.data.baseline.resources.rssBytes > 0 && rep.data.baseline.resources.fds > 0, JSON.stringify(rep.data.baseline.resources));
    const refused = (rep.data.baseline.logs.patterns as Anomaly[]).find((p) => /ready check failed: connect ECONNREFUSED/.test(p.pattern));
    assert.ok(refused && refused.count >= 2, JSON.stringify(rep.data.baseline.logs.patterns));
    const onTarget = JSON.parse(await sh(`cat ${BASE}/.deckhand/baseline.json`));
    assert.equal(onTarget.release, release);
    assert.deepEqual(onTarget.logs.patterns.map((p: Anomaly) => p.pattern), rep.data.baseline.logs.patterns.map((p: Anomaly) => p.pattern));
  });

  test('a new error pattern is NEW and immediate; the known one is not NEW', async (t) => {
    lab = labOrSkip(t); if (!lab) return;
    // A server on the database port that hangs up on every connection: the app now logs a different failure.
    listenerPid = await sh(`setsid node -e "require('net').createServer((s) => s.destroy()).listen(${DB_PORT}, '127.0.0.1')" </dev/null >/dev/null 2>&1 & echo $!`);
    assert.match(listenerPid, /^\d+$/);
    let answered = '';
    for (let i = 0; i < 40 && !/terminated|ECONNRESET/.test(answered); i++) {
      answered = await ready();
      if (!/terminated|ECONNRESET/.test(answered)) await new Promise((r) => setTimeout(r, 250));
    }
    assert.match(answered, /terminated unexpectedly|ECONNRESET/);
    await ready();
    assert.match(await ready(), /terminated unexpectedly|ECONNRESET/);

    const r = await ops('inspect', ['--json', '--window', '30m']);
    assert.equal(r.code, 1, `attention exits 1\n${r.stderr}`);
    const rep = JSON.parse(r.stdout);
    const d = rep.data;
    assert.equal(rep.status, 'attention');
    assert.equal(d.service.state, 'running');
    assert.equal(d.version.release, release);
    assert.equal(d.baseline.state, 'present');
    assert.ok(d.resources.rssBytes > 0 && d.resources.fds > 0 && d.resources.fdLimit > 0 && d.resources.threads > 0, JSON.stringify(d.resources));
    const anomalies = d.logs.anomalies as Anomaly[];
    const fresh = anomalies.filter((a) => a.isNew === true);
    assert.ok(fresh.length > 0, JSON.stringify(anomalies));
    for (const a of fresh) {
      assert.match(a.pattern, /^lab-opsi: ready check failed: (Connection terminated unexpectedly|read ECONNRESET)$/);
      assert.equal(a.severity, 'error');
    }
    const known = anomalies.find((a) => /connect ECONNREFUSED/.test(a.pattern));
    assert.equal(known?.isNew, false, 'the pattern recorded in the baseline is not NEW');
    const immediate = d.recommendations.immediate as { text: string }[];
    for (const a of fresh) assert.ok(immediate.some((x) => x.text.includes(a.pattern) && x.text.startsWith('NEW error pattern')), JSON.stringify(immediate));
    assert.ok(!immediate.some((x) => x.text.includes('ECONNREFUSED')), 'a known warning is not immediate');

    const md = await ops('inspect');
    assert.equal(md.code, 1, md.stderr);
    assert.match(md.stdout, /^# Operations Inspection Report/m);
    for (const h of ['## Service State', '## Resource Utilization', '## Log Anomalies', '## Certificate Status', '## Recommendations', '### Immediate']) assert.ok(md.stdout.includes(h), h);
    assert.match(md.stdout, /\| ERROR \| `lab-opsi: ready check failed: [^`]+` \| \d+ \| [^|]+ \| [^|]+ \| \*\*NEW\*\* \|/);
    assert.match(md.stdout, /connect ECONNREFUSED <ip>` \| \d+ \| [^|]+ \| [^|]+ \| known \(\d+ at baseline\) \|/);
  });

  test('bad input: an app not deployed there, a window too short (clear errors, exit 2)', async (t) => {
    lab = labOrSkip(t); if (!lab) return;
    const none = await runCli(['ops', 'inspect', target, ...labSshFlags(lab), '--name', `${APP}-absent`], { timeoutMs: 120_000 });
    assert.equal(none.code, 2, none.stderr);
    assert.match(none.stderr, /lab-opsi-absent is not deployed on .*\nhint: check --name and --base-dir/);
    const short = await runCli(['ops', 'inspect', target, ...labSshFlags(lab), '--name', APP, '--window', '5s'], { timeoutMs: 60_000 });
    assert.equal(short.code, 2, short.stderr);
    assert.match(short.stderr, /--window must be between 1m and 30d/);
  });

  test('deckhand up records the known log patterns and resource levels in its baseline too', async (t) => {
    lab = labOrSkip(t); if (!lab) return;
    if (listenerPid) { await sh(`kill ${listenerPid} 2>/dev/null; true`); listenerPid = ''; }
    await sh(cleanup);
    // No DATABASE_URL: the app warns at start-up, and verification has no database to fail on.
    await writeFile(join(work, 'up.env'), `APP_VERSION=2.0.0\nAPI_TOKEN=${CANARY}\n`, { mode: 0o600 });
    const r = await runCli(['up', join(work, 'repo'), '--to', target, ...labSshFlags(lab), '--name', APP, '--strategy', 'systemd', '--build', 'local',
      '--port', String(PORT), '--health', '/health', '--env-file', join(work, 'up.env'), '--window', '3', '--out', join(work, 'reports'), '--json'], { timeoutMs: 300_000 });
    outputs.push(r);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const rep = JSON.parse(r.stdout);
    assert.equal(rep.data.outcome, 'VERIFIED');
    assert.equal(rep.data.summary.baseline, `${BASE}/.deckhand/baseline.json`);
    const b = JSON.parse(await sh(`cat ${BASE}/.deckhand/baseline.json`));
    assert.equal(b.lastVerification.verdict, 'VERIFIED');
    assert.ok(b.resources && b.resources.rssBytes > 0 && b.resources.restarts === 0, JSON.stringify(b.resources));
    const warning = (b.logs.patterns as Anomaly[]).find((p) => p.pattern === 'lab-opsi: warning: DATABASE_URL is not set; /ready and /api/items will answer <n>');
    assert.equal(warning?.severity, 'warning', JSON.stringify(b.logs.patterns));
    assert.ok(!JSON.stringify(b).includes(CANARY));
  });

  test('the canary secret appears in no output or report', async (t) => {
    lab = labOrSkip(t); if (!lab) return;
    assert.ok(outputs.length >= 4);
    for (const o of outputs) assert.ok(!o.stdout.includes(CANARY) && !o.stderr.includes(CANARY));
    const files = await readdir(join(work, 'reports'));
    assert.ok(files.some((f) => f.startsWith('ops-inspect-')) && files.some((f) => f.startsWith('ops-baseline-')) && files.some((f) => f.startsWith('verification-')), files.join(' '));
    for (const f of files) assert.ok(!(await readFile(join(work, 'reports', f), 'utf8')).includes(CANARY), f);
    assert.ok(!(await sh(`cat ${BASE}/.deckhand/baseline.json`)).includes(CANARY), 'the baseline on the target');
  });
});
