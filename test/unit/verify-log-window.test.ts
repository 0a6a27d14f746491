// After a rollback: verify's log window starts at the ledger's newest event that changed what serves (deploy or rollback)
// unless --since is given, and the next rollback skips the release rolled back from.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Redactor } from '../../src/core/redact.js';
import { RecordingExecutor } from '../../src/exec/recording.js';
import { emptyLedger, knownGood, servingSince, withDeployed, withFailed, withRolledBack, type Ledger } from '../../src/stages/deploy/ledger.js';
import { rollback } from '../../src/stages/deploy/rollback.js';
import { verify } from '../../src/stages/verify/index.js';
import { ledgerEntry, R1, R2, R3, stateProbe, twoReleases } from '../helpers/ledger.js';

describe('servingSince: when what serves now started serving', () => {
  it('after deploys: the newest deploy', () => {
    assert.equal(servingSince(twoReleases()), '2026-12-01T11:00:00.000Z');
  });

  it('after a rollback: the restart of the restored release, not its deploy nor the deploy rolled back from', () => {
    const l = withRolledBack(twoReleases(), R1, '2026-12-01T11:20:01.000Z');
    assert.equal(l.releases.find((r) => r.id === R1)?.restoredAt, '2026-12-01T11:20:01.000Z');
    assert.equal(servingSince(l), '2026-12-01T11:20:01.000Z');
  });

  it('a deploy after the rollback moves it on; a second rollback to the same release moves it again', () => {
    let l = withDeployed(withRolledBack(twoReleases(), R1, '2026-12-01T11:20:01.000Z'), ledgerEntry(R3, '2026-12-01T12:00:00.000Z'));
    assert.equal(servingSince(l), '2026-12-01T12:00:00.000Z');
    l = withRolledBack(l, R1, '2026-12-01T12:30:02.000Z');
    assert.equal(servingSince(l), '2026-12-01T12:30:02.000Z');
  });

  it('a failed deploy never served: it does not move the window', () => {
    const l = withFailed(twoReleases(), ledgerEntry(R3, '2026-12-01T12:00:00.000Z'), 'health check failed');
    assert.equal(servingSince(l), '2026-12-01T11:00:00.000Z');
  });

  it('an empty ledger, or unreadable times: null (verify then reads the newest lines)', () => {
    assert.equal(servingSince(emptyLedger('shop')), null);
    assert.equal(servingSince(withDeployed(emptyLedger('shop'), ledgerEntry(R1, 'not a time'))), null);
  });

  it('a rollback recorded by an older deckhand (no restoredAt): the newest deploy', () => {
    assert.equal(servingSince(withRolledBack(twoReleases(), R1)), '2026-12-01T11:00:00.000Z');
  });
});

describe('the window verify and rollback use', () => {
  it('rollback records the restart (the next whole second) in the ledger', async () => {
    const exec = new RecordingExecutor([{ match: 'deckhand-state', stdout: stateProbe(twoReleases()) }, { match: /.*/, stdout: 'ok' }]);
    const r = await rollback({ executor: exec, redactor: new Redactor(), now: () => new Date('2026-12-01T11:20:00.250Z') }, { app: 'shop', target: 'root@web1', baseDir: '/opt/shop' });
    assert.equal(r.data.outcome, 'SUCCESS', JSON.stringify(r.data.failure));
    const written = exec.calls.map((c) => (typeof c.stdin === 'string' ? c.stdin : '')).find((s) => s.includes('"releases"') && s.includes('"restoredAt"'));
    assert.ok(written, 'the ledger is written with restoredAt');
    const l = JSON.parse(written) as Ledger;
    assert.deepEqual(l.releases.map((x) => [x.id, x.status, x.restoredAt ?? null]), [[R1, 'current', '2026-12-01T11:20:01.000Z'], [R2, 'rolled-back', null]]);
  });

  const verifyWith = async (l: Ledger, since?: string): Promise<string | null> => {
    const exec = new RecordingExecutor([{ match: 'deckhand-state', stdout: stateProbe(l) }, { match: /.*/, stdout: '' }]);
    const r = await verify({ executor: exec, redactor: new Redactor() }, { app: 'shop', baseDir: '/opt/shop', windowMs: 1, ...(since ? { since } : {}) });
    return r.data.subject.since;
  };

  it('verify after a rollback reads logs from the restart, not from the restored release\'s deploy', async () => {
    assert.equal(await verifyWith(withRolledBack(twoReleases(), R1, '2026-12-01T11:20:01.000Z')), '2026-12-01T11:20:01.000Z');
  });

  it('verify after a deploy reads from the deploy; --since wins over the ledger', async () => {
    assert.equal(await verifyWith(twoReleases()), '2026-12-01T11:00:00.000Z');
    assert.equal(await verifyWith(withRolledBack(twoReleases(), R1, '2026-12-01T11:20:01.000Z'), '2026-12-01T09:00:00.000Z'), '2026-12-01T09:00:00.000Z');
  });
});

describe('the default rollback target is known good', () => {
  it('a release rolled back from is skipped: after R1 ← R2 (rolled back), R3 rolls back to R1, not R2', async () => {
    const l = withDeployed(withRolledBack(twoReleases(), R1, '2026-12-01T11:20:01.000Z'), ledgerEntry(R3, '2026-12-01T12:00:00.000Z'));
    assert.deepEqual(l.releases.map((r) => [r.id, r.status, knownGood(r)]), [[R1, 'previous', true], [R2, 'rolled-back', false], [R3, 'current', true]]);
    const exec = new RecordingExecutor([{ match: 'deckhand-state', stdout: stateProbe(l) }, { match: /.*/, stdout: 'ok' }]);
    const r = await rollback({ executor: exec, redactor: new Redactor() }, { app: 'shop', target: 'root@web1', baseDir: '/opt/shop' });
    assert.equal(r.data.outcome, 'SUCCESS', JSON.stringify(r.data.failure));
    assert.deepEqual([r.data.previousRelease, r.data.releaseId], [R3, R1]);
  });

  it('with only a release rolled back from before the current one: nothing to roll back to by default, --to still takes it', async () => {
    const l = withDeployed(withDeployed(emptyLedger('shop'), ledgerEntry(R2, '2026-12-01T11:00:00.000Z')), ledgerEntry(R3, '2026-12-01T12:00:00.000Z'));
    const bad: Ledger = { ...l, releases: l.releases.map((r) => (r.id === R2 ? { ...r, status: 'rolled-back' } : r)) };
    const exec = (): RecordingExecutor => new RecordingExecutor([{ match: 'deckhand-state', stdout: stateProbe(bad) }, { match: /.*/, stdout: 'ok' }]);
    await assert.rejects(rollback({ executor: exec(), redactor: new Redactor() }, { app: 'shop', target: 'root@web1', baseDir: '/opt/shop' }), /there is no earlier release to roll back to/);
    const r = await rollback({ executor: exec(), redactor: new Redactor() }, { app: 'shop', target: 'root@web1', baseDir: '/opt/shop', to: R2 });
    assert.equal(r.data.releaseId, R2);
  });
});
