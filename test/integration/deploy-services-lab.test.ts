// deckhand.yml services: an API and the web front that calls it, deployed to a real systemd lab host in dependency order, verified, stopped and rolled back on failure, and --only.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { labOrSkip, sshExec, type LabState } from '../lab/lab.js';
import { labSshFlags, runCli, type CliResult } from '../helpers/cli.js';
import { ServicesReportSchema } from '../../src/schemas.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/services/', import.meta.url));
const APPS = ['svc-lab-api', 'svc-lab-web'] as const;
const API_PORT = 4761;
const WEB_PORT = 4762;
// Random per run: a secret of the api service that must never appear in output or reports.
const CANARY = `canary-Sv7Qm3Xw-${randomBytes(4).toString('hex')}`;
/** The fixture's api also takes API_TOKEN from the operator's environment (a secret). */
const withSecret = (y: string): string => y.replace('  web:\n', '    secrets:\n      env: [API_TOKEN]\n  web:\n');

interface Row { service: string; status: string; release: string | null; previousRelease: string | null; handshakes: { status: string; title: string }[]; rollback: { data: { outcome: string; releaseId: string } } | null }

describe('deploy a two-service repo (api, then the web front that calls it) to node20', { concurrency: false }, () => {
  let lab: LabState | null = null;
  let work = '';
  let target = '';
  const sh = async (cmd: string): Promise<string> => (await sshExec('node20', 'deploy', cmd)).stdout.trim();
  const outputs: CliResult[] = [];
  const deploy = async (extra: string[]): Promise<CliResult> => {
    const r = await runCli(['deploy', target, ...labSshFlags(lab as LabState), '--repo', join(work, 'repo'), '--json', '--window', '3', '--out', join(work, 'reports'), ...extra], { timeoutMs: 300_000, env: { API_TOKEN: CANARY } });
    outputs.push(r);
    return r;
  };
  const report = (r: CliResult): { status: string; data: { outcome: string; order: string[]; only: string | null; failure: { service: string; stage: string } | null; services: Row[]; assumed: Row[] }; steps: { id: string }[] } => {
    const parsed = ServicesReportSchema.safeParse(JSON.parse(r.stdout));
    assert.ok(parsed.success, parsed.success ? '' : JSON.stringify(parsed.error.issues.slice(0, 3)));
    return JSON.parse(r.stdout);
  };
  const releases = async (app: string): Promise<string[]> => JSON.parse(await sh(`sudo -n cat /opt/${app}/.deckhand/ledger.json`)).releases.map((e: { id: string; status: string }) => `${e.id}:${e.status}`);
  const since = async (app: string): Promise<string> => sh(`systemctl show -p ActiveEnterTimestampMonotonic --value ${app}.service`);
  const setConfig = async (edit: (text: string) => string): Promise<void> => {
    const file = join(work, 'repo', 'deckhand.yml');
    await writeFile(file, edit(withSecret(await readFile(join(FIXTURE, 'deckhand.yml'), 'utf8'))));
  };

  after(async () => {
    if (lab) {
      await sshExec('node20', 'deploy', APPS.map((a) => `sudo -n systemctl disable --now ${a}.service; sudo -n rm -rf /opt/${a} /etc/systemd/system/${a}.service; sudo -n userdel ${a};`).join(' ') + ' sudo -n systemctl daemon-reload').catch(() => undefined);
    }
    if (work) await rm(work, { recursive: true, force: true });
  });

  test('--plan shows the dependency order with impact and undo per service, and changes nothing', async (t) => {
    lab = labOrSkip(t); if (!lab) return;
    const h = lab.hosts.node20;
    target = `ssh://deploy@${h.host}:${h.port}`;
    work = await mkdtemp(join(tmpdir(), 'dh-services-lab-'));
    await cp(FIXTURE, join(work, 'repo'), { recursive: true });
    await setConfig((y) => y);
    const r = await deploy(['--plan']);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const rep = report(r);
    assert.equal(rep.data.outcome, 'PLANNED');
    assert.deepEqual(rep.data.order, ['api', 'web']);
    assert.deepEqual(rep.data.services.map((s) => `${s.service}:${s.status}`), ['api:planned', 'web:planned']);
    assert.match(JSON.stringify(rep.data.services.map((s) => (s as unknown as { undo: string }).undo)), /first release: nothing to roll back to/);
    assert.equal(await sh(`test -e /opt/${APPS[0]} && echo yes || echo no`), 'no');
  });

  test('deploys api, verifies it, then web, whose handshake to api passes; web serves what api answers', async (t) => {
    lab = labOrSkip(t); if (!lab) return;
    const r = await deploy(['--yes']);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const rep = report(r);
    assert.equal(rep.data.outcome, 'VERIFIED');
    assert.deepEqual(rep.steps.map((s) => s.id), ['deploy.api', 'verify.api', 'deploy.web', 'verify.web', 'handshake.web.api']);
    const web = rep.data.services.find((s) => s.service === 'web') as Row;
    assert.deepEqual(web.handshakes.map((f) => `${f.title}:${f.status}`), ['web → api:pass']);
    assert.equal(JSON.parse(await sh(`curl -s -m 5 http://127.0.0.1:${WEB_PORT}/`)).api.version, '1.0.0');
  });

  test('an api release that fails verification stops the rollout: api is rolled back, web is not touched', async (t) => {
    lab = labOrSkip(t); if (!lab) return;
    const webBefore = await releases(APPS[1]);
    const webSince = await since(APPS[1]);
    const apiFirst = (await releases(APPS[0]))[0]?.split(':')[0];
    await setConfig((y) => y.replace('APP_VERSION: "1.0.0"', 'APP_VERSION: "2.0.0"\n      BROKEN: "1"'));
    const r = await deploy(['--yes']);
    assert.equal(r.code, 1, r.stderr + r.stdout);
    const rep = report(r);
    assert.equal(rep.data.outcome, 'ROLLED_BACK');
    assert.deepEqual(rep.data.failure && [rep.data.failure.service, rep.data.failure.stage], ['api', 'verification']);
    const [api, web] = rep.data.services as [Row, Row];
    assert.equal(api.status, 'rolled-back');
    assert.equal(api.rollback?.data.outcome, 'SUCCESS');
    assert.equal(api.rollback?.data.releaseId, apiFirst);
    assert.equal(web.status, 'untouched');
    assert.ok(!rep.steps.some((s) => s.id.endsWith('.web')), JSON.stringify(rep.steps));
    // Nothing happened to web: same ledger, same process since before the run.
    assert.deepEqual(await releases(APPS[1]), webBefore);
    assert.equal(await since(APPS[1]), webSince);
    assert.equal(JSON.parse(await sh(`curl -s -m 5 http://127.0.0.1:${API_PORT}/`)).version, '1.0.0');
  });

  test('--only web deploys web alone after checking api serves it; api is not touched', async (t) => {
    lab = labOrSkip(t); if (!lab) return;
    await setConfig((y) => y);
    const apiBefore = await releases(APPS[0]);
    const apiSince = await since(APPS[0]);
    const webBefore = await releases(APPS[1]);
    const r = await deploy(['--yes', '--only', 'web']);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const rep = report(r);
    assert.equal(rep.data.outcome, 'VERIFIED');
    assert.equal(rep.data.only, 'web');
    assert.deepEqual(rep.data.services.map((s) => `${s.service}:${s.status}`), ['web:verified']);
    assert.deepEqual(rep.data.assumed.map((s) => `${s.service}:${s.status}`), ['api:serving']);
    assert.equal(rep.data.assumed[0]?.release, apiBefore.find((e) => e.endsWith(':current'))?.split(':')[0]);
    assert.deepEqual(await releases(APPS[0]), apiBefore);
    assert.equal(await since(APPS[0]), apiSince);
    assert.equal((await releases(APPS[1])).length, webBefore.length + 1);
  });

  test('--only web with api stopped is BLOCKED before anything changes', async (t) => {
    lab = labOrSkip(t); if (!lab) return;
    const webBefore = await releases(APPS[1]);
    await sh(`sudo -n systemctl stop ${APPS[0]}.service`);
    try {
      const r = await deploy(['--yes', '--only', 'web']);
      assert.equal(r.code, 1, r.stderr + r.stdout);
      const rep = report(r);
      assert.equal(rep.data.outcome, 'BLOCKED');
      assert.deepEqual(rep.data.assumed.map((s) => `${s.service}:${s.status}`), ['api:not-serving']);
      assert.equal(rep.data.assumed[0]?.handshakes[0]?.status, 'fail');
      assert.deepEqual(rep.data.services.map((s) => `${s.service}:${s.status}`), ['web:untouched']);
      assert.deepEqual(await releases(APPS[1]), webBefore);
    } finally {
      await sh(`sudo -n systemctl start ${APPS[0]}.service`);
    }
  });

  test('the api secret reached its env file and never appeared in output or reports', async (t) => {
    lab = labOrSkip(t); if (!lab) return;
    assert.equal(await sh(`sudo -n grep -c '^API_TOKEN=${CANARY}$' /opt/${APPS[0]}/shared/.env`), '1');
    assert.ok(outputs.length >= 5);
    for (const r of outputs) assert.ok(!r.stdout.includes(CANARY) && !r.stderr.includes(CANARY), 'canary in CLI output');
    const files = await readdir(join(work, 'reports'));
    assert.ok(files.some((f) => f.startsWith('services')), files.join(', '));
    for (const f of files) assert.ok(!(await readFile(join(work, 'reports', f), 'utf8')).includes(CANARY), `canary in ${f}`);
  });
});
