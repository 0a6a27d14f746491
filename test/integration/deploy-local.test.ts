// deploy/rollback/releases/lock on the local target with the pm2 strategy: real pm2, real npm ci, real HTTP; canary secrets never leak.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFile, readdir, writeFile, cp } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { freeLocalPort } from '../../src/exec/free-port.js';
import { runCli, type CliResult } from '../helpers/cli.js';
import { pm2Workspace, type Pm2Workspace } from '../helpers/pm2-workspace.js';

const EXAMPLE = fileURLToPath(new URL('../../examples/node-api/', import.meta.url));
const CANARY = 'canary-Zq7Xw2Lp9-local';

async function get(port: number, path: string): Promise<{ status: number; body: string }> {
  const r = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(5000) });
  return { status: r.status, body: await r.text() };
}

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => [])) {
    if (e.isFile()) out.push(join(e.parentPath, e.name));
  }
  return out;
}

describe('local pm2 deploy of examples/node-api', { concurrency: false }, () => {
  let ws: Pm2Workspace;
  let work: string;
  let repo: string;
  let base: string;
  let reports: string;
  let port: number;
  let env: Record<string, string>;
  const outputs: CliResult[] = [];
  const deploy = async (extra: string[], version: string): Promise<CliResult> => {
    await writeFile(join(work, 'prod.env'), `APP_VERSION=${version}\nDATABASE_URL=postgres://app:${CANARY}@127.0.0.1:1/app\n`, { mode: 0o600 });
    const r = await runCli(['deploy', 'local', '--repo', repo, '--strategy', 'pm2', '--name', 'node-api', '--base-dir', base, '--port', String(port),
      '--health', '/health', '--env-file', join(work, 'prod.env'), '--out', reports, '--json', '--yes', ...extra], { env, timeoutMs: 240_000 });
    outputs.push(r);
    return r;
  };

  before(async () => {
    ws = await pm2Workspace('dh-deploy-local-');
    work = ws.dir;
    repo = join(work, 'repo');
    base = join(work, 'base');
    reports = join(work, 'reports');
    await cp(EXAMPLE, repo, { recursive: true, filter: (src) => !src.includes('node_modules') });
    port = await freeLocalPort();
    env = { ...ws.env, CANARY_FOR_TEST: CANARY };
  });

  after(async () => {
    await ws?.close();
  });

  it('--plan changes nothing; without --yes and without a terminal it refuses', async () => {
    const plan = await runCli(['deploy', 'local', '--repo', repo, '--strategy', 'pm2', '--name', 'node-api', '--base-dir', base, '--port', String(port), '--plan'], { env });
    assert.equal(plan.code, 0, plan.stderr);
    assert.match(plan.stdout, /## Execution Plan: `node-api` → `local`/);
    assert.match(plan.stdout, /_\(destructive\)_/);
    assert.match(plan.stdout, /impact: /);
    assert.deepEqual(await readdir(base).catch(() => 'absent'), 'absent', 'nothing created');
    const refused = await runCli(['deploy', 'local', '--repo', repo, '--strategy', 'pm2', '--name', 'node-api', '--base-dir', base, '--port', String(port)], { env });
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /refusing to deploy without confirmation/);
  });

  it('first deploy: SUCCESS, the app answers with the version from the env file, 0600 env file', async () => {
    const r = await deploy([], '1.0.0');
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const rep = JSON.parse(r.stdout);
    assert.equal(rep.data.outcome, 'SUCCESS');
    const schema = JSON.parse((await runCli(['schema', 'execution'])).stdout);
    const validate = new Ajv2020({ allErrors: true, strict: true }).compile(schema);
    const asData: unknown = JSON.parse(r.stdout);
    assert.ok(validate(asData), JSON.stringify(validate.errors));
    assert.ok(!validate({ ...rep, data: { ...rep.data, outcome: 'MAYBE' } }), 'the schema rejects an unknown outcome');
    assert.equal(rep.data.handoff.port, port);
    assert.deepEqual(rep.data.envNames, ['APP_VERSION', 'DATABASE_URL']);
    assert.equal(JSON.parse((await get(port, '/version')).body).version, '1.0.0');
    const mode = execFileSync('stat', ['-c', '%a', join(base, 'shared/.env')]).toString().trim();
    assert.equal(mode, '600');
  });

  it('second deploy makes a new release; rollback brings the first back (the version endpoint proves it)', async () => {
    const r = await deploy([], '2.0.0');
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const rep = JSON.parse(r.stdout);
    assert.equal(rep.data.outcome, 'SUCCESS');
    assert.ok(rep.data.previousRelease);
    assert.equal(JSON.parse((await get(port, '/version')).body).version, '2.0.0');
    const rb = await runCli(['rollback', 'local', '--name', 'node-api', '--base-dir', base, '--json', '--out', reports], { env, timeoutMs: 120_000 });
    outputs.push(rb);
    assert.equal(rb.code, 0, rb.stderr + rb.stdout);
    const rr = JSON.parse(rb.stdout);
    assert.equal(rr.data.outcome, 'SUCCESS');
    assert.equal(rr.data.releaseId, rep.data.previousRelease);
    assert.equal(JSON.parse((await get(port, '/version')).body).version, '1.0.0');
    const rel = await runCli(['releases', 'local', '--name', 'node-api', '--base-dir', base, '--json'], { env });
    const statuses = JSON.parse(rel.stdout).releases.map((x: { status: string }) => x.status);
    assert.deepEqual(statuses, ['rolled-back', 'current']);
  });

  it('a release that never becomes healthy is reverted: the previous one keeps serving', async () => {
    const r = await deploy(['--start', 'node -e "process.exit(3)"', '--start-timeout', '6'], '3.0.0');
    assert.equal(r.code, 1, r.stderr);
    const rep = JSON.parse(r.stdout);
    assert.equal(rep.data.outcome, 'REVERTED');
    assert.match(rep.data.failure.message, /not healthy/);
    const v = await get(port, '/version');
    assert.equal(v.status, 200);
    assert.equal(JSON.parse(v.body).version, '1.0.0', 'the env file of the release that serves was restored too');
  });

  it('the lock: a live holder refuses a second deploy; a dead holder\'s lock is recovered', async () => {
    const lock = join(base, '.deckhand/lock');
    const live = { owner: 'ops@elsewhere', machine: hostname(), pid: process.pid, started: new Date().toISOString(), expires: new Date(Date.now() + 600_000).toISOString(), operation: 'deploy x', token: 't1' };
    await writeFile(lock, `${JSON.stringify(live)}\n`);
    const refused = await deploy([], '4.0.0');
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, /another deploy holds the lock .*deploy x by ops@elsewhere/);
    await writeFile(lock, `${JSON.stringify({ ...live, pid: 2 ** 22 + 4321 })}\n`);
    const ok = await deploy(['--keep', '2'], '4.0.0');
    assert.equal(ok.code, 0, ok.stderr + ok.stdout);
    const rep = JSON.parse(ok.stdout);
    assert.match(rep.data.lockRecovered ?? '', /stale lock of ops@elsewhere/);
    assert.ok(rep.data.pruned.length > 0, 'keep 2 pruned older releases');
    assert.equal((await readdir(join(base, 'releases'))).length, 2);
    assert.deepEqual(await readdir(join(base, '.deckhand')).then((d) => d.includes('lock')), false, 'lock released');
  });

  it('--plan-out saves a plan that --apply runs; a plan made before the target changed is refused', async () => {
    const common = ['--repo', repo, '--strategy', 'pm2', '--name', 'node-api', '--base-dir', base, '--port', String(port), '--health', '/health'];
    const planFile = join(work, 'plan.json');
    await writeFile(join(work, 'prod.env'), `APP_VERSION=5.0.0\nDATABASE_URL=postgres://app:${CANARY}@127.0.0.1:1/app\n`, { mode: 0o600 });
    const saved = await runCli(['deploy', 'local', ...common, '--env-file', join(work, 'prod.env'), '--plan-out', planFile], { env });
    outputs.push(saved);
    assert.equal(saved.code, 0, saved.stderr);
    assert.ok(!(await readFile(planFile, 'utf8')).includes(CANARY), 'the saved plan holds no secret value');
    const applied = await runCli(['deploy', 'local', '--apply', planFile, '--env-file', join(work, 'prod.env'), '--json'], { env, timeoutMs: 240_000 });
    outputs.push(applied);
    assert.equal(applied.code, 0, applied.stderr + applied.stdout);
    assert.equal(JSON.parse(applied.stdout).data.planId, JSON.parse(await readFile(planFile, 'utf8')).plan.id);
    assert.equal(JSON.parse((await get(port, '/version')).body).version, '5.0.0');
    // A plan of the state now, then the target changes (another deploy): applying the old plan is refused.
    const stale = await runCli(['deploy', 'local', ...common, '--env-file', join(work, 'prod.env'), '--plan-out', planFile], { env });
    assert.equal(stale.code, 0, stale.stderr);
    assert.equal((await deploy([], '6.0.0')).code, 0);
    const refused = await runCli(['deploy', 'local', '--apply', planFile, '--env-file', join(work, 'prod.env')], { env, timeoutMs: 60_000 });
    outputs.push(refused);
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, /changed since plan \w+ was made/);
    assert.equal(JSON.parse((await get(port, '/version')).body).version, '6.0.0', 'nothing was applied');
  });

  it('a git URL is cloned here and shipped: the release records its commit', async () => {
    const git = (...a: string[]): string => execFileSync('git', ['-C', repo, ...a], { encoding: 'utf8' }).trim();
    git('init', '-q');
    git('-c', 'user.email=t@t.invalid', '-c', 'user.name=t', 'add', '.');
    git('-c', 'user.email=t@t.invalid', '-c', 'user.name=t', 'commit', '-qm', 'v7');
    const sha = git('rev-parse', 'HEAD');
    const r = await runCli(['deploy', 'local', '--repo', `file://${repo}`, '--strategy', 'pm2', '--name', 'node-api', '--base-dir', base, '--port', String(port),
      '--health', '/health', '--env-file', join(work, 'prod.env'), '--json', '--yes'], { env, timeoutMs: 240_000 });
    outputs.push(r);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const rep = JSON.parse(r.stdout);
    assert.equal(rep.data.commit, sha);
    assert.ok(rep.data.releaseId.endsWith(sha.slice(0, 7)));
    assert.equal(JSON.parse((await get(port, '/health')).body).status, 'ok');
  });

  it('the default keeps 5 releases: the sixth prunes the oldest, never the one serving or its rollback point', async () => {
    const before = (await readdir(join(base, 'releases'))).sort();
    assert.equal(before.length, 5, `five releases so far: ${before.join(', ')}`);
    const r = await deploy([], '8.0.0');
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const rep = JSON.parse(r.stdout);
    assert.deepEqual(rep.data.pruned, [before[0]]);
    const after = (await readdir(join(base, 'releases'))).sort();
    assert.equal(after.length, 5);
    assert.ok(!after.includes(before[0] ?? ''), 'the oldest release is gone');
    assert.ok(after.includes(rep.data.releaseId) && after.includes(rep.data.previousRelease), 'current and its rollback point stay');
    assert.equal(JSON.parse((await get(port, '/version')).body).version, '8.0.0');
  });

  it('the canary secret appears in no output, report, journal or log file', async () => {
    for (const o of outputs) {
      assert.ok(!o.stdout.includes(CANARY) && !o.stderr.includes(CANARY), 'CLI output');
    }
    const files = [...await listFiles(reports), ...await listFiles(join(base, '.deckhand/journal')), ...await listFiles(join(base, 'shared/logs')), ...await listFiles(join(ws.home, 'logs'))];
    assert.ok(files.some((f) => f.includes('journal')), 'journals exist');
    for (const f of files) assert.ok(!(await readFile(f, 'utf8')).includes(CANARY), `${f} holds the canary`);
    assert.ok((await readFile(join(base, 'shared/.env'), 'utf8')).includes(CANARY), 'the value did reach the env file (0600) itself');
  });
});
