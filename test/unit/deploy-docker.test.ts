// docker and compose strategies: exact command builders, host support from the probe, and the plans they produce.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { shJoin } from '../../src/core/command.js';
import {
  dockerAliveCheck, dockerBuildCommand, dockerPruneImagesCommand, dockerStartCommand, dockerStopCommand, imageTags,
} from '../../src/commands/docker.js';
import {
  composeAliveCheck, composeBuildCommand, composeCli, composeDownCommand, composeImagesCommand, composeLinkEnvCommand, composePullCommand,
  composeUpCommand, composeValidateCommand,
} from '../../src/commands/compose.js';
import { deployStateCommand } from '../../src/commands/deploy-state.js';
import { planDeploy } from '../../src/stages/deploy/plan.js';
import { parseState, type ProbedState } from '../../src/stages/deploy/state.js';
import { emptyLedger, withDeployed } from '../../src/stages/deploy/ledger.js';
import type { DeploySpec } from '../../src/stages/deploy/types.js';

const NOW = new Date('2026-12-01T14:05:01.123Z');
const COMMIT = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';

function spec(over: Partial<DeploySpec> = {}): DeploySpec {
  return {
    app: 'shop', strategy: 'docker', sourceDir: '/src/shop', commit: COMMIT, dirty: false, runtime: null, port: 3000, healthPath: '/health', build: 'target',
    commands: { install: null, build: null, start: null, migrate: null }, envNames: [], envSources: [], serviceUser: 'shop', keep: 5, excludes: [],
    startTimeoutMs: 30_000, baseDirOverride: null, pm2Instances: 1, script: null, zeroDowntime: false, ...over,
  };
}

function state(tools: Record<string, boolean>, over: Partial<ProbedState> = {}): ProbedState {
  return {
    user: 'root', uid: 0, home: '/root', hostname: 'box', sudo: true, systemd: true, rsync: true, tools: { rsync: true, docker: true, 'docker-direct': true, ...tools },
    baseExists: false, ledgerText: null, lockText: null, currentTarget: null, releaseDirs: [], unitHash: null, base: '/opt/shop', ...over,
  };
}

const plan = (s: DeploySpec, st: ProbedState): ReturnType<typeof planDeploy> => planDeploy({ spec: s, state: st, target: 'h', now: NOW, envProvided: 'none' });
const RID = '20261201T140501Z-a1b2c3d';

describe('docker command builders (exact)', () => {
  it('tags the image with the release id and the short commit (only when known)', () => {
    assert.deepEqual(imageTags('shop', RID, COMMIT), [`shop:${RID}`, 'shop:a1b2c3d']);
    assert.deepEqual(imageTags('shop', RID, null), [`shop:${RID}`]);
  });
  it('builds in the release directory, saying so when there is no Dockerfile', () => {
    assert.equal(shJoin(dockerBuildCommand(`/opt/shop/releases/${RID}`, imageTags('shop', RID, COMMIT)).argv),
      `sh -c 'set -e; cd "$1"; shift; if [ ! -f Dockerfile ]; then echo "no Dockerfile in $PWD: the docker strategy builds the image from it" >&2; exit 2; fi; exec docker build "$@" .' `
      + `deckhand-docker-build /opt/shop/releases/${RID} -t shop:${RID} -t shop:a1b2c3d`);
  });
  it('starts from the image of `current` (never the plan\'s release), loopback port, restart policy, env names only', () => {
    const c = dockerStartCommand('/opt/shop', 'shop', 3000, '127.0.0.1');
    assert.deepEqual(c.argv.slice(3), ['deckhand-docker-start', '/opt/shop', 'shop', '3000', '127.0.0.1']);
    assert.equal(c.argv[2], [
      'set -e; base="$1"; app="$2"; port="$3"; bind="$4"',
      'rel=$(readlink "$base/current" || true); rel=${rel%/}; rel=${rel##*/}',
      'if [ -z "$rel" ]; then echo "$base/current points at no release" >&2; exit 2; fi',
      'image="$app:$rel"',
      'if ! docker image inspect "$image" >/dev/null 2>&1; then echo "image $image is missing (removed by hand?): deploy that commit again" >&2; exit 3; fi',
      'set --',
      'env="$base/shared/.env"',
      'if [ -f "$env" ]; then set -a; . "$env"; set +a; for n in $(sed -n "s/^\\([A-Za-z_][A-Za-z0-9_]*\\)=.*/\\1/p" "$env"); do set -- "$@" -e "$n"; done; fi',
      'if [ -n "$port" ]; then set -- "$@" -e "PORT=$port" -p "$bind:$port:$port"; fi',
      'docker stop -t 20 "$app" >/dev/null 2>&1 || true',
      'docker rm -f "$app" >/dev/null 2>&1 || true',
      'docker run -d --name "$app" --restart unless-stopped --label "deckhand.app=$app" --label "deckhand.release=$rel" "$@" "$image"',
    ].join('\n'));
    assert.deepEqual(dockerStartCommand('/opt/shop', 'shop', null, '127.0.0.1').argv.slice(6), ['', '127.0.0.1']);
  });
  it('stop, alive check (running, and healthy when the image has a HEALTHCHECK), prune of tags without a release dir', () => {
    assert.equal(shJoin(dockerStopCommand('shop').argv), `sh -c 'docker stop -t 20 "$1" >/dev/null 2>&1 || true; docker rm -f "$1" >/dev/null 2>&1 || true' deckhand-docker-stop shop`);
    assert.equal(dockerAliveCheck('docker', 'shop'),
      `s=$(docker inspect -f '{{.State.Running}}/{{if .State.Health}}{{.State.Health.Status}}{{end}}' shop 2>/dev/null) && { [ "$s" = true/ ] || [ "$s" = true/healthy ]; }`);
    const p = dockerPruneImagesCommand('/opt/shop', 'shop');
    assert.deepEqual(p.argv.slice(3), ['deckhand-docker-prune', '/opt/shop', 'shop']);
    assert.match(p.argv[2] ?? '', /if \[ -d "\$b\/releases\/\$tag" \]; then keep="\$keep\$id "; else stale="\$stale\$id "; docker rmi "\$app:\$tag"/);
    assert.match(p.argv[2] ?? '', /exit 0$/);
  });
});

describe('compose command builders (exact)', () => {
  const v1 = composeCli('v1', 'shop');
  it('v2 plugin or v1 binary, always with the app as project name', () => {
    assert.deepEqual(composeCli('v2', 'shop'), ['docker', 'compose', '-p', 'shop']);
    assert.deepEqual(v1, ['docker-compose', '-p', 'shop']);
  });
  it('validate, pull (failure is a warning), build, image check, in the release dir', () => {
    const dir = `/opt/shop/releases/${RID}`;
    assert.equal(shJoin(composeLinkEnvCommand(dir, '/opt/shop/shared/.env').argv),
      `sh -c 'set -e; if [ ! -e "$2" ]; then (umask 077; : > "$2"); fi; ln -sfn "$2" "$1/.env"' deckhand-compose-env ${dir} /opt/shop/shared/.env`);
    assert.equal(shJoin(composeValidateCommand(dir, v1).argv), `sh -c 'set -e; cd "$1"; shift; exec "$@"' deckhand-compose ${dir} docker-compose -p shop config -q`);
    assert.equal(shJoin(composePullCommand(dir, v1).argv),
      `sh -c 'cd "$1"; shift; "$@" pull --ignore-pull-failures || echo "deckhand: warning: the pull failed; the images on this host are used (checked after the build)" >&2' deckhand-compose-pull ${dir} docker-compose -p shop`);
    assert.equal(shJoin(composeBuildCommand(dir, v1).argv), `sh -c 'set -e; cd "$1"; shift; exec "$@"' deckhand-compose ${dir} docker-compose -p shop build`);
    assert.deepEqual(composeImagesCommand(dir, v1).argv.slice(3), ['deckhand-compose-images', dir, 'docker-compose', '-p', 'shop']);
  });
  it('up from current with --build and --remove-orphans (--wait only when supported); down never removes volumes', () => {
    assert.equal(shJoin(composeUpCommand('/opt/shop/current', v1, false).argv),
      `sh -c 'set -e; cd "$1"; shift; exec "$@"' deckhand-compose /opt/shop/current docker-compose -p shop up -d --build --remove-orphans`);
    assert.deepEqual(composeUpCommand('/opt/shop/current', composeCli('v2', 'shop'), true).argv.slice(5), ['docker', 'compose', '-p', 'shop', 'up', '-d', '--build', '--remove-orphans', '--wait']);
    const down = composeDownCommand('/opt/shop/current', v1);
    assert.deepEqual(down.argv.slice(5), ['docker-compose', '-p', 'shop', 'down', '--remove-orphans']);
    assert.ok(!down.argv.includes('-v') && !down.argv.includes('--volumes'));
  });
  it('alive: every project container running (healthy when it has a check) or exited 0', () => {
    assert.equal(composeAliveCheck('docker', 'shop'),
      `ids=$(docker ps -aq --filter label=com.docker.compose.project=shop --filter label=com.docker.compose.oneoff=False) && [ -n "$ids" ] `
      + `&& ! docker inspect -f '{{.State.Status}}/{{.State.ExitCode}}/{{if .State.Health}}{{.State.Health.Status}}{{end}}' $ids 2>&1 `
      + `| grep -v -x -E -e 'running/0/(healthy)?' -e 'exited/0/.*' | grep -q .`);
  });
});

describe('docker and compose plans', () => {
  it('the probe reports docker access and the compose flavour as tool flags', () => {
    const script = deployStateCommand('shop', null).argv[2] ?? '';
    assert.match(script, /echo "tool.docker-direct=\$dd"; echo "tool.docker-sudo=\$ds"; echo "tool.compose-v2=\$c2"; echo "tool.compose-wait=\$cw"; echo "tool.compose-v1=\$c1"/);
    const st = parseState('user=deploy\nuid=1000\nbase=/opt/shop\ntool.docker=1\ntool.docker-direct=0\ntool.docker-sudo=1\ntool.compose-v1=1\n');
    assert.equal(st.tools['docker-sudo'], true);
    assert.equal(st.tools['compose-v1'], true);
  });
  it('says why a host cannot run docker or compose', () => {
    assert.throws(() => plan(spec(), state({ docker: false, 'docker-direct': false })), /cannot run the docker strategy: docker is not installed/);
    assert.throws(() => plan(spec(), state({ 'docker-direct': false }, { user: 'ann', uid: 1000, sudo: false })), /ann cannot use the docker daemon: not root, not in the docker group, and no passwordless sudo/);
    assert.throws(() => plan(spec(), state({ 'docker-direct': false })), /the docker daemon does not answer/);
    assert.throws(() => plan(spec({ strategy: 'compose' }), state({})), /neither `docker compose` \(v2 plugin\) nor docker-compose \(v1\)/);
  });
  it('docker: builds in prepare (before the switch), starts through sudo when only sudo reaches the daemon', () => {
    const st = state({ 'docker-direct': false, 'docker-sudo': true }, { user: 'deploy', uid: 1000, sudo: true });
    const p = plan(spec({ commands: { install: 'npm ci', build: 'npm run build', start: null, migrate: null } }), st);
    assert.deepEqual(p.steps.map((s) => `${s.phase}:${s.id}`), ['prepare:layout', 'prepare:upload', 'prepare:docker.build', 'prepare:docker.prune-images', 'switch:switch', 'start:start', 'start:wait-healthy', 'finalize:ledger']);
    assert.deepEqual(p.steps.find((s) => s.id === 'docker.build')?.actions.map((a) => (a.type === 'run' ? a.command.argv.slice(0, 4) : [])), [['sudo', '-n', '--', 'sh']]);
    assert.ok(p.warnings.some((w) => /install and build run in the image build, so npm ci, npm run build is not used/.test(w)));
    assert.match(p.logsCommand, /^sudo -n docker logs -f shop$/);
    assert.deepEqual(p.revert.map((a) => (a.type === 'run' ? a.command.argv.slice(0, 2).concat(a.command.argv.slice(6, 7)) : [])), [['sudo', '-n', 'deckhand-docker-stop'], ['rm', '-f']]);
  });
  it('docker: revert restores the previous release by switching current and starting from it', () => {
    const ledger = withDeployed(emptyLedger('shop'), { id: 'r-old', commit: null, dirty: false, strategy: 'docker', deployedAt: NOW.toISOString(), deployedBy: 'a@b', deckhandVersion: '0' });
    const p = plan(spec(), state({}, { baseExists: true, ledgerText: JSON.stringify(ledger), currentTarget: 'releases/r-old', releaseDirs: ['r-old'] }));
    const names = p.revert.map((a) => (a.type === 'run' ? a.command.argv[3] : ''));
    assert.deepEqual(names, ['deckhand-restore', 'deckhand-switch', 'deckhand-docker-start', 'deckhand-wait']);
  });
  it('compose: config, pull, build in prepare; the release command in start; down (no -v) when a first release fails', () => {
    const p = plan(spec({ strategy: 'compose' }), state({ 'compose-v1': true }));
    assert.deepEqual(p.steps.map((s) => s.id), ['layout', 'upload', 'compose.config', 'compose.pull', 'compose.build', 'switch', 'start', 'wait-healthy', 'ledger']);
    // One command for every release: `up -d --build --remove-orphans` from current unless the release's record holds a
    // zero-downtime front (test/unit/deploy-compose-zero-downtime.test.ts runs both paths against stubs).
    const start = p.steps.find((s) => s.id === 'start')?.actions[0];
    assert.deepEqual(start?.type === 'run' ? [start.command.argv[3], ...start.command.argv.slice(-5)] : [], ['deckhand-compose-release', '', 'deckhand.release', 'docker-compose', '-p', 'shop']);
    assert.match(start?.type === 'run' ? start.command.argv[2] ?? '' : '', /\n {2}exec "\$@" up -d --build --remove-orphans \$waitflag\n/);
    assert.deepEqual(p.revert[0]?.type === 'run' ? p.revert[0].command.argv.slice(5) : [], ['docker-compose', '-p', 'shop', 'down', '--remove-orphans']);
    const v2 = plan(spec({ strategy: 'compose' }), state({ 'compose-v1': true, 'compose-v2': true, 'compose-wait': true }));
    const up = v2.steps.find((s) => s.id === 'start')?.actions[0];
    assert.deepEqual(up?.type === 'run' ? up.command.argv.slice(-6) : [], ['--wait', 'deckhand.release', 'docker', 'compose', '-p', 'shop']);
  });
});
