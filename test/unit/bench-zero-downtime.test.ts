// The zero-downtime benchmark's figures (percentiles, gaps, windows, switch moment, table) and its load runner against a real local server.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Server as NetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { bundleLoadRunner } from '../../bench/zero-downtime/bundle.js';
import { stepStartTitle, switchMoment, type ReportTiming } from '../../bench/zero-downtime/deploy-timing.js';
import { FIRST_ANSWER, OUTCOME, parseLoadArgs, type LoadOutput } from '../../bench/zero-downtime/load-format.js';
import { fmt, renderTable, renderVersionOrder } from '../../bench/zero-downtime/render.js';
import { longestGap, median, medianRow, percentile, splitWindow, summarizeRun } from '../../bench/zero-downtime/stats.js';

describe('percentile and median', () => {
  test('nearest rank over unsorted values; none is null, never 0', () => {
    const v = [5, 1, 4, 2, 3, 10, 9, 8, 7, 6];
    assert.equal(percentile(v, 50), 5);
    assert.equal(percentile(v, 90), 9);
    assert.equal(percentile(v, 99), 10);
    assert.equal(percentile(v, 0), 1);
    assert.equal(percentile([42], 99), 42);
    assert.equal(percentile([], 99), null);
    assert.deepEqual(v, [5, 1, 4, 2, 3, 10, 9, 8, 7, 6], 'the input is not reordered');
  });

  test('median of the known values: odd, even, unknowns skipped, all unknown is null', () => {
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.equal(median([null, 7, null]), 7);
    assert.equal(median([null, null]), null);
    assert.equal(median([]), null);
  });
});

describe('longestGap', () => {
  test('between consecutive successes, wherever they are in the list', () => {
    assert.deepEqual(longestGap([100, 110, 120, 400, 410], 420), { ms: 280, at: 120 });
    assert.deepEqual(longestGap([400, 100, 120, 110, 410], 420), { ms: 280, at: 120 });
  });

  test('a service that never came back counts until the load ended; time before the first success does not count', () => {
    assert.deepEqual(longestGap([1000, 1010], 5000), { ms: 3990, at: 1010 });
    assert.deepEqual(longestGap([5000, 5010], 5020), { ms: 10, at: 5000 });
  });

  test('no success at all is unknown', () => {
    assert.equal(longestGap([], 100), null);
  });
});

describe('splitWindow', () => {
  test('before the start, from the start up to (not including) the end, from the end on', () => {
    const w = splitWindow([1, 9, 10, 15, 19, 20, 30], (x) => x, 10, 20);
    assert.deepEqual(w, { before: [1, 9], during: [10, 15, 19], after: [20, 30] });
  });
});

/** A load of the given records (sent, done, code, version index) starting at epoch 1_000_000. */
function load(requests: LoadOutput['requests'], seconds: number, versions = ['1.0.0', '2.0.0']): LoadOutput {
  return { t0Epoch: 1_000_000, rate: 500, connections: 20, seconds, stopReason: 'stdin closed', versions, requests, retried: 2, idleConnectFailures: 0, errorCodes: {} };
}

describe('summarizeRun', () => {
  const t0 = 1_000_000;
  const records: LoadOutput['requests'] = [
    [0, 2, 200, 0], [100, 104, 200, 0], // before the deploy (1000..3000)
    [1000, 1010, 200, 0], [1100, 1101, OUTCOME.socketError, -1], [1200, 1300, 503, -1],
    [1400, 6400, OUTCOME.timeout, -1], [1500, 1550, 200, 1], [2000, 2020, 200, 1],
    [3000, 3003, 200, 1], [3500, 3500, OUTCOME.abandoned, -1], // after
  ];
  const f = summarizeRun(load(records, 4), { start: t0 + 1000, end: t0 + 3000, switchAt: t0 + 1450, switchMs: 120 });

  test('counts: every kind of failure; retries are the runner\'s count, not extra requests', () => {
    assert.equal(f.sent, 10);
    assert.deepEqual(f.failedBy, { non2xx: 1, socket: 1, timeout: 1, abandoned: 1 });
    assert.equal(f.failed, 4);
    assert.equal(f.failedPct, (100 * 4) / 10);
    assert.equal(f.retried, 2);
    assert.deepEqual(f.failedSentAtMs, [100, 200, 400, 2500], 'the failed ones by send time, from the deploy start');
    assert.equal(f.rate, 10 / 4);
  });

  test('p99 per window of the 2xx latencies, by send time', () => {
    assert.deepEqual(f.p99, { before: 4, during: 50, after: 3 });
  });

  test('longest gap between 2xx answers up to the end of the load, placed relative to the deploy start', () => {
    // 2xx done times: 2, 104, 1010, 1550, 2020, 3003; load end 4000.
    assert.equal(f.longestGapMs, 4000 - 3003);
    assert.equal(f.gapAtMs, 3003 - 1000);
  });

  test('switch and version change relative to the deploy start', () => {
    assert.equal(f.deployMs, 2000);
    assert.equal(f.switchMs, 120);
    assert.equal(f.switchAtMs, 450);
    assert.equal(f.firstNewAtMs, 550);
    assert.equal(f.lastOldAtMs, 10);
    assert.deepEqual(f.versionOrder, ['1.0.0', '2.0.0']);
  });

  test('nothing answered: gap, p99 and versions are unknown, not zero', () => {
    const none = summarizeRun(load([[0, 1, OUTCOME.socketError, -1]], 1), { start: t0, end: t0 + 500, switchAt: null, switchMs: null });
    assert.equal(none.longestGapMs, null);
    assert.deepEqual(none.p99, { before: null, during: null, after: null });
    assert.equal(none.firstNewAtMs, null);
    assert.equal(none.switchAtMs, null);
    assert.deepEqual(none.versionOrder, []);
    assert.equal(none.failed, 1);
  });

  test('medianRow: medians over runs, unknowns skipped', () => {
    const g = summarizeRun(load([[0, 1, 200, 0], [10, 12, 200, 1]], 1), { start: t0 + 5, end: t0 + 8, switchAt: null, switchMs: null });
    const row = medianRow([f, g, f]);
    assert.equal(row.runs, 3);
    assert.equal(row.sent, 10);
    assert.equal(row.rate, 10 / 4);
    assert.equal(row.failed, 4);
    assert.equal(row.switchMs, 120);
    assert.equal(medianRow([g]).switchMs, null);
  });
});

describe('switchMoment', () => {
  const report: ReportTiming = {
    steps: [{ id: 'switch', title: 'Switch current', durationMs: 20 }, { id: 'start', title: 'Start app (blue-green)', durationMs: 2000 }],
    data: {
      commands: [
        { step: 'switch', command: 'ln -sfn …', durationMs: 20 },
        { step: 'start', command: 'systemctl daemon-reload', durationMs: 100 },
        { step: 'start', command: "sh -c '…' deckhand-slot-start app", durationMs: 90 },
        { step: 'start', command: "sh -c '…' deckhand-slot-switch app", durationMs: 800 },
        { step: 'start', command: "sh -c '…' deckhand-slot-switch app", durationMs: 5 },
      ],
    },
  };
  const isSwitch = (c: string): boolean => c.includes('deckhand-slot-switch');

  test('the step start seen here plus the step\'s commands before it; the first matching command', () => {
    const starts = [{ title: 'Switch current', at: 5000 }, { title: 'Start app (blue-green)', at: 6000 }, { title: 'Start app (blue-green)', at: 9000 }];
    assert.deepEqual(switchMoment(report, starts, isSwitch), { at: 6190, ms: 800 });
  });

  test('a step start never seen: the duration only; no such command: both unknown', () => {
    assert.deepEqual(switchMoment(report, [], isSwitch), { at: null, ms: 800 });
    assert.deepEqual(switchMoment(report, [], (c) => c.includes('pm2 reload')), { at: null, ms: null });
  });

  test('stepStartTitle reads deckhand\'s plain step lines only', () => {
    assert.equal(stepStartTitle('… Start app (blue-green)'), 'Start app (blue-green)');
    assert.equal(stepStartTitle('PASS Start app (blue-green) (2000 ms)'), null);
    assert.equal(stepStartTitle('error: nope'), null);
  });
});

describe('table', () => {
  test('one row per scenario: medians, unknown as —, not available with its reason and no figures', () => {
    const row = { runs: 3, sent: 9047, rate: 499.6, failed: 0, failedPct: 0, retried: 1, longestGapMs: 91.4, p99: { before: 28.14, during: null, after: 21 }, switchMs: 868 };
    const md = renderTable([
      { name: 'blue-green systemd', status: 'measured', row, runs: [], deployFailures: [] },
      { name: 'pm2 reload', status: 'measured', row, runs: [], deployFailures: ['slot never healthy'] },
      { name: 'compose replacement', status: 'not available', reason: 'zero downtime is for systemd | pm2' },
    ]);
    assert.equal(md, [
      '| scenario | runs | requests sent | sent/s | failed | failed % | retried | longest gap (ms) | p99 before (ms) | p99 during (ms) | p99 after (ms) | switch time (ms) |',
      '|---|---|---|---|---|---|---|---|---|---|---|---|',
      '| blue-green systemd | 3 | 9047 | 500 | 0 | 0.00 | 1 | 91 | 28.1 | — | 21.0 | 868 |',
      '| pm2 reload (1 of 3 deploys failed) | 3 | 9047 | 500 | 0 | 0.00 | 1 | 91 | 28.1 | — | 21.0 | 868 |',
      '| compose replacement | not available: zero downtime is for systemd \\| pm2 | | | | | | | | | | |',
    ].join('\n'));
    assert.equal(fmt(null), '—');
    assert.equal(renderVersionOrder(['1', '2', '1', '2']), '1 → 2 → 1 → 2');
    assert.equal(renderVersionOrder(['1', '2', '1', '2', '1', '2']), '1 → 2 … 2 (the answering release changed 5 times while both answered)');
    assert.equal(renderVersionOrder([]), 'nothing');
    assert.equal(fmt(0), '0');
  });
});

describe('parseLoadArgs', () => {
  const ok = { port: 8841, path: '/version', rate: 500, connections: 20, maxSec: 60, maxCount: 30000, timeoutSec: 5, stopFile: '/tmp/x.stop' };
  test('accepts a complete argument and names the field that is wrong', () => {
    assert.deepEqual(parseLoadArgs(JSON.stringify(ok)), ok);
    assert.throws(() => parseLoadArgs(JSON.stringify({ ...ok, port: 70000 })), /port must be a whole number from 1 to 65535/);
    assert.throws(() => parseLoadArgs(JSON.stringify({ ...ok, path: 'version' })), /path must start with \//);
    assert.throws(() => parseLoadArgs(JSON.stringify({ ...ok, connections: 600 })), /connections must not exceed rate/);
    assert.throws(() => parseLoadArgs(JSON.stringify({ ...ok, stopFile: undefined })), /stopFile must be a non-empty string/);
    assert.throws(() => parseLoadArgs(undefined), /usage/);
  });
});

describe('load runner (bundled, against a real local server)', () => {
  let dir = '';
  let runner = '';
  let server: Server | null = null;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'zdb-unit-'));
    runner = join(dir, 'load.cjs');
    await bundleLoadRunner(runner);
  });
  after(() => {
    server?.close();
    server?.closeAllConnections();
    rmSync(dir, { recursive: true, force: true });
  });

  const listen = (version: string, port = 0): Promise<Server> => new Promise((resolve) => {
    const s = createServer((_req, res) => { res.setHeader('content-type', 'application/json'); res.end(JSON.stringify({ version })); });
    s.listen(port, '127.0.0.1', () => resolve(s));
  });
  const close = (s: Server): Promise<void> => new Promise((resolve) => { s.close(() => resolve()); s.closeAllConnections(); });

  /** Starts the runner; `during` runs after its first answer; then its stdin is closed and its output parsed. */
  async function run(port: number, during: () => Promise<void>): Promise<LoadOutput> {
    const args = { port, path: '/version', rate: 200, connections: 10, maxSec: 60, maxCount: 100_000, timeoutSec: 5, stopFile: join(dir, 'stop') };
    const child = spawn(process.execPath, [runner, JSON.stringify(args)], { stdio: ['pipe', 'pipe', 'pipe'] });
    const closed = new Promise<number | null>((resolve) => { child.on('close', resolve); });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    await new Promise<void>((resolve, reject) => {
      child.stderr.on('data', (d: Buffer) => { err += d.toString(); if (err.includes(FIRST_ANSWER)) resolve(); });
      void closed.then(() => reject(new Error(`runner ended before its first answer: ${err}`)));
    });
    await during();
    child.stdin.end();
    const code = await closed;
    assert.equal(code, 0, err);
    return JSON.parse(out) as LoadOutput;
  }

  test('a server that stays up: every request answered 2xx by the one version; stops when its stdin closes', async () => {
    server = await listen('a');
    const port = (server.address() as AddressInfo).port;
    const out = await run(port, () => new Promise((res) => setTimeout(res, 1000)));
    assert.equal(out.stopReason, 'stdin closed');
    assert.ok(out.requests.length > 0);
    assert.deepEqual(out.requests.filter((r) => r[2] !== 200), []);
    assert.deepEqual(out.versions, ['a']);
    assert.ok(out.requests.every(([sent, done]) => done >= sent));
    await close(server);
    server = null;
  });

  test('a restart: the requests while nothing listens fail as socket errors, the new version answers after', async () => {
    server = await listen('a');
    const port = (server.address() as AddressInfo).port;
    const out = await run(port, async () => {
      await new Promise((res) => setTimeout(res, 300));
      await close(server as Server);
      await new Promise((res) => setTimeout(res, 500));
      server = await listen('b', port);
      await new Promise((res) => setTimeout(res, 500));
    });
    const codes = new Set(out.requests.map((r) => r[2]));
    assert.ok(out.requests.some((r) => r[2] === OUTCOME.socketError), `socket errors recorded (codes seen: ${[...codes].join(', ')})`);
    assert.ok((out.errorCodes.ECONNREFUSED ?? 0) > 0, JSON.stringify(out.errorCodes));
    assert.deepEqual(out.versions, ['a', 'b']);
    assert.ok([...codes].every((c) => c === 200 || c === OUTCOME.socketError), `only answers and socket errors (codes seen: ${[...codes].join(', ')})`);
    const last = out.requests.filter((r) => r[2] === 200).pop();
    assert.equal(out.versions[last?.[3] ?? -1], 'b', 'the last answer came from the new server');
  });

  /** A raw server that answers one request per connection and drops the connection at the next one (no answer, no `Connection: close`). */
  const oneShot = (answerFresh: boolean): Promise<NetServer> => new Promise((resolve) => {
    const s = createNetServer((sock) => {
      let n = 0;
      sock.on('error', () => undefined);
      sock.on('data', () => {
        n++;
        if (n === 1 && answerFresh) sock.write('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 15\r\n\r\n{"version":"k"}');
        else sock.destroy();
      });
    });
    s.listen(0, '127.0.0.1', () => resolve(s));
  });

  test('a kept-alive connection closed under a request: sent again once on a new one, answered, not failed', async () => {
    const s = await oneShot(true);
    try {
      const out = await run((s.address() as AddressInfo).port, () => new Promise((res) => setTimeout(res, 800)));
      assert.ok(out.retried > 0, 'requests were retried');
      assert.deepEqual(out.requests.filter((r) => r[2] !== 200), [], JSON.stringify(out.errorCodes));
      assert.deepEqual(out.versions, ['k']);
    } finally { s.close(); }
  });

  test('a fresh connection closed without an answer is a failure, not a retry', async () => {
    const s = await oneShot(false);
    try {
      // Never answered, so no first answer to wait for: the runner ends by its own time bound.
      const args = { port: (s.address() as AddressInfo).port, path: '/version', rate: 100, connections: 5, maxSec: 2, maxCount: 1000, timeoutSec: 2, stopFile: join(dir, 'stop2') };
      const child = spawn(process.execPath, [runner, JSON.stringify(args)], { stdio: ['pipe', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      assert.equal(code, 0);
      const o = JSON.parse(out) as LoadOutput;
      assert.equal(o.stopReason, 'max duration');
      assert.equal(o.retried, 0);
      assert.ok(o.requests.length > 0 && o.requests.every((r) => r[2] === OUTCOME.socketError), 'every request failed');
      assert.equal(o.errorCodes['closed before answering'], o.requests.length, JSON.stringify(o.errorCodes));
    } finally { s.close(); }
  });

  test('the stop file ends a run too', async () => {
    server ??= await listen('b');
    const port = (server.address() as AddressInfo).port;
    const out = await run(port, async () => { writeFileSync(join(dir, 'stop'), ''); await new Promise((res) => setTimeout(res, 300)); });
    assert.equal(out.stopReason, 'stop file');
  });
});
