// `deckhand up` on the local target (pm2): VERIFIED with a baseline; a release that fails verification is rolled back automatically.
import assert from 'node:assert/strict';
import { cp, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { freeLocalPort } from '../../src/exec/free-port.js';
import { runCli } from '../helpers/cli.js';
import { pm2Workspace, type Pm2Workspace } from '../helpers/pm2-workspace.js';

const EXAMPLE = fileURLToPath(new URL('../../examples/node-api/', import.meta.url));

describe('deckhand up on the local target', { concurrency: false }, () => {
  let ws: Pm2Workspace;
  let work = '';
  let port = 0;
  let env: Record<string, string> = {};
  const up = async (version: string): Promise<{ code: number | null; rep: { data: { outcome: string; stages: { stage: string; status: string }[]; summary: Record<string, string | null> } } }> => {
    await writeFile(join(work, 'v.env'), `APP_VERSION=${version}\n`, { mode: 0o600 });
    const r = await runCli(['up', join(work, 'repo'), '--name', 'up-api', '--port', String(port), '--base-dir', join(work, 'base'), '--env-file', join(work, 'v.env'),
      '--checks', join(work, 'checks.yml'), '--window', '3', '--out', join(work, 'reports'), '--json'], { env, timeoutMs: 300_000 });
    return { code: r.code, rep: JSON.parse(r.stdout) };
  };
  const version = async (): Promise<string> => ((await (await fetch(`http://127.0.0.1:${port}/version`, { signal: AbortSignal.timeout(5000) })).json()) as { version: string }).version;

  before(async () => {
    ws = await pm2Workspace('dh-up-local-');
    work = ws.dir;
    await cp(EXAMPLE, join(work, 'repo'), { recursive: true, filter: (s) => !s.includes('node_modules') });
    // The smoke check pins the version users must get: release 2.0.0 fails it, as a broken release would.
    await writeFile(join(work, 'checks.yml'), 'checks:\n  - name: version\n    path: /version\n    conditions: [\'[BODY].version == "1.0.0"\']\n');
    port = await freeLocalPort();
    env = ws.env;
  });
  after(async () => {
    await ws?.close();
  });

  it('a first release comes up VERIFIED and records the ops baseline', async () => {
    const { code, rep } = await up('1.0.0');
    assert.equal(code, 0, JSON.stringify(rep.data.stages));
    assert.equal(rep.data.outcome, 'VERIFIED');
    assert.deepEqual(rep.data.stages.map((s) => s.stage), ['discovery', 'readiness', 'execution', 'verification', 'baseline']);
    const baseline = JSON.parse(await readFile(rep.data.summary.baseline ?? '', 'utf8'));
    assert.equal(baseline.release, rep.data.summary.release);
    assert.equal(baseline.lastVerification.verdict, 'VERIFIED');
    assert.equal(await version(), '1.0.0');
    assert.ok((await readdir(join(work, 'reports'))).some((f) => f.startsWith('lifecycle-')));
  });

  it('a release that fails verification is rolled back automatically, verified again, and an incident is recorded', async () => {
    const { code, rep } = await up('2.0.0');
    assert.equal(code, 1);
    assert.equal(rep.data.outcome, 'ROLLED_BACK');
    const st = Object.fromEntries(rep.data.stages.map((s) => [s.stage, s.status]));
    assert.equal(st.execution, 'SUCCESS');
    assert.equal(st.verification, 'FAILED');
    assert.equal(st.rollback, 'SUCCESS');
    assert.equal(st.reverification, 'VERIFIED');
    assert.equal(await version(), '1.0.0', 'the previous release serves again');
    const incident = JSON.parse(await readFile(rep.data.summary.incident ?? '', 'utf8'));
    assert.equal(incident.causeClass, 'application');
    assert.match(incident.triage.summary, /failed verification/);
    assert.ok(incident.triage.evidence.some((e: string) => /version/.test(e)));
  });
});
