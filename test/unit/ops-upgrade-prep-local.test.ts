// ops upgrade-prep end to end on this machine: the real probe script under sh on release directories written here, real npm, a stub venv interpreter.
import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Redactor } from '../../src/core/redact.js';
import { LocalExecutor } from '../../src/exec/local.js';
import { OperationsReportSchema, type OperationsReport } from '../../src/report/operations.js';
import type { OpsUpgradePrepData } from '../../src/report/ops/upgrade-prep.js';
import { upgradePrep } from '../../src/stages/operate/upgrade-prep/index.js';

const REL = '20261201T140000Z-0a1b2c3';
const CANARY = 'cAnary-Db-Pw-5Kq9Zt2';

async function files(dir: string, map: Record<string, string>): Promise<void> {
  for (const [path, text] of Object.entries(map)) {
    await mkdir(join(dir, path, '..'), { recursive: true });
    await writeFile(join(dir, path), text);
  }
}

/** A deployed app as deckhand leaves it: ledger, releases/<id>, current, shared/.env. */
async function deployed(root: string, app: string, strategy: string, release: Record<string, string>, env: string): Promise<string> {
  const base = join(root, app);
  await files(join(base, 'releases', REL), release);
  await symlink(join(base, 'releases', REL), join(base, 'current'));
  await files(base, { 'shared/.env': env });
  const entry = { id: REL, commit: '0a1b2c3d', dirty: false, strategy, status: 'current', deployedAt: '2026-12-01T14:00:00Z', deployedBy: 'ci@build', deckhandVersion: '0.1.0' };
  await files(base, { '.deckhand/ledger.json': JSON.stringify({ schemaVersion: 1, app, releases: [entry] }) });
  return base;
}

function data(r: OperationsReport): OpsUpgradePrepData {
  assert.equal(r.data.task, 'upgrade-prep');
  return r.data as OpsUpgradePrepData;
}

const finding = (r: OperationsReport, id: string) => r.findings.find((f) => f.id === id);

describe('upgrade-prep on this machine (local executor, real sh)', () => {
  let root = '';
  const redactor = new Redactor();
  const ctx = { executor: new LocalExecutor(redactor), redactor, now: () => new Date('2026-12-01T15:00:00Z') };

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'dh-opsu-unit-'));
  });
  after(async () => { await rm(root, { recursive: true, force: true }); });

  it('node release with node_modules: direct deps from package.json and node_modules; the unreachable registry is UNKNOWN with npm\'s reason', async () => {
    const repo = join(root, 'repo-node');
    await files(repo, { 'package.json': JSON.stringify({ name: 'api', engines: { node: '>=20' }, dependencies: { express: '^4.21.2' } }), '.nvmrc': '20\n' });
    const base = await deployed(root, 'opsu-node', 'systemd', {
      'package.json': JSON.stringify({ name: 'api', dependencies: { express: '^4.21.2', '@acme/util': '^1.0.0' }, devDependencies: { tsx: '^4' } }),
      'node_modules/express/package.json': JSON.stringify({ name: 'express', version: '4.21.2' }, null, 2),
      'node_modules/@acme/util/package.json': JSON.stringify({ name: '@acme/util', version: '1.0.3' }),
      'node_modules/debug/package.json': '{\n  "name": "debug",\n  "version": "2.6.9"\n}\n',
    }, 'PORT=3000\n');
    const r = await upgradePrep(ctx, { app: 'opsu-node', target: 'local', baseDir: base, repo, registry: 'http://127.0.0.1:9/', offline: false, outdatedTimeoutSec: 60 });
    OperationsReportSchema.parse(r);
    const d = data(r);
    assert.equal(d.ecosystem, 'node');
    assert.equal(d.release.dir, join(base, 'releases', REL));
    assert.deepEqual(d.dependencies.list, [
      { name: '@acme/util', wanted: '^1.0.0', installed: '1.0.3', type: 'prod' },
      { name: 'express', wanted: '^4.21.2', installed: '4.21.2', type: 'prod' },
    ]);
    assert.equal(d.dependencies.source, 'node_modules');
    assert.equal(d.dependencies.transitive, 1);
    assert.equal(d.dependencies.outdated.status, 'unknown');
    assert.match(d.dependencies.outdated.reason ?? '', /^npm could not query the registry: ECONNREFUSED/);
    const o = finding(r, 'deps.outdated');
    assert.equal(o?.status, 'unknown');
    assert.match(o?.evidence ?? '', /npm outdated --json --registry=http:\/\/127\.0\.0\.1:9\//);
    // No process of the app runs here: the runtime is unknown with that reason, and the range cannot be compared.
    assert.equal(finding(r, 'runtime.running')?.status, 'unknown');
    assert.match(finding(r, 'runtime.running')?.summary ?? '', /no running process of the app was found|opsu-node\.service/);
    assert.equal(d.runtime.required.range, '20');
    assert.equal(finding(r, 'runtime.range')?.status, 'unknown');
    assert.equal(r.status, 'unknown');
    assert.equal(d.migrations.status, 'not-detectable');
  });

  it('node release without node_modules, offline: versions from package-lock.json (nested copies skipped), outdated SKIPPED', async () => {
    const lock = {
      name: 'api', lockfileVersion: 3, requires: true,
      packages: {
        '': { name: 'api', dependencies: { pg: '^8.13.1' } },
        'node_modules/pg': { version: '8.13.1', resolved: 'https://registry.npmjs.org/pg/-/pg-8.13.1.tgz' },
        'node_modules/pg/node_modules/pg-types': { version: '2.2.0' },
        'node_modules/pg-types': { version: '4.0.2' },
      },
    };
    const base = await deployed(root, 'opsu-lock', 'docker', {
      'package.json': JSON.stringify({ name: 'api', dependencies: { pg: '^8.13.1' } }), 'package-lock.json': JSON.stringify(lock, null, 2),
    }, '');
    const r = await upgradePrep(ctx, { app: 'opsu-lock', target: 'local', baseDir: base, repo: join(root, 'repo-node'), registry: null, offline: true });
    const d = data(r);
    assert.deepEqual(d.dependencies.list, [{ name: 'pg', wanted: '^8.13.1', installed: '8.13.1', type: 'prod' }]);
    assert.equal(d.dependencies.transitive, 1);
    assert.equal(d.dependencies.source, 'package-lock.json (no node_modules in the release)');
    assert.equal(d.dependencies.outdated.status, 'skipped');
    assert.equal(finding(r, 'deps.outdated')?.status, 'skipped');
    assert.equal(d.plan.zeroDowntime, false);
    assert.match(d.plan.steps.find((s) => s.title.startsWith('Deploy'))?.command ?? '', /--strategy docker --zero-downtime$/);
  });

  it('Django release: the venv lists packages, the index answers, showmigrations runs with the env file loaded and its secrets masked', async () => {
    const repo = join(root, 'repo-py');
    await files(repo, { 'requirements.txt': 'Django>=4.2\n', 'manage.py': '# django\n' });
    // The interpreter stub answers what the probe asks: pip, the index check, showmigrations (which sees the env file).
    const stub = [
      '#!/bin/sh',
      'case "$*" in',
      '  *"pip list --outdated"*) echo \'[{"name": "Django", "version": "4.2.11", "latest_version": "5.0.4", "latest_filetype": "wheel"}]\';;',
      '  *"pip list"*) echo \'[{"name": "Django", "version": "4.2.11"}, {"name": "asgiref", "version": "3.8.1"}]\';;',
      '  *urllib*) exit 0;;',
      '  *"showmigrations --plan"*) echo "[X]  auth.0001_initial"; echo "[ ]  shop.0002_$MIG_MARK"; echo "connected to $DATABASE_URL" >&2;;',
      '  *--version*) echo "Python 3.11.2";;',
      'esac',
    ].join('\n');
    const base = await deployed(root, 'opsu-py', 'systemd', { 'requirements.txt': 'Django>=4.2\n', 'manage.py': '# django\n', '.venv/bin/python': `${stub}\n` }, `DATABASE_URL=postgres://app:${CANARY}@db/app\nMIG_MARK=from_env_file\n`);
    await chmod(join(base, 'releases', REL, '.venv/bin/python'), 0o755);
    const r = await upgradePrep(ctx, { app: 'opsu-py', target: 'local', baseDir: base, repo, registry: 'http://127.0.0.1:9/simple', offline: false });
    const d = data(r);
    assert.equal(d.ecosystem, 'python');
    assert.deepEqual(d.dependencies.list, [{ name: 'Django', wanted: '>=4.2', installed: '4.2.11', type: 'prod' }]);
    assert.equal(d.dependencies.transitive, 1);
    assert.deepEqual(d.dependencies.outdated.list, [{ name: 'Django', current: '4.2.11', wanted: null, latest: '5.0.4', bump: 'major' }]);
    assert.equal(finding(r, 'deps.outdated')?.status, 'warn');
    assert.equal(finding(r, 'deps.outdated')?.summary, '1 outdated: 1 major, 0 minor, 0 patch');
    assert.deepEqual(d.migrations, { tool: 'django', status: 'pending', pending: ['shop.0002_from_env_file'], command: '.venv/bin/python manage.py showmigrations --plan', reason: null });
    assert.equal(finding(r, 'migrations')?.status, 'warn');
    const json = JSON.stringify(r);
    assert.match(json, /connected to \*\*\*/, 'the tool\'s output is in the evidence, masked');
    assert.ok(!json.includes(CANARY), 'the database password from the env file appears nowhere');
    assert.equal(r.status, 'unknown', 'no running process here: the runtime stays unknown');
  });
});
