// blue-green with pm2 and docker slot runners: exact builders, the plans, host refusals, rollback's runner, and the slot scripts for real against stub pm2/docker CLIs.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { shJoin, type Command } from '../../src/core/command.js';
import { removeSlotsCommand, renderSlotConfig, renderUpstream, slotStartCommand, type SlotTools } from '../../src/commands/blue-green.js';
import { renderSlotEcosystem, slotEcosystemPath } from '../../src/commands/blue-green-pm2.js';
import { activeSlotLiveCheck, slotLogsCommand, slotName } from '../../src/commands/blue-green-runners.js';
import { RecordingExecutor } from '../../src/exec/recording.js';
import { Redactor } from '../../src/core/redact.js';
import { planDeploy } from '../../src/stages/deploy/plan.js';
import { rollback } from '../../src/stages/deploy/rollback.js';
import type { ProbedState } from '../../src/stages/deploy/state.js';
import type { DeploySpec } from '../../src/stages/deploy/types.js';
import { canIsolateRun, slotLab, startCommands, switchWithBrokenNginx, type SlotLab } from '../helpers/slot-stubs.js';

const NOW = new Date('2026-12-01T14:05:01.123Z');
const UP = '/etc/nginx/conf.d/shop-upstream.conf';
const SED = `$(sed -n 's/^[[:space:]]*server 127\\.0\\.0\\.1:\\([0-9][0-9]*\\);.*/\\1/p' ${UP} | head -n 1)`;

function spec(runner: 'pm2' | 'docker', over: Partial<DeploySpec> = {}): DeploySpec {
  return {
    app: 'shop', strategy: 'blue-green', sourceDir: '/src/shop', commit: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678', dirty: false,
    runtime: { name: 'node', range: '>=20' }, port: 3000, healthPath: '/health', build: 'target',
    commands: { install: 'npm ci --omit=dev', build: null, start: 'node server.js', migrate: null },
    envNames: ['API_KEY'], envSources: [], serviceUser: 'shop', keep: 5, excludes: [], startTimeoutMs: 30_000,
    baseDirOverride: null, pm2Instances: 4, script: null, zeroDowntime: true, blueGreen: { runner, ports: [3811, 3812], proxyPort: 8811, drainSec: 5 }, ...over,
  };
}

function state(over: Partial<ProbedState> = {}): ProbedState {
  return {
    user: 'deploy', uid: 1000, home: '/home/deploy', hostname: 'web1', sudo: true, systemd: true, rsync: true,
    tools: { rsync: true, node: true, pm2: true, nginx: false, docker: true, 'docker-direct': false, 'docker-sudo': true }, baseExists: false, ledgerText: null, lockText: null,
    currentTarget: null, releaseDirs: [], unitHash: null, base: '/opt/shop', ...over,
  };
}

const plan = (runner: 'pm2' | 'docker', st: Partial<ProbedState> = {}, sp: Partial<DeploySpec> = {}): ReturnType<typeof planDeploy> =>
  planDeploy({ spec: spec(runner, sp), state: state(st), target: 'deploy@web1', now: NOW, envProvided: 'content', stagingRoot: '/tmp' });

describe('runner builders (exact)', () => {
  it('slot names, the live check of the active slot and the logs command per runner', () => {
    assert.deepEqual([slotName('shop', 'systemd', 3811), slotName('shop', 'pm2', 3811), slotName('shop', 'docker', 3812)], ['shop@3811.service', 'shop-3811', 'shop-3812']);
    const a = { app: 'shop', base: '/opt/shop', upstream: UP, docker: 'sudo -n docker', pm2: '/usr/local/bin/pm2' };
    assert.equal(activeSlotLiveCheck({ ...a, runner: 'docker' }),
      `app=shop; D='sudo -n docker'; p=${SED}; [ -n "$p" ] && s=$($D inspect -f '{{.State.Running}}/{{if .State.Health}}{{.State.Health.Status}}{{end}}' "$app-$p" 2>/dev/null) && { [ "$s" = true/ ] || [ "$s" = true/healthy ]; }`);
    assert.equal(activeSlotLiveCheck({ ...a, runner: 'pm2' }),
      `base=/opt/shop; p=${SED}; [ -n "$p" ] && ( for f in "$base/.deckhand/pids/slot-$p.pm2"-[0-9]*.pid; do [ -f "$f" ] && kill -0 "$(cat "$f")" 2>/dev/null && exit 0; done; exit 1 )`);
    assert.equal(slotLogsCommand({ ...a, runner: 'pm2' }), "/usr/local/bin/pm2 logs '/^shop-[0-9]+$/'");
    assert.equal(slotLogsCommand({ ...a, runner: 'docker' }), `sudo -n docker logs -f shop-${SED}`);
    assert.equal(slotLogsCommand({ ...a, runner: 'systemd' }), "journalctl -u 'shop@*' -f");
  });

  it('pm2 slot ecosystem: the pm2 strategy\'s file as <app>-<port>, fork mode, the slot link as cwd, PORT fixed to the slot', () => {
    const text = renderSlotEcosystem({ app: 'shop', base: '/opt/shop', start: 'node server.js', port: 3811 });
    assert.ok(text.endsWith([
      '// Blue-green slot 3811: runs from the slot link, one process in fork mode, PORT fixed to the slot, its own pid file.',
      'app.cwd = "/opt/shop/slots/3811";',
      "app.exec_mode = 'fork';",
      'app.instances = 1;',
      "app.env.PORT = '3811';",
      'app.pid_file = "/opt/shop/.deckhand/pids/slot-3811.pm2.pid";',
      'module.exports = { apps: [app] };',
      '',
    ].join('\n')), text);
    assert.match(text, /"name": "shop-3811"/);
    assert.match(text, /"out_file": "\/opt\/shop\/shared\/logs\/shop-3811\.out\.log"/);
    assert.equal(slotEcosystemPath('/opt/shop', 3812), '/opt/shop/.deckhand/ecosystem.slot-3812.config.cjs');
  });

  it('pm2 slot ecosystem loads in node: the env file is read, a PORT in it does not move the slot', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dh-eco-'));
    try {
      await writeFile(join(dir, '.env'), "PORT=9999\nAPI_KEY='two words'\n");
      const file = join(dir, 'eco.config.cjs');
      await writeFile(file, renderSlotEcosystem({ app: 'shop', base: dir, start: 'node server.js', port: 3812 }).replace(`${dir}/shared/.env`, `${dir}/.env`));
      const r = spawnSync(process.execPath, ['-e', 'const a=require(process.argv[1]).apps[0];console.log(JSON.stringify([a.name,a.cwd,a.exec_mode,a.instances,a.script,a.env.PORT,a.env.API_KEY]))', file], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual(JSON.parse(r.stdout), ['shop-3812', `${dir}/slots/3812`, 'fork', 1, 'server.js', '3812', 'two words']);
    } finally { await rm(dir, { recursive: true, force: true }); }
  });
});

describe('runner plans', () => {
  it('pm2: no service user, the env file owned by the connecting user, one ecosystem file per slot rendered and installed without sudo, slots run unprivileged', () => {
    const p = plan('pm2');
    const rec = `/opt/shop/.deckhand/records/${p.releaseId}`;
    assert.doesNotMatch(JSON.stringify(p.steps.find((s) => s.id === 'layout')), /deckhand-user/);
    assert.deepEqual(p.ledgerEntry.serviceUser, 'deploy');
    const render = p.steps.find((s) => s.id === 'slots.render');
    assert.deepEqual(render?.actions.map((a) => (a.type === 'write' ? a.path : a.type)), [
      `${rec}/ecosystem.slot-3811.config.cjs`, `${rec}/ecosystem.slot-3812.config.cjs`, `${rec}/nginx-site.conf`, `${rec}/blue-green.conf`,
    ]);
    const conf = render?.actions.find((a) => a.type === 'write' && a.path.endsWith('blue-green.conf'));
    assert.ok(conf?.type === 'write');
    assert.equal(conf.content, renderSlotConfig({ runner: 'pm2', ports: [3811, 3812], proxyPort: 8811, drainSec: 5 }));
    const install = p.steps.find((s) => s.id === 'slots.install');
    assert.deepEqual(install?.actions.map((a) => (a.type === 'run' ? `${a.command.argv[0] === 'sudo' ? 'sudo ' : ''}${a.command.description}` : a.type)), [
      'install /opt/shop/.deckhand/ecosystem.slot-3811.config.cjs (mode 0644)', 'install /opt/shop/.deckhand/ecosystem.slot-3812.config.cjs (mode 0644)',
      'sudo install /opt/shop/.deckhand/blue-green.conf (mode 0644)', 'sudo create /etc/nginx/conf.d/shop-upstream.conf when missing (placeholder until the first switch)',
      'sudo install /etc/nginx/sites-available/shop + link in sites-enabled, nginx -t (restored when it fails)',
    ]);
    const start = p.steps.find((s) => s.id === 'start')?.actions ?? [];
    assert.deepEqual(start.map((a) => (a.type === 'run' ? a.command.argv.slice(0, 1).concat(a.command.argv.slice(3, 4)).join(' ') : '')),
      ['sh deckhand-slot-start', 'sh deckhand-slot-wait', 'sh deckhand-slot-switch', 'sh deckhand-slot-drain']);
    assert.ok(p.steps.some((s) => s.id === 'install'), 'a pm2 slot runs the release\'s installed dependencies');
    assert.equal(p.logsCommand, "pm2 logs '/^shop-[0-9]+$/'");
  });

  it('pm2 next release: the rollback point records both ecosystem files with the site and the slot settings', () => {
    const prev = '20261130T100000Z-0000000';
    const ledger = JSON.stringify({ schemaVersion: 1, app: 'shop', releases: [{ id: prev, commit: null, dirty: false, strategy: 'blue-green', status: 'current', deployedAt: NOW.toISOString(), deployedBy: 'x', deckhandVersion: '0', port: 8811, healthPath: '/health', serviceUser: 'deploy' }] });
    const p = plan('pm2', { baseExists: true, ledgerText: ledger, currentTarget: `releases/${prev}`, releaseDirs: [prev] });
    const snap = p.steps.find((s) => s.id === 'rollback-point')?.actions[0];
    assert.ok(snap?.type === 'run');
    assert.deepEqual(snap.command.argv.slice(8).filter((_, i) => i % 2 === 1), ['env', 'ecosystem.slot-3811.config.cjs', 'ecosystem.slot-3812.config.cjs', 'nginx-site.conf', 'blue-green.conf']);
  });

  it('docker: the image is built per release and pruned, nothing installed on the host, the container port recorded, docker through sudo when needed', () => {
    const p = plan('docker');
    const ids = p.steps.map((s) => s.id);
    assert.deepEqual(ids.filter((i) => ['install', 'build', 'docker.build', 'docker.prune-images', 'slots.render'].includes(i)), ['docker.build', 'docker.prune-images', 'slots.render']);
    const build = p.steps.find((s) => s.id === 'docker.build')?.actions[0];
    assert.ok(build?.type === 'run');
    assert.equal(shJoin(build.command.argv.slice(0, 3)), 'sudo -n --');
    assert.deepEqual(build.command.argv.slice(-4), ['-t', `shop:${p.releaseId}`, '-t', 'shop:a1b2c3d']);
    const conf = p.steps.find((s) => s.id === 'slots.render')?.actions.find((a) => a.type === 'write' && a.path.endsWith('blue-green.conf'));
    assert.ok(conf?.type === 'write');
    assert.equal(conf.content, renderSlotConfig({ runner: 'docker', ports: [3811, 3812], proxyPort: 8811, drainSec: 5, containerPort: 3000 }));
    assert.match(p.warnings.join('\n'), /install and build run in the image build/);
    const start = p.steps.find((s) => s.id === 'start')?.actions[0];
    assert.ok(start?.type === 'run');
    assert.deepEqual(start.command.argv.slice(3, 9), ['deckhand-slot-start', 'shop', '/opt/shop', UP, 'sudo -n docker', 'pm2']);
    assert.equal(p.ledgerEntry.serviceUser, 'deploy');
    const revert = p.revert[0];
    assert.ok(revert?.type === 'run');
    assert.deepEqual([revert.command.argv[0], revert.command.argv[3], revert.command.argv[7]], ['sh', 'deckhand-slots-remove', 'sudo -n docker'], 'a failed first release removes the slot containers');
  });

  it('refuses hosts that cannot run the runner, with the remedy', () => {
    assert.throws(() => plan('pm2', { tools: { node: true, pm2: false } }), /pm2 is not installed on the target \(npm install -g pm2\): it runs the slots/);
    assert.throws(() => plan('pm2', { tools: { node: false, pm2: true } }), /node is not installed on the target: pm2 runs the slots with it/);
    assert.throws(() => plan('docker', { tools: { docker: false } }), /docker is not installed on the target \(apt-get install docker\.io\): docker runs the slots/);
    assert.throws(() => plan('docker', { tools: { docker: true }, user: 'web' }), /web cannot use the docker daemon/);
    assert.throws(() => plan('pm2', { sudo: false }), /deploy is not root and has no passwordless sudo \(needed for nginx\)/);
    assert.throws(() => plan('docker', { uid: 0, user: 'root', tools: { docker: true, 'docker-direct': true, nginx: false } }), /nginx is not installed on the target/);
    assert.throws(() => plan('pm2', { unitHash: '1-2' }), /shop\.service \(the systemd strategy's unit\) is installed/);
    // No systemd is fine for pm2 and docker slots (the docker host has none).
    assert.doesNotThrow(() => plan('docker', { uid: 0, user: 'root', systemd: false, tools: { docker: true, 'docker-direct': true, nginx: true } }));
    assert.doesNotThrow(() => plan('pm2', { systemd: false }));
  });
});

describe('rollback takes the runner from the release\'s recorded slot settings', () => {
  it('a pm2 release rolls back with pm2 checks, both ecosystem files restored, the slot commands unprivileged', async () => {
    const [a, b] = ['20261130T100000Z-aaaaaaa', '20261201T100000Z-bbbbbbb'];
    const entry = (id: string, status: string): object => ({ id, commit: null, dirty: false, strategy: 'blue-green', status, deployedAt: NOW.toISOString(), deployedBy: 'x', deckhandVersion: '0', port: 8811, healthPath: '/health', serviceUser: 'deploy' });
    const ledger = JSON.stringify({ schemaVersion: 1, app: 'shop', releases: [entry(a, 'previous'), entry(b, 'current')] });
    const probe = [
      'user=deploy', 'uid=1000', 'home=/home/deploy', 'hostname=web1', 'sudo=1', 'systemd=1', 'tool.rsync=1', 'tool.pm2=1', 'tool.node=1', 'base=/opt/shop', 'base_exists=1',
      `current=releases/${b}`, '@@ledger', ledger, '@@end', '@@releases', a, b, '@@end',
    ].join('\n');
    const exec = new RecordingExecutor([
      { match: 'deckhand-state', stdout: probe },
      { match: 'deckhand-slot-config', stdout: renderSlotConfig({ runner: 'pm2', ports: [3811, 3812], proxyPort: 8811, drainSec: 5 }) },
      { match: /.*/, stdout: 'ok' },
    ]);
    const r = await rollback({ executor: exec, redactor: new Redactor() }, { app: 'shop', target: 'deploy@web1', baseDir: '/opt/shop' });
    assert.equal(r.data.outcome, 'SUCCESS', JSON.stringify(r.data.failure));
    const read = exec.calls.find((c) => c.argv.includes('deckhand-slot-config'));
    assert.deepEqual(read?.argv.slice(-2), [`/opt/shop/.deckhand/records/${a}/blue-green.conf`, '/opt/shop/.deckhand/blue-green.conf']);
    assert.equal(read?.argv[0], 'sudo', 'records are readable by root only');
    const restore = exec.calls.find((c) => c.argv.includes('deckhand-restore'));
    assert.ok(restore?.argv.includes('ecosystem.slot-3811.config.cjs') && restore.argv.includes('ecosystem.slot-3812.config.cjs'), restore?.argv.join(' '));
    assert.ok(!restore?.argv.includes('unit@.service'));
    const start = exec.calls.find((c) => c.argv.includes('deckhand-slot-start'));
    assert.equal(start?.argv[0], 'sh', 'the slot commands run as the connecting user');
    const wait = exec.calls.find((c) => c.argv.includes('deckhand-wait'));
    assert.ok((wait?.argv[4] ?? '').includes('"$base/.deckhand/pids/slot-$p.pm2"-[0-9]*.pid'), 'the health wait checks the active pm2 slot');
    assert.deepEqual(r.data.warnings, []);
  });
});

// The slot scripts for real, with pm2/docker/systemctl/nginx/curl replaced by stubs that keep their state in files.
const ISOLATED = canIsolateRun() ? false : 'needs root for a private /run (unshare -m)';

async function runAll(lab: SlotLab, cs: readonly Command[]): Promise<string[]> {
  const calls: string[] = [];
  for (const c of cs) {
    const r = await lab.run(c);
    assert.equal(r.code, 0, `${c.argv[3]}: ${r.err}`);
    calls.push(...r.calls);
  }
  return calls;
}

describe('slot scripts, pm2 runner (stub pm2, nginx under systemd)', { concurrency: false, skip: ISOLATED }, () => {
  const APP = 'web';
  let lab: SlotLab;
  let t: SlotTools;
  before(async () => {
    lab = await slotLab(APP, { mode: 'systemd', slots: [3811, 3812], proxyPort: 8811, releases: ['r1', 'r2', 'r3'] });
    t = { app: APP, base: lab.base, docker: 'docker', pm2: 'pm2' };
    await writeFile(join(lab.base, '.deckhand', 'blue-green.conf'), renderSlotConfig({ runner: 'pm2', ports: [3811, 3812], proxyPort: 8811, drainSec: 1 }));
    await writeFile(join(lab.base, 'shared', '.env'), "PORT=9999\nAPI_KEY='two words'\n");
    for (const p of [3811, 3812]) await writeFile(join(lab.base, '.deckhand', `ecosystem.slot-${p}.config.cjs`), renderSlotEcosystem({ app: APP, base: lab.base, start: 'node server.js', port: p }));
  });
  after(async () => { await lab.cleanup(); });
  const app = async (p: number): Promise<Record<string, unknown>> => JSON.parse(await lab.read(`pm2/${APP}-${p}`)) as Record<string, unknown>;

  it('first release: pm2 app web-3811 from the slot link with PORT 3811, nginx switched, the process list saved', async () => {
    await lab.point('r1');
    const [s, w, sw, d] = startCommands(t);
    const r1 = await lab.run(s);
    assert.equal(r1.code, 0, r1.err);
    assert.deepEqual(r1.calls, [`pm2 delete ${APP}-3811`, `pm2 start ${lab.base}/.deckhand/ecosystem.slot-3811.config.cjs`]);
    assert.match(r1.out, /started r1 on slot 3811 \(web-3811\)/);
    assert.equal(await readlink(join(lab.base, 'slots', '3811')), '../releases/r1');
    const a = await app(3811);
    assert.deepEqual([a.cwd, a.exec_mode, (a.env as Record<string, string>).PORT, (a.env as Record<string, string>).API_KEY], [`${lab.base}/slots/3811`, 'fork', '3811', 'two words']);
    assert.equal((await lab.run(w)).code, 0);
    const r3 = await lab.run(sw);
    assert.equal(r3.code, 0, r3.err);
    assert.deepEqual(r3.calls, ['nginx -t', 'systemctl reload-or-restart nginx.service']);
    assert.equal(await readFile(lab.up, 'utf8'), renderUpstream(APP, 3811));
    const r4 = await lab.run(d);
    assert.deepEqual(r4.calls, ['pm2 save --force']);
    assert.match(r4.out, /slot 3811 serves r1 \(saved in the pm2 process list\)/);
  });

  it('next release on web-3812; the old app drained and deleted, then saved', async () => {
    await lab.point('r2');
    const [s, w, sw, d] = startCommands(t);
    assert.deepEqual((await lab.run(s)).calls, [`pm2 delete ${APP}-3812`, `pm2 start ${lab.base}/.deckhand/ecosystem.slot-3812.config.cjs`]);
    assert.equal(await readFile(lab.up, 'utf8'), renderUpstream(APP, 3811), 'nothing switched yet');
    assert.equal((await lab.run(w)).code, 0);
    assert.equal((await lab.run(sw)).code, 0);
    assert.equal(await readFile(lab.up, 'utf8'), renderUpstream(APP, 3812));
    const r4 = await lab.run(d);
    assert.deepEqual(r4.calls, [`pm2 delete ${APP}-3811`, 'pm2 save --force']);
    assert.ok(!existsSync(join(lab.dir, 'pm2', `${APP}-3811`)));
  });

  it('never healthy: the new app is deleted before any switch, nginx untouched; revert changes nothing', async () => {
    await lab.point('r3');
    await lab.mark('bad-3811', true);
    const [s, w, sw, d] = startCommands(t);
    assert.equal((await lab.run(s)).code, 0);
    const r2 = await lab.run(w);
    await lab.mark('bad-3811', false);
    assert.equal(r2.code, 1);
    assert.match(r2.err, /slot 3811 never became healthy and was stopped; nginx still sends everything to 3812/);
    assert.deepEqual(r2.calls, [`pm2 delete ${APP}-3811`], 'no nginx call');
    assert.equal(await readFile(lab.up, 'utf8'), renderUpstream(APP, 3812));
    await lab.point('r2');
    assert.deepEqual(await runAll(lab, [s, w, sw, d]), ['pm2 save --force'], 'no start, no reload, nothing deleted');
  });

  it('nginx -t failing puts the upstream back and deletes the new app', async () => {
    const r = await switchWithBrokenNginx(lab, t, 'r1');
    assert.equal(r.code, 1);
    assert.match(r.err, /nginx -t failed: the upstream was put back; 3812 keeps serving/);
    assert.equal(await readFile(lab.up, 'utf8'), renderUpstream(APP, 3812));
    assert.deepEqual(r.calls, ['nginx -t', 'nginx -t', `pm2 delete ${APP}-3811`]);
  });

  it('rollback to r1: the same four commands start it on the idle slot and switch', async () => {
    await lab.point('r1');
    const calls = await runAll(lab, startCommands(t));
    assert.deepEqual(calls, [
      `pm2 delete ${APP}-3811`, `pm2 start ${lab.base}/.deckhand/ecosystem.slot-3811.config.cjs`, 'nginx -t', 'systemctl reload-or-restart nginx.service', `pm2 delete ${APP}-3812`, 'pm2 save --force',
    ]);
    assert.equal(await readFile(lab.up, 'utf8'), renderUpstream(APP, 3811));
    assert.equal(await readlink(join(lab.base, 'slots', '3811')), '../releases/r1');
  });

  it('a first release that failed: every pm2 slot deleted and the list saved, upstream removed', async () => {
    const r = await lab.run(removeSlotsCommand(t, 'pm2'));
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(r.calls, [`pm2 delete ${APP}-3811`, 'pm2 save --force', 'nginx -t', 'systemctl reload-or-restart nginx.service']);
    assert.ok(!existsSync(lab.up));
  });
});

describe('slot scripts, docker runner (stub docker, nginx without systemd)', { concurrency: false, skip: ISOLATED }, () => {
  const APP = 'box';
  let lab: SlotLab;
  let t: SlotTools;
  before(async () => {
    lab = await slotLab(APP, { mode: 'plain', slots: [3821, 3822], proxyPort: 8821, releases: ['r1', 'r2', 'r3'] });
    t = { app: APP, base: lab.base, docker: 'docker', pm2: 'pm2' };
    await writeFile(join(lab.base, '.deckhand', 'blue-green.conf'), renderSlotConfig({ runner: 'docker', ports: [3821, 3822], proxyPort: 8821, drainSec: 1, containerPort: 3000 }));
    await writeFile(join(lab.base, 'shared', '.env'), "PORT=9999\nGREETING='hello there'\napp=clobbered\n");
    for (const r of ['r1', 'r2', 'r3']) await writeFile(join(lab.dir, 'images', `${APP}:${r}`), '');
  });
  after(async () => { await lab.cleanup(); });

  it('first release: container box-3821 from box:r1 on 127.0.0.1:3821 → 3000, env passed by name, nginx reloaded with -s reload', async () => {
    await lab.point('r1');
    const [s, w, sw, d] = startCommands(t);
    const r1 = await lab.run(s);
    assert.equal(r1.code, 0, r1.err);
    assert.deepEqual(r1.calls.map((c) => c.replace(/ -e \S+( \S+)?/g, '')).slice(0, 1), [`docker rm -f ${APP}-3821`]);
    assert.equal(await lab.read(`ctr/${APP}-3821`), [
      '', 'restart unless-stopped', `label deckhand.app=${APP}`, 'label deckhand.slot=3821', 'label deckhand.release=r1', 'publish 127.0.0.1:3821:3000',
      'env GREETING=hello there', 'env app=clobbered', 'env PORT=3000', `image ${APP}:r1`, '',
    ].join('\n'), 'the file\'s PORT is not passed; quoted values arrive unquoted; a variable named like the script\'s own changes nothing');
    assert.equal((await lab.run(w)).code, 0);
    const r3 = await lab.run(sw);
    assert.equal(r3.code, 0, r3.err);
    assert.deepEqual(r3.calls, ['nginx -t', 'nginx -s reload']);
    assert.equal(await readFile(lab.up, 'utf8'), renderUpstream(APP, 3821));
    const r4 = await lab.run(d);
    assert.deepEqual(r4.calls, []);
    assert.match(r4.out, /slot 3821 serves r1 \(restarted by docker unless stopped\)/);
  });

  it('next release on box-3822; the old container drained, stopped and removed', async () => {
    await lab.point('r2');
    const [s, w, sw, d] = startCommands(t);
    assert.equal((await lab.run(s)).code, 0);
    assert.match(await lab.read(`ctr/${APP}-3822`), /publish 127\.0\.0\.1:3822:3000\n[^]*image box:r2/);
    assert.equal((await lab.run(w)).code, 0);
    assert.equal((await lab.run(sw)).code, 0);
    const r4 = await lab.run(d);
    assert.deepEqual(r4.calls, [`docker stop -t 1 ${APP}-3821`, `docker rm -f ${APP}-3821`]);
    assert.ok(!existsSync(join(lab.dir, 'ctr', `${APP}-3821`)));
    assert.equal(await readFile(lab.up, 'utf8'), renderUpstream(APP, 3822));
  });

  it('an image whose HEALTHCHECK fails never gets traffic: container removed before any switch, nginx untouched', async () => {
    await lab.point('r3');
    await lab.mark(`unhealthy-${APP}-3821`, true);
    const [s, w] = startCommands(t);
    assert.equal((await lab.run(s)).code, 0);
    const r2 = await lab.run(w);
    await lab.mark(`unhealthy-${APP}-3821`, false);
    assert.equal(r2.code, 1);
    assert.match(r2.err, /stub container log line\n[^]*slot 3821 never became healthy and was stopped; nginx still sends everything to 3822/);
    assert.match(r2.err, /process not running/, 'the HTTP answers did not count: the container is unhealthy');
    assert.deepEqual(r2.calls, [`docker stop -t 2 ${APP}-3821`, `docker rm -f ${APP}-3821`]);
    assert.equal(await readFile(lab.up, 'utf8'), renderUpstream(APP, 3822));
  });

  it('a missing image stops the start with the remedy; nothing else changes', async () => {
    await lab.point('r3');
    await lab.mark(`images/${APP}:r3`, false);
    const r = await lab.run(slotStartCommand(t));
    assert.equal(r.code, 3);
    assert.match(r.err, /image box:r3 is missing \(removed by hand\?\): deploy that commit again/);
    assert.deepEqual(r.calls, []);
  });

  it('nginx -t failing puts the upstream back and removes the new container', async () => {
    const r = await switchWithBrokenNginx(lab, t, 'r1');
    assert.equal(r.code, 1);
    assert.match(r.err, /nginx -t failed: the upstream was put back; 3822 keeps serving/);
    assert.equal(await readFile(lab.up, 'utf8'), renderUpstream(APP, 3822));
    assert.deepEqual(r.calls, ['nginx -t', 'nginx -t', `docker stop -t 2 ${APP}-3821`, `docker rm -f ${APP}-3821`]);
  });

  it('a foreign process on the idle slot\'s port: the start is refused before anything runs', async () => {
    await lab.point('r1');
    await lab.mark('listen-3821', true);
    try {
      const r = await lab.run(slotStartCommand(t));
      assert.equal(r.code, 1);
      assert.match(r.err, /^port 3821 of slot 3821 is held by a process that is not box-3821: stop it \(a slot of another runner, or the app started outside deckhand\), then deploy again\n$/);
      assert.deepEqual(r.calls, []);
    } finally { await lab.mark('listen-3821', false); }
  });

  it('slot settings naming an unknown runner: refused with the file and the choices, nothing touched', async () => {
    const conf = join(lab.base, '.deckhand', 'blue-green.conf');
    const good = await readFile(conf, 'utf8');
    await writeFile(conf, good.replace('runner docker', 'runner k8s'));
    try {
      const r = await lab.run(slotStartCommand(t));
      assert.equal(r.code, 2);
      assert.equal(r.err, `${conf} names an unknown runner: k8s (systemd, pm2 or docker)\n`);
      assert.deepEqual(r.calls, []);
    } finally { await writeFile(conf, good); }
  });

  it('rollback to r1: started on the idle slot, switched, the other container removed', async () => {
    await lab.point('r1');
    const calls = await runAll(lab, startCommands(t));
    assert.deepEqual(calls.filter((c) => !c.startsWith('docker run')), [`docker rm -f ${APP}-3821`, 'nginx -t', 'nginx -s reload', `docker stop -t 1 ${APP}-3822`, `docker rm -f ${APP}-3822`]);
    assert.match(await lab.read(`ctr/${APP}-3821`), /image box:r1/);
    assert.equal(await readFile(lab.up, 'utf8'), renderUpstream(APP, 3821));
  });
});
