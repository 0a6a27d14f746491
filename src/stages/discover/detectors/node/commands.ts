// Install, build, start, dev, test and migrate commands from package.json scripts, framework conventions and migration tools (Node and Bun).
import { inApp } from '../../evidence.js';
import type { CommandRole, Confidence, DetectContext, Detector, Evidence, Signal, SourceClass } from '../../types.js';
import { depEvidence, execBin, fansOut, keyEvidence, prismaPushScript, runScript, type PackageJson } from './common.js';
import { detectFrameworks, isStaticOnly } from './framework.js';
import { jsApp } from './js-app.js';

const NAME = 'node-commands';

/**
 * Scripts that run a file watcher or a framework dev server: they restart on change, skip optimizations,
 * and must never be presented as the production start.
 */
const DEV_SERVER = new RegExp([
  String.raw`\bnodemon\b`, String.raw`\bts-node-dev\b`, String.raw`\btsnd\b`, String.raw`\bnode-dev\b`, String.raw`\btsx\s+watch\b`,
  String.raw`--watch\b`, String.raw`\bbun\s+(?:run\s+)?--hot\b`, String.raw`\bnext\s+dev\b`, String.raw`\bnux[ti]\s+dev\b`, String.raw`\bremix\s+(?:vite:)?dev\b`,
  String.raw`\bastro\s+dev\b`, String.raw`\bvite(?!\s+build\b)(?:\s|$)`, String.raw`\bvite$`, String.raw`\bwebpack(?:-dev-server|\s+serve)\b`,
  String.raw`\breact-scripts\s+start\b`, String.raw`\bng\s+serve\b`, String.raw`\bgatsby\s+develop\b`, String.raw`\bparcel(?!\s+build\b)\s`,
  String.raw`\bsvelte-kit\s+dev\b`, String.raw`\bnest\s+start\s+.*--watch\b`,
].join('|'));

export function isDevScript(script: string): boolean {
  return DEV_SERVER.test(script);
}

/** npm init's placeholder test script: not a test command. */
const NO_TEST = /no test specified/;

export const nodeCommandsDetector: Detector = {
  name: NAME,
  async detect(ctx) {
    const app = await jsApp(ctx);
    // Deno apps run `deno task`, whatever manifest declares the task (deno-commands).
    if (!app?.pkg || app.runtime === 'deno') return [];
    const pkg = app.pkg;
    const out: Signal[] = [];
    const pmFact = app.pm;
    // A Bun app with no lockfile yet (bunfig.toml, a bun start script) still installs and runs scripts with bun.
    const pm = pmFact?.value ?? (app.runtime === 'bun' ? 'bun' : 'npm');
    const emit = (role: CommandRole, command: string, production: boolean, evidence: Evidence[], confidence: Confidence, source: SourceClass = 'build-file') =>
      out.push({ kind: 'command', role, command, production, evidence, source, confidence, detector: NAME });
    const scriptCmd = (name: string) => runScript(pm, name);
    const scriptEv = (name: string) => [keyEvidence(pkg, name, 'scripts')];

    // install: only from a lockfile (reproducible installs); the manager's frozen-lockfile form.
    if (pmFact?.from === 'lockfile' || pmFact?.from === 'field') {
      const berry = pm === 'yarn' && (pmFact.version ? !/^1\./.test(pmFact.version) : ctx.repo.has(inApp(ctx.appDir, '.yarnrc.yml')));
      const install = pm === 'npm' ? (pmFact.evidence.some((e) => /package-lock\.json|npm-shrinkwrap\.json$/.test(e.file)) ? 'npm ci' : 'npm install')
        : pm === 'yarn' ? (berry ? 'yarn install --immutable' : 'yarn install --frozen-lockfile')
          : `${pm} install --frozen-lockfile`;
      emit('install', install, true, pmFact.evidence, pmFact.confidence);
    } else if (app.runtime === 'bun') {
      emit('install', 'bun install', true, app.evidence, 'medium');
    }

    const s = pkg.scripts;
    if (s.build) emit('build', scriptCmd('build'), true, scriptEv('build'), 'high');

    const frameworks = await detectFrameworks(ctx, pkg);
    const staticOnly = isStaticOnly(frameworks);
    const devServers: string[] = [];
    let productionStart = false;

    const next = frameworks.find((f) => f.id === 'nextjs');
    const standalone = next?.detail?.output === 'standalone';
    const root = workspaceRoot(ctx, pkg);

    // start:prod (the NestJS convention) is the production entry when present; plain start then ranks lower.
    for (const name of ['start:prod', 'start:production', 'start']) {
      const script = s[name];
      if (!script) continue;
      // A workspace root's `pnpm -r start` / `turbo run start` starts the members: no process of the root's own.
      if (root && fansOut(script)) continue;
      const dev = isDevScript(script);
      if (dev) devServers.push(script);
      else productionStart = true;
      // With standalone output `next start` still runs but Next warns against it: the standalone server ranks above.
      const ranked = (name === 'start' && (s['start:prod'] ?? s['start:production']) !== undefined) || (standalone && /\bnext\s+start\b/.test(script));
      emit('start', scriptCmd(name), !dev, scriptEv(name), ranked ? 'medium' : 'high');
    }

    if (next && next.detail?.output !== 'export') {
      if (!s.start) {
        // `next start` is how Next serves a `next build` when the repo declares no start script.
        emit('start', execBin(pm, 'next start'), true, [depEvidence(pkg, 'next')], 'medium', 'fallback');
        productionStart = true;
      }
      if (standalone) {
        // Standalone output ships its own server.js, which the config file asks for: the build's own start.
        emit('start', 'node .next/standalone/server.js', true, next.evidence, 'high');
        productionStart = true;
      }
    }

    if (app.runtime === 'bun' && !productionStart && !staticOnly && !s.start) {
      // Bun runs TypeScript directly: with no start script, the entry module (`bun init` writes "module") is the server.
      const entry = bunEntry(ctx, pkg);
      if (entry) { emit('start', `bun ${entry.rel}`, true, [entry.evidence], 'medium', 'fallback'); productionStart = true; }
    }

    if (s.dev) { emit('dev', scriptCmd('dev'), false, scriptEv('dev'), 'high'); devServers.push(s.dev); }
    for (const name of ['start:dev', 'serve', 'watch']) {
      const script = s[name];
      if (script && isDevScript(script)) { emit('dev', scriptCmd(name), false, scriptEv(name), 'high'); devServers.push(script); }
    }

    if (s.test && !NO_TEST.test(s.test)) emit('test', scriptCmd('test'), false, scriptEv('test'), 'high');

    migrations(pkg, pm, scriptCmd, emit, ctx.repo.has(inApp(ctx.appDir, 'prisma/schema.prisma')), ctx.repo.under(inApp(ctx.appDir, 'prisma/migrations')).length > 0);
    // `prisma db push` in the build writes the schema to the live database: the build machine needs its URL and access.
    const push = prismaPushScript(s);
    if (push) {
      out.push({
        kind: 'risk', severity: 'warning', message: `the ${push} script applies the Prisma schema to the database (prisma db push): the build needs the database URL and network access to it`,
        evidence: scriptEv(push), source: 'build-file', confidence: 'high', detector: NAME,
      });
    }

    if (!productionStart && !staticOnly && devServers.length > 0) {
      const first = devServers[0]!;
      const ev = Object.keys(s).filter((k) => s[k] === first).map((k) => keyEvidence(pkg, k, 'scripts'));
      out.push({
        kind: 'risk', severity: 'warning', message: `production start command needed: only a dev server (${first}) was found`,
        evidence: ev, source: 'build-file', confidence: 'high', detector: NAME,
      });
    }
    return out;
  },
};

/** A package.json that declares workspaces, or sits at the repo root beside pnpm/lerna/nx/turbo workspace files. */
function workspaceRoot(ctx: DetectContext, pkg: PackageJson): boolean {
  if (pkg.json.workspaces !== undefined) return true;
  return ctx.appDir === '' && ['pnpm-workspace.yaml', 'lerna.json', 'nx.json', 'turbo.json'].some((f) => ctx.repo.has(f));
}

const ENTRY_EXT = /\.(?:[cm]?[jt]sx?)$/;
const BUN_ENTRIES = ['src/index.ts', 'index.ts', 'src/server.ts', 'server.ts', 'src/main.ts', 'main.ts', 'src/index.js', 'index.js'];

/** A Bun app's entry: package.json `module` or `main` when that file is in the repo, else the usual entry paths. */
function bunEntry(ctx: DetectContext, pkg: PackageJson): { rel: string; evidence: Evidence } | null {
  for (const field of ['module', 'main']) {
    const v = pkg.json[field];
    if (typeof v !== 'string') continue;
    const rel = v.replace(/^\.\//, '');
    if (ENTRY_EXT.test(rel) && ctx.repo.has(inApp(ctx.appDir, rel))) return { rel, evidence: keyEvidence(pkg, field) };
  }
  const rel = BUN_ENTRIES.find((f) => ctx.repo.has(inApp(ctx.appDir, f)));
  return rel ? { rel, evidence: { file: inApp(ctx.appDir, rel), line: null } } : null;
}

type Emit = (role: CommandRole, command: string, production: boolean, evidence: Evidence[], confidence: Confidence, source?: SourceClass) => void;

/**
 * `hasPrismaMigrations`: prisma/migrations holds migrations. Without them `prisma migrate deploy` applies nothing:
 * such projects sync the schema with `prisma db push` instead, which is no migrate step to propose.
 */
function migrations(pkg: PackageJson, pm: string, scriptCmd: (n: string) => string, emit: Emit, hasPrismaSchema: boolean, hasPrismaMigrations: boolean): void {
  const s = pkg.scripts;
  let fromScript = false;
  for (const [name, script] of Object.entries(s)) {
    // Scripts named for migrations (migrate, db:migrate, migration:run, typeorm:migrate …), not generators or rollbacks.
    if (!/migrat/i.test(name) || /generate|create|revert|rollback|undo|down|make|new/i.test(name)) continue;
    // `prisma migrate dev` creates and applies migrations against a dev database: never for production.
    // The resolver ranks migrate signals by source alone, so a dev migration is filed as a dev command (low)
    // rather than as a migrate command that would outrank `prisma migrate deploy`.
    const dev = /\bprisma\s+migrate\s+(?:dev|reset)\b/.test(script);
    if (dev) { emit('dev', scriptCmd(name), false, [keyEvidence(pkg, name, 'scripts')], 'low'); continue; }
    emit('migrate', scriptCmd(name), true, [keyEvidence(pkg, name, 'scripts')], 'high');
    fromScript = true;
  }
  if (fromScript) return;
  const prisma = ['prisma', '@prisma/client'].find((d) => pkg.deps.has(d));
  if (prisma && hasPrismaSchema && hasPrismaMigrations) {
    emit('migrate', execBin(pm, 'prisma migrate deploy'), true, [depEvidence(pkg, prisma)], 'medium', 'fallback');
  }
}
