// Requirements from flags (resolveRequirements): defaults, tool specs, ports, reach, and usage errors for bad input.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeckhandError } from '../../src/core/errors.js';
import { parseReach, parseRequire, resolveRequirements, type CheckOptions } from '../../src/stages/readiness/requirements.js';
import { MiB } from './helpers/facts.js';

async function rejectsUsage(o: CheckOptions, message: RegExp, kind: 'usage' | 'config' = 'usage'): Promise<void> {
  await assert.rejects(resolveRequirements(o), (e: unknown) => {
    assert.ok(e instanceof DeckhandError, String(e));
    assert.equal(e.kind, kind);
    assert.equal(e.exitCode, 2);
    assert.match(e.message, message);
    return true;
  });
}

describe('resolveRequirements', () => {
  test('defaults', async () => {
    assert.deepEqual(await resolveRequirements({}), {
      strategy: null, app: 'app', baseDir: '/opt/app', baseDirExplicit: false, ports: [], proxy: false,
      memoryBytes: 256 * MiB, diskBytes: 512 * MiB, tools: [], reach: [], envFile: null, envNames: [],
    });
  });

  test('flags: tools with ranges and aliases, ports deduplicated, sizes, reach, env', async () => {
    const r = await resolveRequirements({
      strategy: 'compose', require: ['node>=20', 'python >=3.11 <3.13', 'docker-compose', 'git'], port: ['3000', 3000, 8080], memory: '1GiB', disk: '2G',
      app: 'shop', reach: ['db.internal:5432', '[::1]:6379'], requireEnv: ['DATABASE_URL', 'DATABASE_URL'],
    });
    assert.deepEqual(r.tools, [
      { name: 'node', range: '>=20', source: 'flag' },
      { name: 'python3', range: '>=3.11 <3.13', source: 'flag' },
      { name: 'compose', range: null, source: 'flag' },
      { name: 'git', range: null, source: 'flag' },
      { name: 'docker', range: null, source: 'strategy compose' },
    ]);
    assert.deepEqual(r.ports, [3000, 8080]);
    assert.equal(r.memoryBytes, 1024 * MiB);
    assert.equal(r.diskBytes, 2048 * MiB);
    assert.equal(r.baseDir, '/opt/shop');
    assert.deepEqual(r.reach, [{ host: 'db.internal', port: 5432 }, { host: '::1', port: 6379 }]);
    assert.deepEqual(r.envNames, ['DATABASE_URL']);
    assert.equal(r.envFile, '/opt/shop/shared/.env');
  });

  test('a brief supplies strategy, ports, runtimes and required env', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'dh-brief-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const brief = join(dir, 'brief.json');
    writeFileSync(brief, JSON.stringify({ data: { app: 'api', strategy: 'systemd', ports: [{ port: 4000 }], runtimes: [{ name: 'node', range: '>=20' }], memoryMiB: 300, env: [{ name: 'TOKEN', required: true }, { name: 'OPT' }] } }));
    const r = await resolveRequirements({ brief });
    assert.equal(r.strategy, 'systemd');
    assert.equal(r.app, 'api');
    assert.deepEqual(r.ports, [4000]);
    assert.deepEqual(r.tools, [{ name: 'node', range: '>=20', source: 'brief' }]);
    assert.equal(r.memoryBytes, 300 * MiB);
    assert.deepEqual(r.envNames, ['TOKEN']);
    writeFileSync(brief, '{ not json');
    await rejectsUsage({ brief }, /could not read the brief/, 'config');
  });

  test('bad --require range', async () => {
    await rejectsUsage({ require: ['node>=abc'] }, /invalid version range ">=abc"/);
  });

  test('unknown tool', async () => {
    await rejectsUsage({ require: ['rubyx>=3'] }, /unknown tool "rubyx"/);
  });

  test('bad --require syntax', async () => {
    await rejectsUsage({ require: ['>=20'] }, /invalid --require/);
  });

  test('bad port "22;reboot", 0 and 65536', async () => {
    await rejectsUsage({ port: ['22;reboot'] }, /invalid port "22;reboot"/);
    await rejectsUsage({ port: [0] }, /invalid port "0"/);
    await rejectsUsage({ port: ['65536'] }, /invalid port "65536"/);
  });

  test('bad --reach', async () => {
    for (const bad of ['db.internal', 'db:5432;id', '$(reboot):22', 'db:0', 'db: 22']) {
      await rejectsUsage({ reach: [bad] }, /invalid (--reach|port)/);
    }
  });

  test('relative --base-dir', async () => {
    await rejectsUsage({ baseDir: 'opt/app' }, /--base-dir must be an absolute path/);
  });

  test('invalid app name', async () => {
    for (const bad of ['../etc', 'a b', '$(x)', '-app', 'app;reboot']) {
      await rejectsUsage({ app: bad }, /invalid app name/);
    }
  });

  test('unknown strategy and bad sizes', async () => {
    await rejectsUsage({ strategy: 'nomad' }, /unknown strategy "nomad"/);
    await rejectsUsage({ strategy: 'kubernetes' }, /kubernetes readiness is not a host probe/);
    await rejectsUsage({ memory: 'lots' }, /invalid --memory "lots"/);
    await rejectsUsage({ disk: '5 parsecs' }, /invalid --disk/);
  });
});

describe('parseRequire and parseReach', () => {
  test('tool specs', async () => {
    assert.deepEqual(await parseRequire('node>=20'), { name: 'node', range: '>=20' });
    assert.deepEqual(await parseRequire('nodejs@^20.11'), { name: 'node', range: '^20.11' });
    assert.deepEqual(await parseRequire(' Docker '), { name: 'docker', range: null });
    assert.deepEqual(await parseRequire('golang 1.22.x'), { name: 'go', range: '1.22.x' });
  });

  test('reach specs', () => {
    assert.deepEqual(parseReach('db.internal:5432'), { host: 'db.internal', port: 5432 });
    assert.deepEqual(parseReach('[2001:db8::1]:443'), { host: '2001:db8::1', port: 443 });
    assert.throws(() => parseReach('db'), DeckhandError);
  });
});
