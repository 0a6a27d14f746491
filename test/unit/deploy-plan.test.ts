// Deploy planning: exact command builders, the plan's steps and their safety fields, ledger transitions, spec resolution.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { shJoin } from '../../src/core/command.js';
import { renderUnit, enableRestartCommand } from '../../src/commands/systemd.js';
import { switchCurrentCommand, removeReleasesCommand } from '../../src/commands/release.js';
import { acquireLockCommand, releaseLockCommand } from '../../src/commands/lock.js';
import { rsyncArgs, tarCreateArgs } from '../../src/commands/rsync.js';
import { pm2Script, renderEcosystem } from '../../src/commands/pm2.js';
import { planDeploy } from '../../src/stages/deploy/plan.js';
import { parseState, stateFingerprint, type ProbedState } from '../../src/stages/deploy/state.js';
import { emptyLedger, pruneCandidates, withDeployed, withFailed, withRolledBack, restorable, type Ledger } from '../../src/stages/deploy/ledger.js';
import { newReleaseId } from '../../src/stages/deploy/layout.js';
import { resolveSpec, unwrapNpmStart } from '../../src/stages/deploy/spec.js';
import { parseConfig } from '../../src/config/load.js';
import { composeEnv, envLine, parseDotenv, valuesToMask } from '../../src/stages/deploy/secrets.js';
import { staleReason, newLockRecord } from '../../src/stages/deploy/lock.js';
import { DeckhandError } from '../../src/core/errors.js';
import type { DeploySpec } from '../../src/stages/deploy/types.js';

const NOW = new Date('2026-12-01T14:05:01.123Z');

function spec(over: Partial<DeploySpec> = {}): DeploySpec {
  return {
    app: 'orders', strategy: 'systemd', sourceDir: '/src/orders', commit: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678', dirty: false,
    runtime: { name: 'node', range: '>=20' }, port: 3000, healthPath: '/health', build: 'target',
    commands: { install: 'npm ci --omit=dev', build: null, start: 'node server.js', migrate: null },
    envNames: ['DATABASE_URL'], envSources: [], serviceUser: 'orders', keep: 5, excludes: [], startTimeoutMs: 30_000,
    baseDirOverride: null, pm2Instances: 1, script: null, zeroDowntime: false, ...over,
  };
}

function state(over: Partial<ProbedState> = {}): ProbedState {
  return {
    user: 'root', uid: 0, home: '/root', hostname: 'web1', sudo: true, systemd: true, rsync: true,
    tools: { rsync: true, node: true, 'systemd-analyze': true, pm2: false }, baseExists: false, ledgerText: null, lockText: null,
    currentTarget: null, releaseDirs: [], unitHash: null, base: '/opt/orders', ...over,
  };
}

const entry = (id: string, status: Ledger['releases'][number]['status']): Ledger['releases'][number] => ({
  id, commit: null, dirty: false, strategy: 'systemd', status, deployedAt: NOW.toISOString(), deployedBy: 'ops@laptop', deckhandVersion: '0.1.0',
});

describe('command builders (exact)', () => {
  it('switches current atomically with a temp link renamed over it', () => {
    assert.equal(shJoin(switchCurrentCommand('/opt/orders', '20261201T140501Z-a1b2c3d').argv),
      "sh -c 'set -e; cd \"$1\"; test -d \"releases/$2\"; ln -sfn \"releases/$2\" .current.deckhand-tmp; mv -Tf .current.deckhand-tmp current' deckhand-switch /opt/orders 20261201T140501Z-a1b2c3d");
  });
  it('lock: noclobber create, exit 75 with the holder on contention; release compares before deleting', () => {
    const a = acquireLockCommand('/opt/x/.deckhand/lock', '{"a":1}');
    assert.deepEqual(a.argv.slice(3), ['deckhand-lock', '/opt/x/.deckhand/lock', '{"a":1}']);
    assert.match(a.argv[2] ?? '', /set -C; printf "%s\\n" "\$2" > "\$1"/);
    assert.match(a.argv[2] ?? '', /exit 75$/);
    assert.equal(shJoin(releaseLockCommand('/l', 'X').argv), `sh -c 'if [ -f "$1" ] && [ "$(cat "$1")" = "$2" ]; then rm -f "$1"; else exit 3; fi' deckhand-unlock /l X`);
  });
  it('prune refuses the current release and odd ids', () => {
    const c = removeReleasesCommand('/opt/x', ['r1', 'r2']);
    assert.deepEqual(c.argv.slice(3), ['deckhand-prune', '/opt/x', 'r1', 'r2']);
    assert.match(c.argv[2] ?? '', /refusing to remove the current release/);
  });
  it('rsync rides the control connection and never ships .git or env files', () => {
    const args = rsyncArgs('/src/app', 'h:/opt/a/releases/r1', { excludes: ['node_modules/'], gitignore: true }, ['ssh', '-o', 'ControlPath=/tmp/dh-1/cm']);
    assert.deepEqual(args, ['-a', '--delete', '--omit-dir-times', '--no-owner', '--no-group', '--include=.env.example', '--include=.env.sample', '--include=.env.template',
      '--exclude=.git/', '--exclude=.env', '--exclude=.env.*', '--exclude=*.deckhand-tmp', '--exclude=node_modules/', '--filter=:- .gitignore',
      '-e', 'ssh -o ControlPath=/tmp/dh-1/cm', '/src/app/', 'h:/opt/a/releases/r1/']);
    assert.deepEqual(tarCreateArgs('/src/app', { excludes: [], gitignore: false }), ['-C', '/src/app', '--exclude=.git', '--exclude=.env', '--exclude=.env.*', '--exclude=*.deckhand-tmp', '-cf', '-', '.']);
  });
  it('unit: service user, current, env file, restart policy, hardening, start through sh', () => {
    const u = renderUnit({ app: 'orders', user: 'orders', base: '/opt/orders', start: 'node server.js --name \'a b\' --q "x\\y" 50% --port ${PORT:-3000}', port: 3000 });
    for (const line of ['User=orders', 'WorkingDirectory=/opt/orders/current', 'EnvironmentFile=-/opt/orders/shared/.env', 'Environment=PORT=3000', 'Restart=always',
      'NoNewPrivileges=true', 'ProtectSystem=full', 'ReadWritePaths=/opt/orders/shared', 'WantedBy=multi-user.target']) {
      assert.ok(u.split('\n').includes(line), line);
    }
    assert.ok(u.split('\n').includes('ExecStart=/bin/sh -c "exec node server.js --name \'a b\' --q \\"x\\\\y\\" 50%% --port $${PORT:-3000}"'), u);
    assert.match(shJoin(enableRestartCommand('orders').argv), /systemctl enable --quiet "\$1.service"; systemctl restart "\$1.service"' deckhand-restart orders$/);
  });
  it('pm2: node scripts run in cluster mode, anything else through sh in fork mode; the env file is read at load time', () => {
    assert.deepEqual(pm2Script('node server.js --x'), { script: 'server.js', args: ['--x'], cluster: true });
    assert.deepEqual(pm2Script('npm run start'), { script: '/bin/sh', args: ['-c', 'exec npm run start'], cluster: false });
    const eco = renderEcosystem({ name: 'api', base: '/home/d/.deckhand/apps/api', start: 'node server.js', port: 3000, instances: 2 });
    assert.match(eco, /"exec_mode": "cluster"/);
    assert.match(eco, /"instances": 2/);
    assert.match(eco, /readEnv\("\/home\/d\/.deckhand\/apps\/api\/shared\/.env"\)/);
  });
});

describe('state and release ids', () => {
  it('parses the probe output and fingerprints what a plan depends on (not the lock)', () => {
    const out = 'user=deploy\nuid=1000\nhome=/home/deploy\nhostname=web1\nsudo=1\nsystemd=1\ntool.rsync=1\ntool.node=0\nbase=/opt/orders\nbase_exists=1\ncurrent=releases/r2\n@@ledger\n{"x":1}\n\n@@end\n@@lock\n@@end\n@@releases\nr2\nr1\n@@end\nunit=123-456\n';
    const s = parseState(out);
    assert.deepEqual([s.user, s.uid, s.sudo, s.rsync, s.tools.node, s.base, s.currentTarget, s.releaseDirs, s.ledgerText, s.lockText, s.unitHash],
      ['deploy', 1000, true, true, false, '/opt/orders', 'releases/r2', ['r1', 'r2'], '{"x":1}', null, '123-456']);
    assert.equal(stateFingerprint(s), stateFingerprint({ ...s, lockText: '{"held":true}' }));
    assert.notEqual(stateFingerprint(s), stateFingerprint({ ...s, currentTarget: 'releases/r1' }));
  });
  it('release ids sort by time and never collide', () => {
    assert.equal(newReleaseId(NOW, 'a1b2c3d4e5', []), '20261201T140501Z-a1b2c3d');
    assert.equal(newReleaseId(NOW, null, ['20261201T140501Z-nogit']), '20261201T140501Z-nogit-2');
  });
});

describe('planDeploy', () => {
  it('first release as root: prepare → switch → start → finalize; nothing to roll back to; revert stops the service', () => {
    const p = planDeploy({ spec: spec(), state: state(), target: 'root@web1', now: NOW, envProvided: 'content' });
    assert.deepEqual(p.steps.map((s) => s.id), ['layout', 'upload', 'install', 'unit.render', 'env', 'unit.install', 'switch', 'start', 'wait-healthy', 'ledger']);
    assert.equal(p.previousRelease, null);
    assert.equal(p.rollbackEntry, 'none: this is the first release');
    assert.equal(p.useSudo, false);
    assert.deepEqual(p.revert.map((a) => (a.type === 'run' ? a.command.argv.at(-1) : a.type)), ['orders', '/opt/orders/current']);
    for (const s of p.steps.filter((x) => x.destructive)) assert.ok(s.impact && s.undo && s.verify, `${s.id} says impact, undo and verification`);
    const upload = p.steps.find((s) => s.id === 'upload')?.actions[0];
    assert.deepEqual(upload, { type: 'transfer', from: '/src/orders', to: '/opt/orders/releases/20261201T140501Z-a1b2c3d', excludes: ['node_modules/', '.venv/'], gitignore: true });
    assert.equal(p.handoff.port, 3000);
  });
  it('build: local installs in a staging copy here and ships it whole (no .gitignore filter: dependencies travel)', () => {
    const p = planDeploy({ spec: spec({ build: 'local' }), state: state(), target: 'h', now: NOW, envProvided: 'none', stagingRoot: '/tmp' });
    const stage = '/tmp/deckhand-stage-orders-20261201T140501Z-a1b2c3d';
    const b = p.steps.find((s) => s.id === 'build-local');
    assert.deepEqual(b?.actions.map((a) => a.type), ['local-transfer', 'local-run']);
    assert.ok(!p.steps.some((s) => s.id === 'install'), 'nothing is installed on the target');
    assert.deepEqual(p.steps.find((s) => s.id === 'upload')?.actions[0], { type: 'transfer', from: stage, to: '/opt/orders/releases/20261201T140501Z-a1b2c3d', excludes: [], gitignore: false });
  });
  it('a later release as a sudo user: rollback point first, sudo for root work, revert restores the previous release', () => {
    const ledger = withDeployed(emptyLedger('orders'), { ...entry('20261130T100000Z-0000001', 'current') });
    const st = state({ user: 'deploy', uid: 1000, baseExists: true, ledgerText: JSON.stringify(ledger), currentTarget: 'releases/20261130T100000Z-0000001', releaseDirs: ['20261130T100000Z-0000001'] });
    const p = planDeploy({ spec: spec(), state: st, target: 'deploy@web1', now: NOW, envProvided: 'none' });
    assert.equal(p.previousRelease, '20261130T100000Z-0000001');
    assert.ok(p.steps.findIndex((s) => s.id === 'rollback-point') < p.steps.findIndex((s) => s.id === 'switch'));
    assert.ok(!p.steps.some((s) => s.id === 'env'), 'no env source: the env file is kept');
    const unitInstall = p.steps.find((s) => s.id === 'unit.install')?.actions[0];
    assert.equal(unitInstall?.type === 'run' ? unitInstall.command.argv.slice(0, 3).join(' ') : '', 'sudo -n --');
    assert.equal(p.revert.length, 5, 'restore files, switch back, daemon-reload, restart, wait healthy');
    assert.match(p.rollbackEntry, /deckhand rollback deploy@web1 --app orders --to 20261130T100000Z-0000001/);
  });
  it('a release left by an interrupted deploy is cleaned up and said', () => {
    const ledger = withDeployed(emptyLedger('orders'), entry('r-old', 'current'));
    const st = state({ baseExists: true, ledgerText: JSON.stringify(ledger), currentTarget: 'releases/r-old', releaseDirs: ['r-old', 'r-half'] });
    const p = planDeploy({ spec: spec(), state: st, target: 'local', now: NOW, envProvided: 'none' });
    const left = p.steps.find((s) => s.id === 'leftovers');
    assert.ok(left);
    assert.deepEqual(left.actions[0]?.type === 'run' ? left.actions[0].command.argv.slice(5) : [], ['r-half']);
    assert.ok(p.warnings.some((w) => /interrupted/.test(w)));
  });
  it('current switched by an interrupted deploy is repaired back to the ledger\'s current', () => {
    const ledger = withDeployed(emptyLedger('orders'), entry('r-old', 'current'));
    const st = state({ baseExists: true, ledgerText: JSON.stringify(ledger), currentTarget: 'releases/r-half', releaseDirs: ['r-half', 'r-old'] });
    const p = planDeploy({ spec: spec(), state: st, target: 'local', now: NOW, envProvided: 'none' });
    assert.deepEqual(p.steps.slice(0, 3).map((s) => s.id), ['layout', 'repair', 'leftovers']);
  });
  it('refuses a host that cannot run the strategy, and a corrupt ledger', () => {
    assert.throws(() => planDeploy({ spec: spec(), state: state({ systemd: false }), target: 'h', now: NOW, envProvided: 'none' }), /cannot run the systemd strategy: systemd is not running/);
    assert.throws(() => planDeploy({ spec: spec(), state: state({ uid: 1000, sudo: false }), target: 'h', now: NOW, envProvided: 'none' }), /no passwordless sudo/);
    assert.throws(() => planDeploy({ spec: spec(), state: state({ ledgerText: '{oops' }), target: 'h', now: NOW, envProvided: 'none' }), /ledger .* is corrupt/);
    assert.throws(() => planDeploy({ spec: spec({ strategy: 'docker' }), state: state(), target: 'h', now: NOW, envProvided: 'none' }), /cannot run the docker strategy: docker is not installed/);
  });
  it('keeps at most `keep` releases, never the current or the previous', () => {
    let ledger = emptyLedger('orders');
    const ids = ['r1', 'r2', 'r3', 'r4', 'r5'];
    for (const id of ids) ledger = withDeployed(ledger, entry(id, 'current'));
    const p = planDeploy({ spec: spec(), state: state({ baseExists: true, ledgerText: JSON.stringify(ledger), currentTarget: 'releases/r5', releaseDirs: ids }), target: 'h', now: NOW, envProvided: 'none' });
    const prune = p.steps.find((s) => s.id === 'prune');
    assert.deepEqual(prune?.actions[0]?.type === 'run' ? prune.actions[0].command.argv.slice(5) : null, ['r1']);
  });
  it('the plan holds env names, never values', async () => {
    const env = await composeEnv({ plain: { NODE_ENV: 'production' }, fromEnvironment: ['CANARY_TOKEN'], environment: { CANARY_TOKEN: 'canary-5e3f9a1c' } });
    const p = planDeploy({ spec: spec({ envNames: env?.names ?? [] }), state: state(), target: 'h', now: NOW, envProvided: 'content' });
    assert.ok(!JSON.stringify(p).includes('canary-5e3f9a1c'));
    assert.deepEqual(p.envNames, ['CANARY_TOKEN', 'NODE_ENV']);
  });
});

describe('ledger', () => {
  it('deploy, fail, roll back: statuses move as the guide says', () => {
    let l = withDeployed(emptyLedger('a'), entry('r1', 'current'));
    l = withDeployed(l, entry('r2', 'current'));
    l = withFailed(l, entry('r3', 'failed'), 'health check failed');
    assert.deepEqual(l.releases.map((r) => `${r.id}:${r.status}`), ['r1:previous', 'r2:current', 'r3:failed']);
    l = withRolledBack(l, 'r1');
    assert.deepEqual(l.releases.map((r) => `${r.id}:${r.status}`), ['r1:current', 'r2:rolled-back', 'r3:failed']);
    assert.deepEqual(restorable(l).map((r) => r.id), ['r2', 'r1']);
  });
  it('prune candidates: oldest first, protected ids kept, unknown directories never touched', () => {
    let l = emptyLedger('a');
    for (const id of ['r1', 'r2', 'r3']) l = withDeployed(l, entry(id, 'current'));
    assert.deepEqual(pruneCandidates(l, ['r1', 'r2', 'r3', 'stranger'], 1, []), ['r1'], 'r2 (previous) and r3 (current) stay even past keep');
    assert.deepEqual(pruneCandidates(l, ['r1', 'r2', 'r3'], 2, []), ['r1']);
  });
});

describe('spec resolution and config', () => {
  const brief = {
    app: '@acme/Orders API', stack: { ecosystem: { value: 'node' }, runtime: { value: { runtime: 'node', range: '>=20' } } },
    commands: { install: { value: { command: 'npm ci', production: true } }, build: null, start: { value: { command: 'npm run start', production: true } }, migrate: { value: { command: 'npm run migrate', production: true } }, dev: null },
    port: { value: 3000 }, health: [{ value: '/health' }], strategy: 'pm2',
  } as unknown as Parameters<typeof resolveSpec>[0]['brief'];
  it('flags > deckhand.yml > brief; production installs drop dev dependencies; migrations only when asked', () => {
    const s = resolveSpec({ sourceDir: '/s', brief, config: { strategy: 'systemd', port: 4000 }, flags: { port: 5000 }, commit: null, dirty: false });
    assert.deepEqual([s.app, s.strategy, s.port, s.healthPath, s.commands.install, s.commands.migrate], ['orders-api', 'systemd', 5000, '/health', 'npm ci --omit=dev', null]);
    assert.equal(resolveSpec({ sourceDir: '/s', brief, config: {}, flags: { migrate: true }, commit: null, dirty: false }).commands.migrate, 'npm run migrate');
  });
  it('a dev-only start and an unknown strategy are clear errors', () => {
    const dev = { ...brief, commands: { ...brief?.commands, start: { value: { command: 'next dev', production: false } } } } as typeof brief;
    assert.throws(() => resolveSpec({ sourceDir: '/s', brief: dev, config: {}, flags: {}, commit: null, dirty: false }), /no production start command .*next dev/);
    assert.throws(() => resolveSpec({ sourceDir: '/s', brief, config: {}, flags: { strategy: 'heroku' }, commit: null, dirty: false }), /unknown strategy "heroku"/);
  });
  it('npm start becomes the node script it runs', () => {
    assert.equal(unwrapNpmStart('npm run start', '{"scripts":{"start":"node server.js"}}'), 'node server.js');
    assert.equal(unwrapNpmStart('npm run start', '{"scripts":{"start":"node --env-file=.env server.js"}}'), 'npm run start');
  });
  it('deckhand.yml errors name the key path and line', () => {
    assert.throws(() => parseConfig('app: orders\nport: "80"\n', 'deckhand.yml'), (e: unknown) => e instanceof DeckhandError && /deckhand.yml:2: port:/.test(e.message));
    assert.throws(() => parseConfig('app: orders\nsecrets:\n  env_fle: x\n', 'deckhand.yml'), /deckhand.yml:3: secrets: unknown key "env_fle"/);
    assert.throws(() => parseConfig('app: [\n', 'd.yml'), /not valid YAML/);
    assert.deepEqual(parseConfig('app: orders\nstrategy: pm2\n', 'd.yml'), { app: 'orders', strategy: 'pm2' });
  });
});

describe('env file', () => {
  it('lines readable by systemd and sh; newlines refused without showing the value', () => {
    assert.equal(envLine('A', 'plain-1.2'), 'A=plain-1.2');
    assert.equal(envLine('B', 'has space $x'), "B='has space $x'");
    assert.equal(envLine('C', `it's "$HOME"`), 'C="it\'s \\"\\$HOME\\""');
    assert.throws(() => envLine('D', 'se\ncret-value'), (e: unknown) => e instanceof Error && !e.message.includes('cret-value'));
  });
  it('parses dotenv files and names a bad line without its value', () => {
    assert.deepEqual([...parseDotenv('# c\nexport A=1\nB="x y"\nC=\'q\' \nD=v # note\n', 'f')], [['A', '1'], ['B', 'x y'], ['C', 'q'], ['D', 'v']]);
    assert.throws(() => parseDotenv('A=1\nnot a line sekrit\n', 'prod.env'), (e: unknown) => e instanceof Error && /prod.env:2/.test(e.message) && !e.message.includes('sekrit'));
  });
  it('masks secret-looking values and credentials, not PORT=3000 or NODE_ENV=production', async () => {
    assert.deepEqual(valuesToMask('PORT', '3000'), []);
    assert.deepEqual(valuesToMask('NODE_ENV', 'production'), []);
    assert.deepEqual(valuesToMask('API_TOKEN', 'abc'), ['abc']);
    assert.deepEqual(valuesToMask('DB_PASS', 'hunter2'), ['hunter2']);
    assert.deepEqual(valuesToMask('STRIPE', 'sk_live_4eC39HqLyjWDarjtT1'), ['sk_live_4eC39HqLyjWDarjtT1']);
    assert.deepEqual(valuesToMask('DATABASE_URL', 'postgres://app:p%40ss@db/app'), ['postgres://app:p%40ss@db/app', 'p%40ss', 'p@ss']);
    const env = await composeEnv({ fromEnvironment: ['RELEASE_CHANNEL'], environment: { RELEASE_CHANNEL: 'beta' } });
    assert.deepEqual(env?.secretValues, ['beta'], 'a value named with --env is the operator\'s secret');
  });
  it('a name asked for but not set is an error', async () => {
    await assert.rejects(composeEnv({ fromEnvironment: ['NOPE'], environment: {} }), /NOPE is not set/);
  });
});

describe('lock staleness', () => {
  it('expired, or a dead process on this machine, is stale; a live one is not', () => {
    const live = newLockRecord('deploy', new Date());
    assert.equal(staleReason(live, new Date()), null);
    assert.match(staleReason({ ...live, pid: 2 ** 22 + 12345 }, new Date()) ?? '', /no longer exists/);
    assert.match(staleReason({ ...live, expires: '2000-01-01T00:00:00.000Z' }, new Date()) ?? '', /expired/);
    assert.equal(staleReason({ ...live, machine: 'elsewhere', pid: 2 ** 22 + 1 }, new Date()), null);
  });
});
