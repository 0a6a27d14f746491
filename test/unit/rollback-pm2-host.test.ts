// rollback's pm2: deckhand's own pm2 (a path on this machine) only on the local target; a remote host runs its own `pm2`.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { shJoin } from '../../src/core/command.js';
import { Redactor } from '../../src/core/redact.js';
import type { HostRef } from '../../src/core/target.js';
import { RecordingExecutor } from '../../src/exec/recording.js';
import { rollback } from '../../src/stages/deploy/rollback.js';
import { stateProbe, twoReleases } from '../helpers/ledger.js';

const LOCAL_PM2 = '/home/op/deckhand/node_modules/pm2/bin/pm2';

async function rollbackOn(host: HostRef): Promise<string[]> {
  const l = twoReleases('pm2');
  const exec = new RecordingExecutor([{ match: 'deckhand-state', stdout: stateProbe(l, ['pm2']) }, { match: /.*/, stdout: 'ok' }], host);
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
