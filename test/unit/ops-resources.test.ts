// ops resources: growth arithmetic, the sample parser and totals, the judgements (leak, fd exhaustion, restarts), the sampling builder.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { Redactor } from '../../src/core/redact.js';
import { RecordingExecutor } from '../../src/exec/recording.js';
import { PM2_FILTER } from '../../src/commands/verify-probe.js';
import { resourceSamplesCommand } from '../../src/commands/ops-resources.js';
import { fdExhaustion, growth, stableRun, steady } from '../../src/stages/operate/resources/analyze.js';
import { parseProcLine, parseResourceSamples, totals } from '../../src/stages/operate/resources/samples.js';
import { opsResources } from '../../src/stages/operate/resources/index.js';
import { OperationsReportSchema } from '../../src/report/operations.js';
import { renderOperationsMarkdown } from '../../src/report/markdown-operations.js';

const MIB_KB = 1024;

/** Canned sampler output: one process per sample with the given RSS (MiB) and fds. */
function canned(rows: { pid?: number; rssMib: number; fds: number | '-'; cpu: number; lim?: number }[], step = 2): string {
  return [
    'priv=sudo', 'clk=100',
    ...rows.flatMap((r, i) => [`@@sample ${i} ${(1000 + i * step).toFixed(2)}`, 'units=api.service', `pids=${r.pid ?? 4242}`,
      `proc ${r.pid ?? 4242} ${Math.round(r.rssMib * MIB_KB)} 11 ${r.fds} ${r.lim ?? 1024} ${r.cpu} node`]),
    '@@end',
  ].join('\n');
}

describe('growth and judgements', () => {
  it('a straight line: slope per minute, every interval rising, R² 1', () => {
    const g = growth([0, 10, 20, 30].map((t) => ({ t, v: 100 + t })));
    assert.deepEqual(g, { first: 100, last: 130, min: 100, max: 130, delta: 30, slopePerMinute: 60, risingSteps: 3, steps: 3, r2: 1 });
    assert.equal(steady(g, 10), true);
    assert.equal(steady(g, 31), false, 'below the minimum growth');
  });

  it('a flat series has no R² and is not growth; noise is not steady', () => {
    const flat = growth([0, 1, 2].map((t) => ({ t, v: 5 })));
    assert.equal(flat?.r2, null);
    assert.equal(steady(flat as NonNullable<typeof flat>, 0), false);
    const noisy = growth([50, 58, 49, 57, 50, 59].map((v, t) => ({ t, v })));
    assert.ok(noisy && !steady(noisy, 5));
    assert.equal(growth([{ t: 0, v: 1 }]), null);
  });

  it('restarts: growth is judged after the last change of the PID set', () => {
    const s = (pids: number[]) => ({ t: 0, pids, rssBytes: 0, fds: 0, threads: 0, cpuPercent: null });
    assert.deepEqual(stableRun([s([1]), s([1]), s([2]), s([2]), s([2])]), { from: 2, restarts: 1 });
    assert.deepEqual(stableRun([s([1, 2]), s([1, 2])]), { from: 0, restarts: 0 });
  });
});

describe('sample output', () => {
  it('proc lines: numbers, unreadable fds, a command name with spaces', () => {
    assert.deepEqual(parseProcLine('proc 12 2048 7 - 1024 350 php-fpm: pool www'), { pid: 12, rssKb: 2048, threads: 7, fds: null, fdLimit: 1024, cpuTicks: 350, comm: 'php-fpm: pool www' });
    assert.equal(parseProcLine('pids=12'), null);
  });

  it('totals: RSS in bytes, fds summed, CPU % from the ticks of the processes present in both samples', () => {
    const p = parseResourceSamples(['priv=root', 'clk=100', '@@sample 0 100.00', 'pids=1 2', 'proc 1 1000 2 10 1024 100 a', 'proc 2 500 1 5 1024 50 b',
      '@@sample 1 102.00', 'pids=1 3', 'proc 1 1100 2 12 1024 150 a', 'proc 3 300 1 4 1024 900 c', '@@end'].join('\n'));
    assert.equal(p.complete, true);
    assert.deepEqual(totals(p), [
      { t: 0, pids: [1, 2], rssBytes: 1500 * 1024, fds: 15, threads: 3, cpuPercent: null },
      // pid 1 used 50 ticks (0.5 s) in 2 s: 25%; pid 3 is new, its earlier CPU time does not count.
      { t: 2, pids: [1, 3], rssBytes: 1400 * 1024, fds: 16, threads: 3, cpuPercent: 25 },
    ]);
  });
});

describe('the sampling builder', () => {
  it('exact arguments, valid sh, a timeout that covers the window', () => {
    const c = resourceSamplesCommand({ app: 'api', kind: 'systemd', samples: 13, intervalSec: 5, pm2: 'pm2' });
    assert.equal(spawnSync('sh', ['-n', '-c', c.argv[2] ?? '']).status, 0);
    assert.deepEqual([...c.argv.slice(3, 9), c.argv[11]], ['deckhand-ops-resources', 'api', 'systemd', '13', '5', 'pm2', 'systemd']);
    assert.equal(c.argv[9], PM2_FILTER);
    assert.equal(spawnSync('sh', ['-n', '-c', c.argv[10] ?? '']).status, 0, 'the /proc reader is valid sh');
    assert.equal(c.timeoutMs, 60_000 + 60_000 + 65_000);
    assert.equal(c.mutates, false);
    assert.equal(resourceSamplesCommand({ app: 'api', kind: 'blue-green', samples: 1, intervalSec: 0.05, pm2: 'pm2' }).argv.slice(5, 8).join(' '), 'blue-green 2 0.2');
  });
});

describe('the stage under a scripted target', () => {
  const ledger = JSON.stringify({ schemaVersion: 1, app: 'api', releases: [{ id: '20261201T120000Z-abc1234', commit: 'abc1234', dirty: false, strategy: 'systemd', status: 'current', deployedAt: '2026-12-01T12:00:00Z', deployedBy: 'me@here', deckhandVersion: '0.1.0' }] });
  const state = `user=deploy\nuid=1000\nhome=/home/deploy\nhostname=web1\nsudo=1\nsystemd=1\nbase=/opt/api\nbase_exists=1\n@@ledger\n${ledger}\n@@end\n`;
  const run = async (samples: string) => {
    const ex = new RecordingExecutor([{ match: 'deckhand-ops-resources', stdout: samples }, { match: () => true, stdout: state }]);
    const rep = await opsResources({ executor: ex, redactor: new Redactor() }, { app: 'api', baseDir: null, windowMs: 20_000, intervalMs: 2000 });
    OperationsReportSchema.parse(rep);
    return rep;
  };

  it('RSS rising 1 MiB per sample: leak suspected, attention', async () => {
    const rep = await run(canned(Array.from({ length: 11 }, (_, i) => ({ rssMib: 40 + i, fds: 20, cpu: 100 + i }))));
    assert.equal(rep.status, 'attention');
    assert.equal(rep.data.task === 'resources' && rep.data.leakSuspected, true);
    assert.equal(rep.findings.find((f) => f.id === 'resources.rss')?.summary, 'leak suspected: RSS grew steadily 40.0 MiB → 50.0 MiB (+30.0 MiB/min, rising in 10 of 10 intervals, R² 1)');
    assert.match(renderOperationsMarkdown(rep), /- \*\*Memory \(RSS\):\*\* 40\.0 MiB → 50\.0 MiB \(\+10\.0 MiB, \+30\.0 MiB\/min, rising in 10 of 10 intervals\) — \*\*Leak suspected\*\*/);
  });

  it('steady fds toward a low limit: exhaustion risk with the time left at the current slope', async () => {
    const rep = await run(canned(Array.from({ length: 11 }, (_, i) => ({ rssMib: 40, fds: 100 + 10 * i, cpu: 100, lim: 1024 }))));
    const f = rep.findings.find((x) => x.id === 'resources.fds');
    assert.equal(f?.status, 'warn');
    // 200 of 1024, +300/min: (1024 - 200) / 300 = 2.7 min.
    assert.equal(f?.summary, 'fd exhaustion risk: pid 4242 holds 200 of 1024 and gains 300.0/min: the limit is reached in ~3 min');
    assert.equal(rep.data.task === 'resources' ? rep.data.fdExhaustion?.etaMinutes : null, 2.7);
  });

  it('flat memory and fds: ok; unreadable fds: unknown, never pass', async () => {
    const calm = await run(canned(Array.from({ length: 6 }, () => ({ rssMib: 60, fds: 19, cpu: 5 }))));
    assert.equal(calm.status, 'ok', calm.findings.map((f) => `${f.status} ${f.id} ${f.summary}`).join('\n'));
    const blind = await run(canned(Array.from({ length: 6 }, () => ({ rssMib: 60, fds: '-' as const, cpu: 5 }))).replace('priv=sudo', 'priv=none'));
    assert.equal(blind.status, 'unknown');
    assert.equal(blind.findings.find((f) => f.id === 'resources.fds')?.remedy, 'connect as root, as the service user, or as a user with passwordless sudo');
  });

  it('no process in any sample: the service is down (fail); a restart mid-window is reported and growth judged after it', async () => {
    const down = await run('priv=root\nclk=100\n@@sample 0 1.00\npids=\n@@sample 1 3.00\npids=\n@@end\n');
    assert.equal(down.status, 'failed');
    assert.match(down.findings[0]?.summary ?? '', /^no process of api \(systemd\) was running in any of the 2 samples/);
    const restarted = await run(canned([...Array.from({ length: 3 }, (_, i) => ({ pid: 10, rssMib: 90 + i * 5, fds: 20, cpu: 1 })), ...Array.from({ length: 5 }, () => ({ pid: 11, rssMib: 40, fds: 20, cpu: 1 }))]));
    assert.equal(restarted.findings[0]?.id, 'resources.restarts');
    assert.deepEqual(restarted.data.task === 'resources' ? [restarted.data.restarts, restarted.data.judgedFrom, restarted.data.leakSuspected] : null, [1, 3, false]);
  });

  it('fdExhaustion prefers the process that runs out first', () => {
    const p = parseResourceSamples(canned(Array.from({ length: 4 }, (_, i) => ({ rssMib: 1, fds: 10 + 10 * i, cpu: 0, lim: 100 }))));
    assert.deepEqual(fdExhaustion(p, 0), { pid: 4242, current: 40, limit: 100, perMinute: 300, etaMinutes: 0.2 });
  });
});
