// ops baseline: reading recorded baselines (old and new), the window, what a baseline holds, and both tasks end to end on a recording executor with canary secrets.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Redactor } from '../../src/core/redact.js';
import { RecordingExecutor } from '../../src/exec/recording.js';
import { OperationsReportSchema } from '../../src/report/operations.js';
import { renderOperationsMarkdown } from '../../src/report/markdown-operations.js';
import { OpsBaselineSchema } from '../../src/report/ops/baseline.js';
import { factsForBaseline, parseBaseline } from '../../src/stages/operate/baseline.js';
import { dependenciesOf, opsBaseline } from '../../src/stages/operate/baseline-task.js';
import { releaseWindow } from '../../src/stages/operate/inspect/collect.js';
import { inspect } from '../../src/stages/operate/inspect/index.js';
import { parseInspectProbe } from '../../src/stages/operate/inspect/probe.js';

const REL = '20261201T140000Z-0a1b2c3';
const CANARY = 'canary-Bz7Kw2Qx9Lp4';
/** The canary, or any fragment of it a normaliser could leave behind. */
const leaks = (text: string): boolean => text.includes(CANARY) || text.includes('canary-Bz') || text.includes('Kw2Qx');
const NOW = Date.parse('2026-12-01T15:00:00Z') / 1000;

const LEDGER = JSON.stringify({ schemaVersion: 1, app: 'api', releases: [{ id: REL, commit: '0a1b2c3d', dirty: false, strategy: 'systemd', status: 'current', deployedAt: '2026-12-01T14:00:00.000Z', deployedBy: 'ci@b', deckhandVersion: '0.1.0', port: 3000, healthPath: '/health' }] });
const STATE = ['user=deploy', 'uid=1000', 'home=/home/deploy', 'hostname=web1', 'sudo=1', 'systemd=1', 'base=/opt/api', 'base_exists=1', `current=/opt/api/releases/${REL}`, '@@ledger', LEDGER, '@@end', '@@lock', '@@end', '@@releases', REL, '@@end', 'unit=1-2'].join('\n');
const ENV = `DATABASE_URL=postgres://app:${CANARY}@db.internal:5432/app\nAPI_TOKEN=${CANARY}\nNODE_ENV=production\n`;

function probe(logs: string[], baseline = '', active = 'active'): string {
  return [
    '@@meta', 'priv=sudo', `now=${NOW}`, `since=${NOW - 3600}`, 'hz=100', 'memtotal_kb=4028416', `current=/opt/api/releases/${REL}`,
    '@@service', 'unit=api.service', 'systemd.LoadState=loaded', `systemd.ActiveState=${active}`, 'systemd.SubState=running', 'systemd.NRestarts=1', 'systemd.MainPID=812', 'systemd.MemoryMax=infinity', `systemd.since=${NOW - 600}`,
    '@@pid 812', 'comm=node', 'ticks=100 10', 'rss_kb=51200', 'threads=7', 'fds=21', 'fdlimit=1024', 'memlimit=',
    '@@cpu', 'uptime=1.00 2.00', 'ticks 812 110',
    '@@disk', 'base_kb=2048', 'releases_kb=1024', 'logs_kb=8', 'df=1000 400 600 40% /',
    '@@baseline', baseline,
    '@@log journal api.service', ...logs, '@@rc 0', '@@end', '',
  ].join('\n');
}

function executor(probeText: string): RecordingExecutor {
  return new RecordingExecutor([
    { match: 'deckhand-state', stdout: STATE },
    { match: 'deckhand-env', stdout: ENV },
    { match: 'deckhand-ops-inspect', stdout: probeText },
    { match: 'deckhand-write', stdout: '' },
  ], { kind: 'ssh', display: 'deploy@web1' } as never);
}

const LINES = [
  '2026-12-01T14:50:00+0000 web1 api[812]: listening on port 3000',
  `2026-12-01T14:55:00+0000 web1 api[812]: upstream said ${CANARY}: request failed`,
  '2026-12-01T14:56:00+0000 web1 api[812]: warning: cache miss for user 42',
];

describe('baseline file', () => {
  it('absent, unreadable (not JSON, wrong shape), and a baseline from before log patterns were recorded', () => {
    assert.deepEqual(parseBaseline(null), { baseline: null, state: 'absent', problem: null });
    assert.equal(parseBaseline('{').state, 'unreadable');
    assert.match(parseBaseline('{"schemaVersion":1}').problem ?? '', /app/);
    const old = { schemaVersion: 1, app: 'api', recordedAt: 'x', release: REL, commit: null, strategy: 'systemd', paths: { base: '/b', current: '/b/current', envFile: '/b/shared/.env', logs: '/b/shared/logs' }, serviceManager: 'systemd', ports: [3000], health: '/health', dependencies: [], lastVerification: { verdict: 'VERIFIED', at: 'y', layers: { http: 'pass' } }, watch: { immediate: [], observe: [] } };
    const p = parseBaseline(JSON.stringify(old));
    assert.equal(p.state, 'present');
    assert.equal(p.baseline?.logs, undefined);
  });

  it('the window never reaches before the deploy (at least ten seconds)', () => {
    const now = new Date('2026-12-01T15:00:00Z');
    assert.equal(releaseWindow(3600, '2026-12-01T14:50:00Z', now), 605);
    assert.equal(releaseWindow(3600, '2026-12-01T10:00:00Z', now), 3600);
    assert.equal(releaseWindow(3600, '2026-12-01T14:59:59Z', now), 10);
    assert.equal(releaseWindow(3600, 'not a date', now), 3600);
  });

  it('dependencies are named without passwords', () => {
    const deps = dependenciesOf(ENV);
    assert.deepEqual(deps, ['postgres postgres://app:***@db.internal:5432/app (DATABASE_URL)']);
    assert.deepEqual(dependenciesOf(null), []);
  });

  it('log patterns with counts and resource levels come from the probe; a service not running records no levels', () => {
    const f = parseInspectProbe('systemd', probe(LINES), 1 << 20);
    const b = factsForBaseline(f, 3600, (x) => x);
    assert.equal(b.logs?.lines, 3);
    assert.deepEqual(b.logs?.patterns.map((p) => [p.severity, p.count]), [['error', 1], ['warning', 1], ['info', 1]]);
    assert.deepEqual([b.resources?.rssBytes, b.resources?.fds, b.resources?.restarts, b.resources?.serviceStartedAt], [51200 * 1024, 21, 1, new Date((NOW - 600) * 1000).toISOString()]);
    assert.equal(factsForBaseline(parseInspectProbe('systemd', probe(LINES, '', 'failed'), 1 << 20), 3600, (x) => x).resources, null);
  });
});

describe('ops baseline and ops inspect on a recording executor', () => {
  it('ops baseline writes the masked baseline to <base>/.deckhand/baseline.json; no canary in it or in the report', async () => {
    const ex = executor(probe(LINES));
    const redactor = new Redactor();
    const report = await opsBaseline({ executor: ex, redactor, now: () => new Date(NOW * 1000) }, { app: 'api', baseDir: null, windowSec: 3600 });
    OperationsReportSchema.parse(report);
    assert.equal(report.status, 'ok');
    const write = ex.calls.find((c) => c.argv.includes('deckhand-write'));
    assert.ok(write, 'the baseline was written');
    assert.equal(write?.argv[4], '/opt/api/.deckhand/baseline.json');
    const written = OpsBaselineSchema.parse(JSON.parse(String(write?.stdin)));
    assert.equal(written.release, REL);
    assert.deepEqual(written.ports, [3000]);
    assert.equal(written.health, '/health');
    assert.equal(written.logs?.windowSec, 3600);
    assert.ok(written.logs?.patterns.some((p) => p.pattern === 'api: upstream said ***: request failed'), JSON.stringify(written.logs?.patterns));
    assert.equal(written.lastVerification, null);
    for (const text of [String(write?.stdin), JSON.stringify(report), renderOperationsMarkdown(report)]) assert.ok(!leaks(text), 'canary leaked');
    // The env file is read as root through sudo (its owner is the service user); the probe runs as the user.
    assert.deepEqual(ex.calls.find((c) => c.argv.includes('deckhand-env'))?.argv.slice(0, 3), ['sudo', '-n', '--']);
  });

  it('a service that is down gets no baseline (it would make the broken state normal)', async () => {
    const ex = executor(probe(LINES, '', 'failed'));
    const report = await opsBaseline({ executor: ex, redactor: new Redactor(), now: () => new Date(NOW * 1000) }, { app: 'api', baseDir: null });
    assert.equal(report.status, 'failed');
    assert.ok(!ex.calls.some((c) => c.argv.includes('deckhand-write')));
  });

  it('ops inspect against that baseline: the known pattern is not NEW, a new error pattern is NEW and immediate', async () => {
    const first = executor(probe(LINES));
    await opsBaseline({ executor: first, redactor: new Redactor(), now: () => new Date(NOW * 1000) }, { app: 'api', baseDir: null, windowSec: 3600 });
    const recorded = String(first.calls.find((c) => c.argv.includes('deckhand-write'))?.stdin);
    const later = [...LINES, `2026-12-01T14:58:00+0000 web1 api[812]: ready check failed: Connection terminated unexpectedly (token=${CANARY})`];
    const report = await inspect({ executor: executor(probe(later, recorded)), redactor: new Redactor(), now: () => new Date(NOW * 1000) }, { app: 'api', baseDir: null });
    OperationsReportSchema.parse(report);
    assert.equal(report.status, 'attention');
    if (report.data.task !== 'inspect') throw new Error('not an inspect report');
    const a = new Map(report.data.logs.anomalies.map((x) => [x.pattern, x]));
    assert.equal(a.get('api: ready check failed: Connection terminated unexpectedly (token=<secret>)')?.isNew, true);
    assert.equal(a.get('api: upstream said ***: request failed')?.isNew, false);
    assert.equal(a.get('api: warning: cache miss for user <n>')?.isNew, false);
    assert.deepEqual(report.data.recommendations.immediate.map((r) => r.text.slice(0, 33)), ['NEW error pattern since the basel']);
    assert.ok(!leaks(JSON.stringify(report)) && !leaks(renderOperationsMarkdown(report)));
  });
});
