// ops upgrade-prep logic: the probe builder (exact argv, valid sh), the parsers of the tools' output, semver classification, support table, plan and Markdown.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { upgradePrepProbeCommand, type UpgradePrepProbeSpec } from '../../src/commands/ops-upgrade-prep.js';
import { PM2_FILTER } from '../../src/commands/verify-probe.js';
import { renderUpgradePrepMarkdown, OpsUpgradePrepDataSchema, type OpsUpgradePrepData } from '../../src/report/ops/upgrade-prep.js';
import { classifyBump } from '../../src/stages/operate/upgrade-prep/classify.js';
import {
  packageJsonDeps, parseGoMod, parseGoOutdated, parseInstalledLines, parseNpmOutdated, parsePipList, parsePipOutdated, parseRequirements,
} from '../../src/stages/operate/upgrade-prep/deps.js';
import { parseDjangoShowmigrations, parsePrismaStatus, parseRailsStatus } from '../../src/stages/operate/upgrade-prep/migrations.js';
import { assembleRuntime } from '../../src/stages/operate/upgrade-prep/assemble.js';
import { upgradeFindings } from '../../src/stages/operate/upgrade-prep/findings.js';
import { buildUpgradePlan, type UpgradePlanInput } from '../../src/stages/operate/upgrade-prep/plan.js';
import { parseUpgradeProbe } from '../../src/stages/operate/upgrade-prep/probe.js';
import { parseRuntimeVersion } from '../../src/stages/operate/upgrade-prep/runtime.js';
import { runtimeSupport } from '../../src/stages/operate/upgrade-prep/support.js';

const SPEC: UpgradePrepProbeSpec = {
  app: 'api', base: '/opt/api', strategy: 'systemd', serviceUser: 'api', ecosystemHint: 'node', registry: '', offline: false, outdatedTimeoutSec: 90, pm2: 'pm2',
};

describe('upgradePrepProbeCommand', () => {
  it('passes every value as a positional parameter, never inside the script', () => {
    const c = upgradePrepProbeCommand({ ...SPEC, registry: 'http://127.0.0.1:4873/', app: "we'ird" });
    assert.equal(c.argv[0], 'sh');
    assert.equal(c.argv[1], '-c');
    assert.deepEqual(c.argv.slice(3), ['deckhand-upgrade-prep', "we'ird", '/opt/api', 'systemd', 'api', 'node', 'http://127.0.0.1:4873/', '0', '90', 'pm2', PM2_FILTER]);
    assert.ok(!(c.argv[2] as string).includes("we'ird"));
    assert.equal(c.mutates, false);
    assert.equal(c.timeoutMs, 270_000);
  });

  it('bounds the outdated query (at least 5 s) and says offline as 1', () => {
    const c = upgradePrepProbeCommand({ ...SPEC, offline: true, outdatedTimeoutSec: 1 });
    assert.deepEqual(c.argv.slice(10, 12), ['1', '5']);
    assert.equal(c.timeoutMs, 185_000);
  });

  it('is valid POSIX sh (dash -n)', () => {
    const r = spawnSync('dash', ['-n', '-c', upgradePrepProbeCommand(SPEC).argv[2] as string], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  });

  it('asks npm without retries, log files or the update notifier, and pip only after its index answered', () => {
    const s = upgradePrepProbeCommand(SPEC).argv[2] as string;
    assert.match(s, /npm outdated --json --fetch-retries=0 --fetch-timeout=15000 --logs-max=0 --no-update-notifier \$\{registry:\+--registry="\$registry"\}/);
    assert.ok(s.indexOf("urllib.request.urlopen") < s.indexOf('pip list --outdated'));
    assert.match(s, /prisma migrate status/);
    assert.match(s, /manage\.py showmigrations --plan/);
    assert.match(s, /bin\/rails db:migrate:status/);
    assert.doesNotMatch(s, /knex migrate:|db:migrate(?!:status)/);
  });
});

describe('npm outdated --json', () => {
  const OUT = JSON.stringify({
    express: { current: '4.21.2', wanted: '4.22.1', latest: '5.1.0', dependent: 'api', location: '/opt/api/current/node_modules/express' },
    pg: [{ current: '8.13.1', wanted: '8.16.3', latest: '8.16.3', dependent: 'a' }, { current: '8.12.0', wanted: '8.16.3', latest: '8.16.3', dependent: 'b' }],
    left: { wanted: '1.0.1', latest: '1.0.1', dependent: 'api' },
  }, null, 2);

  it('lists every entry (workspace arrays too); exit 1 means "something is outdated", not failure', () => {
    const r = parseNpmOutdated(OUT, 1, '', 90);
    assert.ok(r.ok);
    assert.deepEqual(r.list, [
      { name: 'express', current: '4.21.2', wanted: '4.22.1', latest: '5.1.0' },
      { name: 'left', current: null, wanted: '1.0.1', latest: '1.0.1' },
      { name: 'pg', current: '8.13.1', wanted: '8.16.3', latest: '8.16.3' },
      { name: 'pg', current: '8.12.0', wanted: '8.16.3', latest: '8.16.3' },
    ]);
  });

  it('an empty answer is "nothing outdated"', () => {
    assert.deepEqual(parseNpmOutdated('{}\n', 0, '', 90), { ok: true, list: [] });
    assert.deepEqual(parseNpmOutdated('', 0, '', 90), { ok: true, list: [] });
  });

  it('no registry: unknown with npm\'s own code and summary, never an empty pass', () => {
    const out = JSON.stringify({ error: { code: 'ECONNREFUSED', summary: 'FetchError: request to http://127.0.0.1:9/express failed, reason: connect ECONNREFUSED 127.0.0.1:9', detail: 'proxy' } });
    assert.deepEqual(parseNpmOutdated(out, 1, 'npm error code ECONNREFUSED', 90), {
      ok: false, reason: 'npm could not query the registry: ECONNREFUSED: FetchError: request to http://127.0.0.1:9/express failed, reason: connect ECONNREFUSED 127.0.0.1:9',
    });
    const dns = JSON.stringify({ error: { code: 'EAI_AGAIN', summary: 'request to https://registry.npmjs.org/express failed, reason: getaddrinfo EAI_AGAIN registry.npmjs.org' } });
    assert.match((parseNpmOutdated(dns, 1, '', 90) as { reason: string }).reason, /EAI_AGAIN/);
  });

  it('a package literally named "error" is a package', () => {
    const r = parseNpmOutdated(JSON.stringify({ error: { current: '1.0.0', wanted: '1.0.0', latest: '2.0.0' } }), 1, '', 90);
    assert.deepEqual(r, { ok: true, list: [{ name: 'error', current: '1.0.0', wanted: '1.0.0', latest: '2.0.0' }] });
  });

  it('a timeout, other exits and non-JSON are unknown with the reason', () => {
    assert.deepEqual(parseNpmOutdated('', 124, '', 90), { ok: false, reason: 'npm outdated did not finish within 90 s (a registry that does not answer)' });
    assert.deepEqual(parseNpmOutdated('', null, '', 30), { ok: false, reason: 'npm outdated did not finish within 30 s (a registry that does not answer)' });
    assert.deepEqual(parseNpmOutdated('{}', 127, 'sh: npm: not found\n', 90), { ok: false, reason: 'npm outdated exited 127: sh: npm: not found' });
    assert.deepEqual(parseNpmOutdated('oops', 1, 'npm error x\nnpm error A complete log of this run can be found in: /x.log\n', 90), { ok: false, reason: 'npm outdated printed no JSON (exit 1): npm error x' });
  });
});

describe('pip', () => {
  it('pip list --format json → name → version', () => {
    const m = parsePipList('[{"name": "Django", "version": "4.2.11"}, {"name": "gunicorn", "version": "21.2.0"}]');
    assert.deepEqual([...(m ?? [])], [['Django', '4.2.11'], ['gunicorn', '21.2.0']]);
    assert.equal(parsePipList('WARNING: x'), null);
  });

  it('pip list --outdated --format json → entries; a failure is unknown', () => {
    const out = '[{"name": "Django", "version": "4.2.11", "latest_version": "5.0.4", "latest_filetype": "wheel"}, {"name": "idna", "version": "3.6", "latest_version": "3.7", "latest_filetype": "wheel"}]';
    assert.deepEqual(parsePipOutdated(out, 0, '', 90), {
      ok: true, list: [{ name: 'Django', current: '4.2.11', wanted: null, latest: '5.0.4' }, { name: 'idna', current: '3.6', wanted: null, latest: '3.7' }],
    });
    assert.deepEqual(parsePipOutdated('', 2, 'ERROR: Exception:\nOSError: boom\n', 90), { ok: false, reason: 'pip list --outdated failed (exit 2): OSError: boom' });
    assert.deepEqual(parsePipOutdated('', 124, '', 60), { ok: false, reason: 'pip list --outdated did not finish within 60 s' });
  });

  it('requirements.txt: names and specifiers; options, URLs and comments skipped', () => {
    const text = '# web\nDjango>=4.2,<5  # LTS\ngunicorn==21.2.0\n-r base.txt\n--index-url https://x\npsycopg[binary]~=3.1 ; python_version >= "3.8"\nhttps://example.com/pkg.whl\nrequests\n';
    assert.deepEqual(parseRequirements(text), [
      { name: 'Django', wanted: '>=4.2,<5' }, { name: 'gunicorn', wanted: '==21.2.0' }, { name: 'psycopg', wanted: '~=3.1' }, { name: 'requests', wanted: null },
    ]);
  });
});

describe('go', () => {
  it('go.mod require lines, block and single form, indirect marked', () => {
    const mod = 'module example.com/app\n\ngo 1.22\n\nrequire github.com/go-chi/chi/v5 v5.0.12\n\nrequire (\n\tgithub.com/lib/pq v1.10.9\n\tgolang.org/x/sys v0.18.0 // indirect\n)\n';
    assert.deepEqual(parseGoMod(mod), [
      { name: 'github.com/go-chi/chi/v5', version: 'v5.0.12', indirect: false },
      { name: 'github.com/lib/pq', version: 'v1.10.9', indirect: false },
      { name: 'golang.org/x/sys', version: 'v0.18.0', indirect: true },
    ]);
  });

  it('go list -m -u lines; a failure is unknown', () => {
    assert.deepEqual(parseGoOutdated('github.com/lib/pq v1.10.9 v1.10.10\n\n', 0, '', 90), { ok: true, list: [{ name: 'github.com/lib/pq', current: 'v1.10.9', wanted: null, latest: 'v1.10.10' }] });
    assert.deepEqual(parseGoOutdated('', 1, 'go: github.com/lib/pq@v1.10.9: Get "https://proxy.golang.org/...": dial tcp: lookup proxy.golang.org: no such host\n', 90), {
      ok: false, reason: 'go list -m -u failed (exit 1): go: github.com/lib/pq@v1.10.9: Get "https://proxy.golang.org/...": dial tcp: lookup proxy.golang.org: no such host',
    });
  });
});

describe('node manifests', () => {
  it('package.json: direct dependencies by group, an optional one listed once', () => {
    const pkg = JSON.stringify({ dependencies: { pg: '^8.13.1', express: '^4.21.2', fsevents: '^2' }, optionalDependencies: { fsevents: '^2' }, devDependencies: { tsx: '^4' }, peerDependencies: { react: '>=18' } });
    assert.deepEqual(packageJsonDeps(pkg), [
      { name: 'express', wanted: '^4.21.2', type: 'prod' }, { name: 'fsevents', wanted: '^2', type: 'prod' }, { name: 'pg', wanted: '^8.13.1', type: 'prod' },
      { name: 'react', wanted: '>=18', type: 'peer' }, { name: 'tsx', wanted: '^4', type: 'dev' },
    ]);
    assert.equal(packageJsonDeps('{ not json'), null);
  });

  it('installed lines: scoped names kept, malformed lines skipped', () => {
    assert.deepEqual([...parseInstalledLines('express 4.22.3\n@types/node 20.1.0\nbroken\n\n')], [['express', '4.22.3'], ['@types/node', '20.1.0']]);
  });
});

describe('classifyBump (semver)', () => {
  it('patch, minor, major by the part that changes', () => {
    assert.equal(classifyBump('4.21.2', '4.21.3'), 'patch');
    assert.equal(classifyBump('4.21.2', '4.22.0'), 'minor');
    assert.equal(classifyBump('4.21.2', '5.1.0'), 'major');
    assert.equal(classifyBump('0.3.1', '0.4.0'), 'minor');
  });
  it('Go and PEP 440 shapes are coerced; equal is none; prereleases and non-versions are told apart', () => {
    assert.equal(classifyBump('v1.10.9', 'v1.10.10'), 'patch');
    assert.equal(classifyBump('3.6', '3.7'), 'minor');
    assert.equal(classifyBump('2.0', '2.0.0'), 'none');
    assert.equal(classifyBump('5.0.0-rc.1', '5.0.0-rc.2'), 'prerelease');
    assert.equal(classifyBump('4.9.0', '5.0.0-beta.1'), 'major');
    assert.equal(classifyBump(null, '1.0.0'), 'unknown');
    assert.equal(classifyBump('git+https://x/y.git', '1.0.0'), 'unknown');
  });
});

describe('migration status parsers', () => {
  it('Django showmigrations --plan: [ ] is pending', () => {
    const out = '[X]  contenttypes.0001_initial\n[X]  auth.0001_initial\n[ ]  shop.0002_order_total\n[ ]  shop.0003_index\n';
    assert.deepEqual(parseDjangoShowmigrations(out, 0, ''), { ok: true, pending: ['shop.0002_order_total', 'shop.0003_index'] });
    assert.deepEqual(parseDjangoShowmigrations('[X]  contenttypes.0001_initial\n', 0, ''), { ok: true, pending: [] });
    assert.deepEqual(parseDjangoShowmigrations('', 1, 'Traceback...\ndjango.db.utils.OperationalError: connection to server at "127.0.0.1", port 5432 failed: Connection refused\n'), {
      ok: false, reason: 'manage.py showmigrations failed (exit 1): Traceback... / django.db.utils.OperationalError: connection to server at "127.0.0.1", port 5432 failed: Connection refused',
    });
  });

  it('prisma migrate status: the text decides (it exits 1 when something is pending)', () => {
    const pending = 'Prisma schema loaded from prisma/schema.prisma\nDatasource "db": PostgreSQL database "app"\n\n3 migrations found in prisma/migrations\nFollowing migrations have not yet been applied:\n20240301000000_add_orders\n20240302000000_index\n\nTo apply migrations in development run prisma migrate dev.\n';
    assert.deepEqual(parsePrismaStatus(pending, 1, ''), { ok: true, pending: ['20240301000000_add_orders', '20240302000000_index'] });
    assert.deepEqual(parsePrismaStatus('2 migrations found in prisma/migrations\n\nDatabase schema is up to date!\n', 0, ''), { ok: true, pending: [] });
    assert.deepEqual(parsePrismaStatus('', 1, "Error: P1001: Can't reach database server at `db:5432`\n"), { ok: false, reason: "prisma migrate status failed (exit 1): Error: P1001: Can't reach database server at `db:5432`" });
  });

  it('rails db:migrate:status: down is pending', () => {
    const out = '\ndatabase: app_production\n\n Status   Migration ID    Migration Name\n--------------------------------------------------\n   up     20240101000000  Create users\n  down    20240202000000  Add email to users\n';
    assert.deepEqual(parseRailsStatus(out, 0, ''), { ok: true, pending: ['20240202000000 Add email to users'] });
    assert.deepEqual(parseRailsStatus('Schema migrations table does not exist yet.\n', 0, ''), { ok: false, reason: 'rails: the schema_migrations table does not exist yet (the database was never migrated)' });
  });
});

describe('runtime versions and support', () => {
  it('reads each runtime\'s own answer', () => {
    assert.equal(parseRuntimeVersion('node', 'v20.20.2\n'), '20.20.2');
    assert.equal(parseRuntimeVersion('python', 'Python 3.11.2\n'), '3.11.2');
    assert.equal(parseRuntimeVersion('java', 'openjdk version "17.0.9" 2023-10-17\nOpenJDK Runtime Environment'), '17.0.9');
    assert.equal(parseRuntimeVersion('go', '/opt/app/current/app: go1.22.3\n'), '1.22.3');
    assert.equal(parseRuntimeVersion('go', 'go version go1.21.0 linux/amd64'), '1.21.0');
    assert.equal(parseRuntimeVersion('ruby', 'ruby 3.2.2 (2023-03-30 revision e51014f9c0) [x86_64-linux]'), '3.2.2');
    assert.equal(parseRuntimeVersion('node', 'sh: node: not found'), null);
  });

  const NOW = new Date('2026-12-01T12:00:00Z');
  it('Node.js: past, near and far end of life from the table; odd lines are not LTS', () => {
    const n20 = runtimeSupport('node', '20.20.2', NOW);
    assert.equal(n20.status, 'end-of-life');
    assert.equal(n20.endOfLife, '2026-04-30');
    assert.equal(n20.lts, true);
    assert.match(n20.source ?? '', /nodejs\/Release/);
    assert.equal(runtimeSupport('node', '22.1.0', NOW).status, 'ending-soon');
    assert.equal(runtimeSupport('node', 'v24.3.0', NOW).status, 'supported');
    assert.equal(runtimeSupport('node', '25.0.0', NOW).lts, false);
  });
  it('beyond the table is UNKNOWN, never a guess', () => {
    assert.equal(runtimeSupport('node', '27.0.0', NOW).status, 'unknown');
    assert.equal(runtimeSupport('python', '3.15.0', NOW).status, 'unknown');
    assert.equal(runtimeSupport('go', '1.22.3', NOW).status, 'unknown');
    assert.equal(runtimeSupport('node', null, NOW).status, 'unknown');
  });
  it('Python: month-only dates count to the end of that month', () => {
    assert.equal(runtimeSupport('python', '3.11.2', NOW).status, 'supported');
    assert.equal(runtimeSupport('python', '3.10.12', NOW).status, 'end-of-life');
    assert.equal(runtimeSupport('python', '3.10.12', new Date('2026-10-31T12:00:00Z')).status, 'ending-soon');
  });
});

describe('buildUpgradePlan', () => {
  const base: UpgradePlanInput = {
    target: 'deploy@web1', app: 'api', repo: '.', baseDir: null, strategy: 'systemd', pm2Mode: null, behindNginx: false, runtime: 'node',
    datastores: [], migrations: { tool: null, pending: 0, detectable: false }, migrateCommand: null, currentRelease: '20261201T140000Z-0a1b2c3',
  };
  const deployOf = (i: Partial<UpgradePlanInput>): string | null | undefined => buildUpgradePlan({ ...base, ...i }).steps.find((s) => s.title.startsWith('Deploy'))?.command;

  it('systemd restarts in place: the plan deploys with --zero-downtime; the steps come in order with exact commands', () => {
    const p = buildUpgradePlan(base);
    assert.equal(p.zeroDowntime, false);
    assert.deepEqual(p.steps.map((s) => [s.title, s.command]), [
      ['Check the target against the upgraded repository', 'deckhand discover . --json > brief.json && deckhand check deploy@web1 --brief brief.json --app api'],
      ['Back up the data', null],
      ['Migrations', null],
      ['Deploy the new release with --zero-downtime', 'deckhand deploy deploy@web1 --repo . --name api --strategy systemd --zero-downtime'],
      ['Verify the new release', 'deckhand verify deploy@web1 --name api'],
      ['Watch window', 'deckhand ops inspect deploy@web1 --name api'],
      ['Rollback entry', 'deckhand rollback deploy@web1 --name api'],
    ]);
    assert.match(p.note, /restarts api\.service in place/);
    assert.match(p.steps[6]?.detail ?? '', /restores 20261201T140000Z-0a1b2c3 .* not the host's runtime and not the database/);
  });

  it('blue-green, pm2 cluster, compose behind nginx and static keep serving', () => {
    assert.equal(deployOf({ strategy: 'blue-green' }), 'deckhand deploy deploy@web1 --repo . --name api --strategy blue-green');
    const pm2 = buildUpgradePlan({ ...base, strategy: 'pm2', pm2Mode: 'cluster_mode' });
    assert.equal(pm2.zeroDowntime, true);
    assert.match(pm2.note, /one worker at a time.*pm2 update/);
    assert.equal(deployOf({ strategy: 'pm2', pm2Mode: 'cluster_mode' }), 'deckhand deploy deploy@web1 --repo . --name api --strategy pm2');
    assert.equal(buildUpgradePlan({ ...base, strategy: 'compose', behindNginx: true }).zeroDowntime, true);
    assert.equal(deployOf({ strategy: 'static' }), 'deckhand deploy deploy@web1 --repo . --name api --strategy static');
  });

  it('docker, pm2 fork mode and compose without nginx restart in place; a script or an unknown pm2 mode is not known', () => {
    assert.equal(deployOf({ strategy: 'docker' }), 'deckhand deploy deploy@web1 --repo . --name api --strategy docker --zero-downtime');
    assert.equal(buildUpgradePlan({ ...base, strategy: 'pm2', pm2Mode: 'fork_mode' }).zeroDowntime, false);
    assert.equal(deployOf({ strategy: 'compose' }), 'deckhand deploy deploy@web1 --repo . --name api --strategy compose --zero-downtime');
    assert.equal(buildUpgradePlan({ ...base, strategy: 'script' }).zeroDowntime, null);
    assert.equal(buildUpgradePlan({ ...base, strategy: 'pm2' }).zeroDowntime, null);
  });

  it('datastores add the backup proof; pending migrations and a migrate command go with the deploy; --base-dir and odd paths are carried and quoted', () => {
    const p = buildUpgradePlan({
      ...base, target: 'ssh://deploy@web1:2222', repo: '/src/my app', baseDir: '/srv/api', datastores: ['postgresql'],
      migrations: { tool: 'django', pending: 2, detectable: true }, migrateCommand: 'python manage.py migrate',
    });
    assert.deepEqual(p.steps[1], {
      title: 'Back up postgresql and prove the backup restores', command: 'deckhand ops backup-verify --dump DUMP_FILE',
      detail: 'Take the dump (pg_dump -Fc, mysqldump) right before the upgrade; a backup that was never restored is not a rollback point for the data.',
    });
    assert.equal(p.steps[2]?.title, 'Apply the 2 pending migration(s) with the deploy');
    assert.match(p.steps[2]?.detail ?? '', /deploy --migrate runs `python manage.py migrate` after the switch.*rollback does not undo a migration/);
    assert.equal(p.steps[3]?.command, "deckhand deploy ssh://deploy@web1:2222 --repo '/src/my app' --name api --base-dir /srv/api --strategy systemd --zero-downtime --migrate");
    assert.equal(p.steps[0]?.command, "deckhand discover '/src/my app' --json > brief.json && deckhand check ssh://deploy@web1:2222 --brief brief.json --app api --base-dir /srv/api");
    assert.equal(p.steps[6]?.command, 'deckhand rollback ssh://deploy@web1:2222 --name api --base-dir /srv/api');
  });
});

describe('renderUpgradePrepMarkdown', () => {
  const data: OpsUpgradePrepData = {
    task: 'upgrade-prep',
    release: { id: 'r2', commit: '0a1b2c3d4e5f', strategy: 'systemd', deployedAt: '2026-12-01T14:00:00Z', dir: '/opt/api/releases/r2', rollbackPoint: 'r1' },
    ecosystem: 'node',
    runtime: {
      name: 'node', running: { version: '20.20.2', pid: 42, exe: '/usr/local/bin/node', replacedOnDisk: false, evidence: 'x', problem: null },
      onPath: { version: '20.20.2', exe: '/usr/local/bin/node' }, required: { range: '20', evidence: '.nvmrc:1' }, satisfies: true,
      support: runtimeSupport('node', '20.20.2', new Date('2026-12-01T00:00:00Z')),
    },
    dependencies: {
      manager: 'npm', source: 'node_modules', list: [{ name: 'express', wanted: '^4.21.2', installed: '4.22.3', type: 'prod' }], transitive: 60, problem: null,
      outdated: { status: 'unknown', tool: 'npm outdated --json', reason: 'npm could not query the registry: ECONNREFUSED', list: [] },
    },
    migrations: { tool: null, status: 'not-detectable', pending: [], command: null, reason: 'no Prisma schema, Django manage.py or Rails db/migrate in the release' },
    plan: buildUpgradePlan({
      target: 'web1', app: 'api', repo: '.', baseDir: null, strategy: 'systemd', pm2Mode: null, behindNginx: false, runtime: 'node', datastores: [],
      migrations: { tool: null, pending: 0, detectable: false }, migrateCommand: null, currentRelease: 'r2',
    }),
  };

  it('validates against the schema and renders the guide-style sections', () => {
    OpsUpgradePrepDataSchema.parse(data);
    const md = renderUpgradePrepMarkdown(data).join('\n');
    assert.match(md, /^## Service State$/m);
    assert.match(md, /- \*\*Running:\*\* node 20\.20\.2 \(PID 42, \/usr\/local\/bin\/node\)/);
    assert.match(md, /- \*\*Repository asks for:\*\* 20 \(\.nvmrc:1\) — \*\*PASS\*\*/);
    assert.match(md, /- \*\*Support:\*\* END OF LIFE — Node\.js 20 \(LTS line\) reached its end of life on 2026-04-30/);
    assert.match(md, /\| express \| prod \| \^4\.21\.2 \| 4\.22\.3 \| — \| \? \|/);
    assert.match(md, /- \*\*Outdated:\*\* UNKNOWN — npm could not query the registry: ECONNREFUSED/);
    assert.match(md, /^- Not detectable: no Prisma schema/m);
    assert.match(md, /^4\. \*\*Deploy the new release with --zero-downtime\*\* — `deckhand deploy web1 --repo \. --name api --strategy systemd --zero-downtime`$/m);
    assert.match(md, /^7\. \*\*Rollback entry\*\* — `deckhand rollback web1 --name api`$/m);
  });
});

describe('probe output → runtime facts', () => {
  const sec = (name: string, body: string, rc = 0): string => `@@begin ${name}\n${body}\n@@end ${name} rc=${rc}`;
  const out = [
    sec('priv', 'sudo'), sec('release', '/opt/api/releases/r2'), sec('ecosystem', 'node'), sec('unit', 'api@3001.service'), sec('upstream', 'present'),
    sec('procs', '812 /usr/bin/dash\n815 /usr/local/bin/node (deleted)'), sec('running.pid', '815'), sec('running.exe', '/usr/local/bin/node (deleted)'),
    sec('running', 'v20.11.1\n'), sec('path.exe', '/usr/local/bin/node'), sec('path', 'v22.12.0'),
  ].join('\n');
  const logic = { bump: classifyBump, satisfies: () => true };

  it('a runtime replaced on disk since the start: the version of what runs, the next start\'s version, a restart-pending warning', () => {
    const p = parseUpgradeProbe(out);
    assert.equal(p.unit, 'api@3001.service');
    assert.equal(p.upstream, true);
    assert.deepEqual(p.procs, [{ pid: 812, exe: '/usr/bin/dash' }, { pid: 815, exe: '/usr/local/bin/node (deleted)' }]);
    const rt = assembleRuntime({ probe: p, strategy: 'blue-green', required: { runtime: 'node', range: '>=20', evidence: 'package.json:5' }, registry: null, offline: true, outdatedTimeoutSec: 90, now: new Date('2026-12-01T00:00:00Z') }, logic);
    assert.deepEqual([rt.running.version, rt.running.pid, rt.running.replacedOnDisk, rt.onPath?.version, rt.satisfies], ['20.11.1', 815, true, '22.12.0', true]);
    assert.match(rt.running.evidence, /main PID from api@3001\.service\nprocesses:\n812 \/usr\/bin\/dash\n815 \/usr\/local\/bin\/node \(deleted\)/);
    const data = {
      task: 'upgrade-prep' as const, release: { id: 'r2', commit: null, strategy: 'blue-green', deployedAt: 'x', dir: null, rollbackPoint: null }, ecosystem: 'node', runtime: rt,
      dependencies: { manager: 'npm', source: 'node_modules', list: [], transitive: 0, problem: null, outdated: { status: 'skipped' as const, tool: null, reason: 'not asked: --offline', list: [] } },
      migrations: { tool: null, status: 'not-detectable' as const, pending: [], command: null, reason: 'none' },
      plan: { strategy: 'blue-green', zeroDowntime: true, note: 'n', steps: [] },
    };
    const f = upgradeFindings(data, { runtime: 'e', path: 'p', deps: 'd', outdated: 'o', migrations: 'm' }).find((x) => x.id === 'runtime.restart-pending');
    assert.equal(f?.status, 'warn');
    assert.match(f?.summary ?? '', /replaced on disk since it started/);
  });
});
