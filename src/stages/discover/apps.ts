// Finds the deployable apps in a repository: workspace members (npm/yarn/pnpm/lerna/nx/turbo, go.work, Cargo) and apps/*, services/* folders, minus libraries, examples and docs sites.
import { parse as parseToml } from 'smol-toml';
import { parse as parseYaml } from 'yaml';
import { fansOut } from './detectors/node/common.js';
import { denoConfig, denoConfigPath, denoKeyEvidence } from './detectors/node/deno-config.js';
import { jsApp } from './detectors/node/js-app.js';
import type { RepoIndex } from './types.js';

export interface AppCandidate {
  /** App directory relative to the repo root ('' = the root). */
  dir: string;
  name: string;
  ecosystem: string;
  /** Why this is an app, for people: "workspace package with a start script (express)". */
  reason: string;
  evidence: { file: string; line: number | null }[];
}

/** A directory that was considered and left out, and why (for reports and debugging). */
export interface SkippedDir { dir: string; reason: string }

type Ev = { file: string; line: number | null };

/** Manifest file names, in the order that decides a directory's ecosystem when several are present. */
const MANIFESTS: readonly [string, string][] = [
  ['package.json', 'node'], ['deno.json', 'deno'], ['deno.jsonc', 'deno'], ['pyproject.toml', 'python'], ['requirements.txt', 'python'], ['Pipfile', 'python'], ['go.mod', 'go'],
  ['pom.xml', 'jvm'], ['build.gradle', 'jvm'], ['build.gradle.kts', 'jvm'], ['Cargo.toml', 'rust'], ['Gemfile', 'ruby'],
  ['composer.json', 'php'], ['Dockerfile', 'docker'],
];

/**
 * requirements/*.txt directly in `dir` (requirements/prod.txt, requirements/base.txt): a Python manifest as much as a
 * root requirements.txt. Runtime files first; dev/test ones only when there is nothing else.
 */
function requirementsDirFiles(repo: RepoIndex, dir: string): string[] {
  const folder = join(dir, 'requirements');
  const files = repo.under(folder).map((f) => f.path).filter((p) => dirOf(p) === folder && p.endsWith('.txt')).sort();
  const dev = (p: string): boolean => /(?:dev|test|lint|doc|ci|local)[^/]*\.txt$/i.test(p);
  return [...files.filter((p) => !dev(p)), ...files.filter(dev)];
}

/** Manifests present in `dir`, in MANIFESTS order, with requirements/*.txt standing for requirements.txt. */
function manifestsIn(repo: RepoIndex, dir: string): (readonly [string, string])[] {
  return MANIFESTS.filter(([f]) => repo.has(join(dir, f)) || (f === 'requirements.txt' && requirementsDirFiles(repo, dir).length > 0));
}

/** Folder names that hold non-deployable code anywhere in an app's path. */
const EXCLUDED_SEGMENTS = new Set([
  'examples', 'example', 'samples', 'sample', 'demos', 'fixtures', 'fixture', '__fixtures__', 'test-fixtures', 'testdata', 'docs', 'doc',
  'test', 'tests', '__tests__', 'e2e', 'spec', 'benchmarks', 'bench', 'templates', 'template',
]);

export const NODE_SERVER_DEPS = [
  'express', 'fastify', 'koa', '@hapi/hapi', 'hapi', 'hono', '@nestjs/core', 'next', 'nuxt', '@remix-run/node', '@remix-run/serve',
  '@sveltejs/kit', 'astro', '@adonisjs/core', 'restify', 'polka', 'h3', 'nitropack', 'socket.io', '@angular/ssr', 'elysia', 'sails', 'loopback',
  '@loopback/core', '@react-router/serve', 'feathers', '@feathersjs/feathers', 'moleculer', 'micro',
];
const DOCS_DEPS = ['@docusaurus/core', 'vitepress', 'vuepress', '@vuepress/core', '@astrojs/starlight', 'nextra-theme-docs', 'docsify-cli', '@storybook/react', 'storybook', '@storybook/vue3', '@storybook/angular', '@storybook/svelte', '@storybook/nextjs'];
const PY_SERVER_RE = /^[ \t]*["']?(django|flask|fastapi|starlette|uvicorn|gunicorn|aiohttp|sanic|tornado|litestar|quart|falcon|bottle|pyramid|streamlit|gradio|hypercorn|daphne)\b/im;
const RUST_SERVER_RE = /^[ \t]*(actix-web|axum|rocket|warp|poem|tide|hyper|salvo)\s*(?:\.\s*workspace\s*)?=/m;
const JVM_APP_RE = /spring-boot|io\.quarkus|io\.micronaut|io\.ktor|<packaging>war<\/packaging>|^[ \t]*(id\s*\(?\s*["']application["']|apply plugin:\s*["']application["'])/m;
const RUBY_APP_RE = /^[ \t]*gem\s+["'](rails|sinatra|rack|puma|hanami|roda|grape)["']/m;
const PHP_APP_RE = /"(laravel\/framework|symfony\/framework-bundle|slim\/slim|laminas\/laminas-mvc|cakephp\/cakephp|yiisoft\/yii2)"/;

/** 1-based line of the first match of `re` in `text`, or null. */
function lineOf(text: string, re: RegExp): number | null {
  const m = re.exec(text);
  if (!m) return null;
  let line = 1;
  for (let i = 0; i < m.index; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const join = (dir: string, rel: string): string => (dir === '' ? rel : `${dir}/${rel}`);
const dirOf = (path: string): string => { const i = path.lastIndexOf('/'); return i < 0 ? '' : path.slice(0, i); };
const baseOf = (path: string): string => path.slice(path.lastIndexOf('/') + 1);

/** Normalizes a workspace path or glob: no leading ./, no trailing /, posix separators. */
function normDir(p: string): string {
  let s = p.trim().replace(/\\/g, '/').replace(/^(\.\/)+/, '').replace(/\/+$/, '');
  const out: string[] = [];
  for (const seg of s.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') out.pop(); else out.push(seg);
  }
  s = out.join('/');
  return s;
}

/** A workspace glob (`packages/*`, `apps/**`, `{a,b}/*`) as a RegExp over directory paths. */
export function globToRegExp(glob: string): RegExp {
  const g = normDir(glob);
  let re = '';
  for (let i = 0; i < g.length; i++) {
    const c = g[i] as string;
    if (c === '*' && g[i + 1] === '*') {
      // `**/` = any number of folders (including none); a trailing `**` = anything below.
      if (g[i + 2] === '/') { re += '(?:[^/]+/)*'; i += 2; } else { re += '.*'; i += 1; }
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '{') {
      const end = g.indexOf('}', i);
      if (end < 0) { re += '\\{'; continue; }
      re += `(?:${g.slice(i + 1, end).split(',').map(escapeRe).join('|')})`;
      i = end;
    } else re += escapeRe(c);
  }
  return new RegExp(`^${re}$`);
}

/** Directories (among `dirs`) matched by the globs; `!glob` entries exclude, in order. */
function expand(globs: readonly string[], dirs: readonly string[]): string[] {
  const out = new Set<string>();
  for (const raw of globs) {
    if (typeof raw !== 'string') continue;
    const neg = raw.startsWith('!');
    const re = globToRegExp(neg ? raw.slice(1) : raw);
    for (const d of dirs) if (re.test(d)) { if (neg) out.delete(d); else out.add(d); }
  }
  return [...out];
}

async function readJson(repo: RepoIndex, path: string): Promise<{ text: string; json: Record<string, unknown> } | null> {
  if (!repo.has(path)) return null;
  const text = await repo.read(path);
  if (text === null) return null;
  try {
    const json: unknown = JSON.parse(text.replace(/^\uFEFF/, ''));
    return json && typeof json === 'object' && !Array.isArray(json) ? { text, json: json as Record<string, unknown> } : null;
  } catch {
    return null;
  }
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
const record = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

/** A member set declared by one workspace tool. */
interface Declared { tool: string; dirs: string[]; evidence: Ev }

/** Workspace declarations at the repo root, each expanded against the directories holding the tool's manifest. */
async function declaredWorkspaces(repo: RepoIndex, dirsWith: (name: string) => string[]): Promise<Declared[]> {
  const out: Declared[] = [];
  const nodeDirs = dirsWith('package.json').filter((d) => d !== '');
  const rootPkg = await readJson(repo, 'package.json');
  let nodeGlobs: string[] = [];
  let nodeEv: Ev | null = null;
  if (rootPkg) {
    const ws = rootPkg.json.workspaces;
    const globs = Array.isArray(ws) ? strings(ws) : strings(record(ws).packages);
    if (globs.length > 0) { nodeGlobs = globs; nodeEv = { file: 'package.json', line: lineOf(rootPkg.text, /"workspaces"\s*:/) }; }
  }
  if (repo.has('pnpm-workspace.yaml')) {
    const text = await repo.read('pnpm-workspace.yaml');
    try {
      const globs = text === null ? [] : strings(record(parseYaml(text)).packages);
      if (globs.length > 0) { nodeGlobs = [...nodeGlobs, ...globs]; nodeEv = { file: 'pnpm-workspace.yaml', line: lineOf(text ?? '', /^packages\s*:/m) }; }
    } catch { /* an unparsable workspace file declares nothing */ }
  }
  const lerna = await readJson(repo, 'lerna.json');
  if (lerna && nodeGlobs.length === 0) {
    // Lerna's own list, or its documented default; with useWorkspaces it defers to package.json (handled above).
    const globs = strings(lerna.json.packages);
    nodeGlobs = globs.length > 0 ? globs : ['packages/*'];
    nodeEv = { file: 'lerna.json', line: lineOf(lerna.text, /"packages"\s*:/) };
  }
  if (nodeGlobs.length > 0 && nodeEv) {
    // turbo and nx add no globs of their own: they run over the package manager's workspaces.
    const tools = ['turbo.json', 'nx.json', 'lerna.json'].filter((f) => repo.has(f)).map((f) => f.replace('.json', ''));
    const tool = nodeEv.file === 'pnpm-workspace.yaml' ? 'pnpm workspace' : nodeEv.file === 'lerna.json' ? 'lerna' : 'npm workspace';
    out.push({ tool: tools.length > 0 && nodeEv.file !== 'lerna.json' ? `${tool} (${tools.join(', ')})` : tool, dirs: expand(nodeGlobs, nodeDirs), evidence: nodeEv });
  }
  if (repo.has('nx.json')) {
    // Nx projects without package.json are declared by project.json files.
    const dirs = dirsWith('project.json').filter((d) => d !== '');
    if (dirs.length > 0) out.push({ tool: 'nx project', dirs, evidence: { file: 'nx.json', line: null } });
  }
  if (repo.has('go.work')) {
    const text = (await repo.read('go.work')) ?? '';
    const dirs: string[] = [];
    const body = text.replace(/\/\/.*$/gm, '');
    for (const m of body.matchAll(/^\s*use\s*\(([^)]*)\)/gm)) for (const p of (m[1] ?? '').split(/\s+/)) if (p) dirs.push(normDir(p.replace(/^"|"$/g, '')));
    for (const m of body.matchAll(/^\s*use\s+([^\s(]+)/gm)) dirs.push(normDir((m[1] ?? '').replace(/^"|"$/g, '')));
    if (dirs.length > 0) out.push({ tool: 'go.work', dirs, evidence: { file: 'go.work', line: lineOf(text, /^\s*use\b/m) } });
  }
  if (repo.has('Cargo.toml')) {
    const text = (await repo.read('Cargo.toml')) ?? '';
    try {
      const ws = record(record(parseToml(text)).workspace);
      const members = strings(ws.members);
      if (members.length > 0) {
        const dirs = expand([...members, ...strings(ws.exclude).map((e) => `!${e}`)], dirsWith('Cargo.toml').filter((d) => d !== ''));
        out.push({ tool: 'cargo workspace', dirs, evidence: { file: 'Cargo.toml', line: lineOf(text, /^\s*members\s*=/m) } });
      }
    } catch { /* an unparsable Cargo.toml declares nothing */ }
  }
  if (repo.has('pyproject.toml')) {
    const text = (await repo.read('pyproject.toml')) ?? '';
    try {
      const ws = record(record(record(record(parseToml(text)).tool).uv).workspace);
      const members = strings(ws.members);
      if (members.length > 0) {
        const pyDirs = [...new Set([...dirsWith('pyproject.toml'), ...dirsWith('requirements.txt')])].filter((d) => d !== '');
        out.push({ tool: 'uv workspace', dirs: expand([...members, ...strings(ws.exclude).map((e) => `!${e}`)], pyDirs), evidence: { file: 'pyproject.toml', line: lineOf(text, /^\s*members\s*=/m) } });
      }
    } catch { /* ignore */ }
  }
  return out;
}

/** What makes a directory deployable, or why it is not: null verdict = no app signal at all. */
interface Verdict { app: boolean; ecosystem: string; name: string; reason: string; evidence: Ev[] }

/** Looks at one directory's manifests and decides whether it is a deployable app. */
async function classify(repo: RepoIndex, dir: string, rootMode: boolean): Promise<Verdict> {
  const present = manifestsIn(repo, dir);
  const hasDockerfile = repo.has(join(dir, 'Dockerfile'));
  let name = dir === '' ? baseOf(repo.root) : baseOf(dir);
  let ecosystem = present[0]?.[1] ?? 'unknown';
  const signals: { eco: string; why: string; ev: Ev }[] = [];
  const against: string[] = [];

  const pkgPath = join(dir, 'package.json');
  const pkg = await readJson(repo, pkgPath);
  if (pkg) {
    if (typeof pkg.json.name === 'string' && pkg.json.name) name = pkg.json.name;
    // Bun and Deno read package.json too: the runtime the JS detectors settle on names the app's ecosystem.
    const js = (await jsApp({ repo, appDir: dir }))?.runtime ?? 'node';
    const scripts = record(pkg.json.scripts);
    const deps = { ...record(pkg.json.dependencies), ...record(pkg.json.devDependencies), ...record(pkg.json.peerDependencies) };
    const runtimeDeps = record(pkg.json.dependencies);
    const docs = DOCS_DEPS.find((d) => d in deps);
    const script = (['start', 'serve', 'start:prod'] as const).find((s) => typeof scripts[s] === 'string');
    const scriptText = script ? String(scripts[script]) : '';
    const docsScript = /\b(docusaurus|vitepress|vuepress|storybook|start-storybook|docsify)\b/.test(scriptText);
    // In a monorepo root, `turbo run start`, `pnpm -r start` and friends only fan out to the members.
    const delegates = fansOut(scriptText);
    const server = NODE_SERVER_DEPS.find((d) => d in (rootMode ? runtimeDeps : deps));
    const isDocsSite = docs !== undefined && (!server || docsScript || ['@docusaurus/core', 'vitepress', 'vuepress', '@vuepress/core', '@astrojs/starlight', 'nextra-theme-docs'].includes(docs));
    if (isDocsSite) against.push(`docs site (${docs})`);
    else {
      if (script && !docsScript && !(rootMode && delegates)) signals.push({ eco: js, why: `a ${script} script${server ? ` (${server})` : ''}`, ev: { file: pkgPath, line: lineOf(pkg.text, new RegExp(`"${escapeRe(script)}"\\s*:`)) } });
      else if (server) signals.push({ eco: js, why: `a server framework dependency (${server})`, ev: { file: pkgPath, line: lineOf(pkg.text, new RegExp(`"${escapeRe(server)}"\\s*:`)) } });
      else if (!rootMode && repo.has(join(dir, 'index.html')) && !('main' in pkg.json) && !('exports' in pkg.json) && typeof scripts.build === 'string' && /\b(vite|webpack|parcel|rsbuild|rspack)\b/.test(String(scripts.build))) {
        signals.push({ eco: 'static', why: 'a static web app (index.html and a bundler build)', ev: { file: pkgPath, line: lineOf(pkg.text, /"build"\s*:/) } });
      } else against.push('library (no start/serve script or server dependency)');
    }
  }

  const denoPath = !pkg ? denoConfigPath({ repo, appDir: dir }) : null;
  if (denoPath) {
    // A Deno app without package.json: a task that serves it, or its conventional entry file.
    const cfg = await denoConfig({ repo, appDir: dir });
    const task = cfg ? ['start', 'serve', 'preview'].find((t) => cfg.tasks[t] !== undefined) : undefined;
    const entry = ['main.ts', 'server.ts'].find((f) => repo.has(join(dir, f)));
    if (cfg && task) signals.push({ eco: 'deno', why: `a Deno ${task} task`, ev: { file: cfg.path, line: denoKeyEvidence(cfg, task, 'tasks').line } });
    else if (entry) signals.push({ eco: 'deno', why: `a Deno entry point (${entry})`, ev: { file: join(dir, entry), line: null } });
    else against.push('Deno module (no start, serve or preview task and no main.ts or server.ts)');
  }

  const projectJson = !pkg ? await readJson(repo, join(dir, 'project.json')) : null;
  if (projectJson) {
    if (typeof projectJson.json.name === 'string') name = projectJson.json.name;
    const targets = record(projectJson.json.targets);
    if (projectJson.json.projectType === 'application' || 'serve' in targets) {
      ecosystem = 'node';
      signals.push({ eco: 'node', why: 'an nx application project', ev: { file: join(dir, 'project.json'), line: lineOf(projectJson.text, /"projectType"|"serve"/) } });
    } else against.push('nx library project');
  }

  for (const p of [...['pyproject.toml', 'requirements.txt', 'Pipfile'].map((f) => join(dir, f)), ...requirementsDirFiles(repo, dir)]) {
    if (!repo.has(p)) continue;
    const f = baseOf(p);
    const text = (await repo.read(p)) ?? '';
    if (f === 'pyproject.toml') {
      const m = /^\s*name\s*=\s*["']([^"']+)["']/m.exec(text);
      if (m?.[1] && !pkg) name = m[1];
    }
    const m = PY_SERVER_RE.exec(text.replace(/^\s*dependencies\s*=\s*\[/m, '\n'));
    if (m?.[1]) { signals.push({ eco: 'python', why: `a server framework dependency (${m[1].toLowerCase()})`, ev: { file: p, line: lineOf(text, new RegExp(escapeRe(m[1]), 'i')) } }); break; }
  }
  if (present.some(([, e]) => e === 'python') && !signals.some((s) => s.eco === 'python')) {
    const entry = ['manage.py', 'app.py', 'main.py', 'wsgi.py', 'asgi.py', 'server.py'].find((f) => repo.has(join(dir, f)));
    if (entry) signals.push({ eco: 'python', why: `an entry point (${entry})`, ev: { file: join(dir, entry), line: null } });
    else against.push('python library (no server dependency or entry point)');
  }

  if (repo.has(join(dir, 'go.mod'))) {
    const gomod = (await repo.read(join(dir, 'go.mod'))) ?? '';
    const mod = /^\s*module\s+(\S+)/m.exec(gomod)?.[1];
    if (mod && !pkg) name = baseOf(mod.replace(/\/v\d+$/, ''));
    const main = await goMain(repo, dir);
    if (main) signals.push({ eco: 'go', why: 'a Go main package', ev: main });
    else against.push('Go library (no package main)');
  }

  const cargoPath = join(dir, 'Cargo.toml');
  if (repo.has(cargoPath)) {
    const text = (await repo.read(cargoPath)) ?? '';
    const n = /^\s*\[package\][^[]*?^\s*name\s*=\s*["']([^"']+)["']/m.exec(text)?.[1];
    if (n && !pkg) name = n;
    const bin = repo.has(join(dir, 'src/main.rs')) || /^\s*\[\[bin\]\]/m.test(text);
    const srv = RUST_SERVER_RE.exec(text)?.[1];
    if (bin) signals.push({ eco: 'rust', why: `a Rust binary${srv ? ` (${srv})` : ''}`, ev: repo.has(join(dir, 'src/main.rs')) ? { file: join(dir, 'src/main.rs'), line: null } : { file: cargoPath, line: lineOf(text, /^\s*\[\[bin\]\]/m) } });
    else if (/^\s*\[package\]/m.test(text)) against.push('Rust library (no binary target)');
  }

  for (const f of ['pom.xml', 'build.gradle', 'build.gradle.kts']) {
    const p = join(dir, f);
    if (!repo.has(p)) continue;
    const text = (await repo.read(p)) ?? '';
    const n = f === 'pom.xml' ? pomArtifactId(text) : await gradleRootName(repo, dir);
    if (n && !pkg) name = n;
    const line = lineOf(text, JVM_APP_RE);
    if (line !== null) { signals.push({ eco: 'jvm', why: 'an application build (Spring Boot, Quarkus, Micronaut, Ktor or the application plugin)', ev: { file: p, line } }); break; }
  }
  if (repo.has(join(dir, 'Gemfile'))) {
    const text = (await repo.read(join(dir, 'Gemfile'))) ?? '';
    const line = lineOf(text, RUBY_APP_RE);
    if (line !== null) signals.push({ eco: 'ruby', why: 'a Ruby web framework in the Gemfile', ev: { file: join(dir, 'Gemfile'), line } });
    else if (repo.has(join(dir, 'config.ru'))) signals.push({ eco: 'ruby', why: 'a Rack app (config.ru)', ev: { file: join(dir, 'config.ru'), line: null } });
  }
  if (repo.has(join(dir, 'composer.json'))) {
    const text = (await repo.read(join(dir, 'composer.json'))) ?? '';
    const line = lineOf(text, PHP_APP_RE);
    if (line !== null) signals.push({ eco: 'php', why: 'a PHP web framework in composer.json', ev: { file: join(dir, 'composer.json'), line } });
    else if (repo.has(join(dir, 'artisan')) || repo.has(join(dir, 'public/index.php'))) signals.push({ eco: 'php', why: 'a PHP web entry point', ev: { file: join(dir, repo.has(join(dir, 'artisan')) ? 'artisan' : 'public/index.php'), line: null } });
  }
  // A Dockerfile says "this folder ships as an image" — except at a monorepo root, where it usually builds a member.
  if (hasDockerfile && !rootMode && !against.some((a) => a.startsWith('docs site'))) signals.push({ eco: ecosystem === 'unknown' ? 'docker' : ecosystem, why: 'a Dockerfile', ev: { file: join(dir, 'Dockerfile'), line: null } });

  const first = signals[0];
  if (first) ecosystem = first.eco === 'docker' ? ecosystem === 'unknown' || ecosystem === 'docker' ? 'docker' : ecosystem : first.eco;
  if (against.some((a) => a.startsWith('docs site'))) return { app: false, ecosystem, name, reason: against.find((a) => a.startsWith('docs site')) as string, evidence: [] };
  if (!first) return { app: false, ecosystem, name, reason: against[0] ?? 'no manifest', evidence: [] };
  return { app: true, ecosystem, name, reason: signals.map((s) => s.why).filter((w, i, a) => a.indexOf(w) === i).join('; '), evidence: signals.map((s) => s.ev) };
}

/** The project's own artifactId (not its parent's, nor a dependency's), when written literally. */
function pomArtifactId(pom: string): string | null {
  const own = pom.replace(/<!--[\s\S]*?-->/g, '').replace(/<parent>[\s\S]*?<\/parent>/, '')
    .split(/<(?:dependencies|dependencyManagement|build|profiles|modules|reporting)>/)[0] ?? '';
  const id = /<artifactId>\s*([^<\s]+)\s*<\/artifactId>/.exec(own)?.[1];
  return id && !id.includes('${') ? id : null;
}

/** `rootProject.name` from the directory's Gradle settings: the name Gradle builds the jar under. */
async function gradleRootName(repo: RepoIndex, dir: string): Promise<string | null> {
  for (const f of ['settings.gradle.kts', 'settings.gradle']) {
    const p = join(dir, f);
    if (!repo.has(p)) continue;
    const m = /^\s*rootProject\.name\s*=\s*["']([^"'$]+)["']/m.exec((await repo.read(p)) ?? '');
    if (m?.[1]) return m[1];
  }
  return null;
}

/** Root compose files (the base ones, not overrides) and the top-level folders their services build from. */
async function composeBuildContexts(repo: RepoIndex): Promise<Set<string>> {
  const out = new Set<string>();
  for (const f of ['compose.yaml', 'compose.yml', 'docker-compose.yaml', 'docker-compose.yml']) {
    if (!repo.has(f)) continue;
    let data: unknown;
    try { data = parseYaml((await repo.read(f)) ?? '', { merge: true }); } catch { continue; }
    for (const svc of Object.values(record(record(data).services))) {
      const build = record(svc).build;
      const ctx = typeof build === 'string' ? build : record(build).context;
      if (typeof ctx !== 'string') continue;
      const dir = normDir(ctx);
      if (dir !== '' && !dir.includes('/')) out.add(dir);
    }
  }
  return out;
}

/** Evidence of a Go `package main` in the module: main.go, cmd/<x>/main.go, then other .go files at the module root. */
async function goMain(repo: RepoIndex, dir: string): Promise<Ev | null> {
  const prefix = dir === '' ? '' : `${dir}/`;
  const goFiles = repo.under(dir).filter((f) => f.path.endsWith('.go') && !f.path.endsWith('_test.go'));
  const rank = (p: string): number => {
    const rel = p.slice(prefix.length);
    if (rel === 'main.go') return 0;
    if (/^cmd\/[^/]+\/main\.go$/.test(rel)) return 1;
    if (!rel.includes('/')) return 2;
    if (/^cmd\//.test(rel)) return 3;
    return 9;
  };
  const ordered = goFiles.map((f) => ({ p: f.path, r: rank(f.path) })).filter((x) => x.r < 9).sort((a, b) => a.r - b.r).slice(0, 40);
  for (const { p } of ordered) {
    const text = await repo.read(p, 16 * 1024);
    if (text === null) continue;
    const line = lineOf(text, /^package\s+main\b/m);
    if (line !== null) return { file: p, line };
  }
  return null;
}

function excludedByPath(dir: string): string | null {
  const seg = dir.split('/').find((s) => EXCLUDED_SEGMENTS.has(s.toLowerCase()));
  return seg ? `${seg}/ holds non-deployable code` : null;
}

/** Apps and the directories left out, with reasons. */
export async function findAppsDetailed(repo: RepoIndex): Promise<{ apps: AppCandidate[]; skipped: SkippedDir[] }> {
  // Directories holding each manifest, computed once: byName is an index lookup, not a scan.
  const dirCache = new Map<string, string[]>();
  const dirsWith = (name: string): string[] => {
    let d = dirCache.get(name);
    if (!d) { d = repo.byName(name).map((f) => dirOf(f.path)); dirCache.set(name, d); }
    return d;
  };
  const candidates = new Map<string, { source: string; evidence: Ev | null }>();
  const skippedEarly: SkippedDir[] = [];
  const add = (dir: string, source: string, evidence: Ev | null): void => { if (!candidates.has(dir)) candidates.set(dir, { source, evidence }); };

  const declared = await declaredWorkspaces(repo, dirsWith);
  for (const d of declared) for (const dir of d.dirs) if (dir !== '') add(dir, `${d.tool} member`, d.evidence);

  // Conventional folders: apps/<x> and services/<x> with a manifest directly inside.
  for (const [file] of MANIFESTS) {
    for (const dir of dirsWith(file)) if (/^(apps|services)\/[^/]+$/.test(dir)) add(dir, `${dir.split('/')[0]}/ folder`, null);
  }

  const rootHasManifest = manifestsIn(repo, '').length > 0 || repo.has('project.json');
  if (candidates.size === 0 && !rootHasManifest) {
    // No root manifest but manifests one level down (backend/ + frontend/): each is a candidate. A folder that
    // holds only the Dockerfile of a root compose service is part of that stack, which deploys as one.
    const composeParts = await composeBuildContexts(repo);
    for (const [file] of MANIFESTS) {
      for (const dir of dirsWith(file)) {
        if (dir === '' || dir.includes('/')) continue;
        if (composeParts.has(dir) && !MANIFESTS.some(([f, eco]) => eco !== 'docker' && repo.has(join(dir, f)))) skippedEarly.push({ dir, reason: 'a build context of the root compose stack' });
        else add(dir, 'top-level folder', null);
      }
    }
  }

  const apps: AppCandidate[] = [];
  const skipped: SkippedDir[] = [...new Map(skippedEarly.map((x) => [x.dir, x])).values()];
  const verdicts = await Promise.all([...candidates].map(async ([dir, c]) => {
    const ex = excludedByPath(dir);
    if (ex) return { dir, c, v: null, why: ex };
    const v = await classify(repo, dir, false);
    return { dir, c, v, why: v.reason };
  }));
  for (const { dir, c, v, why } of verdicts) {
    if (!v || !v.app) { skipped.push({ dir, reason: why }); continue; }
    apps.push({ dir, name: v.name, ecosystem: v.ecosystem, reason: `${c.source} with ${v.reason}`, evidence: c.evidence ? [c.evidence, ...v.evidence] : v.evidence });
  }

  const monorepo = candidates.size > 0;
  if (repo.files.length > 0) {
    const root = await classify(repo, '', monorepo);
    if (!monorepo) {
      // A single-app repo: the root is the app even when its signals are weak; later stages say what is missing.
      apps.push({ dir: '', name: root.name, ecosystem: root.ecosystem, reason: root.app ? `single app with ${root.reason}` : `single app at the repository root (${root.reason})`, evidence: root.evidence });
    } else if (root.app) {
      apps.push({ dir: '', name: root.name, ecosystem: root.ecosystem, reason: `repository root with ${root.reason}`, evidence: root.evidence });
    } else if (apps.length === 0) {
      apps.push({ dir: '', name: root.name, ecosystem: root.ecosystem, reason: 'no deployable workspace package found; the repository root stands for the app', evidence: [] });
    }
  }
  apps.sort((a, b) => (a.dir < b.dir ? -1 : a.dir > b.dir ? 1 : 0));
  skipped.sort((a, b) => (a.dir < b.dir ? -1 : a.dir > b.dir ? 1 : 0));
  return { apps, skipped };
}

/** The deployable apps in the repository, sorted by directory; a single-app repo yields one candidate with dir ''. */
export async function findApps(repo: RepoIndex): Promise<AppCandidate[]> {
  return (await findAppsDetailed(repo)).apps;
}
