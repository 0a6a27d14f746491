// Input fields the tools share (zod), and the deploy inputs → DeployOptions mapping used by plan, apply and lifecycle.
import { z } from 'zod';
import { bundledPm2, type DeployOptions } from '../index.js';

export const target = z.string().min(1).default('local')
  .describe('where: local, user@host, user@host:port, ssh://user@host:port, or an ~/.ssh/config alias (SSH settings are the server\'s)');
export const app = z.string().min(1).optional().describe('app name (service, user and directory name)');
export const baseDir = z.string().min(1).optional().describe('base directory of the app on the target (default /opt/<app>, or ~/.deckhand/apps/<app> without root)');
const port = z.number().int().min(1).max(65535);

/** What a deploy needs: the same for deployment_plan and deployment_apply (apply must repeat the plan's inputs). */
export const deployInputs = {
  target,
  repo: z.string().min(1).describe('the repository to deploy: a directory on the server\'s machine, or a git URL'),
  appDir: z.string().min(1).optional().describe('the app inside a monorepo (directory)'),
  app,
  strategy: z.enum(['systemd', 'blue-green', 'pm2', 'docker', 'compose', 'static', 'script', 'swarm', 'kubernetes']).optional()
    .describe('default: deckhand.yml, else the brief\'s top strategy; kubernetes: target local (kubectl/helm run on the server\'s machine against deckhand.yml kubernetes.context); repo_service_lifecycle refuses it'),
  zeroDowntime: z.boolean().optional().describe('systemd, pm2 and docker apps: blue-green (two slots behind nginx); compose: the service container is replaced behind nginx'),
  config: z.string().min(1).optional().describe('deckhand.yml to use (default: the one in the app directory)'),
  envFile: z.string().min(1).optional().describe('path of an env file on the server\'s machine, installed as <base>/shared/.env (0600); its values never appear in results'),
  envNames: z.array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/)).optional().describe('names of variables in the server\'s environment copied into the env file (values are never passed or shown)'),
  remoteEnvFile: z.string().min(1).optional().describe('env file already on the target, installed as <base>/shared/.env'),
  port: port.optional().describe('port the app listens on'),
  health: z.string().startsWith('/').optional().describe('health path checked after the start, e.g. /health'),
  baseDir,
  build: z.enum(['target', 'local']).optional().describe('target: install and build on the target; local: ship what is built here'),
  keep: z.number().int().min(2).max(50).optional().describe('releases to keep (default 5)'),
  start: z.string().min(1).optional().describe('production start command'),
  startTimeoutSec: z.number().int().min(1).max(3600).optional().describe('how long the app may take to become healthy (default 30)'),
  instances: z.union([z.number().int().min(1).max(512), z.literal('max')]).optional().describe('pm2 cluster instances'),
  migrate: z.boolean().optional().describe('run the migration command discovery found'),
  script: z.string().min(1).optional().describe('script strategy: the repository\'s deploy script (relative to the app)'),
  rollbackScript: z.string().min(1).optional().describe('script strategy: the script a rollback runs'),
  noRollback: z.boolean().optional().describe('script strategy: deploy without a rollback script'),
};

export type DeployInputs = z.infer<z.ZodObject<typeof deployInputs>>;

export function deployOptions(i: DeployInputs, local: boolean): DeployOptions {
  const opts: DeployOptions = { source: i.repo, target: i.target };
  const set = <K extends keyof DeployOptions>(k: K, v: DeployOptions[K] | undefined): void => { if (v !== undefined) opts[k] = v; };
  set('appDir', i.appDir); set('app', i.app); set('strategy', i.strategy); set('configFile', i.config); set('envFile', i.envFile);
  set('remoteEnvFile', i.remoteEnvFile); set('env', i.envNames); set('port', i.port); set('health', i.health); set('baseDir', i.baseDir);
  set('build', i.build); set('keep', i.keep); set('start', i.start); set('startTimeoutSec', i.startTimeoutSec); set('instances', i.instances);
  set('script', i.script); set('rollbackScript', i.rollbackScript);
  if (i.migrate) opts.migrate = true;
  if (i.noRollback) opts.noRollback = true;
  if (i.zeroDowntime) opts.zeroDowntime = true;
  const pm2 = local ? bundledPm2() : undefined;
  if (pm2) opts.pm2Bin = pm2;
  return opts;
}

/** The inputs as a canonical record (keys sorted, unset fields dropped), to compare a plan's with an apply's. */
export function canonical(i: DeployInputs): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(i).sort()) {
    const v = (i as Record<string, unknown>)[k];
    if (v !== undefined && k !== 'planId') out[k] = v;
  }
  return out;
}

/** Names of the fields whose values differ between two canonical input records. */
export function differingFields(a: Record<string, unknown>, b: Record<string, unknown>): string[] {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  return keys.filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]));
}
