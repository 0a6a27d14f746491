// Writes a starting deckhand.yml from a Deployment Brief: what discovery decided, as explicit, reviewable settings.
import { stringify } from 'yaml';
import type { BriefData } from '../report/brief.js';
import { appName } from '../stages/deploy/spec.js';
import { STRATEGIES, type DeckhandConfig, type StrategyName } from './schema.js';

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
