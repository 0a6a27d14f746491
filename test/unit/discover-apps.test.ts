// Tests for findApps: workspace members, conventional folders and the app/library/example/docs verdicts.
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { findApps, findAppsDetailed, globToRegExp } from '../../src/stages/discover/apps.js';
import { buildRepoIndex } from '../../src/stages/discover/repo.js';
import { memoryRepo } from '../helpers/memory-repo.js';

const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/discover/${name}/`, import.meta.url));
const summary = (apps: { dir: string; name: string; ecosystem: string }[]): string[] => apps.map((a) => `${a.dir || '.'} ${a.name} ${a.ecosystem}`);

describe('findApps on fixtures', () => {
  it('mono-npm: apps/api and apps/web; library, example and docs site left out', async () => {
    const repo = await buildRepoIndex(fixture('mono-npm'));
    const { apps, skipped } = await findAppsDetailed(repo);
    assert.deepEqual(summary(apps), ['apps/api @mono/api node', 'apps/web @mono/web node']);
    assert.deepEqual(skipped.map((s) => s.dir), ['docs', 'examples/demo', 'packages/ui']);
    assert.match(skipped.find((s) => s.dir === 'docs')?.reason ?? '', /docs/);
    assert.match(skipped.find((s) => s.dir === 'packages/ui')?.reason ?? '', /library/);
    const api = apps[0];
    assert.match(api?.reason ?? '', /npm workspace member with a start script \(express\)/);
    assert.deepEqual(api?.evidence, [{ file: 'package.json', line: 4 }, { file: 'apps/api/package.json', line: 4 }]);
  });

  it('mono-pnpm-go: the fastify gateway and the Go billing service; Go library and node library left out', async () => {
    const repo = await buildRepoIndex(fixture('mono-pnpm-go'));
    const { apps, skipped } = await findAppsDetailed(repo);
    assert.deepEqual(summary(apps), ['apps/gateway gateway node', 'services/billing billing go']);
    assert.deepEqual(skipped.map((s) => s.dir), ['libs/gokit', 'packages/utils']);
    const billing = apps[1];
    assert.ok(billing?.evidence.some((e) => e.file === 'services/billing/main.go' && e.line === 1));
    assert.ok(billing?.evidence.some((e) => e.file === 'go.work'));
  });
});

describe('findApps on in-memory repos', () => {
  it('single app → one candidate with dir ""', async () => {
    const apps = await findApps(memoryRepo({ 'package.json': '{"name":"shop","scripts":{"start":"node server.js"}}', 'server.js': '' }));
    assert.deepEqual(summary(apps), ['. shop node']);
  });

  it('empty repo → no candidates', async () => {
    assert.deepEqual(await findApps(memoryRepo({})), []);
  });

  it('workspaces as {packages: []} and a services/ folder with a Dockerfile', async () => {
    const apps = await findApps(memoryRepo({
      'package.json': '{"private":true,"workspaces":{"packages":["pkgs/*"]}}',
      'pkgs/srv/package.json': '{"name":"srv","dependencies":{"koa":"2"}}',
      'pkgs/lib/package.json': '{"name":"lib","main":"index.js","scripts":{"build":"tsc"}}',
      'services/worker/Dockerfile': 'FROM python:3.12\n',
      'services/worker/requirements.txt': 'celery\n',
    }));
    assert.deepEqual(summary(apps), ['pkgs/srv srv node', 'services/worker worker python']);
  });

  it('Cargo workspace: binaries are apps, libraries are not; exclude honoured', async () => {
    const apps = await findApps(memoryRepo({
      'Cargo.toml': '[workspace]\nmembers = ["crates/*"]\nexclude = ["crates/old"]\n',
      'crates/api/Cargo.toml': '[package]\nname = "api"\n[dependencies]\naxum = "0.7"\n',
      'crates/api/src/main.rs': 'fn main() {}\n',
      'crates/core/Cargo.toml': '[package]\nname = "core"\n',
      'crates/core/src/lib.rs': '',
      'crates/old/Cargo.toml': '[package]\nname = "old"\n',
      'crates/old/src/main.rs': 'fn main() {}\n',
    }));
    assert.deepEqual(summary(apps), ['crates/api api rust']);
  });

  it('no root manifest: top-level folders with manifests (backend/ + frontend/)', async () => {
    const apps = await findApps(memoryRepo({
      'backend/requirements.txt': 'fastapi\nuvicorn\n',
      'backend/main.py': '',
      'frontend/package.json': '{"name":"ui","scripts":{"start":"vite preview"}}',
      'README.md': '# two apps',
    }));
    assert.deepEqual(summary(apps), ['backend backend python', 'frontend ui node']);
  });

  it('a root compose stack whose services build from Dockerfile-only folders is one deployable, not three apps', async () => {
    const { apps, skipped } = await findAppsDetailed(memoryRepo({
      'docker-compose.yml': 'services:\n  app:\n    build:\n      context: ./app\n  db:\n    build: db\n  cache:\n    build: { context: ./cache }\n',
      'app/Dockerfile': 'FROM debian\n', 'app/app.py': '', 'db/Dockerfile': 'FROM debian\n', 'cache/Dockerfile': 'FROM debian\n',
      // A folder with its own manifest is still an app of its own.
      'worker/Dockerfile': 'FROM debian\n', 'worker/go.mod': 'module w\n', 'worker/main.go': 'package main\n',
    }));
    assert.deepEqual(summary(apps), ['worker w go']);
    assert.deepEqual(skipped.map((x) => [x.dir, x.reason]), [
      ['app', 'a build context of the root compose stack'], ['cache', 'a build context of the root compose stack'], ['db', 'a build context of the root compose stack'],
    ]);
    const single = await findApps(memoryRepo({ 'compose.yaml': 'services:\n  web:\n    build: ./web\n', 'web/Dockerfile': 'FROM nginx\n' }));
    assert.deepEqual(summary(single), ['. memory unknown']);
  });

  it('a monorepo of libraries only falls back to the root', async () => {
    const apps = await findApps(memoryRepo({
      'package.json': '{"name":"libs","workspaces":["packages/*"],"scripts":{"build":"turbo run build"}}',
      'packages/a/package.json': '{"name":"a","main":"index.js"}',
    }));
    assert.deepEqual(summary(apps), ['. libs node']);
    assert.match(apps[0]?.reason ?? '', /no deployable workspace package/);
  });

  it('storybook next to a server framework stays an app; storybook alone is excluded', async () => {
    const apps = await findApps(memoryRepo({
      'package.json': '{"workspaces":["apps/*"]}',
      'apps/web/package.json': '{"name":"web","scripts":{"start":"next start","storybook":"storybook dev"},"dependencies":{"next":"14"},"devDependencies":{"storybook":"8"}}',
      'apps/sb/package.json': '{"name":"sb","scripts":{"start":"storybook dev"},"devDependencies":{"storybook":"8","@storybook/react":"8"}}',
    }));
    assert.deepEqual(summary(apps), ['apps/web web node']);
  });
});

describe('findApps: Bun, Deno and manifest evidence', () => {
  it('Bun apps are named bun: a bun lockfile, bunfig.toml or a bun@ packageManager', async () => {
    const start = '"scripts":{"start":"bun src/index.ts"}';
    assert.deepEqual(summary(await findApps(memoryRepo({ 'package.json': `{"name":"a",${start}}`, 'bun.lockb': 'x' }))), ['. a bun']);
    assert.deepEqual(summary(await findApps(memoryRepo({ 'package.json': '{"name":"a","dependencies":{"hono":"4"}}', 'bunfig.toml': '' }))), ['. a bun']);
    assert.deepEqual(summary(await findApps(memoryRepo({ 'package.json': `{"name":"a","packageManager":"bun@1.1.0",${start}}` }))), ['. a bun']);
    assert.deepEqual(summary(await findApps(memoryRepo({ 'package.json': '{"name":"a","scripts":{"start":"node server.js"}}', 'package-lock.json': '{}' }))), ['. a node']);
  });

  it('Deno apps: a start/serve/preview task or a main.ts/server.ts entry; a bare module is not an app', async () => {
    const task = await findApps(memoryRepo({ 'deno.json': '{\n  "tasks": {\n    "serve": "deno serve main.ts"\n  }\n}', 'main.ts': '' }));
    assert.deepEqual([summary(task), task[0]?.reason, task[0]?.evidence], [['. memory deno'], 'single app with a Deno serve task', [{ file: 'deno.json', line: 3 }]]);
    const entry = await findApps(memoryRepo({ 'deno.jsonc': '{ // fmt only\n "fmt": {} }', 'server.ts': '' }));
    assert.deepEqual([summary(entry), entry[0]?.reason], [['. memory deno'], 'single app with a Deno entry point (server.ts)']);
    const { apps, skipped } = await findAppsDetailed(memoryRepo({
      'apps/api/deno.json': '{"tasks":{"start":"deno run -A main.ts"}}', 'apps/api/main.ts': '',
      'apps/lib/deno.json': '{"exports":"./mod.ts"}', 'apps/lib/mod.ts': '',
    }));
    assert.deepEqual(summary(apps), ['apps/api api deno']);
    assert.match(skipped.find((x) => x.dir === 'apps/lib')?.reason ?? '', /Deno module/);
  });

  it('a framework line is cited where it is, not at the blank line before it', async () => {
    const py = await findApps(memoryRepo({ 'requirements.txt': '# web\n\nflask==3.0\n', 'app.py': '' }));
    assert.deepEqual(py[0]?.evidence, [{ file: 'requirements.txt', line: 3 }]);
    const gradle = await findApps(memoryRepo({ 'build.gradle': 'plugins {\n\n  id "application"\n}\n' }));
    assert.deepEqual(gradle[0]?.evidence, [{ file: 'build.gradle', line: 3 }]);
  });

  it('a Rust member inheriting its server framework from the workspace (`actix-web.workspace = true`) names it', async () => {
    const apps = await findApps(memoryRepo({
      'Cargo.toml': '[workspace]\nmembers = ["srv"]\n\n[workspace.dependencies]\nactix-web = "4"\n',
      'srv/Cargo.toml': '[package]\nname = "srv"\n\n[dependencies]\nactix-web.workspace = true\n', 'srv/src/main.rs': 'fn main() {}\n',
    }));
    assert.match(apps[0]?.reason ?? '', /a Rust binary \(actix-web\)/);
  });
});

describe('globToRegExp', () => {
  it('matches workspace globs like npm and pnpm do', () => {
    assert.ok(globToRegExp('packages/*').test('packages/a'));
    assert.ok(!globToRegExp('packages/*').test('packages/a/b'));
    assert.ok(globToRegExp('./apps/**').test('apps/x/y'));
    assert.ok(globToRegExp('{apps,services}/*/').test('services/s'));
    assert.ok(globToRegExp('**/pkg').test('a/b/pkg'));
  });
});
