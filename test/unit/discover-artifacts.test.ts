// Tests for the artifact detectors (Dockerfile, compose, Procfile, env files, Makefile, systemd, k8s, Helm, platform hints).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { buildRepoIndex } from '../../src/stages/discover/repo.js';
import { runDetectors } from '../../src/stages/discover/run-detectors.js';
import { detectors } from '../../src/stages/discover/detectors/artifacts/index.js';
import { parsePort, datastoreOfImage } from '../../src/stages/discover/detectors/artifacts/compose.js';
import { commandPort } from '../../src/stages/discover/detectors/artifacts/command-port.js';
import { instructions } from '../../src/stages/discover/detectors/artifacts/dockerfile.js';
import { interpolations, redactLine, runtimeOfImage } from '../../src/stages/discover/detectors/artifacts/shared.js';
import type { RepoIndex, Signal } from '../../src/stages/discover/types.js';
import { memoryRepo } from '../helpers/memory-repo.js';

const FIX = join(fileURLToPath(new URL('.', import.meta.url)), '..', 'fixtures', 'discover');

async function run(repo: RepoIndex, appDir = ''): Promise<Signal[]> {
  const out: Signal[] = [];
  for (const d of detectors) out.push(...(await d.detect({ repo, appDir })));
  return out;
}

type Of<K extends Signal['kind']> = Extract<Signal, { kind: K }>;
const of = <K extends Signal['kind']>(signals: Signal[], kind: K, detector?: string): Of<K>[] =>
  signals.filter((s): s is Of<K> => s.kind === kind && (detector === undefined || s.detector === detector));
const cmds = (signals: Signal[]): Of<'command'>[] => of(signals, 'command');
const envMap = (signals: Signal[], detector: string): Record<string, boolean | null> =>
  Object.fromEntries(of(signals, 'env', detector).map((e) => [e.name, e.required]));
const artifact = (signals: Signal[], type: string, path?: string): Of<'artifact'> => {
  const a = of(signals, 'artifact').find((s) => s.type === type && (path === undefined || s.path === path));
  assert.ok(a, `artifact ${type} ${path ?? ''}`);
  return a;
};

describe('artifacts-compose fixture', async () => {
  const signals = await run(await buildRepoIndex(join(FIX, 'artifacts-compose')));

  it('never outputs a committed .env value', () => {
    assert.ok(!JSON.stringify(signals).includes('canary-artifacts-9f2'));
  });

  it('parses the multi-stage Dockerfile', () => {
    const a = artifact(signals, 'dockerfile', 'Dockerfile');
    assert.deepEqual(a.summary.stages, [
      { name: 'deps', image: 'node:20-alpine' }, { name: 'build', image: 'node:20-alpine' }, { name: 'runtime', image: 'node:20-alpine' },
    ]);
    assert.equal(a.summary.baseImage, 'node:20-alpine');
    assert.deepEqual(a.summary.expose, ['3000']);
    assert.equal(a.summary.cmd, 'node dist/server.js');
    assert.equal(a.summary.entrypoint, null);
    assert.equal(a.summary.user, 'node');
    assert.equal(a.summary.healthcheck, 'curl -f http://localhost:3000/healthz || exit 1');
    assert.deepEqual(a.summary.args, ['NODE_VERSION', 'BUILD_SHA']);
    assert.deepEqual(a.summary.env, ['NODE_ENV', 'PORT']);
    assert.equal(a.source, 'deploy-material');
    assert.deepEqual(a.evidence[0], { file: 'Dockerfile', line: 3, text: 'FROM node:20-alpine AS deps' });
  });

  it('Dockerfile runtime, port, health, start command and env names', () => {
    const d = 'artifacts-dockerfile';
    const rt = of(signals, 'runtime', d);
    assert.equal(rt.length, 1);
    assert.equal(rt[0]?.runtime, 'node');
    assert.equal(rt[0]?.range, '20');
    assert.equal(rt[0]?.evidence[0]?.line, 17);
    const ports = of(signals, 'port', d);
    assert.deepEqual(ports.map((p) => [p.port, p.evidence[0]?.line]), [[3000, 23]]);
    const health = of(signals, 'health', d);
    assert.deepEqual(health.map((h) => [h.path, h.evidence[0]?.line]), [['/healthz', 24]]);
    const cmd = of(signals, 'command', d);
    assert.deepEqual(cmd.map((c) => [c.role, c.command, c.production, c.confidence]), [['start', 'node dist/server.js', true, 'medium']]);
    assert.deepEqual(envMap(signals, d), { NODE_VERSION: false, BUILD_SHA: null, NODE_ENV: false, PORT: false });
    const args = of(signals, 'env', d).filter((e) => e.buildTime === true).map((e) => e.name);
    assert.deepEqual(args, ['NODE_VERSION', 'BUILD_SHA']);
  });

  it('parses compose services with the merge key, ports, depends_on, healthcheck and profiles', () => {
    const a = artifact(signals, 'compose', 'docker-compose.yml');
    const services = a.summary.services as Record<string, unknown>[];
    assert.deepEqual(services.map((s) => s.name), ['app', 'db', 'cache']);
    const [app, db, cache] = services;
    assert.deepEqual(app?.build, { context: '.', dockerfile: 'Dockerfile' });
    assert.equal(app?.image, undefined);
    assert.deepEqual(app?.ports, [{ published: 8080, target: 3000 }]);
    assert.deepEqual(app?.dependsOn, ['db', 'cache']);
    assert.deepEqual(app?.dependsOnConditions, { db: 'service_healthy', cache: 'service_started' });
    assert.equal(app?.healthcheck, 'curl -f http://localhost:3000/healthz');
    assert.deepEqual(app?.environment, ['NODE_ENV', 'DATABASE_URL', 'LOG_LEVEL', 'SESSION_SECRET']);
    assert.deepEqual(app?.envFile, ['.env']);
    assert.equal(db?.image, 'postgres:16-alpine');
    assert.deepEqual(db?.ports, [{ published: 5432, target: 5432 }]);
    assert.deepEqual(db?.volumes, ['pgdata:/var/lib/postgresql/data']);
    assert.deepEqual(db?.environment, ['POSTGRES_USER', 'POSTGRES_PASSWORD']);
    assert.deepEqual(cache?.ports, [{ published: 6379, target: 6379 }]);
    assert.deepEqual(cache?.profiles, ['cache']);
    assert.equal(a.summary.app, 'app');
    assert.deepEqual(a.summary.interpolated, ['DB_PASSWORD', 'LOG_LEVEL']);
    assert.deepEqual(a.evidence[0], { file: 'docker-compose.yml', line: 7, text: 'services:' });
  });

  it('compose datastores, app port, health and env names', () => {
    const d = 'artifacts-compose';
    assert.deepEqual(of(signals, 'datastore', d).map((s) => [s.value, s.required, s.evidence[0]?.line]), [['postgresql', true, 32], ['redis', true, 43]]);
    assert.deepEqual(of(signals, 'port', d).map((p) => [p.port, p.evidence[0]?.line, p.evidence[0]?.text]), [[3000, 14, '- "8080:3000"']]);
    assert.deepEqual(of(signals, 'health', d).map((h) => [h.path, h.evidence[0]?.line]), [['/healthz', 28]]);
    assert.deepEqual(envMap(signals, d), { DB_PASSWORD: true, LOG_LEVEL: false, NODE_ENV: false, DATABASE_URL: false, SESSION_SECRET: true });
    const dbp = of(signals, 'env', d).find((e) => e.name === 'DB_PASSWORD');
    assert.deepEqual(dbp?.evidence.map((e) => e.line), [17, 35]);
    // Evidence text never carries a value or a default.
    for (const e of of(signals, 'env', d)) for (const ev of e.evidence) assert.ok(!/shop|info|production/.test(ev.text ?? ''), ev.text);
  });

  it('.env.example names with hasExample, and a committed .env as a value-free risk', () => {
    const d = 'artifacts-env-files';
    const env = of(signals, 'env', d);
    assert.deepEqual(env.map((e) => [e.name, e.required, e.hasExample, e.evidence[0]?.line]), [
      ['DB_PASSWORD', null, true, 2], ['LOG_LEVEL', null, true, 3], ['SESSION_SECRET', null, true, 4], ['STRIPE_API_KEY', null, true, 5],
    ]);
    assert.ok(!JSON.stringify(env).includes('sk_test_example'));
    assert.ok(!JSON.stringify(env).includes('change-me'));
    const risks = of(signals, 'risk', d);
    assert.equal(risks.length, 1);
    assert.equal(risks[0]?.severity, 'warning');
    assert.match(risks[0]?.message ?? '', /a \.env file is committed/);
    assert.deepEqual(risks[0]?.evidence, [{ file: '.env', line: null }]);
  });
});

describe('artifacts-k8s fixture', async () => {
  const signals = await run(await buildRepoIndex(join(FIX, 'artifacts-k8s')));
  const d = 'artifacts-kubernetes';

  it('summarises workloads, services and ingress; skips non-manifests and chart templates', () => {
    const kinds = of(signals, 'artifact').map((a) => `${a.type}:${a.path}`);
    assert.deepEqual(kinds, ['kubernetes:k8s/app.yaml', 'kubernetes:k8s/ingress.yaml', 'helm:charts/web/Chart.yaml']);
    const app = artifact(signals, 'kubernetes', 'k8s/app.yaml');
    assert.deepEqual(app.summary.resources, [{ kind: 'Deployment', name: 'api' }, { kind: 'Service', name: 'api' }]);
    const [w] = app.summary.workloads as Record<string, unknown>[];
    assert.equal(w?.replicas, 3);
    const containers = w?.containers as Record<string, unknown>[];
    assert.deepEqual(containers.map((c) => [c.name, c.image, c.init]), [['api', 'ghcr.io/acme/api:1.4.2', false], ['migrate', 'ghcr.io/acme/api:1.4.2', true]]);
    assert.deepEqual(containers[0]?.ports, [8080]);
    assert.deepEqual(containers[0]?.probes, { livenessProbe: '/healthz', readinessProbe: '/ready' });
    assert.deepEqual(containers[0]?.secretEnv, [{ name: 'DATABASE_URL', secret: 'api-secrets', key: 'database-url' }]);
    assert.deepEqual(containers[0]?.envFrom, ['configmap/api-config']);
    assert.deepEqual(app.summary.services, [{ name: 'api', type: 'ClusterIP', ports: [{ port: 80, targetPort: 8080 }], selector: { app: 'api' } }]);
    const ing = artifact(signals, 'kubernetes', 'k8s/ingress.yaml');
    assert.deepEqual(ing.summary.ingresses, [{ name: 'api', hosts: ['api.example.com'], paths: [{ host: 'api.example.com', path: '/', service: 'api' }], tls: true }]);
  });

  it('containerPort → port, httpGet probes → health, env names (secretKeyRef → required, literal value → not)', () => {
    assert.deepEqual(of(signals, 'port', d).map((p) => [p.port, p.evidence[0]?.line]), [[8080, 23]]);
    assert.deepEqual(of(signals, 'health', d).map((h) => [h.path, h.evidence[0]?.line]).sort(), [['/healthz', 41], ['/ready', 37]]);
    assert.deepEqual(envMap(signals, d), { NODE_ENV: false, DATABASE_URL: true });
    assert.deepEqual(of(signals, 'env', d).map((e) => e.evidence[0]), [
      { file: 'k8s/app.yaml', line: 25, text: '- name: NODE_ENV' }, { file: 'k8s/app.yaml', line: 27, text: '- name: DATABASE_URL' },
    ]);
    assert.ok(!JSON.stringify(signals).includes('production'));
  });

  it('summarises the Helm chart from Chart.yaml and values.yaml only', () => {
    const h = artifact(signals, 'helm');
    assert.equal(h.summary.chart, 'web');
    assert.equal(h.summary.version, '0.3.0');
    assert.equal(h.summary.appVersion, '2.1.0');
    assert.deepEqual(h.summary.dependencies, ['redis']);
    assert.deepEqual(h.summary.values, {
      image: 'ghcr.io/acme/web:2.1.0', replicaCount: 2, service: { type: 'ClusterIP', port: 80, targetPort: 3000 },
      ingress: { enabled: true, hosts: ['www.example.com'] }, keys: ['replicaCount', 'image', 'service', 'ingress'],
    });
    assert.deepEqual(h.summary.templates, ['deployment.yaml']);
    const hd = 'artifacts-helm';
    assert.deepEqual(of(signals, 'port', hd).map((p) => [p.port, p.confidence, p.evidence[0]?.file, p.evidence[0]?.line]), [[3000, 'medium', 'charts/web/values.yaml', 8]]);
    assert.deepEqual(of(signals, 'health', hd).map((p) => [p.path, p.evidence[0]?.line]), [['/api/health', 14]]);
    assert.deepEqual(of(signals, 'datastore', hd).map((p) => [p.value, p.evidence[0]?.line]), [['redis', 7]]);
    assert.equal(of(signals, 'problem').length, 0);
  });
});

describe('artifacts-procfile fixture', async () => {
  const signals = await run(await buildRepoIndex(join(FIX, 'artifacts-procfile')));

  it('Procfile: web → start, release → release, worker in the summary, $PORT noted', () => {
    const d = 'artifacts-procfile';
    assert.deepEqual(of(signals, 'command', d).map((c) => [c.role, c.command, c.evidence[0]?.line]), [
      ['start', 'gunicorn shop.wsgi --bind 0.0.0.0:$PORT --workers 3', 1], ['release', 'python manage.py migrate --noinput', 2],
    ]);
    const a = artifact(signals, 'procfile');
    assert.deepEqual((a.summary.processes as { type: string }[]).map((p) => p.type), ['web', 'release', 'worker']);
    assert.equal(a.summary.webUsesPortEnv, true);
  });

  it('Makefile: targets, key recipes, low-confidence make commands', () => {
    const a = artifact(signals, 'makefile');
    assert.deepEqual(a.summary.targets, ['build', 'deps', 'run', 'migrate', 'test']);
    assert.deepEqual(a.summary.keyTargets, {
      build: ['$(PYTHON) manage.py collectstatic --noinput'], run: ['$(PYTHON) manage.py runserver 0.0.0.0:8000'],
      migrate: ['$(PYTHON) manage.py migrate'], test: ['pytest -q'],
    });
    const cmds = of(signals, 'command', 'artifacts-makefile');
    assert.deepEqual(cmds.map((c) => [c.role, c.command, c.production, c.confidence, c.source, c.evidence[0]?.line]), [
      ['build', 'make build', true, 'low', 'build-file', 6], ['start', 'make run', false, 'low', 'build-file', 12],
      ['migrate', 'make migrate', true, 'low', 'build-file', 15], ['test', 'make test', true, 'low', 'build-file', 18],
    ]);
  });

  it('systemd unit: ExecStart (continued line), User, EnvironmentFile, Environment names', () => {
    const a = artifact(signals, 'systemd', 'deploy/shop.service');
    assert.equal(a.summary.execStart, '/srv/shop/.venv/bin/gunicorn shop.wsgi --bind 127.0.0.1:8000');
    assert.equal(a.summary.user, 'shop');
    assert.equal(a.summary.workingDirectory, '/srv/shop');
    assert.deepEqual(a.summary.environmentFile, ['/etc/shop/shop.env']);
    assert.deepEqual(a.summary.environment, ['DJANGO_SETTINGS_MODULE', 'PYTHONUNBUFFERED']);
    const d = 'artifacts-systemd';
    assert.deepEqual(of(signals, 'command', d).map((c) => [c.role, c.command, c.source, c.evidence[0]?.line]), [
      ['start', '/srv/shop/.venv/bin/gunicorn shop.wsgi --bind 127.0.0.1:8000', 'deploy-material', 11],
    ]);
    // Environment= gives them a value: provided by the unit, not required from the host.
    assert.deepEqual(envMap(signals, d), { DJANGO_SETTINGS_MODULE: false, PYTHONUNBUFFERED: false });
    // The port is read from ExecStart's --bind, cited on the continuation line that holds it.
    assert.deepEqual(of(signals, 'port', d).map((p) => [p.port, p.source, p.evidence[0]?.line]), [[8000, 'deploy-material', 12]]);
    assert.ok(!JSON.stringify(of(signals, 'env', d)).includes('shop.settings.prod'));
  });
});

describe('artifacts-bad fixture', () => {
  it('invalid YAML and TOML become problems with lines; the rest is still read', async () => {
    const signals = await run(await buildRepoIndex(join(FIX, 'artifacts-bad')));
    const problems = of(signals, 'problem');
    assert.deepEqual(problems.map((p) => [p.evidence[0]?.file, p.evidence[0]?.line]), [['docker-compose.yml', 7], ['fly.toml', 3]]);
    assert.match(problems[0]?.message ?? '', /^docker-compose\.yml is not valid YAML \(line 7\): /);
    assert.match(problems[1]?.message ?? '', /^fly\.toml is not valid TOML \(line 3\): illegal character in key/);
    const ok = artifact(signals, 'compose', 'compose.override.yaml');
    assert.deepEqual((ok.summary.services as { environment: string[] }[])[0]?.environment, ['EXTRA_FLAG']);
    assert.deepEqual(envMap(signals, 'artifacts-compose'), { EXTRA_FLAG: true });
  });
});

describe('artifact detectors on in-memory repos', () => {
  it('Dockerfile: continuations, comments, exec/shell forms, ENTRYPOINT+CMD, stage inheritance, docker/ folder', async () => {
    const repo = memoryRepo({
      'svc/docker/api.Dockerfile': [
        'FROM golang:1.22-alpine AS build', 'RUN go build -o /out/app \\', '  # a comment inside', '  ./cmd/app',
        'FROM build AS final', 'ENV GIN_MODE=release APP_SECRET="s3cr3t-value"', 'EXPOSE 8080/tcp 9090',
        'ENTRYPOINT ["/out/app"]', 'CMD --serve', 'HEALTHCHECK CMD wget -qO- http://127.0.0.1:8080/api/v1/health?full=1 || exit 1',
      ].join('\n'),
      'svc/Dockerfile.dev': 'FROM python:3.12-slim\nCMD flask run --reload\n',
      'svc/sub/Dockerfile': 'FROM node:18\n',
      'Dockerfile': 'FROM eclipse-temurin:21-jre\n',
    });
    const signals = await run(repo, 'svc');
    const arts = of(signals, 'artifact').map((a) => a.path).sort();
    assert.deepEqual(arts, ['svc/Dockerfile.dev', 'svc/docker/api.Dockerfile']);
    const api = artifact(signals, 'dockerfile', 'svc/docker/api.Dockerfile');
    assert.equal(api.summary.baseImage, 'golang:1.22-alpine');
    assert.deepEqual(api.summary.expose, ['8080/tcp', '9090']);
    assert.equal(api.summary.entrypoint, '/out/app');
    assert.equal(api.summary.cmd, '--serve');
    assert.deepEqual(api.summary.env, ['GIN_MODE', 'APP_SECRET']);
    assert.ok(!JSON.stringify(signals).includes('s3cr3t-value'));
    assert.deepEqual(of(signals, 'port').map((p) => [p.port, p.confidence]), [[8080, 'medium'], [9090, 'medium']]);
    assert.deepEqual(of(signals, 'health').map((h) => [h.path, h.evidence[0]?.line]), [['/api/v1/health', 10]]);
    assert.deepEqual(of(signals, 'runtime').map((r) => [r.runtime, r.range]).sort(), [['go', '1.22'], ['python', '3.12']]);
    const cmds = of(signals, 'command').filter((c) => c.role === 'start').map((c) => [c.command, c.production]);
    assert.deepEqual(cmds.sort(), [['/out/app --serve', true], ['flask run --reload', false]]);
    // The image's compile (continued over a comment line) is the build command.
    assert.deepEqual(of(signals, 'command').filter((c) => c.role === 'build').map((c) => [c.command, c.evidence[0]?.line]), [['go build -o /out/app ./cmd/app', 2]]);
  });

  it('instructions(): joins continuation lines and keeps the first line number', () => {
    const ins = instructions('# c\nFROM a\nRUN x \\\n  y \\\n\n  z\nCMD ["a"]\n');
    assert.deepEqual(ins.map((i) => [i.keyword, i.args, i.line]), [['FROM', 'a', 2], ['RUN', 'x y z', 3], ['CMD', '["a"]', 7]]);
  });

  it('runtimeOfImage covers node/python/go/java, registries and versionless tags', () => {
    assert.deepEqual(runtimeOfImage('node:20-alpine'), { runtime: 'node', range: '20' });
    assert.deepEqual(runtimeOfImage('python:3.12-slim'), { runtime: 'python', range: '3.12' });
    assert.deepEqual(runtimeOfImage('golang:1.22'), { runtime: 'go', range: '1.22' });
    assert.deepEqual(runtimeOfImage('eclipse-temurin:21'), { runtime: 'java', range: '21' });
    assert.deepEqual(runtimeOfImage('docker.io/library/node:20.11.1-bookworm'), { runtime: 'node', range: '20.11.1' });
    assert.equal(runtimeOfImage('node:lts-alpine'), null);
    assert.equal(runtimeOfImage('node'), null);
    assert.equal(runtimeOfImage('nginx:1.25'), null);
  });

  it('compose port syntaxes', () => {
    assert.deepEqual(parsePort('8080:3000'), { published: 8080, target: 3000 });
    assert.deepEqual(parsePort('127.0.0.1:80:80/tcp'), { published: 80, target: 80, hostIp: '127.0.0.1', protocol: 'tcp' });
    assert.deepEqual(parsePort('3000'), { published: null, target: 3000 });
    assert.deepEqual(parsePort(3000), { published: null, target: 3000 });
    assert.deepEqual(parsePort('[::1]:8080:80'), { published: 8080, target: 80, hostIp: '::1' });
    assert.deepEqual(parsePort('9000-9001:9000-9001'), { published: 9000, target: 9000 });
    assert.deepEqual(parsePort({ target: 80, published: '8080', host_ip: '0.0.0.0' }), { published: 8080, target: 80, hostIp: '0.0.0.0' });
    assert.deepEqual(parsePort('${WEB_PORT:-8080}:3000'), { published: 8080, target: 3000 });
    assert.deepEqual(parsePort('${WEB_PORT}:3000'), { published: null, target: 3000, publishedVar: 'WEB_PORT' });
    assert.equal(parsePort('not-a-port'), null);
  });

  it('interpolation forms and datastore images', () => {
    const got = interpolations('a: ${A}\nb: ${B:-x}\nc: ${C:?err}\nd: ${D?}\ne: $$NOT\nf: $F\ng: ${G-y}\nh: ${H:+z}').map((i) => [i.name, i.required]);
    assert.deepEqual(got, [['A', true], ['B', false], ['C', true], ['D', true], ['F', true], ['G', false], ['H', false]]);
    assert.equal(datastoreOfImage('bitnami/kafka:3.6'), 'kafka');
    assert.equal(datastoreOfImage('confluentinc/cp-kafka:7.5.0'), 'kafka');
    assert.equal(datastoreOfImage('docker.elastic.co/elasticsearch/elasticsearch:8.12.0'), 'elasticsearch');
    assert.equal(datastoreOfImage('mariadb:11'), 'mysql');
    assert.equal(datastoreOfImage('axllent/mailpit'), 'smtp');
    assert.equal(datastoreOfImage('minio/minio:latest'), 's3');
    assert.equal(datastoreOfImage('bitnami/postgresql:16'), 'postgresql');
    assert.equal(datastoreOfImage('acme/postgres-backup'), null);
    assert.equal(redactLine('PASSWORD: hunter2'), 'PASSWORD: ***');
    assert.equal(redactLine('- X=${X:-secret-default}'), '- X=***');
  });

  it('compose: app dir reads the root compose file; list environment; comments ignored; build context picks the app', async () => {
    const repo = memoryRepo({
      'compose.yaml': [
        'services:',
        '  web:',
        '    build: ./apps/web',
        '    ports: ["3001:3000"]',
        '    environment:',
        '      - API_URL',
        '      - MODE=prod',
        '    # - ${COMMENTED_OUT}',
        '  api:',
        '    build: { context: apps/api }',
        '    ports: [{ target: 4000, published: 4000 }]',
        '  mq:',
        '    image: rabbitmq:3-management',
      ].join('\n'),
      'apps/web/package.json': '{}',
    });
    const signals = await run(repo, 'apps/web');
    assert.deepEqual(of(signals, 'port').map((p) => [p.port, p.confidence, p.evidence[0]?.line]), [[3000, 'medium', 4]]);
    assert.deepEqual(envMap(signals, 'artifacts-compose'), { API_URL: true, MODE: false });
    assert.deepEqual(of(signals, 'datastore').map((d) => d.value), ['rabbitmq']);
    assert.equal(artifact(signals, 'compose').summary.app, 'web');
  });

  it('command ports: --bind/-b host:PORT, --port N, -p N, ${PORT:-N} defaults; a bare $PORT names none', () => {
    const port = (c: string): number | null => commandPort(c)?.port ?? null;
    assert.equal(port('gunicorn -b 0.0.0.0:${PORT:-8000} app:app'), 8000);
    assert.equal(port('gunicorn app:app --bind=127.0.0.1:9000 --workers 2'), 9000);
    assert.equal(port('gunicorn app:app --bind [::]:8001'), 8001);
    assert.equal(port('uvicorn api:app --host 0.0.0.0 --port 8080'), 8080);
    assert.equal(port('puma -p 3000'), 3000);
    assert.equal(port('gunicorn app:app --bind 0.0.0.0:$PORT'), null);
    assert.equal(port('gunicorn app:app --bind unix:/run/app.sock'), null);
    assert.equal(port('node server.js'), null);
  });

  it('Procfile web: the ${PORT:-N} default is the port, as deployment material', async () => {
    const signals = await run(memoryRepo({ Procfile: 'release: ./migrate\nweb: gunicorn -b 0.0.0.0:${PORT:-8000} app:app\n' }));
    assert.deepEqual(of(signals, 'port').map((p) => [p.port, p.source, p.evidence[0]?.file, p.evidence[0]?.line]), [[8000, 'deploy-material', 'Procfile', 2]]);
    const bare = await run(memoryRepo({ Procfile: 'web: gunicorn app:app --bind 0.0.0.0:$PORT\n' }));
    assert.deepEqual(of(bare, 'port'), []);
  });

  it('compose: a locally built service whose Dockerfile installs a database server is that datastore', async () => {
    const signals = await run(memoryRepo({
      'docker-compose.yml': 'services:\n  app:\n    build: ./app\n    ports: ["8080:8080"]\n  db:\n    build:\n      context: ./db\n  kv:\n    build: ./kv\n',
      'app/Dockerfile': 'FROM debian\nRUN apt-get install -y python3 curl\n',
      'db/Dockerfile': 'FROM debian\nRUN apt-get update \\\n && apt-get install -y -q --no-install-recommends postgresql \\\n && rm -rf /var/lib/apt/lists/*\n',
      'kv/Dockerfile': 'FROM alpine\nRUN apk add --no-cache redis\n',
    }));
    assert.deepEqual(of(signals, 'datastore').map((d) => [d.value, d.evidence[0]?.file, d.evidence[0]?.line]), [['postgresql', 'db/Dockerfile', 3], ['redis', 'kv/Dockerfile', 2]]);
  });

  it('Makefile: a run target that runs `go run` or a watch loop is no production start', async () => {
    const signals = await run(memoryRepo({ Makefile: 'build:\n\tgo build -o bin/svc .\n\nrun:\n\tgo run .\n\nserve: build\n\t./bin/svc\n\nstart:\n\twatchexec -r -- go build ./...\n' }));
    assert.deepEqual(cmds(signals).map((c) => [c.role, c.command, c.production]), [
      ['build', 'make build', true], ['start', 'make run', false], ['start', 'make serve', true], ['start', 'make start', false],
    ]);
  });

  it('compose: an app published through ${VAR} is still the app', async () => {
    const signals = await run(memoryRepo({ 'docker-compose.yml': 'services:\n  app:\n    build: .\n    ports:\n      - "${APP_PORT}:8000"\n' }));
    assert.deepEqual(of(signals, 'port').map((p) => [p.port, p.evidence[0]?.line]), [[8000, 5]]);
    assert.deepEqual(envMap(signals, 'artifacts-compose'), { APP_PORT: true });
  });

  it('compose: non-mapping document and alias bombs do not throw', async () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x]', ...Array.from({ length: 8 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}]`)].join('\n');
    const signals = await run(memoryRepo({ 'docker-compose.yml': '- just\n- a list\n', 'docker-compose.prod.yml': bomb }));
    assert.ok(of(signals, 'problem').length >= 1);
    assert.match(of(signals, 'problem')[0]?.message ?? '', /not a compose file/);
  });

  it('env files: only examples give names; committed .env.production is a risk without values', async () => {
    const repo = memoryRepo({
      'env.example': 'A=1\n# B=2\nC="multi\nNOT_A_VAR=line"\nD=\n',
      '.env.production': 'TOKEN=canary-memory-77\n',
      '.env.sample': 'E=x\n',
      '.env.development': 'VITE_API=http://localhost\n',
    });
    const signals = await run(repo);
    assert.deepEqual(of(signals, 'env').map((e) => e.name).sort(), ['A', 'C', 'D', 'E']);
    assert.equal(of(signals, 'risk').length, 1);
    assert.ok(!JSON.stringify(signals).includes('canary-memory-77'));
  });

  it('platform hints: fly.toml, render.yaml, app.json, railway.json, vercel.json, netlify.toml', async () => {
    const repo = memoryRepo({
      'fly.toml': 'app = "shop"\n[env]\n  LOG_LEVEL = "debug"\n[http_service]\n  internal_port = 8080\n  [[http_service.checks]]\n    path = "/up"\n',
      'render.yaml': 'services:\n  - type: web\n    name: shop\n    startCommand: node server.js\n    healthCheckPath: /status\n    envVars:\n      - key: SECRET_KEY\n        sync: false\n      - key: WEB_CONCURRENCY\n        value: 2\ndatabases:\n  - name: shopdb\n',
      'app.json': '{"name":"shop","env":{"SECRET_TOKEN":{"description":"x"},"OPTIONAL":{"required":false},"DEF":"value-default-zz"},"addons":["heroku-postgresql:mini"]}',
      'railway.json': '{"deploy":{"startCommand":"npm start","healthcheckPath":"/rh"}}',
      'vercel.json': '{"framework":"nextjs"}',
      'netlify.toml': '[build]\ncommand = "npm run build"\npublish = "dist"\n',
    });
    const signals = await run(repo);
    assert.deepEqual(of(signals, 'port').map((p) => [p.port, p.evidence[0]?.line]), [[8080, 5]]);
    assert.deepEqual(of(signals, 'health').map((h) => h.path).sort(), ['/rh', '/status', '/up']);
    assert.deepEqual(envMap(signals, 'artifacts-platform'), { LOG_LEVEL: false, SECRET_KEY: true, WEB_CONCURRENCY: false, SECRET_TOKEN: true, OPTIONAL: false, DEF: false });
    assert.ok(!JSON.stringify(signals).includes('debug'));
    assert.ok(!JSON.stringify(signals).includes('value-default-zz'));
    assert.deepEqual(of(signals, 'datastore').map((d) => d.value), ['postgresql', 'postgresql']);
    assert.deepEqual(of(signals, 'artifact').map((a) => a.summary.platform).sort(), ['fly', 'heroku', 'netlify', 'railway', 'render', 'vercel']);
    assert.deepEqual(of(signals, 'command').map((c) => [c.role, c.command]).sort(), [['start', 'node server.js'], ['start', 'npm start']]);
  });

  it('invalid JSON problem cites a line but never the parser text', async () => {
    const signals = await run(memoryRepo({ 'railway.json': '{\n  "deploy": {\n    "startCommand": canary-json\n  }\n}' }));
    const p = of(signals, 'problem');
    assert.equal(p.length, 1);
    assert.equal(p[0]?.evidence[0]?.file, 'railway.json');
    assert.ok(!JSON.stringify(p).includes('canary-json'));
  });

  it('nginx, pm2, supervisord, prometheus, DEPLOY.md', async () => {
    const repo = memoryRepo({
      'nginx/site.conf': 'upstream app { server 127.0.0.1:3000; }\nserver {\n  listen 80;\n  server_name shop.example.com;\n  location / { proxy_pass http://app; }\n}\n',
      'ecosystem.config.js': "module.exports = {\n  apps: [\n    { name: 'api', script: 'dist/server.js', instances: 'max', exec_mode: 'cluster' },\n    { name: \"worker\", script: \"dist/worker.js\" },\n  ],\n};\n",
      'supervisord.conf': '[supervisord]\nnodaemon=true\n[program:web]\ncommand=gunicorn app:app\nenvironment=SECRET="zzz-supervisor"\nuser=www\n',
      'monitoring/prometheus.yml': 'scrape_configs:\n  - job_name: app\n    metrics_path: /metrics\n    static_configs:\n      - targets: ["app:3000"]\n',
      'docs/DEPLOY.md': '# Deploying\n\n## Build\n\n```sh\nmake build\n```\n',
    });
    const signals = await run(repo);
    const nginx = artifact(signals, 'nginx');
    assert.deepEqual(nginx.summary.listen, ['80']);
    assert.deepEqual(nginx.summary.proxyPass, ['http://app']);
    assert.deepEqual(nginx.summary.upstreams, [{ name: 'app', servers: ['127.0.0.1:3000'] }]);
    assert.deepEqual(nginx.summary.serverNames, ['shop.example.com']);
    const pm2 = artifact(signals, 'pm2');
    assert.deepEqual((pm2.summary.apps as Record<string, unknown>[]).map((a) => [a.name, a.script, a.instances]), [['api', 'dist/server.js', 'max'], ['worker', 'dist/worker.js', null]]);
    const sup = artifact(signals, 'supervisord');
    assert.deepEqual(sup.summary.programs, [{ name: 'web', command: 'gunicorn app:app', directory: null, user: 'www', numprocs: null, autorestart: null }]);
    assert.ok(!JSON.stringify(signals).includes('zzz-supervisor'));
    const prom = artifact(signals, 'prometheus');
    assert.deepEqual(prom.summary.scrape, [{ job: 'app', metricsPath: '/metrics', targets: ['app:3000'] }]);
    const doc = artifact(signals, 'deploy-doc');
    assert.equal(doc.source, 'docs');
    assert.deepEqual(doc.summary.headings, ['Deploying', 'Build']);
  });

  it('kubernetes: any yaml with a workload kind counts; templated yaml and invalid k8s yaml handled', async () => {
    const repo = memoryRepo({
      'ops/web.yaml': 'apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: db}\nspec:\n  replicas: 1\n  template:\n    spec:\n      containers:\n        - name: db\n          image: postgres:16\n',
      'ops/tmpl.yaml': 'apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ .Release.Name }}\n',
      'k8s/broken.yaml': 'apiVersion: v1\nkind: Service\nmetadata:\n  name: [x\n',
      'config/settings.yaml': 'apiVersion: 1\nkind: Settings\n',
    });
    const signals = await run(repo);
    assert.deepEqual(of(signals, 'artifact').map((a) => a.path), ['ops/web.yaml']);
    const p = of(signals, 'problem');
    assert.equal(p.length, 1);
    assert.equal(p[0]?.evidence[0]?.file, 'k8s/broken.yaml');
    assert.equal(typeof p[0]?.evidence[0]?.line, 'number');
  });

  it('deep scans skip test, fixture and example folders', async () => {
    const unit = '[Service]\nExecStart=/usr/bin/app\n';
    const dep = 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\n';
    const signals = await run(memoryRepo({
      'test/fixtures/k8s/app.yaml': dep, 'examples/app.service': unit, 'ops/systemd/app.service': unit, 'ops/k8s/app.yaml': dep,
    }));
    assert.deepEqual(of(signals, 'artifact').map((a) => a.path), ['ops/systemd/app.service', 'ops/k8s/app.yaml']);
  });

  it('a detector that throws becomes a problem signal (the shared runner)', async () => {
    const repo = memoryRepo({ Dockerfile: 'FROM node:20\n' });
    const broken: RepoIndex = { ...repo, read: async () => { throw new Error('disk on fire'); } };
    const signals = await runDetectors(broken, '', detectors);
    assert.deepEqual(of(signals, 'problem').map((p) => p.message), ['artifacts-dockerfile failed: disk on fire']);
  });

  it('an empty repo yields nothing and every signal names its detector', async () => {
    assert.deepEqual(await run(memoryRepo({})), []);
    const signals = await run(await buildRepoIndex(join(FIX, 'artifacts-compose')));
    for (const s of signals) assert.match(s.detector, /^artifacts-/);
  });
});
