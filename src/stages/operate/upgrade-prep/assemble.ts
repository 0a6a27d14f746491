// From the probe's facts to the report's runtime, dependencies and migrations (pure; the caller supplies version logic).
import type { Bump, OpsUpgradePrepData } from '../../../report/ops/upgrade-prep.js';
import {
  normalizePyName, packageJsonDeps, parseGoMod, parseGoOutdated, parseInstalledLines, parseNpmOutdated, parsePipList, parsePipOutdated,
  parseRequirements, type OutdatedResult,
} from './deps.js';
import { parseDjangoShowmigrations, parsePrismaStatus, parseRailsStatus, type MigrationStatus } from './migrations.js';
import type { UpgradeProbe } from './probe.js';
import { parseRuntimeVersion, runtimeOf } from './runtime.js';
import { runtimeSupport } from './support.js';

type Data = OpsUpgradePrepData;

export interface VersionLogic {
  bump(current: string | null, latest: string | null): Bump;
  /** Whether a version satisfies a range: null when either cannot be compared. */
  satisfies(version: string, range: string): boolean | null;
}

export interface AssembleInput {
  probe: UpgradeProbe;
  /** The current release's strategy (a static site runs no runtime). */
  strategy: string;
  /** The repository's runtime range (Deployment Brief), with its evidence. */
  required: { runtime: string; range: string; evidence: string } | null;
  registry: string | null;
  offline: boolean;
  outdatedTimeoutSec: number;
  now: Date;
}

const firstLine = (s: string): string => s.trim().split('\n')[0]?.trim() ?? '';

function runningProblem(p: UpgradeProbe, runtime: string | null, strategy: string): string {
  if (p.releaseError) return p.releaseError;
  if (strategy === 'static') return 'static site: nginx serves the release\'s files, no app runtime runs';
  if (p.running.problem) return p.running.problem;
  if (!runtime) return 'the release has no manifest deckhand knows (package.json, requirements.txt, pyproject.toml, go.mod, pom.xml, Gemfile): the runtime is not known';
  if (p.running.ran) return `the runtime did not print a version (exit ${p.running.ran.rc ?? 'none'}): ${firstLine(p.running.ran.err || p.running.ran.out)}`;
  if (p.pm2Problem) return p.pm2Problem;
  if (p.docker === 'unreachable') return 'the docker daemon does not answer this user (not root, not in the docker group, no passwordless sudo)';
  if (p.procs.length === 0) return `no running process of the app was found${p.unit ? ` (${p.unit} has no main PID: is it running?)` : ''}`;
  if (p.procs.every((x) => x.exe === '')) return `the executables of PID ${p.procs.map((x) => x.pid).join(', ')} could not be read (/proc/PID/exe needs root or sudo for another user's process)`;
  return `none of the app's processes runs ${runtime} (${p.procs.map((x) => `${x.pid} ${x.exe || '?'}`).join(', ')})`;
}

export function assembleRuntime(i: AssembleInput, logic: VersionLogic): Data['runtime'] {
  const p = i.probe;
  const name = runtimeOf(p.ecosystem);
  const version = p.running.ran && p.running.ran.rc === 0 ? parseRuntimeVersion(name, `${p.running.ran.out}\n${p.running.ran.err}`) : null;
  const exe = p.running.container ? `container ${p.running.container}` : p.running.exe;
  const procs = p.procs.map((x) => `${x.pid} ${x.exe || '(unreadable)'}`).join('\n');
  const evidence = [
    p.unit ? `main PID from ${p.unit}` : null,
    p.pm2 ? `pm2 instances (id status pid mode):\n${p.pm2.map((x) => `${x.id} ${x.status} ${x.pid} ${x.mode}`).join('\n')}` : null,
    procs ? `processes:\n${procs}` : null,
    p.running.ran ? `$ ${p.running.exe ?? name ?? '?'} ${name === 'java' ? '-version' : '--version'}\n${(p.running.ran.out || p.running.ran.err).trim()}` : null,
  ].filter(Boolean).join('\n');
  const pathVersion = p.path.ran && p.path.ran.rc === 0 ? parseRuntimeVersion(name, `${p.path.ran.out}\n${p.path.ran.err}`) : null;
  const req = i.required && i.required.runtime === name ? i.required : null;
  return {
    name,
    running: {
      version, pid: p.running.pid, exe, replacedOnDisk: (p.running.exe ?? '').endsWith(' (deleted)'), evidence,
      problem: version ? null : runningProblem(p, name, i.strategy),
    },
    onPath: p.path.exe || p.path.ran ? { version: pathVersion, exe: p.path.exe } : null,
    required: { range: req?.range ?? null, evidence: req?.evidence ?? null },
    satisfies: version && req ? logic.satisfies(version, req.range) : null,
    support: runtimeSupport(name, version, i.now),
  };
}

function outdatedOf(i: AssembleInput, logic: VersionLogic): Data['dependencies']['outdated'] {
  const p = i.probe;
  const eco = p.ecosystem;
  const reg = i.registry;
  const tool = eco === 'node' ? `npm outdated --json${reg ? ` --registry=${reg}` : ''}`
    : eco === 'python' ? `.venv/bin/python -m pip list --outdated --format json --index-url ${p.pipIndex ?? reg ?? '(pip\'s configured index)'}`
      : eco === 'go' ? `${reg ? `GOPROXY=${reg} ` : ''}go list -m -u all` : null;
  if (i.offline) return { status: 'skipped', tool: null, reason: 'not asked: --offline', list: [] };
  const unknown = (reason: string): Data['dependencies']['outdated'] => ({ status: 'unknown', tool, reason, list: [] });
  if (p.outdatedProblem) return unknown(p.outdatedProblem);
  if (!p.outdated) {
    if (!tool) return unknown(`deckhand has no outdated query for ${eco ?? 'an unknown ecosystem'}`);
    return unknown(p.depsProblem ?? p.releaseError ?? 'the outdated query did not run (the probe ended before it)');
  }
  const o = p.outdated;
  let r: OutdatedResult;
  if (eco === 'node') r = parseNpmOutdated(o.out, o.rc, o.err, i.outdatedTimeoutSec);
  else if (eco === 'python') r = parsePipOutdated(o.out, o.rc, o.err, i.outdatedTimeoutSec);
  else r = parseGoOutdated(o.out, o.rc, o.err, i.outdatedTimeoutSec);
  if (!r.ok) return unknown(r.reason);
  return { status: 'checked', tool, reason: null, list: r.list.map((x) => ({ ...x, bump: logic.bump(x.current, x.latest) })) };
}

export function assembleDependencies(i: AssembleInput, logic: VersionLogic): Data['dependencies'] {
  const p = i.probe;
  const base = { manager: null, source: null, list: [], transitive: 0 };
  const outdated = outdatedOf(i, logic);
  const none = (problem: string): Data['dependencies'] => ({ ...base, problem, outdated });
  if (p.releaseError) return none(p.releaseError);
  if (p.ecosystem === 'node') {
    const declared = p.packageJson ? packageJsonDeps(p.packageJson) : null;
    if (!declared) return none('the release\'s package.json is missing or not JSON');
    const fromModules = p.installed !== null;
    const installed = parseInstalledLines(p.installed ?? p.locked ?? '');
    if (p.installed === null && p.locked === null) return { ...none('neither node_modules nor package-lock.json is in the release: the installed versions are not known'), manager: 'npm' };
    const list = declared.filter((d) => d.type !== 'dev' || installed.has(d.name)).map((d) => ({ ...d, installed: installed.get(d.name) ?? null }));
    const direct = new Set(list.map((d) => d.name));
    return {
      manager: 'npm', source: fromModules ? 'node_modules' : 'package-lock.json (no node_modules in the release)', list,
      transitive: [...installed.keys()].filter((n) => !direct.has(n)).length, problem: null, outdated,
    };
  }
  if (p.ecosystem === 'python') {
    if (p.depsProblem) return { ...none(p.depsProblem), manager: 'pip' };
    const pip = p.pipList && p.pipList.rc === 0 ? parsePipList(p.pipList.out) : null;
    if (!pip) return { ...none(`pip list in the release's .venv failed${p.pipList ? ` (exit ${p.pipList.rc ?? 'none'}): ${firstLine(p.pipList.err)}` : ''}`), manager: 'pip' };
    const byNorm = new Map([...pip].map(([n, v]) => [normalizePyName(n), v]));
    const reqs = p.requirements ? parseRequirements(p.requirements) : null;
    if (!reqs) {
      return { manager: 'pip', source: 'pip list in .venv (no requirements.txt: every installed package)', list: [...pip].map(([name, v]) => ({ name, wanted: null, installed: v, type: 'prod' as const })), transitive: 0, problem: null, outdated };
    }
    const direct = new Set(reqs.map((r) => normalizePyName(r.name)));
    return {
      manager: 'pip', source: 'pip list in .venv', list: reqs.map((r) => ({ name: r.name, wanted: r.wanted, installed: byNorm.get(normalizePyName(r.name)) ?? null, type: 'prod' as const })),
      transitive: [...byNorm.keys()].filter((n) => !direct.has(n)).length, problem: null, outdated,
    };
  }
  if (p.ecosystem === 'go') {
    if (!p.goMod) return { ...none('go.mod in the release is empty or unreadable'), manager: 'go' };
    const mods = parseGoMod(p.goMod);
    return {
      manager: 'go', source: 'go.mod (the versions the binary was built with)',
      list: mods.filter((m) => !m.indirect).map((m) => ({ name: m.name, wanted: null, installed: m.version, type: 'prod' as const })),
      transitive: mods.filter((m) => m.indirect).length, problem: null, outdated,
    };
  }
  return none(p.ecosystem ? `deckhand does not read ${p.ecosystem} dependencies yet` : 'the release has no manifest deckhand knows: its dependencies are not known');
}

export function assembleMigrations(p: UpgradeProbe): Data['migrations'] {
  const tool = p.migrations.tool;
  const command = p.migrations.command;
  if (!tool) {
    return {
      tool: null, status: 'not-detectable', pending: [], command: null,
      reason: p.migrations.problem ?? p.releaseError ?? 'no Prisma schema, Django manage.py or Rails db/migrate in the release',
    };
  }
  const ran = p.migrations.ran;
  if (!ran) return { tool, status: 'unknown', pending: [], command, reason: p.migrations.problem ?? 'the status command did not run' };
  let r: MigrationStatus;
  if (tool === 'django') r = parseDjangoShowmigrations(ran.out, ran.rc, ran.err);
  else if (tool === 'prisma') r = parsePrismaStatus(ran.out, ran.rc, ran.err);
  else r = parseRailsStatus(ran.out, ran.rc, ran.err);
  if (!r.ok) return { tool, status: 'unknown', pending: [], command, reason: r.reason };
  return { tool, status: r.pending.length > 0 ? 'pending' : 'up-to-date', pending: r.pending, command, reason: null };
}
