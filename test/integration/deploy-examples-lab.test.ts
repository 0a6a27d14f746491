// The Python, Go and static examples, and a repository deploy script, deployed over SSH to the node20 lab host: each answers on its port.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmod, cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { labOrSkip, sshExec, type LabState } from '../lab/lab.js';
import { labSshFlags, runCli, type CliResult } from '../helpers/cli.js';

const EXAMPLES = fileURLToPath(new URL('../../examples/', import.meta.url));
const FLASK = { app: 'dhx-flask', port: 3601 };
const GO = { app: 'dhx-go', port: 3602 };
const SITE = { app: 'dhx-static', port: 8601 };
const SCRIPT = { app: 'dhx-script', port: 3603 };
const SERVICES = [FLASK.app, GO.app];
const ALL = [FLASK.app, GO.app, SITE.app, SCRIPT.app];

describe('deploy the examples to a lab host (python-flask, go-http, static-site, a deploy script)', { concurrency: false }, () => {
  let lab: LabState | null = null;
  let work = '';
  let target = '';
  const sh = async (cmd: string): Promise<string> => (await sshExec('node20', 'deploy', cmd)).stdout.trim();
  const get = (port: number, path: string): Promise<string> => sh(`curl -s -m 5 http://127.0.0.1:${port}${path}`);
  const deploy = async (repo: string, app: string, extra: string[]): Promise<CliResult> => {
    const r = await runCli(['deploy', target, ...labSshFlags(lab as LabState), '--repo', join(work, repo), '--name', app, '--json', '--yes', ...extra],
      { timeoutMs: 300_000, env: { CGO_ENABLED: '0' } });
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.equal(JSON.parse(r.stdout).data.outcome, 'SUCCESS');
    return r;
  };
  const rollback = async (app: string): Promise<CliResult> => {
    const r = await runCli(['rollback', target, ...labSshFlags(lab as LabState), '--name', app, '--json'], { timeoutMs: 120_000 });
    assert.equal(r.code, 0, r.stderr + r.stdout);
    return r;
  };

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'dh-examples-lab-'));
    for (const ex of ['python-flask', 'go-http', 'static-site']) await cp(join(EXAMPLES, ex), join(work, ex), { recursive: true });
    for (const v of ['1', '2']) await writeFile(join(work, `v${v}.env`), `APP_VERSION=${v}.0.0\n`, { mode: 0o600 });
    // A repository with its own deploy and rollback scripts: each appends what it ran, with a value from the env file.
    const s = join(work, 'scripted');
    await mkdir(join(s, 'ops'), { recursive: true });
    await writeFile(join(s, 'ops', 'deploy.sh'), '#!/bin/sh\nset -e\necho "deploy $APP_VERSION in $PWD" >> "$LOG"\necho "deployed $APP_VERSION with token $DEPLOY_TOKEN"\necho "a line on stderr" >&2\n');
    await writeFile(join(s, 'ops', 'rollback.sh'), '#!/bin/sh\nset -e\necho "rollback $APP_VERSION in $PWD" >> "$LOG"\necho "rolled back to $APP_VERSION"\n');
    await chmod(join(s, 'ops', 'deploy.sh'), 0o755);
    await writeFile(join(s, 'README.md'), 'scripted deploy\n');
  });

  after(async () => {
    if (lab) {
      const units = SERVICES.map((a) => `${a}.service`).join(' ');
      await sshExec('node20', 'deploy', [
        `sudo -n systemctl disable --now ${units}`,
        `sudo -n rm -rf ${ALL.map((a) => `/opt/${a}`).join(' ')} ${SERVICES.map((a) => `/etc/systemd/system/${a}.service`).join(' ')}`,
        `sudo -n rm -f /etc/nginx/sites-enabled/${SITE.app} /etc/nginx/sites-available/${SITE.app} /var/log/nginx/${SITE.app}.*.log /tmp/${SCRIPT.app}.log`,
        ...SERVICES.map((a) => `sudo -n userdel ${a}`),
        'sudo -n systemctl daemon-reload', 'sudo -n systemctl reload nginx',
      ].map((c) => `${c} >/dev/null 2>&1`).join('; ')).catch(() => undefined);
    }
    await rm(work, { recursive: true, force: true });
  });

  test('python-flask: systemd, built on the target in a venv that sees Debian\'s Flask and gunicorn', async (t) => {
    lab = labOrSkip(t); if (!lab) return;
    target = `ssh://deploy@${lab.hosts.node20.host}:${lab.hosts.node20.port}`;
    const r = await deploy('python-flask', FLASK.app, ['--strategy', 'systemd', '--build', 'target', '--port', String(FLASK.port), '--env-file', join(work, 'v1.env')]);
    const rep = JSON.parse(r.stdout);
    const install = rep.data.commands.find((c: { step: string }) => c.step === 'install');
    assert.match(install?.command ?? '', /python3 -m venv --system-site-packages \.venv && \.venv\/bin\/pip install/);
    assert.deepEqual(JSON.parse(await get(FLASK.port, '/health')), { status: 'ok' });
    assert.equal(JSON.parse(await get(FLASK.port, '/version')).version, '1.0.0');
    assert.equal(await sh(`systemctl show -p User --value ${FLASK.app}.service`), FLASK.app);
  });

  test('go-http: systemd, built here (go build, CGO off) and shipped as a binary; second deploy, then rollback', async (t) => {
    lab = labOrSkip(t); if (!lab) return;
    if (spawnSync('sh', ['-c', 'command -v go'], { stdio: 'ignore' }).status !== 0) { t.skip('go is not installed here (apt-get install golang-go)'); return; }
    target = `ssh://deploy@${lab.hosts.node20.host}:${lab.hosts.node20.port}`;
    const args = (v: string): string[] => ['--strategy', 'systemd', '--build', 'local', '--port', String(GO.port), '--health', '/health', '--env-file', join(work, `v${v}.env`)];
    const r1 = await deploy('go-http', GO.app, args('1'));
    const rep1 = JSON.parse(r1.stdout);
    assert.ok(rep1.data.commands.some((c: { step: string; command: string }) => c.step === 'build-local' && /make build/.test(c.command)), 'built here');
    assert.equal(await sh(`test -x /opt/${GO.app}/current/bin/go-http && echo yes`), 'yes');
    assert.equal(JSON.parse(await get(GO.port, '/version')).version, '1.0.0');
    const r2 = await deploy('go-http', GO.app, args('2'));
    assert.equal(JSON.parse(r2.stdout).data.previousRelease, rep1.data.releaseId);
    assert.equal(JSON.parse(await get(GO.port, '/version')).version, '2.0.0');
    const rb = JSON.parse((await rollback(GO.app)).stdout);
    assert.equal(rb.data.releaseId, rep1.data.releaseId);
    assert.equal(JSON.parse(await get(GO.port, '/version')).version, '1.0.0', 'the first release and its env file serve again');
  });

  test('static-site: built on the target, served by nginx from current/dist on its port; second release, then rollback', async (t) => {
    lab = labOrSkip(t); if (!lab) return;
    target = `ssh://deploy@${lab.hosts.node20.host}:${lab.hosts.node20.port}`;
    const r = await deploy('static-site', SITE.app, ['--strategy', 'static', '--build', 'target', '--port', String(SITE.port)]);
    const rep = JSON.parse(r.stdout);
    assert.ok(rep.data.filesTouched.includes(`/etc/nginx/sites-available/${SITE.app}`), JSON.stringify(rep.data.filesTouched));
    assert.equal(await get(SITE.port, '/health'), 'ok');
    assert.equal(JSON.parse(await get(SITE.port, '/version.json')).version, '1.0.0');
    assert.match(await get(SITE.port, '/'), /<html/i);
    assert.equal(await sh(`readlink /etc/nginx/sites-enabled/${SITE.app}`), `/etc/nginx/sites-available/${SITE.app}`);
    assert.match(await sh(`cat /etc/nginx/sites-available/${SITE.app}`), new RegExp(`root /opt/${SITE.app}/current/dist;`));
    // A second release (version 1.1.0 in package.json), then rollback: the first build serves again.
    const pkg = join(work, 'static-site', 'package.json');
    await writeFile(pkg, (await readFile(pkg, 'utf8')).replace('"version": "1.0.0"', '"version": "1.1.0"'));
    await deploy('static-site', SITE.app, ['--strategy', 'static', '--build', 'target', '--port', String(SITE.port)]);
    assert.equal(JSON.parse(await get(SITE.port, '/version.json')).version, '1.1.0');
    await rollback(SITE.app);
    assert.equal(JSON.parse(await get(SITE.port, '/version.json')).version, '1.0.0');
    assert.equal(await get(SITE.port, '/health'), 'ok');
  });

  test('script: refused without a rollback script; the plan shows the script; deploy and rollback run the repository\'s scripts', async (t) => {
    lab = labOrSkip(t); if (!lab) return;
    target = `ssh://deploy@${lab.hosts.node20.host}:${lab.hosts.node20.port}`;
    const base = ['--strategy', 'script', '--script', 'ops/deploy.sh'];
    const refused = await runCli(['deploy', target, ...labSshFlags(lab), '--repo', join(work, 'scripted'), '--name', SCRIPT.app, '--plan', ...base]);
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, /refusing a script deploy without a rollback script/);
    const withRb = [...base, '--rollback-script', 'ops/rollback.sh'];
    const plan = await runCli(['deploy', target, ...labSshFlags(lab), '--repo', join(work, 'scripted'), '--name', SCRIPT.app, '--plan', ...withRb]);
    assert.equal(plan.code, 0, plan.stderr);
    assert.match(plan.stdout, /Deploy script ops\/deploy\.sh \(\d+ bytes, sha256 [0-9a-f]{12}\): #!\/bin\/sh ⏎ set -e ⏎ echo "deploy/);
    await writeFile(join(work, 'script.env'), `APP_VERSION=1.0.0\nDEPLOY_TOKEN=tok-canary-5512\nLOG=/tmp/${SCRIPT.app}.log\n`, { mode: 0o600 });
    const r1 = await deploy('scripted', SCRIPT.app, [...withRb, '--env-file', join(work, 'script.env')]);
    const start = JSON.parse(r1.stdout).data.commands.find((c: { step: string; command: string }) => c.step === 'start' && /deckhand-script/.test(c.command));
    assert.equal(start?.exitCode, 0);
    // The script's stdout and stderr land in the report (secret env values masked, as everywhere).
    assert.match(start?.output ?? '', /running the deploy script ops\/deploy\.sh in \/opt\/dhx-script\/releases\//);
    assert.match(start?.output ?? '', /^deployed 1\.0\.0 with token \*\*\*$/m);
    assert.match(start?.output ?? '', /a line on stderr/);
    await writeFile(join(work, 'script.env'), `APP_VERSION=2.0.0\nDEPLOY_TOKEN=tok-canary-5512\nLOG=/tmp/${SCRIPT.app}.log\n`, { mode: 0o600 });
    await deploy('scripted', SCRIPT.app, [...withRb, '--env-file', join(work, 'script.env')]);
    await rollback(SCRIPT.app);
    const log = (await sh(`cat /tmp/${SCRIPT.app}.log`)).split('\n');
    assert.equal(log.length, 3, log.join('\n'));
    assert.match(log[0] ?? '', new RegExp(`^deploy 1\\.0\\.0 in /opt/${SCRIPT.app}/releases/`));
    assert.match(log[1] ?? '', /^deploy 2\.0\.0 in /);
    assert.match(log[2] ?? '', new RegExp(`^rollback 1\\.0\\.0 in /opt/${SCRIPT.app}/releases/`));
    assert.equal(log[2]?.split(' in ')[1], log[0]?.split(' in ')[1], 'the rollback script ran in the first release, with its env file');
  });
});
