// Ctrl-C during a local pm2 deploy: the run stops at the next step boundary and cleans up, the serving release is untouched;
// Ctrl-C twice aborts at once; a run killed outright is cleaned up by the next deploy. Real pm2, real npm ci, real HTTP.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cp, readdir, readFile, readlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { freeLocalPort } from '../../src/exec/free-port.js';
import { CLI, runCli, type CliResult } from '../helpers/cli.js';
import { pm2Workspace, type Pm2Workspace } from '../helpers/pm2-workspace.js';

const EXAMPLE = fileURLToPath(new URL('../../examples/node-api/', import.meta.url));

interface ExecReport { data: { outcome: string; releaseId: string; previousRelease: string | null; failure: { step: string; message: string; revert: string | null } | null; warnings: string[] } }

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function version(port: number): Promise<string> {
  const r = await fetch(`http://127.0.0.1:${port}/version`, { signal: AbortSignal.timeout(5000) });
  assert.equal(r.status, 200);
  return (JSON.parse(await r.text()) as { version: string }).version;
}

/**
 * Runs the CLI in its own process group, as a shell runs a foreground job, and presses Ctrl-C (SIGINT to the
 * whole group, as the terminal does) `presses` times once stderr shows `when`. deckhand's own commands run in
 * process groups of their own, so — as with a real terminal — the key reaches deckhand, not the build it runs.
 */
function runAndInterrupt(args: string[], env: Record<string, string>, when: RegExp, presses: number, signal: NodeJS.Signals = 'SIGINT'): Promise<CliResult & { interruptedAt: number | null }> {
  return new Promise((resolve) => {
    const t = performance.now();
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    let interruptedAt: number | null = null;
    const press = async (): Promise<void> => {
      // Never -0: that would be this test runner's own process group.
      if (child.pid === undefined) return;
      for (let i = 0; i < presses; i++) {
        if (i > 0) await sleep(300);
        try { process.kill(-child.pid, signal); } catch { /* already gone */ }
      }
    };
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (interruptedAt === null && when.test(stderr)) {
        interruptedAt = performance.now() - t;
        // The key is pressed a moment into the step, as a person would: a signal sent to the group in the
        // microseconds between fork and setsid of the step's child stays pending in it and ends it.
        setTimeout(() => void press(), 1000);
      }
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 240_000);
    child.on('close', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr, ms: performance.now() - t, interruptedAt }); });
  });
}

describe('Ctrl-C during a local pm2 deploy', { concurrency: false }, () => {
  let ws: Pm2Workspace;
  let work = '';
  let repo = '';
  let base = '';
  let port = 0;
  let env: Record<string, string> = {};
  let v1 = '';
  let runs = 0;

  const envFile = async (v: string): Promise<string> => {
    const f = join(work, `${v}.env`);
    await writeFile(f, `APP_VERSION=${v}\n`, { mode: 0o600 });
    return f;
  };
  /** deploy argv; a slow build (deckhand.yml commands.build) gives Ctrl-C a step to land in. */
  const deployArgs = async (v: string, slow: boolean, out: string): Promise<string[]> => [
    'deploy', 'local', '--repo', repo, '--strategy', 'pm2', '--name', 'node-api', '--base-dir', base, '--port', String(port), '--health', '/health',
    '--env-file', await envFile(v), '--out', out, '--yes', ...(slow ? ['--config', join(work, 'slow.yml')] : []),
  ];
  const lastReport = async (dir: string): Promise<ExecReport> => {
    const json = (await readdir(dir)).filter((f) => f.endsWith('.json')).sort();
    assert.ok(json.length > 0, `no JSON report in ${dir}`);
    return JSON.parse(await readFile(join(dir, json[json.length - 1] ?? ''), 'utf8')) as ExecReport;
  };
  const reportsDir = (): string => join(work, `reports-${++runs}`);
  const releases = async (): Promise<string[]> => (await readdir(join(base, 'releases'))).sort();
  const lockHeld = async (): Promise<boolean> => (await readdir(join(base, '.deckhand'))).includes('lock');

  before(async () => {
    ws = await pm2Workspace('dh-deploy-interrupt-');
    work = ws.dir;
    repo = join(work, 'repo');
    base = join(work, 'base');
    await cp(EXAMPLE, repo, { recursive: true, filter: (src) => !src.includes('node_modules') });
    await writeFile(join(work, 'slow.yml'), 'commands:\n  build: "sleep 6"\n');
    port = await freeLocalPort();
    env = ws.env;
  });

  after(async () => {
    await ws?.close();
  });

  it('v1 deploys and serves', async () => {
    const out = reportsDir();
    const r = await runCli(await deployArgs('1.0.0', false, out), { env, timeoutMs: 240_000 });
    assert.equal(r.code, 0, r.stderr + r.stdout);
    v1 = (await lastReport(out)).data.releaseId;
    assert.equal(await version(port), '1.0.0');
  });

  it('Ctrl-C once during the build of v2: FAILED "interrupted by the operator", v1 untouched and serving, nothing half-applied, lock released', async () => {
    const out = reportsDir();
    const r = await runAndInterrupt(await deployArgs('2.0.0', true, out), env, /… Build: sleep 6/, 1);
    assert.ok(r.interruptedAt !== null, `the build step never started:\n${r.stderr}`);
    assert.equal(r.code, 1, r.stderr + r.stdout);
    assert.match(r.stderr, /interrupt: stopping after the current step and reverting/);
    // The build ran to its end (the step was not cut in half); the next step was not started.
    assert.match(r.stderr, /PASS Build: sleep 6/);
    assert.doesNotMatch(r.stderr, /… Generate the pm2 ecosystem file|… Write .*shared\/\.env|… Switch /);
    assert.match(r.stdout, /FAILED/);
    assert.match(r.stdout, /interrupted by the operator/);
    const rep = await lastReport(out);
    assert.equal(rep.data.outcome, 'FAILED');
    assert.match(rep.data.failure?.message ?? '', /^interrupted by the operator before this step$/);
    assert.match(rep.data.failure?.revert ?? '', new RegExp(`nothing was switched; ${v1} keeps serving; the unfinished release was removed`));

    assert.equal(await readlink(join(base, 'current')), `releases/${v1}`);
    assert.equal(await version(port), '1.0.0');
    assert.deepEqual(await releases(), [v1], 'no unfinished release directory left');
    const envText = await readFile(join(base, 'shared/.env'), 'utf8');
    assert.match(envText, /^APP_VERSION=1\.0\.0$/m, 'the env file of v1 is untouched');
    assert.doesNotMatch(envText, /2\.0\.0/);
    assert.equal(await lockHeld(), false, 'lock released');
    const ledger = await runCli(['releases', 'local', '--name', 'node-api', '--base-dir', base, '--json'], { env });
    const rows = (JSON.parse(ledger.stdout) as { releases: { id: string; status: string }[] }).releases;
    assert.deepEqual(rows.map((x) => [x.id === v1 ? 'v1' : 'v2', x.status]), [['v2', 'failed'], ['v1', 'current']]);
  });

  it('Ctrl-C twice: aborts at once (the build is cut short), says so, still cleans up; v1 keeps serving', async () => {
    const out = reportsDir();
    const r = await runAndInterrupt(await deployArgs('3.0.0', true, out), env, /… Build: sleep 6/, 2);
    assert.ok(r.interruptedAt !== null, `the build step never started:\n${r.stderr}`);
    assert.equal(r.code, 1, r.stderr + r.stdout);
    assert.ok(r.ms - (r.interruptedAt ?? 0) < 5000, `aborted promptly, not after the 6 s build (${Math.round(r.ms - (r.interruptedAt ?? 0))} ms)`);
    const rep = await lastReport(out);
    assert.equal(rep.data.outcome, 'FAILED');
    assert.equal(rep.data.failure?.step, 'build');
    assert.match(rep.data.failure?.message ?? '', /^aborted by the operator during this step \(second Ctrl-C\): /);
    assert.match(r.stdout, /aborted by the operator/);
    assert.equal(await readlink(join(base, 'current')), `releases/${v1}`);
    assert.equal(await version(port), '1.0.0');
    assert.deepEqual(await releases(), [v1], 'the cut-short release was removed all the same');
    assert.equal(await lockHeld(), false, 'lock released');
  });

  it('deckhand killed outright mid-build: the next deploy reports and removes the leftover release and recovers the lock', async () => {
    const out = reportsDir();
    const before = await releases();
    const r = await runAndInterrupt(await deployArgs('5.0.0', true, out), env, /… Build: sleep 6/, 1, 'SIGKILL');
    assert.ok(r.interruptedAt !== null, `the build step never started:\n${r.stderr}`);
    assert.equal(r.code, null, 'killed');
    const leftover = (await releases()).filter((x) => !before.includes(x));
    assert.equal(leftover.length, 1, 'the unfinished release is left behind');
    assert.equal(await lockHeld(), true, 'and the lock of the dead run');
    assert.equal(await version(port), '1.0.0', 'v1 keeps serving');
    // The build command outlives deckhand (its own process group): let it end before its directory is removed.
    await sleep(Math.max(0, 7000 - (r.ms - (r.interruptedAt ?? 0))));

    const next = reportsDir();
    const d = await runCli(await deployArgs('6.0.0', false, next), { env, timeoutMs: 240_000 });
    assert.equal(d.code, 0, d.stderr + d.stdout);
    const rep = await lastReport(next) as ExecReport & { data: { lockRecovered: string | null } };
    assert.equal(rep.data.outcome, 'SUCCESS');
    assert.ok(rep.data.warnings.some((w) => w === `an earlier deploy was interrupted: ${leftover[0] ?? ''} never went live and will be removed`), rep.data.warnings.join('\n'));
    assert.match(rep.data.lockRecovered ?? '', /^stale lock of .* taken over$/);
    assert.match(d.stderr, /PASS Remove unfinished releases left by an interrupted deploy/);
    assert.equal(await version(port), '6.0.0');
    assert.deepEqual(await releases(), [v1, rep.data.releaseId].sort(), 'the leftover is gone');
    assert.equal(await lockHeld(), false);
  });
});
