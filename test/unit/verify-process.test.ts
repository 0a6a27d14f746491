// verify's on-target layers: probe builders (exact argv, valid sh) and the parsers and judges fed with canned target output.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import type { Command } from '../../src/core/command.js';
import { Redactor } from '../../src/core/redact.js';
import type { Executor } from '../../src/exec/types.js';
import {
  CONTAINER_FORMAT, PM2_FILTER, portOwnerCommand, processSamplesCommand, recentLogsCommand, servedVersionCommand,
} from '../../src/commands/verify-probe.js';
import { managerKinds, parseContainerLine, parsePm2Line } from '../../src/stages/verify/checks/on-target.js';
import { judgeLogs, parseLogsProbe } from '../../src/stages/verify/checks/logs.js';
import { decodeProcAddress, judgePort, parsePortProbe } from '../../src/stages/verify/checks/port.js';
import { judgeProcess, parseProcessSamples, samplingPlan } from '../../src/stages/verify/checks/process.js';
import { judgeVersion, parseVersionProbe, releaseOfDir } from '../../src/stages/verify/checks/version.js';
import { LOG_PATTERNS, scanLines } from '../../src/stages/verify/log-patterns.js';
import type { LayerInput, VerifyTarget } from '../../src/stages/verify/types.js';

const REL = '20261201T140000Z-0a1b2c3';
const OLD = '20261130T090000Z-9f8e7d6';
const SECRET = 'tok-9Xq2Lm7Pw4Zr';

function input(t: Partial<VerifyTarget> = {}): LayerInput {
  const redactor = new Redactor();
  redactor.add(SECRET);
  return {
    ctx: { executor: { host: { kind: 'ssh', display: 'deploy@web1' } } as unknown as Executor, redactor },
    target: { app: 'api', strategy: 'systemd', port: 3000, healthPath: '/health', release: REL, base: '/opt/api', since: '2026-12-01T14:00:00.000Z', url: null, serverName: null, ...t },
    options: { windowMs: 10_000, intervalMs: 1000, requestTimeoutMs: 5000, successes: 3, checks: [], proxyUrl: null, tlsWarnDays: 14 },
    envFileText: null,
  };
}

function syntaxOk(cmd: Command): void {
  assert.equal(cmd.argv[0], 'sh');
  assert.equal(cmd.argv[1], '-c');
  const r = spawnSync('sh', ['-n', '-c', cmd.argv[2] ?? ''], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(cmd.mutates, false);
}

describe('verify probe builders', () => {
  it('process samples: exact arguments after the script, sampling bounds and timeout', () => {
    const c = processSamplesCommand({ app: 'api', kinds: ['systemd'], samples: 5, intervalSec: 2.5, pm2: 'pm2' });
    syntaxOk(c);
    assert.deepEqual(c.argv.slice(3), ['deckhand-verify-process', 'api', 'systemd', '5', '2.5', 'pm2', PM2_FILTER, CONTAINER_FORMAT]);
    assert.ok((c.argv[2] ?? '').includes('systemctl show "$app.service" -p LoadState,ActiveState,SubState,NRestarts,Result,ExecMainStatus,ExecMainCode,MainPID,ExecMainStartTimestamp,UnitFileState'));
    assert.equal(c.timeoutMs, 10_000 + 150_000);
    assert.equal(c.description, 'sample the state of api (systemd) 5 times, 2.5s apart');
    const all = processSamplesCommand({ app: 'shop', kinds: ['systemd', 'pm2', 'docker', 'compose'], samples: 1, intervalSec: 0.01, pm2: '/usr/lib/node_modules/pm2/bin/pm2' });
    assert.deepEqual(all.argv.slice(3, 8), ['deckhand-verify-process', 'shop', 'systemd pm2 docker compose', '2', '0.1']);
  });

  it('port owners, served version and logs: exact arguments, valid sh', () => {
    const p = portOwnerCommand({ app: 'api', port: 3000, kinds: ['pm2'], pm2: 'pm2' });
    syntaxOk(p);
    assert.deepEqual(p.argv.slice(3), ['deckhand-verify-port', 'api', '3000', 'pm2', 'pm2', PM2_FILTER]);
    assert.ok((p.argv[2] ?? '').includes('$S ss -ltnp'));
    const v = servedVersionCommand({ app: 'api', base: '/opt/api', release: REL, kinds: ['docker'], pm2: 'pm2' });
    syntaxOk(v);
    assert.deepEqual(v.argv.slice(3), ['deckhand-verify-version', 'api', '/opt/api', REL, 'docker', 'pm2', PM2_FILTER]);
    const l = recentLogsCommand({ app: 'api', kinds: ['systemd', 'docker'], since: new Date('2026-12-01T14:00:00.250Z'), maxLines: 2000, maxBytes: 524288, base: '/opt/api', pm2: 'pm2' });
    syntaxOk(l);
    assert.deepEqual(l.argv.slice(3), ['deckhand-verify-logs', 'api', 'systemd docker', '1796133600', '2026-12-01T14:00:00Z', '2000', '524288', '/opt/api', 'pm2', PM2_FILTER]);
    assert.ok((l.argv[2] ?? '').includes('$S journalctl -u "$app.service" --since "@$since" --no-pager -q -o short-iso -n "$n"'));
    const none = recentLogsCommand({ app: 'api', kinds: ['pm2'], since: null, maxLines: 10, maxBytes: 100, base: '', pm2: 'pm2' });
    assert.deepEqual(none.argv.slice(6, 8), ['', '']);
    assert.equal(none.description, 'read the logs of api (last 10 lines)');
  });

  it('sampling plan: 2 to 6 samples spread over the window', () => {
    assert.deepEqual(samplingPlan(10_000), { samples: 5, intervalSec: 2.5 });
    assert.deepEqual(samplingPlan(1000), { samples: 2, intervalSec: 1 });
    assert.equal(samplingPlan(60_000).samples, 6);
  });

  it('manager kinds follow the strategy; unknown strategy asks every manager', () => {
    assert.deepEqual(managerKinds(input().target), { kinds: ['systemd'], auto: false });
    assert.deepEqual(managerKinds(input({ strategy: null }).target).kinds, ['systemd', 'pm2', 'docker', 'compose']);
    assert.deepEqual(managerKinds(input({ strategy: 'static' }).target).kinds, []);
  });
});

const sys = (i: number, at: number, v: Record<string, string>): string => [
  `@@sample ${i} ${at}`,
  ...Object.entries({ LoadState: 'loaded', ActiveState: 'active', SubState: 'running', NRestarts: '0', Result: 'success', ExecMainStatus: '0', MainPID: '812', ...v }).map(([k, x]) => `systemd.${k}=${x}`),
].join('\n');

describe('process layer', () => {
  it('a steady unit passes', () => {
    const p = parseProcessSamples(['priv=sudo', sys(0, 100, {}), sys(1, 103, {}), sys(2, 105, {}), '@@end'].join('\n'));
    assert.equal(p.priv, 'sudo');
    assert.equal(p.samples.length, 3);
    const [f] = judgeProcess(input(), ['systemd'], false, p);
    assert.equal(f?.status, 'pass');
    assert.equal(f?.summary, 'active/running through 3 samples over 5s, no restarts (MainPID 812)');
    assert.match(f?.evidence ?? '', /^on deploy@web1: \$ systemctl show api\.service/);
  });

  it('NRestarts growing within the window fails, though every sample says active', () => {
    const p = parseProcessSamples([sys(0, 100, { NRestarts: '1', MainPID: '900' }), sys(1, 104, { NRestarts: '2', MainPID: '930' }), sys(2, 110, { NRestarts: '4', SubState: 'running', MainPID: '961' }), '@@end'].join('\n'));
    const [f] = judgeProcess(input(), ['systemd'], false, p);
    assert.equal(f?.status, 'fail');
    assert.equal(f?.summary, 'api.service is in a restart loop: restarted 3 time(s) in 10s (NRestarts 1 → 4)');
  });

  it('start-limit-hit, a missing unit, a failed unit; earlier crashes warn', () => {
    const judge = (...s: string[]): string => { const [f] = judgeProcess(input(), ['systemd'], false, parseProcessSamples([...s, '@@end'].join('\n'))); return `${f?.status}: ${f?.summary}`; };
    assert.match(judge(sys(0, 1, { ActiveState: 'failed', SubState: 'failed', Result: 'start-limit-hit', NRestarts: '5' }), sys(1, 2, { ActiveState: 'failed', Result: 'start-limit-hit', NRestarts: '5' })), /^fail: systemd gave up restarting api\.service/);
    assert.match(judge(sys(0, 1, { LoadState: 'not-found' }), sys(1, 2, { LoadState: 'not-found' })), /^fail: api\.service is not installed \(LoadState=not-found\)/);
    assert.match(judge(sys(0, 1, {}), sys(1, 2, { ActiveState: 'inactive', SubState: 'dead', Result: 'exit-code', ExecMainStatus: '1' })), /^fail: api\.service is not running: inactive\/dead at sample 1 \(Result=exit-code, exit status 1\)/);
    assert.match(judge(sys(0, 1, { NRestarts: '3' }), sys(1, 2, { NRestarts: '3' })), /^warn: .*restarted 3 time\(s\) since it was started/);
  });

  const pm2 = (i: number, at: number, restarts: number, status = 'online'): string =>
    [`@@sample ${i} ${at}`, `pm2\t0\t${status}\t${restarts}\t0\t4242\tcluster_mode\t/opt/api/current\t/opt/api/shared/logs/api.out.log\t/opt/api/shared/logs/api.err.log`].join('\n');

  it('pm2: restart_time growth fails, errored fails, no daemon fails, missing pm2 is unknown', () => {
    const t = input({ strategy: 'pm2' });
    const judge = (...s: string[]): string => { const [f] = judgeProcess(t, ['pm2'], false, parseProcessSamples([...s, '@@end'].join('\n'))); return `${f?.status}: ${f?.summary}`; };
    assert.equal(judge(pm2(0, 0, 1), pm2(1, 6, 1)), 'pass: 1 instance(s) online through 2 samples over 6s, no restarts in the window');
    assert.equal(judge(pm2(0, 0, 1), pm2(1, 6, 4)), 'fail: api is in a restart loop under pm2 within 6s: [0] restarts 1 → 4');
    assert.match(judge(pm2(0, 0, 1), pm2(1, 6, 1, 'errored')), /^fail: api is not online under pm2: \[0\] errored at sample 1/);
    assert.match(judge('@@sample 0 0\npm2.nodaemon=1', '@@sample 1 5\npm2.nodaemon=1'), /^fail: pm2 is not running for this user/);
    assert.match(judge('@@sample 0 0\npm2.missing=1', '@@sample 1 5\npm2.missing=1'), /^unknown: pm2 is not installed/);
    assert.deepEqual(parsePm2Line('pm2\t3\tonline\t2\t1\t77\tfork_mode\t/srv/x'), { id: '3', status: 'online', restarts: 2, unstableRestarts: 1, pid: 77, mode: 'fork_mode', cwd: '/srv/x', outLog: '', errLog: '' });
  });

  it('docker: RestartCount growth and unhealthy fail; an unreachable daemon is unknown', () => {
    const t = input({ strategy: 'docker' });
    const c = (i: number, at: number, n: number, health = 'healthy', started = '2026-12-01T14:00:01Z'): string => `@@sample ${i} ${at}\ndocker /api||running|${n}|${health}|5000|0|false|${started}|api:${REL}`;
    const judge = (hdr: string, ...s: string[]): string => { const [f] = judgeProcess(t, ['docker'], false, parseProcessSamples([hdr, ...s, '@@end'].join('\n'))); return `${f?.status}: ${f?.summary}`; };
    assert.equal(judge('docker=direct', c(0, 0, 0), c(1, 8, 0)), 'pass: running through 2 samples over 8s, no restarts');
    assert.equal(judge('docker=direct', c(0, 0, 0), c(1, 8, 2, 'healthy', '2026-12-01T14:00:09Z')), 'fail: restart loop within 8s: api restarts 0 → 2');
    assert.equal(judge('docker=sudo', c(0, 0, 0, 'unhealthy'), c(1, 8, 0, 'unhealthy')), 'fail: not running: api unhealthy (its HEALTHCHECK fails)');
    assert.match(judge('docker=unreachable', '@@sample 0 0', '@@sample 1 8'), /^unknown: the docker daemon does not answer/);
    assert.deepEqual(parseContainerLine(`/shop-web-1|web|exited|0||0|137|true|2026-12-01T14:00:01Z|shop-web`), {
      name: 'shop-web-1', service: 'web', status: 'exited', restarts: 0, health: '', pid: 0, exitCode: 137, oomKilled: true, startedAt: '2026-12-01T14:00:01Z', image: 'shop-web',
    });
  });

  it('unknown strategy: only the managers that know the app are reported; none is a failure', () => {
    const t = input({ strategy: null });
    const p = parseProcessSamples([sys(0, 0, { LoadState: 'not-found' }) + '\npm2\t0\tonline\t0\t0\t9\tfork_mode\t/x', sys(1, 4, { LoadState: 'not-found' }) + '\npm2\t0\tonline\t0\t0\t9\tfork_mode\t/x', '@@end'].join('\n'));
    assert.deepEqual(judgeProcess(t, ['systemd', 'pm2', 'docker', 'compose'], true, p).map((f) => `${f.id} ${f.status}`), ['process.pm2 pass']);
    const none = parseProcessSamples([sys(0, 0, { LoadState: 'not-found' }), sys(1, 4, { LoadState: 'not-found' }), '@@end'].join('\n'));
    assert.equal(judgeProcess(t, ['systemd', 'pm2', 'docker', 'compose'], true, none)[0]?.status, 'fail');
  });
});

const SS_SQUAT = [
  'priv=sudo', '@@listeners', 'tool=ss',
  'LISTEN 0      5            0.0.0.0:3000       0.0.0.0:*    users:(("python3",pid=5540,fd=3))',
  '@@pid 5540', 'comm=python3', 'user=nobody', 'ancestors= 1', 'cgroup=/system.slice/squat.service', 'cmdline=/usr/bin/python3 -m http.server 3000 ',
  '@@owner', 'systemd.MainPID=0', 'systemd.ControlGroup=', 'systemd.ActiveState=activating', '@@end',
].join('\n');

describe('port layer', () => {
  it('a port held by another process fails and names it', () => {
    const p = parsePortProbe(SS_SQUAT);
    assert.deepEqual(p.listeners, [{ address: '0.0.0.0:3000', pids: [5540], names: ['python3'] }]);
    const [f] = judgePort(input(), ['systemd'], p);
    assert.equal(f?.status, 'fail');
    assert.equal(f?.summary, 'port 3000 is held by another process: 0.0.0.0:3000 by python3 (PID 5540, user nobody: /usr/bin/python3 -m http.server 3000)');
  });

  it('the main PID, a child of it (sh → npm → node) and the unit cgroup all count as the service', () => {
    const base = (pid: number, ancestors: string, cgroup: string): string => [
      'priv=root', '@@listeners', 'tool=ss', `LISTEN 0 511 *:3000 *:* users:(("node",pid=${pid},fd=18))`,
      `@@pid ${pid}`, 'comm=node', 'user=api', `ancestors=${ancestors}`, `cgroup=${cgroup}`, 'cmdline=node server.js',
      '@@owner', 'systemd.MainPID=812', 'systemd.ControlGroup=/system.slice/api.service', 'systemd.ActiveState=active', '@@end',
    ].join('\n');
    assert.match(judgePort(input(), ['systemd'], parsePortProbe(base(812, ' 1', '/system.slice/api.service')))[0]?.summary ?? '', /the main PID of api\.service/);
    assert.match(judgePort(input(), ['systemd'], parsePortProbe(base(830, ' 820 812 1', '/x')))[0]?.summary ?? '', /a child of api\.service's main PID 812/);
    assert.match(judgePort(input(), ['systemd'], parsePortProbe(base(990, ' 1', '/docker/abc/system.slice/api.service')))[0]?.summary ?? '', /in the cgroup of api\.service/);
  });

  it('nothing listening fails; an invisible owner without sudo is unknown; docker-proxy and the pm2 cluster daemon count', () => {
    assert.equal(judgePort(input(), ['systemd'], parsePortProbe('priv=root\n@@listeners\ntool=ss\n@@owner\nsystemd.MainPID=812\n@@end'))[0]?.summary, 'nothing listens on port 3000');
    const blind = parsePortProbe('priv=none\n@@listeners\ntool=ss\nLISTEN 0 511 127.0.0.1:3000 0.0.0.0:*\n@@owner\nsystemd.MainPID=812\n@@end');
    assert.equal(judgePort(input(), ['systemd'], blind)[0]?.status, 'unknown');
    const proxy = parsePortProbe([
      'priv=root', 'docker=direct', '@@listeners', 'tool=ss', 'LISTEN 0 4096 127.0.0.1:3000 0.0.0.0:* users:(("docker-proxy",pid=700,fd=4))',
      '@@pid 700', 'comm=docker-proxy', 'user=root', 'ancestors= 650 1', 'cgroup=/system.slice/docker.service',
      'cmdline=/usr/bin/docker-proxy -proto tcp -host-ip 127.0.0.1 -host-port 3000 -container-ip 172.17.0.2 -container-port 3000 ',
      '@@owner', 'docker /api|5000|172.17.0.2 |bridge|3000/tcp>127.0.0.1:3000 ', '@@end',
    ].join('\n'));
    assert.match(judgePort(input({ strategy: 'docker' }), ['docker'], proxy)[0]?.summary ?? '', /docker-proxy publishing container api/);
    const cluster = parsePortProbe([
      'priv=none', '@@listeners', 'tool=ss', 'LISTEN 0 511 *:3000 *:* users:(("PM2 v6.0.14: God",pid=400,fd=21))',
      '@@pid 400', 'comm=PM2 v6.0.14: God', 'user=deploy', 'ancestors= 1', 'cgroup=/user.slice', 'cmdline=PM2 v6.0.14: God Daemon',
      '@@owner', 'pm2\t0\tonline\t0\t0\t410\tcluster_mode\t/opt/api/current', 'pm2.daemon=400', '@@end',
    ].join('\n'));
    assert.match(judgePort(input({ strategy: 'pm2' }), ['pm2'], cluster)[0]?.summary ?? '', /the pm2 daemon, which listens for api's cluster workers/);
  });

  it('decodes /proc/net/tcp addresses', () => {
    assert.equal(decodeProcAddress('0100007F:0BB8'), '127.0.0.1:3000');
    assert.equal(decodeProcAddress('00000000000000000000000000000000:0BB8'), '[::]:3000');
    const p = parsePortProbe('priv=root\n@@listeners\ntool=proc\nproc 00000000:0BB8 inode=123 pids=812 \n@@pid 812\ncomm=node\nuser=api\nancestors= 1\ncgroup=\ncmdline=node\n@@owner\nsystemd.MainPID=812\n@@end');
    assert.deepEqual(p.listeners, [{ address: '0.0.0.0:3000', pids: [812], names: [] }]);
    assert.equal(judgePort(input(), ['systemd'], p)[0]?.status, 'pass');
  });
});

describe('version layer', () => {
  it('the working directory names the release; another or a deleted release fails with both', () => {
    const v = (cwd: string): string => { const [f] = judgeVersion(input(), ['systemd'], false, parseVersionProbe(`priv=sudo\ncurrent=/opt/api/releases/${REL}\nsystemd.pid=812\nsystemd.cwd=${cwd}\n@@end`)); return `${f?.status}: ${f?.summary}`; };
    assert.equal(v(`/opt/api/releases/${REL}`), `pass: api.service (PID 812) runs from /opt/api/releases/${REL} (release ${REL})`);
    assert.equal(v(`/opt/api/releases/${OLD}`), `fail: api.service (PID 812) runs release ${OLD} (/opt/api/releases/${OLD}), but the deployed release is ${REL}`);
    assert.match(v(`/opt/api/releases/${OLD} (deleted)`), /^fail: .*runs from a deleted directory/);
    assert.match(v('readlink: Permission denied'), /^unknown: the working directory/);
    assert.deepEqual(releaseOfDir(`/home/d/.deckhand/apps/api/releases/${REL}`), { release: REL, deleted: false });
  });

  it('containers: image tag and id against the release; current pointing elsewhere fails', () => {
    const d = (line: string, expected: string): string => judgeVersion(input({ strategy: 'docker' }), ['docker'], false, parseVersionProbe(`docker=direct\ndocker ${line}\ndocker.expected=${expected}\n@@end`)).map((f) => `${f.status}: ${f.summary}`).join('\n');
    assert.equal(d(`api:${REL}|${REL}|sha256:aaa`, 'sha256:aaa'), `pass: container api runs api:${REL} (release ${REL})`);
    assert.equal(d(`api:${OLD}|${OLD}|sha256:bbb`, 'sha256:aaa'), `fail: container api runs api:${OLD} (release ${OLD}), but the deployed release is api:${REL}`);
    assert.match(d(`api:${REL}|${REL}|sha256:bbb`, 'sha256:aaa'), /^fail: container api runs an older build/);
    const cur = judgeVersion(input(), ['systemd'], false, parseVersionProbe(`current=/opt/api/releases/${OLD}\nsystemd.pid=812\nsystemd.cwd=/opt/api/releases/${REL}\n@@end`));
    assert.deepEqual(cur.map((f) => `${f.id} ${f.status}`), ['version.systemd pass', 'version.current fail']);
  });
});

describe('logs layer', () => {
  it('the catalogue: ids are unique, each pattern has a hint; counts and first occurrence per pattern', () => {
    assert.equal(new Set(LOG_PATTERNS.map((p) => p.id)).size, LOG_PATTERNS.length);
    assert.ok(LOG_PATTERNS.every((p) => p.hint.length > 10));
    const hits = scanLines([
      'listening on 3000',
      'Error: listen EADDRINUSE: address already in use :::3000',
      "  code: 'EADDRINUSE',",
      'Traceback (most recent call last):',
      'Error: connect ECONNREFUSED 127.0.0.1:5432',
      'ERROR something else went wrong',
      'FATAL:  password authentication failed for user "app"',
      'panic: runtime error: index out of range',
      "Error: Cannot find module 'express'",
      'Segmentation fault (core dumped)',
      '<--- JS stacktrace ---> FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory',
      "PermissionError: [Errno 13] Permission denied: '/var/log/app.log'",
      'process.on uncaughtException',
    ]);
    const by = Object.fromEntries(hits.map((h) => [h.pattern.id, [h.count, h.firstLine]]));
    assert.deepEqual(by['address-in-use'], [2, 2]);
    assert.deepEqual(by['python-traceback'], [1, 4]);
    assert.deepEqual(by['connection-refused'], [1, 5]);
    assert.deepEqual(by.error, [1, 6], 'generic error lines only where no specific pattern matched');
    for (const id of ['auth-failed', 'panic', 'module-not-found', 'segfault', 'out-of-memory', 'permission-denied', 'uncaught-exception', 'fatal']) assert.ok(by[id], id);
  });

  const JOURNAL = [
    'priv=sudo', '@@log journal api.service',
    `2026-12-01T14:00:02+0000 web1 node[812]: token=${SECRET}`,
    '2026-12-01T14:00:02+0000 web1 node[812]: Error: listen EADDRINUSE: address already in use :::3000',
    '2026-12-01T14:00:02+0000 web1 systemd[1]: api.service: Main process exited, code=exited, status=1/FAILURE',
    '@@rc 0', '@@end',
  ].join('\n');

  it('blocking patterns fail with count and first line, observe patterns warn, secrets stay masked', () => {
    const p = parseLogsProbe(JOURNAL);
    assert.equal(p.sources[0]?.lines.length, 3);
    const fs = judgeLogs(input(), ['systemd'], false, p);
    assert.deepEqual(fs.map((f) => `${f.id} ${f.status}`), ['logs.address-in-use fail', 'logs.process-exited warn']);
    assert.equal(fs[0]?.summary, '1 line(s) since 2026-12-01T14:00:00.000Z; first (line 2 of journal api.service): 2026-12-01T14:00:02+0000 web1 node[812]: Error: listen EADDRINUSE: address already in use :::3000');
    const clean = judgeLogs(input(), ['systemd'], false, parseLogsProbe(`@@log journal api.service\n2026-12-01T14:00:02+0000 web1 node[812]: token=${SECRET}\n@@rc 0\n@@end`));
    assert.equal(clean[0]?.status, 'pass');
    assert.ok(!JSON.stringify(clean).includes(SECRET));
    assert.match(clean[0]?.evidence ?? '', /token=\*\*\*/);
  });

  it('an unreadable journal or file is unknown, never pass; an rc glued to a last line without newline is split off', () => {
    const blind = parseLogsProbe('priv=none\n@@log journal api.service\nHint: You are currently not seeing messages from other users and the system.\n@@rc 0\n@@end');
    assert.deepEqual(judgeLogs(input(), ['systemd'], false, blind).map((f) => `${f.id} ${f.status}`), ['logs.read.journal unknown']);
    const files = parseLogsProbe('@@log file /opt/api/shared/logs/api.out.log\nstarted@@rc 0\n@@log file /opt/api/shared/logs/api.err.log\ntail: cannot open: No such file\n@@rc 1\n@@end');
    assert.deepEqual(files.sources.map((s) => [s.name, s.lines, s.problem]), [['/opt/api/shared/logs/api.out.log', ['started'], null], ['/opt/api/shared/logs/api.err.log', ['tail: cannot open: No such file'], 'tail: cannot open: No such file']]);
    assert.deepEqual(judgeLogs(input({ strategy: 'pm2' }), ['pm2'], false, files).map((f) => `${f.id} ${f.status}`), ['logs.read.file unknown', 'logs.scan pass']);
  });
});
