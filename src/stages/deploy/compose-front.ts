// Resolves the compose zero-downtime front when the deploy is planned: the app's compose file, the service nginx fronts, its ports, the drain bound.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DeckhandError } from '../../core/errors.js';
import { chooseFrontService, COMPOSE_FILE_NAMES, COMPOSE_OVERRIDE_NAMES, composeServicePorts, type ComposeFront } from '../../commands/compose-front.js';
import type { DeckhandConfig } from '../../config/schema.js';
import { configDuration } from './spec.js';

/**
 * The compose file compose would use in the app directory (its own lookup order), the service to front and its
 * container port (deckhand.yml compose.* first), and the nginx port: proxy_port, else the app port (the host port
 * the service published: nginx takes it over), else the port the file publishes, else 80; the drain bound (default 10s).
 */
export function resolveComposeFront(sourceDir: string, cfg: DeckhandConfig, appPort: number | null): ComposeFront {
  const file = COMPOSE_FILE_NAMES.find((n) => existsSync(join(sourceDir, n)));
  if (!file) {
    throw new DeckhandError('usage', `no compose file in ${sourceDir} (${COMPOSE_FILE_NAMES.join(', ')})`, { hint: 'the compose strategy deploys the compose file at the top of the app directory' });
  }
  const override = COMPOSE_OVERRIDE_NAMES.find((n) => existsSync(join(sourceDir, n)));
  if (override) {
    throw new DeckhandError('config', `${override} would be left out: zero downtime runs compose with its own generated file (-f), and compose merges an override only without -f`, {
      hint: `merge ${override} into ${file}, or deploy without zero_downtime`,
    });
  }
  let source: string;
  try { source = readFileSync(join(sourceDir, file), 'utf8'); } catch (e) {
    throw new DeckhandError('usage', `cannot read ${join(sourceDir, file)}: ${(e as Error).message}`, { hint: 'check the file\'s permissions' });
  }
  const chosen = chooseFrontService(composeServicePorts(source, file), {
    ...(cfg.compose?.service !== undefined ? { service: cfg.compose.service } : {}),
    ...(cfg.compose?.container_port !== undefined ? { containerPort: cfg.compose.container_port } : {}),
    appPort,
  }, file);
  const proxyPort = cfg.proxy_port ?? appPort ?? chosen.published ?? 80;
  const drainSec = Math.max(1, Math.round(configDuration(cfg.compose?.drain, 'compose.drain', 10_000) / 1000));
  return { file, source, service: chosen.service, containerPort: chosen.containerPort, proxyPort, drainSec };
}
