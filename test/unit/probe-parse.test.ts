// Probe output parsing: hand-built sectioned output → typed HostFacts; unreadable or cut-off facts become unknown, never guesses.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isTimeoutRc, parseDisk, parsePort, parseProbe, parseSections, parseTool, parseWrite, type Section } from '../../src/stages/readiness/parse.js';
import { diskBody, DF_HEADER, DFI_HEADER, fullProbe, parseInput, section } from './helpers/probe-output.js';

const sec = (name: string, body: string, rc: number | null = 0): Section => {
  const s = parseSections(section(name, body, rc)).get(name);
  assert.ok(s, `section ${name} parsed`);
  return s;
};

describe('parseSections', () => {
  test('splits begin/end blocks, trims bodies and reads rc', () => {
    const out = `noise before\n${section('a', 'one\ntwo')}${section('b', '', 3)}`;
    const m = parseSections(out);
    assert.deepEqual([...m.keys()], ['a', 'b']);
    assert.deepEqual(m.get('a'), { name: 'a', body: 'one\ntwo', rc: 0 });
    assert.deepEqual(m.get('b'), { name: 'b', body: '', rc: 3 });
  });

  test('a section cut off has rc null', () => {
    const m = parseSections(`${section('a', 'x')}@@begin port:3000\nvia=ss\n`);
    assert.deepEqual(m.get('port:3000'), { name: 'port:3000', body: 'via=ss', rc: null });
  });

  test('an @@end with another name does not close the section', () => {
    const m = parseSections('@@begin env\nfile=readable\n@@end OTHER rc=0\n');
    assert.equal(m.get('env')?.rc, null);
  });

  test('timeout exit codes', () => {
    assert.deepEqual([124, 137, 143, 0, 1, 127, null].map(isTimeoutRc), [true, true, true, false, false, false, false]);
  });
});

describe('ports', () => {
  test('ss listener with users:(...) and an owner line → in use, holder named', () => {
    const body = [
      'via=ss',
      'LISTEN 0      511          0.0.0.0:3000      0.0.0.0:*    users:(("node",pid=1452,fd=18))',
      'owner pid=1452 user=deploy comm=node exe=node',
    ].join('\n');
    const p = parsePort(3000, sec('port:3000', body));
    assert.equal(p.state, 'in-use');
    assert.equal(p.via, 'ss');
    assert.deepEqual(p.holders, [{ pid: 1452, user: 'deploy', process: 'node', program: 'node' }]);
    assert.deepEqual(p.listeners, ['LISTEN 0 511 0.0.0.0:3000 0.0.0.0:* users:(("node",pid=1452,fd=18))']);
    assert.equal(p.error, null);
  });

  test('ss listener without process info (not root) → in use, no holders', () => {
    const p = parsePort(5432, sec('port:5432', 'via=ss\nLISTEN 0      244        127.0.0.1:5432      0.0.0.0:*'));
    assert.equal(p.state, 'in-use');
    assert.deepEqual(p.holders, []);
  });

  test('owner line with empty fields gives nulls', () => {
    const p = parsePort(80, sec('port:80', 'via=ss\nLISTEN 0 511 0.0.0.0:80 0.0.0.0:* users:(("nginx",pid=900,fd=6))\nowner pid=900 user= comm= exe='));
    assert.deepEqual(p.holders, [{ pid: 900, user: null, process: null, program: null }]);
  });

  test('ss with no output → free', () => {
    const p = parsePort(3000, sec('port:3000', 'via=ss\n\n'));
    assert.equal(p.state, 'free');
    assert.deepEqual(p.listeners, []);
  });

  test('/proc fallback: listen=no → free', () => {
    const p = parsePort(3000, sec('port:3000', 'via=proc\nlisten=no'));
    assert.equal(p.state, 'free');
    assert.equal(p.via, 'proc');
  });

  test('/proc fallback: listen=yes with owner lines → in use with holders', () => {
    const p = parsePort(8080, sec('port:8080', 'via=proc\nlisten=yes\ninodes= 31337\nowner pid=77 user=www comm=python3 exe=/usr/bin/python3'));
    assert.equal(p.state, 'in-use');
    assert.deepEqual(p.holders, [{ pid: 77, user: 'www', process: 'python3', program: '/usr/bin/python3' }]);
    assert.equal(p.listeners.length, 1);
    assert.match(p.listeners[0] ?? '', /31337/);
  });

  test('/proc unreadable → unknown with the reason', () => {
    const p = parsePort(8080, sec('port:8080', 'via=proc\nproc=unreadable', 3));
    assert.equal(p.state, 'unknown');
    assert.equal(p.error, 'proc=unreadable');
  });

  test('ss timing out (rc 124) → unknown, "ss timed out"', () => {
    const p = parsePort(3000, sec('port:3000', 'via=ss', 124));
    assert.equal(p.state, 'unknown');
    assert.equal(p.error, 'ss timed out');
  });

  test('ss failing → unknown with its message', () => {
    const p = parsePort(3000, sec('port:3000', 'via=ss\nCannot open netlink socket: Permission denied', 1));
    assert.equal(p.state, 'unknown');
    assert.match(p.error ?? '', /netlink/);
  });

  test('no section → unknown', () => {
    const p = parsePort(3000, undefined);
    assert.equal(p.state, 'unknown');
    assert.equal(p.via, 'none');
  });

  test('a section cut off mid-way → unknown even with a listener line', () => {
    const p = parsePort(3000, parseSections('@@begin port:3000\nvia=ss\nLISTEN 0 511 0.0.0.0:3000 0.0.0.0:*\n').get('port:3000'));
    assert.equal(p.state, 'unknown');
  });
});

describe('tools', () => {
  test('absent', () => {
    assert.deepEqual(parseTool(sec('tool:go', '@@absent', 127)), { present: false, version: null, path: null, raw: 'not found on PATH', exitCode: 127, timedOut: false });
  });

  test('node v18.19.0', () => {
    const t = parseTool(sec('tool:node', 'path=/usr/bin/node\nv18.19.0'));
    assert.deepEqual(t, { present: true, version: '18.19.0', path: '/usr/bin/node', raw: 'v18.19.0', exitCode: 0, timedOut: false });
  });

  test('java prints its version on stderr in quotes', () => {
    const t = parseTool(sec('tool:java', [
      'path=/usr/bin/java',
      'openjdk version "17.0.15" 2025-04-15',
      'OpenJDK Runtime Environment (build 17.0.15+6-Debian-1deb12u1)',
      'OpenJDK 64-Bit Server VM (build 17.0.15+6-Debian-1deb12u1, mixed mode, sharing)',
    ].join('\n')));
    assert.equal(t.present, true);
    assert.equal(t.version, '17.0.15');
  });

  test('go version go1.22.1 linux/amd64', () => {
    assert.equal(parseTool(sec('tool:go', 'path=/usr/local/go/bin/go\ngo version go1.22.1 linux/amd64')).version, '1.22.1');
  });

  test('pkgver reads version= from package.json', () => {
    const t = parseTool(sec('tool:npm', 'path=/usr/bin/npm\nversion=10.2.4\nsource=/usr/lib/node_modules/npm/bin/../package.json'));
    assert.equal(t.version, '10.2.4');
    assert.equal(t.present, true);
    assert.ok(!t.raw.includes('source='), 'source line is not evidence');
  });

  test('other common formats', () => {
    assert.equal(parseTool(sec('tool:python3', 'path=/usr/bin/python3\nPython 3.11.2')).version, '3.11.2');
    assert.equal(parseTool(sec('tool:docker', 'path=/usr/bin/docker\nDocker version 24.0.7, build afdd53b')).version, '24.0.7');
    assert.equal(parseTool(sec('tool:nginx', 'path=/usr/sbin/nginx\nnginx version: nginx/1.22.1')).version, '1.22.1');
    assert.equal(parseTool(sec('tool:rsync', 'path=/usr/bin/rsync\nrsync  version 3.2.7  protocol version 31')).version, '3.2.7');
  });

  test('a version probe that timed out: present, version unknown, timedOut', () => {
    const t = parseTool(sec('tool:java', 'path=/usr/bin/java', 124));
    assert.deepEqual(t, { present: true, version: null, path: '/usr/bin/java', raw: '', exitCode: 124, timedOut: true });
  });

  test('unreadable version output → version null', () => {
    assert.equal(parseTool(sec('tool:node', 'path=/usr/bin/node\nSegmentation fault', 139)).version, null);
  });

  test('no section → present null', () => {
    assert.equal(parseTool(undefined).present, null);
  });
});

describe('docker daemon, sudo and systemd', () => {
  const probe = (tools: Record<string, { body: string; rc?: number }>) => parseProbe(parseInput(fullProbe({ tools })));

  test('docker daemon usable', () => {
    const f = probe({ 'docker-daemon': { body: 'server=24.0.7|root=/var/lib/docker' } });
    assert.deepEqual(f.docker, { daemon: 'usable', serverVersion: '24.0.7', rootDir: '/var/lib/docker', detail: 'docker info: server 24.0.7' });
  });

  test('docker compose plugin missing: a failing `docker compose version` is not an installed compose', () => {
    const missing = probe({ 'compose-v2': { rc: 125, body: "docker: 'compose' is not a docker command." } });
    assert.equal(missing.tools['compose-v2']?.present, false);
    const there = probe({ 'compose-v2': { rc: 0, body: '2.20.2' } });
    assert.equal(there.tools['compose-v2']?.present, true);
    assert.equal(there.tools['compose-v2']?.version, '2.20.2');
    const slow = probe({ 'compose-v2': { rc: 124, body: '' } });
    assert.notEqual(slow.tools['compose-v2']?.present, false, 'a timeout says nothing about the plugin');
  });

  test('docker daemon: permission denied', () => {
    const f = probe({ 'docker-daemon': { rc: 1, body: 'permission denied while trying to connect to the Docker daemon socket at unix:///var/run/docker.sock: Get "http://%2Fvar%2Frun%2Fdocker.sock/v1.24/info": dial unix /var/run/docker.sock: connect: permission denied' } });
    assert.equal(f.docker.daemon, 'permission-denied');
    assert.equal(f.docker.serverVersion, null);
  });

  test('docker daemon: not running', () => {
    const f = probe({ 'docker-daemon': { rc: 1, body: 'server=|root=\nCannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?' } });
    assert.equal(f.docker.daemon, 'not-running');
    assert.doesNotMatch(f.docker.detail, /server=\|root=/);
  });

  test('docker absent, timed out, or unreadable', () => {
    assert.equal(probe({}).docker.daemon, 'absent');
    assert.deepEqual(probe({ 'docker-daemon': { rc: 124, body: '' } }).docker, { daemon: 'unknown', serverVersion: null, rootDir: null, detail: 'docker info timed out' });
    assert.equal(probe({ 'docker-daemon': { rc: 1, body: 'something odd' } }).docker.daemon, 'unknown');
  });

  test('sudo: root, passwordless, password required, not allowed, absent', () => {
    assert.equal(probe({ sudo: { body: 'root' } }).sudo.state, 'root');
    assert.equal(probe({ sudo: { body: '' } }).sudo.state, 'passwordless');
    const np = probe({ sudo: { rc: 1, body: 'sudo: a password is required' } }).sudo;
    assert.deepEqual(np, { state: 'needs-password', detail: 'sudo: a password is required' });
    assert.equal(probe({ sudo: { rc: 1, body: 'deploy is not in the sudoers file.  This incident will be reported.' } }).sudo.state, 'not-allowed');
    assert.equal(parseProbe(parseInput(fullProbe({ tools: { sudo: { body: '@@absent', rc: 127 } } }))).sudo.state, 'absent');
    assert.equal(probe({ sudo: { rc: 124, body: '' } }).sudo.state, 'unknown');
  });

  test('systemd as PID 1 with its state; another init', () => {
    assert.deepEqual(probe({ systemd: { body: 'pid1=systemd\ndegraded', rc: 1 } }).systemd, { pid1: 'systemd', isSystemd: true, state: 'degraded' });
    assert.deepEqual(probe({ systemd: { body: 'pid1=tini' } }).systemd, { pid1: 'tini', isSystemd: false, state: null });
  });

  test('compose v2 short version and nginx -t', () => {
    const f = probe({
      'compose-v2': { body: '2.24.5' },
      nginx: { body: 'path=/usr/sbin/nginx\nnginx version: nginx/1.22.1' },
      'nginx-test': { body: 'as=root\nnginx: the configuration file /etc/nginx/nginx.conf syntax is ok\nnginx: configuration file /etc/nginx/nginx.conf test is successful' },
    });
    assert.equal(f.tools['compose-v2']?.version, '2.24.5');
    assert.equal(f.tools.nginx?.version, '1.22.1');
    assert.equal(f.nginx.configTest, 'ok');
    const failed = probe({ 'nginx-test': { rc: 1, body: 'as=root\nnginx: [emerg] unknown directive "bogus" in /etc/nginx/sites-enabled/x:1\nnginx: configuration file /etc/nginx/nginx.conf test failed' } });
    assert.equal(failed.nginx.configTest, 'failed');
  });
});

describe('disks', () => {
  test('df -Pk / -Pi with a mount point containing spaces', () => {
    const body = [
      'probed=/mnt/my data/app',
      '@@df', DF_HEADER, '/dev/sdb1           1000000   250000    750000      25% /mnt/my data',
      '@@dfi', DFI_HEADER, '/dev/sdb1         65536   1000    64536    2% /mnt/my data',
    ].join('\n');
    assert.deepEqual(parseDisk('app', '/mnt/my data/app/releases', sec('disk:app', body)), {
      purpose: 'app', path: '/mnt/my data/app/releases', probedPath: '/mnt/my data/app', mount: '/mnt/my data',
      totalBytes: 1_000_000 * 1024, availBytes: 750_000 * 1024, inodesTotal: 65536, inodesFree: 64536, error: null,
    });
  });

  test('inode counts of 0 (no inode support) are unknown, not zero', () => {
    const d = parseDisk('tmp', '/tmp', sec('disk:tmp', diskBody('/tmp', 1000, 500, '/tmp', [0, 0])));
    assert.equal(d.inodesTotal, null);
    assert.equal(d.inodesFree, null);
    assert.equal(d.totalBytes, 1000 * 1024);
  });

  test('df failing or timing out → unknown with the reason', () => {
    const failed = parseDisk('app', '/opt/app', sec('disk:app', 'probed=/opt\n@@df\ndf: /opt: Input/output error', 1));
    assert.equal(failed.totalBytes, null);
    assert.match(failed.error ?? '', /^df failed: [\s\S]*Input\/output error/);
    const timedOut = parseDisk('app', '/opt/app', sec('disk:app', 'probed=/opt\n@@df', 124));
    assert.equal(timedOut.error, 'df timed out');
    assert.equal(parseDisk('app', '/opt/app', undefined).error, 'probe did not report this path');
  });
});

describe('base directory write test', () => {
  test('reads exists, checked path and writability', () => {
    assert.deepEqual(parseWrite('/opt/app', sec('base:primary', 'exists=no\nchecked=/opt\nisdir=yes\nwritable=no')), { path: '/opt/app', exists: false, checkedPath: '/opt', writable: false });
    assert.deepEqual(parseWrite('/srv/a b', sec('base:primary', 'exists=yes\nchecked=/srv/a b\nisdir=yes\nwritable=yes')), { path: '/srv/a b', exists: true, checkedPath: '/srv/a b', writable: true });
    assert.deepEqual(parseWrite('/x', undefined), { path: '/x', exists: null, checkedPath: null, writable: null });
  });
});

describe('parseProbe: system facts', () => {
  test('a complete probe', () => {
    const f = parseProbe(parseInput(fullProbe()));
    assert.deepEqual(f.os, { id: 'debian', name: 'Debian GNU/Linux', version: '12', prettyName: 'Debian GNU/Linux 12 (bookworm)', kernel: 'Linux 6.1.0-18-amd64', arch: 'x86_64' });
    assert.deepEqual(f.user, { name: 'deploy', uid: 1000, groups: ['deploy', 'docker'], home: '/home/deploy' });
    assert.deepEqual(f.cpu, { count: 2, load1: 0.1, load5: 0.2, load15: 0.3 });
    assert.deepEqual(f.memory, { totalBytes: 4_028_416 * 1024, availableBytes: 3_145_728 * 1024, cgroupLimitBytes: null });
    assert.equal(f.disks.length, 3);
    assert.equal(f.probe.complete, true);
    assert.equal(f.probe.bytes, Buffer.byteLength(fullProbe()));
    assert.equal(f.tools.node?.present, false);
    assert.equal(f.env, null);
    assert.equal(f.homeBase, null);
  });

  test('meminfo without MemAvailable: free + buffers + cached', () => {
    const out = fullProbe().replace(/MemAvailable:.*\n/, '');
    assert.equal(parseProbe(parseInput(out)).memory.availableBytes, (512_000 + 10_240 + 900_000) * 1024);
  });

  test('meminfo missing a part → available unknown', () => {
    const out = fullProbe().replace(/MemAvailable:.*\n/, '').replace(/Buffers:.*\n/, '');
    assert.equal(parseProbe(parseInput(out)).memory.availableBytes, null);
  });

  test('cgroup limits: v2 number kept, v1 "unlimited" huge number ignored, v2 max ignored', () => {
    const withCg = (body: string) => parseProbe(parseInput(fullProbe().replace('@@begin cgroup-mem\nv2=max', `@@begin cgroup-mem\n${body}`))).memory.cgroupLimitBytes;
    assert.equal(withCg('v2=536870912'), 536_870_912);
    assert.equal(withCg('v1=9223372036854771712'), null);
    assert.equal(withCg('v1=1073741824'), 1_073_741_824);
    assert.equal(withCg('v2=max'), null);
    assert.equal(withCg('none'), null);
  });

  test('docker storage is measured only for docker strategies with a known root dir', () => {
    const out = fullProbe({ sections: [section('disk:docker', diskBody('/var/lib/docker', 2000, 1000))], tools: { 'docker-daemon': { body: 'server=24.0.7|root=/var/lib/docker' } } });
    const withDocker = parseProbe(parseInput(out, { dockerDisk: true }));
    assert.deepEqual(withDocker.disks.map((d) => d.purpose), ['app', 'log', 'tmp', 'docker']);
    assert.equal(withDocker.disks[3]?.availBytes, 1000 * 1024);
    assert.equal(parseProbe(parseInput(out, { dockerDisk: false })).disks.length, 3);
  });

  test('reach: reachable, refused, timed out, no tool', () => {
    const out = fullProbe({ sections: [
      section('reach:db.internal:5432', 'via=bash'),
      section('reach:10.0.0.9:6379', 'via=bash\ndeckhand-reach: line 1: connect: Connection refused', 1),
      section('reach:api.example.com:443', 'via=python3', 124),
      section('reach:cache:11211', 'via=none', 126),
    ] });
    const reach = parseProbe(parseInput(out, { reach: [
      { host: 'db.internal', port: 5432 }, { host: '10.0.0.9', port: 6379 }, { host: 'api.example.com', port: 443 }, { host: 'cache', port: 11211 }, { host: 'missing', port: 1 },
    ] })).reach;
    assert.deepEqual(reach.map((r) => r.reachable), [true, false, false, null, null]);
    assert.match(reach[1]?.detail ?? '', /Connection refused/);
    assert.match(reach[2]?.detail ?? '', /no answer within 3 s/);
  });
});

describe('parseProbe: env file names', () => {
  const names = ['DATABASE_URL', 'API_KEY', 'SESSION_SECRET', 'NOT_REPORTED'];
  const run = (body: string | null, rc = 0) => parseProbe(parseInput(fullProbe({ sections: body === null ? [] : [section('env', body, rc)] }), { envFile: '/opt/app/shared/.env', envNames: names })).env;

  test('present / empty / absent, and unlisted names unknown', () => {
    const env = run('file=readable\nname DATABASE_URL present\nname API_KEY empty\nname SESSION_SECRET absent');
    assert.deepEqual(env, {
      file: '/opt/app/shared/.env', state: 'readable',
      names: [{ name: 'DATABASE_URL', state: 'present' }, { name: 'API_KEY', state: 'empty' }, { name: 'SESSION_SECRET', state: 'absent' }, { name: 'NOT_REPORTED', state: 'unknown' }],
    });
  });

  test('missing file → every name absent', () => {
    const env = run('file=missing');
    assert.equal(env?.state, 'missing');
    assert.ok(env?.names.every((n) => n.state === 'absent'));
  });

  test('unreadable file, failed or missing section → every name unknown', () => {
    for (const env of [run('file=unreadable'), run('file=readable\nname DATABASE_URL present', 2), run(null)]) {
      assert.ok(env?.names.every((n) => n.state === 'unknown'), JSON.stringify(env));
    }
  });

  test('no env file → env null', () => {
    assert.equal(parseProbe(parseInput(fullProbe())).env, null);
  });
});

describe('parseProbe: a truncated probe', () => {
  test('no @@done and the last section cut → incomplete, the cut section and the sections never reached unknown', () => {
    const full = fullProbe({ sections: [section('port:3000', 'via=ss\n'), section('base:primary', 'exists=no\nchecked=/opt\nisdir=yes\nwritable=yes')] });
    const cut = full.slice(0, full.indexOf('@@begin tool:node')) + '@@begin tool:node\npath=/usr/bin/node\n';
    const f = parseProbe(parseInput(cut, { ports: [3000] }));
    assert.equal(f.probe.complete, false);
    assert.equal(f.tools.node?.exitCode, null);
    assert.equal(f.tools.node?.version, null, 'the cut tool has no version');
    assert.equal(f.tools.npm?.present, null, 'tools after the cut are unknown');
    assert.equal(f.sudo.state, 'unknown');
    assert.equal(f.systemd.isSystemd, null);
    assert.equal(f.docker.daemon, 'unknown');
    assert.equal(f.ports[0]?.state, 'free', 'sections before the cut are still read');
    assert.equal(f.base.writable, true);
  });

  test('a port section cut mid-way is unknown', () => {
    const full = fullProbe({ sections: [section('port:3000', 'via=ss\n')] });
    const cut = full.slice(0, full.indexOf('@@begin port:3000')) + '@@begin port:3000\nvia=ss\n';
    const f = parseProbe(parseInput(cut, { ports: [3000] }));
    assert.equal(f.probe.complete, false);
    assert.equal(f.ports[0]?.state, 'unknown');
    assert.equal(f.base.writable, null);
  });
});
