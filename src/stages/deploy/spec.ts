// Resolves what to deploy from flags > deckhand.yml > the Deployment Brief; a missing essential is a clear error.
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { DeckhandError } from '../../core/errors.js';
import { parseDuration } from '../../core/units.js';
import { safeScriptPath, type ScriptPreview } from '../../commands/script.js';
import { nginxSafe } from '../../commands/nginx.js';
import type { DeckhandConfig, StrategyName } from '../../config/schema.js';
import { STRATEGIES } from '../../config/schema.js';
import type { BriefData } from '../../report/brief.js';
import type { SwarmSettings } from '../../commands/swarm.js';
import type { DeploySpec } from './types.js';

export interface DeployFlags {
  strategy?: string;
  app?: string;
  port?: number;
  health?: string;
  baseDir?: string;
  build?: 'target' | 'local';
  keep?: number;
  envFile?: string;
  remoteEnvFile?: string;
  env?: string[];
  start?: string;
  startTimeoutSec?: number;
  instances?: number | 'max';
  /** Run the migration command the brief found (deckhand.yml commands.migrate always runs). */
  migrate?: boolean;
  /** script strategy: the repository's deploy script, its rollback script, or an explicit "no rollback script". */
  script?: string;
  rollbackScript?: string;
  noRollback?: boolean;
  /** --zero-downtime: systemd, pm2 and docker apps deploy blue-green; compose apps replace the service container behind nginx. */
  zeroDowntime?: boolean;
}

/** A duration from deckhand.yml (validated there: 500ms, 30s, 2m) in milliseconds, or the default when unset. */
export function configDuration(s: string | undefined, key: string, fallback: number): number {
  return s ? parseDuration(s, key) : fallback;
}

/** A name usable as service name, user name and directory: lower-case, dashes, starting with a letter. */
export function appName(raw: string): string {
  const n = raw.toLowerCase().replace(/^@[^/]+\//, '').replace(/[^a-z0-9-]+/g, '-').replace(/^[^a-z]+/, '').replace(/-+$/, '').slice(0, 39);
  return n.length > 0 ? n : 'app';
}

/** What runs the two blue-green slots: systemd template units, pm2 apps or containers. */
export type SlotRunner = 'systemd' | 'pm2' | 'docker';
const RUNNERS: readonly string[] = ['systemd', 'pm2', 'docker'];

interface Picked { strategy: StrategyName; runner: SlotRunner | null; zeroDowntime: boolean }

/**
 * The strategy, and for zero downtime what it rests on. zero_downtime (deckhand.yml or --zero-downtime) makes a
 * systemd, pm2 or docker deploy blue-green with that strategy as the slot runner, and a compose deploy a
 * replacement of the service container behind nginx. `--strategy blue-green` alone runs systemd slots unless
 * blue_green.runner says otherwise.
 */
function pickStrategy(flags: DeployFlags, cfg: DeckhandConfig, brief: BriefData | null): Picked {
  const raw = flags.strategy ?? cfg.strategy ?? brief?.strategy ?? null;
  if (raw === null) throw new DeckhandError('usage', 'no deploy strategy: discovery found none and none was given', { hint: `pass --strategy (${STRATEGIES.join(', ')})` });
  if (!(STRATEGIES as readonly string[]).includes(raw)) {
    throw new DeckhandError('usage', `unknown strategy "${raw}"`, { hint: `choose one of: ${STRATEGIES.join(', ')}` });
  }
  const cfgRunner = cfg.blue_green?.runner ?? null;
  if (raw === 'blue-green') return { strategy: 'blue-green', runner: cfgRunner ?? 'systemd', zeroDowntime: true };
  // An explicit --strategy other than blue-green is taken as given unless --zero-downtime asks for it too.
  const zeroDowntime = flags.zeroDowntime === true || (flags.strategy === undefined && (cfg.zero_downtime === true || cfg.blue_green !== undefined));
  if (!zeroDowntime) return { strategy: raw as StrategyName, runner: null, zeroDowntime: false };
  if (RUNNERS.includes(raw)) {
    if (cfgRunner !== null && cfgRunner !== raw) {
      throw new DeckhandError('usage', `blue_green.runner is ${cfgRunner} but the strategy is ${raw}`, { hint: `set blue_green.runner: ${raw}, or strategy: ${cfgRunner}` });
    }
    return { strategy: 'blue-green', runner: raw as SlotRunner, zeroDowntime: true };
  }
  if (raw === 'compose') return { strategy: 'compose', runner: null, zeroDowntime: true };
  throw new DeckhandError('usage', `zero downtime is for systemd, pm2, docker and compose apps, but the strategy is ${raw}`, {
    hint: 'choose one of those strategies, or remove zero_downtime / blue_green / --zero-downtime',
  });
}

/** blue-green: the slot ports (port and port+1 unless set), the nginx port in front (default 80), the drain bound. */
function resolveBlueGreen(app: string, port: number | null, cfg: DeckhandConfig, runner: SlotRunner): NonNullable<DeploySpec['blueGreen']> {
  const first = cfg.blue_green?.ports?.[0] ?? port;
  if (first === null) {
    throw new DeckhandError('usage', `blue-green needs the port ${app} listens on: its two slots are that port and the next`, {
      hint: 'pass --port, or set port (or blue_green.ports) in deckhand.yml',
    });
  }
  const ports: [number, number] = cfg.blue_green?.ports ? [cfg.blue_green.ports[0], cfg.blue_green.ports[1]] : [first, first + 1];
  const proxyPort = cfg.proxy_port ?? 80;
  if (ports[0] === ports[1] || ports.includes(proxyPort) || ports[1] > 65535) {
    throw new DeckhandError('usage', `blue-green slots ${ports.join(' and ')} and the nginx port ${proxyPort} must be three different ports`, {
      hint: 'set blue_green.ports and proxy_port in deckhand.yml',
    });
  }
  return { runner, ports, proxyPort, drainSec: Math.max(1, Math.round(configDuration(cfg.blue_green?.drain, 'blue_green.drain', 10_000) / 1000)) };
}

/** swarm: deckhand.yml swarm.* with defaults (2 replicas, one task at a time, 10s monitor, 5m deadline). */
function resolveSwarm(app: string, port: number | null, cfg: DeckhandConfig): SwarmSettings {
  const w = cfg.swarm ?? {};
  const secs = (d: string | undefined, key: string, fallback: number): string => `${Math.max(0, Math.round(configDuration(d, `swarm.${key}`, fallback) / 1000))}s`;
  if (port === null && !w.stack) {
    throw new DeckhandError('usage', `the swarm strategy needs the port ${app} listens on: it is published and checked after the update`, { hint: 'pass --port, or set port in deckhand.yml' });
  }
  return {
    mode: w.stack ? 'stack' : 'service', replicas: w.replicas ?? 2, network: w.network ?? 'ingress', port,
    updateParallelism: w.update_parallelism ?? 1, updateDelay: secs(w.update_delay, 'update_delay', 0), updateMonitor: secs(w.update_monitor, 'update_monitor', 10_000),
    stopGrace: secs(w.stop_grace_period, 'stop_grace_period', 10_000),
    health: w.health ? {
      cmd: w.health.cmd, interval: secs(w.health.interval, 'health.interval', 2_000), timeout: secs(w.health.timeout, 'health.timeout', 2_000), retries: w.health.retries ?? 3,
      startPeriod: secs(w.health.start_period, 'health.start_period', 5_000),
    } : null,
    deadlineSec: Math.max(10, Math.round(configDuration(w.deadline, 'swarm.deadline', 300_000) / 1000)), registryAuth: w.registry_auth === true,
    stack: w.stack ? { name: w.stack.name ?? app, composeFile: stackFile(w.stack.compose_file), service: w.stack.service } : null,
  };
}

function stackFile(raw: string): string {
  const rel = raw.replace(/^\.\//, '');
  if (!safeScriptPath(rel)) throw new DeckhandError('usage', `swarm.stack.compose_file ${raw} is not a plain path inside the app directory`, { hint: 'give a path relative to the app (letters, digits, . _ - / only): it ships with every release' });
  return rel;
}

/** npm/pnpm/yarn install that leaves only production dependencies when there is no build needing dev ones. */
function productionInstall(install: string | null, hasBuild: boolean): string | null {
  if (!install || hasBuild) return install;
  if (/^npm ci\s*$/.test(install)) return 'npm ci --omit=dev';
  if (/^pnpm install --frozen-lockfile\s*$/.test(install)) return 'pnpm install --frozen-lockfile --prod';
  return install;
}

/** Python installs go into a virtualenv in the release (system packages visible, so Debian's work offline). */
function pythonInstall(install: string | null): string | null {
  if (!install) return null;
  const pip = /^pip3? install (.+)$/.exec(install);
  if (pip?.[1]) return `python3 -m venv --system-site-packages .venv && .venv/bin/pip install --no-input --disable-pip-version-check ${pip[1]}`;
  return install;
}

const PREVIEW_LINES = 8;

/** Reads a repository script for the plan: it must be a file inside the app directory (it ships with every release). */
function previewScript(sourceDir: string, raw: string, what: string): ScriptPreview {
  const rel = isAbsolute(raw) ? relative(sourceDir, raw) : raw.replace(/^\.\//, '');
  if (!safeScriptPath(rel)) {
    throw new DeckhandError('usage', `the ${what} ${raw} is not a plain path inside the app directory`, {
      hint: 'give a path relative to the app (letters, digits, . _ - / only): the script ships with the release and runs from there',
    });
  }
  const file = join(sourceDir, rel);
  let text: Buffer;
  try {
    if (!statSync(file).isFile()) throw new Error('not a regular file');
    text = readFileSync(file);
  } catch (e) {
    throw new DeckhandError('usage', `cannot read the ${what} ${file}: ${(e as Error).message}`, { hint: 'check the path (relative to the app directory)' });
  }
  const head = text.toString('utf8').split('\n').slice(0, PREVIEW_LINES).map((l) => l.replace(/\r$/, ''));
  while (head.length > 0 && head[head.length - 1] === '') head.pop();
  return { path: rel, bytes: text.length, sha256: createHash('sha256').update(text).digest('hex'), head };
}

function resolveScript(sourceDir: string, flags: DeployFlags, cfg: DeckhandConfig): DeploySpec['script'] {
  const deploy = flags.script ?? cfg.script?.deploy;
  if (!deploy) {
    throw new DeckhandError('usage', 'the script strategy needs the repository\'s deploy script', { hint: 'pass --script <path> or set script.deploy in deckhand.yml' });
  }
  const rollback = flags.rollbackScript ?? cfg.script?.rollback ?? null;
  const noRollback = flags.noRollback === true || (flags.rollbackScript === undefined && cfg.script?.no_rollback === true);
  if (!rollback && !noRollback) {
    throw new DeckhandError('usage', 'refusing a script deploy without a rollback script', {
      hint: 'pass --rollback-script <path> (or script.rollback in deckhand.yml); to deploy anyway, with rollback only switching files back, pass --no-rollback',
    });
  }
  const preview = { deploy: previewScript(sourceDir, deploy, 'deploy script'), rollback: rollback ? previewScript(sourceDir, rollback, 'rollback script') : null };
  return { deploy: preview.deploy.path, rollback: preview.rollback?.path ?? null, noRollback: !rollback, preview };
}

/** The static output directory: deckhand.yml static.dir, else the one discovery found for the site's framework, else dist. */
function resolveStatic(cfg: DeckhandConfig, brief: BriefData | null): NonNullable<DeploySpec['staticSite']> {
  const found = (brief?.stack.frameworks ?? []).map((f) => f.value.detail.outDir).find((d): d is string => typeof d === 'string' && d.length > 0);
  const dir = (cfg.static?.dir ?? found ?? 'dist').replace(/^\.\/?/, '').replace(/\/+$/, '');
  const serverName = cfg.static?.server_name ?? null;
  if ((dir !== '' && (!nginxSafe(dir) || dir.startsWith('/') || dir.split('/').includes('..'))) || (serverName !== null && !nginxSafe(serverName))) {
    throw new DeckhandError('usage', `static.dir "${dir}" or static.server_name "${serverName ?? ''}" cannot be written into an nginx server block`, {
      hint: 'use a relative directory and a host name made of letters, digits, dots and dashes',
    });
  }
  return { dir, serverName };
}

export function resolveSpec(input: { sourceDir: string; brief: BriefData | null; config: DeckhandConfig; flags: DeployFlags; commit: string | null; dirty: boolean }): DeploySpec {
  const { brief, config: cfg, flags } = input;
  const { strategy, runner, zeroDowntime } = pickStrategy(flags, cfg, brief);
  const app = appName(flags.app ?? cfg.app ?? brief?.app ?? 'app');
  const c = brief?.commands;
  const eco = brief?.stack.ecosystem?.value ?? null;
  const briefStart = c?.start?.value.production ? c.start.value.command : null;
  const start = flags.start ?? cfg.commands?.start ?? briefStart;
  const build = cfg.commands?.build ?? c?.build?.value.command ?? null;
  let install = cfg.commands?.install ?? c?.install?.value.command ?? null;
  if (!cfg.commands?.install) install = eco === 'python' ? pythonInstall(install) : productionInstall(install, build !== null);
  const prune = eco === 'node' && build !== null && install?.startsWith('npm ci') ? 'npm prune --omit=dev' : null;
  // Containers start from their image; every other process manager needs the command.
  const needsStart = strategy === 'systemd' || strategy === 'pm2' || (strategy === 'blue-green' && runner !== 'docker');
  if (needsStart && !start) {
    const dev = c?.start && !c.start.value.production ? c.start.value.command : c?.dev?.value.command;
    throw new DeckhandError('usage', `no production start command for ${app}${dev ? ` (only the dev command \`${dev}\` was found)` : ''}`, {
      hint: 'set commands.start in deckhand.yml or pass --start "<command>"',
    });
  }
  const envNames = new Set<string>([...Object.keys(cfg.env ?? {}), ...(flags.env ?? []), ...(cfg.secrets?.env ?? [])]);
  const envSources: string[] = [];
  const envFile = flags.envFile ?? cfg.secrets?.env_file;
  const remoteEnv = flags.remoteEnvFile ?? cfg.secrets?.remote_env_file;
  if (envFile) envSources.push(`local file ${envFile}`);
  if (remoteEnv) envSources.push(`file on the target ${remoteEnv}`);
  if (envNames.size > 0) envSources.push('names listed (values from deckhand.yml env / the operator environment)');
  const defaultPort = strategy === 'static' ? 80 : null;
  const port = flags.port ?? cfg.port ?? brief?.port?.value ?? defaultPort;
  const blueGreen = strategy === 'blue-green' ? resolveBlueGreen(app, port, cfg, runner ?? 'systemd') : null;
  return {
    app, strategy, sourceDir: input.sourceDir, commit: input.commit, dirty: input.dirty,
    runtime: brief?.stack.runtime ? { name: brief.stack.runtime.value.runtime, range: brief.stack.runtime.value.range } : null,
    // blue-green: the app's port is its first slot (the second is the other slot, nginx's the one clients reach).
    port: blueGreen ? blueGreen.ports[0] : port,
    healthPath: flags.health ?? cfg.health ?? brief?.health[0]?.value ?? null,
    build: flags.build ?? cfg.build ?? 'target',
    commands: { install, build: build && prune ? `${build} && ${prune}` : build, start: start ?? null, migrate: cfg.commands?.migrate ?? (flags.migrate ? c?.migrate?.value.command ?? null : null) },
    envNames: [...envNames].sort(), envSources,
    serviceUser: cfg.user ?? app,
    keep: flags.keep ?? cfg.keep ?? 5,
    excludes: [...(cfg.exclude ?? [])],
    startTimeoutMs: flags.startTimeoutSec ? flags.startTimeoutSec * 1000 : configDuration(cfg.start_timeout, 'start_timeout', 30_000),
    baseDirOverride: flags.baseDir ?? cfg.base_dir ?? null,
    pm2Instances: flags.instances ?? cfg.pm2?.instances ?? 1,
    script: strategy === 'script' ? resolveScript(input.sourceDir, flags, cfg)
      : cfg.script ? { deploy: cfg.script.deploy, rollback: cfg.script.rollback ?? null } : null,
    ...(strategy === 'static' ? { staticSite: resolveStatic(cfg, brief) } : {}),
    ...(blueGreen ? { blueGreen } : {}),
    ...(strategy === 'swarm' ? { swarm: resolveSwarm(app, port, cfg) } : {}),
    ...(cfg.pm2?.kill_timeout ? { pm2KillTimeoutMs: configDuration(cfg.pm2.kill_timeout, 'pm2.kill_timeout', 10_000) } : {}),
    zeroDowntime,
  };
}

/**
 * `npm start` / `npm run start` becomes the script it names when that is a plain `node file.js`: the service
 * manager then supervises node itself (signals reach the app, pm2 can use cluster mode).
 */
export function unwrapNpmStart(start: string | null, packageJson: string | null): string | null {
  if (!start || !packageJson || !/^npm (run )?start$/.test(start.trim())) return start;
  try {
    const script = (JSON.parse(packageJson) as { scripts?: Record<string, unknown> }).scripts?.start;
    if (typeof script === 'string' && /^node [\w./-]+\.(?:c|m)?js$/.test(script.trim())) return script.trim();
  } catch { /* the brief already reported a broken package.json */ }
  return start;
}
