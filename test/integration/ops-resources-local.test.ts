// `deckhand ops resources` on this machine for a pm2 app: the leaking fixture deployed with the pm2 strategy is flagged (pm2's PIDs, real /proc).
import assert from 'node:assert/strict';
import { cp } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { freeLocalPort } from '../../src/exec/free-port.js';
import { runCli } from '../helpers/cli.js';
import { pm2Workspace, type Pm2Workspace } from '../helpers/pm2-workspace.js';

const LEAKY_SRC = fileURLToPath(new URL('../fixtures/leaky-app/', import.meta.url));

describe('ops resources on a local pm2 app', { concurrency: false }, () => {
  let ws: Pm2Workspace;
  let work = '';
  let env: Record<string, string> = {};
  let deployed = '';

  before(async () => {
    ws = await pm2Workspace('dh-ops-resources-pm2-');
    work = ws.dir;
    env = ws.env;
    await cp(LEAKY_SRC, join(work, 'repo'), { recursive: true });
    const d = await runCli(['deploy', 'local', '--repo', join(work, 'repo'), '--strategy', 'pm2', '--name', 'opsr-pm2', '--base-dir', join(work, 'base'),
      '--port', String(await freeLocalPort()), '--health', '/health', '--json', '--yes'], { env, timeoutMs: 240_000 });
    deployed = d.code === 0 ? 'yes' : `${d.stderr}\n${d.stdout}`;
  });

  after(async () => {
    await ws?.close();
  });

  test('the leaking pm2 app is flagged; its PID is pm2\'s instance', async (t) => {
    assert.equal(deployed, 'yes');
    const r = await runCli(['ops', 'resources', 'local', '--name', 'opsr-pm2', '--base-dir', join(work, 'base'), '--watch', '12s', '--interval', '2s', '--json'], { env, timeoutMs: 120_000 });
    const rep = JSON.parse(r.stdout) as { status: string; findings: { id: string; status: string; summary: string }[]; data: { kind: string; leakSuspected: boolean; processes: { pid: number; comm: string }[] } };
    t.diagnostic(rep.findings.map((f) => `${f.status} ${f.id}: ${f.summary}`).join('\n'));
    assert.equal(rep.data.kind, 'pm2');
    const jlist = JSON.parse(ws.pm2('jlist')) as { name: string; pid: number }[];
    assert.deepEqual(rep.data.processes.map((p) => p.pid), jlist.filter((p) => p.name === 'opsr-pm2').map((p) => p.pid));
    assert.equal(rep.data.leakSuspected, true);
    assert.equal(rep.status, 'attention');
    assert.equal(r.code, 1);
  });
});
