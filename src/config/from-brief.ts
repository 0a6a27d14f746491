// Writes a starting deckhand.yml from a Deployment Brief: what discovery decided, as explicit, reviewable settings.
import { stringify } from 'yaml';
import type { BriefData } from '../report/brief.js';
import { appName } from '../stages/deploy/spec.js';
import { STRATEGIES, type DeckhandConfig, type ServiceConfig, type StrategyName } from './schema.js';

export function configFromBrief(b: BriefData): DeckhandConfig {
  const cfg: DeckhandConfig = { app: appName(b.app) };
  if (b.strategy && (STRATEGIES as readonly string[]).includes(b.strategy)) cfg.strategy = b.strategy as StrategyName;
  if (b.port) cfg.port = b.port.value;
  if (b.health[0]) cfg.health = b.health[0].value;
  const commands: NonNullable<DeckhandConfig['commands']> = {};
  // install is left to deploy, which turns the brief's command into a production one (npm ci --omit=dev, a venv …).
  if (b.commands.build) commands.build = b.commands.build.value.command;
  if (b.commands.start?.value.production) commands.start = b.commands.start.value.command;
  if (Object.keys(commands).length > 0) cfg.commands = commands;
  cfg.keep = 5;
  return cfg;
}

/** Required variables become a comment: values never belong in this file, and the operator chooses the source. */
function requiredEnv(b: BriefData): string[] {
  const names = b.envVars.filter((e) => e.required === true).map((e) => e.name);
  if (names.length === 0) return [];
  return [
    `# The app reads ${names.join(', ')} with no default. Provide them at deploy time with --env-file FILE, or list`,
    '# names under `secrets: { env: [...] }` to take their values from your environment.',
  ];
}

/** The YAML text, with a header that says where each value came from and how to check the file. */
export function renderConfig(cfg: DeckhandConfig, b: BriefData): string {
  const header = [
    '# deckhand.yml: how deckhand deploys this app. Flags override it; it overrides discovery.',
    `# Written from \`deckhand discover\` (${b.root}${b.appDir ? `, app ${b.appDir}` : ''}); review every value.`,
    '# Schema for editors: `deckhand schema config > deckhand.schema.json`.',
    ...requiredEnv(b),
    '',
  ];
  return `${header.join('\n')}${stringify(cfg)}`;
}

/**
 * `deckhand init --services`: one `services:` entry per app of a monorepo, from each app's own brief. Which service
 * calls which is not something discovery can know, so depends_on is left for the operator (a comment says so).
 */
export function servicesConfigFromBriefs(root: BriefData, apps: readonly BriefData[]): DeckhandConfig {
  const services: Record<string, ServiceConfig> = {};
  for (const b of apps) {
    const { app: _app, ...settings } = configFromBrief(b);
    let name = appName(b.appDir.split('/').pop() ?? b.app);
    for (let i = 2; Object.hasOwn(services, name); i++) name = appName(`${name}-${i}`);
    services[name] = { app_dir: b.appDir, ...settings };
  }
  return { app: appName(root.app), services };
}

/** Ports more than one service was found to use (each app's default, typically 3000). */
function sharedPorts(cfg: DeckhandConfig): [number, string[]][] {
  const byPort = new Map<number, string[]>();
  for (const [name, svc] of Object.entries(cfg.services ?? {})) if (svc.port !== undefined) byPort.set(svc.port, [...(byPort.get(svc.port) ?? []), name]);
  return [...byPort].filter(([, names]) => names.length > 1);
}

export function renderServicesConfig(cfg: DeckhandConfig, root: BriefData): string {
  const header = [
    '# deckhand.yml: the services of this repository, each deployed as its own app (<app>-<service>).',
    `# Written from \`deckhand discover\` (${root.root}: ${root.apps.map((a) => a.dir || '.').join(', ')}); review every value.`,
    '# Add depends_on: [other] to a service that calls another: it is then deployed and verified after it,',
    '# and its handshake to it is checked. Schema for editors: `deckhand schema config > deckhand.schema.json`.',
    ...sharedPorts(cfg).map(([port, names]) => `# ${names.join(' and ')} would all listen on ${port} on one host: give each its own port.`),
    '',
  ];
  return `${header.join('\n')}${stringify(cfg)}`;
}
