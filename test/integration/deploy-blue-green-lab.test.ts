// blue-green over real SSH to the lab node20 host: deploys, a release that never gets healthy, and a rollback, each under a constant load through nginx that must see no failure.
import assert from 'node:assert/strict';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { labOrSkip, sshExec, type LabState } from '../lab/lab.js';
import { labSshFlags, runCli, type CliResult } from '../helpers/cli.js';

const EXAMPLE = fileURLToPath(new URL('../../examples/node-api/', import.meta.url));
const APP = 'lab-bg';
const SLOTS = [3801, 3802] as const;
const PROXY = 8801;
const LOAD_JS = '/tmp/dh-bg-load.js';
const STOP = '/tmp/dh-bg-load.stop';
const STARTED = '/tmp/dh-bg-load.started';

/**
 * The load, run on the target itself: ~100 requests/s to /version through nginx over keep-alive sockets, until
 * the stop file appears (bounded in time and count). Prints one JSON line: counts, versions seen, first errors.
 * Like a browser (and as Node's docs advise), a GET reset on a reused keep-alive socket before any answer is
 * sent again once on a connection of its own: a graceful nginx reload closes the old workers' idle keep-alive
 * connections, and a request can cross that close on the wire. Those retries are counted apart (`retried`);
 * a retry that fails, any other socket error and any non-2xx answer are failures.
 */
const LOAD = `
const http = require('http'); const fs = require('fs');
const [port, stop, started, maxSec, maxCount] = process.argv.slice(2);
const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
const s = { sent: 0, ok: 0, non2xx: 0, errors: 0, retried: 0, retries: [], versions: {}, order: [], failures: [] };
let inflight = 0; const t0 = Date.now(); let stopAt = 0;
const fail = (what) => { if (s.failures.length < 10) s.failures.push({ ms: Date.now() - t0, what }); };
function one(retry) {
  if (!retry) s.sent++;
  inflight++; let done = false;
  const end = () => { if (!done) { done = true; inflight--; } };
  // The retry goes on a connection of its own, as a browser's does: another pooled socket may be closing too.
  const req = http.get({ host: '127.0.0.1', port: Number(port), path: '/version', agent: retry ? false : agent, timeout: 10000 }, (res) => {
    let body = ''; res.setEncoding('utf8'); res.on('data', (d) => { body += d; });
    res.on('end', () => {
      if (done) return; end();
      if (res.statusCode >= 200 && res.statusCode < 300) {
        s.ok++; let v = '?'; try { v = JSON.parse(body).version; } catch { v = 'unparsable'; }
        s.versions[v] = (s.versions[v] || 0) + 1; if (s.order[s.order.length - 1] !== v) s.order.push(v);
        if (s.ok === 1) fs.writeFileSync(started, '');
      } else { s.non2xx++; fail('HTTP ' + res.statusCode); }
    });
    res.on('error', (e) => { if (done) return; end(); s.errors++; fail(e.code || e.message); });
  });
  req.on('timeout', () => req.destroy(new Error('timeout')));
  req.on('error', (e) => {
    if (done) return; end();
    if (!retry && req.reusedSocket && (e.code === 'ECONNRESET' || e.code === 'EPIPE')) { s.retried++; if (s.retries.length < 10) s.retries.push({ ms: Date.now() - t0, what: e.code }); one(true); return; }
    s.errors++; fail((e.code || e.message) + (req.reusedSocket ? ' (reused socket)' : '') + (retry ? ' (retry)' : ''));
  });
}
const tick = setInterval(() => {
  if (fs.existsSync(stop) || Date.now() - t0 > Number(maxSec) * 1000 || s.sent >= Number(maxCount)) {
    clearInterval(tick); stopAt = Date.now();
    const drain = setInterval(() => {
      if (inflight === 0 || Date.now() - stopAt > 15000) { clearInterval(drain); s.seconds = (stopAt - t0) / 1000; console.log(JSON.stringify(s)); agent.destroy(); }
    }, 50);
    return;
  }
  one();
}, 10);
`;

interface LoadResult { sent: number; ok: number; non2xx: number; errors: number; retried: number; retries: { ms: number; what: string }[]; versions: Record<string, number>; order: string[]; failures: { ms: number; what: string }[]; seconds: number }

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
  /** Runs `during` under the load and returns what the load saw. */
  const underLoad = async <T>(during: () => Promise<T>): Promise<{ result: T; load: LoadResult }> => {
    await sh(`rm -f ${STOP} ${STARTED}`);
    const running = sshExec('node20', 'deploy', `node ${LOAD_JS} ${PROXY} ${STOP} ${STARTED} 280 30000`, 320_000);
    let started = false;
    for (let i = 0; i < 100 && !started; i++) {
      started = (await sh(`test -f ${STARTED} && echo yes`)) === 'yes';
      if (!started) await new Promise((res) => setTimeout(res, 100));
    }
    assert.ok(started, 'the load got its first answer');
    await new Promise((res) => setTimeout(res, 1000));
    let result: T;
    try { result = await during(); } finally {
      // A second of load after the operation: requests right after the switch and the drain count too.
      await new Promise((res) => setTimeout(res, 1000));
      await sh(`touch ${STOP}`);
    }
    const out = await running;
    assert.equal(out.code, 0, out.stderr);
    const load = JSON.parse(out.stdout.trim().split('\n').pop() ?? '{}') as LoadResult;
    process.stdout.write(`load: ${load.sent} requests in ${load.seconds}s (${Math.round(load.sent / load.seconds)}/s), ok ${load.ok}, non-2xx ${load.non2xx}, socket errors ${load.errors}, keep-alive resets retried ${load.retried}, versions ${JSON.stringify(load.versions)} in order ${load.order.join(' → ')}\n`);
    return { result, load };
  };

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'dh-bg-lab-'));
    await cp(EXAMPLE, join(work, 'repo'), { recursive: true, filter: (src) => !src.includes('node_modules') });
    await writeFile(join(work, 'repo', 'deckhand.yml'), `blue_green:\n  ports: [${SLOTS[0]}, ${SLOTS[1]}]\n  drain: 5s\nproxy_port: ${PROXY}\n`);
  });

  after(async () => {
    if (lab) {
      await sh(`touch ${STOP}`).catch(() => undefined);
      await sshExec('node20', 'deploy', [
        `for u in $(systemctl list-units --all --plain --no-legend '${APP}@*' | awk '{print $1}'); do sudo -n systemctl disable --now "$u"; done`,
        `sudo -n rm -f /etc/systemd/system/${APP}@.service /etc/nginx/conf.d/${APP}-upstream.conf /etc/nginx/sites-enabled/${APP} /etc/nginx/sites-available/${APP} /var/log/nginx/${APP}.access.log /var/log/nginx/${APP}.error.log`,
        'sudo -n systemctl daemon-reload', 'sudo -n nginx -t 2>/dev/null && sudo -n systemctl reload nginx',
        `sudo -n rm -rf /opt/${APP}; sudo -n userdel ${APP}; rm -f ${LOAD_JS} ${STOP} ${STARTED}`,
      ].join('; ')).catch(() => undefined);
    }
    await rm(work, { recursive: true, force: true });
  });

  test('first release on slot 3801 behind nginx on 8801; the second switches to 3802 with no failed request under load', async (t) => {
    lab = labOrSkip(t); if (!lab) return;
    const h = lab.hosts.node20;
    target = `ssh://deploy@${h.host}:${h.port}`;
    await sh(`echo ${Buffer.from(LOAD).toString('base64')} | base64 -d > ${LOAD_JS}`);
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
});
