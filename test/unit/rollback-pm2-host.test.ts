// rollback's pm2: deckhand's own pm2 (a path on this machine) only on the local target; a remote host runs its own `pm2`.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { shJoin } from '../../src/core/command.js';
import { Redactor } from '../../src/core/redact.js';
import type { HostRef } from '../../src/core/target.js';
import { RecordingExecutor } from '../../src/exec/recording.js';
import { emptyLedger, withDeployed, type Ledger, type LedgerEntry } from '../../src/stages/deploy/ledger.js';
import { rollback } from '../../src/stages/deploy/rollback.js';

const R1 = '20261201T100000Z-aaaaaaa';
const R2 = '20261201T110000Z-bbbbbbb';
const LOCAL_PM2 = '/home/op/deckhand/node_modules/pm2/bin/pm2';

function entry(id: string, deployedAt: string): Omit<LedgerEntry, 'status'> {
  return { id, commit: null, dirty: false, strategy: 'pm2', deployedAt, deployedBy: 'x', deckhandVersion: '0', port: 3000, healthPath: '/health', serviceUser: 'shop' };
}

function stateProbe(l: Ledger): string {
  return ['user=root', 'uid=0', 'home=/root', 'hostname=web1', 'sudo=1', 'systemd=1', 'tool.rsync=1', 'tool.pm2=1', 'base=/opt/shop', 'base_exists=1',
    `current=releases/${l.releases.find((r) => r.status === 'current')?.id ?? ''}`, '@@ledger', JSON.stringify(l), '@@end', '@@releases', ...l.releases.map((r) => r.id), '@@end'].join('\n');
}

async function rollbackOn(host: HostRef): Promise<string[]> {
  const l = withDeployed(withDeployed(emptyLedger('shop'), entry(R1, '2026-12-01T10:00:00.000Z')), entry(R2, '2026-12-01T11:00:00.000Z'));
  const exec = new RecordingExecutor([{ match: 'deckhand-state', stdout: stateProbe(l) }, { match: /.*/, stdout: 'ok' }], host);
  const r = await rollback({ executor: exec, redactor: new Redactor() }, { app: 'shop', target: host.display, baseDir: '/opt/shop', pm2Bin: LOCAL_PM2 });
  assert.equal(r.data.outcome, 'SUCCESS', JSON.stringify(r.data.failure));
  return exec.calls.map((c) => shJoin(c.argv));
}

describe('rollback of a pm2 release: which pm2 runs', () => {
  it('on a remote host: the host\'s pm2, never a path of this machine', async () => {
    const lines = await rollbackOn({ kind: 'ssh', display: 'root@web1', host: 'web1', user: 'root' });
    assert.ok(lines.every((l) => !l.includes(LOCAL_PM2)), lines.join('\n'));
    assert.ok(lines.some((l) => /\bpm2\b/.test(l)), 'the restart still goes through pm2');
  });

  it('on the local target: deckhand\'s own pm2', async () => {
    const lines = await rollbackOn({ kind: 'local', display: 'local' });
    assert.ok(lines.some((l) => l.includes(LOCAL_PM2)), lines.join('\n'));
  });
});
