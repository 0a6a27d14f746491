// repo-runtime-discovery: index the repo, run every detector on the chosen app, resolve the Deployment Brief.
import { basename } from 'node:path';
import type { RunContext } from '../../core/context.js';
import { usageError } from '../../core/errors.js';
import { VERSION } from '../../core/version.js';
import type { BriefData, DeploymentBrief } from '../../report/brief.js';
import type { Finding } from '../../report/common.js';
import { loadVersionMatcher } from '../readiness/versions.js';
import { findApps } from './apps.js';
import { ALL_DETECTORS } from './detectors/index.js';
import { buildRepoIndex } from './repo.js';
import { ofKind, pick, resolveCommands, resolveDatastores, resolveEnv, resolveFrameworks, resolveHealth } from './resolve.js';
import { deriveRisks } from './risks.js';
import { headCommit, openSource } from './source.js';
import { isStatic, rankStrategies } from './strategy.js';
import { runDetectors } from './run-detectors.js';
import type { Detector, RepoIndex, Signal } from './types.js';
import { briefFindings } from './findings.js';

export interface DiscoverOptions {
  /** App directory inside a monorepo (or its name). */
  app?: string;
  /** Detectors to run (tests); default: all. */
  detectors?: readonly Detector[];
}

const RUNTIME_OF: Record<string, string> = { node: 'node', bun: 'bun', deno: 'deno', python: 'python', go: 'go', jvm: 'java', rust: 'rust', ruby: 'ruby', php: 'php' };
const CHECKABLE = new Set(['systemd', 'pm2', 'docker', 'compose', 'static']);
/**
 * The executable each ecosystem runs on, named in `runtimes` even when no version is stated so `check --brief` still
 * verifies it is installed. Rust compiles to a self-contained binary: nothing to install on the host.
 */
const RUNTIME_BINARY: Record<string, string> = { node: 'node', bun: 'bun', deno: 'deno', python: 'python3', go: 'go', jvm: 'java', ruby: 'ruby', php: 'php' };

export interface BriefMeta {
  app: string; root: string; appDir: string; commit: string | null; apps: BriefData['apps'];
  /** The brief describes a workspace root that only fans out to its member apps: no process of its own to place. */
  workspaceRoot?: boolean;
}

/** The detector family behind an ecosystem the apps list names: Bun, Deno and static JS apps are read by the Node group. */
const GROUP_OF_ECOSYSTEM: Record<string, string> = { node: 'node', bun: 'node', deno: 'node', static: 'node', python: 'python', go: 'go', jvm: 'jvm', rust: 'rust', ruby: 'ruby', php: 'php' };
const GROUPS = new Set(Object.values(GROUP_OF_ECOSYSTEM));

/** The ecosystem group of the detector that sent a signal, or null for artifacts and docs (deno-commands is the Node group's). */
function groupOf(s: Signal): string | null {
  const prefix = s.detector.split('-')[0] ?? '';
  const g = prefix === 'deno' ? 'node' : prefix;
  return GROUPS.has(g) ? g : null;
}

/**
 * Where two ecosystems' files share a directory (a Laravel app with a Vite package.json), the one the apps list chose
 * for it owns the stack: only its group's ecosystem, language and package manager signals count, and its commands
 * displace the other groups' for the roles it covers. Deployment material and docs keep their say.
 */
function ownStack(signals: readonly Signal[], appEcosystem: string | undefined): Signal[] {
  const own = appEcosystem === undefined ? undefined : GROUP_OF_ECOSYSTEM[appEcosystem];
  if (own === undefined || !signals.some((s) => s.kind === 'ecosystem' && groupOf(s) === own)) return [...signals];
  const stackKinds = new Set<Signal['kind']>(['ecosystem', 'language', 'package-manager']);
  const ownKinds = new Set(signals.filter((s) => groupOf(s) === own && stackKinds.has(s.kind)).map((s) => s.kind));
  const ownRoles = new Set(signals.flatMap((s) => (s.kind === 'command' && groupOf(s) === own ? [s.role] : [])));
  return signals.filter((s) => {
    const g = groupOf(s);
    if (g === null || g === own) return true;
    if (stackKinds.has(s.kind)) return !ownKinds.has(s.kind);
    if (s.kind === 'command') return !ownRoles.has(s.role);
    return true;
  });
}

export async function resolveBrief(repo: RepoIndex, allSignals: readonly Signal[], briefMeta: BriefMeta): Promise<BriefData> {
  const { workspaceRoot = false, ...meta } = briefMeta;
  const signals = ownStack(allSignals, meta.apps.find((a) => a.dir === meta.appDir)?.ecosystem);
  const conflicts: BriefData['conflicts'] = [];
  const ecosystem = pick('ecosystem', ofKind(signals, 'ecosystem'), (s) => String(s.value), (v) => v, [], () => true);
  const wantRuntime = ecosystem ? RUNTIME_OF[ecosystem.value] : undefined;
  const runtimeSignals = ofKind(signals, 'runtime').filter((r) => wantRuntime === undefined || r.runtime === wantRuntime);
  // semver costs ~70 ms to load: only needed when two sources state a runtime.
  const versions = runtimeSignals.length > 1 ? await loadVersionMatcher() : undefined;
  const runtime = pick('runtime', runtimeSignals, (s) => ({ runtime: s.runtime, range: s.range }), (v) => `${v.runtime} ${v.range}`, conflicts,
    (a, b) => a.runtime === b.runtime && (a.range === b.range || (versions?.intersects(a.range, b.range) ?? false)));
  const stack: BriefData['stack'] = {
    ecosystem,
    language: pick('language', ofKind(signals, 'language'), (s) => s.value, (v) => v, [], () => true),
    packageManager: pick('packageManager', ofKind(signals, 'package-manager'), (s) => (s.version ? `${s.value}@${s.version}` : s.value), (v) => v, conflicts, (a, b) => a.split('@')[0] === b.split('@')[0]),
    runtime,
    frameworks: resolveFrameworks(signals),
  };
  const commands = resolveCommands(signals, conflicts);
  // A static site is served by the web server: framework defaults and dev/preview server ports in code or
  // build files say nothing about where it is published; only deployment material and docs do.
  const staticApp = isStatic({ stack, commands });
  const portSignals = ofKind(signals, 'port').filter((p) => !staticApp || p.source === 'deploy-material' || p.source === 'docs');
  const port = pick('port', portSignals, (s) => s.port, (v) => String(v), conflicts);
  const artifacts = ofKind(signals, 'artifact').map((a) => ({ type: a.type, path: a.path, summary: a.summary }));
  const problems = [...repo.problems, ...ofKind(signals, 'problem').map((p) => ({ path: p.evidence[0] ? `${p.evidence[0].file}${p.evidence[0].line ? `:${p.evidence[0].line}` : ''}` : p.detector, message: p.message }))];
  const envVars = resolveEnv(signals);
  const datastores = resolveDatastores(signals);
  const base = { ...meta, stack, commands, port, health: resolveHealth(signals), envVars, datastores, artifacts, conflicts, problems };
  const risks = deriveRisks(signals, base, { app: !workspaceRoot });
  // Strategies place one app; a workspace root has none of its own until --app picks a member.
  const strategies = workspaceRoot ? [] : rankStrategies(base);
  const top = strategies.find((s) => CHECKABLE.has(s.name));
  const unstated = ecosystem ? RUNTIME_BINARY[ecosystem.value] : undefined;
  return {
    ...base, risks, strategies,
    strategy: top?.name ?? null,
    ports: port ? [port.value] : [],
    runtimes: runtime ? [{ name: runtime.value.runtime === 'python' ? 'python3' : runtime.value.runtime, range: runtime.value.range }]
      : unstated ? [{ name: unstated, range: null }] : [],
    env: envVars.filter((e) => e.required === true).map((e) => ({ name: e.name, required: true, secret: e.secret })),
    stats: { files: repo.files.length },
  };
}

/** Discovers how the repository at `input` (a path or a git URL) should run. Never executes repository code. */
/** What code shows about the running app: reads in examples, benchmarks, tests, fixtures or docs are not the app's. */
const CODE_FACTS = new Set<Signal['kind']>(['env', 'port', 'health', 'datastore']);
/** Top-level folders of an app that hold other programs' code (a deeper `example/` may be a Java package). */
const ASIDE_DIRS = new Set(['examples', 'example', 'samples', 'demos', 'bench', 'benchmarks', 'test', 'tests', '__tests__', 'e2e', 'fixtures', '__fixtures__', 'testdata', 'docs', 'doc']);

/**
 * Drops code evidence found under examples/, bench/, test/, fixtures/, docs/ … of the app dir (a tool repo's sample
 * apps read DATABASE_URL; the tool does not), and the code signals left with none. Deployment material and docs
 * are kept: a docs/DEPLOY.md is about the app.
 */
function outsideApp(signals: readonly Signal[], appDir: string): Signal[] {
  const prefix = appDir === '' ? '' : `${appDir}/`;
  const aside = (file: string): boolean => {
    const rel = file.startsWith(prefix) ? file.slice(prefix.length) : null;
    return rel !== null && rel.includes('/') && ASIDE_DIRS.has((rel.split('/')[0] ?? '').toLowerCase());
  };
  const out: Signal[] = [];
  for (const s of signals) {
    if (!CODE_FACTS.has(s.kind) || (s.source !== 'code' && s.source !== 'fallback') || !s.evidence.some((e) => aside(e.file))) { out.push(s); continue; }
    const evidence = s.evidence.filter((e) => !aside(e.file));
    if (evidence.length > 0) out.push({ ...s, evidence });
  }
  return out;
}

export async function discover(ctx: RunContext, input: string, options: DiscoverOptions = {}): Promise<DeploymentBrief> {
  const started = (ctx.now ?? (() => new Date()))();
  const t0 = performance.now();
  const src = await openSource(ctx, input);
  try {
    ctx.onProgress?.({ type: 'step-start', id: 'index', title: 'index the repository' });
    const ti = performance.now();
    const repo = await buildRepoIndex(src.root);
    ctx.onProgress?.({ type: 'step-end', id: 'index', title: `index the repository (${repo.files.length} files)`, status: 'pass', durationMs: Math.round(performance.now() - ti) });
    const apps = await findApps(repo);
    let appDir = '';
    if (options.app !== undefined) {
      const want = options.app.replace(/^\.\/|\/$/g, '');
      const hit = apps.find((a) => a.dir === want || a.name === want) ?? (repo.under(want).length > 0 ? { dir: want } : undefined);
      if (!hit) throw usageError(`no app "${options.app}" in ${src.display}`, apps.length > 0 ? `apps found: ${apps.map((a) => a.dir || '.').join(', ')}` : 'check the directory name');
      appDir = hit.dir;
    } else if (apps.length === 1 && apps[0]) {
      appDir = apps[0].dir;
    }
    const td = performance.now();
    ctx.onProgress?.({ type: 'step-start', id: 'detect', title: 'run detectors' });
    // With several apps and none chosen, the root is described as the workspace it is: what members' own
    // files say (a member's port, env reads, Dockerfile) belongs to that member's brief, not to the root's.
    const workspaceRoot = appDir === '' && apps.length > 0 && !apps.some((a) => a.dir === '');
    const memberPrefixes = workspaceRoot ? apps.map((a) => `${a.dir}/`) : [];
    const inMember = (s: Signal): boolean => s.evidence.length > 0 && s.evidence.every((e) => memberPrefixes.some((p) => e.file.startsWith(p)));
    const signals = outsideApp((await runDetectors(repo, appDir, options.detectors ?? ALL_DETECTORS)).filter((s) => !inMember(s)), appDir);
    ctx.onProgress?.({ type: 'step-end', id: 'detect', title: `run detectors (${signals.length} signals)`, status: 'pass', durationMs: Math.round(performance.now() - td) });
    const appName = apps.find((a) => a.dir === appDir)?.name ?? (appDir ? basename(appDir) : basename(src.root));
    const data = await resolveBrief(repo, signals, {
      app: appName, root: src.display, appDir, commit: await headCommit(ctx, src.root),
      apps: apps.map((a) => ({ dir: a.dir, name: a.name, ecosystem: a.ecosystem, reason: a.reason, evidence: a.evidence })),
      workspaceRoot,
    });
    if (apps.length > 1 && options.app === undefined) {
      data.risks.unshift({ severity: 'warning', message: `monorepo with ${apps.length} apps (${apps.map((a) => a.dir).join(', ')}): pass --app DIR to describe one`, evidence: [] });
    }
    const findings: Finding[] = briefFindings(data);
    const nothing = !data.stack.ecosystem && data.artifacts.length === 0;
    const brief: DeploymentBrief = {
      schemaVersion: 1, tool: { name: 'deckhand', version: VERSION }, stage: 'discovery',
      status: nothing ? 'nothing-found' : data.risks.some((r) => r.severity === 'blocker') ? 'risks' : 'ok',
      target: { kind: 'local', display: src.display }, startedAt: started.toISOString(), durationMs: Math.round(performance.now() - t0),
      findings, steps: [], data,
    };
    return ctx.redactor.maskDeep(brief);
  } finally {
    await src.cleanup();
  }
}
