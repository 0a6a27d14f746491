// blue-green over real SSH to the lab node20 host: deploys, a release that never gets healthy, and a rollback, each under a constant load through nginx that must see no failure.
import assert from 'node:assert/strict';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { labOrSkip, sshExec, type LabState } from '../lab/lab.js';
import { labSshFlags, runCli, type CliResult } from '../helpers/cli.js';
import { HostLoad } from '../helpers/host-load.js';
import type { LoadResult } from '../helpers/http-load.js';

const EXAMPLE = fileURLToPath(new URL('../../examples/node-api/', import.meta.url));
const APP = 'lab-bg';
const SLOTS = [3801, 3802] as const;
const PROXY = 8801;
describe('blue-green deploy to a lab host (systemd slots behind nginx, deploy user with sudo)', { concurrency: false }, () => {
  let lab: LabState | null = null;
  let work = '';
  let target = '';
  const sh = async (cmd: string): Promise<string> => (await sshExec('node20', 'deploy', cmd)).stdout.trim();
  const version = async (): Promise<string> => JSON.parse(await sh(`curl -s -m 5 http://127.0.0.1:${PROXY}/version`)).version;
  const deploy = async (v: string, extra: string[] = []): Promise<CliResult> => {
    await writeFile(join(work, 'v.env'), `APP_VERSION=${v}\n`, { mode: 0o600 });
    return runCli(['deploy', target, ...labSshFlags(lab as LabState), '--repo', join(work, 'repo'), '--name', APP, '--strategy', 'blue-green', '--build', 'local',
      '--health', '/health', '--env-file', join(work, 'v.env'), '--json', '--yes', ...extra], { timeoutMs: 300_000 });
  };
  const hostLoad = new HostLoad('node20', 'deploy', PROXY, 'dh-bg');
  /** Runs `during` under the load and returns what the load saw. */
  const underLoad = <T>(during: () => Promise<T>): Promise<{ result: T; load: LoadResult }> => hostLoad.around(during);

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'dh-bg-lab-'));
    await cp(EXAMPLE, join(work, 'repo'), { recursive: true, filter: (src) => !src.includes('node_modules') });
    await writeFile(join(work, 'repo', 'deckhand.yml'), `blue_green:\n  ports: [${SLOTS[0]}, ${SLOTS[1]}]\n  drain: 5s\nproxy_port: ${PROXY}\n`);
  });

  after(async () => {
    if (lab) {
      await hostLoad.cleanup();
      await sshExec('node20', 'deploy', [
        `for u in $(systemctl list-units --all --plain --no-legend '${APP}@*' | awk '{print $1}'); do sudo -n systemctl disable --now "$u"; done`,
        `sudo -n rm -f /etc/systemd/system/${APP}@.service /etc/nginx/conf.d/${APP}-upstream.conf /etc/nginx/sites-enabled/${APP} /etc/nginx/sites-available/${APP} /var/log/nginx/${APP}.access.log /var/log/nginx/${APP}.error.log`,
        'sudo -n systemctl daemon-reload', 'sudo -n nginx -t 2>/dev/null && sudo -n systemctl reload nginx',
        `sudo -n rm -rf /opt/${APP}; sudo -n userdel ${APP}`,
      ].join('; ')).catch(() => undefined);
    }
    await rm(work, { recursive: true, force: true });
  });

  test('first release on slot 3801 behind nginx on 8801; the second switches to 3802 with no failed request under load', async (t) => {
    lab = labOrSkip(t); if (!lab) return;
    const h = lab.hosts.node20;
    target = `ssh://deploy@${h.host}:${h.port}`;
    await hostLoad.install();
    const r1 = await deploy('1.0.0');
    assert.equal(r1.code, 0, r1.stderr + r1.stdout);
    const rep1 = JSON.parse(r1.stdout);
    assert.equal(rep1.data.outcome, 'SUCCESS');
    assert.equal(rep1.data.handoff.port, PROXY);
    assert.equal(await version(), '1.0.0');
    assert.equal(await sh(`systemctl is-active ${APP}@${SLOTS[0]}.service`), 'active');
    assert.equal(await sh(`systemctl show -p User --value ${APP}@${SLOTS[0]}.service`), APP);
    assert.match(await sh(`cat /etc/nginx/conf.d/${APP}-upstream.conf`), new RegExp(`server 127\\.0\\.0\\.1:${SLOTS[0]};`));

    const { result: r2, load } = await underLoad(() => deploy('2.0.0'));
    assert.equal(r2.code, 0, r2.stderr + r2.stdout);
    const rep2 = JSON.parse(r2.stdout);
    assert.equal(rep2.data.outcome, 'SUCCESS');
    const out = (rep2.data.commands as { step: string; output: string }[]).filter((c) => c.step === 'start').map((c) => c.output).join('\n');
    process.stdout.write(`start step: ${out.replace(/\n/g, ' | ')}\n`);
    assert.match(out, new RegExp(`started \\S+ on the idle slot ${SLOTS[1]}`));
    assert.match(out, new RegExp(`nginx sends ${APP} to slot ${SLOTS[1]} \\(was ${SLOTS[0]}\\)`));
    assert.match(out, new RegExp(`slot ${SLOTS[0]} drained in \\d+s .* and stopped`));
    assert.ok(load.sent >= 300, `a real load was running (${load.sent} requests)`);
    assert.deepEqual([load.non2xx, load.errors, load.ok], [0, 0, load.sent], JSON.stringify(load.failures));
    assert.deepEqual(load.order, ['1.0.0', '2.0.0'], '/version switched once, from the old release to the new');
    assert.equal(await version(), '2.0.0');
    assert.equal(await sh(`systemctl is-active ${APP}@${SLOTS[0]}.service`), 'inactive');
    assert.equal(await sh(`systemctl is-enabled ${APP}@${SLOTS[1]}.service`), 'enabled');
    assert.equal(await sh(`readlink -f /opt/${APP}/current`), await sh(`readlink -f /opt/${APP}/slots/${SLOTS[1]}`), 'current follows the active slot');
  });

  test('a release that never becomes healthy gets no traffic: REVERTED, the old slot answered every request', async (t) => {
    lab = labOrSkip(t); if (!lab) return;
    const before = await sh(`readlink /opt/${APP}/current`);
    const { result: r, load } = await underLoad(() => deploy('3.0.0', ['--start', 'node -e "process.exit(1)"', '--start-timeout', '8']));
    assert.equal(r.code, 1, r.stderr + r.stdout);
    const rep = JSON.parse(r.stdout);
    assert.equal(rep.data.outcome, 'REVERTED', JSON.stringify(rep.data.failure));
    assert.equal(rep.data.failure.step, 'start');
    assert.match(rep.data.failure.message, new RegExp(`slot ${SLOTS[0]} never became healthy and was stopped; nginx still sends everything to ${SLOTS[1]}`));
    assert.ok(load.sent >= 300, `a real load was running (${load.sent} requests)`);
    assert.deepEqual([load.non2xx, load.errors, load.ok], [0, 0, load.sent], JSON.stringify(load.failures));
    assert.deepEqual(Object.keys(load.versions), ['2.0.0'], 'only the old release answered');
    assert.equal(await version(), '2.0.0');
    assert.equal(await sh(`readlink /opt/${APP}/current`), before);
    assert.equal(await sh(`systemctl is-active ${APP}@${SLOTS[0]}.service`), 'inactive');
    assert.match(await sh(`cat /etc/nginx/conf.d/${APP}-upstream.conf`), new RegExp(`server 127\\.0\\.0\\.1:${SLOTS[1]};`));
    // The unit in force is the good one again (the failed release's start line was put back).
    assert.doesNotMatch(await sh(`cat /etc/systemd/system/${APP}@.service`), /process\.exit/);
  });

  test('rollback does the same dance: 1.0.0 on the idle slot, switched, no failed request', async (t) => {
    lab = labOrSkip(t); if (!lab) return;
    const { result: r, load } = await underLoad(() => runCli(['rollback', target, ...labSshFlags(lab as LabState), '--name', APP, '--json'], { timeoutMs: 180_000 }));
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.deepEqual([load.non2xx, load.errors, load.ok], [0, 0, load.sent], JSON.stringify(load.failures));
    assert.deepEqual(load.order, ['2.0.0', '1.0.0']);
    assert.equal(await version(), '1.0.0');
    assert.match(await sh(`cat /etc/nginx/conf.d/${APP}-upstream.conf`), new RegExp(`server 127\\.0\\.0\\.1:${SLOTS[0]};`));
    assert.equal(await sh(`systemctl is-active ${APP}@${SLOTS[1]}.service`), 'inactive');
  });

  test('deckhand verify checks the active slot\'s unit and port, and HTTP through nginx', async (t) => {
    lab = labOrSkip(t); if (!lab) return;
    const v = await runCli(['verify', target, ...labSshFlags(lab), '--name', APP, '--window', '5s', '--json'], { timeoutMs: 180_000 });
    const rep = JSON.parse(v.stdout) as { data: { verdict: string; reasons: string[] }; findings: { id: string; title: string; status: string; summary: string }[] };
    assert.equal(rep.data.verdict, 'VERIFIED', `${rep.data.reasons.join('\n')}\n${v.stderr}`);
    const by = (id: string): string => rep.findings.filter((f) => f.id === id).map((f) => `${f.status}: ${f.title}: ${f.summary}`).join(' | ');
    assert.match(by('process.slot'), new RegExp(`^pass: .*slot ${SLOTS[0]} \\(${APP}@${SLOTS[0]}\\.service, systemd\\) serves behind nginx on port ${PROXY}`));
    assert.match(by('process.systemd'), new RegExp(`^pass: systemd unit ${APP}@${SLOTS[0]}\\.service stays up`));
    assert.match(by(`port.${SLOTS[0]}`), new RegExp(`^pass: .*${APP}@${SLOTS[0]}\\.service`));
    assert.match(by('http.health'), /^pass: /);
    assert.match(by('proxy.health'), /^pass: .*the proxy and the app agree/);
  });
});
