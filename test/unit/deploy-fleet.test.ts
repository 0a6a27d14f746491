// Several hosts per app: batch sizes and rollout order (canary first), the one shared build, the CLI's reading of --to / hosts: / rollout:, and the report's Markdown.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parseConfig } from '../../src/config/load.js';
import { DeckhandError } from '../../src/core/errors.js';
import { mapLimited } from '../../src/core/map-limited.js';
import { batchWidth, parseBatchSize, planBatches } from '../../src/stages/deploy/fleet/batches.js';
import { shareLocalBuild } from '../../src/stages/deploy/fleet/shared-build.js';
import { planDeploy } from '../../src/stages/deploy/plan.js';
import type { ProbedState } from '../../src/stages/deploy/state.js';
import type { DeploySpec } from '../../src/stages/deploy/types.js';
import { fleetHosts, fleetOptions } from '../../src/cli/deploy-fleet.js';
import { renderFleetMarkdown } from '../../src/report/markdown-fleet.js';
import { FleetReportSchema, type FleetReport } from '../../src/report/fleet.js';

const H = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];

const usage = (fn: () => unknown): string => {
  try { fn(); } catch (e) { assert.ok(e instanceof DeckhandError, String(e)); assert.equal(e.kind, 'usage'); return e.message; }
  assert.fail('expected a usage error');
};

describe('fleet batches', () => {
  test('--batch reads a count, a share and all; anything else is refused with an example', () => {
    assert.deepEqual(parseBatchSize('2'), { kind: 'count', n: 2 });
    assert.deepEqual(parseBatchSize('25%'), { kind: 'percent', percent: 25 });
    assert.deepEqual(parseBatchSize('all'), { kind: 'all' });
    assert.match(usage(() => parseBatchSize('0')), /must be a number of hosts \(1, 2, \.\.\.\), a share of the fleet \(25%\) or all \(got "0"\)/);
    assert.match(usage(() => parseBatchSize('150%')), /from 1% to 100%/);
    assert.match(usage(() => parseBatchSize('half')), /got "half"/);
  });

  test('a share rounds up, so a batch always holds a host; a count is capped at the fleet', () => {
    assert.equal(batchWidth({ kind: 'percent', percent: 25 }, 8), 2);
    assert.equal(batchWidth({ kind: 'percent', percent: 25 }, 3), 1);
    assert.equal(batchWidth({ kind: 'percent', percent: 10 }, 4), 1);
    assert.equal(batchWidth({ kind: 'count', n: 10 }, 4), 4);
    assert.equal(batchWidth({ kind: 'all' }, 5), 5);
  });

  test('batches keep the order given; 1 is one host at a time; all is one batch', () => {
    assert.deepEqual(planBatches(H.slice(0, 4), { kind: 'count', n: 2 }), [['a', 'b'], ['c', 'd']]);
    assert.deepEqual(planBatches(H.slice(0, 5), { kind: 'count', n: 2 }), [['a', 'b'], ['c', 'd'], ['e']]);
    assert.deepEqual(planBatches(H.slice(0, 3), { kind: 'count', n: 1 }), [['a'], ['b'], ['c']]);
    assert.deepEqual(planBatches(H.slice(0, 3), { kind: 'all' }), [['a', 'b', 'c']]);
    assert.deepEqual(planBatches(H, { kind: 'percent', percent: 25 }), [['a', 'b'], ['c', 'd'], ['e', 'f'], ['g', 'h']]);
  });

  test('a canary is a batch of its own before the rest; the share is of the whole fleet', () => {
    assert.deepEqual(planBatches(H.slice(0, 4), { kind: 'all' }, 1), [['a'], ['b', 'c', 'd']]);
    assert.deepEqual(planBatches(H, { kind: 'percent', percent: 25 }, 1), [['a'], ['b', 'c'], ['d', 'e'], ['f', 'g'], ['h']]);
    assert.deepEqual(planBatches(H.slice(0, 4), { kind: 'count', n: 2 }, 2), [['a', 'b'], ['c', 'd']]);
  });

  test('a canary as large as the fleet leaves nothing to roll out to: refused', () => {
    assert.match(usage(() => planBatches(['a', 'b'], { kind: 'all' }, 2)), /--canary 2 leaves no other host to roll out to \(the fleet has 2\)/);
  });
});

describe('mapLimited', () => {
  test('never more than the limit in flight; results in input order', async () => {
    let inFlight = 0;
    let peak = 0;
    const out = await mapLimited([50, 10, 30, 20, 40], 2, async (ms, i) => {
      inFlight++; peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, ms));
      inFlight--;
      return i * 10;
    });
    assert.equal(peak, 2);
    assert.deepEqual(out, [0, 10, 20, 30, 40]);
  });
});

function spec(over: Partial<DeploySpec> = {}): DeploySpec {
  return {
    app: 'orders', strategy: 'systemd', sourceDir: '/src/orders', commit: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678', dirty: false,
    runtime: { name: 'node', range: '>=20' }, port: 3000, healthPath: '/health', build: 'local',
    commands: { install: 'npm ci --omit=dev', build: null, start: 'node server.js', migrate: null },
    envNames: [], envSources: [], serviceUser: 'orders', keep: 5, excludes: [], startTimeoutMs: 30_000,
    baseDirOverride: null, pm2Instances: 1, script: null, zeroDowntime: false, ...over,
  };
}

function state(hostname: string, releaseDirs: string[] = []): ProbedState {
  return {
    user: 'root', uid: 0, home: '/root', hostname, sudo: true, systemd: true, rsync: true,
    tools: { rsync: true, node: true, 'systemd-analyze': true, pm2: false }, baseExists: true, ledgerText: null, lockText: null,
    currentTarget: null, releaseDirs, unitHash: null, base: '/opt/orders',
  };
}

const NOW = new Date('2026-12-01T14:05:01.123Z');

describe('one build for the fleet', () => {
  test('build: local: the first plan\'s build step runs once; every upload ships its staging folder', () => {
    // web2 already has this release id: its own plan gets "-2", and a staging folder of its own that is never filled.
    const plans = [state('web1'), state('web2', ['20261201T140501Z-a1b2c3d'])].map((st) => planDeploy({ spec: spec(), state: st, target: st.hostname, now: NOW, envProvided: 'none', stagingRoot: '/tmp' }));
    const shared = shareLocalBuild(plans);
    assert.ok(shared);
    assert.equal(shared.stage, '/tmp/deckhand-stage-orders-20261201T140501Z-a1b2c3d');
    assert.deepEqual(shared.step.actions.map((a) => a.type), ['local-transfer', 'local-run']);
    for (const p of shared.plans) {
      assert.ok(!p.steps.some((s) => s.id === 'build-local'));
      const upload = p.steps.find((s) => s.id === 'upload');
      const a = upload?.actions[0];
      assert.ok(a && a.type === 'transfer');
      assert.equal(a.from, shared.stage);
      assert.match(upload?.title ?? '', /^Upload \/tmp\/deckhand-stage-orders-20261201T140501Z-a1b2c3d /);
    }
    assert.equal(shared.plans[1]?.releaseId, '20261201T140501Z-a1b2c3d-2');
    // The plans given are not changed.
    assert.ok(plans.every((p) => p.steps.some((s) => s.id === 'build-local')));
  });

  test('build on the target: nothing is shared, each host installs for itself', () => {
    const plans = [state('web1'), state('web2')].map((st) => planDeploy({ spec: spec({ build: 'target' }), state: st, target: st.hostname, now: NOW, envProvided: 'none' }));
    assert.equal(shareLocalBuild(plans), null);
  });
});

describe('fleet flags and deckhand.yml hosts:', () => {
  const flags = { repo: '/nonexistent-deckhand-repo' };

  test('--to makes a fleet; a target with --to is refused; rollout flags without hosts are refused', async () => {
    assert.deepEqual(await fleetHosts(undefined, { ...flags, to: ['web1', 'web2'] }), { hosts: ['web1', 'web2'], config: null });
    await assert.rejects(fleetHosts('web0', { ...flags, to: ['web1'] }), /a target \(web0\) and --to were both given/);
    await assert.rejects(fleetHosts('web0', { ...flags, batch: '2' }), /--batch, --canary, --canary-window and --parallel are for a deploy to several hosts/);
    await assert.rejects(fleetHosts(undefined, { ...flags, canary: '1' }), (e: DeckhandError) => /several hosts/.test(e.message) && /--to HOST/.test(e.hint ?? ''));
    assert.equal(await fleetHosts('web0', flags), null);
  });

  test('hosts: in deckhand.yml is the fleet when no target is given; a target given deploys there alone', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dh-fleet-unit-'));
    try {
      await writeFile(join(dir, 'deckhand.yml'), 'hosts:\n  - deploy@web1\n  - deploy@web2\nrollout:\n  batch: 50%\n  canary: 1\n');
      const got = await fleetHosts(undefined, { repo: dir });
      assert.deepEqual(got?.hosts, ['deploy@web1', 'deploy@web2']);
      assert.equal(await fleetHosts('deploy@web9', { repo: dir }), null);
      const opts = fleetOptions({ source: dir }, [], { repo: dir }, got?.config ?? null);
      assert.deepEqual([opts.batchText, opts.batch, opts.canary, opts.windowMs, opts.canaryWindowMs, opts.parallel], ['50%', { kind: 'percent', percent: 50 }, 1, 10_000, 30_000, 8]);
      const over = fleetOptions({ source: dir }, [], { repo: dir, batch: '1', canary: '0', window: '3', canaryWindow: '1m', parallel: '2' }, got?.config ?? null);
      assert.deepEqual([over.batchText, over.canary, over.windowMs, over.canaryWindowMs, over.parallel], ['1', 0, 3000, 60_000, 2]);
      assert.throws(() => fleetOptions({ source: dir }, [], { repo: dir, window: '20m' }, null), /--window must be between 1s and 10m/);
      assert.throws(() => fleetOptions({ source: dir }, [], { repo: dir, parallel: '0' }, null), /--parallel must be a whole number from 1 to 64/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('deckhand.yml: hosts and rollout are checked; hosts beside services: is refused', () => {
    assert.throws(() => parseConfig('hosts: []\n', 'deckhand.yml'), /hosts/);
    assert.throws(() => parseConfig('hosts: ["web 1"]\n', 'deckhand.yml'), /a target such as deploy@web1\.example\.com/);
    assert.throws(() => parseConfig('hosts: [web1]\nrollout:\n  batch: half\n', 'deckhand.yml'), /rollout\.batch/);
    assert.throws(() => parseConfig('hosts: [web1]\nservices:\n  api:\n    app_dir: api\n', 'deckhand.yml'), /hosts: with services:, deploy settings belong to each service/);
  });
});

describe('fleet report', () => {
  const host = (n: number, batch: number, status: FleetReport['data']['hosts'][number]['status'], summary: string): FleetReport['data']['hosts'][number] => ({
    host: `root@web${n}:22`, target: `root@web${n}`, batch, canary: false, release: status === 'untouched' ? null : '20261201T140501Z-a1b2c3d',
    previousRelease: '20261130T100000Z-0f0f0f0', status, summary, durationMs: status === 'untouched' ? null : 7400, readiness: { verdict: 'READY', findings: [] }, execution: null, verification: null, rollback: null,
  });
  const rep: FleetReport = {
    schemaVersion: 1, tool: { name: 'deckhand', version: '0.1.0' }, stage: 'fleet', status: 'rolled-back', target: { kind: 'ssh', display: '4 hosts' },
    startedAt: NOW.toISOString(), durationMs: 21_000, findings: [], steps: [],
    data: {
      outcome: 'ROLLED_BACK', app: 'orders', strategy: 'systemd', release: '20261201T140501Z-a1b2c3d', batchSize: '2', canary: 0, windowMs: 4000, canaryWindowMs: null, parallel: 8,
      batches: [['root@web1:22', 'root@web2:22'], ['root@web3:22', 'root@web4:22']],
      build: { where: 'local', shared: true, title: 'Build here in /tmp/s: npm ci', durationMs: 3400 }, lock: 'every host\'s deploy lock',
      hosts: [host(1, 1, 'rolled-back', 'was VERIFIED; rolled back'), host(2, 1, 'rolled-back', 'verification FAILED: restarts'), host(3, 2, 'untouched', 'not deployed'), host(4, 2, 'untouched', 'not deployed')],
      failure: { host: 'root@web2:22', batch: 1, stage: 'verification', message: 'verification FAILED: restarts' },
    },
  };

  test('the report validates against its schema; the Markdown has a row per host and says where it stopped', () => {
    assert.ok(FleetReportSchema.safeParse(rep).success);
    const md = renderFleetMarkdown(rep);
    assert.match(md, /^## Fleet deploy of `orders` → 4 hosts: \*\*ROLLED_BACK\*\*/);
    assert.match(md, /\*\*Stopped at batch 1 \(root@web2:22\), verification:\*\* verification FAILED: restarts/);
    assert.match(md, /\*\*Build:\*\* once here \(3\.4 s\), the same files shipped to every host: Build here in \/tmp\/s: npm ci/);
    const rows = md.split('\n').filter((l) => /^\| [12] \| `root@web/.test(l));
    assert.deepEqual(rows.map((l) => l.split(' | ').at(-2)), ['**rolled-back**', '**rolled-back**', '**untouched**', '**untouched**']);
    assert.deepEqual(rows.map((l) => l.split(' | ')[2]), ['READY', 'READY', 'READY', 'READY']);
  });
});
