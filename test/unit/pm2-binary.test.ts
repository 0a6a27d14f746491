// The pm2 CLI chosen per target: deckhand's own dependency on this machine, `pm2` from PATH on a remote host.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { bundledPm2, localPm2, pm2For } from '../../src/core/pm2-binary.js';

// Resolved as Node resolves it: through a symlinked node_modules to the real file.
const OWN = realpathSync(fileURLToPath(new URL('../../node_modules/pm2/bin/pm2', import.meta.url)));

describe('pm2 binary', () => {
  test('the bundled pm2 is the dependency installed beside deckhand', () => {
    assert.equal(bundledPm2(), OWN);
    assert.ok(existsSync(OWN));
  });

  test('the local target uses the bundled pm2', () => {
    assert.equal(localPm2({ kind: 'local' }), OWN);
    assert.equal(pm2For({ kind: 'local' }), OWN);
  });

  test('a remote target uses pm2 from its own PATH', () => {
    assert.equal(localPm2({ kind: 'ssh' }), undefined);
    assert.equal(pm2For({ kind: 'ssh' }), 'pm2');
  });
});
