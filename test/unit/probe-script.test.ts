// The readiness probe script (buildProbeScript): hostile values rejected or quoted, and the real script run locally with sh -s.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeckhandError } from '../../src/core/errors.js';
import { parseProbe, parseSections } from '../../src/stages/readiness/parse.js';
import { probeParams } from '../../src/stages/readiness/index.js';
import { buildProbeScript, probeCommand, type ProbeParams } from '../../src/stages/readiness/probe.js';
import { resolveRequirements } from '../../src/stages/readiness/requirements.js';

const dir = mkdtempSync(join(tmpdir(), 'dh-probe-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const params = (over: Partial<ProbeParams> = {}): ProbeParams => ({
  ports: [], disks: [{ purpose: 'app', path: '/opt/app' }], baseDir: '/opt/app', app: 'app', reach: [], envNames: [], dockerDisk: false, ...over,
});

function usageError(fn: () => unknown, message: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof DeckhandError, String(e));
    assert.equal(e.kind, 'usage');
    assert.match(e.message, message);
    return true;
  });
}

/** Runs a probe script as deckhand does locally (`sh -s`, script on stdin). */
const runProbe = (script: string, cwd = dir): string => execFileSync('sh', ['-s'], { input: script, cwd, encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } });

describe('buildProbeScript: validation', () => {
  test('env names with shell syntax are rejected', () => {
    usageError(() => buildProbeScript(params({ envNames: ['$(reboot)'], envFile: '/opt/app/.env' })), /invalid environment variable name "\$\(reboot\)"/);
    usageError(() => buildProbeScript(params({ envNames: ['A;B'], envFile: '/x' })), /invalid environment variable name/);
    usageError(() => buildProbeScript(params({ envNames: ['1ABC'], envFile: '/x' })), /invalid environment variable name/);
    usageError(() => buildProbeScript(params({ envNames: ['A B'], envFile: '/x' })), /invalid environment variable name/);
  });

  test('paths with a newline, NUL or "|" are rejected, and empty ones', () => {
    usageError(() => buildProbeScript(params({ baseDir: '/opt/a\nb' })), /contains a newline/);
    usageError(() => buildProbeScript(params({ baseDir: '/opt/a|b' })), /contains a newline, NUL or "\|"/);
    usageError(() => buildProbeScript(params({ disks: [{ purpose: 'app', path: '/x\0y' }] })), /app path/);
    usageError(() => buildProbeScript(params({ envFile: '/a\rb' })), /env file path/);
    usageError(() => buildProbeScript(params({ baseDir: '' })), /must not be empty/);
  });

  test('ports, reach hosts and app names are validated', () => {
    usageError(() => buildProbeScript(params({ ports: [0] })), /invalid port 0/);
    usageError(() => buildProbeScript(params({ ports: [1.5] })), /invalid port/);
    usageError(() => buildProbeScript(params({ reach: [{ host: 'db;reboot', port: 5432 }] })), /invalid --reach host/);
    usageError(() => buildProbeScript(params({ reach: [{ host: 'db', port: 70000 }] })), /invalid --reach port/);
    usageError(() => buildProbeScript(params({ app: 'a b' })), /invalid app name/);
    assert.throws(() => buildProbeScript(params({ disks: [{ purpose: 'App;x', path: '/x' }] })), /bad disk purpose/);
  });

  test('the prelude assigns every parameter as one shell-quoted word', () => {
    const script = buildProbeScript(params({
      ports: [3000, 3000, 8080], baseDir: "/srv/a b'c$(touch MARKER)", app: 'shop', reach: [{ host: 'db.internal', port: 5432 }],
      envFile: '/srv/.env', envNames: ['A', 'B'], dockerDisk: true, disks: [{ purpose: 'app', path: '/srv/x y' }, { purpose: 'tmp', path: '/tmp' }],
    }));
    const prelude = script.split('\n# deckhand readiness probe')[0];
    assert.equal(prelude, [
      "DH_PORTS='3000 8080'",
      "DH_DISKS='app|/srv/x y\ntmp|/tmp'",
      "DH_BASE='/srv/a b'\\''c$(touch MARKER)'",
      'DH_APP=shop',
      "DH_REACH='db.internal|5432'",
      'DH_ENV_FILE=/srv/.env',
      "DH_ENV_NAMES='A B'",
      'DH_DOCKER_DISK=1',
    ].join('\n'));
  });
});

describe('probeCommand', () => {
  test('sh -s with the script on stdin, read-only, C locale', () => {
    assert.deepEqual(probeCommand('echo hi'), { argv: ['sh', '-s'], env: { LC_ALL: 'C' }, stdin: 'echo hi', mutates: false, timeoutMs: 60_000, description: 'readiness probe (read-only)' });
    assert.equal(probeCommand('x', 5000).timeoutMs, 5000);
  });
});

describe('the real probe, run locally', () => {
  test('a hostile base dir is data, not code: no MARKER, @@done, nearest existing parent reported', async () => {
    const work = mkdtempSync(join(dir, 'work-'));
    const baseDir = `${work}/a b'c$(touch MARKER)`;
    const p = probeParams(await resolveRequirements({ baseDir, port: [1] }));
    const out = runProbe(buildProbeScript(p), work);
    assert.equal(existsSync(join(work, 'MARKER')), false, 'command substitution did not run');
    assert.deepEqual(readdirSync(work), [], 'nothing was created');
    assert.match(out, /^@@done$/m);
    const facts = parseProbe({ stdout: out, durationMs: 1, ports: p.ports, disks: p.disks, dockerDisk: p.dockerDisk, baseDir, app: p.app, reach: p.reach, envNames: p.envNames });
    assert.deepEqual(facts.base, { path: baseDir, exists: false, checkedPath: work, writable: true });
    assert.equal(facts.disks[0]?.probedPath, work);
    assert.notEqual(facts.disks[0]?.totalBytes, null);
  });

  test('a plain run parses into a complete probe with os, cpu and memory facts', async () => {
    const p = probeParams(await resolveRequirements({ baseDir: join(dir, 'app') }));
    const out = runProbe(buildProbeScript(p));
    const facts = parseProbe({ stdout: out, durationMs: 1, ports: p.ports, disks: p.disks, dockerDisk: p.dockerDisk, baseDir: p.baseDir, app: p.app, reach: p.reach, envNames: p.envNames });
    assert.equal(facts.probe.complete, true);
    const osRelease = existsSync('/etc/os-release') ? readFileSync('/etc/os-release', 'utf8') : '';
    const id = /^ID="?([^"\n]*)"?$/m.exec(osRelease)?.[1] ?? null;
    assert.equal(facts.os.id, id, 'the ID read by the probe is the one in /etc/os-release');
    assert.ok(facts.os.prettyName, 'PRETTY_NAME read');
    assert.match(facts.os.kernel ?? '', /^Linux \d/);
    assert.equal(facts.os.arch, execFileSync('uname', ['-m'], { encoding: 'utf8' }).trim());
    assert.ok((facts.cpu.count ?? 0) >= 1);
    assert.notEqual(facts.cpu.load5, null);
    assert.ok((facts.memory.totalBytes ?? 0) > 0);
    assert.ok((facts.memory.availableBytes ?? 0) > 0);
    assert.equal(facts.user.uid, process.getuid?.() ?? facts.user.uid);
    assert.ok(facts.disks.every((d) => d.totalBytes !== null && d.error === null), JSON.stringify(facts.disks));
    assert.equal(facts.tools.node?.present, true, 'node is on PATH (this test runs under it)');
    assert.equal(`v${facts.tools.node?.version ?? '?'}`, execFileSync('node', ['--version'], { encoding: 'utf8' }).trim());
    // Every section was closed under its own name.
    for (const [name, s] of parseSections(out)) assert.notEqual(s.rc, null, `section ${name} closed`);
  });

  test('env names in a real env file: present, empty, export-ed and absent, in a section closed under its own name', () => {
    const envFile = join(dir, 'app.env');
    writeFileSync(envFile, 'DATABASE_URL=postgres://x\nAPI_KEY=\nexport SESSION_SECRET="s3cr3t"\nQUOTED_EMPTY=""\n');
    const p = params({ baseDir: dir, disks: [], envFile, envNames: ['DATABASE_URL', 'API_KEY', 'SESSION_SECRET', 'QUOTED_EMPTY', 'MISSING_ONE'] });
    const out = runProbe(buildProbeScript(p));
    assert.equal(parseSections(out).get('env')?.rc, 0, 'the env section ends with "@@end env rc=0"');
    assert.ok(!out.includes('s3cr3t') && !out.includes('postgres://x'), 'values are never printed');
    const facts = parseProbe({ stdout: out, durationMs: 1, ports: [], disks: [], dockerDisk: false, baseDir: dir, app: 'app', reach: [], envFile, envNames: p.envNames });
    assert.deepEqual(facts.env, {
      file: envFile, state: 'readable',
      names: [
        { name: 'DATABASE_URL', state: 'present' }, { name: 'API_KEY', state: 'empty' }, { name: 'SESSION_SECRET', state: 'present' },
        { name: 'QUOTED_EMPTY', state: 'empty' }, { name: 'MISSING_ONE', state: 'absent' },
      ],
    });
  });
});
