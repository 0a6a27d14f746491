// swarm strategy on the lab's Docker engine over SSH: readiness, v1 with 2 replicas, v2 start-first under load with zero failed requests,
// a release whose healthcheck fails rolled back by the engine and reported FAILED, then deckhand rollback.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { labOrSkip, sshExec, type LabState } from '../lab/lab.js';
import { labSshFlags, runCli, type CliResult } from '../helpers/cli.js';
import { describeLoad, startLoad } from '../helpers/http-load.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/deploy/swarm-app/', import.meta.url));
const APP = 'dh-swarm-test';
const PORT = 3593;

const git = (dir: string, ...args: string[]): string =>
  execFileSync('git', ['-C', dir, '-c', 'user.email=lab@deckhand.test', '-c', 'user.name=lab', ...args], { encoding: 'utf8' }).trim();

interface Report { status: string; findings: { id: string; status: string; summary: string; remedy?: string }[]; data: { outcome: string; releaseId: string; previousRelease: string | null; failure: { step: string; message: string; revert: string | null } | null; runtime: { status: string; detail: string } } }

describe('swarm strategy on the lab Docker engine', { concurrency: false }, () => {
  let lab: LabState | null = null;
  let work = '';
  let repo = '';
  let target = '';
  /** True when this test made the engine a swarm manager (and so must make it leave). */
  let initialised = false;
  const sh = async (cmd: string): Promise<string> => (await sshExec('docker', 'root', cmd)).stdout.trim();
  const version = async (): Promise<string> => (JSON.parse(await sh(`curl -s -m 5 http://127.0.0.1:${PORT}/version`)) as { version: string }).version;
  const parse = (r: CliResult): Report => {
    try { return JSON.parse(r.stdout) as Report; } catch { throw new Error(`no JSON report (exit ${r.code}):\n${r.stderr}\n${r.stdout}`); }
  };
  const deploy = (): Promise<CliResult> => runCli([
    'deploy', target, ...labSshFlags(lab as LabState), '--repo', repo, '--name', APP, '--strategy', 'swarm',
    '--port', String(PORT), '--health', '/health', '--env-file', join(work, 'app.env'), '--start-timeout', '120', '--json', '--yes',
  ], { timeoutMs: 600_000 });
  const commit = async (v: string, broken = false): Promise<void> => {
    await writeFile(join(repo, 'VERSION'), `${v}\n`);
    if (broken) await writeFile(join(repo, 'BROKEN'), 'the healthcheck of this release fails\n');
    else await rm(join(repo, 'BROKEN'), { force: true });
    git(repo, 'add', '-A');
    git(repo, 'commit', '-q', '-m', `v${v}`);
  };
  /** The service's tasks: image and state of those meant to run. */
  const running = async (): Promise<string[]> => (await sh(`docker service ps ${APP} --filter desired-state=running --format '{{.Image}} {{.CurrentState}}'`))
    .split('\n').filter(Boolean).map((l) => l.split(' ').slice(0, 2).join(' ')).sort();

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'dh-swarm-lab-'));
    repo = join(work, 'swarm-app');
    await cp(FIXTURE, repo, { recursive: true });
    await writeFile(join(work, 'app.env'), 'GREETING=hello from the swarm env\n', { mode: 0o600 });
    // Tasks share the host network (this lab's kernel has no IPVS for the routing mesh); a short monitor keeps the test quick.
    await writeFile(join(repo, 'deckhand.yml'), 'swarm:\n  replicas: 2\n  network: host\n  update_monitor: 5s\n  stop_grace_period: 10s\n  deadline: 4m\n');
    git(repo, 'init', '-q');
  });

  after(async () => {
    if (lab) {
      // Step by step, each bounded on its own: task containers go away asynchronously and slowly on a busy vfs engine.
      const steps: [string, number][] = [
        [`docker service rm ${APP} >/dev/null 2>&1; true`, 60_000],
        [`for i in $(seq 1 170); do [ -z "$(docker ps -aq --filter label=com.docker.swarm.service.name=${APP})" ] && break; sleep 1; done; true`, 180_000],
        [`docker rmi -f $(docker image ls -q ${APP} | sort -u) >/dev/null 2>&1; rm -rf /opt/${APP}; true`, 120_000],
        ...(initialised ? [['docker swarm leave --force >/dev/null 2>&1; true', 60_000] as [string, number]] : []),
      ];
      for (const [cmd, ms] of steps) await sshExec('docker', 'root', cmd, ms).catch(() => undefined);
    }
    await rm(work, { recursive: true, force: true });
  });

  test('readiness says how to make the engine a swarm manager, then passes', async (t) => {
    lab = labOrSkip(t); if (!lab) return;
    const h = lab.hosts.docker;
    target = `ssh://root@${h.host}:${h.port}`;
    const check = async (): Promise<Report> => parse(await runCli(['check', target, ...labSshFlags(lab as LabState), '--strategy', 'swarm', '--json'], { timeoutMs: 120_000 }));
    const state = await sh("docker info --format '{{.Swarm.LocalNodeState}}'");
    if (state === 'inactive') {
      const r = await check();
      await sh('docker swarm init --advertise-addr 127.0.0.1 >/dev/null');
      initialised = true;
      const f = r.findings.find((x) => x.id === 'runtime.swarm');
      assert.equal(f?.status, 'block', JSON.stringify(f));
      assert.match(f?.remedy ?? '', /docker swarm init --advertise-addr/);
      assert.equal(r.status, 'not-ready');
    } else {
      process.stdout.write(`the engine is already in swarm state ${state}: this test will not make it leave\n`);
    }
    const r = await check();
    assert.equal(r.findings.find((x) => x.id === 'runtime.swarm')?.status, 'pass', JSON.stringify(r.findings));
    assert.equal(r.findings.find((x) => x.id === 'runtime.docker-daemon')?.status, 'pass');
    // This kernel has no IPVS: the routing mesh cannot publish, and readiness says so.
    const ipvs = (await sh('[ -e /proc/net/ip_vs ] && echo yes || echo no')) === 'yes';
    assert.equal(r.findings.find((x) => x.id === 'runtime.swarm-ipvs')?.status, ipvs ? undefined : 'warn');
  });

  test('v1 with 2 replicas answers; v2 start-first under load: zero failed requests', async (t) => {
    if (!lab) { t.skip('lab unavailable'); return; }
    await commit('1.0.0');
    const r1 = parse(await deploy());
    assert.equal(r1.data.outcome, 'SUCCESS', JSON.stringify(r1.data.failure));
    const id1 = r1.data.releaseId;
    assert.equal(await version(), '1.0.0');
    assert.deepEqual(await running(), [`${APP}:${id1} Running`, `${APP}:${id1} Running`]);
    const spec = await sh(`docker service inspect -f '{{.Spec.UpdateConfig.Order}} {{.Spec.UpdateConfig.FailureAction}} {{.Spec.RollbackConfig.Order}} {{.Spec.UpdateConfig.Monitor}} {{.Spec.Mode.Replicated.Replicas}}' ${APP}`);
    assert.equal(spec, 'start-first rollback start-first 5s 2');
    assert.equal(JSON.parse(await sh(`curl -s -m 5 http://127.0.0.1:${PORT}/version`)).greeting, 'hello from the swarm env');

    await commit('2.0.0');
    const load = startLoad({ port: PORT, maxSec: 400, maxCount: 40_000 });
    await load.firstOk;
    const r2raw = await deploy();
    await new Promise((res) => setTimeout(res, 1000));
    const seen = await load.stop();
    process.stdout.write(`load during the v2 update: ${describeLoad(seen)}\n`);
    const r2 = parse(r2raw);
    assert.equal(r2.data.outcome, 'SUCCESS', JSON.stringify(r2.data.failure));
    assert.equal(r2.data.previousRelease, id1);
    assert.deepEqual([seen.non2xx, seen.errors], [0, 0], JSON.stringify(seen.failures));
    assert.ok(seen.sent > 0 && seen.ok === seen.sent, describeLoad(seen));
    assert.equal(seen.order[0], '1.0.0');
    assert.equal(seen.order[seen.order.length - 1], '2.0.0');
    assert.deepEqual(await running(), [`${APP}:${r2.data.releaseId} Running`, `${APP}:${r2.data.releaseId} Running`]);

    // deckhand verify after the swarm deploy: the tasks (running == desired, the release's image) and the port answering.
    const v = await runCli(['verify', target, ...labSshFlags(lab), '--name', APP, '--window', '3s', '--json'], { timeoutMs: 180_000 });
    const rep = JSON.parse(v.stdout) as { data: { verdict: string; layers: { layer: string; status: string }[] }; findings: { id: string; status: string; summary: string }[] };
    const swarm = rep.findings.find((f) => f.id === 'process.swarm');
    assert.equal(swarm?.status, 'pass', JSON.stringify(rep.findings));
    assert.match(swarm?.summary ?? '', new RegExp(`^2/2 tasks running ${APP}:${r2.data.releaseId} `));
    const layers = Object.fromEntries(rep.data.layers.map((l) => [l.layer, l.status]));
    assert.equal(layers.http, 'pass', JSON.stringify(rep.data.layers));
    assert.equal(rep.data.verdict, 'VERIFIED', JSON.stringify(rep.data.layers));
  });

  // The fixture's healthcheck asks its own task (a socket in the container), so a broken task never counts as Running: the
  // engine's update monitor sees it fail and rolls back, and deckhand waits for that verdict instead of reverting itself.
  test('a release whose healthcheck fails: rolled back by the engine and reported FAILED; v2 keeps serving; then deckhand rollback to v1', async (t) => {
    if (!lab) { t.skip('lab unavailable'); return; }
    const ledgerBefore = JSON.parse(await sh(`cat /opt/${APP}/.deckhand/ledger.json`)) as { releases: { id: string; status: string }[] };
    const v2 = ledgerBefore.releases.find((r) => r.status === 'current')?.id ?? '';
    await commit('3.0.0', true);
    const t0 = Date.now();
    const raw = await deploy();
    const r3 = parse(raw);
    // deckhand's re-alignment (a service update to the spec already in force) clears UpdateStatus: the spec is what stays.
    const engine = await sh(`docker service inspect -f '{{if .UpdateStatus}}{{.UpdateStatus.State}}: {{.UpdateStatus.Message}}{{else}}no update status{{end}} | spec {{.Spec.TaskTemplate.ContainerSpec.Image}}' ${APP}`);
    process.stdout.write(`failing update (${Math.round((Date.now() - t0) / 1000)}s): engine ${engine}; deckhand ${r3.data.outcome} at ${r3.data.failure?.step ?? ''}: ${r3.data.failure?.message.split('\n').pop() ?? ''} | ${r3.data.failure?.revert ?? ''}\n`);
    assert.equal(raw.code, 1, raw.stderr);
    // The engine judged the update failed and put the previous spec back: deckhand says so, FAILED (not REVERTED), with the evidence.
    assert.equal(r3.data.failure?.step, 'start', r3.data.failure?.message);
    assert.equal(r3.data.outcome, 'FAILED');
    assert.match(r3.data.failure?.message ?? '', new RegExp(`rolled back by the engine: update to ${APP}:${r3.data.releaseId} failed, the previous spec is serving \\(UpdateStatus: [^)]*\\) \\(tasks: .*unhealthy container`));
    assert.match(r3.data.failure?.revert ?? '', new RegExp(`^rolled back by the engine: ${v2} is serving again; deckhand switched current back`));
    assert.match(engine, new RegExp(`\\| spec ${APP}:${v2}$`));
    assert.equal(r3.data.runtime.status, 'running');
    assert.equal(await version(), '2.0.0');
    assert.deepEqual(await running(), [`${APP}:${v2} Running`, `${APP}:${v2} Running`]);
    const ledger = JSON.parse(await sh(`cat /opt/${APP}/.deckhand/ledger.json`)) as { releases: { id: string; status: string; error?: string }[] };
    assert.equal(ledger.releases.find((r) => r.id === r3.data.releaseId)?.status, 'failed');
    assert.equal(ledger.releases.find((r) => r.id === v2)?.status, 'current');
    assert.equal(await sh(`basename "$(readlink /opt/${APP}/current)"`), v2);

    const rb = await runCli(['rollback', target, ...labSshFlags(lab), '--name', APP, '--start-timeout', '120', '--json'], { timeoutMs: 600_000 });
    const rr = parse(rb);
    assert.equal(rr.data.outcome, 'SUCCESS', rb.stderr + JSON.stringify(rr.data.failure));
    const v1 = rr.data.releaseId;
    assert.notEqual(v1, v2);
    assert.equal(await version(), '1.0.0');
    assert.deepEqual(await running(), [`${APP}:${v1} Running`, `${APP}:${v1} Running`]);
  });
});
