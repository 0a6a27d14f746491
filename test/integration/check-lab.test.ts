// `deckhand check` against the lab's real hosts over real SSH: the acceptance cases (a)–(f),
// one connection per run, SSH failure modes, hostile values and secrets.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { countAcceptedConnections, dockerExec, labOrSkip, type LabHostName, type LabState } from '../lab/lab.js';
import { labSshFlags, runCli, type CliResult } from '../helpers/cli.js';

interface Finding { id: string; status: string; summary: string; required: boolean; remedy?: string }
interface Report { findings: Finding[]; data: { verdict: string; facts: { ports: { port: number; via: string; holders: { pid: number; process: string | null }[] }[] } } }

function report(r: CliResult): Report {
  try { return JSON.parse(r.stdout) as Report; } catch { throw new Error(`no JSON report (exit ${r.code}):\n${r.stderr}\n${r.stdout}`); }
}
const find = (rep: Report, id: string): Finding | undefined => rep.findings.find((f) => f.id === id);

function target(lab: LabState, name: LabHostName, user: string): string {
  const h = lab.hosts[name];
  if (!h) throw new Error(`lab host ${name} missing`);
  return `ssh://${user}@${h.host}:${h.port}`;
}

async function check(lab: LabState, name: LabHostName, user: string, args: string[]): Promise<CliResult> {
  return runCli(['check', target(lab, name, user), ...labSshFlags(lab), '--json', ...args]);
}

async function sh(lab: LabState, name: LabHostName, cmd: string): Promise<string> {
  const c = lab.hosts[name]?.container;
  if (!c) throw new Error(`lab host ${name} has no container`);
  const r = await dockerExec(c, cmd);
  if (r.code !== 0) throw new Error(`docker exec ${c} ${cmd}: ${r.code} ${r.stderr}`);
  return r.stdout.trim();
}

describe('deckhand check on lab hosts', { concurrency: false }, () => {
  let lab: LabState | null = null;
  before(() => { /* resolved per test so that skips carry their reason */ });

  test('(a) Node 18 host with --require node>=20 is NOT READY with a BLOCKER naming both versions', async (t) => {
    lab = labOrSkip(t); if (!lab) return;
    const r = await check(lab, 'node18', 'deploy', ['--require', 'node>=20']);
    assert.equal(r.code, 1, r.stderr);
    const rep = report(r);
    assert.equal(rep.data.verdict, 'NOT READY');
    const f = find(rep, 'runtime.node');
    assert.equal(f?.status, 'block');
    assert.match(f?.summary ?? '', /^node 18\.\d+\.\d+ installed, >=20 required/);
    // The same host satisfies an 18 requirement: the check compares, it does not just fail.
    const ok = report(await check(lab, 'node18', 'deploy', ['--require', 'node>=18']));
    assert.equal(find(ok, 'runtime.node')?.status, 'pass');
  });

  test('(a2) Node 20 host satisfies node>=20, and Markdown follows the guide layout', async (t) => {
    lab = labOrSkip(t); if (!lab) return;
    const dir = await mkdtemp(join(tmpdir(), 'dh-lab-out-'));
    try {
      const r = await check(lab, 'node20', 'deploy', ['--require', 'node>=20', '--out', dir]);
      const rep = report(r);
      assert.equal(find(rep, 'runtime.node')?.status, 'pass');
      assert.notEqual(rep.data.verdict, 'NOT READY', JSON.stringify(rep.findings.filter((f) => f.status !== 'pass')));
      const md = await readFile(join(dir, (await readdir(dir)).find((f) => f.endsWith('.md')) ?? ''), 'utf8');
      for (const h of ['## Host Readiness Report:', '### System Resources', '### Runtimes & Dependencies', '### Permissions', '### Conclusion']) assert.ok(md.includes(h), h);
      assert.match(md, /\*\*Node\.js:\*\* v20\.\d+\.\d+ installed/);
    } finally { await rm(dir, { recursive: true, force: true }); }
  });

  test('(b) a process listening on 3000 is a BLOCKER naming its PID and command', async (t) => {
    lab = labOrSkip(t); if (!lab) return;
    await sh(lab, 'node18', "su deploy -s /bin/sh -c 'setsid python3 -m http.server 3000 --bind 0.0.0.0 >/dev/null 2>&1 < /dev/null &'");
    try {
      let pid = '';
      for (let i = 0; i < 50 && !pid; i++) {
        pid = await sh(lab, 'node18', "ss -ltnpH 'sport = :3000' | sed -n 's/.*pid=\\([0-9]*\\).*/\\1/p' | head -n1");
        if (!pid) await new Promise((r) => setTimeout(r, 100));
      }
      assert.ok(pid, 'the listener did not start');
      for (const user of ['root', 'deploy']) {
        const r = await check(lab, 'node18', user, ['--port', '3000']);
        assert.equal(r.code, 1, r.stderr);
        const f = find(report(r), 'port.3000');
        assert.equal(f?.status, 'block', user);
        assert.match(f?.summary ?? '', new RegExp(`IN USE by PID ${pid} \\(python3`), user);
        assert.match(f?.remedy ?? '', new RegExp(`stop PID ${pid}`));
      }
    } finally {
      await sh(lab, 'node18', "pkill -f 'http.server 3000' || true");
    }
  });

  test('(c) the base directory on a nearly full small tmpfs is a BLOCKER with the numbers', async (t) => {
    lab = labOrSkip(t); if (!lab) return;
    const mnt = lab.hosts.node18?.tinyMount ?? '/mnt/tiny';
    const args = ['--base-dir', `${mnt}/app`, '--disk', '8MiB'];
    const before = report(await check(lab, 'node18', 'deploy', args));
    assert.notEqual(find(before, 'system.disk.app')?.status, 'block', 'an empty 16 MiB tmpfs holds 8 MiB');
    await sh(lab, 'node18', `dd if=/dev/zero of=${mnt}/fill bs=1M count=14 2>/dev/null`);
    try {
      const r = await check(lab, 'node18', 'deploy', args);
      assert.equal(r.code, 1);
      const f = find(report(r), 'system.disk.app');
      assert.equal(f?.status, 'block');
      assert.match(f?.summary ?? '', /16\.0 MiB total, \d+(\.\d+)? (MiB|KiB) available \(\d+% free\); need 8\.0 MiB/);
      assert.match(f?.remedy ?? '', /available, 8\.0 MiB needed/);
    } finally {
      await sh(lab, 'node18', `rm -f ${mnt}/fill`);
    }
  });

  test('(d) user nosudo with --strategy systemd gets a BLOCKER for sudo; deploy and root pass it', async (t) => {
    lab = labOrSkip(t); if (!lab) return;
    const r = await check(lab, 'node18', 'nosudo', ['--strategy', 'systemd']);
    assert.equal(r.code, 1, r.stderr);
    const rep = report(r);
    assert.equal(find(rep, 'permissions.sudo')?.status, 'block');
    assert.equal(find(rep, 'runtime.systemd')?.status, 'pass');
    const dep = report(await check(lab, 'node18', 'deploy', ['--strategy', 'systemd']));
    assert.equal(find(dep, 'permissions.sudo')?.status, 'pass');
  });

  test('(e) --strategy docker: BLOCKER on a host without a daemon, PASS on the Docker host', async (t) => {
    lab = labOrSkip(t); if (!lab) return;
    const no = await check(lab, 'node18', 'deploy', ['--strategy', 'docker']);
    assert.equal(no.code, 1);
    assert.equal(find(report(no), 'runtime.docker-daemon')?.status, 'block');
    const yes = await check(lab, 'docker', 'root', ['--strategy', 'docker']);
    const rep = report(yes);
    assert.equal(find(rep, 'runtime.docker-daemon')?.status, 'pass', JSON.stringify(find(rep, 'runtime.docker-daemon')));
    assert.equal(find(rep, 'runtime.docker')?.status, 'pass');
    assert.ok(rep.findings.some((f) => f.id === 'system.disk.docker'), 'Docker storage disk is checked');
  });

  test('(f) with ss hidden the port check still names the holder through /proc', async (t) => {
    lab = labOrSkip(t); if (!lab) return;
    await sh(lab, 'node20', 'mv /usr/bin/ss /usr/bin/ss.deckhand-hidden');
    try {
      await sh(lab, 'node20', "setsid python3 -m http.server 3001 --bind 127.0.0.1 >/dev/null 2>&1 < /dev/null &");
      let pid = '';
      for (let i = 0; i < 50 && !pid; i++) {
        pid = await sh(lab, 'node20', "pgrep -f 'http.server 3001' | head -n1");
        if (!pid) await new Promise((r) => setTimeout(r, 100));
      }
      await new Promise((r) => setTimeout(r, 500));
      const r = await check(lab, 'node20', 'root', ['--port', '3001', '--port', '3002']);
      const rep = report(r);
      const p1 = rep.data.facts.ports.find((p) => p.port === 3001);
      assert.equal(p1?.via, 'proc');
      assert.equal(find(rep, 'port.3001')?.status, 'block');
      assert.match(find(rep, 'port.3001')?.summary ?? '', new RegExp(`PID ${pid} \\(python3`));
      assert.equal(find(rep, 'port.3002')?.status, 'pass');
      // As a user who cannot read other processes' fds, the port is still in use, never free.
      const dep = report(await check(lab, 'node20', 'deploy', ['--port', '3001']));
      const f = find(dep, 'port.3001');
      assert.ok(f?.status === 'block' || (f?.status === 'unknown' && f.required), JSON.stringify(f));
    } finally {
      await sh(lab, 'node20', "pkill -f 'http.server 3001' || true; mv /usr/bin/ss.deckhand-hidden /usr/bin/ss");
    }
  });

  test('one SSH connection per check', async (t) => {
    lab = labOrSkip(t); if (!lab) return;
    const before = await countAcceptedConnections('node20');
    const r = await check(lab, 'node20', 'deploy', ['--require', 'node>=20', '--port', '3000', '--strategy', 'systemd']);
    assert.ok(r.code === 0 || r.code === 1, r.stderr);
    // sshd logs asynchronously through journald: give it a moment.
    let afterCount = before;
    for (let i = 0; i < 20 && afterCount === before; i++) { await new Promise((res) => setTimeout(res, 100)); afterCount = await countAcceptedConnections('node20'); }
    await new Promise((res) => setTimeout(res, 300));
    afterCount = await countAcceptedConnections('node20');
    assert.equal(afterCount - before, 1);
  });

  test('required secrets: names checked on the target, values never in any output', async (t) => {
    lab = labOrSkip(t); if (!lab) return;
    const canary = `canary-${process.pid}-envX7`;
    await sh(lab, 'node20', `printf 'API_TOKEN=${canary}\\nEMPTY_ONE=\\n' > /tmp/app.env && chown deploy /tmp/app.env && chmod 600 /tmp/app.env`);
    const dir = await mkdtemp(join(tmpdir(), 'dh-env-'));
    try {
      const r = await check(lab, 'node20', 'deploy', ['--require-env', 'API_TOKEN', '--require-env', 'EMPTY_ONE', '--require-env', 'MISSING_ONE', '--env-file-path', '/tmp/app.env', '--out', dir]);
      const rep = report(r);
      assert.equal(find(rep, 'secrets.API_TOKEN')?.status, 'pass');
      assert.equal(find(rep, 'secrets.EMPTY_ONE')?.status, 'block');
      assert.equal(find(rep, 'secrets.MISSING_ONE')?.status, 'block');
      for (const text of [r.stdout, r.stderr, ...(await Promise.all((await readdir(dir)).map((f) => readFile(join(dir, f), 'utf8'))))]) {
        assert.ok(!text.includes(canary), 'secret value leaked');
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
      await sh(lab, 'node20', 'rm -f /tmp/app.env');
    }
  });

  test('hostile paths and names travel quoted: nothing executes on the host', async (t) => {
    lab = labOrSkip(t); if (!lab) return;
    await sh(lab, 'node20', 'rm -f /tmp/deckhand-pwned');
    const r = await check(lab, 'node20', 'deploy', ['--base-dir', "/tmp/a b'c$(touch /tmp/deckhand-pwned)`touch /tmp/deckhand-pwned`", '--env-file-path', '/tmp/x;touch /tmp/deckhand-pwned', '--require-env', 'A']);
    assert.ok(r.code === 0 || r.code === 1, r.stderr);
    const rep = report(r);
    assert.ok(find(rep, 'permissions.base-dir'), 'base dir checked');
    assert.equal(await sh(lab, 'node20', 'test -e /tmp/deckhand-pwned && echo yes || echo no'), 'no');
  });

  test('SSH failures: bad key, unknown and changed host keys each exit 3 with a hint, no hang', async (t) => {
    lab = labOrSkip(t); if (!lab) return;
    const h = lab.hosts.node18;
    assert.ok(h);
    const dir = await mkdtemp(join(tmpdir(), 'dh-ssh-'));
    try {
      const key = join(dir, 'wrong_key');
      execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);
      const tgt = `ssh://deploy@${h.host}:${h.port}`;
      const auth = await runCli(['check', tgt, '-i', key, '--ssh-option', `UserKnownHostsFile=${lab.knownHostsFile}`], { timeoutMs: 40_000 });
      assert.equal(auth.code, 3, auth.stderr);
      assert.match(auth.stderr, /authentication to .* failed/);
      assert.match(auth.stderr, /hint: /);

      const empty = join(dir, 'known_hosts_empty');
      await writeFile(empty, '');
      const unknown = await runCli(['check', tgt, '-i', lab.identityFile, '--ssh-option', `UserKnownHostsFile=${empty}`], { timeoutMs: 40_000 });
      assert.equal(unknown.code, 3, unknown.stderr);
      assert.match(unknown.stderr, /not in known_hosts/);
      assert.match(unknown.stderr, /--accept-new-host-key/);
      const accepted = await runCli(['check', tgt, '-i', lab.identityFile, '--ssh-option', `UserKnownHostsFile=${empty}`, '--accept-new-host-key', '--json'], { timeoutMs: 40_000 });
      assert.ok(accepted.code === 0 || accepted.code === 1, accepted.stderr);
      assert.match(await readFile(empty, 'utf8'), /ssh-ed25519|ecdsa|ssh-rsa/);

      // A different key recorded for the same [host]:port is a changed host key.
      const other = join(dir, 'other_host_key');
      execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', other]);
      const pub = (await readFile(`${other}.pub`, 'utf8')).split(' ').slice(0, 2).join(' ');
      const changed = join(dir, 'known_hosts_changed');
      await writeFile(changed, `[${h.host}]:${h.port} ${pub}\n`);
      const ch = await runCli(['check', tgt, '-i', lab.identityFile, '--ssh-option', `UserKnownHostsFile=${changed}`, '--accept-new-host-key'], { timeoutMs: 40_000 });
      assert.equal(ch.code, 3, ch.stderr);
      assert.match(ch.stderr, /host key of .* has changed/);
      assert.match(ch.stderr, /ssh-keygen -R/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  after(() => { lab = null; });
});
