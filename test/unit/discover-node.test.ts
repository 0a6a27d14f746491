// Node detectors: each fixture repo's signals checked field by field (values, evidence, flags), plus in-memory edge cases.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { buildRepoIndex } from '../../src/stages/discover/repo.js';
import { detectors } from '../../src/stages/discover/detectors/node/index.js';
import { nodeEcosystemDetector } from '../../src/stages/discover/detectors/node/ecosystem.js';
import { nodeRuntimeDetector, normalizeNodeVersion } from '../../src/stages/discover/detectors/node/runtime.js';
import { nodeFrameworkDetector } from '../../src/stages/discover/detectors/node/framework.js';
import { isDevScript, nodeCommandsDetector } from '../../src/stages/discover/detectors/node/commands.js';
import { nodePortDetector } from '../../src/stages/discover/detectors/node/ports.js';
import { nodeHealthDetector } from '../../src/stages/discover/detectors/node/health.js';
import { nodeEnvDetector, redactLiterals } from '../../src/stages/discover/detectors/node/env.js';
import { nodeDatastoreDetector } from '../../src/stages/discover/detectors/node/datastores.js';
import type { Detector, RepoIndex, Signal } from '../../src/stages/discover/types.js';
import { memoryRepo } from '../helpers/memory-repo.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/discover/', import.meta.url));

type Of<K extends Signal['kind']> = Extract<Signal, { kind: K }>;

async function run(repo: RepoIndex, appDir = ''): Promise<Signal[]> {
  const out: Signal[] = [];
  for (const d of detectors) out.push(...(await d.detect({ repo, appDir })));
  return out;
}
async function fixture(name: string): Promise<Signal[]> {
  return run(await buildRepoIndex(`${FIXTURES}${name}`));
}
async function one(d: Detector, files: Record<string, string>, appDir = ''): Promise<Signal[]> {
  return d.detect({ repo: memoryRepo(files), appDir });
}
function of<K extends Signal['kind']>(signals: Signal[], kind: K): Of<K>[] {
  return signals.filter((s): s is Of<K> => s.kind === kind);
}
function only<K extends Signal['kind']>(signals: Signal[], kind: K): Of<K> {
  const list = of(signals, kind);
  assert.equal(list.length, 1, `exactly one ${kind} signal, got ${JSON.stringify(list)}`);
  return list[0]!;
}
function at(s: Signal, i = 0): string {
  const e = s.evidence[i];
  assert.ok(e, 'has evidence');
  return `${e.file}:${e.line}`;
}
function env(signals: Signal[]): Record<string, boolean | null> {
  return Object.fromEntries(of(signals, 'env').map((s) => [s.name, s.required]));
}
function commands(signals: Signal[]): string[] {
  return of(signals, 'command').map((c) => `${c.role} ${c.command} ${c.production ? 'prod' : 'dev'}`);
}

describe('fixture: node-express (express + pg, npm)', async () => {
  const s = await fixture('node-express');

  test('ecosystem, language, package manager', () => {
    assert.equal(only(s, 'ecosystem').value, 'node');
    assert.equal(only(s, 'language').value, 'javascript');
    const pm = only(s, 'package-manager');
    assert.equal(pm.value, 'npm');
    assert.equal(pm.source, 'build-file');
    assert.equal(pm.evidence[0]?.file, 'package-lock.json');
  });

  test('.nvmrc gives node 20', () => {
    const r = only(s, 'runtime');
    assert.deepEqual([r.runtime, r.range, r.source, r.confidence, at(r)], ['node', '20', 'build-file', 'high', '.nvmrc:1']);
  });

  test('express framework cited at its dependency line', () => {
    const f = only(s, 'framework');
    assert.equal(f.value, 'express');
    assert.equal(at(f), 'package.json:13');
  });

  test('commands: npm ci, start is production, dev (nodemon) is not, test, migrate', () => {
    assert.deepEqual(commands(s), ['install npm ci prod', 'start npm run start prod', 'dev npm run dev dev', 'test npm run test dev', 'migrate npm run migrate prod']);
    const start = of(s, 'command').find((c) => c.role === 'start')!;
    assert.equal(at(start), 'package.json:7');
    assert.equal(of(s, 'risk').length, 0, 'a production start exists: no risk');
  });

  test('port 3000 from the PORT default', () => {
    const p = only(s, 'port');
    assert.deepEqual([p.port, p.source, at(p)], [3000, 'code', 'src/server.js:6']);
  });

  test('/health route', () => {
    const h = only(s, 'health');
    assert.deepEqual([h.path, h.source, h.confidence, at(h)], ['/health', 'code', 'high', 'src/server.js:12']);
  });

  test('env names and required flags; test files skipped; no values in evidence', () => {
    assert.deepEqual(env(s), { DATABASE_URL: true, JWT_SECRET: true, LOG_LEVEL: false, NODE_ENV: false, PORT: false });
    const jwt = of(s, 'env').find((e) => e.name === 'JWT_SECRET')!;
    assert.equal(at(jwt), 'src/auth.js:4');
    assert.equal(jwt.confidence, 'high', 'throw guard');
    const log = of(s, 'env').find((e) => e.name === 'LOG_LEVEL')!;
    assert.equal(log.evidence[0]?.text, "const logLevel = process.env.LOG_LEVEL || '…';", 'the default value is blanked');
  });

  test('postgres from pg', () => {
    const d = only(s, 'datastore');
    assert.deepEqual([d.value, d.required, at(d)], ['postgresql', true, 'package.json:14']);
  });
});

describe('fixture: node-next-standalone (next, pnpm)', async () => {
  const s = await fixture('node-next-standalone');

  test('typescript via tsconfig, pnpm via lockfile, engines >=18.17', () => {
    assert.equal(only(s, 'language').value, 'typescript');
    assert.equal(only(s, 'package-manager').value, 'pnpm');
    const r = only(s, 'runtime');
    assert.deepEqual([r.range, at(r)], ['>=18.17', 'package.json:6']);
  });

  test('nextjs with standalone output, cited in next.config.mjs', () => {
    const f = only(s, 'framework');
    assert.equal(f.value, 'nextjs');
    assert.deepEqual(f.detail, { output: 'standalone' });
    assert.deepEqual(f.evidence.map((e) => `${e.file}:${e.line}`), ['package.json:15', 'next.config.mjs:5']);
  });

  test('commands: pnpm forms, the standalone server, next dev is dev', () => {
    assert.deepEqual(commands(s), [
      'install pnpm install --frozen-lockfile prod', 'build pnpm build prod', 'start pnpm start prod',
      'start node .next/standalone/server.js prod', 'dev pnpm dev dev',
    ]);
  });

  test("standalone: the config's server.js (build-file, high) outranks the `next start` script (medium)", () => {
    const starts = of(s, 'command').filter((c) => c.role === 'start').map((c) => `${c.command} ${c.source} ${c.confidence}`);
    assert.deepEqual(starts, ['pnpm start build-file medium', 'node .next/standalone/server.js build-file high']);
  });

  test('port: next default 3000 as a low-confidence fallback', () => {
    const p = only(s, 'port');
    assert.deepEqual([p.port, p.source, p.confidence], [3000, 'fallback', 'low']);
  });

  test('app/api/health/route.ts → /api/health', () => {
    const h = only(s, 'health');
    assert.deepEqual([h.path, at(h)], ['/api/health', 'app/api/health/route.ts:5']);
  });

  test('env: NEXT_PUBLIC_* is build-time; template literal reads keep their names', () => {
    assert.deepEqual(env(s), { BACKEND_API_TOKEN: true, BACKEND_URL: true, NEXT_PUBLIC_SITE_URL: false });
    assert.equal(of(s, 'env').find((e) => e.name === 'NEXT_PUBLIC_SITE_URL')?.buildTime, true);
    assert.equal(of(s, 'env').find((e) => e.name === 'BACKEND_URL')?.buildTime, undefined);
    assert.equal(of(s, 'datastore').length, 0);
  });
});

describe('fixture: node-vite-static', async () => {
  const s = await fixture('node-vite-static');

  test('vite: static output into build.outDir', () => {
    const f = only(s, 'framework');
    assert.equal(f.value, 'vite');
    assert.deepEqual(f.detail, { output: 'static', outDir: 'public-dist' });
    assert.equal(at(f, 1), 'vite.config.ts:8');
  });

  test('no start command and no risk: a static site has no server', () => {
    assert.deepEqual(commands(s), ['install npm ci prod', 'build npm run build prod', 'dev npm run dev dev']);
    assert.equal(of(s, 'risk').length, 0);
  });

  test('import.meta.env.VITE_API_URL is build-time; DEV is vite\'s own', () => {
    assert.deepEqual(env(s), { VITE_API_URL: true });
    assert.equal(only(s, 'env').buildTime, true);
    assert.equal(at(only(s, 'env')), 'src/main.ts:3');
  });

  test('vite preview default port, low confidence', () => {
    const p = only(s, 'port');
    assert.deepEqual([p.port, p.source, p.confidence], [4173, 'fallback', 'low']);
  });
});

describe('fixture: node-nest (nest, prisma, yarn, Dockerfile)', async () => {
  const s = await fixture('node-nest');

  test('yarn, typescript, node 20 from the Dockerfile (deploy material)', () => {
    assert.equal(only(s, 'package-manager').value, 'yarn');
    assert.equal(only(s, 'language').value, 'typescript');
    const r = only(s, 'runtime');
    assert.deepEqual([r.range, r.source, at(r)], ['20', 'deploy-material', 'Dockerfile:2']);
  });

  test('nestjs framework', () => {
    assert.equal(only(s, 'framework').value, 'nestjs');
  });

  test('start:prod ranks over nest start; watch mode is dev; prisma migrate deploy', () => {
    assert.deepEqual(commands(s), [
      'install yarn install --frozen-lockfile prod', 'build yarn build prod', 'start yarn start:prod prod', 'start yarn start prod',
      'dev yarn start:dev dev', 'test yarn test dev', 'migrate yarn prisma migrate deploy prod',
    ]);
    const starts = of(s, 'command').filter((c) => c.role === 'start');
    assert.deepEqual(starts.map((c) => c.confidence), ['high', 'medium']);
  });

  test('port from listen(process.env.PORT ?? 3000)', () => {
    const p = only(s, 'port');
    assert.deepEqual([p.port, p.source, at(p)], [3000, 'code', 'src/main.ts:9']);
  });

  test("@Controller('health') + @Get() → /health", () => {
    const h = only(s, 'health');
    assert.deepEqual([h.path, at(h)], ['/health', 'src/health/health.controller.ts:10']);
  });

  test('env: prisma env("DATABASE_URL") required, PORT optional, Boolean() presence check optional', () => {
    assert.deepEqual(env(s), { DATABASE_URL: true, PORT: false, STRIPE_API_KEY: false });
    assert.equal(at(of(s, 'env').find((e) => e.name === 'DATABASE_URL')!), 'prisma/schema.prisma:8');
  });

  test('postgres from the prisma schema provider', () => {
    const d = only(s, 'datastore');
    assert.deepEqual([d.value, d.required, at(d)], ['postgresql', true, 'prisma/schema.prisma:7']);
  });
});

describe('fixture: node-dev-only', async () => {
  const s = await fixture('node-dev-only');

  test('only nodemon: dev command production:false and a warning risk', () => {
    assert.deepEqual(commands(s), ['dev npm run dev dev']);
    assert.equal(of(s, 'command').some((c) => c.role === 'start'), false, 'never presented as a production start');
    const r = only(s, 'risk');
    assert.equal(r.severity, 'warning');
    assert.equal(r.message, 'production start command needed: only a dev server (nodemon server.js) was found');
    assert.equal(at(r), 'package.json:6');
  });

  test('no lockfile: npm as a low-confidence fallback (package.json alone means npm), and no install command to freeze', () => {
    const pm = only(s, 'package-manager');
    assert.deepEqual([pm.value, pm.source, pm.confidence, pm.evidence], ['npm', 'fallback', 'low', [{ file: 'package.json', line: 1 }]]);
    assert.equal(of(s, 'command').filter((c) => c.role === 'install').length, 0);
  });

  test('listen(8080) literal', () => {
    const p = only(s, 'port');
    assert.deepEqual([p.port, p.confidence], [8080, 'high']);
    assert.deepEqual(env(s), { SLACK_WEBHOOK_URL: true });
  });
});

describe('ecosystem and package manager edge cases', () => {
  test('corepack packageManager field wins over the lockfile, with its version (hash dropped)', async () => {
    const s = await one(nodeEcosystemDetector, {
      'package.json': '{\n  "name": "a",\n  "packageManager": "pnpm@9.1.0+sha256.abc"\n}\n',
      'package-lock.json': '{}',
    });
    const pm = only(s, 'package-manager');
    assert.deepEqual([pm.value, pm.version, pm.confidence, at(pm)], ['pnpm', '9.1.0', 'high', 'package.json:3']);
  });

  test('bun lockfile → bun ecosystem; deno.json without package.json → deno', async () => {
    assert.equal(only(await one(nodeEcosystemDetector, { 'package.json': '{}', 'bun.lockb': 'x' }), 'ecosystem').value, 'bun');
    const deno = await one(nodeEcosystemDetector, { 'deno.json': '{}', 'main.ts': 'Deno.serve(() => new Response("hi"))' });
    assert.equal(only(deno, 'ecosystem').value, 'deno');
    assert.equal(only(deno, 'language').value, 'typescript');
  });

  test('no package.json and no deno.json: no signals', async () => {
    assert.deepEqual(await run(memoryRepo({ 'app.py': 'print(1)' })), []);
  });

  test('invalid package.json: a problem, not a crash', async () => {
    const s = await one(nodeEcosystemDetector, { 'package.json': '{ nope' });
    assert.equal(of(s, 'problem').length, 1);
  });

  test('app dir in a workspace: the root lockfile serves when the app has none', async () => {
    const s = await one(nodeEcosystemDetector, { 'apps/web/package.json': '{}', 'pnpm-lock.yaml': '' }, 'apps/web');
    assert.deepEqual([only(s, 'package-manager').value, at(only(s, 'package-manager'))], ['pnpm', 'pnpm-lock.yaml:null']);
  });
});

describe('runtime edge cases', () => {
  test('lts/* names no version: no signal; lts/iron → 20 (medium); v prefix stripped', async () => {
    assert.deepEqual(await one(nodeRuntimeDetector, { 'package.json': '{}', '.nvmrc': 'lts/*\n' }), []);
    assert.deepEqual(normalizeNodeVersion('lts/iron'), { range: '20', confidence: 'medium' });
    const s = await one(nodeRuntimeDetector, { 'package.json': '{}', '.node-version': 'v20.11.1\n' });
    assert.equal(only(s, 'runtime').range, '20.11.1');
  });

  test('conflicting .nvmrc and engines: both emitted for the resolver', async () => {
    const s = await one(nodeRuntimeDetector, { 'package.json': '{\n  "engines": { "node": ">=18" }\n}', '.nvmrc': '20\n' });
    assert.deepEqual(of(s, 'runtime').map((r) => `${r.range}@${at(r)}`), ['20@.nvmrc:1', '>=18@package.json:2']);
  });

  test('.tool-versions, mise.toml, volta, node:lts image skipped', async () => {
    const s = await one(nodeRuntimeDetector, {
      'package.json': '{\n  "volta": {\n    "node": "20.11.0"\n  }\n}',
      '.tool-versions': 'python 3.12.1\nnodejs 20.11.0\n',
      'mise.toml': '[tools]\nnode = "22"\n',
      'Dockerfile': 'FROM node:lts-alpine\n',
    });
    assert.deepEqual(of(s, 'runtime').map((r) => `${r.range}@${at(r)}`), ['20.11.0@.tool-versions:2', '22@mise.toml:2', '20.11.0@package.json:3']);
  });
});

describe('frameworks and commands edge cases', () => {
  test('next without a start script → next start (fallback); next export has no server', async () => {
    const s = await one(nodeCommandsDetector, { 'package.json': '{"scripts":{"build":"next build"},"dependencies":{"next":"14"}}' });
    assert.deepEqual(commands(s), ['build npm run build prod', 'start npx next start prod']);
    const exp = await one(nodeFrameworkDetector, { 'package.json': '{"dependencies":{"next":"14"}}', 'next.config.js': "module.exports = { output: 'export' }" });
    assert.deepEqual(only(exp, 'framework').detail, { output: 'export' });
  });

  test('CRA: static, react-scripts start is a dev server but no risk', async () => {
    const s = await one(nodeCommandsDetector, { 'package.json': '{"scripts":{"start":"react-scripts start","build":"react-scripts build"},"dependencies":{"react-scripts":"5"}}' });
    assert.deepEqual(commands(s), ['build npm run build prod', 'start npm run start dev']);
    assert.equal(of(s, 'risk').length, 0);
    const f = await one(nodeFrameworkDetector, { 'package.json': '{"dependencies":{"react-scripts":"5"}}' });
    assert.deepEqual(only(f, 'framework').detail, { output: 'static', outDir: 'build' });
  });

  test('a start script that is a watcher: production false plus the risk', async () => {
    const s = await one(nodeCommandsDetector, { 'package.json': '{"scripts":{"start":"ts-node-dev src/index.ts"},"dependencies":{"express":"4"}}' });
    assert.deepEqual(commands(s), ['start npm run start dev']);
    assert.match(only(s, 'risk').message, /only a dev server \(ts-node-dev src\/index\.ts\)/);
  });

  test('dev-server recognition', () => {
    for (const d of ['nodemon x.js', 'vite', 'vite --host', 'next dev', 'nuxt dev', 'node --watch a.js', 'tsx watch src/i.ts', 'nest start --watch']) assert.ok(isDevScript(d), d);
    for (const p of ['node dist/main', 'vite build', 'next start', 'nest start', 'node server.js']) assert.ok(!isDevScript(p), p);
  });

  test('a prisma migrate dev script is filed as dev, never as the migration; bun run form', async () => {
    const s = await one(nodeCommandsDetector, { 'package.json': '{"scripts":{"db:migrate":"prisma migrate dev"},"dependencies":{"@prisma/client":"5"}}', 'bun.lockb': 'x', 'prisma/schema.prisma': '', 'prisma/migrations/20240101000000_init/migration.sql': '' });
    assert.deepEqual(commands(s), ['install bun install --frozen-lockfile prod', 'dev bun run db:migrate dev', 'migrate bunx prisma migrate deploy prod']);
  });
});

describe('ports, health, env, datastores edge cases', () => {
  const pkg = '{"dependencies":{"fastify":"4"}}';

  test('ports: Number(env) || 8080, listen(CONST), fastify listen({ port }), commented code ignored', async () => {
    const s = await one(nodePortDetector, {
      'package.json': pkg,
      'a.ts': 'const port = Number(process.env.PORT) || 8080;\n',
      'b.js': 'const PORT = 4000;\napp.listen(PORT);\n',
      'c.mjs': "await fastify.listen({ port: 5000, host: '0.0.0.0' });\n// app.listen(9999)\n",
      'src/x.test.ts': 'app.listen(7777)',
    });
    assert.deepEqual(of(s, 'port').map((p) => `${p.port}@${at(p)}`).sort(), ['4000@b.js:1', '5000@c.mjs:1', '8080@a.ts:1']);
  });

  test('health: router paths (medium), fastify route objects, nest @Get(\'healthz\'), pages/api', async () => {
    const s = await one(nodeHealthDetector, {
      'package.json': pkg,
      'r.js': 'router.get("/api/healthz", h);\napp.get("/users", u);\n',
      'f.js': "fastify.route({ method: 'GET', url: '/ping', handler })\n",
      'n.ts': "@Controller()\nexport class A {\n  @Get('readiness')\n  r() {}\n}\n",
      'pages/api/health.ts': 'export default function handler(req, res) { res.end() }\n',
    });
    const paths = Object.fromEntries(of(s, 'health').map((h) => [h.path, h.confidence]));
    assert.deepEqual(paths, { '/api/healthz': 'medium', '/ping': 'high', '/readiness': 'high', '/api/health': 'high' });
  });

  test('env: destructuring defaults, bracket reads, Deno/Bun, throw guard, ConfigService', async () => {
    const s = await one(nodeEnvDetector, {
      'package.json': '{}',
      'a.ts': "const { A, B = 'x', C: c } = process.env;\nconst d = process.env['D'] ?? 'y';\n",
      'b.ts': "const e = Deno.env.get('E');\nconst f = Bun.env.F || 'z';\nif (!process.env.G) {\n  throw new Error('G');\n}\n",
      'c.ts': "const h = this.configService.getOrThrow<string>('H');\nconst i = config.get('I', 10);\n",
      'test/a.test.ts': 'process.env.NOPE',
    });
    assert.deepEqual(env(s), { A: true, B: false, C: true, D: false, E: true, F: false, G: true, H: true, I: false });
  });

  test('env evidence never carries a hard-coded value', () => {
    assert.equal(redactLiterals("const k = process.env.API_KEY || 'sk_live_123';"), "const k = process.env.API_KEY || '…';");
    assert.equal(redactLiterals("process.env['API_KEY']"), "process.env['API_KEY']");
  });

  test('datastores: drivers merge per store; knex client; dev-only driver is not required', async () => {
    const s = await one(nodeDatastoreDetector, {
      'package.json': '{\n"dependencies": {\n"ioredis": "5",\n"knex": "3",\n"nodemailer": "6"\n},\n"devDependencies": {\n"mongodb-memory-server": "9",\n"mongodb": "6"\n}\n}',
      'knexfile.js': "module.exports = { client: 'pg', connection: process.env.DATABASE_URL };\n",
    });
    const byValue = Object.fromEntries(of(s, 'datastore').map((d) => [d.value, d.required]));
    assert.deepEqual(byValue, { mongodb: null, redis: true, smtp: true, postgresql: true });
    assert.equal(at(of(s, 'datastore').find((d) => d.value === 'postgresql')!), 'knexfile.js:1');
  });
});

describe('health false positives', () => {
  test('an HTTP client call is not a route; no server library means no code routes', async () => {
    const s = await one(nodeHealthDetector, {
      'package.json': '{"dependencies":{"express":"4","axios":"1"}}',
      'a.js': "const r = await axios.get('/status', { timeout: 1 });\napp.get('/up', (req, res) => res.end());\n",
    });
    assert.deepEqual(of(s, 'health').map((h) => h.path), ['/up']);
    const web = await one(nodeHealthDetector, { 'package.json': '{"devDependencies":{"vite":"5"}}', 'src/api.ts': "api.get('/health', opts)\n" });
    assert.deepEqual(web, []);
  });
});

describe('env reads, not writes', () => {
  test('assignments and computed names are skipped', async () => {
    const s = await one(nodeEnvDetector, {
      'package.json': '{}',
      'a.js': 'process.env.TZ = "UTC";\nconst x = process.env[`P_${i}`];\nconst y = process.env.REAL;\n',
    });
    assert.deepEqual(env(s), { REAL: true });
  });
});

describe('env read into a local', () => {
  test('a presence test of the local makes it optional; a throw guard required; other uses stay bare', async () => {
    const s = await one(nodeEnvDetector, {
      'package.json': '{}',
      'a.js': [
        'const databaseUrl = process.env.DATABASE_URL;',
        'if (databaseUrl) { pool = new Pool({ connectionString: databaseUrl }); } else { console.warn("no db"); }',
        'const token = process.env.API_TOKEN;',
        'if (!token) {',
        '  throw new Error("API_TOKEN");',
        '}',
        'const region = process.env.REGION;',
        'const label = region ?? "eu";',
        'const key = process.env.SIGNING_KEY;',
        'sign(key);',
      ].join('\n'),
    });
    assert.deepEqual(env(s), { API_TOKEN: true, DATABASE_URL: false, REGION: false, SIGNING_KEY: true });
    assert.deepEqual(of(s, 'env').map((e) => `${e.name} ${e.confidence}`), ['API_TOKEN high', 'DATABASE_URL high', 'REGION high', 'SIGNING_KEY medium']);
  });
});

describe('workspace roots and members', () => {
  test('pnpm-workspace.yaml with no lockfile: pnpm for the root and each member, scripts run with pnpm, no frozen install', async () => {
    const repo = memoryRepo({
      'package.json': '{\n  "scripts": { "build": "pnpm -r build", "start": "pnpm -r --parallel start" }\n}',
      'pnpm-workspace.yaml': "packages:\n  - 'apps/*'\n",
      'apps/api/package.json': '{\n  "scripts": { "build": "tsc", "start": "node dist/index.js" }\n}',
    });
    const root = await run(repo);
    const pm = only(root, 'package-manager');
    assert.deepEqual([pm.value, pm.source, pm.confidence, at(pm)], ['pnpm', 'build-file', 'medium', 'pnpm-workspace.yaml:null']);
    assert.deepEqual(commands(root), ['build pnpm build prod'], 'the fan-out start is no start of the root');
    const member = await run(repo, 'apps/api');
    assert.equal(only(member, 'package-manager').value, 'pnpm');
    assert.deepEqual(commands(member), ['build pnpm build prod', 'start pnpm start prod']);
    assert.deepEqual([only(member, 'language').value, only(member, 'language').confidence, at(only(member, 'language'))], ['typescript', 'medium', 'apps/api/package.json:2']);
  });

  test('turbo, nx, lerna and npm --workspaces starts at a workspace root are skipped; concurrently in a single app is a start', async () => {
    for (const start of ['turbo run start', 'nx run-many -t serve', 'lerna run start', 'npm run start --workspaces']) {
      const s = await one(nodeCommandsDetector, { 'package.json': JSON.stringify({ workspaces: ['apps/*'], scripts: { start } }), 'package-lock.json': '{}' });
      assert.deepEqual(commands(s), ['install npm ci prod'], start);
    }
    const single = await one(nodeCommandsDetector, { 'package.json': '{"scripts":{"start":"concurrently \\"node api.js\\" \\"node worker.js\\""}}', 'package-lock.json': '{}' });
    assert.deepEqual(commands(single), ['install npm ci prod', 'start npm run start prod']);
  });

  test('a build running tsc after other steps is TypeScript; a build of plain node is not', async () => {
    const ts = await one(nodeEcosystemDetector, { 'package.json': '{"scripts":{"build":"rimraf dist && tsc -p tsconfig.build.json"}}' });
    assert.equal(only(ts, 'language').value, 'typescript');
    const js = await one(nodeEcosystemDetector, { 'package.json': '{"scripts":{"build":"node build.js --tsc-compat"}}' });
    assert.equal(only(js, 'language').value, 'javascript');
  });
});

describe('an app in a workspace', () => {
  test('appDir: app files first, root lockfile and version files shared, other apps ignored', async () => {
    const repo = memoryRepo({
      'pnpm-lock.yaml': '',
      '.nvmrc': '22\n',
      'Dockerfile': 'ARG NODE_VERSION=22.3.0\nFROM node:${NODE_VERSION}-slim\n',
      'apps/api/package.json': '{\n  "scripts": { "start": "node index.js" },\n  "dependencies": { "koa": "2" }\n}',
      'apps/api/index.js': 'const port = process.env.API_PORT || 4000;\napp.listen(port);\n',
      'apps/web/index.js': 'app.listen(5555); process.env.WEB_ONLY;\n',
    });
    const s = await run(repo, 'apps/api');
    assert.equal(only(s, 'package-manager').value, 'pnpm');
    assert.deepEqual(of(s, 'runtime').map((r) => `${r.range}@${at(r)}`), ['22@.nvmrc:1', '22.3.0@Dockerfile:2']);
    assert.equal(only(s, 'framework').value, 'koa');
    assert.deepEqual(commands(s), ['install pnpm install --frozen-lockfile prod', 'start pnpm start prod']);
    assert.deepEqual([only(s, 'port').port, at(only(s, 'port'))], [4000, 'apps/api/index.js:1']);
    assert.deepEqual(env(s), { API_PORT: false });
  });
});

describe('astro', () => {
  test('static by default (astro-static, the id the strategy ranker knows); output: server keeps astro', async () => {
    const st = await one(nodeFrameworkDetector, { 'package.json': '{"dependencies":{"astro":"4"}}' });
    assert.deepEqual([only(st, 'framework').value, only(st, 'framework').detail], ['astro-static', { output: 'static', outDir: 'dist' }]);
    const srv = await one(nodeFrameworkDetector, { 'package.json': '{"dependencies":{"astro":"4"}}', 'astro.config.mjs': "export default defineConfig({ output: 'server' })" });
    assert.deepEqual([only(srv, 'framework').value, only(srv, 'framework').detail], ['astro', { output: 'server' }]);
  });
});
