// compose zero downtime on the lab Docker host (over real SSH, docker-compose v1, real nginx): releases, a never-healthy release and a rollback, each under a constant load through nginx that must see no failure.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { labOrSkip, sshExec, type LabState } from '../lab/lab.js';
import { labSshFlags, runCli, type CliResult } from '../helpers/cli.js';
import { APP_PY, appComposeFile, appDockerfile } from '../helpers/container-app.js';
import { DockerHostNginx, removeComposeApp } from '../helpers/docker-host-nginx.js';
import { describeLoad, startLoad, type LoadResult } from '../helpers/http-load.js';

const APP = 'lab-czd';
const PROXY = 8831;
/** The port the compose file publishes (only a plain deploy would use it): nginx takes the clients on PROXY instead. */
const PUBLISHED = 8832;
const DEPLOY_TIMEOUT_MS = 10 * 60_000;

/** The web service (the shared container app, HEALTHCHECK on /health) and a sidecar the replacement must leave running. */
const COMPOSE = appComposeFile(PUBLISHED, `  sidecar:
    image: deckhand-lab/base:latest
    command: ["sleep", "infinity"]
    init: true
`);

const git = (dir: string, ...args: string[]): string =>
  execFileSync('git', ['-C', dir, '-c', 'user.email=lab@deckhand.test', '-c', 'user.name=lab', ...args], { encoding: 'utf8' }).trim();

interface Report { data: { outcome: string; handoff: { port: number } | null; failure: { step: string; message: string } | null; commands: { step: string; output: string }[] } }

describe('compose zero downtime on the lab Docker host (nginx in front, docker-compose v1)', { concurrency: false }, () => {
  let lab: LabState | null = null;
  let work = '';
  let target = '';
  const nginx = new DockerHostNginx();
  const sh = async (cmd: string): Promise<string> => (await sshExec('docker', 'root', cmd, 120_000)).stdout.trim();
  const version = async (): Promise<string> => (JSON.parse(await sh(`curl -s -m 5 http://127.0.0.1:${PROXY}/version`)) as { version: string }).version;
  const webIds = (): Promise<string> => sh(`docker ps -aq --filter label=com.docker.compose.project=${APP} --filter label=com.docker.compose.service=web | sort | tr '\\n' ' '`);
  const sidecarId = (): Promise<string> => sh(`docker ps -q --filter label=com.docker.compose.project=${APP} --filter label=com.docker.compose.service=sidecar`);
  const upstreamPort = async (): Promise<string> => /server 127\.0\.0\.1:(\d+);/.exec(await sh(`cat /etc/nginx/conf.d/${APP}-upstream.conf`))?.[1] ?? '';
  const parse = (r: CliResult): Report => {
    try { return JSON.parse(r.stdout) as Report; } catch { throw new Error(`no JSON report (exit ${String(r.code)}):\n${r.stderr}\n${r.stdout}`); }
  };
  const deploy = async (env: string): Promise<CliResult> => {
    await writeFile(join(work, 'v.env'), env, { mode: 0o600 });
    return runCli(['deploy', target, ...labSshFlags(lab as LabState), '--repo', join(work, 'repo'), '--name', APP, '--strategy', 'compose', '--zero-downtime',
      '--env-file', join(work, 'v.env'), '--start-timeout', '90', '--json', '--yes'], { timeoutMs: DEPLOY_TIMEOUT_MS });
  };
  /** Runs `during` under ~100 requests/s to /version through nginx (from this machine, the Docker host itself). */
  const underLoad = async <T>(during: () => Promise<T>): Promise<{ result: T; load: LoadResult }> => {
    const load = startLoad({ port: PROXY, maxSec: 560, maxCount: 60_000 });
    await load.firstOk;
    await new Promise((res) => setTimeout(res, 1000));
    let result: T;
    try { result = await during(); } finally {
      // A second of load after the operation: requests right after the switch and the drain count too.
      await new Promise((res) => setTimeout(res, 1000));
    }
    const seen = await load.stop();
    process.stdout.write(`load: ${describeLoad(seen)}\n`);
    return { result, load: seen };
  };
  const startOutput = (rep: Report): string => rep.data.commands.filter((c) => c.step === 'start').map((c) => c.output).join('\n');

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'dh-czd-lab-'));
    const repo = join(work, 'repo');
    await mkdir(repo);
    await writeFile(join(repo, 'app.py'), APP_PY);
    await writeFile(join(repo, 'Dockerfile'), appDockerfile({ healthcheck: true }));
    await writeFile(join(repo, 'docker-compose.yml'), COMPOSE);
    await writeFile(join(repo, 'deckhand.yml'), `proxy_port: ${PROXY}\nhealth: /health\ncompose:\n  drain: 3s\n`);
    git(repo, 'init', '-q');
    git(repo, 'add', '-A');
    git(repo, 'commit', '-q', '-m', 'lab-czd');
  });

  after(async () => {
    if (lab) {
      await removeComposeApp(APP);
      await nginx.release(APP);
    }
    if (work) await rm(work, { recursive: true, force: true });
  });

  test('first release: the service on an ephemeral loopback port, nginx in front on 8831', async (t) => {
    lab = labOrSkip(t); if (!lab) return;
    const h = lab.hosts.docker;
    target = `ssh://root@${h.host}:${h.port}`;
    assert.ok(await nginx.ensure(), 'nginx runs on the Docker host');
    const r = await deploy('APP_VERSION=1\n');
    const rep = parse(r);
    assert.equal(rep.data.outcome, 'SUCCESS', r.stderr + r.stdout);
    assert.equal(rep.data.handoff?.port, PROXY);
    assert.match(startOutput(rep), /started \S+: web container \w+ on 127\.0\.0\.1:\d+ \(healthy after .*\) behind nginx on port 8831/);
    assert.equal(await version(), '1');
    const web = (await webIds()).trim();
    assert.equal(web.split(' ').length, 1);
    assert.equal(await sh(`docker port ${web} 8080/tcp | head -n 1`), `127.0.0.1:${await upstreamPort()}`);
    assert.equal(await sh(`curl -s -o /dev/null -w '%{http_code}' -m 3 http://127.0.0.1:${PUBLISHED}/health || true`), '000', 'the compose file\'s fixed port is not published');
    assert.match(await sh(`cat /etc/nginx/sites-enabled/${APP}`), /listen 8831;[^]*proxy_pass http:\/\/lab-czd_app;/);
  });

  test('second release under load: a new container beside the old, switched, the old drained and removed; 0 failed; the sidecar untouched', async (t) => {
    lab = labOrSkip(t); if (!lab) return;
    const [oldWeb, sidecar] = [(await webIds()).trim(), await sidecarId()];
    const { result: r, load } = await underLoad(() => deploy('APP_VERSION=2\n'));
    const rep = parse(r);
    assert.equal(rep.data.outcome, 'SUCCESS', r.stderr + r.stdout);
    const out = startOutput(rep);
    process.stdout.write(`start step: ${out.replace(/\n/g, ' | ')}\n`);
    assert.match(out, /new web container \w+ of \S+ on 127\.0\.0\.1:\d+: healthy after/);
    assert.match(out, /nginx sends lab-czd to web container \w+ \(port \d+, was \d+\): reloaded gracefully, healthy through port 8831/);
    assert.match(out, new RegExp(`old web container ${oldWeb} \\(port \\d+\\) drained in \\d+s .*, stopped and removed`));
    assert.ok(load.sent >= 300, `a real load was running (${load.sent} requests)`);
    assert.deepEqual([load.non2xx, load.errors, load.ok], [0, 0, load.sent], JSON.stringify(load.failures));
    assert.deepEqual(load.order, ['1', '2'], '/version switched once, from the old release to the new');
    assert.equal(await version(), '2');
    const web = (await webIds()).trim();
    assert.ok(web.length > 0 && !web.includes(' ') && web !== oldWeb, `one new web container (${web})`);
    assert.equal(await sidecarId(), sidecar, 'the other service kept its container');
  });

  test('a release that never becomes healthy gets no request: removed, REVERTED, the old container answered everything', async (t) => {
    lab = labOrSkip(t); if (!lab) return;
    const [web, sidecar, current] = [(await webIds()).trim(), await sidecarId(), await sh(`readlink /opt/${APP}/current`)];
    const { result: r, load } = await underLoad(() => deploy('APP_VERSION=3\nAPP_BROKEN=1\n'));
    assert.equal(r.code, 1, r.stderr + r.stdout);
    const rep = parse(r);
    assert.equal(rep.data.outcome, 'REVERTED', JSON.stringify(rep.data.failure));
    assert.equal(rep.data.failure?.step, 'start');
    assert.match(rep.data.failure?.message ?? '', /the new web container \w+ of \S+ never became healthy and was removed; nginx still sends everything to port \d+/);
    assert.ok(load.sent >= 300, `a real load was running (${load.sent} requests)`);
    assert.deepEqual([load.non2xx, load.errors, load.ok], [0, 0, load.sent], JSON.stringify(load.failures));
    assert.deepEqual(Object.keys(load.versions), ['2'], 'only the old release answered');
    assert.equal(await version(), '2');
    assert.deepEqual([(await webIds()).trim(), await sidecarId(), await sh(`readlink /opt/${APP}/current`)], [web, sidecar, current]);
  });

  test('rollback under load: the previous release replaces the current one the same way, 0 failed', async (t) => {
    lab = labOrSkip(t); if (!lab) return;
    const { result: r, load } = await underLoad(() => runCli(['rollback', target, ...labSshFlags(lab as LabState), '--name', APP, '--start-timeout', '90', '--json'], { timeoutMs: DEPLOY_TIMEOUT_MS }));
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(startOutput(parse(r)), /nginx sends lab-czd to web container \w+ \(port \d+, was \d+\)/);
    assert.deepEqual([load.non2xx, load.errors, load.ok], [0, 0, load.sent], JSON.stringify(load.failures));
    assert.deepEqual(load.order, ['2', '1']);
    assert.equal(await version(), '1');
    assert.equal((await webIds()).trim().split(' ').length, 1);
  });
});
