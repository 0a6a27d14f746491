// deckhand.yml services: validation (unknown names, cycles, top-level keys), the deploy order, --only selection, the handshake address, the report's Markdown.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { renderServicesConfig, servicesConfigFromBriefs } from '../../src/config/from-brief.js';
import { Redactor } from '../../src/core/redact.js';
import { LocalExecutor } from '../../src/exec/local.js';
import { discover } from '../../src/stages/discover/index.js';
import { parseConfig } from '../../src/config/load.js';
import { selectServices, serviceOrder } from '../../src/config/service-order.js';
import { DeckhandError } from '../../src/core/errors.js';
import { selectUnits } from '../../src/stages/deploy/services/units.js';
import { addressInEnv } from '../../src/stages/deploy/services/handshake.js';
import { servicesOptions } from '../../src/cli/deploy-services.js';
import { renderServicesMarkdown } from '../../src/report/markdown-services.js';
import { ServicesReportSchema, type ServicesReport } from '../../src/report/services.js';

const configError = (text: string): string => {
  try { parseConfig(text, 'deckhand.yml'); } catch (e) {
    assert.ok(e instanceof DeckhandError);
    return e.message;
  }
  assert.fail('expected a config error');
};

const TWO = `app: shop
services:
  web:
    app_dir: apps/web
    depends_on: [api]
    port: 3001
  api:
    app_dir: apps/api
    port: 3000
`;

describe('services: config validation', () => {
  test('a valid config parses; dependencies come first whatever the file order', () => {
    const cfg = parseConfig(TWO, 'deckhand.yml');
    const sel = selectUnits(cfg, null);
    assert.deepEqual(sel.order.map((u) => u.name), ['api', 'web']);
    assert.deepEqual(sel.run.map((u) => `${u.name}=${u.app}@${u.appDir}`), ['api=shop-api@apps/api', 'web=shop-web@apps/web']);
    assert.deepEqual(sel.run[1]?.config, { app: 'shop-web', port: 3001 });
  });

  test('an unknown service in depends_on names the key path and its line', () => {
    assert.equal(configError(TWO.replace('[api]', '[api, db]')),
      'deckhand.yml:5: services.web.depends_on.1: unknown service "db" (services: web, api)');
  });

  test('a cycle is reported with its whole path', () => {
    const msg = configError(`${TWO}    depends_on: [web]\n`);
    assert.match(msg, /^deckhand\.yml:\d+: services\.\w+\.depends_on: dependency cycle: (web → api → web|api → web → api)$/);
  });

  test('a service depending on itself, a bad service name, a missing app_dir and a top-level deploy key are refused', () => {
    assert.match(configError(TWO.replace('[api]', '[web]')), /services\.web\.depends_on\.0: web depends on itself/);
    assert.equal(configError(TWO.replace('  api:', '  API:')), 'deckhand.yml:8: services.API: "API" is not a service name: lower-case letters, digits and dashes, starting with a letter (max 39)');
    assert.match(configError(TWO.replace('    app_dir: apps/api\n', '')), /services\.api\.app_dir/);
    assert.equal(configError(`port: 80\n${TWO}`), 'deckhand.yml:1: port: with services:, deploy settings belong to each service (services.<name>.port); the top level holds only app');
    assert.match(configError('services: {}\n'), /services: lists no service/);
  });

  test('a service with strategy kubernetes is refused at its key path (services are verified and rolled back on a host)', () => {
    assert.match(configError(TWO.replace('    port: 3000\n', '    port: 3000\n    strategy: kubernetes\n')),
      /^deckhand\.yml:10: services\.api\.strategy: kubernetes is not a strategy for services:/);
    assert.doesNotThrow(() => parseConfig(TWO.replace('    port: 3000\n', '    port: 3000\n    strategy: pm2\n'), 'deckhand.yml'));
  });

  test('two services that would share an app name, and an app_dir outside the repository, are config errors', () => {
    const same = TWO.replace('    port: 3001\n', '    port: 3001\n    app: one\n').replace('    port: 3000\n', '    port: 3000\n    app: one\n');
    assert.throws(() => selectUnits(parseConfig(same, 'deckhand.yml'), null), /services api and web would both be app one/);
    assert.throws(() => selectUnits(parseConfig(TWO.replace('apps/api', '../elsewhere'), 'deckhand.yml'), null), /services\.api\.app_dir "\.\.\/elsewhere" is not inside the repository/);
  });
});

describe('services: order and selection', () => {
  test('ties keep the file order; chains and diamonds put every dependency first', () => {
    assert.deepEqual(serviceOrder({ a: [], b: [], c: [] }), { order: ['a', 'b', 'c'] });
    assert.deepEqual(serviceOrder({ front: ['api', 'auth'], api: ['db'], auth: ['db'], db: [] }), { order: ['db', 'api', 'auth', 'front'] });
  });

  test('--only picks one service and assumes its dependencies, direct and indirect, in order', () => {
    const deps = { front: ['api'], api: ['db'], db: [], other: [] };
    const order = (serviceOrder(deps) as { order: string[] }).order;
    assert.deepEqual(selectServices(order, deps, 'front'), { run: ['front'], assumed: ['db', 'api'] });
    assert.deepEqual(selectServices(order, deps, 'db'), { run: ['db'], assumed: [] });
    assert.deepEqual(selectServices(order, deps, null), { run: order, assumed: [] });
  });

  test('--only with an unknown service is a usage error listing the services', () => {
    assert.throws(() => selectUnits(parseConfig(TWO, 'deckhand.yml'), 'worker'), /--only worker: no such service/);
  });
});

describe('services: handshake address and CLI flags', () => {
  test('the env URL on the dependency\'s port is the address the dependent uses', () => {
    assert.deepEqual(addressInEnv({ NAME: 'x', API_URL: 'http://api.internal:3000/v1' }, 3000), { key: 'API_URL', origin: 'http://api.internal:3000', host: 'api.internal' });
    assert.deepEqual(addressInEnv({ SITE: 'https://example.com' }, 443), { key: 'SITE', origin: 'https://example.com', host: 'example.com' });
    assert.equal(addressInEnv({ DATABASE_URL: 'postgres://u:p@db:3000/x', OTHER: 'http://127.0.0.1:3001' }, 3000), null);
  });

  test('per-app flags are refused with services, naming each; --window and --build are checked', () => {
    assert.throws(() => servicesOptions('local', { repo: '.', port: '3000', strategy: 'pm2' } as never, undefined), /--strategy, --port cannot be used when deckhand.yml lists services/);
    assert.throws(() => servicesOptions('local', { repo: '.', window: '0' }, undefined), /--window must be between 1s and 10m/);
    assert.throws(() => servicesOptions('local', { repo: '.', window: '11m' }, undefined), /--window must be between 1s and 10m/);
    assert.throws(() => servicesOptions('local', { repo: '.', window: 'soon' }, undefined), /invalid --window "soon"/);
    assert.throws(() => servicesOptions('local', { repo: '.', build: 'remote' }, undefined), /--build must be target or local/);
    assert.deepEqual(servicesOptions('h', { repo: 'r', only: 'web', window: '3', build: 'local' }, '/pm2'), { source: 'r', target: 'h', only: 'web', pm2Bin: '/pm2', build: 'local', windowMs: 3000 });
    // The same duration reading as `deckhand verify --window`.
    assert.equal(servicesOptions('h', { repo: 'r', window: '30s' }, undefined).windowMs, 30_000);
    assert.equal(servicesOptions('h', { repo: 'r', window: '2m' }, undefined).windowMs, 120_000);
  });
});

describe('services: report Markdown', () => {
  const row = (service: string, status: ServicesReport['data']['services'][number]['status'], extra: Partial<ServicesReport['data']['services'][number]> = {}): ServicesReport['data']['services'][number] => ({
    service, app: `shop-${service}`, appDir: `apps/${service}`, dependsOn: service === 'web' ? ['api'] : [], strategy: 'systemd', port: 3000, release: 'r2', previousRelease: 'r1',
    status, impact: 'switches', undo: 'rolled back to r1', execution: null, verification: null, handshakes: [], rollback: null, ...extra,
  });
  const rep: ServicesReport = {
    schemaVersion: 1, tool: { name: 'deckhand', version: '0.1.0' }, stage: 'services', status: 'rolled-back', target: { kind: 'ssh', display: 'deploy@web1' },
    startedAt: '2026-01-01T00:00:00.000Z', durationMs: 1000, findings: [], steps: [],
    data: {
      outcome: 'ROLLED_BACK', order: ['api', 'web'], only: null, assumed: [],
      failure: { service: 'api', stage: 'verification', message: 'FAILED: Smoke: root (GET /): 500' },
      services: [row('api', 'rolled-back'), row('web', 'untouched', { release: null, impact: 'not deployed: the rollout stopped at api' })],
    },
  };

  test('validates against its schema and shows the order, the stop and one row per service', () => {
    assert.ok(ServicesReportSchema.safeParse(rep).success);
    const md = renderServicesMarkdown(rep);
    assert.match(md, /^## Services deploy → `deploy@web1`: \*\*ROLLED_BACK\*\*/);
    assert.match(md, /\*\*Order:\*\* 1\. api · 2\. web/);
    assert.match(md, /\*\*Stopped at api \(verification\):\*\* FAILED: Smoke: root \(GET \/\): 500/);
    assert.match(md, /\| api \| `shop-api` \| — \| `r2` \| — \| — \| none \| — \| \*\*rolled-back\*\* \|/);
    assert.match(md, /\| web \| `shop-web` \| api \| — \| — \| — \| not checked \| — \| \*\*untouched\*\* \|/);
  });
});

describe('services: deckhand init --services', () => {
  test('a monorepo becomes one services: entry per app that validates and deploys in file order; shared ports are called out', async () => {
    const ctx = { executor: new LocalExecutor(new Redactor()), redactor: new Redactor() };
    const dir = fileURLToPath(new URL('../fixtures/discover/mono-npm/', import.meta.url));
    const root = (await discover(ctx, dir)).data;
    const briefs = [];
    for (const a of root.apps.filter((x) => x.dir !== '')) briefs.push((await discover(ctx, dir, { app: a.dir })).data);
    const cfg = servicesConfigFromBriefs(root, briefs);
    const text = renderServicesConfig(cfg, root);
    assert.deepEqual(parseConfig(text, 'deckhand.yml'), cfg, 'what init writes is what deploy reads');
    assert.deepEqual(Object.entries(cfg.services ?? {}).map(([n, s]) => `${n}:${s.app_dir}`), ['api:apps/api', 'web:apps/web']);
    assert.deepEqual(selectUnits(cfg, null).order.map((u) => u.app), ['mono-npm-api', 'mono-npm-web']);
    assert.match(text, /^# api and web would all listen on 3000 on one host: give each its own port\.$/m);
  });
});
