// ops scale with pm2 for real on this machine (deckhand's own pm2, PM2_HOME in a temp dir): cluster 1 → 3, every worker gets requests; fork mode refused.
import assert from 'node:assert/strict';
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runCli, type CliResult } from '../helpers/cli.js';
import { pm2Workspace, type Pm2Workspace } from '../helpers/pm2-workspace.js';
import { freeLocalPort as freePort } from '../../src/exec/free-port.js';
import { OperationsReportSchema, type OperationsReport } from '../../src/report/operations.js';

const EXAMPLE = fileURLToPath(new URL('../../examples/node-api/', import.meta.url));
const APP = 'pm2-oscale';
const FORK = 'pm2-oscale-fork';

interface Pm2Proc { name: string; pid: number; pm2_env: { status: string; exec_mode: string } }
type ScaleData = Extract<OperationsReport['data'], { task: 'scale' }>;

describe('ops scale of a pm2 cluster app (local)', { concurrency: false }, () => {
  let ws: Pm2Workspace;
  let work = '';
  let port = 0;
  let env: Record<string, string> = {};
  const jlist = (name: string): Pm2Proc[] => (JSON.parse(ws.pm2('jlist')) as Pm2Proc[])
    .filter((p) => p.name === name);
  const deploy = async (name: string, base: string, p: number, extra: string[]): Promise<CliResult> => {
    await writeFile(join(work, 'v.env'), 'APP_VERSION=1\n', { mode: 0o600 });
    return runCli(['deploy', 'local', '--repo', join(work, 'repo'), '--strategy', 'pm2', '--name', name, '--base-dir', join(work, base), '--port', String(p),
      '--health', '/health', '--env-file', join(work, 'v.env'), '--json', '--yes', ...extra], { env, timeoutMs: 300_000 });
  };
  const scale = (name: string, base: string, n: string, extra: string[] = []): Promise<CliResult> =>
    runCli(['ops', 'scale', n, '--name', name, '--base-dir', join(work, base), '--json', ...extra], { env, timeoutMs: 300_000 });
  const report = (r: CliResult): OperationsReport => {
    let raw: unknown;
    try { raw = JSON.parse(r.stdout); } catch { throw new Error(`no JSON report (exit ${String(r.code)}):\n${r.stderr}\n${r.stdout}`); }
    return OperationsReportSchema.parse(raw);
  };

  before(async () => {
    ws = await pm2Workspace('dh-oscale-pm2-');
    work = ws.dir;
    await cp(EXAMPLE, join(work, 'repo'), { recursive: true, filter: (src) => !src.includes('node_modules') });
    port = await freePort();
    env = ws.env;
  });

  after(async () => {
    await ws?.close();
  });

  it('deploys one cluster instance; without --yes nothing changes and the plan says pm2 scale', async () => {
    const r = await deploy(APP, 'base', port, ['--instances', '1', '--start-timeout', '40']);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.deepEqual(jlist(APP).map((p) => p.pm2_env.exec_mode), ['cluster_mode']);
    const s = await scale(APP, 'base', '3');
    const rep = report(s);
    assert.equal(s.code, 0, s.stderr);
    const d = rep.data as ScaleData;
    assert.deepEqual([d.mode, d.kind, d.from, d.to], ['plan', 'pm2', 1, 3]);
    assert.equal(d.actions[0], `pm2 scale ${APP} 3`);
    assert.equal(jlist(APP).length, 1, 'nothing changed');
  });

  it('--yes: 3 workers online, each read requests sent to the app port', async () => {
    const s = await scale(APP, 'base', '3', ['--yes']);
    const rep = report(s);
    assert.equal(s.code, 0, `${s.stderr}\n${JSON.stringify(rep.findings, null, 2)}`);
    assert.equal(rep.status, 'ok');
    const d = rep.data as ScaleData;
    const procs = jlist(APP);
    assert.equal(procs.length, 3);
    assert.deepEqual(d.instances.map((i) => i.pid).sort(), procs.map((p) => p.pid).sort(), 'the report names pm2\'s own worker PIDs');
    assert.equal(d.traffic?.sent, 60);
    assert.equal(d.traffic?.answered, 60);
    for (const i of d.instances) assert.ok((i.requests ?? 0) > 0, `instance ${i.id} (pid ${String(i.pid)}) got requests: ${JSON.stringify(d.instances)}`);
    assert.equal(rep.findings.find((f) => f.id === 'scale.traffic')?.status, 'pass');
  });

  it('pm2 save ran: the dump pm2 resurrects from holds 3 workers', async () => {
    const dump = JSON.parse(await readFile(join(ws.home, 'dump.pm2'), 'utf8')) as { name: string }[];
    assert.equal(dump.filter((p) => p.name === APP).length, 3);
  });

  it('a deploy after scale 3 with the same app definition reloads all 3 workers (pm2 keeps the count), each replaced', async () => {
    const before = jlist(APP).map((p) => p.pid);
    const r = await deploy(APP, 'base', port, ['--instances', '1', '--start-timeout', '40']);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const now = jlist(APP);
    assert.ok(now.every((p) => !before.includes(p.pid)), 'every worker was replaced');
    assert.equal(now.length, 3, 'the same ecosystem file: startOrReload reloads the running workers and keeps their count');
  });

  it('back to 1 worker', async () => {
    const s = await scale(APP, 'base', '1', ['--yes']);
    assert.equal(s.code, 0, s.stderr + s.stdout);
    assert.equal(jlist(APP).length, 1);
    assert.equal((report(s).data as ScaleData).instances.length, 1);
  });

  it('a fork-mode app is refused with the reason and the remedy (usage, exit 2), nothing changed', async () => {
    const p = await freePort();
    const r = await deploy(FORK, 'base-fork', p, ['--start', 'env node server.js', '--start-timeout', '40']);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const procs = jlist(FORK);
    if (procs[0]?.pm2_env.exec_mode !== 'fork_mode') return assert.fail(`expected a fork-mode app, got ${JSON.stringify(procs.map((x) => x.pm2_env.exec_mode))}`);
    const s = await scale(FORK, 'base-fork', '2', ['--yes']);
    assert.equal(s.code, 2, s.stderr + s.stdout);
    assert.match(s.stderr, /runs in pm2 fork mode: pm2 scales only cluster mode/);
    assert.match(s.stderr, /cluster mode/);
    assert.equal(jlist(FORK).length, 1);
  });

  it('a count out of range is a usage error before anything is read', async () => {
    const s = await scale(APP, 'base', '33', ['--yes']);
    assert.equal(s.code, 2);
    assert.match(s.stderr, /from 1 to 32/);
  });
});
