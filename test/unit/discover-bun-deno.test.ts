// Bun and Deno apps: the JS detectors on the bun-elysia and deno-oak fixtures field by field, in-memory edge cases, and the resolved briefs.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { RunContext } from '../../src/core/context.js';
import { Redactor } from '../../src/core/redact.js';
import { RecordingExecutor } from '../../src/exec/recording.js';
import { discover, resolveBrief } from '../../src/stages/discover/index.js';
import { detectors } from '../../src/stages/discover/detectors/node/index.js';
import { denoCommandsDetector, denoEntry } from '../../src/stages/discover/detectors/node/deno-commands.js';
import { specifierPackage } from '../../src/stages/discover/detectors/node/deno-imports.js';
import { nodeEcosystemDetector } from '../../src/stages/discover/detectors/node/ecosystem.js';
import { nodeCommandsDetector } from '../../src/stages/discover/detectors/node/commands.js';
import { nodeDatastoreDetector } from '../../src/stages/discover/detectors/node/datastores.js';
import { nodeEnvDetector } from '../../src/stages/discover/detectors/node/env.js';
import { nodeFrameworkDetector } from '../../src/stages/discover/detectors/node/framework.js';
import { nodeHealthDetector } from '../../src/stages/discover/detectors/node/health.js';
import { blankJsonc, parseJsonc } from '../../src/stages/discover/detectors/node/jsonc.js';
import { nodePortDetector } from '../../src/stages/discover/detectors/node/ports.js';
import { nodeRuntimeDetector, normalizeNodeVersion } from '../../src/stages/discover/detectors/node/runtime.js';
import type { Detector, Signal } from '../../src/stages/discover/types.js';
import { memoryRepo } from '../helpers/memory-repo.js';
import { detectorRunner, envMap, FIXTURES, of, type Of } from '../helpers/signals.js';

const { run, fixture } = detectorRunner(detectors);

async function one(d: Detector, files: Record<string, string>, appDir = ''): Promise<Signal[]> {
  return d.detect({ repo: memoryRepo(files), appDir });
}
function only<K extends Signal['kind']>(signals: readonly Signal[], kind: K): Of<K> {
  const list = of(signals, kind);
  assert.equal(list.length, 1, `exactly one ${kind} signal, got ${JSON.stringify(list)}`);
  return list[0]!;
}
/** `file:line` of evidence i. */
function at(s: Signal, i = 0): string {
  const e = s.evidence[i];
  assert.ok(e, 'has evidence');
  return `${e.file}:${e.line}`;
}
function commands(signals: readonly Signal[]): string[] {
  return of(signals, 'command').map((c) => `${c.role} ${c.command} ${c.production ? 'prod' : 'dev'}`);
}
const ports = (s: readonly Signal[]): string[] => of(s, 'port').map((p) => `${p.port} ${p.source} ${p.confidence} ${at(p)}`);
const health = (s: readonly Signal[]): Record<string, string> => Object.fromEntries(of(s, 'health').map((h) => [h.path, `${h.confidence} ${at(h)}`]));

describe('fixture: bun-elysia (Bun, Elysia, postgres, bun.lock)', async () => {
  const s = await fixture('bun-elysia');

  test('ecosystem bun from the packageManager field; typescript via tsconfig', () => {
    const e = only(s, 'ecosystem');
    assert.deepEqual([e.value, e.source, e.confidence, at(e), e.evidence[0]?.text], ['bun', 'build-file', 'high', 'package.json:7', '"packageManager": "bun@1.1.43",']);
    assert.deepEqual([only(s, 'language').value, at(only(s, 'language'))], ['typescript', 'tsconfig.json:1']);
  });

  test('package manager bun with its version', () => {
    const pm = only(s, 'package-manager');
    assert.deepEqual([pm.value, pm.version, pm.confidence, at(pm)], ['bun', '1.1.43', 'high', 'package.json:7']);
  });

  test('runtime bun 1.1.43 from .tool-versions and from packageManager (never node)', () => {
    assert.deepEqual(of(s, 'runtime').map((r) => `${r.runtime} ${r.range} ${r.source} ${at(r)}`), [
      'bun 1.1.43 build-file .tool-versions:1', 'bun 1.1.43 build-file package.json:7',
    ]);
    assert.equal(of(s, 'runtime')[0]?.evidence[0]?.text, 'bun 1.1.43');
  });

  test('elysia framework at its dependency line', () => {
    const f = only(s, 'framework');
    assert.deepEqual([f.value, f.confidence, at(f)], ['elysia', 'high', 'package.json:16']);
  });

  test('commands run with bun: frozen install, build, start (bun src/index.ts), watch mode is dev', () => {
    assert.deepEqual(commands(s), [
      'install bun install --frozen-lockfile prod', 'build bun run build prod', 'start bun run start prod', 'dev bun run dev dev', 'test bun run test dev',
    ]);
    const start = of(s, 'command').find((c) => c.role === 'start')!;
    assert.deepEqual([at(start), start.evidence[0]?.text], ['package.json:11', '"start": "bun src/index.ts",']);
    assert.equal(of(s, 'risk').length, 0);
  });

  test('port 3000 from Bun.serve({ port: Number(Bun.env.PORT ?? 3000) })', () => {
    const p = only(s, 'port');
    assert.deepEqual([p.port, p.source, p.confidence, at(p), p.evidence[0]?.text], [3000, 'code', 'medium', 'src/index.ts:12', 'port: Number(Bun.env.PORT ?? 3000),']);
  });

  test("/health from Elysia's chained .get", () => {
    const h = only(s, 'health');
    assert.deepEqual([h.path, h.source, h.confidence, at(h), h.evidence[0]?.text], ['/health', 'code', 'high', 'src/index.ts:7', ".get('/health', () => ({ status: 'ok' }))"]);
  });

  test('env: Bun.env and process.env; throw guard and `!` are required; the test file is skipped', () => {
    assert.deepEqual(envMap(s), { CORS_ORIGIN: false, DATABASE_URL: true, DB_POOL_MAX: false, JWT_SECRET: true, PORT: false });
    const db = of(s, 'env').find((e) => e.name === 'DATABASE_URL')!;
    assert.deepEqual([db.confidence, at(db), db.evidence[0]?.text], ['high', 'src/db.ts:4', 'if (!Bun.env.DATABASE_URL) {']);
    const jwt = of(s, 'env').find((e) => e.name === 'JWT_SECRET')!;
    assert.deepEqual([jwt.confidence, at(jwt)], ['medium', 'src/auth.ts:1']);
    assert.equal(of(s, 'env').find((e) => e.name === 'CORS_ORIGIN')?.evidence[0]?.text, ".use(cors({ origin: Bun.env.CORS_ORIGIN ?? '…' }))", 'the default value is blanked');
  });

  test('postgresql from the postgres package', () => {
    const d = only(s, 'datastore');
    assert.deepEqual([d.value, d.required, at(d)], ['postgresql', true, 'package.json:17']);
  });

  test('no problems', () => {
    assert.deepEqual(of(s, 'problem'), []);
  });
});

describe('fixture: deno-oak (Deno, Oak, deno.jsonc with comments, deno-postgres)', async () => {
  const s = await fixture('deno-oak');

  test('ecosystem deno from deno.jsonc and deno.lock; typescript; deno is the package manager', () => {
    const e = only(s, 'ecosystem');
    assert.deepEqual([e.value, e.confidence, e.evidence.map((x) => `${x.file}:${x.line}`)], ['deno', 'high', ['deno.jsonc:1', 'deno.lock:null']]);
    assert.deepEqual([only(s, 'language').value, at(only(s, 'language'))], ['typescript', 'main.ts:null']);
    const pm = only(s, 'package-manager');
    assert.deepEqual([pm.value, pm.version, pm.confidence, at(pm)], ['deno', undefined, 'high', 'deno.lock:null']);
  });

  test('runtime deno 2.1.4 from .dvmrc', () => {
    const r = only(s, 'runtime');
    assert.deepEqual([r.runtime, r.range, r.source, r.confidence, at(r), r.evidence[0]?.text], ['deno', '2.1.4', 'build-file', 'high', '.dvmrc:1', '2.1.4']);
  });

  test('oak from the import map, cited in deno.jsonc past its comments', () => {
    const f = only(s, 'framework');
    assert.deepEqual([f.value, at(f), f.evidence[0]?.text], ['oak', 'deno.jsonc:11', '"@oak/oak": "jsr:@oak/oak@^17.1.3",']);
  });

  test('commands from tasks: deno task start (production), deno cache of its entry, --watch dev, test', () => {
    assert.deepEqual(commands(s), ['start deno task start prod', 'install deno cache main.ts prod', 'dev deno task dev dev', 'test deno task test dev']);
    const start = of(s, 'command').find((c) => c.role === 'start')!;
    assert.deepEqual([start.source, start.confidence, at(start)], ['build-file', 'high', 'deno.jsonc:4']);
    const install = of(s, 'command').find((c) => c.role === 'install')!;
    assert.deepEqual([install.source, at(install)], ['build-file', 'deno.jsonc:4']);
    assert.equal(of(s, 'risk').length, 0);
  });

  test('port 8000 from the PORT default, shared by app.listen({ hostname, port })', () => {
    const p = only(s, 'port');
    assert.deepEqual([p.port, p.source, p.confidence, at(p)], [8000, 'code', 'medium', 'main.ts:18']);
  });

  test('/healthz from the oak router (medium: a router may be mounted under a prefix)', () => {
    assert.deepEqual(health(s), { '/healthz': 'medium main.ts:6' });
  });

  test('env from Deno.env.get: a read whose local is throw-guarded is required, ?? defaults optional; main_test.ts ignored', () => {
    assert.deepEqual(envMap(s), { DATABASE_URL: true, DB_POOL_SIZE: false, HOST: false, PORT: false });
    const db = of(s, 'env').find((e) => e.name === 'DATABASE_URL')!;
    assert.deepEqual([db.confidence, at(db)], ['high', 'db.ts:3'], 'const databaseUrl = Deno.env.get(…); if (!databaseUrl) throw');
    assert.equal(of(s, 'env').find((e) => e.name === 'HOST')?.evidence[0]?.text, 'const hostname = Deno.env.get("HOST") ?? "…";');
  });

  test('postgresql from the deno.land/x/postgres import', () => {
    const d = only(s, 'datastore');
    assert.deepEqual([d.value, d.required, at(d)], ['postgresql', true, 'deno.jsonc:13']);
  });

  test('no problems: the comments, URLs and trailing commas of deno.jsonc parse', () => {
    assert.deepEqual(of(s, 'problem'), []);
  });
});

describe('JSONC', () => {
  test('comments and trailing commas are blanked in place; strings (URLs, "//", "/*") are kept', () => {
    const text = '{\n  // c\n  "a": "https://x.dev/y", /* b\n  c */ "b": "/* no */",\n  "c": [1, 2,],\n}\n';
    const blank = blankJsonc(text);
    assert.equal(blank.length, text.length);
    assert.deepEqual(blank.split('\n').length, text.split('\n').length);
    assert.deepEqual(JSON.parse(blank), { a: 'https://x.dev/y', b: '/* no */', c: [1, 2] });
    assert.equal(blank.indexOf('"b"'), text.indexOf('"b"'), 'offsets unchanged');
  });

  test('escaped quotes inside strings do not end them', () => {
    const r = parseJsonc('{ "a": "say \\"//hi\\"", // x\n "b": 1 }');
    assert.ok(r.ok);
    assert.deepEqual(r.ok ? r.value : null, { a: 'say "//hi"', b: 1 });
  });

  test('an error carries a line', () => {
    const r = parseJsonc('{\n  "a": 1\n  "b": 2\n}');
    assert.equal(r.ok, false);
    assert.equal(r.ok ? 0 : r.line, 3);
  });
});

describe('Bun edge cases', () => {
  test('bunfig.toml alone: bun ecosystem, bun package manager (medium), plain bun install, entry from "module"', async () => {
    const files = {
      'package.json': '{\n  "name": "x",\n  "module": "server.ts",\n  "dependencies": { "hono": "4" }\n}',
      'bunfig.toml': '[install]\nexact = true\n',
      'server.ts': 'import { Hono } from "hono";\nconst app = new Hono();\napp.get("/healthz", (c) => c.text("ok"));\nexport default { port: 8787, fetch: app.fetch };\n',
    };
    const s = await run(memoryRepo(files));
    assert.deepEqual([only(s, 'ecosystem').value, at(only(s, 'ecosystem'))], ['bun', 'bunfig.toml:null']);
    const pm = only(s, 'package-manager');
    assert.deepEqual([pm.value, pm.confidence], ['bun', 'medium']);
    assert.deepEqual(commands(s), ['install bun install prod', 'start bun server.ts prod']);
    const start = of(s, 'command').find((c) => c.role === 'start')!;
    assert.deepEqual([start.source, start.confidence, at(start)], ['fallback', 'medium', 'package.json:3']);
    assert.equal(only(s, 'language').value, 'typescript', 'bun runs .ts without a tsconfig');
    assert.equal(only(s, 'framework').value, 'hono');
    assert.deepEqual(ports(s), ['8787 code high server.ts:4'], "Hono's Bun export default { port, fetch }");
    assert.deepEqual(health(s), { '/healthz': 'high server.ts:3' });
  });

  test('text bun.lock: frozen install cited at the lockfile', async () => {
    const s = await run(memoryRepo({ 'package.json': '{"scripts":{"start":"bun run src/index.ts"}}', 'bun.lock': '{\n  "lockfileVersion": 1,\n}\n', 'src/index.ts': '' }));
    assert.deepEqual([only(s, 'ecosystem').value, at(only(s, 'ecosystem'))], ['bun', 'bun.lock:null']);
    assert.deepEqual(commands(s), ['install bun install --frozen-lockfile prod', 'start bun run start prod']);
    assert.equal(at(of(s, 'command')[0]!), 'bun.lock:null');
  });

  test('a start script run by bun names the runtime even with an npm lockfile; scripts still run with npm', async () => {
    const s = await run(memoryRepo({
      'package.json': '{\n  "scripts": {\n    "start": "bun src/index.ts"\n  }\n}', 'package-lock.json': '{}', 'src/index.ts': 'Bun.serve({ fetch: () => new Response("hi") });\n',
    }));
    const e = only(s, 'ecosystem');
    assert.deepEqual([e.value, e.confidence, at(e)], ['bun', 'medium', 'package.json:3']);
    assert.equal(only(s, 'package-manager').value, 'npm');
    assert.deepEqual(commands(s), ['install npm ci prod', 'start npm run start prod']);
    assert.deepEqual(ports(s), ['3000 fallback low src/index.ts:1'], "Bun.serve's default port when none is set");
  });

  test('runtime: packageManager bun@1.1.x, engines.bun, .bun-version; node versions stay node', async () => {
    assert.deepEqual(normalizeNodeVersion('1.1.x'), { range: '1.1.x', confidence: 'high' });
    const s = await one(nodeRuntimeDetector, {
      'package.json': '{\n  "packageManager": "bun@1.1.x",\n  "engines": { "bun": ">=1.1.0", "node": ">=20" }\n}',
      '.bun-version': '1.1.43\n',
      '.nvmrc': '20\n',
    });
    assert.deepEqual(of(s, 'runtime').map((r) => `${r.runtime} ${r.range} ${at(r)}`), [
      'node 20 .nvmrc:1', 'bun 1.1.43 .bun-version:1', 'node >=20 package.json:3', 'bun >=1.1.0 package.json:3', 'bun 1.1.x package.json:2',
    ]);
    const pm = only(await one(nodeEcosystemDetector, { 'package.json': '{\n  "packageManager": "bun@1.1.x"\n}' }), 'package-manager');
    assert.deepEqual([pm.value, pm.version], ['bun', '1.1.x']);
  });

  test('a Bun app with only a Node version file resolves no runtime rather than node; bun is still named to check', async () => {
    const repo = memoryRepo({ 'package.json': '{\n  "scripts": { "start": "bun src/index.ts" }\n}', 'bun.lockb': 'x', '.nvmrc': '20\n', 'src/index.ts': '' });
    const b = await resolveBrief(repo, await run(repo), { app: 'x', root: '/r', appDir: '', commit: null, apps: [] });
    assert.equal(b.stack.ecosystem?.value, 'bun');
    assert.equal(b.stack.runtime, null);
    assert.deepEqual(b.runtimes, [{ name: 'bun', range: null }]);
  });

  test('Bun.serve: literal port; routes table and request pathname checks are health routes', async () => {
    const lit = await one(nodePortDetector, { 'package.json': '{}', 'bun.lockb': 'x', 'a.ts': 'Bun.serve({ port: 4000, fetch: handler });\n' });
    assert.deepEqual(ports(lit), ['4000 code high a.ts:1']);
    const h = await one(nodeHealthDetector, {
      'package.json': '{}', 'bun.lockb': 'x',
      'a.ts': 'Bun.serve({\n  routes: {\n    "/api/users": list,\n    "/livez": new Response("ok"),\n  },\n  fetch(req) {\n    const url = new URL(req.url);\n    if (url.pathname === "/ready") return new Response("ok");\n    return new Response("not found", { status: 404 });\n  },\n});\n',
      'b.ts': 'if ("/status" === new URL(req.url).pathname) return ok();\n',
      'client.ts': 'if (window.location.pathname === "/ping") render();\nif ("/up" === location.pathname) render();\n',
    });
    assert.deepEqual(health(h), { '/livez': 'high a.ts:4', '/ready': 'medium a.ts:8', '/status': 'medium b.ts:1' }, 'location.pathname is the browser, not a route');
  });

  test('Elysia: .listen(3000) on the chain; a prefixed instance makes its routes medium; a chained client call is no route', async () => {
    const s = await run(memoryRepo({
      'package.json': '{"dependencies":{"elysia":"1"}}', 'bun.lockb': 'x',
      'src/index.ts': "new Elysia({ prefix: '/v1' })\n  .get('/healthz', () => 'ok')\n  .listen(3000);\n",
      'src/api.ts': "export const ping = () => treaty(base).get('/health');\n",
    }));
    assert.deepEqual(ports(s), ['3000 code high src/index.ts:3']);
    assert.deepEqual(health(s), { '/healthz': 'medium src/index.ts:2' });
  });

  test('a chain on a bare new Hono() serves at the root; a chained Router() may be mounted under a prefix', async () => {
    const s = await one(nodeHealthDetector, {
      'package.json': '{"dependencies":{"hono":"4","express":"4"}}', 'bun.lockb': 'x',
      'a.ts': "export const app = new Hono()\n  .get('/up', (c) => c.text('ok'));\n",
      'b.ts': "export const r = express.Router()\n  .get('/ping', (_req, res) => res.end());\n",
    });
    assert.deepEqual(health(s), { '/up': 'high a.ts:2', '/ping': 'medium b.ts:2' });
  });

  test('bun:sqlite, Bun.sql and Bun.redis are datastores', async () => {
    const s = await one(nodeDatastoreDetector, {
      'package.json': '{}', 'bun.lockb': 'x',
      'src/db.ts': 'import { Database } from "bun:sqlite";\nexport const db = new Database("app.sqlite");\n',
      'src/pg.ts': 'import { sql } from "bun";\nexport const rows = await sql`select 1`;\n',
      'src/cache.ts': 'await Bun.redis.set("k", "v");\n',
    });
    assert.deepEqual(of(s, 'datastore').map((d) => `${d.value} ${d.required} ${d.confidence} ${at(d)}`).sort(), [
      'postgresql true medium src/pg.ts:1', 'redis true medium src/cache.ts:1', 'sqlite true high src/db.ts:1',
    ]);
    const node = await one(nodeDatastoreDetector, { 'package.json': '{}', 'a.ts': 'import { Database } from "bun:sqlite";\n' });
    assert.deepEqual(node, [], 'only Bun apps have bun:sqlite');
  });

  test('env: destructured Bun.env, bracket reads, `!` assertion is a bare (required) read', async () => {
    const s = await one(nodeEnvDetector, {
      'package.json': '{}', 'bun.lockb': 'x',
      'a.ts': "const { A, B = 'x' } = Bun.env;\nconst c = Bun.env['C']!;\nconst d = Bun.env.D ?? 'y';\n",
      'a.test.ts': 'Bun.env.NOPE',
    });
    assert.deepEqual(envMap(s), { A: true, B: false, C: true, D: false });
  });
});

describe('Deno edge cases', () => {
  test('Fresh 1.x: $fresh import, start is the watcher so preview is the production start, default port 8000, routes/api/health.ts', async () => {
    const s = await run(memoryRepo({
      'deno.json': JSON.stringify({
        tasks: { start: 'deno run -A --watch=static/,routes/ dev.ts', build: 'deno run -A dev.ts build', preview: 'deno run -A main.ts' },
        imports: { '$fresh/': 'https://deno.land/x/fresh@1.6.8/', preact: 'https://esm.sh/preact@10.19.6' },
      }, null, 2),
      'main.ts': 'import { start } from "$fresh/server.ts";\nimport manifest from "./fresh.gen.ts";\nawait start(manifest);\n',
      'dev.ts': 'import dev from "$fresh/dev.ts";\nawait dev(import.meta.url, "./main.ts");\n',
      'routes/api/health.ts': 'import { Handlers } from "$fresh/server.ts";\n\nexport const handler: Handlers = {\n  GET() { return new Response("ok"); },\n};\n',
      'routes/_app.tsx': 'export default function App() {}\n',
      'routes/index.tsx': 'export default function Home() {}\n',
    }));
    const f = only(s, 'framework');
    assert.deepEqual([f.value, at(f)], ['fresh', 'deno.json:8']);
    assert.deepEqual(commands(s), ['start deno task start dev', 'start deno task preview prod', 'install deno cache main.ts prod', 'build deno task build prod']);
    assert.equal(of(s, 'risk').length, 0, 'preview is a production start');
    assert.deepEqual(ports(s), ['8000 fallback low deno.json:8']);
    assert.deepEqual(health(s), { '/api/health': 'high routes/api/health.ts:3' });
  });

  test('Hono on Deno from a direct jsr: import; Deno.serve(app.fetch) → 8000 as the default (low)', async () => {
    const s = await run(memoryRepo({
      'deno.json': '{ "tasks": { "start": "deno run --allow-net main.ts" } }',
      'main.ts': 'import { Hono } from "jsr:@hono/hono@^4.6";\nconst app = new Hono();\napp.get("/healthz", (c) => c.text("ok"));\nDeno.serve(app.fetch);\n',
    }));
    const f = only(s, 'framework');
    assert.deepEqual([f.value, at(f)], ['hono', 'main.ts:1']);
    assert.deepEqual(ports(s), ['8000 fallback low main.ts:4']);
    assert.deepEqual(health(s), { '/healthz': 'high main.ts:3' });
    assert.equal(only(await one(nodeFrameworkDetector, { 'deno.json': '{"imports":{"hono":"npm:hono@4"}}' }), 'framework').value, 'hono');
  });

  test('Deno.serve({ port: 8080 }, handler) and { port } shorthand; a handler with no port → 8000', async () => {
    assert.deepEqual(ports(await one(nodePortDetector, { 'deno.json': '{}', 'main.ts': 'Deno.serve({ port: 8080, hostname: "0.0.0.0" }, handler);\n' })), ['8080 code high main.ts:1']);
    assert.deepEqual(ports(await one(nodePortDetector, { 'deno.json': '{}', 'main.ts': 'const port = 9000;\nDeno.serve({ port }, handler);\n' })), ['9000 code high main.ts:1']);
    assert.deepEqual(ports(await one(nodePortDetector, { 'deno.json': '{}', 'main.ts': 'Deno.serve((_req) => new Response("hi"));\n' })), ['8000 fallback low main.ts:1']);
    assert.deepEqual(ports(await one(nodePortDetector, { 'deno.json': '{}', 'main.ts': 'Deno.serve({ hostname: "::" }, handler);\n' })), ['8000 fallback low main.ts:1']);
  });

  test('deno serve: --port in the task is a build-file fact; without it 8000; export default { fetch } falls back to deno serve', async () => {
    const withPort = await run(memoryRepo({ 'deno.json': '{\n  "tasks": {\n    "start": "deno serve --allow-env --port 8787 main.ts"\n  }\n}', 'main.ts': 'export default { fetch() { return new Response("ok"); } };\n' }));
    assert.deepEqual(ports(withPort), ['8787 build-file high deno.json:3']);
    assert.deepEqual(commands(withPort), ['start deno task start prod', 'install deno cache main.ts prod']);
    const noPort = await one(nodePortDetector, { 'deno.json': '{\n  "tasks": {\n    "start": "deno serve main.ts"\n  }\n}', 'main.ts': '' });
    assert.deepEqual(ports(noPort), ['8000 fallback low deno.json:3']);
    const noTasks = await one(denoCommandsDetector, { 'deno.json': '{}', 'main.ts': 'export default {\n  fetch(req: Request) { return new Response("ok"); },\n} satisfies Deno.ServeDefaultExport;\n' });
    assert.deepEqual(commands(noTasks), ['install deno cache main.ts prod', 'start deno serve -A main.ts prod']);
    assert.deepEqual(of(noTasks, 'command').map((c) => `${c.source} ${c.confidence}`), ['fallback medium', 'fallback low']);
  });

  test('tasks: Deno 2 object form, start:prod ranks over start, a --watch start is dev, migrations', async () => {
    const s = await one(denoCommandsDetector, {
      'deno.json': JSON.stringify({
        tasks: {
          'start:prod': { command: 'deno run --allow-net --allow-env src/server.ts', description: 'production' },
          start: 'deno run --watch -A src/server.ts',
          'db:migrate': 'deno run -A scripts/migrate.ts',
          'db:migrate:create': 'deno run -A scripts/new.ts',
        },
      }, null, 2),
      'src/server.ts': '',
    });
    assert.deepEqual(commands(s), ['start deno task start:prod prod', 'start deno task start dev', 'install deno cache src/server.ts prod', 'migrate deno task db:migrate prod']);
    assert.equal(at(of(s, 'command')[0]!), 'deno.json:3');
  });

  test('only a watcher: the start is not production and a risk says so', async () => {
    const s = await one(denoCommandsDetector, { 'deno.jsonc': '{ "tasks": { "dev": "deno run --watch -A main.ts" } }', 'main.ts': '' });
    assert.deepEqual(commands(s), ['install deno cache main.ts prod', 'dev deno task dev dev']);
    assert.equal(only(s, 'risk').message, 'production start command needed: only a dev server (deno run --watch -A main.ts) was found');
  });

  test('the entry of a deno run / deno serve command', () => {
    assert.equal(denoEntry('deno run --allow-net --allow-read=./static main.ts'), 'main.ts');
    assert.equal(denoEntry('deno run -c ./deno.json --env-file=.env ./src/app.tsx --port 9'), 'src/app.tsx');
    assert.equal(denoEntry('deno fmt && deno serve -A --port 8000 server.js'), 'server.js');
    assert.equal(denoEntry('deno run -A jsr:@std/http/file-server'), null);
    assert.equal(denoEntry('deno test -A'), null);
  });

  test('specifiers: jsr, npm, deno.land/x and esm.sh name their package; relative paths none', () => {
    assert.equal(specifierPackage('jsr:@oak/oak@^17.1.3'), '@oak/oak');
    assert.equal(specifierPackage('npm:hono@4/jsx'), 'hono');
    assert.equal(specifierPackage('npm:@hono/node-server'), '@hono/node-server');
    assert.equal(specifierPackage('https://deno.land/x/oak@v12.6.1/mod.ts'), 'x/oak');
    assert.equal(specifierPackage('https://esm.sh/preact@10.19.6'), 'preact');
    assert.equal(specifierPackage('./lib/mod.ts'), null);
  });

  test('env: Deno.env.get with `!`, ??, a throw guard, Deno.env.has, toObject destructuring; _test and .test files skipped', async () => {
    const s = await one(nodeEnvDetector, {
      'deno.json': '{}',
      'main.ts': [
        'const a = Deno.env.get("API_TOKEN")!;',
        'const b = Deno.env.get("LOG_LEVEL") ?? "info";',
        'if (!Deno.env.get("DATABASE_URL")) throw new Error("DATABASE_URL");',
        'if (Deno.env.has("SENTRY_DSN")) init(Deno.env.get("SENTRY_DSN"));',
        "const { REGION, ZONE = 'a' } = Deno.env.toObject();",
      ].join('\n'),
      'main_test.ts': 'Deno.env.get("TEST_ONLY");',
      'util.test.ts': 'Deno.env.get("ALSO_TEST");',
      'bench_bench.ts': 'Deno.env.get("BENCH");',
    });
    assert.deepEqual(envMap(s), { API_TOKEN: true, DATABASE_URL: true, LOG_LEVEL: false, REGION: true, SENTRY_DSN: false, ZONE: false });
    assert.equal(of(s, 'env').find((e) => e.name === 'DATABASE_URL')?.confidence, 'high');
  });

  test('runtime: .tool-versions deno, Dockerfile denoland/deno; none when nothing states a version', async () => {
    const s = await one(nodeRuntimeDetector, { 'deno.json': '{}', '.tool-versions': 'deno 2.1.4\n', 'Dockerfile': 'FROM denoland/deno:2.1.4\n' });
    assert.deepEqual(of(s, 'runtime').map((r) => `${r.runtime} ${r.range} ${r.source} ${at(r)}`), ['deno 2.1.4 build-file .tool-versions:1', 'deno 2.1.4 deploy-material Dockerfile:1']);
    assert.deepEqual(await one(nodeRuntimeDetector, { 'deno.json': '{}', 'main.ts': '' }), []);
  });

  test('datastores from jsr/npm imports in source and the import map', async () => {
    const s = await one(nodeDatastoreDetector, {
      'deno.json': '{\n  "imports": {\n    "pg": "npm:pg@8"\n  }\n}',
      'db.ts': 'import { Database } from "jsr:@db/sqlite@0.12";\nimport Redis from "npm:ioredis@5";\n',
    });
    assert.deepEqual(of(s, 'datastore').map((d) => `${d.value} ${at(d)}`), ['postgresql deno.json:3', 'sqlite db.ts:1', 'redis db.ts:2']);
  });

  test('importMap file (older projects) is read for frameworks', async () => {
    const s = await one(nodeFrameworkDetector, { 'deno.json': '{ "importMap": "./import_map.json" }', 'import_map.json': '{\n  "imports": {\n    "oak": "https://deno.land/x/oak@v12.6.1/mod.ts"\n  }\n}' });
    assert.deepEqual([only(s, 'framework').value, at(only(s, 'framework'))], ['oak', 'import_map.json:3']);
  });

  test('a broken deno.jsonc is a problem with its file and line; discovery goes on from the source', async () => {
    const s = await run(memoryRepo({
      'deno.jsonc': '{\n  // tasks\n  "tasks": {\n    "start": "deno run -A main.ts"\n  \n  "imports": {}\n}\n',
      'main.ts': 'Deno.serve({ port: 8001 }, () => new Response(Deno.env.get("GREETING")));\n',
    }));
    const p = only(s, 'problem');
    assert.match(p.message, /^deno\.jsonc is not valid JSON/);
    assert.deepEqual(at(p), 'deno.jsonc:6');
    assert.equal(only(s, 'ecosystem').value, 'deno');
    assert.deepEqual(ports(s), ['8001 code high main.ts:1']);
    assert.deepEqual(envMap(s), { GREETING: true });
    assert.deepEqual(commands(s), ['install deno cache main.ts prod', 'start deno run -A main.ts prod'], 'conventional entry when the tasks cannot be read');
  });

  test('which runtime: deno.lock alone is Deno; package.json with deno.json and no Node lockfile is Deno (deno task runs its scripts); an npm lockfile makes it Node', async () => {
    assert.equal(only(await one(nodeEcosystemDetector, { 'deno.lock': '{}', 'main.ts': '' }), 'ecosystem').value, 'deno');
    const both = await run(memoryRepo({ 'package.json': '{\n  "scripts": {\n    "start": "deno run -A main.ts"\n  }\n}', 'deno.json': '{}', 'main.ts': '' }));
    assert.equal(only(both, 'ecosystem').value, 'deno');
    assert.deepEqual(commands(both), ['start deno task start prod', 'install deno cache main.ts prod']);
    assert.equal(at(of(both, 'command')[0]!), 'package.json:3');
    const node = await run(memoryRepo({ 'package.json': '{"scripts":{"start":"node index.js"}}', 'package-lock.json': '{}', 'deno.json': '{"fmt":{}}' }));
    assert.equal(only(node, 'ecosystem').value, 'node');
    assert.deepEqual(commands(node), ['install npm ci', 'start npm run start'].map((c) => `${c} prod`));
  });

  test('node commands stay silent for a Deno app', async () => {
    assert.deepEqual(await one(nodeCommandsDetector, { 'package.json': '{"scripts":{"start":"deno run main.ts"}}', 'deno.json': '{}' }), []);
  });
});

const ctx = (): RunContext => ({ executor: new RecordingExecutor(), redactor: new Redactor(), now: () => new Date('2026-01-02T03:04:05.000Z') });

describe('brief: bun-elysia end to end', async () => {
  const b = await discover(ctx(), `${FIXTURES}bun-elysia`);
  const d = b.data;

  test('stack: bun, typescript, elysia, bun 1.1.43 from a build file, bun@1.1.43', () => {
    assert.equal(b.status, 'ok');
    assert.deepEqual([d.stack.ecosystem?.value, d.stack.language?.value, d.stack.packageManager?.value], ['bun', 'typescript', 'bun@1.1.43']);
    assert.deepEqual(d.stack.frameworks.map((f) => f.value.name), ['elysia']);
    assert.deepEqual([d.stack.runtime?.value, d.stack.runtime?.source, d.stack.runtime?.evidence[0]?.file], [{ runtime: 'bun', range: '1.1.43' }, 'build-file', '.tool-versions']);
    assert.deepEqual(d.runtimes, [{ name: 'bun', range: '1.1.43' }]);
    assert.deepEqual(d.conflicts, []);
  });

  test('commands, port, health', () => {
    assert.deepEqual([d.commands.install?.value.command, d.commands.build?.value.command, d.commands.start?.value], ['bun install --frozen-lockfile', 'bun run build', { command: 'bun run start', production: true }]);
    assert.deepEqual([d.port?.value, d.port?.source, d.ports], [3000, 'code', [3000]]);
    assert.deepEqual(d.health.map((h) => h.value), ['/health']);
  });

  test('env and datastores', () => {
    assert.deepEqual(d.envVars.filter((e) => e.required === true).map((e) => e.name), ['DATABASE_URL', 'JWT_SECRET']);
    assert.deepEqual(d.envVars.filter((e) => e.required === false).map((e) => e.name), ['CORS_ORIGIN', 'DB_POOL_MAX', 'PORT']);
    assert.deepEqual(d.env, [{ name: 'DATABASE_URL', required: true, secret: true }, { name: 'JWT_SECRET', required: true, secret: true }]);
    assert.deepEqual(d.datastores.map((x) => [x.kind, x.required]), [['postgresql', true]]);
  });

  test('strategy: systemd with bun on the host (pm2 would add node for a Bun server)', () => {
    assert.equal(d.strategy, 'systemd');
    assert.deepEqual(d.strategies[0]?.needs, ['systemd as PID 1', 'root or passwordless sudo', 'bun 1.1.43 on the host']);
    const pm2 = d.strategies.find((s) => s.name === 'pm2');
    assert.deepEqual([pm2?.score, pm2?.needs], [55, ['bun on the host', 'node on the host (pm2 runs on it)', 'pm2 (installed by the deploy if missing)']]);
  });

  test('apps list names the app as bun', () => {
    assert.deepEqual(d.apps.map((a) => [a.dir, a.ecosystem]), [['', 'bun']]);
  });
});

describe('brief: deno-oak end to end', async () => {
  const b = await discover(ctx(), `${FIXTURES}deno-oak`);
  const d = b.data;

  test('stack: deno, typescript, oak, deno 2.1.4 from .dvmrc, deno as package manager', () => {
    assert.equal(b.status, 'ok');
    assert.deepEqual([d.stack.ecosystem?.value, d.stack.language?.value, d.stack.packageManager?.value], ['deno', 'typescript', 'deno']);
    assert.deepEqual(d.stack.frameworks.map((f) => f.value.name), ['oak']);
    assert.deepEqual([d.stack.runtime?.value, d.stack.runtime?.source, d.stack.runtime?.evidence[0]?.file], [{ runtime: 'deno', range: '2.1.4' }, 'build-file', '.dvmrc']);
    assert.deepEqual(d.runtimes, [{ name: 'deno', range: '2.1.4' }]);
    assert.deepEqual([d.problems, d.conflicts], [[], []]);
  });

  test('commands, port, health', () => {
    assert.deepEqual([d.commands.install?.value.command, d.commands.build, d.commands.start?.value], ['deno cache main.ts', null, { command: 'deno task start', production: true }]);
    assert.deepEqual([d.commands.dev?.value.command, d.commands.test?.value.command], ['deno task dev', 'deno task test']);
    assert.deepEqual([d.port?.value, d.port?.source, d.port?.evidence[0]?.file], [8000, 'code', 'main.ts']);
    assert.deepEqual(d.health.map((h) => h.value), ['/healthz']);
  });

  test('env (the test file\'s TEST_BASE_URL is not there) and datastores', () => {
    assert.deepEqual(d.envVars.filter((e) => e.required === true).map((e) => e.name), ['DATABASE_URL']);
    assert.deepEqual(d.envVars.filter((e) => e.required === false).map((e) => e.name), ['DB_POOL_SIZE', 'HOST', 'PORT']);
    assert.deepEqual(d.datastores.map((x) => [x.kind, x.required]), [['postgresql', true]]);
  });

  test('strategy: systemd with deno on the host', () => {
    assert.equal(d.strategy, 'systemd');
    assert.deepEqual(d.strategies.map((s) => s.name), ['systemd']);
    assert.deepEqual(d.strategies[0]?.needs, ['systemd as PID 1', 'root or passwordless sudo', 'deno 2.1.4 on the host']);
  });

  test('apps list names the app as deno', () => {
    assert.deepEqual(d.apps.map((a) => [a.dir, a.ecosystem]), [['', 'deno']]);
  });
});
