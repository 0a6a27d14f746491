// ops inspect's recommendation rules: what is immediate, what is observed, and what is neither.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { OpsBaseline } from '../../src/report/ops/baseline.js';
import type { InspectAnomaly } from '../../src/report/ops/inspect.js';
import { recommend, type RecommendInput } from '../../src/stages/operate/inspect/recommend.js';

const REL = '20261201T140000Z-0a1b2c3';
const MiB = 1024 * 1024;

function baseline(o: Partial<OpsBaseline> = {}, r: Partial<NonNullable<OpsBaseline['resources']>> = {}): OpsBaseline {
  return {
    schemaVersion: 1, app: 'api', recordedAt: '2026-12-01T14:05:00.000Z', release: REL, commit: null, strategy: 'systemd',
    paths: { base: '/opt/api', current: '/opt/api/current', envFile: '/opt/api/shared/.env', logs: '/opt/api/shared/logs' },
    serviceManager: 'systemd', ports: [3000], health: '/health', dependencies: [], lastVerification: null, watch: { immediate: [], observe: [] },
    logs: { windowSec: 3600, lines: 100, patterns: [] },
    resources: { rssBytes: 100 * MiB, memoryLimitBytes: null, fds: 40, fdLimit: 1024, threads: 10, cpuPercent: 1, restarts: 0, serviceStartedAt: '2026-12-01T14:00:00.000Z', diskBytes: { base: null, logs: null }, ...r },
    ...o,
  };
}

function anomaly(o: Partial<InspectAnomaly>): InspectAnomaly {
  return { id: 'abc', pattern: 'p', severity: 'error', catalogue: null, count: 1, firstSeen: null, lastSeen: null, source: 'journal api.service', isNew: false, baselineCount: 1, ...o };
}

function input(o: Partial<RecommendInput> = {}): RecommendInput {
  return {
    service: { manager: 'systemd unit', units: [{ name: 'api.service', state: 'running', detail: 'active (running)', pid: 10, restarts: 0, startedAt: null }], state: 'running', uptimeSec: 600, restarts: 0, problem: null },
    version: { release: REL, commit: null, deployedAt: '2026-12-01T14:00:00.000Z', strategy: 'systemd', currentLink: `/opt/api/releases/${REL}`, rollbackPoint: null },
    resources: { processes: [], cpuPercent: 1, rssBytes: 100 * MiB, memoryLimitBytes: null, memoryLimitSource: 'none', hostMemoryBytes: null, fds: 40, fdLimit: 1024, threads: 10 },
    disk: { baseBytes: 1, releasesBytes: 1, logsBytes: 1, filesystem: { mount: '/', usedPercent: 40, availBytes: 10 * 1024 * MiB, totalBytes: 20 * 1024 * MiB }, docker: null },
    anomalies: [], certificates: [], windowSec: 3600, baseline: baseline(), startedAt: Date.parse('2026-12-01T14:00:00Z') / 1000, app: 'api', target: 'deploy@web1',
    ...o,
  };
}

const ids = (r: { id: string }[]): string[] => r.map((x) => x.id);

describe('recommend', () => {
  it('a healthy service against its own baseline: nothing at all', () => {
    assert.deepEqual(recommend(input()), { immediate: [], observe: [] });
  });

  it('open fds: over 80% of the limit immediate, over 60% observe', () => {
    assert.deepEqual(ids(recommend(input({ resources: { ...input().resources, fds: 830 }, baseline: baseline({}, { fds: 800 }) })).immediate), ['fds.limit']);
    // The baseline had nearly as many: no growth to report, only the level.
    assert.deepEqual(ids(recommend(input({ resources: { ...input().resources, fds: 700 }, baseline: baseline({}, { fds: 690 }) })).observe), ['fds.limit']);
    assert.deepEqual(recommend(input({ resources: { ...input().resources, fds: 600 }, baseline: baseline({}, { fds: 590 }) })), { immediate: [], observe: [] });
  });

  it('RSS near the memory limit: 90% immediate, 75% observe; no limit, no rule', () => {
    const res = (rss: number, limit: number | null): RecommendInput['resources'] => ({ ...input().resources, rssBytes: rss * MiB, memoryLimitBytes: limit === null ? null : limit * MiB, memoryLimitSource: 'cgroup memory limit' });
    const near = recommend(input({ resources: res(470, 512), baseline: baseline({}, { rssBytes: 460 * MiB }) }));
    assert.deepEqual(ids(near.immediate), ['memory.limit']);
    assert.match(near.immediate[0]?.text ?? '', /RSS at 92% of the memory limit \(470 MiB \/ 512 MiB, cgroup memory limit\)/);
    assert.deepEqual(ids(recommend(input({ resources: res(400, 512), baseline: baseline({}, { rssBytes: 390 * MiB }) })).observe), ['memory.limit']);
    assert.deepEqual(recommend(input({ resources: res(4000, null), baseline: baseline({}, { rssBytes: 3990 * MiB }) })), { immediate: [], observe: [] });
  });

  it('disk over 85% immediate, over 70% observe', () => {
    const fs = (p: number): RecommendInput['disk'] => ({ ...input().disk, filesystem: { mount: '/', usedPercent: p, availBytes: 1, totalBytes: 2 } });
    assert.deepEqual(ids(recommend(input({ disk: fs(86) })).immediate), ['disk.usage']);
    assert.deepEqual(ids(recommend(input({ disk: fs(75) })).observe), ['disk.usage']);
    assert.deepEqual(recommend(input({ disk: fs(85) })).immediate, []);
  });

  it('restarts since the baseline: by the counter, or by a later start of the same release', () => {
    const counted = recommend(input({ service: { ...input().service, restarts: 3 } }));
    assert.deepEqual(ids(counted.immediate), ['service.restarts']);
    assert.match(counted.immediate[0]?.evidence ?? '', /restart counter 0 at baseline .* → 3 now/);
    const restarted = recommend(input({ startedAt: Date.parse('2026-12-01T15:00:00Z') / 1000 }));
    assert.deepEqual(ids(restarted.immediate), ['service.restarts']);
  });

  it('growth against the baseline is observed (RSS ×1.5 and +32 MiB, fds ×1.5 and +50)', () => {
    const grown = recommend(input({ resources: { ...input().resources, rssBytes: 200 * MiB, fds: 120 } }));
    assert.deepEqual(ids(grown.observe), ['memory.growth', 'fds.growth']);
    assert.deepEqual(grown.immediate, []);
    assert.deepEqual(recommend(input({ resources: { ...input().resources, rssBytes: 140 * MiB, fds: 80 } })).observe, []);
  });

  it('log patterns: NEW error and any critical immediate; known error, NEW warning and a warning 3× as frequent observed', () => {
    const r = recommend(input({
      anomalies: [
        anomaly({ id: 'n1', pattern: 'api: payment failed', severity: 'error', isNew: true, baselineCount: null }),
        anomaly({ id: 'c1', pattern: 'api: EADDRINUSE', severity: 'critical', catalogue: 'address-in-use', isNew: false }),
        anomaly({ id: 'k1', pattern: 'api: known failure', severity: 'error', isNew: false, baselineCount: 7 }),
        anomaly({ id: 'w1', pattern: 'api: slow', severity: 'warning', isNew: true, baselineCount: null }),
        anomaly({ id: 'w2', pattern: 'api: retrying', severity: 'warning', isNew: false, count: 40, baselineCount: 10 }),
        anomaly({ id: 'w3', pattern: 'api: steady', severity: 'warning', isNew: false, count: 12, baselineCount: 10 }),
      ],
    }));
    assert.deepEqual(ids(r.immediate), ['logs.n1', 'logs.c1']);
    assert.match(r.immediate[1]?.text ?? '', /Address already in use: another process holds the port/);
    assert.deepEqual(ids(r.observe), ['logs.k1', 'logs.w1', 'logs.w2']);
    assert.match(r.observe[2]?.text ?? '', /4\.0× as frequent as at the baseline/);
  });

  it('certificates: under 15 days or expired immediate, under 30 observe, unreadable observed as UNKNOWN', () => {
    const cert = (days: number | null): RecommendInput['certificates'][number] => ({ path: `/c/${String(days)}.pem`, domains: ['a.test'], site: 's', subject: null, issuer: 'CN=R11', notAfter: 'x', daysLeft: days, status: days === null ? 'unknown' : 'ok', problem: days === null ? 'Permission denied' : null });
    const r = recommend(input({ certificates: [cert(14), cert(-2), cert(20), cert(45), cert(null)] }));
    assert.deepEqual(ids(r.immediate), ['cert./c/14.pem', 'cert./c/-2.pem']);
    assert.match(r.immediate[1]?.text ?? '', /expired 2 day\(s\) ago/);
    assert.deepEqual(ids(r.observe), ['cert./c/20.pem', 'cert./c/null.pem']);
    assert.match(r.observe[1]?.text ?? '', /could not be read \(UNKNOWN\): Permission denied/);
  });

  it('the service down, and current pointing elsewhere than the ledger, are immediate', () => {
    const down = recommend(input({ service: { ...input().service, state: 'stopped', units: [{ name: 'api.service', state: 'failed', detail: 'failed (failed)', pid: null, restarts: 0, startedAt: null }] } }));
    assert.deepEqual(ids(down.immediate), ['service.down']);
    const moved = recommend(input({ version: { ...input().version, currentLink: '/opt/api/releases/20261101T000000Z-abc' } }));
    assert.deepEqual(ids(moved.immediate), ['version.current-link']);
  });

  it('no baseline, or one of another release: observe, and no comparison is made', () => {
    assert.deepEqual(ids(recommend(input({ baseline: null, service: { ...input().service, restarts: 5 } })).observe), ['baseline.missing']);
    const stale = recommend(input({ baseline: baseline({ release: 'older' }), service: { ...input().service, restarts: 5 } }));
    assert.deepEqual([ids(stale.immediate), ids(stale.observe)], [[], ['baseline.stale']]);
  });
});
