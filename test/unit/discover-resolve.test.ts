// Resolution of discovery signals: priority, conflicts, env merging, strategies and risks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveBrief } from '../../src/stages/discover/index.js';
import { pick, rankSignals, resolveEnv } from '../../src/stages/discover/resolve.js';
import type { Signal, SourceClass, Confidence } from '../../src/stages/discover/types.js';
import { memoryRepo } from '../helpers/memory-repo.js';

const base = (source: SourceClass, file: string, line = 1, confidence: Confidence = 'high') => ({ source, confidence, detector: 't', evidence: [{ file, line }] });
const meta = { app: 'x', root: '/r', appDir: '', commit: null, apps: [] };

test('priority: deploy material beats build files beats code beats fallback', () => {
  const ports: Signal[] = [
    { kind: 'port', port: 3000, ...base('fallback', 'package.json', 1, 'low') },
    { kind: 'port', port: 8080, ...base('code', 'src/server.ts', 9) },
    { kind: 'port', port: 5000, ...base('deploy-material', 'Dockerfile', 12) },
  ];
  assert.deepEqual(rankSignals(ports).map((s) => (s.kind === 'port' ? s.port : 0)), [5000, 8080, 3000]);
  const conflicts: { field: string; chosen: string; values: unknown[] }[] = [];
  const f = pick('port', ports.filter((s): s is Extract<Signal, { kind: 'port' }> => s.kind === 'port'), (s) => s.port, String, conflicts as never);
  assert.equal(f?.value, 5000);
  assert.equal(f?.evidence[0]?.file, 'Dockerfile');
  // 8080 from code disagrees with the Dockerfile: a conflict, not a silent choice. The fallback never counts.
  assert.equal(conflicts.length, 1);
  assert.equal(conflicts[0]?.chosen, '5000');
  assert.equal(conflicts[0]?.values.length, 2);
});

test('env merging: required wins, defaults make optional, examples and build time are kept, names only', () => {
  const env = resolveEnv([
    { kind: 'env', name: 'DATABASE_URL', required: true, ...base('code', 'src/db.ts', 3) },
    { kind: 'env', name: 'DATABASE_URL', required: null, hasExample: true, ...base('deploy-material', '.env.example', 1) },
    { kind: 'env', name: 'LOG_LEVEL', required: false, ...base('code', 'src/log.ts', 1) },
    { kind: 'env', name: 'VITE_API', required: true, buildTime: true, ...base('code', 'web/main.ts', 2) },
  ]);
  assert.deepEqual(env.map((e) => [e.name, e.required, e.hasExample, e.buildTime, e.secret]), [
    ['DATABASE_URL', true, true, false, true],
    ['VITE_API', true, false, true, false],
    ['LOG_LEVEL', false, false, false, false],
  ]);
});

test('resolveBrief: runtime ranges that intersect are no conflict; disjoint ones are, with both sources', async () => {
  const repo = memoryRepo({});
  const mk = (ranges: [string, SourceClass, string][]): Signal[] => [
    { kind: 'ecosystem', value: 'node', ...base('build-file', 'package.json') },
    ...ranges.map(([range, source, file]): Signal => ({ kind: 'runtime', runtime: 'node', range, ...base(source, file) })),
  ];
  const ok = await resolveBrief(repo, mk([['20', 'build-file', '.nvmrc'], ['>=18', 'build-file', 'package.json']]), meta);
  assert.equal(ok.conflicts.length, 0);
  const bad = await resolveBrief(repo, mk([['18', 'build-file', '.nvmrc'], ['>=20', 'deploy-material', 'Dockerfile']]), meta);
  assert.equal(bad.stack.runtime?.value.range, '>=20');
  assert.equal(bad.conflicts.length, 1);
  assert.ok(bad.risks.some((r) => /sources disagree on runtime/.test(r.message) && /\.nvmrc/.test(r.message)), JSON.stringify(bad.risks));
  assert.deepEqual(bad.runtimes, [{ name: 'node', range: '>=20' }]);
});

test('resolveBrief: a dev-only start is never production, missing port and required vars without example are risks', async () => {
  const b = await resolveBrief(memoryRepo({}), [
    { kind: 'ecosystem', value: 'node', ...base('build-file', 'package.json') },
    { kind: 'command', role: 'start', command: 'nodemon server.js', production: false, ...base('build-file', 'package.json', 5) },
    { kind: 'env', name: 'JWT_SECRET', required: true, ...base('code', 'auth.js', 2) },
  ], meta);
  assert.equal(b.commands.start?.value.production, false);
  const msgs = b.risks.map((r) => r.message);
  assert.ok(msgs.some((m) => /production start command needed/.test(m)), msgs.join('\n'));
  assert.ok(msgs.some((m) => /port unknown/.test(m)));
  assert.ok(msgs.some((m) => /JWT_SECRET has no example and no default/.test(m)));
  assert.deepEqual(b.env, [{ name: 'JWT_SECRET', required: true, secret: true }]);
  assert.equal(b.strategy, null, 'no production start: no process strategy is proposed');
});

test('resolveBrief: strategies are ranked from artifacts with reasons and needs', async () => {
  const b = await resolveBrief(memoryRepo({}), [
    { kind: 'ecosystem', value: 'node', ...base('build-file', 'package.json') },
    { kind: 'command', role: 'start', command: 'node dist/index.js', production: true, ...base('build-file', 'package.json', 5) },
    { kind: 'artifact', type: 'dockerfile', path: 'Dockerfile', summary: {}, ...base('deploy-material', 'Dockerfile') },
    { kind: 'artifact', type: 'compose', path: 'compose.yaml', summary: { services: [{ name: 'app' }, { name: 'db' }] }, ...base('deploy-material', 'compose.yaml') },
    { kind: 'port', port: 3000, ...base('code', 'src/index.ts', 4) },
  ], meta);
  assert.deepEqual(b.strategies.map((s) => s.name), ['compose', 'docker', 'pm2', 'systemd']);
  assert.equal(b.strategy, 'compose');
  assert.match(b.strategies[0]?.reasons[0] ?? '', /compose\.yaml defines services: app, db/);
  assert.ok((b.strategies[0]?.needs ?? []).some((n) => /compose/.test(n)));
  assert.deepEqual(b.ports, [3000]);
});

test('resolveBrief: an ecosystem with no stated version still names its runtime for `check --brief`; a Rust binary needs none', async () => {
  const eco = (value: Extract<Signal, { kind: 'ecosystem' }>['value']): Signal[] => [{ kind: 'ecosystem', value, ...base('build-file', 'manifest') }];
  const names: Record<string, unknown> = {};
  for (const e of ['node', 'bun', 'deno', 'python', 'go', 'jvm', 'ruby', 'php', 'rust'] as const) names[e] = (await resolveBrief(memoryRepo({}), eco(e), meta)).runtimes;
  assert.deepEqual(names, {
    node: [{ name: 'node', range: null }], bun: [{ name: 'bun', range: null }], deno: [{ name: 'deno', range: null }], python: [{ name: 'python3', range: null }],
    go: [{ name: 'go', range: null }], jvm: [{ name: 'java', range: null }], ruby: [{ name: 'ruby', range: null }], php: [{ name: 'php', range: null }], rust: [],
  });
  const stated = await resolveBrief(memoryRepo({}), [...eco('python'), { kind: 'runtime', runtime: 'python', range: '3.12', ...base('build-file', '.python-version') }], meta);
  assert.deepEqual(stated.runtimes, [{ name: 'python3', range: '3.12' }]);
  assert.deepEqual((await resolveBrief(memoryRepo({}), [], meta)).runtimes, []);
});

test("resolveBrief: the apps list's ecosystem owns the stack; other groups' commands give way per role, deployment material keeps its rank", async () => {
  const from = (detector: string, source: SourceClass = 'build-file') => ({ ...base(source, 'f'), detector });
  const signals: Signal[] = [
    { kind: 'ecosystem', value: 'node', ...from('node-ecosystem') },
    { kind: 'language', value: 'javascript', ...from('node-ecosystem') },
    { kind: 'package-manager', value: 'npm', ...from('node-ecosystem') },
    { kind: 'command', role: 'install', command: 'npm ci', production: true, ...from('node-commands') },
    { kind: 'command', role: 'build', command: 'npm run build', production: true, ...from('node-commands') },
    { kind: 'command', role: 'test', command: 'npm test', production: true, ...from('node-commands') },
    { kind: 'ecosystem', value: 'php', ...from('php-ecosystem') },
    { kind: 'language', value: 'php', ...from('php-ecosystem') },
    { kind: 'package-manager', value: 'composer', ...from('php-ecosystem') },
    { kind: 'command', role: 'install', command: 'composer install', production: true, ...from('php-commands', 'fallback') },
    { kind: 'command', role: 'start', command: 'php-fpm', production: true, ...from('php-commands', 'fallback') },
    { kind: 'command', role: 'build', command: 'make assets', production: true, ...from('artifacts-makefile', 'deploy-material') },
  ];
  const php = await resolveBrief(memoryRepo({}), signals, { ...meta, apps: [{ dir: '', name: 'x', ecosystem: 'php', reason: '', evidence: [] }] });
  assert.deepEqual([php.stack.ecosystem?.value, php.stack.language?.value, php.stack.packageManager?.value], ['php', 'php', 'composer']);
  assert.deepEqual([php.commands.install?.value.command, php.commands.start?.value.command, php.commands.build?.value.command, php.commands.test?.value.command],
    ['composer install', 'php-fpm', 'make assets', 'npm test'], 'a role the PHP group has no command for keeps the node one');
  assert.deepEqual(php.conflicts, []);
  // No apps entry for the app dir (or a docker/unknown one): every group competes as before.
  const open = await resolveBrief(memoryRepo({}), signals, meta);
  assert.equal(open.commands.install?.value.command, 'npm ci');
  // The apps list names an ecosystem no detector reported: nothing is filtered.
  const none = await resolveBrief(memoryRepo({}), signals.filter((s) => !s.detector.startsWith('php')), { ...meta, apps: [{ dir: '', name: 'x', ecosystem: 'php', reason: '', evidence: [] }] });
  assert.equal(none.stack.ecosystem?.value, 'node');
});
