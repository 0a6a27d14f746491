// ops upgrade-prep against examples/node-api deployed by the real CLI on the lab node20 host (systemd): runtime, dependencies, no registry, the plan.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { OperationsReportSchema, type OperationsReport } from '../../src/report/operations.js';
import type { OpsUpgradePrepData } from '../../src/report/ops/upgrade-prep.js';
import { labOrSkip, sshExec, type LabState } from '../lab/lab.js';
import { labSshFlags, runCli, type CliResult } from '../helpers/cli.js';

const EXAMPLE = fileURLToPath(new URL('../../examples/node-api/', import.meta.url));
const APP = 'lab-opsu';
const PORT = 3897;
const BASE = `/opt/${APP}`;
// A registry address on the target's loopback where nothing listens: "no registry", without traffic beyond the lab.
const NO_REGISTRY = 'http://127.0.0.1:9/';
const CANARY = `canary-opsu-${randomBytes(4).toString('hex')}X9`;

const cleanup = `sudo -n systemctl disable --now ${APP}.service >/dev/null 2>&1; sudo -n rm -rf ${BASE} /etc/systemd/system/${APP}.service; sudo -n userdel ${APP} >/dev/null 2>&1; sudo -n systemctl daemon-reload`;

function report(r: CliResult): { rep: OperationsReport; d: OpsUpgradePrepData } {
  const rep = OperationsReportSchema.parse(JSON.parse(r.stdout));
  assert.equal(rep.data.task, 'upgrade-prep');
  return { rep, d: rep.data as OpsUpgradePrepData };
}

describe('ops upgrade-prep on a lab host (systemd, node-api)', { concurrency: false }, () => {
  let lab: LabState | null = null;
  let work = '';
  let target = '';
  // npm outdated leaves ~/.npm (cache, log dir) behind for the connecting user: removed after the run unless it was there before.
  let npmHomeBefore = true;
  const outputs: CliResult[] = [];
  const sh = async (cmd: string, user = 'deploy'): Promise<string> => (await sshExec('node20', user, cmd)).stdout.trim();
  const prep = async (extra: string[], user = 'deploy'): Promise<CliResult> => {
    const h = (lab as LabState).hosts.node20;
    const r = await runCli(['ops', 'upgrade-prep', `ssh://${user}@${h.host}:${h.port}`, ...labSshFlags(lab as LabState), '--repo', join(work, 'repo'), '--name', APP, ...extra], { timeoutMs: 240_000 });
    outputs.push(r);
    return r;
  };

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'dh-opsu-lab-'));
    await cp(EXAMPLE, join(work, 'repo'), { recursive: true, filter: (src) => !src.includes('node_modules') });
    await writeFile(join(work, 'app.env'), `APP_VERSION=1.0.0\nAPI_TOKEN=${CANARY}\n`, { mode: 0o600 });
  });

  after(async () => {
    if (lab) await sshExec('node20', 'deploy', `${cleanup}${npmHomeBefore ? '' : '; rm -rf "$HOME/.npm"'}`).catch(() => undefined);
    await rm(work, { recursive: true, force: true });
  });

  test('deploys examples/node-api with the real CLI', async (t) => {
    lab = labOrSkip(t); if (!lab) return;
    await sshExec('node20', 'deploy', cleanup);
    npmHomeBefore = (await sh('test -e "$HOME/.npm" && echo yes || echo no')) === 'yes';
    const h = lab.hosts.node20;
    target = `ssh://deploy@${h.host}:${h.port}`;
    const r = await runCli([
      'deploy', target, ...labSshFlags(lab), '--repo', join(work, 'repo'), '--name', APP, '--strategy', 'systemd', '--build', 'local',
      '--port', String(PORT), '--health', '/health', '--env-file', join(work, 'app.env'), '--json', '--yes',
    ], { timeoutMs: 240_000 });
    outputs.push(r);
    assert.equal(r.code, 0, r.stderr + r.stdout);
  });

  test('no registry: runtime with its evidence, dependencies from the release, outdated UNKNOWN with the reason, the plan; exit 3', async (t) => {
    lab = labOrSkip(t); if (!lab) return;
    const r = await prep(['--registry', NO_REGISTRY, '--json', '--out', join(work, 'reports')]);
    assert.equal(r.code, 3, `could not check everything → exit 3\n${r.stderr}`);
    const { rep, d } = report(r);
    assert.equal(rep.status, 'unknown');
    assert.equal(d.ecosystem, 'node');
    assert.equal(d.release.dir, await sh(`readlink -f ${BASE}/current`));

    // Runtime: the service's own process, its executable and what it answers.
    const mainPid = Number(await sh(`systemctl show -p MainPID --value ${APP}.service`));
    assert.ok(mainPid > 0);
    assert.equal(d.runtime.name, 'node');
    assert.equal(d.runtime.running.pid, mainPid);
    assert.equal(d.runtime.running.exe, await sh(`sudo -n readlink /proc/${mainPid}/exe`));
    assert.equal(`v${d.runtime.running.version}`, lab.hosts.node20.nodeVersion);
    const running = rep.findings.find((f) => f.id === 'runtime.running');
    assert.equal(running?.status, 'pass');
    assert.match(running?.evidence ?? '', new RegExp(`main PID from ${APP}\\.service[\\s\\S]*${mainPid} /usr/local/bin/node[\\s\\S]*--version\\n${lab.hosts.node20.nodeVersion}`));
    assert.deepEqual([d.runtime.required.range, d.runtime.satisfies], ['20', true]);
    assert.match(d.runtime.required.evidence ?? '', /\.nvmrc:1/);
    assert.equal(d.runtime.support.line, '20');
    assert.equal(d.runtime.support.endOfLife, '2026-04-30');

    // Dependencies: the release's own node_modules, compared with what is on disk there.
    assert.equal(d.dependencies.source, 'node_modules');
    const onDisk = JSON.parse(await sh(`cd ${BASE}/current && node -p 'JSON.stringify(["express","pg"].map((n) => require("./node_modules/" + n + "/package.json").version))'`)) as string[];
    assert.deepEqual(d.dependencies.list.map((x) => [x.name, x.wanted, x.installed]), [['express', '^4.21.2', onDisk[0]], ['pg', '^8.13.1', onDisk[1]]]);
    assert.ok(d.dependencies.transitive > 10, `${d.dependencies.transitive} transitive packages`);

    // Outdated: npm really ran against the registry address and could not reach it.
    assert.equal(d.dependencies.outdated.status, 'unknown');
    assert.match(d.dependencies.outdated.reason ?? '', /^npm could not query the registry: ECONNREFUSED/);
    const outdated = rep.findings.find((f) => f.id === 'deps.outdated');
    assert.equal(outdated?.status, 'unknown');
    assert.match(outdated?.evidence ?? '', /npm outdated --json --registry=http:\/\/127\.0\.0\.1:9\/\n\{\n\s+"error"/);
    assert.equal(d.migrations.status, 'not-detectable');

    // The plan: systemd restarts in place, so the deploy goes blue-green; every step names its exact command.
    assert.equal(d.plan.zeroDowntime, false);
    assert.deepEqual(d.plan.steps.map((s) => s.title), [
      'Check the target against the upgraded repository', 'Back up postgresql and prove the backup restores', 'Migrations',
      'Deploy the new release with --zero-downtime', 'Verify the new release', 'Watch window', 'Rollback entry',
    ]);
    assert.equal(d.plan.steps[3]?.command, `deckhand deploy ${target} --repo ${join(work, 'repo')} --name ${APP} --strategy systemd --zero-downtime`);
    assert.equal(d.plan.steps[6]?.command, `deckhand rollback ${target} --name ${APP}`);
    assert.equal(rep.findings.find((f) => f.id === 'plan.zero-downtime')?.status, 'warn');

    const md = await readFile(join(work, 'reports', (await readdir(join(work, 'reports'))).find((f) => f.endsWith('.md')) ?? ''), 'utf8');
    assert.match(md, /^## Zero-Downtime Upgrade Plan$/m);
    assert.match(md, /- \*\*Outdated:\*\* UNKNOWN — npm could not query the registry: ECONNREFUSED/);
  });

  test('--offline asks no registry: outdated SKIPPED; the rest decides (Node 20 past its end of life → attention, exit 1)', async (t) => {
    lab = labOrSkip(t); if (!lab) return;
    const r = await prep(['--offline', '--json']);
    const { rep, d } = report(r);
    assert.equal(d.dependencies.outdated.status, 'skipped');
    assert.equal(rep.findings.find((f) => f.id === 'deps.outdated')?.status, 'skipped');
    assert.equal(rep.findings.find((f) => f.id === 'runtime.support')?.status, 'warn');
    assert.equal(rep.status, 'attention');
    assert.equal(r.code, 1, r.stderr);
  });

  test('a user who cannot read the service\'s process: the runtime is UNKNOWN with the reason, never a guess', async (t) => {
    lab = labOrSkip(t); if (!lab) return;
    const r = await prep(['--offline', '--base-dir', BASE, '--json'], 'nosudo');
    const { rep, d } = report(r);
    assert.equal(r.code, 3, r.stderr);
    assert.equal(d.runtime.running.version, null);
    const f = rep.findings.find((x) => x.id === 'runtime.running');
    assert.equal(f?.status, 'unknown');
    assert.match(f?.summary ?? '', /could not be read \(\/proc\/PID\/exe needs root or sudo for another user's process\)/);
    assert.equal(rep.findings.find((x) => x.id === 'runtime.range')?.status, 'unknown');
    assert.equal(rep.findings.find((x) => x.id === 'deps.installed')?.status, 'pass');
  });

  test('bad input: clear errors and exit 2', async (t) => {
    lab = labOrSkip(t); if (!lab) return;
    const missing = await prep(['--name', 'lab-opsu-nothing-here']);
    assert.equal(missing.code, 2, missing.stderr);
    assert.match(missing.stderr, /lab-opsu-nothing-here is not deployed on deploy@127\.0\.0\.1:2220/);
    const reg = await prep(['--registry', 'ftp://mirror.internal/']);
    assert.equal(reg.code, 2);
    assert.match(reg.stderr, /--registry must be an http\(s\) URL \(got "ftp:\/\/mirror\.internal\/"\)/);
    const tmo = await prep(['--outdated-timeout', '1']);
    assert.equal(tmo.code, 2);
    assert.match(tmo.stderr, /--outdated-timeout must be a number of seconds from 5 to 600/);
  });

  test('the canary in the env file appears in no output or report', async (t) => {
    lab = labOrSkip(t); if (!lab) return;
    assert.ok(outputs.length >= 5);
    for (const o of outputs) assert.ok(!o.stdout.includes(CANARY) && !o.stderr.includes(CANARY));
    for (const f of await readdir(join(work, 'reports'))) assert.ok(!(await readFile(join(work, 'reports', f), 'utf8')).includes(CANARY), f);
  });
});
