// swarm strategy: exact builders, the start command's verdict logic run by sh against a scripted docker CLI, spec, plan and readiness.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { shJoin } from '../../src/core/command.js';
import {
  ENGINE_ROLLBACK_MARK, SWARM_DEADLINE_MAX_SEC, renderSwarmConfig, swarmAliveCheck, swarmServiceWord, swarmStartCommand, swarmStopCommand, swarmStopFromConfCommand, swarmTasksCommand, type SwarmSettings,
} from '../../src/commands/swarm.js';
import { swarmStrategy } from '../../src/stages/deploy/strategies/swarm.js';
import type { PlanContext } from '../../src/stages/deploy/strategies/types.js';
import { planDeploy } from '../../src/stages/deploy/plan.js';
import { resolveSpec } from '../../src/stages/deploy/spec.js';
import type { ProbedState } from '../../src/stages/deploy/state.js';
import { checkSwarm } from '../../src/stages/readiness/checks/swarm.js';
import { judgeSwarm, parseSwarmTasks, type SwarmView } from '../../src/stages/verify/checks/swarm.js';
import { ConfigSchema } from '../../src/config/schema.js';
import { makeFacts } from './helpers/facts.js';

const SETTINGS: SwarmSettings = {
  mode: 'service', replicas: 2, network: 'host', port: 3000, updateParallelism: 1, updateDelay: '0s', updateMonitor: '5s', stopGrace: '10s',
  health: null, deadlineSec: 20, registryAuth: false, stack: null,
};
const RID = '20261201T140501Z-a1b2c3d';

describe('swarm command builders (exact)', () => {
  it('renders the settings as quoted sh assignments', () => {
    assert.equal(renderSwarmConfig('shop', { ...SETTINGS, health: { cmd: 'curl -fsS http://127.0.0.1:3000/health', interval: '2s', timeout: '2s', retries: 3, startPeriod: '5s' } }), [
      '# deckhand swarm settings of shop (sourced by the start command)',
      'DH_MODE=service', 'DH_SERVICE=shop', 'DH_REPLICAS=2', 'DH_NETWORK=host', 'DH_PORT=3000', 'DH_UPDATE_PARALLELISM=1', 'DH_UPDATE_DELAY=0s',
      'DH_UPDATE_MONITOR=5s', 'DH_STOP_GRACE=10s', "DH_HEALTH_CMD='curl -fsS http://127.0.0.1:3000/health'", 'DH_HEALTH_INTERVAL=2s', 'DH_HEALTH_TIMEOUT=2s',
      'DH_HEALTH_RETRIES=3', 'DH_HEALTH_START=5s', 'DH_DEADLINE=20', "DH_REGISTRY_AUTH=''", "DH_STACK=''", "DH_COMPOSE=''", '',
    ].join('\n'));
    const stack = renderSwarmConfig('shop', { ...SETTINGS, mode: 'stack', registryAuth: true, stack: { name: 'shop', composeFile: 'stack.yml', service: 'web' } });
    assert.match(stack, /^DH_SERVICE=shop_web$/m);
    assert.match(stack, /^DH_STACK=shop$/m);
    assert.match(stack, /^DH_COMPOSE=stack\.yml$/m);
    assert.match(stack, /^DH_REGISTRY_AUTH=1$/m);
  });
  it('stops the service or the stack', () => {
    assert.equal(shJoin(swarmStopCommand('shop', { stack: null }).argv), `sh -c 'docker service rm "$1" >/dev/null 2>&1 || true' deckhand-swarm-stop shop`);
    assert.equal(shJoin(swarmStopCommand('shop', { stack: { name: 'shop', composeFile: 'stack.yml', service: 'web' } }).argv), 'docker stack rm shop');
  });
  it('without deckhand.yml, stop and logs name the service (or stack) from the settings file in force', () => {
    const stop = swarmStopFromConfCommand('shop', '/opt/shop');
    assert.equal(shJoin(stop.argv), `sh -c 'conf="$1"; DH_MODE=service; DH_SERVICE="$2"; DH_STACK=""; if [ -f "$conf" ]; then . "$conf"; fi
`
      + `if [ "$DH_MODE" = stack ] && [ -n "$DH_STACK" ]; then docker stack rm "$DH_STACK"; else docker service rm "$DH_SERVICE" >/dev/null 2>&1 || true; fi' deckhand-swarm-stop /opt/shop/.deckhand/swarm.conf shop`);
    assert.equal(swarmServiceWord('shop', '/opt/shop'), `"$(. /opt/shop/.deckhand/swarm.conf 2>/dev/null && echo "$DH_SERVICE" || echo shop)"`);
    const ctx = { spec: { app: 'shop', port: 3000, swarm: null }, layout: { base: '/opt/shop' }, state: { tools: { 'docker-direct': true } } } as unknown as PlanContext;
    assert.deepEqual(swarmStrategy.stopCommands(ctx).map((c) => c.argv), [stop.argv]);
    assert.equal(swarmStrategy.logsCommand(ctx), `docker service logs -f "$(. /opt/shop/.deckhand/swarm.conf 2>/dev/null && echo "$DH_SERVICE" || echo shop)"`);
    const withYml = { ...ctx, spec: { app: 'shop', port: 3000, swarm: { ...SETTINGS, mode: 'stack', stack: { name: 'shop', composeFile: 'stack.yml', service: 'web' } } } } as unknown as PlanContext;
    assert.deepEqual(swarmStrategy.stopCommands(withYml).map((c) => shJoin(c.argv)), ['docker stack rm shop']);
    assert.equal(swarmStrategy.logsCommand(withYml), 'docker service logs -f shop_web');
  });
  it('verify reads the service name from the settings file in force', () => {
    const c = swarmTasksCommand('shop', '/opt/shop');
    assert.deepEqual(c.argv.slice(3), ['deckhand-swarm-tasks', 'shop', '/opt/shop/.deckhand/swarm.conf']);
    assert.equal(String(c.argv[2]).split('\n')[0], 'svc="$1"; conf="$2"; if [ -n "$conf" ] && [ -f "$conf" ]; then s=$(. "$conf" && echo "$DH_SERVICE") && [ -n "$s" ] && svc="$s"; fi; echo "service=$svc"');
    assert.deepEqual(swarmTasksCommand('shop', null).argv.slice(3), ['deckhand-swarm-tasks', 'shop', '']);
  });
  it('alive: as many Running tasks as desired replicas, of the service named in the settings in force', () => {
    assert.equal(swarmAliveCheck('sudo -n docker', '/opt/shop'),
      `s=$(. /opt/shop/.deckhand/swarm.conf && echo "$DH_SERVICE") && w=$(sudo -n docker service inspect -f '{{.Spec.Mode.Replicated.Replicas}}' "$s" 2>/dev/null) && n=$(sudo -n docker service ps "$s" --filter desired-state=running --format '{{.CurrentState}}' 2>/dev/null | grep -c '^Running') && [ "$w" -gt 0 ] && [ "$n" -ge "$w" ]`);
  });
  it('starts from `current` with base and app as arguments', () => {
    const c = swarmStartCommand('/opt/shop', 'shop');
    assert.deepEqual(c.argv.slice(0, 2), ['sh', '-c']);
    assert.deepEqual(c.argv.slice(3), ['deckhand-swarm-start', '/opt/shop', 'shop']);
    assert.equal(c.mutates, true);
  });
});

/** A scripted docker CLI: answers from files in $STUB; create/update move next-* files into place (the engine's reaction). */
const STUB_DOCKER = `#!/bin/sh
S="$STUB"
printf '%s\\n' "$*" >> "$S/calls"
case "$1 $2" in
  "image inspect") if [ "$3" = -f ]; then cat "$S/healthcheck" 2>/dev/null; fi; exit 0;;
  "info --format") echo true; exit 0;;
  "service inspect") [ -f "$S/template" ] || exit 1
    case "$4" in *ContainerSpec.Env*) cat "$S/spec-env" 2>/dev/null;;
      *ContainerSpec.Image*) if [ -s "$S/status-queue" ]; then head -n 1 "$S/status-queue" > "$S/status"; sed -i 1d "$S/status-queue"; fi
        printf '%s|' "$(cat "$S/spec-image" 2>/dev/null)"; cat "$S/status" 2>/dev/null;;
      *TaskTemplate*) cat "$S/template";; *UpdateStatus.State*) cat "$S/status" 2>/dev/null;; *StartedAt*) cut -d'|' -f2 "$S/status" 2>/dev/null;; *Replicas*) echo 2;; esac; exit 0;;
  "service ps") case "$*" in *desired-state=running*) cat "$S/running";; *"{{.Image}} {{.CurrentState}}"*) cat "$S/shutdown" 2>/dev/null;; *) cat "$S/errors" 2>/dev/null;; esac; exit 0;;
  "inspect -f") cat "$S/task-$4" 2>/dev/null; exit 0;;
  "container inspect") [ -f "$S/health-$5" ] || exit 1; cat "$S/health-$5"; exit 0;;
  "service update"|"service create"|"stack deploy") echo "$DECKHAND_IMAGE" > "$S/spec-image"
    for f in template status status-queue spec-image running errors shutdown; do if [ -f "$S/next-$f" ]; then cp "$S/next-$f" "$S/$f"; fi; done; env | grep -E '^(GREETING|PORT)=' | sort > "$S/env-seen"; exit 0;;
esac
exit 0
`;

describe('swarm start command against a scripted docker CLI (real sh)', () => {
  const root = mkdtempSync(join(tmpdir(), 'dh-swarm-unit-'));
  after(() => rmSync(root, { recursive: true, force: true }));
  let n = 0;
  function setup(files: Record<string, string>, settings: Partial<SwarmSettings> = {}): { dir: string; stub: string; base: string } {
    const dir = join(root, String(++n));
    const bin = join(dir, 'bin'); const stub = join(dir, 'stub'); const base = join(dir, 'base');
    for (const d of [bin, stub, `${base}/releases/${RID}`, `${base}/.deckhand`, `${base}/shared`]) mkdirSync(d, { recursive: true });
    writeFileSync(join(bin, 'docker'), STUB_DOCKER); chmodSync(join(bin, 'docker'), 0o755);
    symlinkSync(`${base}/releases/${RID}`, `${base}/current`);
    writeFileSync(`${base}/.deckhand/swarm.conf`, renderSwarmConfig('shop', { ...SETTINGS, ...settings }));
    writeFileSync(`${base}/shared/.env`, "GREETING='hello there'\n");
    for (const [k, v] of Object.entries(files)) writeFileSync(join(stub, k), v);
    return { dir, stub, base };
  }
  function run(s: { dir: string; stub: string; base: string }): Promise<{ code: number; stdout: string; stderr: string; calls: string[] }> {
    const c = swarmStartCommand(s.base, 'shop');
    return new Promise((res) => {
      execFile(c.argv[0] ?? 'sh', c.argv.slice(1), { env: { PATH: `${s.dir}/bin:/usr/bin:/bin`, STUB: s.stub }, timeout: 30_000 }, (err, stdout, stderr) => {
        const calls = readFileSync(join(s.stub, 'calls'), 'utf8').trim().split('\n');
        res({ code: err ? Number((err as { code?: number }).code ?? -1) : 0, stdout, stderr, calls });
      });
    });
  }
  const IMG = `shop:${RID}`;

  it('creates the service (start-first, engine rollback, host network, env by name) and waits for 2/2 Running', async () => {
    const s = setup({ 'next-template': '{"v":1}', 'next-running': `${IMG} Running 2 seconds ago\n${IMG} Running 3 seconds ago\n`, healthcheck: '[CMD x]' });
    const r = await run(s);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), `converged: 2/2 tasks of ${IMG} running (update: none)`);
    const create = r.calls.find((c) => c.startsWith('service create'));
    assert.equal(create, `service create --detach --no-resolve-image --name shop --replicas 2 --label deckhand.app=shop --label deckhand.release=${RID} `
      + '--env GREETING --env PORT --network host --update-order start-first --update-failure-action rollback --update-max-failure-ratio 0 '
      + '--update-parallelism 1 --update-delay 0s --update-monitor 5s --rollback-order start-first --rollback-parallelism 1 --rollback-monitor 5s '
      + `--rollback-failure-action continue --stop-grace-period 10s ${IMG}`);
    // Values reach docker through its environment, never argv.
    assert.equal(readFileSync(join(s.stub, 'env-seen'), 'utf8'), 'GREETING=hello there\nPORT=3000\n');
    assert.equal(r.stderr, '');
  });

  it('warns when neither the image nor the settings give a healthcheck; publishes through the routing mesh on ingress', async () => {
    const r = await run(setup({ 'next-template': '{"v":1}', 'next-running': `${IMG} Running now\n${IMG} Running now\n` }, { network: 'ingress' }));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /warning: shop:\S+ has no HEALTHCHECK and swarm.health is not set/);
    assert.match(r.calls.find((c) => c.startsWith('service create')) ?? '', / --publish published=3000,target=3000 /);
  });

  it('updates an existing service and reports an engine rollback with its evidence (exit 75)', async () => {
    const r = await run(setup({
      template: '{"v":1}', status: 'completed|2026-12-01T10:00:00Z|update completed', running: 'shop:old Running 1 hour ago\nshop:old Running 1 hour ago\n',
      'next-template': '{"v":2}', 'next-status': 'rollback_completed|2026-12-01T14:06:00Z|rollback completed', healthcheck: '[CMD x]',
      'next-errors': `shop.1.abc ${IMG}=Failed 3 seconds ago: task: non-zero exit (137): dockerexec: unhealthy container\nshop.1.old shop:old=\n`,
    }, { health: { cmd: 'curl -f localhost:3000/health', interval: '1s', timeout: '2s', retries: 2, startPeriod: '0s' } }));
    assert.equal(r.code, 75);
    const update = r.calls.find((c) => c.startsWith('service update')) ?? '';
    assert.equal(update, `service update --detach --no-resolve-image --image ${IMG} --replicas 2 --label-add deckhand.release=${RID} --env-add GREETING --env-add PORT `
      + '--update-order start-first --update-failure-action rollback --update-max-failure-ratio 0 --update-parallelism 1 --update-delay 0s --update-monitor 5s '
      + '--rollback-order start-first --rollback-parallelism 1 --rollback-monitor 5s --rollback-failure-action continue --stop-grace-period 10s '
      + '--health-cmd curl -f localhost:3000/health --health-interval 1s --health-timeout 2s --health-retries 2 --health-start-period 0s shop');
    assert.equal(r.stderr.trim(), `${ENGINE_ROLLBACK_MARK}: update to ${IMG} failed, the previous spec is serving (UpdateStatus: rollback completed) `
      + `(tasks: shop.1.abc ${IMG}: Failed 3 seconds ago: task: non-zero exit (137): dockerexec: unhealthy container)`);
  });

  it('an app variable named like the script\'s own (image, svc, rel, before) changes nothing deckhand runs', async () => {
    const s = setup({ 'next-template': '{"v":1}', 'next-running': `${IMG} Running now\n${IMG} Running now\n`, healthcheck: '[CMD x]' });
    writeFileSync(`${s.base}/shared/.env`, "GREETING='hello there'\nimage=evil:1\nsvc=other\nrel=old\nbefore='{}'\napp=x\nDH_REPLICAS=9\nnames=X\n");
    const r = await run(s);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), `converged: 2/2 tasks of ${IMG} running (update: none)`);
    const create = r.calls.find((c) => c.startsWith('service create')) ?? '';
    assert.match(create, new RegExp(`^service create --detach --no-resolve-image --name shop --replicas 2 --label deckhand.app=shop --label deckhand.release=${RID} --env GREETING --env image --env svc --env rel --env before --env app --env DH_REPLICAS --env names --env PORT `));
    assert.ok(create.endsWith(` ${IMG}`), create);
    assert.equal(readFileSync(join(s.stub, 'env-seen'), 'utf8'), 'GREETING=hello there\nPORT=3000\n');
  });

  it('refuses env names that would change the docker CLI deckhand runs, before any change', async () => {
    for (const bad of ['PATH=/nowhere', 'HOME=/tmp', 'DOCKER_HOST=tcp://elsewhere:2375', 'DECKHAND_IMAGE=x', '__dh_port=1']) {
      const s = setup({ 'next-template': '{"v":1}', healthcheck: '[CMD x]' });
      writeFileSync(`${s.base}/shared/.env`, `GREETING=hi\n${bad}\n`);
      const r = await run(s);
      assert.equal(r.code, 2, bad);
      assert.match(r.stderr, new RegExp(`sets ${bad.split('=')[0]}, which would change how deckhand runs the docker CLI`));
      assert.ok(!r.calls.some((c) => /^service (create|update)|^stack deploy/.test(c)), r.calls.join('\n'));
    }
  });

  it('an update removes env names the service has but the env file no longer lists (rollback to an older env file)', async () => {
    const r = await run(setup({
      template: '{"v":1}', status: 'completed|t1|done', running: 'shop:old Running\n', 'spec-env': 'GREETING=old\nNEWER_FLAG=on\nPORT=3000\nAPI_KEY=x=y\n',
      'next-template': '{"v":2}', 'next-status': 'completed|t2|update completed', 'next-running': `${IMG} Running\n${IMG} Running\n`, healthcheck: '[CMD x]',
    }));
    assert.equal(r.code, 0, r.stderr);
    const update = r.calls.find((c) => c.startsWith('service update')) ?? '';
    assert.match(update, / --env-add GREETING --env-add PORT --env-rm NEWER_FLAG --env-rm API_KEY --update-order start-first /);
    assert.ok(!/--env-rm (GREETING|PORT)/.test(update), update);
  });

  it('an engine rollback whose status a later reconcile overwrote with "completed" is told by the spec put back (exit 75), with the engine\'s reason', async () => {
    const r = await run(setup({
      template: '{"v":1}', status: 'completed|t1|done', running: 'shop:old Running 1 hour ago\nshop:old Running 1 hour ago\n', healthcheck: '[CMD x]',
      'next-template': '{"v":2}', 'next-spec-image': 'shop:old', 'next-status': 'updating|t2|update in progress',
      'next-status-queue': 'rollback_started|t2|update rolled back due to failure or early termination of task abc\ncompleted|t2|update completed\n',
      'next-errors': `shop.1.abc ${IMG}=Failed 3 seconds ago: task: non-zero exit (137): dockerexec: unhealthy container\n`,
    }));
    assert.equal(r.code, 75, r.stderr);
    assert.equal(r.stderr.trim(), `${ENGINE_ROLLBACK_MARK}: update to ${IMG} failed, the previous spec is serving (UpdateStatus: completed, spec back to shop:old; `
      + 'update rolled back due to failure or early termination of task abc) '
      + `(tasks: shop.1.abc ${IMG}: Failed 3 seconds ago: task: non-zero exit (137): dockerexec: unhealthy container)`);
  });

  it('an update the engine pauses is a failure of its own (exit 76)', async () => {
    const r = await run(setup({ template: '{"v":1}', status: '', running: '', 'next-template': '{"v":2}', 'next-status': 'paused|t2|update paused due to failure', healthcheck: '[CMD x]' }));
    assert.equal(r.code, 76);
    assert.match(r.stderr, /the engine paused the update to shop:\S+ \(paused: update paused due to failure\)/);
  });

  it('an update the engine calls completed while the new tasks keep failing is a failure (exit 78), not a wait until the deadline', async () => {
    const failed = `${IMG} Failed 2 seconds ago\n`.repeat(3);
    const r = await run(setup({
      template: '{"v":1}', status: 'completed|t1|done', running: '', 'next-template': '{"v":2}', 'next-status': 'completed|t2|update completed',
      'next-running': `${IMG} Starting 1 second ago\n`, 'next-shutdown': failed, healthcheck: '[CMD x]',
      'next-errors': `shop.1.a ${IMG}=Failed 2 seconds ago: task: non-zero exit (137): dockerexec: unhealthy container\n`,
    }));
    assert.equal(r.code, 78, r.stderr);
    assert.equal(r.stderr.trim(), `the update to ${IMG} ended (completed) but its tasks keep failing: 0/2 running, 3 failed (tasks: shop.1.a ${IMG}: Failed 2 seconds ago: task: non-zero exit (137): dockerexec: unhealthy container)`);
  });

  it('a change that starts no rolling update ignores an old rollback status and waits for the running tasks', async () => {
    const r = await run(setup({
      template: '{"v":1}', status: 'rollback_completed|t1|rollback completed', running: `${IMG} Running 1 minute ago\n${IMG} Running 1 minute ago\n`, healthcheck: '[CMD x]',
    }));
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), `converged: 2/2 tasks of ${IMG} running (update: none)`);
  });

  it('waits while the engine has not started this update yet, then gives up at the deadline (exit 77)', async () => {
    const r = await run(setup({ template: '{"v":1}', status: 'completed|t1|done', running: 'shop:old Running\n', 'next-template': '{"v":2}', healthcheck: '[CMD x]' }, { deadlineSec: 1 }));
    assert.equal(r.code, 77);
    assert.match(r.stderr, /shop did not converge within 1s: update pending, 0\/2 tasks of shop:\S+ running/);
  });

  it('stack mode: docker stack deploy -c <current>/<file> with the image in DECKHAND_IMAGE, then waits on <stack>_<service>', async () => {
    const s = setup({ 'next-template': '{"v":1}', 'next-running': `${IMG} Running\n${IMG} Running\n`, healthcheck: '[CMD x]' },
      { mode: 'stack', registryAuth: true, stack: { name: 'shop', composeFile: 'stack.yml', service: 'web' } });
    const r = await run(s);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.calls.includes(`stack deploy -c ${s.base}/current/stack.yml --with-registry-auth shop`), r.calls.join('\n'));
    assert.ok(r.calls.some((c) => c.startsWith('service ps shop_web ')));
  });

  const sh = (s: { dir: string; stub: string }, argv: readonly string[]): Promise<{ stdout: string; calls: string[] }> => new Promise((res) => {
    execFile(argv[0] ?? 'sh', argv.slice(1), { env: { PATH: `${s.dir}/bin:/usr/bin:/bin`, STUB: s.stub }, timeout: 30_000 }, (_e, stdout) => {
      res({ stdout, calls: readFileSync(join(s.stub, 'calls'), 'utf8').trim().split('\n') });
    });
  });
  const STACK: Partial<SwarmSettings> = { mode: 'stack', stack: { name: 'shop', composeFile: 'stack.yml', service: 'web' } };

  it('stack mode: verify inspects <stack>_<service>, named in the settings file', async () => {
    const s = setup({ template: '{"v":1}', running: '' }, STACK);
    const r = await sh(s, swarmTasksCommand('shop', s.base).argv);
    assert.match(r.stdout, /^service=shop_web$/m);
    assert.ok(r.calls.some((c) => c.startsWith('service inspect ') && c.endsWith(' shop_web')), r.calls.join('\n'));
    assert.ok(r.calls.some((c) => c.startsWith('service ps shop_web ')), r.calls.join('\n'));
  });

  it('verify reads the container health of each task meant to run: healthy/starting here, remote when the container is on another node', async () => {
    const s = setup({ template: '{"v":1}', running: 'task1\ntask2\ntask3\n', 'task-task1': 'c1\n', 'task-task2': 'c2\n', 'task-task3': '\n', 'health-c1': 'healthy\n', 'health-c2': 'starting\n' });
    const r = await sh(s, swarmTasksCommand('shop', s.base).argv);
    assert.deepEqual(r.stdout.split('\n').filter((l) => l.startsWith('health=')), ['health=task1|healthy', 'health=task2|starting', 'health=task3|remote']);
    assert.ok(r.calls.includes('inspect -f {{.Status.ContainerStatus.ContainerID}} task1'), r.calls.join('\n'));
    assert.ok(r.calls.includes('container inspect -f {{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}} c2'), r.calls.join('\n'));
  });

  it('stop without deckhand.yml removes the stack named in the settings file, or the app\'s service', async () => {
    const s = setup({}, STACK);
    assert.ok((await sh(s, swarmStopFromConfCommand('shop', s.base).argv)).calls.includes('stack rm shop'));
    const t = setup({});
    assert.ok((await sh(t, swarmStopFromConfCommand('shop', t.base).argv)).calls.includes('service rm shop'));
  });
});

describe('swarm spec, plan and readiness', () => {
  const flags = { strategy: 'swarm', port: 3000 };
  it('deckhand.yml swarm keys are validated', () => {
    assert.equal(ConfigSchema.safeParse({ strategy: 'swarm', swarm: { replicas: 3, network: 'host', update_monitor: '15s', health: { cmd: 'true' } } }).success, true);
    assert.equal(ConfigSchema.safeParse({ swarm: { replicas: 0 } }).success, false);
    assert.equal(ConfigSchema.safeParse({ swarm: { network: 'overlay' } }).success, false);
    assert.equal(ConfigSchema.safeParse({ swarm: { update_monitor: 'soon' } }).success, false);
  });
  it('swarm durations under 1s are refused (Docker would read them as 0s, its default); 0s only where it means none; deadline below the start bound', () => {
    const ok = (swarm: Record<string, unknown>): boolean => ConfigSchema.safeParse({ swarm }).success;
    for (const key of ['update_monitor', 'stop_grace_period', 'deadline']) {
      assert.equal(ok({ [key]: '100ms' }), false, key);
      assert.equal(ok({ [key]: '0s' }), false, key);
      assert.equal(ok({ [key]: '1000ms' }), true, key);
    }
    assert.equal(ok({ health: { cmd: 'true', interval: '500ms' } }), false);
    assert.equal(ok({ health: { cmd: 'true', timeout: '999ms' } }), false);
    assert.equal(ok({ health: { cmd: 'true', start_period: '0s', interval: '1s' } }), true);
    assert.equal(ok({ update_delay: '0s' }), true);
    assert.equal(ok({ update_delay: '300ms' }), false);
    assert.equal(ok({ deadline: '25m' }), true);
    assert.equal(ok({ deadline: '26m' }), false);
    assert.ok(SWARM_DEADLINE_MAX_SEC * 1000 < (swarmStartCommand('/opt/shop', 'shop').timeoutMs ?? 0), 'the deadline ends before the process bound');
  });
  it('defaults: 2 replicas, ingress, one task at a time, 10s monitor, 5m deadline', () => {
    const s = resolveSpec({ sourceDir: '/src', brief: null, config: {}, flags, commit: null, dirty: false });
    assert.deepEqual(s.swarm, { ...SETTINGS, network: 'ingress', updateMonitor: '10s', deadlineSec: 300 });
    assert.throws(() => resolveSpec({ sourceDir: '/src', brief: null, config: {}, flags: { strategy: 'swarm' }, commit: null, dirty: false }), /needs the port/);
    assert.throws(() => resolveSpec({ sourceDir: '/src', brief: null, config: { swarm: { stack: { compose_file: '../x.yml', service: 'web' } } }, flags, commit: null, dirty: false }), /not a plain path/);
  });
  const state = (tools: Record<string, boolean>): ProbedState => ({
    user: 'root', uid: 0, home: '/root', hostname: 'box', sudo: true, systemd: true, rsync: true, tools: { rsync: true, docker: true, 'docker-direct': true, ...tools },
    baseExists: false, ledgerText: null, lockText: null, currentTarget: null, releaseDirs: [], unitHash: null, base: '/opt/shop',
  });
  it('plans build, settings, install, start and wait; refuses an engine that is not a manager, saying how to make it one', () => {
    const spec = resolveSpec({ sourceDir: '/src', brief: null, config: { app: 'shop' }, flags, commit: null, dirty: false });
    const p = planDeploy({ spec, state: state({ 'swarm-manager': true }), target: 'h', now: new Date('2026-12-01T14:05:01Z'), envProvided: 'none' });
    assert.deepEqual(p.steps.map((s) => s.id), ['layout', 'upload', 'docker.build', 'docker.prune-images', 'swarm.render', 'swarm.install', 'switch', 'start', 'wait-healthy', 'ledger']);
    assert.equal(p.logsCommand, 'docker service logs -f shop');
    assert.throws(() => planDeploy({ spec, state: state({ 'swarm-manager': false }), target: 'h', now: new Date(), envProvided: 'none' }), /not a swarm manager \(run `docker swarm init --advertise-addr/);
  });
  it('readiness: manager passes, inactive blocks with the init command, a worker blocks, no IPVS warns', () => {
    const f = (swarm: { state: string; manager: boolean; ipvs: boolean | null } | undefined) =>
      checkSwarm(makeFacts({ docker: { daemon: 'usable', serverVersion: '20.10', rootDir: '/var/lib/docker', detail: 'x', ...(swarm ? { swarm } : {}) } }));
    assert.deepEqual(f({ state: 'active', manager: true, ipvs: true }).map((x) => [x.id, x.status]), [['runtime.swarm', 'pass']]);
    const off = f({ state: 'inactive', manager: false, ipvs: false });
    assert.deepEqual(off.map((x) => [x.id, x.status]), [['runtime.swarm', 'block'], ['runtime.swarm-ipvs', 'warn']]);
    assert.match(off[0]?.remedy ?? '', /docker swarm init --advertise-addr/);
    assert.equal(f({ state: 'active', manager: false, ipvs: true })[0]?.status, 'block');
    assert.equal(f(undefined)[0]?.status, 'unknown');
  });
});

describe('verify: the swarm service view', () => {
  // Task lines carry the task id first; health lines follow, one per task meant to run (its container's health, read on this node).
  const T1 = 'k3v0d7x1q9m2a8c4e6g0i2l5n';
  const T2 = 'p7r9t1v3x5z7b9d1f3h5j7l9n';
  const text = (img: string, tasks: string[], health: string[] = []): string =>
    `spec=2|${img}|rollback_completed: rollback completed\n${tasks.map((t) => `task=${t}`).join('\n')}\n${health.map((h) => `health=${h}`).join('\n')}\n`;
  const ok = [`${T1}|shop.1|shop:${RID}|Running|Running 3 minutes ago|`, `${T2}|shop.2|shop:${RID}|Running|Running 3 minutes ago|`];
  it('parses spec, task and health lines; a missing service is its own answer', () => {
    const v = parseSwarmTasks(text(`shop:${RID}`, [...ok, 'zz9|shop.1|shop:new|Shutdown|Failed 1 minute ago|task: non-zero exit (137): dockerexec: unhealthy container'], [`${T1}|healthy`, `${T2}|starting`]));
    assert.equal(v?.replicas, 2);
    assert.equal(v?.tasks.length, 3);
    assert.equal(v?.tasks[2]?.error, 'task: non-zero exit (137): dockerexec: unhealthy container');
    assert.deepEqual(v?.tasks.map((t) => [t.id, t.name, t.health]), [[T1, 'shop.1', 'healthy'], [T2, 'shop.2', 'starting'], ['zz9', 'shop.1', null]]);
    assert.deepEqual(parseSwarmTasks('service=shop\nerror=Error: no such service: shop\n'), { service: 'shop', replicas: null, image: '', update: '', tasks: [], error: 'Error: no such service: shop' });
    assert.equal(parseSwarmTasks('garbage'), null);
  });
  it('passes with desired Running tasks of the release image; fails on another image or too few tasks, with task errors', () => {
    assert.equal(judgeSwarm('shop', RID, parseSwarmTasks(text(`shop:${RID}`, ok)) as SwarmView).status, 'pass');
    const other = judgeSwarm('shop', 'OTHER', parseSwarmTasks(text(`shop:${RID}`, ok)) as SwarmView);
    assert.equal(other.status, 'fail');
    assert.match(other.summary, /runs shop:\S+, not shop:OTHER/);
    const few = judgeSwarm('shop', RID, parseSwarmTasks(text(`shop:${RID}`, [ok[0] ?? '', `${T2}|shop.2|shop:${RID}|Running|Starting 2 seconds ago|`, 'zz9|shop.2|shop:x|Shutdown|Failed|boom'])) as SwarmView);
    assert.deepEqual([few.status, few.summary], ['fail', '1/2 tasks running and healthy; task errors: shop.2: boom']);
  });
  it('a Running task whose container health is starting or unhealthy is not healthy; healthy, none (no healthcheck) and other nodes are', () => {
    const starting = judgeSwarm('shop', RID, parseSwarmTasks(text(`shop:${RID}`, ok, [`${T1}|healthy`, `${T2}|starting`])) as SwarmView);
    assert.deepEqual([starting.status, starting.summary], ['fail', '1/2 tasks running and healthy; not healthy: shop.2: container starting']);
    const sick = judgeSwarm('shop', RID, parseSwarmTasks(text(`shop:${RID}`, ok, [`${T1}|unhealthy`, `${T2}|unhealthy`])) as SwarmView);
    assert.deepEqual([sick.status, sick.summary], ['fail', '0/2 tasks running and healthy; not healthy: shop.1: container unhealthy; shop.2: container unhealthy']);
    const fine = judgeSwarm('shop', RID, parseSwarmTasks(text(`shop:${RID}`, ok, [`${T1}|healthy`, `${T2}|none`])) as SwarmView);
    assert.equal(fine.summary, `2/2 tasks running shop:${RID} and healthy (their container health read on this node); last update rollback_completed: rollback completed`);
    const remote = judgeSwarm('shop', RID, parseSwarmTasks(text(`shop:${RID}`, ok, [`${T1}|healthy`, `${T2}|remote`])) as SwarmView);
    assert.equal(remote.status, 'pass');
    assert.match(remote.summary, /1 on other nodes judged by the engine, which reports Running only after a healthcheck passed/);
  });
});
