// pm2 reload that waits for readiness: the start-file scan, deckhand.yml overrides, and the ecosystem fields (exact).
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { renderEcosystem } from '../../src/commands/pm2.js';
import { parseConfig } from '../../src/config/load.js';
import { planDeploy } from '../../src/stages/deploy/plan.js';
import { pm2Readiness } from '../../src/stages/deploy/pm2-ready.js';
import { resolveSpec } from '../../src/stages/deploy/spec.js';
import type { ProbedState } from '../../src/stages/deploy/state.js';

const EXAMPLE = fileURLToPath(new URL('../../examples/node-api/', import.meta.url));

/** The app object the ecosystem file exports, loaded as pm2 loads it (require; the env file does not exist, so readEnv gives {}). */
function loadEcosystem(text: string, dir: string): Record<string, unknown> {
  const file = join(dir, `eco-${Math.random().toString(36).slice(2)}.config.cjs`);
  writeFileSync(file, text);
  return (createRequire(import.meta.url)(file) as { apps: Record<string, unknown>[] }).apps[0] ?? {};
}

describe('pm2 readiness', () => {
  let dir = '';
  before(async () => { dir = await mkdtemp(join(tmpdir(), 'dh-pm2-ready-')); });
  after(async () => { await rm(dir, { recursive: true, force: true }); });

  it('examples/node-api sends ready after listen: wait_ready, with the line as evidence', () => {
    const r = pm2Readiness(EXAMPLE, 'node server.js', undefined);
    assert.equal(r.waitReady, true);
    assert.match(r.evidence, /^server\.js:\d+: if \(process\.send\) process\.send\('ready'\);$/);
  });

  it('finds process.send?.("ready") too; no call, no file, or a shell start: no wait_ready, saying why; deckhand.yml decides first', async () => {
    await writeFile(join(dir, 'a.js'), 'const s = require("http").createServer().listen(3000, () => {\n  process.send?.("ready")\n});\n');
    await writeFile(join(dir, 'b.js'), 'require("http").createServer().listen(3000);\n');
    assert.deepEqual(pm2Readiness(dir, 'node a.js --port 3000', undefined), { waitReady: true, evidence: 'a.js:2: process.send?.("ready")' });
    assert.deepEqual(pm2Readiness(dir, 'node b.js', undefined), { waitReady: false, evidence: "b.js never calls process.send('ready')" });
    assert.deepEqual(pm2Readiness(dir, 'node dist/main.js', undefined), { waitReady: false, evidence: 'dist/main.js is not in the app directory here (built on the target?); set pm2.wait_ready in deckhand.yml' });
    assert.deepEqual(pm2Readiness(dir, 'npm run serve', undefined), { waitReady: false, evidence: 'the start command is not `node <file>`: no start file to read' });
    assert.deepEqual(pm2Readiness(dir, 'node b.js', true), { waitReady: true, evidence: 'deckhand.yml pm2.wait_ready: true' });
    assert.deepEqual(pm2Readiness(dir, 'node a.js', false), { waitReady: false, evidence: 'deckhand.yml pm2.wait_ready: false' });
  });

  it('the ecosystem file: wait_ready only when asked, listen_timeout from the start timeout, kill_timeout (default 10s)', () => {
    const base = { name: 'api', base: '/opt/api', start: 'node server.js', port: 3000, instances: 2 as const };
    const ready = loadEcosystem(renderEcosystem({ ...base, waitReady: true, listenTimeoutMs: 45_000, killTimeoutMs: 8_000 }), dir);
    assert.deepEqual([ready.exec_mode, ready.instances, ready.wait_ready, ready.listen_timeout, ready.kill_timeout], ['cluster', 2, true, 45_000, 8_000]);
    const plain = loadEcosystem(renderEcosystem(base), dir);
    assert.deepEqual([plain.wait_ready, plain.listen_timeout, plain.kill_timeout], [undefined, undefined, 10_000]);
    assert.match(renderEcosystem({ ...base, waitReady: true, listenTimeoutMs: 30_000 }), /\n {2}"wait_ready": true,\n {2}"listen_timeout": 30000,\n {2}"kill_timeout": 10000,\n/);
  });

  it('deckhand.yml pm2.wait_ready and pm2.kill_timeout, with clear errors', () => {
    const cfg = parseConfig('strategy: pm2\npm2:\n  instances: 2\n  wait_ready: false\n  kill_timeout: 15s\ncommands:\n  start: node server.js\n', 'deckhand.yml');
    const s = resolveSpec({ sourceDir: EXAMPLE, brief: null, config: cfg, flags: {}, commit: null, dirty: false });
    assert.deepEqual([s.pm2Instances, s.pm2KillTimeoutMs], [2, 15_000]);
    assert.throws(() => parseConfig('pm2:\n  wait_ready: yes please\n', 'deckhand.yml'), /pm2\.wait_ready/);
    assert.throws(() => parseConfig('pm2:\n  kill_timeout: ten\n', 'deckhand.yml'), /pm2\.kill_timeout.*a duration such as 500ms, 30s or 2m/s);
  });

  it('the plan says whether pm2 waits for readiness, and why', () => {
    const st: ProbedState = {
      user: 'ann', uid: 1000, home: '/home/ann', hostname: 'box', sudo: false, systemd: false, rsync: true, tools: { rsync: true, node: true, pm2: true },
      baseExists: false, ledgerText: null, lockText: null, currentTarget: null, releaseDirs: [], unitHash: null, base: '/home/ann/.deckhand/apps/api',
    };
    const s = resolveSpec({ sourceDir: EXAMPLE, brief: null, config: { strategy: 'pm2', port: 3000 }, flags: { start: 'node server.js', instances: 2, startTimeoutSec: 20 }, commit: null, dirty: false });
    s.pm2Ready = pm2Readiness(EXAMPLE, s.commands.start, undefined);
    const p = planDeploy({ spec: s, state: st, target: 'h', now: new Date('2026-12-01T14:05:01Z'), envProvided: 'none' });
    const step = p.steps.find((x) => x.id === 'pm2.ecosystem');
    assert.match(step?.title ?? '', /^Generate the pm2 ecosystem file: wait_ready \(server\.js:\d+: if \(process\.send\) process\.send\('ready'\);\); listen_timeout 20s, kill_timeout 10s$/);
    const written = step?.actions[0];
    assert.match(written?.type === 'write' ? written.content : '', /"wait_ready": true,\n {2}"listen_timeout": 20000,/);
  });
});
