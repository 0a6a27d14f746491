// The readiness probe on a real BusyBox userland (an Alpine-like chroot): /proc fallbacks, no timeout(1), no awk, UNKNOWN never PASS.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import type { Finding } from '../../src/report/common.js';
import type { HostFacts, PortFact, Requirements } from '../../src/report/readiness.js';
import { evaluate, probeParams } from '../../src/stages/readiness/index.js';
import { parseProbe, TOOL_NAMES } from '../../src/stages/readiness/parse.js';
import { buildProbeScript } from '../../src/stages/readiness/probe.js';
import { resolveRequirements } from '../../src/stages/readiness/requirements.js';
import { verdict } from '../../src/stages/readiness/verdict.js';
import { loadVersionMatcher } from '../../src/stages/readiness/versions.js';
import { BUSYBOX_APT_PACKAGE, makeBusyboxRoot, type BusyboxRoot, type RootRun } from '../helpers/busybox-root.js';

const CI = process.env.CI === 'true';

function skipOrThrow(t: TestContext, reason: string): void {
  if (CI) throw new Error(`CI=true, so this cannot be skipped: ${reason}`);
  t.skip(reason);
}

function listen(port = 0): Promise<Server> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(port, '127.0.0.1', () => resolve(s));
  });
}
const portOf = (s: Server): number => {
  const a = s.address();
  if (a === null || typeof a === 'string') throw new Error('no TCP address');
  return a.port;
};
const close = (s: Server): Promise<void> => new Promise((resolve) => s.close(() => resolve()));

interface Probe { run: RootRun; facts: HostFacts; findings: Finding[]; why: string }

async function probe(root: BusyboxRoot, r: Requirements, opts: { rootIsMount?: boolean } = {}): Promise<Probe> {
  const params = probeParams(r);
  const run = root.run(buildProbeScript(params), opts);
  const facts = parseProbe({
    stdout: run.stdout, durationMs: Math.round(run.ms), ports: params.ports, disks: params.disks, dockerDisk: params.dockerDisk,
    baseDir: params.baseDir, app: params.app, reach: params.reach, envNames: params.envNames,
    ...(params.envFile !== undefined ? { envFile: params.envFile } : {}),
  });
  const findings = evaluate(facts, r, await loadVersionMatcher());
  const why = `exit ${String(run.status)}${run.signal ? ` (${run.signal})` : ''}\n--- stdout ---\n${run.stdout.slice(0, 6000)}\n--- stderr ---\n${run.stderr.slice(0, 2000)}`;
  return { run, facts, findings, why };
}

const finding = (p: Probe, id: string): Finding => {
  const f = p.findings.find((x) => x.id === id);
  assert.ok(f, `no finding ${id}; have ${p.findings.map((x) => x.id).join(', ')}`);
  return f;
};
const port = (p: Probe, n: number): PortFact => {
  const f = p.facts.ports.find((x) => x.port === n);
  assert.ok(f, `no port fact for ${n}`);
  return f;
};

/** What every run must hold, whatever the host lacks: an unknown fact is an UNKNOWN finding, never a PASS. */
function assertNoUnknownShownAsPass(p: Probe): void {
  for (const d of p.facts.disks) {
    const f = finding(p, `system.disk.${d.purpose}`);
    const measured = Number.isFinite(d.totalBytes) && Number.isFinite(d.availBytes);
    if (measured) assert.ok(['pass', 'warn', 'block'].includes(f.status), `${f.id}: ${f.status} with numbers\n${p.why}`);
    else {
      assert.equal(d.totalBytes, null);
      assert.equal(f.status, 'unknown', `${f.id} without numbers must be unknown, got ${f.status}: ${f.summary}`);
      assert.equal(f.required, true);
    }
  }
  for (const pf of p.facts.ports) {
    const f = finding(p, `port.${pf.port}`);
    if (pf.state === 'unknown') { assert.equal(f.status, 'unknown', `${f.id}: ${f.summary}`); assert.equal(f.required, true); }
    if (pf.state === 'free') assert.equal(f.status, 'pass');
    if (pf.state === 'in-use') assert.notEqual(f.status, 'pass', `${f.id}: a held port passed: ${f.summary}`);
  }
  const v = verdict(p.findings);
  if (p.findings.some((f) => f.status === 'unknown' && f.required)) assert.equal(v.verdict, 'NOT READY');
}

const portSummary = (p: Probe): { port: number; state: string; via: string; pids: number[] }[] =>
  p.facts.ports.map((x) => ({ port: x.port, state: x.state, via: x.via, pids: x.holders.map((h) => h.pid).sort() }));

test('deckhand check probe on a BusyBox (Alpine-like) host', { timeout: 600_000 }, async (t) => {
  const setup = makeBusyboxRoot();
  if (!setup.ok) { skipOrThrow(t, `BusyBox root unavailable: ${setup.reason} (needs root, unshare, chroot and the ${BUSYBOX_APT_PACKAGE} apt package)`); return; }
  const root = setup.root;
  const busyServer = await listen();
  const busy = portOf(busyServer);
  const probeFree = await listen();
  const free = portOf(probeFree);
  await close(probeFree);
  try {
    const req = await resolveRequirements({ require: ['node>=20'], port: [busy, free] });
    let first: Probe | undefined;

    await t.test('full BusyBox userland: completes, Alpine, /proc port fallback with the holder PID, tools absent', async () => {
      assert.ok(!root.applets.includes('ss') && !root.applets.includes('lsof'), 'this busybox has ss or lsof: the /proc fallback would not be exercised');
      const p = await probe(root, req);
      first = p;
      assert.equal(p.run.status, 0, p.why);
      assert.equal(p.facts.probe.complete, true, p.why);
      assert.equal(p.facts.os.id, 'alpine');
      assert.equal(p.facts.os.version, '3.20.0');
      assert.equal(p.facts.os.prettyName, 'Alpine Linux v3.20');
      assert.ok(Number.isInteger(p.facts.cpu.count) && (p.facts.cpu.count ?? 0) >= 1, `cpu count ${String(p.facts.cpu.count)}`);
      assert.ok(Number.isFinite(p.facts.memory.totalBytes) && (p.facts.memory.totalBytes ?? 0) > 0, 'memory total');
      assert.ok(Number.isFinite(p.facts.memory.availableBytes), 'memory available');
      assert.equal(p.facts.user.uid, 0);

      const b = port(p, busy);
      assert.equal(b.via, 'proc', p.why);
      assert.equal(b.state, 'in-use', p.why);
      assert.ok(b.holders.some((h) => h.pid === process.pid), `holder of ${busy} should be this process (${process.pid}): ${JSON.stringify(b.holders)}\n${p.why}`);
      assert.equal(finding(p, `port.${busy}`).status, 'block');
      assert.match(finding(p, `port.${busy}`).summary, new RegExp(`PID ${process.pid}\\b`));
      const f = port(p, free);
      assert.equal(f.via, 'proc');
      assert.equal(f.state, 'free', p.why);
      assert.equal(finding(p, `port.${free}`).status, 'pass');

      // / is a mount point here, so BusyBox df measures every path.
      for (const d of p.facts.disks) {
        assert.ok(Number.isFinite(d.totalBytes) && Number.isFinite(d.availBytes), `disk ${d.purpose}: ${JSON.stringify(d)}`);
        assert.ok(['pass', 'warn', 'block'].includes(finding(p, `system.disk.${d.purpose}`).status));
      }

      for (const name of TOOL_NAMES) assert.equal(p.facts.tools[name]?.present, false, `${name}: ${JSON.stringify(p.facts.tools[name])}`);
      const node = finding(p, 'runtime.node');
      assert.equal(node.status, 'block');
      assert.match(node.summary, /^not installed, >=20 required/);
      assert.equal(verdict(p.findings).verdict, 'NOT READY');
      assertNoUnknownShownAsPass(p);
    });

    await t.test('without the timeout applet: the sleep-and-kill fallback runs and the facts are the same', async (st) => {
      if (root.standalone) { skipOrThrow(st, `${root.busybox} runs applets without their links (FEATURE_SH_STANDALONE, e.g. busybox-static): install the ${BUSYBOX_APT_PACKAGE} package`); return; }
      root.removeApplet('timeout');
      try {
        assert.notEqual(root.run('command -v timeout').status, 0, 'timeout is still reachable in the root');
        const p = await probe(root, req);
        assert.equal(p.run.status, 0, p.why);
        assert.equal(p.facts.probe.complete, true, p.why);
        // The fallback must not wait for its watchdogs (`to 5 df` would then take 5 s per path).
        assert.ok(p.run.ms < 5000, `probe took ${Math.round(p.run.ms)} ms`);
        for (const d of p.facts.disks) assert.ok(Number.isFinite(d.totalBytes), `disk ${d.purpose} through to(): ${JSON.stringify(d)}\n${p.why}`);
        assert.deepEqual(portSummary(p), portSummary(first ?? p));
        assert.equal(port(p, busy).state, 'in-use');
        assert.ok(port(p, busy).holders.some((h) => h.pid === process.pid));
        assert.equal(port(p, free).state, 'free');
        assertNoUnknownShownAsPass(p);
      } finally { root.restoreApplet('timeout'); }
    });

    await t.test('without awk: the busy port is never reported free, and unknown ports are UNKNOWN findings', async (st) => {
      if (root.standalone) { skipOrThrow(st, `${root.busybox} runs applets without their links (FEATURE_SH_STANDALONE, e.g. busybox-static): install the ${BUSYBOX_APT_PACKAGE} package`); return; }
      root.removeApplet('awk');
      try {
        assert.notEqual(root.run('command -v awk').status, 0, 'awk is still reachable in the root');
        const p = await probe(root, req);
        assert.equal(p.facts.probe.complete, true, p.why);
        const b = port(p, busy);
        assert.ok(b.state === 'unknown' || b.state === 'in-use', `busy port ${busy} reported ${b.state}\n${p.why}`);
        assert.notEqual(finding(p, `port.${busy}`).status, 'pass');
        for (const n of [busy, free]) {
          const pf = port(p, n);
          if (pf.state === 'unknown') {
            assert.equal(finding(p, `port.${n}`).status, 'unknown');
            assert.ok(pf.error, `port ${n} unknown without a reason`);
          }
        }
        assert.equal(verdict(p.findings).verdict, 'NOT READY');
        assertNoUnknownShownAsPass(p);
      } finally { root.restoreApplet('awk'); }
    });

    await t.test('df that cannot find the mount point gives UNKNOWN disks, never PASS', async () => {
      const p = await probe(root, req, { rootIsMount: false });
      assert.equal(p.facts.probe.complete, true, p.why);
      if (/can't find mount point/.test(p.run.stdout)) {
        for (const d of p.facts.disks) {
          const f = finding(p, `system.disk.${d.purpose}`);
          assert.equal(d.totalBytes, null);
          assert.equal(f.status, 'unknown', `${f.id}: ${f.summary}`);
          assert.match(f.summary, /could not measure free space/);
        }
      }
      assertNoUnknownShownAsPass(p);
    });
  } finally {
    await close(busyServer);
    const leaked = root.leakedMounts();
    root.cleanup();
    assert.deepEqual(leaked, [], 'mounts of the BusyBox root leaked into the test process namespace');
  }
});
