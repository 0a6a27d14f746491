// docker and compose strategies against the lab's Docker host over SSH: deploy, redeploy, rollback, failed build, volume data kept.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { labOrSkip, sshExec, type LabState } from '../lab/lab.js';
import { labSshFlags, runCli, type CliResult } from '../helpers/cli.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/deploy/', import.meta.url));
const DOCKER_APP = 'dh-docker-lab';
const DOCKER_PORT = 3551;
const COMPOSE_APP = 'dh-compose-lab';
const COMPOSE_PORT = 3561;

const git = (dir: string, ...args: string[]): string =>
  execFileSync('git', ['-C', dir, '-c', 'user.email=lab@deckhand.test', '-c', 'user.name=lab', ...args], { encoding: 'utf8' }).trim();

/** Commits the working tree as the next version; returns the short commit. */
async function commitVersion(repo: string, versionFile: string, version: string): Promise<string> {
  await writeFile(join(repo, versionFile), `${version}\n`);
  git(repo, 'add', '-A');
  git(repo, 'commit', '-q', '-m', `v${version}`);
  return git(repo, 'rev-parse', '--short=7', 'HEAD');
}

describe('docker and compose strategies on the lab Docker host', { concurrency: false }, () => {
  let lab: LabState | null = null;
  let work = '';
  let target = '';
  const sh = async (cmd: string): Promise<string> => (await sshExec('docker', 'root', cmd)).stdout.trim();
  // A generous per-request limit: a busy Docker host can be slow to answer, and a timeout here would say nothing about deckhand.
  const json = async (port: number, path: string): Promise<Record<string, unknown>> => {
    const r = await sshExec('docker', 'root', `curl -sS -m 30 http://127.0.0.1:${port}${path}`);
    try { return JSON.parse(r.stdout) as Record<string, unknown>; } catch { throw new Error(`GET ${path} on :${port} gave no JSON (curl exit ${r.code}): ${r.stderr.trim()} ${r.stdout.slice(0, 200)}`); }
  };
  const report = (r: CliResult): { data: { outcome: string; releaseId: string; previousRelease: string | null; failure: { step: string } | null; warnings: string[] } } => {
    try { return JSON.parse(r.stdout); } catch { throw new Error(`no JSON report (exit ${r.code}):\n${r.stderr}\n${r.stdout}`); }
  };
  const deploy = (app: string, strategy: string, port: number, repo: string): Promise<CliResult> => runCli([
    'deploy', target, ...labSshFlags(lab as LabState), '--repo', repo, '--name', app, '--strategy', strategy,
    '--port', String(port), '--health', '/health', '--env-file', join(work, 'app.env'), '--start-timeout', '60', '--json', '--yes',
  ], { timeoutMs: 600_000 });
  const rollback = (app: string): Promise<CliResult> => runCli(['rollback', target, ...labSshFlags(lab as LabState), '--name', app, '--start-timeout', '60', '--json'], { timeoutMs: 600_000 });

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'dh-docker-lab-'));
    await writeFile(join(work, 'app.env'), 'GREETING=hello from the env file\n', { mode: 0o600 });
    for (const name of ['docker-app', 'compose-app']) {
      await cp(join(FIXTURES, name), join(work, name), { recursive: true });
      git(join(work, name), 'init', '-q');
    }
  });

  after(async () => {
    if (lab) {
      const images = `$(docker image ls -q ${DOCKER_APP} | sort -u) $(docker image ls -q dh-compose-lab-web | sort -u) $(docker image ls -q ${COMPOSE_APP}_store | sort -u)`;
      await sh([
        `docker rm -f ${DOCKER_APP} >/dev/null 2>&1`,
        `(cd /opt/${COMPOSE_APP}/current 2>/dev/null && docker-compose -p ${COMPOSE_APP} down --remove-orphans -v >/dev/null 2>&1)`,
        `docker rm -f $(docker ps -aq --filter label=com.docker.compose.project=${COMPOSE_APP}) >/dev/null 2>&1`,
        `docker volume rm ${COMPOSE_APP}_data >/dev/null 2>&1`,
        `docker rmi -f ${images} >/dev/null 2>&1`,
        `rm -rf /opt/${DOCKER_APP} /opt/${COMPOSE_APP}`,
        'true',
      ].join('; ')).catch(() => undefined);
    }
    await rm(work, { recursive: true, force: true });
  });

  test('docker: v1, v2 (new tag, old kept), failed build leaves v2 serving, rollback brings v1 back', async (t) => {
    lab = labOrSkip(t); if (!lab) return;
    const h = lab.hosts.docker;
    target = `ssh://root@${h.host}:${h.port}`;
    const repo = join(work, 'docker-app');
    const c1 = await commitVersion(repo, 'VERSION', '1.0.0');
    const r1 = await deploy(DOCKER_APP, 'docker', DOCKER_PORT, repo);
    assert.equal(report(r1).data.outcome, 'SUCCESS', r1.stderr + r1.stdout);
    const id1 = report(r1).data.releaseId;
    assert.deepEqual(await json(DOCKER_PORT, '/version'), { version: '1.0.0', greeting: 'hello from the env file' });
    assert.equal(await sh(`docker inspect -f '{{.State.Health.Status}} {{.HostConfig.RestartPolicy.Name}} {{.Config.Image}}' ${DOCKER_APP}`), `healthy unless-stopped ${DOCKER_APP}:${id1}`);
    assert.match(await sh(`docker port ${DOCKER_APP}`), new RegExp(`^${DOCKER_PORT}/tcp -> 127\\.0\\.0\\.1:${DOCKER_PORT}$`));

    const c2 = await commitVersion(repo, 'VERSION', '2.0.0');
    const r2 = await deploy(DOCKER_APP, 'docker', DOCKER_PORT, repo);
    assert.equal(report(r2).data.outcome, 'SUCCESS', r2.stderr + r2.stdout);
    const id2 = report(r2).data.releaseId;
    assert.equal(report(r2).data.previousRelease, id1);
    assert.equal((await json(DOCKER_PORT, '/version')).version, '2.0.0');
    const tags = (await sh(`docker image ls --format '{{.Tag}}' ${DOCKER_APP}`)).split('\n').sort();
    assert.deepEqual(tags, [id1, id2, c1, c2].sort(), 'both release tags and both short-commit tags are kept');

    // A Dockerfile that cannot build: prepare fails, nothing is switched, v2 keeps serving.
    await writeFile(join(repo, 'Dockerfile'), 'FROM deckhand-lab/base:latest\nRUN echo "deliberate build failure" >&2; exit 1\n');
    await commitVersion(repo, 'VERSION', '3.0.0');
    const r3 = await deploy(DOCKER_APP, 'docker', DOCKER_PORT, repo);
    assert.equal(r3.code, 1, r3.stderr);
    assert.equal(report(r3).data.outcome, 'FAILED');
    assert.equal(report(r3).data.failure?.step, 'docker.build');
    assert.equal(await sh(`readlink /opt/${DOCKER_APP}/current`), `releases/${id2}`);
    assert.equal((await json(DOCKER_PORT, '/version')).version, '2.0.0');

    const rb = await rollback(DOCKER_APP);
    assert.equal(rb.code, 0, rb.stderr + rb.stdout);
    assert.deepEqual(await json(DOCKER_PORT, '/version'), { version: '1.0.0', greeting: 'hello from the env file' });
    assert.equal(await sh(`docker inspect -f '{{.Config.Image}}' ${DOCKER_APP}`), `${DOCKER_APP}:${id1}`);
    assert.ok((await sh(`docker image ls --format '{{.Tag}}' ${DOCKER_APP}`)).split('\n').includes(id2), 'the rolled-back-from image stays');
  });

  test('compose: v1, data in a named volume, v2, failed build, rollback; the volume survives all of it', async (t) => {
    lab = labOrSkip(t); if (!lab) return;
    const h = lab.hosts.docker;
    target = `ssh://root@${h.host}:${h.port}`;
    const repo = join(work, 'compose-app');
    await commitVersion(repo, 'web/VERSION', '1.0.0');
    const r1 = await deploy(COMPOSE_APP, 'compose', COMPOSE_PORT, repo);
    assert.equal(report(r1).data.outcome, 'SUCCESS', r1.stderr + r1.stdout);
    for (let i = 0; i < 3; i++) await json(COMPOSE_PORT, '/bump');
    assert.deepEqual(await json(COMPOSE_PORT, '/version'), { version: '1.0.0', count: 3, greeting: 'hello from the env file' });

    await commitVersion(repo, 'web/VERSION', '2.0.0');
    const r2 = await deploy(COMPOSE_APP, 'compose', COMPOSE_PORT, repo);
    assert.equal(report(r2).data.outcome, 'SUCCESS', r2.stderr + r2.stdout);
    assert.deepEqual(await json(COMPOSE_PORT, '/version'), { version: '2.0.0', count: 3, greeting: 'hello from the env file' });
    await json(COMPOSE_PORT, '/bump');

    await writeFile(join(repo, 'web/Dockerfile'), 'FROM deckhand-lab/base:latest\nRUN exit 1\n');
    await commitVersion(repo, 'web/VERSION', '3.0.0');
    const r3 = await deploy(COMPOSE_APP, 'compose', COMPOSE_PORT, repo);
    assert.equal(report(r3).data.outcome, 'FAILED', r3.stderr + r3.stdout);
    assert.equal(report(r3).data.failure?.step, 'compose.build');
    assert.equal(await sh(`readlink /opt/${COMPOSE_APP}/current`), `releases/${report(r2).data.releaseId}`);
    assert.equal((await json(COMPOSE_PORT, '/version')).version, '2.0.0');

    const rb = await rollback(COMPOSE_APP);
    assert.equal(rb.code, 0, rb.stderr + rb.stdout);
    assert.deepEqual(await json(COMPOSE_PORT, '/version'), { version: '1.0.0', count: 4, greeting: 'hello from the env file' });
    assert.equal(await sh(`docker volume ls -q --filter name=^${COMPOSE_APP}_data$`), `${COMPOSE_APP}_data`);
    assert.equal(await sh(`docker ps -q --filter label=com.docker.compose.project=${COMPOSE_APP} | wc -l`), '2');
  });
});
