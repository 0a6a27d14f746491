// `deckhand up examples/node-api --to <lab host>`: discovery → readiness → deploy (systemd) → verification → baseline, over one SSH connection.
import assert from 'node:assert/strict';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { labOrSkip, sshExec, type LabState } from '../lab/lab.js';
import { labSshFlags, runCli } from '../helpers/cli.js';

const EXAMPLE = fileURLToPath(new URL('../../examples/node-api/', import.meta.url));
const APP = 'up-lab';

describe('deckhand up to a lab host', { concurrency: false }, () => {
  let lab: LabState | null = null;
  let work = '';
  after(async () => {
    if (lab) await sshExec('node20', 'deploy', `sudo -n systemctl disable --now ${APP}.service; sudo -n rm -rf /opt/${APP} /etc/systemd/system/${APP}.service; sudo -n userdel ${APP}; sudo -n systemctl daemon-reload`).catch(() => undefined);
    if (work) await rm(work, { recursive: true, force: true });
  });

  test('examples/node-api comes up VERIFIED on node20 with the ops baseline recorded on the host', async (t) => {
    lab = labOrSkip(t); if (!lab) return;
    work = await mkdtemp(join(tmpdir(), 'dh-up-lab-'));
    await cp(EXAMPLE, join(work, 'repo'), { recursive: true, filter: (s) => !s.includes('node_modules') });
    const h = lab.hosts.node20;
    const r = await runCli(['up', join(work, 'repo'), '--to', `ssh://deploy@${h.host}:${h.port}`, ...labSshFlags(lab), '--name', APP, '--strategy', 'systemd',
      '--build', 'local', '--port', '3751', '--window', '3', '--out', join(work, 'reports'), '--json'], { timeoutMs: 300_000 });
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const rep = JSON.parse(r.stdout);
    assert.equal(rep.data.outcome, 'VERIFIED');
    assert.deepEqual(rep.data.stages.map((s: { stage: string }) => s.stage), ['discovery', 'readiness', 'execution', 'verification', 'baseline']);
    const baseline = JSON.parse((await sshExec('node20', 'deploy', `cat /opt/${APP}/.deckhand/baseline.json`)).stdout);
    assert.equal(baseline.release, rep.data.summary.release);
    assert.equal(baseline.serviceManager, 'systemd');
    assert.deepEqual(baseline.ports, [3751]);
  });
});
