// Resolves what to deploy from flags > deckhand.yml > the Deployment Brief; a missing essential is a clear error.
import { DeckhandError } from '../../core/errors.js';
import type { DeckhandConfig, StrategyName } from '../../config/schema.js';
import { STRATEGIES } from '../../config/schema.js';
import type { BriefData } from '../../report/brief.js';
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
}

const DURATION_RE = /^(\d+)(ms|s|m)$/;
function durationMs(s: string | undefined, fallback: number): number {
  const m = s ? DURATION_RE.exec(s) : null;
  if (!m?.[1]) return fallback;
  const n = Number(m[1]);
  return m[2] === 'ms' ? n : m[2] === 's' ? n * 1000 : n * 60_000;
}

/** A name usable as service name, user name and directory: lower-case, dashes, starting with a letter. */
export function appName(raw: string): string {
  const n = raw.toLowerCase().replace(/^@[^/]+\//, '').replace(/[^a-z0-9-]+/g, '-').replace(/^[^a-z]+/, '').replace(/-+$/, '').slice(0, 39);
  return n.length > 0 ? n : 'app';
}

function pickStrategy(flags: DeployFlags, cfg: DeckhandConfig, brief: BriefData | null): StrategyName {
  const raw = flags.strategy ?? cfg.strategy ?? brief?.strategy ?? null;
  if (raw === null) throw new DeckhandError('usage', 'no deploy strategy: discovery found none and none was given', { hint: `pass --strategy (${STRATEGIES.join(', ')})` });
  if (!(STRATEGIES as readonly string[]).includes(raw)) {
    throw new DeckhandError('usage', `unknown strategy "${raw}"`, { hint: `choose one of: ${STRATEGIES.join(', ')}` });
  }
  return raw as StrategyName;
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

export function resolveSpec(input: { sourceDir: string; brief: BriefData | null; config: DeckhandConfig; flags: DeployFlags; commit: string | null; dirty: boolean }): DeploySpec {
  const { brief, config: cfg, flags } = input;
  const strategy = pickStrategy(flags, cfg, brief);
  const app = appName(flags.app ?? cfg.app ?? brief?.app ?? 'app');
  const c = brief?.commands;
  const eco = brief?.stack.ecosystem?.value ?? null;
  const briefStart = c?.start?.value.production ? c.start.value.command : null;
  const start = flags.start ?? cfg.commands?.start ?? briefStart;
  const build = cfg.commands?.build ?? c?.build?.value.command ?? null;
  let install = cfg.commands?.install ?? c?.install?.value.command ?? null;
  if (!cfg.commands?.install) install = eco === 'python' ? pythonInstall(install) : productionInstall(install, build !== null);
  const prune = eco === 'node' && build !== null && install?.startsWith('npm ci') ? 'npm prune --omit=dev' : null;
  const needsStart = strategy === 'systemd' || strategy === 'pm2';
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
  return {
    app, strategy, sourceDir: input.sourceDir, commit: input.commit, dirty: input.dirty,
    runtime: brief?.stack.runtime ? { name: brief.stack.runtime.value.runtime, range: brief.stack.runtime.value.range } : null,
    port: flags.port ?? cfg.port ?? brief?.port?.value ?? null,
    healthPath: flags.health ?? cfg.health ?? brief?.health[0]?.value ?? null,
    build: flags.build ?? cfg.build ?? 'target',
    commands: { install, build: build && prune ? `${build} && ${prune}` : build, start: start ?? null, migrate: cfg.commands?.migrate ?? (flags.migrate ? c?.migrate?.value.command ?? null : null) },
    envNames: [...envNames].sort(), envSources,
    serviceUser: cfg.user ?? app,
    keep: flags.keep ?? cfg.keep ?? 5,
    excludes: [...(cfg.exclude ?? [])],
    startTimeoutMs: flags.startTimeoutSec ? flags.startTimeoutSec * 1000 : durationMs(cfg.start_timeout, 30_000),
    baseDirOverride: flags.baseDir ?? cfg.base_dir ?? null,
    pm2Instances: flags.instances ?? cfg.pm2?.instances ?? 1,
    script: cfg.script ? { deploy: cfg.script.deploy, rollback: cfg.script.rollback ?? null } : null,
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
