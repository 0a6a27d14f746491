// ops scale of a compose zero-downtime app on the lab Docker host (over real SSH, docker-compose, real nginx): 1 → 3 with nginx reaching every container, back to 1, and the next deploy after a scale.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { labOrSkip, sshExec, type LabState } from '../lab/lab.js';
import { labSshFlags, runCli, type CliResult } from '../helpers/cli.js';
import { OperationsReportSchema, type OperationsReport } from '../../src/report/operations.js';
import { APP_PY, appComposeFile, appDockerfile } from '../helpers/container-app.js';
import { DockerHostNginx, removeComposeApp } from '../helpers/docker-host-nginx.js';
import { describeLoad, startLoad, type LoadResult } from '../helpers/http-load.js';

const APP = 'lab-oscale';
const PROXY = 8871;
const PUBLISHED = 8872;
const DEPLOY_TIMEOUT_MS = 10 * 60_000;

/** The web service: the shared container app without a HEALTHCHECK, so a container accepts connections only when it is sent a request. */
const COMPOSE = appComposeFile(PUBLISHED);

const git = (dir: string, ...args: string[]): string =>
  execFileSync('git', ['-C', dir, '-c', 'user.email=lab@deckhand.test', '-c', 'user.name=lab', ...args], { encoding: 'utf8' }).trim();

type ScaleData = Extract<OperationsReport['data'], { task: 'scale' }>;

describe('ops scale of a compose zero-downtime app on the lab Docker host', { concurrency: false }, () => {
  let lab: LabState | null = null;
  let work = '';
  let target = '';
  const nginx = new DockerHostNginx();
  const sh = async (cmd: string): Promise<string> => (await sshExec('docker', 'root', cmd, 120_000)).stdout.trim();
  const webIds = async (): Promise<string[]> => (await sh(`docker ps -q --no-trunc --filter label=com.docker.compose.project=${APP} --filter label=com.docker.compose.service=web`)).split('\n').filter(Boolean);
  /** The host ports of the running web containers, read from docker itself. */
  const webPorts = async (): Promise<number[]> => {
    const ids = await webIds();
    const ports = await Promise.all(ids.map(async (id) => Number(/:(\d+)$/.exec(await sh(`docker port ${id} 8080/tcp | head -n 1`))?.[1])));
    return ports.sort((a, b) => a - b);
  };
  const upstreamPorts = async (): Promise<number[]> =>
    [...(await sh(`cat /etc/nginx/conf.d/${APP}-upstream.conf`)).matchAll(/server 127\.0\.0\.1:(\d+);/g)].map((m) => Number(m[1])).sort((a, b) => a - b);
  const deploy = async (env: string, startTimeoutSec = 90): Promise<CliResult> => {
    await writeFile(join(work, 'v.env'), env, { mode: 0o600 });
    return runCli(['deploy', target, ...labSshFlags(lab as LabState), '--repo', join(work, 'repo'), '--name', APP, '--strategy', 'compose', '--zero-downtime',
      '--env-file', join(work, 'v.env'), '--start-timeout', String(startTimeoutSec), '--json', '--yes'], { timeoutMs: DEPLOY_TIMEOUT_MS });
  };
  const scale = (n: string, yes = true): Promise<CliResult> =>
    runCli(['ops', 'scale', target, n, ...labSshFlags(lab as LabState), '--name', APP, '--json', ...(yes ? ['--yes'] : [])], { timeoutMs: DEPLOY_TIMEOUT_MS });
  /** Runs `during` under ~100 requests/s to /version through nginx (from this machine, the Docker host itself). */
  const underLoad = async <T>(during: () => Promise<T>): Promise<{ result: T; load: LoadResult }> => {
    const load = startLoad({ port: PROXY, maxSec: 560, maxCount: 60_000 });
    await load.firstOk;
    let result: T;
    try { result = await during(); } finally {
      // A second of load after the scale: requests right after the reload and the drain count too.
      await new Promise((res) => setTimeout(res, 1000));
    }
    const seen = await load.stop();
    process.stdout.write(`load: ${describeLoad(seen)}\n`);
    return { result, load: seen };
  };
  const report = (r: CliResult): OperationsReport => {
    let raw: unknown;
    try { raw = JSON.parse(r.stdout); } catch { throw new Error(`no JSON report (exit ${String(r.code)}):\n${r.stderr}\n${r.stdout}`); }
    return OperationsReportSchema.parse(raw);
  };

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'dh-oscale-lab-'));
    const repo = join(work, 'repo');
    await mkdir(repo);
    await writeFile(join(repo, 'app.py'), APP_PY);
    await writeFile(join(repo, 'Dockerfile'), appDockerfile({ healthcheck: false }));
    await writeFile(join(repo, 'docker-compose.yml'), COMPOSE);
    await writeFile(join(repo, 'deckhand.yml'), `proxy_port: ${PROXY}\nhealth: /health\ncompose:\n  drain: 3s\n`);
    git(repo, 'init', '-q');
    git(repo, 'add', '-A');
    git(repo, 'commit', '-q', '-m', APP);
  });

  after(async () => {
    if (lab) {
      await removeComposeApp(APP);
      await nginx.release(APP);
    }
    if (work) await rm(work, { recursive: true, force: true });
  });

  test('deploy with --zero-downtime: one container behind nginx on 8871', async (t) => {
    lab = labOrSkip(t); if (!lab) return;
    const h = lab.hosts.docker;
    target = `ssh://root@${h.host}:${h.port}`;
    assert.ok(await nginx.ensure(), 'nginx runs on the Docker host');
    const r = await deploy('APP_VERSION=1\n');
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.equal((await webIds()).length, 1);
  });

  test('without --yes: the plan, nothing changed', async (t) => {
    lab = labOrSkip(t); if (!lab) return;
    const r = await scale('3', false);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const d = report(r).data as ScaleData;
    assert.deepEqual([d.mode, d.kind, d.service, d.from, d.to], ['plan', 'compose', 'web', 1, 3]);
    assert.equal(d.actions[0], 'up -d --no-deps --no-recreate --scale web=3 web from the current release (its project name and -f file)');
    assert.equal((await webIds()).length, 1);
  });

  test('scale 3 --yes under load: three containers, the upstream lists their three ports, each accepted connections through nginx; 0 failed', async (t) => {
    lab = labOrSkip(t); if (!lab) return;
    const { result: r, load } = await underLoad(() => scale('3'));
    assert.ok(load.sent >= 100, `a real load was running (${load.sent} requests)`);
    assert.deepEqual([load.non2xx, load.errors, load.ok], [0, 0, load.sent], JSON.stringify(load.failures));
    const rep = report(r);
    assert.equal(r.code, 0, `${r.stderr}\n${JSON.stringify(rep.findings, null, 2)}`);
    assert.equal(rep.status, 'ok');
    const d = rep.data as ScaleData;
    assert.deepEqual([d.mode, d.from, d.to, d.upstream], ['applied', 1, 3, `/etc/nginx/conf.d/${APP}-upstream.conf`]);
    const ports = await webPorts();
    assert.equal(ports.length, 3);
    assert.deepEqual(await upstreamPorts(), ports, 'nginx sends traffic to every container');
    assert.deepEqual(d.instances.map((i) => i.port).sort((a, b) => (a ?? 0) - (b ?? 0)), ports);
    assert.deepEqual([d.traffic?.url, d.traffic?.sent, d.traffic?.answered], [`http://127.0.0.1:${PROXY}/health`, 60, 60]);
    process.stdout.write(`connections accepted per container during the verification: ${d.instances.map((i) => `${i.id.slice(0, 12)}=${String(i.requests)}`).join(' ')}\n`);
    for (const i of d.instances) assert.ok((i.requests ?? 0) > 0, `container ${i.id} got requests: ${JSON.stringify(d.instances)}`);
    assert.equal(await sh(`curl -s -m 5 http://127.0.0.1:${PROXY}/version`), '{"version": "1"}');
  });

  test('scale 1 --yes under load: two taken out of nginx, drained and removed; the one left is in the upstream; 0 failed', async (t) => {
    lab = labOrSkip(t); if (!lab) return;
    const { result: r, load } = await underLoad(() => scale('1'));
    assert.ok(load.sent >= 100, `a real load was running (${load.sent} requests)`);
    assert.deepEqual([load.non2xx, load.errors, load.ok], [0, 0, load.sent], JSON.stringify(load.failures));
    const rep = report(r);
    assert.equal(r.code, 0, `${r.stderr}\n${JSON.stringify(rep.findings, null, 2)}`);
    const d = rep.data as ScaleData;
    assert.deepEqual([d.from, d.to, d.instances.length], [3, 1, 1]);
    assert.equal(d.actions.filter((a) => /taken out of nginx, drained in \d+s .*stopped and removed/.test(a)).length, 2, d.actions.join('\n'));
    const ports = await webPorts();
    assert.equal(ports.length, 1);
    assert.deepEqual(await upstreamPorts(), ports);
    assert.ok((d.instances[0]?.requests ?? 0) > 0);
  });

  test('a deploy after scale 3 replaces all three with one new container (scale again afterwards)', async (t) => {
    lab = labOrSkip(t); if (!lab) return;
    assert.equal((await scale('3')).code, 0);
    const old = await webIds();
    assert.equal(old.length, 3);
    const r = await deploy('APP_VERSION=2\n');
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const now = await webIds();
    assert.equal(now.length, 1);
    assert.ok(!old.includes(now[0] ?? ''), 'a new container');
    assert.deepEqual(await upstreamPorts(), await webPorts());
    assert.equal(await sh(`curl -s -m 5 http://127.0.0.1:${PROXY}/version`), '{"version": "2"}');
  });

  test('a deploy that never becomes healthy after scale 3 reverts: nginx lists only the kept container before the others go, and it answers', async (t) => {
    lab = labOrSkip(t); if (!lab) return;
    assert.equal((await scale('3')).code, 0);
    const scaled = await webPorts();
    assert.equal(scaled.length, 3);
    assert.deepEqual(await upstreamPorts(), scaled);
    // No HEALTHCHECK: the broken container keeps running and answers /health 503 until the start timeout.
    const r = await deploy('APP_VERSION=3\nAPP_BROKEN=1\n', 20);
    assert.equal(r.code, 1, r.stderr + r.stdout);
    const rep = JSON.parse(r.stdout) as { data: { outcome: string; failure: { step: string; message: string } | null; commands: { step: string; output: string }[] } };
    assert.equal(rep.data.outcome, 'REVERTED', JSON.stringify(rep.data.failure));
    assert.match(rep.data.failure?.message ?? '', /the new web container \w+ of \S+ never became healthy and was removed/);
    const revert = rep.data.commands.filter((c) => c.step === 'revert').map((c) => c.output).join('\n');
    process.stdout.write(`revert: ${revert.replace(/\n/g, ' | ')}\n`);
    const narrowed = /nginx sends lab-oscale only to web container \w+ \(port (\d+); the upstream listed (\d+) (\d+) (\d+)\): reloaded gracefully, healthy through port 8871/.exec(revert);
    assert.ok(narrowed, `the revert pointed nginx at one container before retiring the others:\n${revert}`);
    assert.deepEqual(narrowed.slice(2).map(Number).sort((a, b) => a - b), scaled);
    assert.equal(revert.match(/old web container \w+ \(port \d+\) drained in \d+s .*, stopped and removed/g)?.length, 2, revert);
    assert.ok(revert.indexOf('nginx sends lab-oscale only') < revert.indexOf('old web container'), 'nginx no longer listed them when they were retired');
    const live = await webPorts();
    const listed = await upstreamPorts();
    assert.deepEqual(listed, live, 'the upstream lists exactly the live containers');
    assert.deepEqual(listed, [Number(narrowed[1])]);
    for (const p of listed) assert.equal(await sh(`curl -s -m 5 http://127.0.0.1:${p}/health`), '{"status": "ok"}', `port ${p} in the upstream answers`);
    assert.equal(await sh(`curl -s -m 5 http://127.0.0.1:${PROXY}/version`), '{"version": "2"}');
  });
});
