// After a REVERTED deploy the ledger dates the restored release from the revert's restart, so verify and incident
// read the lines of what serves now, not the failed release's crash lines.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Redactor } from '../../src/core/redact.js';
import { RecordingExecutor } from '../../src/exec/recording.js';
import { applyPlan } from '../../src/stages/deploy/apply.js';
import { restartStamp, servingSince, withFailed, type Ledger } from '../../src/stages/deploy/ledger.js';
import { probeState, stateFingerprint, stateSummary } from '../../src/stages/deploy/state.js';
import type { Plan } from '../../src/stages/deploy/types.js';
import { ledgerEntry, R1, R2, R3, stateProbe, twoReleases } from '../helpers/ledger.js';

describe('the ledger after a reverted deploy', () => {
  it('restartStamp: the next whole second (an exact second stays)', () => {
    assert.equal(restartStamp(new Date('2026-12-01T12:00:03.250Z')), '2026-12-01T12:00:04.000Z');
    assert.equal(restartStamp(new Date('2026-12-01T12:00:03.000Z')), '2026-12-01T12:00:03.000Z');
  });

  it('withFailed with the restored release: servingSince is the revert\'s restart, not the previous deploy', () => {
    const l = withFailed(twoReleases(), ledgerEntry(R3, '2026-12-01T12:00:00.000Z'), 'health check failed', { id: R2, at: '2026-12-01T12:00:04.000Z' });
    assert.deepEqual(l.releases.map((r) => [r.id, r.status, r.restoredAt ?? null]), [[R1, 'previous', null], [R2, 'current', '2026-12-01T12:00:04.000Z'], [R3, 'failed', null]]);
    assert.equal(servingSince(l), '2026-12-01T12:00:04.000Z');
  });
});

async function deployFailingStart(revertExit: number): Promise<{ outcome: string; ledger: Ledger }> {
  const exec = new RecordingExecutor([
    { match: 'deckhand-state', stdout: stateProbe(twoReleases()) },
    { match: 'start-new-release', exitCode: 1, stderr: 'exited with status 1' },
    { match: 'revert-to-previous', exitCode: revertExit, stderr: revertExit ? 'restart failed' : '' },
    { match: /.*/, stdout: 'ok' },
  ]);
  const ctx = { executor: exec, redactor: new Redactor(), now: () => new Date('2026-12-01T12:00:03.250Z') };
  const state = await probeState(ctx, 'shop', '/opt/shop');
  const plan: Plan = {
    schemaVersion: 1, kind: 'deckhand-plan', id: 'p1', createdAt: '2026-12-01T12:00:00.000Z', target: 'root@web1', app: 'shop', strategy: 'systemd',
    releaseId: R3, previousRelease: R2, commit: null, dirty: false, layout: { base: '/opt/shop', current: '/opt/shop/current', envFile: '/opt/shop/shared/.env' },
    stateFingerprint: stateFingerprint(state), stateSummary: stateSummary(state), useSudo: false,
    steps: [{ id: 'start', title: 'start', phase: 'start', destructive: true, actions: [{ type: 'run', command: { argv: ['start-new-release'], mutates: true } }] }],
    handoff: { service: 'shop', strategy: 'systemd', port: 3000, healthPath: '/health', release: R3 }, rollbackEntry: 'none', warnings: [], envNames: [], preLock: [],
    lockPath: '/opt/shop/.deckhand/lock', ledgerPath: '/opt/shop/.deckhand/ledger.json', journalDir: '/opt/shop/.deckhand/journal',
    revert: [{ type: 'run', command: { argv: ['revert-to-previous'], mutates: true } }],
    ledgerEntry: { commit: null, dirty: false, strategy: 'systemd', port: 3000, healthPath: '/health', serviceUser: 'shop' }, logsCommand: 'journalctl -u shop',
  };
  const report = await applyPlan(ctx, plan, { envContent: null, remoteEnvFile: null, baseOverride: '/opt/shop' });
  const written = [...exec.calls.map((c) => (typeof c.stdin === 'string' ? c.stdin : '')), ...exec.uploads.map((u) => u.content)]
    .map((s) => { try { return JSON.parse(s) as Partial<Ledger>; } catch { return null; } })
    .filter((x): x is Ledger => Array.isArray(x?.releases) && x.releases.some((r) => r.id === R3)).at(-1);
  assert.ok(written, 'the ledger is written');
  return { outcome: report.data.outcome, ledger: written };
}

describe('applyPlan: a failed start reverted to the previous release', () => {
  it('REVERTED: the restored release is dated from the revert (next whole second), so servingSince moves past the failed release', async () => {
    const { outcome, ledger } = await deployFailingStart(0);
    assert.equal(outcome, 'REVERTED');
    assert.equal(ledger.releases.find((r) => r.id === R2)?.restoredAt, '2026-12-01T12:00:04.000Z');
    assert.equal(servingSince(ledger), '2026-12-01T12:00:04.000Z');
  });

  it('a revert that failed restored nothing: no restoredAt', async () => {
    const { outcome, ledger } = await deployFailingStart(1);
    assert.equal(outcome, 'FAILED');
    assert.equal(ledger.releases.find((r) => r.id === R2)?.restoredAt, undefined);
  });
});
