// blue-green with pm2 slots (lab node20, user deploy) and docker slots (the lab's Docker host, no systemd): two releases, a release that never gets healthy and a rollback, each under a constant load through nginx that must see no failure; verify passes on the result.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { labOrSkip, sshExec, type LabHostName, type LabState } from '../lab/lab.js';
import { labSshFlags, runCli, type CliResult } from '../helpers/cli.js';
import { assertNoFailure, HostLoad } from '../helpers/host-load.js';

const NODE_API = fileURLToPath(new URL('../../examples/node-api/', import.meta.url));
const DOCKER_APP_SRC = fileURLToPath(new URL('../fixtures/deploy/docker-app/', import.meta.url));

interface Report { data: { outcome: string; releaseId: string; failure: { step: string; message: string } | null; handoff: { port: number; strategy: string } | null; commands: { step: string; output: string }[]; warnings: string[] } }
interface Verification { status: string; data: { verdict: string; reasons: string[] }; findings: { id: string; section: string; status: string; summary: string }[] }

function parse<T>(r: CliResult): T {
  try { return JSON.parse(r.stdout) as T; } catch { throw new Error(`no JSON report (exit ${r.code}):\n${r.stderr}\n${r.stdout}`); }
}

const startOutput = (rep: Report): string => rep.data.commands.filter((c) => c.step === 'start').map((c) => c.output).join('\n');

const git = (dir: string, ...args: string[]): string =>
  execFileSync('git', ['-C', dir, '-c', 'user.email=lab@deckhand.test', '-c', 'user.name=lab', ...args], { encoding: 'utf8' }).trim();

/** What the two lab setups share: the host, the app, its slots and nginx's port. */
function shell(host: LabHostName, user: string): (cmd: string) => Promise<string> {
  return async (cmd) => (await sshExec(host, user, cmd, 120_000)).stdout.trim();
}

describe('blue-green with pm2 slots on the lab node20 host (user deploy, nginx under systemd)', { concurrency: false }, () => {
  const APP = 'lab-bgpm2';
  const SLOTS = [3811, 3812] as const;
  const PROXY = 8811;
  let lab: LabState | null = null;
  let work = '';
  let target = '';
  let pm2WasRunning = true;
  const sh = shell('node20', 'deploy');
  const load = new HostLoad('node20', 'deploy', PROXY, 'dh-bgpm2');
  const version = async (): Promise<string> => (JSON.parse(await sh(`curl -s -m 5 http://127.0.0.1:${PROXY}/version`)) as { version: string }).version;
  const pm2Apps = async (): Promise<string[]> => (JSON.parse(await sh('pm2 jlist 2>/dev/null | tail -n 1')) as { name: string; pm2_env: { status: string } }[])
    .filter((p) => p.name.startsWith(`${APP}-`)).map((p) => `${p.name} ${p.pm2_env.status}`).sort();
  const deploy = async (v: string, extra: string[] = []): Promise<CliResult> => {
    await writeFile(join(work, 'v.env'), `APP_VERSION=${v}\nPORT=9999\n`, { mode: 0o600 });
    // The bench's way in: --strategy pm2 --zero-downtime (the slot ports and nginx's port from deckhand.yml).
    return runCli(['deploy', target, ...labSshFlags(lab as LabState), '--repo', join(work, 'repo'), '--name', APP, '--strategy', 'pm2', '--zero-downtime', '--build', 'local',
      '--health', '/health', '--env-file', join(work, 'v.env'), '--json', '--yes', ...extra], { timeoutMs: 300_000 });
  };

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'dh-bgpm2-lab-'));
    await cp(NODE_API, join(work, 'repo'), { recursive: true, filter: (src) => !src.includes('node_modules') });
    await writeFile(join(work, 'repo', 'deckhand.yml'), `blue_green:\n  ports: [${SLOTS[0]}, ${SLOTS[1]}]\n  drain: 5s\nproxy_port: ${PROXY}\n`);
  });

  after(async () => {
    if (lab) {
      await load.cleanup();
      await sh([
        `for n in ${APP}-${SLOTS[0]} ${APP}-${SLOTS[1]}; do pm2 delete "$n" >/dev/null 2>&1; done; pm2 save --force >/dev/null 2>&1`,
        // The pm2 daemon goes only when this test started it and it runs nothing else.
        ...(pm2WasRunning ? [] : ['[ "$(pm2 jlist 2>/dev/null | tail -n 1)" = "[]" ] && pm2 kill >/dev/null 2>&1']),
        `sudo -n rm -f /etc/nginx/conf.d/${APP}-upstream.conf /etc/nginx/sites-enabled/${APP} /etc/nginx/sites-available/${APP} /var/log/nginx/${APP}.access.log /var/log/nginx/${APP}.error.log`,
        'sudo -n nginx -t 2>/dev/null && sudo -n systemctl reload nginx',
        `sudo -n rm -rf /opt/${APP}`, 'true',
      ].join('; ')).catch(() => undefined);
    }
    await rm(work, { recursive: true, force: true });
  });

  test('first release on pm2 app lab-bgpm2-3811; the second switches to lab-bgpm2-3812 with no failed request under load', async (t) => {
    lab = labOrSkip(t); if (!lab) return;
    const h = lab.hosts.node20;
    target = `ssh://deploy@${h.host}:${h.port}`;
    pm2WasRunning = (await sh('kill -0 "$(cat ~/.pm2/pm2.pid 2>/dev/null)" 2>/dev/null && echo yes')) === 'yes';
    await load.install();
    const r1 = await deploy('1.0.0');
    assert.equal(r1.code, 0, r1.stderr + r1.stdout);
    const rep1 = parse<Report>(r1);
    assert.equal(rep1.data.outcome, 'SUCCESS');
    assert.deepEqual([rep1.data.handoff?.strategy, rep1.data.handoff?.port], ['blue-green', PROXY]);
    assert.equal(await version(), '1.0.0');
    assert.deepEqual(await pm2Apps(), [`${APP}-${SLOTS[0]} online`]);
    // The slot runs as the connecting user, from the release, on its own port whatever the env file says.
    assert.equal(await sh(`pid=$(pm2 pid ${APP}-${SLOTS[0]}); echo "$(stat -c %U /proc/$pid) $(readlink /proc/$pid/cwd)"`), `deploy ${await sh(`readlink -f /opt/${APP}/current`)}`);
    assert.match(await sh(`ss -ltnH "( sport = :${SLOTS[0]} )"`), new RegExp(`:${SLOTS[0]}\\b`));
    assert.equal(await sh(`stat -c %U /opt/${APP}/shared/.env`), 'deploy', 'the env file belongs to the user pm2 runs as');
    assert.equal(await sh(`id -u ${APP} >/dev/null 2>&1 && echo exists || echo none`), 'none', 'no service user for pm2 slots');
    assert.match(await sh(`cat /etc/nginx/conf.d/${APP}-upstream.conf`), new RegExp(`server 127\\.0\\.0\\.1:${SLOTS[0]};`));

    const { result: r2, load: seen } = await load.around(() => deploy('2.0.0'));
    assert.equal(r2.code, 0, r2.stderr + r2.stdout);
    const rep2 = parse<Report>(r2);
    assert.equal(rep2.data.outcome, 'SUCCESS');
    const out = startOutput(rep2);
    process.stdout.write(`start step: ${out.replace(/\n/g, ' | ')}\n`);
    assert.match(out, new RegExp(`started \\S+ on the idle slot ${SLOTS[1]} \\(${APP}-${SLOTS[1]}\\)`));
    assert.match(out, new RegExp(`nginx sends ${APP} to slot ${SLOTS[1]} \\(was ${SLOTS[0]}\\)`));
    assert.match(out, new RegExp(`slot ${SLOTS[0]} drained in \\d+s .* and stopped`));
    assert.match(out, /saved in the pm2 process list/);
    assertNoFailure(seen);
    assert.deepEqual(seen.order, ['1.0.0', '2.0.0'], '/version switched once, from the old release to the new');
    assert.equal(await version(), '2.0.0');
    assert.deepEqual(await pm2Apps(), [`${APP}-${SLOTS[1]} online`]);
    // pm2 save after the switch: a reboot brings back the slot that serves, not the drained one.
    const dump = await sh('cat ~/.pm2/dump.pm2');
    assert.ok(dump.includes(`"${APP}-${SLOTS[1]}"`) && !dump.includes(`"${APP}-${SLOTS[0]}"`), 'the saved list holds only the serving slot');
  });

  test('a release that never becomes healthy gets no request at all: REVERTED, the old slot answered everything', async (t) => {
    lab = labOrSkip(t); if (!lab) return;
    const { result: r, load: seen } = await load.around(() => deploy('3.0.0', ['--start', 'node -e "process.exit(1)"', '--start-timeout', '8']));
    assert.equal(r.code, 1, r.stderr + r.stdout);
    const rep = parse<Report>(r);
    assert.equal(rep.data.outcome, 'REVERTED', JSON.stringify(rep.data.failure));
    assert.equal(rep.data.failure?.step, 'start');
    assert.match(rep.data.failure?.message ?? '', new RegExp(`slot ${SLOTS[0]} never became healthy and was stopped; nginx still sends everything to ${SLOTS[1]}`));
    assertNoFailure(seen);
    assert.deepEqual(Object.keys(seen.versions), ['2.0.0'], 'only the old release answered');
    assert.deepEqual(await pm2Apps(), [`${APP}-${SLOTS[1]} online`], 'the failed slot is gone from pm2');
    assert.match(await sh(`cat /etc/nginx/conf.d/${APP}-upstream.conf`), new RegExp(`server 127\\.0\\.0\\.1:${SLOTS[1]};`));
    assert.doesNotMatch(await sh(`cat /opt/${APP}/.deckhand/ecosystem.slot-${SLOTS[0]}.config.cjs`), /process\.exit/, 'the good ecosystem files were put back');
  });

  test('deckhand rollback under load: 1.0.0 on the idle slot, switched, no failed request; deckhand verify passes on the active pm2 slot', async (t) => {
    lab = labOrSkip(t); if (!lab) return;
    const { result: r, load: seen } = await load.around(() => runCli(['rollback', target, ...labSshFlags(lab as LabState), '--name', APP, '--json'], { timeoutMs: 180_000 }));
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assertNoFailure(seen);
    assert.deepEqual(seen.order, ['2.0.0', '1.0.0']);
    assert.equal(await version(), '1.0.0');
    assert.deepEqual(await pm2Apps(), [`${APP}-${SLOTS[0]} online`]);
    assert.match(await sh(`cat /etc/nginx/conf.d/${APP}-upstream.conf`), new RegExp(`server 127\\.0\\.0\\.1:${SLOTS[0]};`));

    const v = await runCli(['verify', target, ...labSshFlags(lab), '--name', APP, '--window', '5s', '--json'], { timeoutMs: 180_000 });
    const rep = parse<Verification>(v);
    assert.equal(rep.data.verdict, 'VERIFIED', `${rep.data.reasons.join('\n')}\n${v.stderr}`);
    assert.equal(v.code, 0);
    const by = (id: string): string => rep.findings.filter((f) => f.id === id).map((f) => `${f.status}: ${f.summary}`).join(' | ');
    assert.match(by('process.slot'), new RegExp(`^pass: slot ${SLOTS[0]} \\(${APP}-${SLOTS[0]}, pm2\\) serves behind nginx on port ${PROXY}`));
    assert.match(by('process.pm2'), /^pass: 1 instance\(s\) online/);
    assert.match(by(`port.${SLOTS[0]}`), new RegExp(`^pass: listening: .*a pm2 instance of ${APP}-${SLOTS[0]}`));
    assert.match(by('version.pm2'), /^pass: pm2 instance/);
    assert.match(by('proxy.health'), /^pass: the proxy and the app agree/);
  });
});

describe('blue-green with docker slots on the lab Docker host (root, nginx without systemd)', { concurrency: false }, () => {
  const APP = 'lab-bgdock';
  const SLOTS = [3821, 3822] as const;
  const PROXY = 8821;
  let lab: LabState | null = null;
  let work = '';
  let repo = '';
  let target = '';
  let startedNginx = false;
  const ids: string[] = [];
  const sh = shell('docker', 'root');
  const load = new HostLoad('docker', 'root', PROXY, 'dh-bgdock');
  const nginxPid = (): Promise<string> => sh('p=$(cat /run/nginx.pid 2>/dev/null); [ -n "$p" ] && kill -0 "$p" 2>/dev/null && echo "$p"; true');
  const version = async (): Promise<string> => (JSON.parse(await sh(`curl -s -m 5 http://127.0.0.1:${PROXY}/version`)) as { version: string }).version;
  const containers = (): Promise<string> => sh(`docker ps -a --filter label=deckhand.app=${APP} --format '{{.Names}} {{.State}}' | sort | tr '\\n' ';'`);
  const commit = async (v: string): Promise<void> => {
    await writeFile(join(repo, 'VERSION'), `${v}\n`);
    git(repo, 'add', '-A');
    git(repo, 'commit', '-q', '-m', `v${v}`);
  };
  const deploy = (extra: string[] = []): Promise<CliResult> => runCli([
    'deploy', target, ...labSshFlags(lab as LabState), '--repo', repo, '--name', APP, '--strategy', 'docker', '--zero-downtime',
    '--health', '/health', '--env-file', join(work, 'app.env'), '--start-timeout', '60', '--json', '--yes', ...extra,
  ], { timeoutMs: 600_000 });

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'dh-bgdock-lab-'));
    repo = join(work, 'repo');
    await cp(DOCKER_APP_SRC, repo, { recursive: true });
    // Inside every slot container the app listens on the app's port (the first slot's, told by PORT); each slot publishes it on its own loopback port.
    await writeFile(join(repo, 'deckhand.yml'), `blue_green:\n  ports: [${SLOTS[0]}, ${SLOTS[1]}]\n  drain: 3s\nproxy_port: ${PROXY}\n`);
    await writeFile(join(work, 'app.env'), "GREETING='hello from both slots'\nPORT=9999\n", { mode: 0o600 });
    git(repo, 'init', '-q');
  });

  after(async () => {
    if (lab) {
      await load.cleanup();
      await sh([
        `docker rm -f ${APP}-${SLOTS[0]} ${APP}-${SLOTS[1]} >/dev/null 2>&1`,
        `docker rmi -f $(docker image ls -q ${APP} | sort -u) >/dev/null 2>&1`,
        `rm -rf /opt/${APP}`,
        `rm -f /etc/nginx/conf.d/${APP}-upstream.conf /etc/nginx/conf.d/${APP}-upstream.conf.deckhand-* /etc/nginx/sites-enabled/${APP} /etc/nginx/sites-available/${APP} /var/log/nginx/${APP}.access.log /var/log/nginx/${APP}.error.log`,
        'p=$(cat /run/nginx.pid 2>/dev/null); if [ -n "$p" ] && kill -0 "$p" 2>/dev/null && nginx -t >/dev/null 2>&1; then nginx -s reload; fi',
        'true',
      ].join('; ')).catch(() => undefined);
      // nginx is stopped only when this test started it and no other deckhand-generated site remains (the host's nginx is shared).
      const pid = await nginxPid().catch(() => '');
      const others = await sh('grep -l "Generated by deckhand" /etc/nginx/sites-enabled/* 2>/dev/null | wc -l').catch(() => '1');
      if (pid && startedNginx && others === '0') await sh(`kill ${pid}`).catch(() => undefined);
    }
    await rm(work, { recursive: true, force: true });
  });

  test('first release in container lab-bgdock-3821; the second switches to lab-bgdock-3822 with no failed request under load', async (t) => {
    lab = labOrSkip(t); if (!lab) return;
    const h = lab.hosts.docker;
    target = `ssh://root@${h.host}:${h.port}`;
    if (!(await nginxPid())) {
      await sh('nginx');
      startedNginx = true;
    }
    assert.ok(await nginxPid(), 'nginx runs on the Docker host');
    await load.install();
    await commit('1.0.0');
    const r1 = await deploy();
    assert.equal(r1.code, 0, r1.stderr + r1.stdout);
    const rep1 = parse<Report>(r1);
    assert.equal(rep1.data.outcome, 'SUCCESS', JSON.stringify(rep1.data.failure));
    ids.push(rep1.data.releaseId);
    assert.equal(await version(), '1.0.0');
    assert.deepEqual(JSON.parse(await sh(`curl -s -m 5 http://127.0.0.1:${PROXY}/version`)), { version: '1.0.0', greeting: 'hello from both slots' }, 'env values arrive unquoted');
    assert.equal(await containers(), `${APP}-${SLOTS[0]} running;`);
    assert.equal(await sh(`docker inspect -f '{{.Config.Image}} {{.HostConfig.RestartPolicy.Name}} {{index .Config.Labels "deckhand.slot"}}' ${APP}-${SLOTS[0]}`), `${APP}:${ids[0]} unless-stopped ${SLOTS[0]}`);
    assert.equal(await sh(`docker port ${APP}-${SLOTS[0]}`), `${SLOTS[0]}/tcp -> 127.0.0.1:${SLOTS[0]}`);
    assert.equal(await sh(`docker inspect -f '{{range .Config.Env}}{{println .}}{{end}}' ${APP}-${SLOTS[0]} | grep '^PORT='`), `PORT=${SLOTS[0]}`, 'the env file\'s PORT does not move the app');

    await commit('2.0.0');
    const { result: r2, load: seen } = await load.around(() => deploy());
    assert.equal(r2.code, 0, r2.stderr + r2.stdout);
    const rep2 = parse<Report>(r2);
    assert.equal(rep2.data.outcome, 'SUCCESS', JSON.stringify(rep2.data.failure));
    ids.push(rep2.data.releaseId);
    const out = startOutput(rep2);
    process.stdout.write(`start step: ${out.replace(/\n/g, ' | ')}\n`);
    assert.match(out, new RegExp(`started \\S+ on the idle slot ${SLOTS[1]} \\(${APP}-${SLOTS[1]}\\)`));
    assert.match(out, new RegExp(`nginx sends ${APP} to slot ${SLOTS[1]} \\(was ${SLOTS[0]}\\)`));
    assert.match(out, new RegExp(`slot ${SLOTS[0]} drained in \\d+s .* and stopped`));
    assertNoFailure(seen);
    assert.deepEqual(seen.order, ['1.0.0', '2.0.0'], '/version switched once, from the old release to the new');
    assert.equal(await containers(), `${APP}-${SLOTS[1]} running;`, 'the drained container is removed');
    assert.equal(await sh(`docker port ${APP}-${SLOTS[1]}`), `${SLOTS[0]}/tcp -> 127.0.0.1:${SLOTS[1]}`, 'the same app port inside, the other slot port outside');
  });

  test('an image that never becomes healthy gets no request at all: REVERTED; both slots\' images and the rollback point\'s stay', async (t) => {
    lab = labOrSkip(t); if (!lab) return;
    const good = await sh(`cat /opt/${APP}/current/Dockerfile`);
    await writeFile(join(repo, 'Dockerfile'), good.replace(/^CMD .*$/m, 'CMD ["python3", "-c", "import sys; sys.exit(1)"]'));
    await commit('3.0.0');
    const { result: r, load: seen } = await load.around(() => deploy(['--start-timeout', '10']));
    await writeFile(join(repo, 'Dockerfile'), `${good}\n`);
    await commit('3.0.1');
    assert.equal(r.code, 1, r.stderr + r.stdout);
    const rep = parse<Report>(r);
    assert.equal(rep.data.outcome, 'REVERTED', JSON.stringify(rep.data.failure));
    assert.match(rep.data.failure?.message ?? '', new RegExp(`slot ${SLOTS[0]} never became healthy and was stopped; nginx still sends everything to ${SLOTS[1]}`));
    assertNoFailure(seen);
    assert.deepEqual(Object.keys(seen.versions), ['2.0.0'], 'only the old release answered');
    assert.equal(await containers(), `${APP}-${SLOTS[1]} running;`);
    // The prune of this deploy kept the images of the serving slot and of the rollback point.
    assert.equal(await sh(`docker image inspect -f ok ${APP}:${ids[1]} ${APP}:${ids[0]} | tr '\\n' ' '`), 'ok ok');
  });

  test('deckhand rollback under load: 1.0.0 on the idle slot, switched, no failed request; deckhand verify passes on the active container', async (t) => {
    lab = labOrSkip(t); if (!lab) return;
    const { result: r, load: seen } = await load.around(() => runCli(['rollback', target, ...labSshFlags(lab as LabState), '--name', APP, '--start-timeout', '60', '--json'], { timeoutMs: 300_000 }));
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assertNoFailure(seen);
    assert.deepEqual(seen.order, ['2.0.0', '1.0.0']);
    assert.equal(await version(), '1.0.0');
    assert.equal(await containers(), `${APP}-${SLOTS[0]} running;`);
    assert.equal(await sh(`docker inspect -f '{{.Config.Image}}' ${APP}-${SLOTS[0]}`), `${APP}:${ids[0]}`);

    const v = await runCli(['verify', target, ...labSshFlags(lab), '--name', APP, '--window', '5s', '--json'], { timeoutMs: 180_000 });
    const rep = parse<Verification>(v);
    assert.equal(rep.data.verdict, 'VERIFIED', `${rep.data.reasons.join('\n')}\n${v.stderr}`);
    assert.equal(v.code, 0);
    const by = (id: string): string => rep.findings.filter((f) => f.id === id).map((f) => `${f.status}: ${f.summary}`).join(' | ');
    assert.match(by('process.slot'), new RegExp(`^pass: slot ${SLOTS[0]} \\(${APP}-${SLOTS[0]}, docker\\) serves behind nginx on port ${PROXY}`));
    assert.match(by('process.docker'), /^pass: running through \d+ samples/);
    assert.match(by(`port.${SLOTS[0]}`), /^pass: /);
    assert.match(by('version.docker'), new RegExp(`^pass: container ${APP}-${SLOTS[0]} runs ${APP}:${ids[0]}`));
    assert.match(by('proxy.health'), /^pass: the proxy and the app agree/);
  });
});
