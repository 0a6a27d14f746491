// verify's on-target layers against real systemd units on the lab node20 host, as the deploy user (sudo): healthy, restart loop, port squatter, EADDRINUSE in the logs.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Redactor } from '../../src/core/redact.js';
import { parseTarget } from '../../src/core/target.js';
import { SshExecutor } from '../../src/exec/ssh.js';
import type { Finding } from '../../src/report/common.js';
import { checkLogs } from '../../src/stages/verify/checks/logs.js';
import { checkPort } from '../../src/stages/verify/checks/port.js';
import { checkProcess } from '../../src/stages/verify/checks/process.js';
import { checkVersion } from '../../src/stages/verify/checks/version.js';
import type { LayerInput, VerifyTarget } from '../../src/stages/verify/types.js';
import { labOrSkip, loadLab, sshExec } from '../lab/lab.js';

const OK = { app: 'verify-ok', port: 3701 };
const LOOP = { app: 'verify-loop', port: 3703 };
const CLASH = { app: 'verify-clash', port: 3702 };
const SQUAT = 'verify-squat';
const RELEASE = '20261201T140000Z-0a1b2c3';
const SECRET = 'vfy-Secret-7Qm2Lw9Xk4';

const SERVER = "const http=require('http');console.log('token='+process.env.API_TOKEN);"
  + "http.createServer((q,s)=>s.end('ok')).listen(Number(process.env.PORT),()=>console.log('listening on '+process.env.PORT));";
const CRASHER = "console.log('up');setTimeout(()=>process.exit(3),2000);";

function unit(app: string, port: number, body: string, extra: string[] = []): string {
  return [
    '[Unit]', `Description=${app} (verify lab test)`, 'StartLimitIntervalSec=0', '',
    '[Service]', 'Type=simple', 'User=nobody', `WorkingDirectory=/opt/${app}/current`, `Environment=PORT=${port}`, `Environment=API_TOKEN=${SECRET}`,
    `ExecStart=/usr/local/bin/node ${body}`, 'Restart=always', 'RestartSec=1', ...extra, '',
    '[Install]', 'WantedBy=multi-user.target', '',
  ].join('\n');
}

/** Writes a release dir with the script, points current at it, installs and starts the unit (one ssh call). */
function installScript(app: string, port: number, js: string): string {
  const file = js === SERVER ? 'server.js' : 'crash.js';
  return [
    `sudo -n mkdir -p /opt/${app}/releases/${RELEASE}`,
    `printf '%s\\n' "$JS" | sudo -n tee /opt/${app}/releases/${RELEASE}/${file} >/dev/null`,
    `sudo -n ln -sfn /opt/${app}/releases/${RELEASE} /opt/${app}/current`,
    `printf '%s' "$UNIT" | sudo -n tee /etc/systemd/system/${app}.service >/dev/null`,
    'sudo -n systemctl daemon-reload',
    `sudo -n systemctl restart ${app}.service`,
  ].join(' && ').replace(/^/, `JS=${shq(js)}; UNIT=${shq(unit(app, port, file))}; `);
}

function shq(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

const cleanup = [OK, LOOP, CLASH].map((a) => `sudo -n systemctl disable --now ${a.app}.service >/dev/null 2>&1; sudo -n rm -rf /opt/${a.app} /etc/systemd/system/${a.app}.service`).join('; ')
  + `; sudo -n systemctl stop ${SQUAT}.service >/dev/null 2>&1; sudo -n systemctl reset-failed ${SQUAT}.service ${OK.app}.service ${LOOP.app}.service ${CLASH.app}.service >/dev/null 2>&1; sudo -n systemctl daemon-reload`;

function show(fs: readonly Finding[]): string {
  return fs.map((f) => `${f.id} ${f.status}: ${f.summary}`).join('\n');
}

describe('verify layers on a lab host (systemd, deploy user with sudo)', { concurrency: false }, () => {
  let executor: SshExecutor | null = null;
  const redactor = new Redactor();
  redactor.add(SECRET);
  let since = '';
  const input = (t: Partial<VerifyTarget> & { app: string }, windowMs = 4000): LayerInput => ({
    ctx: { executor: executor as SshExecutor, redactor },
    target: { strategy: 'systemd', port: null, healthPath: '/health', release: RELEASE, base: `/opt/${t.app}`, since, url: null, serverName: null, ...t },
    options: { windowMs, intervalMs: 1000, requestTimeoutMs: 5000, successes: 3, checks: [], proxyUrl: null, tlsWarnDays: 14 },
    envFileText: null,
  });

  before(async () => {
    const lab = loadLab();
    if (!lab) return;
    const h = lab.hosts.node20;
    executor = new SshExecutor(parseTarget(`ssh://deploy@${h.host}:${h.port}`) as Extract<ReturnType<typeof parseTarget>, { kind: 'ssh' }>,
      { identityFile: lab.identityFile, options: [`UserKnownHostsFile=${lab.knownHostsFile}`] }, redactor);
    await sshExec('node20', 'deploy', cleanup);
    since = new Date(Date.now() - 1000).toISOString();
    // The squatter holds the clash app's port before the app starts: the app dies with EADDRINUSE, again and again.
    const squat = await sshExec('node20', 'deploy', `sudo -n systemd-run --unit ${SQUAT} --property=User=nobody /usr/bin/python3 -m http.server ${CLASH.port} --bind 0.0.0.0 >/dev/null 2>&1; sleep 1`);
    assert.equal(squat.code, 0, squat.stderr);
    for (const [a, js] of [[OK, SERVER], [LOOP, CRASHER], [CLASH, SERVER]] as const) {
      const r = await sshExec('node20', 'deploy', installScript(a.app, a.port, js));
      assert.equal(r.code, 0, `${a.app}: ${r.stderr}`);
    }
    await new Promise((r) => setTimeout(r, 1500));
  });

  after(async () => {
    if (loadLab()) await sshExec('node20', 'deploy', cleanup).catch(() => undefined);
    await executor?.close();
  });

  test('a healthy service passes all four layers', async (t) => {
    if (!labOrSkip(t)) return;
    const inp = input({ app: OK.app, port: OK.port });
    const [proc, port, version, logs] = await Promise.all([checkProcess(inp), checkPort(inp), checkVersion(inp), checkLogs(inp)]);
    const all = [...proc, ...port, ...version, ...logs];
    t.diagnostic(show(all));
    for (const f of all) assert.equal(f.status, 'pass', `${f.id}: ${f.summary}\n${f.evidence ?? ''}`);
    assert.match(proc[0]?.summary ?? '', /no restarts/);
    assert.match(port[0]?.summary ?? '', /main PID of verify-ok\.service/);
    assert.match(version[0]?.summary ?? '', new RegExp(`/opt/verify-ok/releases/${RELEASE}`));
    assert.ok(!JSON.stringify(all).includes(SECRET), 'the token the app logs is masked everywhere');
  });

  test('an app that exits 2 s after each start fails through the restart counter, though it is active at instants', async (t) => {
    if (!labOrSkip(t)) return;
    let sawActive = false;
    for (let i = 0; i < 6 && !sawActive; i++) {
      sawActive = (await sshExec('node20', 'deploy', `systemctl is-active ${LOOP.app}.service`)).stdout.trim() === 'active';
      if (!sawActive) await new Promise((r) => setTimeout(r, 500));
    }
    assert.ok(sawActive, 'systemctl is-active said active at some instant');
    const proc = await checkProcess(input({ app: LOOP.app, port: LOOP.port }, 7000));
    t.diagnostic(show(proc));
    const f = proc.find((x) => x.id === 'process.systemd');
    assert.equal(f?.status, 'fail', show(proc));
    assert.match(f?.summary ?? '', /restart loop: restarted \d+ time\(s\) in \d+s \(NRestarts \d+ → \d+\)/);
  });

  test('a port held by another process fails and names it; the EADDRINUSE in the logs is found', async (t) => {
    if (!labOrSkip(t)) return;
    const inp = input({ app: CLASH.app, port: CLASH.port });
    const [port, logs] = await Promise.all([checkPort(inp), checkLogs(inp)]);
    t.diagnostic(show([...port, ...logs]));
    const p = port.find((x) => x.id === `port.${CLASH.port}`);
    assert.equal(p?.status, 'fail', show(port));
    assert.match(p?.summary ?? '', /held by another process: .*python3 \(PID \d+, user nobody/);
    const l = logs.find((x) => x.id === 'logs.address-in-use');
    assert.equal(l?.status, 'fail', show(logs));
    assert.match(l?.summary ?? '', /Error: listen EADDRINUSE/);
    assert.ok(!JSON.stringify(logs).includes(SECRET));
  });
});
