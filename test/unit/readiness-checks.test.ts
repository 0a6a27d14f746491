// Readiness checks and verdict: facts + requirements → findings (pass/warn/block/unknown) → READY / READY WITH WARNINGS / NOT READY.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Finding } from '../../src/report/common.js';
import type { HostFacts, PortFact, Requirements } from '../../src/report/readiness.js';
import { evaluate } from '../../src/stages/readiness/index.js';
import { resolveRequirements, type CheckOptions } from '../../src/stages/readiness/requirements.js';
import { loadVersionMatcher } from '../../src/stages/readiness/versions.js';
import { isBlocking, verdict } from '../../src/stages/readiness/verdict.js';
import { absentTool, baseFacts, freePort, GiB, makeFacts, MiB, presentTool } from './helpers/facts.js';

const versions = await loadVersionMatcher();
const req = (o: CheckOptions = {}): Promise<Requirements> => resolveRequirements(o);

function find(findings: Finding[], id: string): Finding {
  const f = findings.find((x) => x.id === id);
  assert.ok(f, `finding ${id} in ${findings.map((x) => x.id).join(', ')}`);
  return f;
}

const check = (facts: HostFacts, r: Requirements, id: string): Finding => find(evaluate(facts, r, versions), id);
const verdictOf = (facts: HostFacts, r: Requirements) => verdict(evaluate(facts, r, versions));

describe('baseline', () => {
  test('a healthy host with no special requirements is READY with every finding passing', async () => {
    const findings = evaluate(baseFacts(), await req(), versions);
    assert.deepEqual(findings.filter((f) => f.status !== 'pass'), []);
    assert.deepEqual(findings.map((f) => f.id), ['system.os', 'system.cpu', 'system.memory', 'system.disk.app', 'system.disk.log', 'system.disk.tmp', 'permissions.base-dir']);
    assert.deepEqual(verdict(findings), { verdict: 'READY', requiredActions: [] });
  });

  test('passing findings carry no remedy', async () => {
    assert.ok(evaluate(baseFacts(), await req(), versions).every((f) => f.remedy === undefined));
  });
});

describe('runtimes', () => {
  test('node 18.19.0 with node >=20 required → BLOCKER "node 18.19.0 installed, >=20 required"', async () => {
    const facts = baseFacts();
    facts.tools.node = presentTool('node', '18.19.0', 'v18.19.0');
    const f = check(facts, await req({ require: ['node>=20'] }), 'runtime.node');
    assert.equal(f.status, 'block');
    assert.equal(f.required, true);
    assert.equal(f.section, 'runtimes');
    assert.equal(f.title, 'Node.js');
    assert.match(f.summary, /node 18\.19\.0 installed, >=20 required/);
    assert.match(f.remedy ?? '', /install node >=20 \(installed: 18\.19\.0\)/);
    assert.equal(verdictOf(facts, await req({ require: ['node>=20'] })).verdict, 'NOT READY');
  });

  test('a satisfied range passes', async () => {
    const f = check(baseFacts(), await req({ require: ['node@^20.11'] }), 'runtime.node');
    assert.equal(f.status, 'pass');
    assert.equal(f.summary, 'v20.11.1 installed (^20.11 required)');
  });

  test('java and go versions satisfy ranges', async () => {
    const facts = baseFacts();
    facts.tools.java = presentTool('java', '17.0.15');
    facts.tools.go = presentTool('go', '1.22.1');
    const r = await req({ require: ['java>=17', 'golang>=1.21 <1.23'] });
    assert.equal(check(facts, r, 'runtime.java').status, 'pass');
    assert.equal(check(facts, r, 'runtime.go').status, 'pass');
  });

  test('a missing required tool blocks', async () => {
    const f = check(baseFacts(), await req({ require: ['python3>=3.11'] }), 'runtime.python3');
    assert.equal(f.status, 'block');
    assert.equal(f.summary, 'not installed, >=3.11 required');
    assert.equal(f.remedy, 'install python3 >=3.11 on the host');
  });

  test('an unreadable version with a range is unknown + required → NOT READY', async () => {
    const facts = baseFacts();
    facts.tools.node = presentTool('node', null, 'Segmentation fault');
    const r = await req({ require: ['node>=20'] });
    const f = check(facts, r, 'runtime.node');
    assert.equal(f.status, 'unknown');
    assert.equal(f.required, true);
    assert.equal(verdictOf(facts, r).verdict, 'NOT READY');
  });

  test('a version probe that timed out is unknown + required', async () => {
    const facts = baseFacts();
    facts.tools.node = { present: true, version: null, path: '/usr/bin/node', raw: '', exitCode: 124, timedOut: true };
    const f = check(facts, await req({ require: ['node'] }), 'runtime.node');
    assert.equal(f.status, 'unknown');
    assert.equal(f.required, true);
  });

  test('a tool the probe did not report is unknown, never pass', async () => {
    const facts = baseFacts();
    delete facts.tools.node;
    const f = check(facts, await req({ require: ['node'] }), 'runtime.node');
    assert.equal(f.status, 'unknown');
    assert.equal(verdict([f]).verdict, 'NOT READY');
  });

  test('strategy pm2: missing pm2 is only a warning (deckhand installs it), missing node blocks', async () => {
    const facts = baseFacts();
    facts.tools.node = absentTool();
    const findings = evaluate(facts, await req({ strategy: 'pm2' }), versions);
    assert.equal(find(findings, 'runtime.pm2').status, 'warn');
    assert.equal(find(findings, 'runtime.node').status, 'block');
    assert.match(find(findings, 'runtime.node').summary, /\(by strategy pm2\)/);
  });

  test('compose: v2 answering is used; v1 as fallback', async () => {
    const r = await req({ strategy: 'compose' });
    assert.equal(check(baseFacts(), r, 'runtime.compose').summary, 'v2.21.0 installed');
    const facts = baseFacts();
    facts.tools['compose-v2'] = { present: true, version: null, path: null, raw: "docker: 'compose' is not a docker command.", exitCode: 1, timedOut: false };
    facts.tools['compose-v1'] = presentTool('docker-compose', '1.29.2');
    assert.equal(check(facts, r, 'runtime.compose').summary, 'v1.29.2 installed');
  });

  test('compose: docker present but `docker compose` failing and no docker-compose → not installed, BLOCKER', async () => {
    const facts = baseFacts();
    facts.tools['compose-v2'] = { present: true, version: null, path: null, raw: 'unknown flag: --short\n\nUsage:  docker [OPTIONS] COMMAND [ARG...]', exitCode: 125, timedOut: false };
    const f = check(facts, await req({ strategy: 'compose' }), 'runtime.compose');
    assert.equal(f.status, 'block');
    assert.match(f.summary, /not installed/);
  });

  test('compose: `docker compose` timing out stays unknown', async () => {
    const facts = baseFacts();
    facts.tools['compose-v2'] = { present: true, version: null, path: null, raw: '', exitCode: 124, timedOut: true };
    assert.equal(check(facts, await req({ strategy: 'compose' }), 'runtime.compose').status, 'unknown');
  });
});

describe('memory', () => {
  const withAvail = (avail: number, cgroup: number | null = null): HostFacts => makeFacts({ memory: { totalBytes: 8 * GiB, availableBytes: avail, cgroupLimitBytes: cgroup } });

  test('under the need → BLOCKER with numbers', async () => {
    const f = check(withAvail(200 * MiB), await req({ memory: '512MiB' }), 'system.memory');
    assert.equal(f.status, 'block');
    assert.equal(f.summary, '8.0 GiB total, 200 MiB available; need 512 MiB');
    assert.equal(f.remedy, 'free memory or use a larger host: 512 MiB needed, 200 MiB available');
  });

  test('under twice the need → WARNING', async () => {
    const f = check(withAvail(900 * MiB), await req({ memory: '512MiB' }), 'system.memory');
    assert.equal(f.status, 'warn');
    assert.equal(f.required, false);
  });

  test('twice the need or more → PASS', async () => {
    assert.equal(check(withAvail(1024 * MiB), await req({ memory: '512MiB' }), 'system.memory').status, 'pass');
  });

  test('a cgroup limit is the ceiling', async () => {
    const f = check(withAvail(6 * GiB, 256 * MiB), await req({ memory: '512MiB' }), 'system.memory');
    assert.equal(f.status, 'block');
    assert.match(f.summary, /cgroup limit 256 MiB/);
  });

  test('unreadable meminfo → unknown + required', async () => {
    const f = check(makeFacts({ memory: { totalBytes: null, availableBytes: null, cgroupLimitBytes: null } }), await req(), 'system.memory');
    assert.equal(f.status, 'unknown');
    assert.equal(f.required, true);
  });
});

describe('disk', () => {
  const withApp = (total: number, avail: number, inodes: [number | null, number | null] = [1_000_000, 900_000]): HostFacts => {
    const facts = baseFacts();
    facts.disks[0] = { purpose: 'app', path: '/opt/app', probedPath: '/opt', mount: '/srv data', totalBytes: total, availBytes: avail, inodesTotal: inodes[0], inodesFree: inodes[1], error: null };
    return facts;
  };

  test('available under the need → BLOCKER with numbers', async () => {
    const f = check(withApp(10 * GiB, 300 * MiB), await req({ disk: '1GiB' }), 'system.disk.app');
    assert.equal(f.status, 'block');
    assert.equal(f.summary, '10.0 GiB total, 300 MiB available (3% free); need 1.0 GiB; inodes 900000 free of 1000000');
    assert.equal(f.remedy, 'free at least 724 MiB on /srv data (or deploy elsewhere): 300 MiB available, 1.0 GiB needed');
  });

  test('under 15% free but enough for the need → WARNING', async () => {
    const f = check(withApp(100 * GiB, 10 * GiB), await req({ disk: '1GiB' }), 'system.disk.app');
    assert.equal(f.status, 'warn');
    assert.equal(f.detail, 'under 15% free');
  });

  test('few inodes left → BLOCKER', async () => {
    assert.equal(check(withApp(100 * GiB, 60 * GiB, [1_000_000, 500]), await req(), 'system.disk.app').status, 'block');
  });

  test('unmeasured → unknown + required', async () => {
    const facts = baseFacts();
    facts.disks[0] = { purpose: 'app', path: '/opt/app', probedPath: null, mount: null, totalBytes: null, availBytes: null, inodesTotal: null, inodesFree: null, error: 'df timed out' };
    const f = check(facts, await req(), 'system.disk.app');
    assert.equal(f.status, 'unknown');
    assert.equal(f.required, true);
    assert.match(f.summary, /df timed out/);
  });
});

describe('ports', () => {
  const held = (holders: PortFact['holders']): PortFact => ({
    port: 3000, state: 'in-use', via: 'ss', holders, listeners: ['LISTEN 0 511 0.0.0.0:3000 0.0.0.0:* users:(("node",pid=1452,fd=18))'], error: null,
  });

  test('free → PASS', async () => {
    assert.equal(check(makeFacts({ ports: [freePort(3000)] }), await req({ port: [3000] }), 'port.3000').status, 'pass');
  });

  test('held → BLOCKER naming PID, process and user', async () => {
    const f = check(makeFacts({ ports: [held([{ pid: 1452, process: 'node', program: 'node', user: 'deploy' }])] }), await req({ port: ['3000'] }), 'port.3000');
    assert.equal(f.status, 'block');
    assert.equal(f.required, true);
    assert.equal(f.summary, 'IN USE by PID 1452 (node, user deploy)');
    assert.equal(f.remedy, 'free port 3000 (stop PID 1452, node) or choose another port');
  });

  test('held but holders invisible → BLOCKER saying the holder is not visible', async () => {
    const f = check(makeFacts({ ports: [held([])] }), await req({ port: [3000] }), 'port.3000');
    assert.equal(f.status, 'block');
    assert.match(f.summary, /not visible/);
    assert.match(f.remedy ?? '', /run the check as root/);
  });

  test('state unknown → unknown + required → NOT READY, never pass', async () => {
    const facts = makeFacts({ ports: [{ port: 3000, state: 'unknown', via: 'ss', holders: [], listeners: [], error: 'ss timed out' }] });
    const r = await req({ port: [3000] });
    const f = check(facts, r, 'port.3000');
    assert.equal(f.status, 'unknown');
    assert.equal(f.required, true);
    assert.match(f.summary, /ss timed out/);
    assert.equal(verdictOf(facts, r).verdict, 'NOT READY');
  });

  test('with --proxy, nginx holding 80 passes; another holder blocks', async () => {
    const p80 = (process: string): PortFact => ({ port: 80, state: 'in-use', via: 'ss', holders: [{ pid: 10, process, program: process, user: 'root' }], listeners: [], error: null });
    const facts = makeFacts({ ports: [p80('nginx')] });
    assert.equal(check(facts, await req({ proxy: true }), 'port.80').status, 'pass');
    assert.equal(check(makeFacts({ ports: [p80('apache2')] }), await req({ proxy: true }), 'port.80').status, 'block');
  });
});

describe('strategy', () => {
  test('blue-green needs systemd, root or sudo, and nginx (the slots switch through an upstream)', async () => {
    const r = await req({ strategy: 'blue-green' });
    const ids = evaluate(baseFacts(), r, versions).map((f) => f.id);
    assert.ok(ids.includes('runtime.systemd') && ids.includes('runtime.nginx'), ids.join(' '));
    assert.equal(check(makeFacts({ systemd: { pid1: 'tini', isSystemd: false, state: null } }), r, 'runtime.systemd').status, 'block');
    assert.match(check(makeFacts({ tools: { nginx: absentTool() } }), r, 'runtime.nginx').summary, /blue-green switches slots through an nginx upstream/);
  });

  test('systemd with another PID 1 → BLOCKER', async () => {
    const f = check(makeFacts({ systemd: { pid1: 'tini', isSystemd: false, state: null } }), await req({ strategy: 'systemd' }), 'runtime.systemd');
    assert.equal(f.status, 'block');
    assert.equal(f.summary, 'not running as PID 1 (PID 1 is tini)');
  });

  test('systemd running → PASS; degraded passes; starting warns', async () => {
    assert.equal(check(baseFacts(), await req({ strategy: 'systemd' }), 'runtime.systemd').status, 'pass');
    assert.equal(check(makeFacts({ systemd: { pid1: 'systemd', isSystemd: true, state: 'degraded' } }), await req({ strategy: 'systemd' }), 'runtime.systemd').status, 'pass');
    assert.equal(check(makeFacts({ systemd: { pid1: 'systemd', isSystemd: true, state: 'starting' } }), await req({ strategy: 'systemd' }), 'runtime.systemd').status, 'warn');
  });

  test('systemd and sudo needing a password → BLOCKER', async () => {
    const f = check(makeFacts({ sudo: { state: 'needs-password', detail: 'sudo: a password is required' } }), await req({ strategy: 'systemd' }), 'permissions.sudo');
    assert.equal(f.status, 'block');
    assert.match(f.summary, /deploy is not root and has no passwordless sudo \(needs-password\)/);
    assert.match(f.remedy ?? '', /NOPASSWD/);
  });

  test('systemd with root or passwordless sudo → PASS', async () => {
    assert.equal(check(makeFacts({ sudo: { state: 'root', detail: 'running as root' } }), await req({ strategy: 'systemd' }), 'permissions.sudo').status, 'pass');
    assert.equal(check(baseFacts(), await req({ strategy: 'systemd' }), 'permissions.sudo').status, 'pass');
  });

  test('docker with the daemon not running → BLOCKER; usable → PASS', async () => {
    const down = makeFacts({ docker: { daemon: 'not-running', serverVersion: null, rootDir: null, detail: 'Cannot connect to the Docker daemon' } });
    const f = check(down, await req({ strategy: 'docker' }), 'runtime.docker-daemon');
    assert.equal(f.status, 'block');
    assert.match(f.remedy ?? '', /systemctl start docker/);
    const ok = check(baseFacts(), await req({ strategy: 'docker' }), 'runtime.docker-daemon');
    assert.equal(ok.status, 'pass');
    assert.equal(ok.summary, 'v24.0.7 reachable and usable by deploy');
    assert.equal(verdictOf(baseFacts(), await req({ strategy: 'docker' })).verdict, 'READY');
  });

  test('docker permission denied → BLOCKER suggesting the docker group', async () => {
    const f = check(makeFacts({ docker: { daemon: 'permission-denied', serverVersion: null, rootDir: null, detail: 'permission denied' } }), await req({ strategy: 'docker' }), 'runtime.docker-daemon');
    assert.equal(f.status, 'block');
    assert.match(f.remedy ?? '', /usermod -aG docker deploy/);
  });

  test('no strategy → no daemon, systemd or sudo checks', async () => {
    const ids = evaluate(baseFacts(), await req(), versions).map((f) => f.id);
    for (const id of ['runtime.docker-daemon', 'runtime.systemd', 'permissions.sudo']) assert.ok(!ids.includes(id), id);
  });
});

describe('base directory', () => {
  const unwritable = (sudo: HostFacts['sudo']): HostFacts => makeFacts({ base: { path: '/opt/app', exists: false, checkedPath: '/opt', writable: false }, sudo });

  test('unwritable without sudo → BLOCKER', async () => {
    const f = check(unwritable({ state: 'needs-password', detail: '' }), await req({ baseDir: '/opt/app' }), 'permissions.base-dir');
    assert.equal(f.status, 'block');
    assert.equal(f.summary, 'deploy cannot write /opt and has no passwordless sudo');
    assert.match(f.remedy ?? '', /sudo install -d -o deploy \/opt\/app/);
  });

  test('unwritable with passwordless sudo → PASS', async () => {
    const f = check(unwritable({ state: 'passwordless', detail: '' }), await req({ baseDir: '/opt/app' }), 'permissions.base-dir');
    assert.equal(f.status, 'pass');
    assert.match(f.summary, /passwordless sudo can create it/);
  });

  test('default base dir unwritable without sudo but a writable home fallback → WARNING', async () => {
    const facts = unwritable({ state: 'absent', detail: '' });
    facts.homeBase = { path: '~/.deckhand/apps/app', exists: false, checkedPath: '/home/deploy', writable: true };
    const f = check(facts, await req(), 'permissions.base-dir');
    assert.equal(f.status, 'warn');
    assert.match(f.summary, /\/home\/deploy\/\.deckhand\/apps\/app/);
  });

  test('untested write access → unknown + required', async () => {
    const f = check(makeFacts({ base: { path: '/opt/app', exists: null, checkedPath: null, writable: null } }), await req(), 'permissions.base-dir');
    assert.equal(f.status, 'unknown');
    assert.equal(f.required, true);
  });
});

describe('cpu', () => {
  test('load per core >= 0.9 → WARNING', async () => {
    const f = check(makeFacts({ cpu: { count: 2, load1: 2, load5: 1.8, load15: 1 } }), await req(), 'system.cpu');
    assert.equal(f.status, 'warn');
    assert.equal(f.summary, '2 cores (load average 5 min: 1.80, 0.90 per core)');
    assert.equal(verdictOf(makeFacts({ cpu: { count: 2, load1: 2, load5: 1.8, load15: 1 } }), await req()).verdict, 'READY WITH WARNINGS');
  });

  test('load per core under 0.9 → PASS; 1 core is singular', async () => {
    const f = check(makeFacts({ cpu: { count: 1, load1: 0.5, load5: 0.89, load15: 0.5 } }), await req(), 'system.cpu');
    assert.equal(f.status, 'pass');
    assert.match(f.summary, /^1 core /);
  });

  test('unreadable → unknown but not required (a warning, not a blocker)', async () => {
    const facts = makeFacts({ cpu: { count: null, load1: null, load5: null, load15: null } });
    const f = check(facts, await req(), 'system.cpu');
    assert.equal(f.status, 'unknown');
    assert.equal(f.required, false);
    assert.equal(verdictOf(facts, await req()).verdict, 'READY WITH WARNINGS');
  });
});

describe('secrets and reach', () => {
  test('env names: present passes, empty and absent block, unknown is required', async () => {
    const facts = makeFacts({ env: { file: '/opt/app/shared/.env', state: 'readable', names: [
      { name: 'A', state: 'present' }, { name: 'B', state: 'empty' }, { name: 'C', state: 'absent' }, { name: 'D', state: 'unknown' },
    ] } });
    const findings = evaluate(facts, await req({ requireEnv: ['A', 'B', 'C', 'D'] }), versions);
    assert.deepEqual(['A', 'B', 'C', 'D'].map((n) => find(findings, `secrets.${n}`).status), ['pass', 'block', 'block', 'unknown']);
    assert.equal(find(findings, 'secrets.D').required, true);
  });

  test('reach: unreachable blocks', async () => {
    const facts = makeFacts({ reach: [{ host: 'db', port: 5432, reachable: false, via: 'bash', detail: 'TCP connect via bash failed: Connection refused' }] });
    assert.equal(check(facts, await req({ reach: ['db:5432'] }), 'network.reach.db:5432').status, 'block');
  });
});

describe('verdict', () => {
  const f = (status: Finding['status'], required = false, remedy?: string): Finding => ({
    id: `x.${status}.${String(required)}`, section: 'system', title: 'X', status, required, summary: `is ${status}`, ...(remedy ? { remedy } : {}),
  });

  test('READY when everything passes or is skipped', async () => {
    assert.deepEqual(verdict([f('pass'), f('skipped')]), { verdict: 'READY', requiredActions: [] });
  });

  test('READY WITH WARNINGS for warnings and unknowns that are not required', async () => {
    const v = verdict([f('pass'), f('warn', false, 'watch it'), f('unknown', false)]);
    assert.equal(v.verdict, 'READY WITH WARNINGS');
    assert.deepEqual(v.requiredActions, ['watch it', 'resolve: X — is unknown']);
  });

  test('NOT READY for a blocker, a failure, or a required unknown; blockers listed first, duplicates once', async () => {
    assert.equal(verdict([f('pass'), f('block')]).verdict, 'NOT READY');
    assert.equal(verdict([f('fail')]).verdict, 'NOT READY');
    assert.equal(verdict([f('pass'), f('unknown', true)]).verdict, 'NOT READY');
    const v = verdict([f('warn', false, 'soft'), f('block', true, 'hard'), { ...f('fail', true, 'hard'), id: 'dup' }]);
    assert.deepEqual(v.requiredActions, ['hard', 'soft']);
  });

  test('isBlocking', async () => {
    assert.deepEqual([f('block'), f('fail'), f('unknown', true), f('unknown'), f('warn', true), f('pass')].map(isBlocking), [true, true, true, false, false, false]);
  });

  test('an empty list of findings throws: no checks is not a pass', async () => {
    assert.throws(() => verdict([]), /empty check list is not a pass/);
  });
});
