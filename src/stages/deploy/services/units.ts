// The services of deckhand.yml `services:` as deployable units: app name, directory, settings, dependencies, in deploy order.
import { posix } from 'node:path';
import { DeckhandError } from '../../../core/errors.js';
import type { DeckhandConfig, ServiceConfig } from '../../../config/schema.js';
import { selectServices, serviceOrder } from '../../../config/service-order.js';
import { appName } from '../spec.js';

export interface ServiceUnit {
  /** The key under `services:`. */
  name: string;
  /** Its app: service, user, base dir, ledger and lock are this app's own. */
  app: string;
  /** Relative to the repository root ('' for the root). */
  appDir: string;
  dependsOn: string[];
  /** Its settings as a single app's deckhand.yml (app set, app_dir and depends_on removed). */
  config: DeckhandConfig;
}

export interface ServiceSelection {
  /** Every service, dependencies first. */
  order: ServiceUnit[];
  /** What this run deploys, in order. */
  run: ServiceUnit[];
  /** With --only: the services it depends on, which must already be serving. */
  assumed: ServiceUnit[];
}

function unitOf(name: string, s: ServiceConfig, prefix: string | undefined): ServiceUnit {
  const { app_dir: dir, depends_on: deps, ...rest } = s;
  const app = appName(s.app ?? (prefix ? `${prefix}-${name}` : name));
  const norm = posix.normalize(dir);
  const appDir = norm === '.' || norm === './' ? '' : norm.replace(/^\.\//, '').replace(/\/+$/, '');
  if (posix.isAbsolute(dir) || appDir.split('/').includes('..')) {
    throw new DeckhandError('config', `services.${name}.app_dir "${dir}" is not inside the repository`, { hint: 'give a path relative to the repository root, such as apps/api' });
  }
  return { name, app, appDir, dependsOn: [...(deps ?? [])], config: { ...rest, app } };
}

/** The units in deploy order; `only` picks one service (its dependencies are then assumed deployed). */
export function selectUnits(cfg: DeckhandConfig, only: string | null): ServiceSelection {
  const services = cfg.services ?? {};
  if (only !== null && !Object.hasOwn(services, only)) {
    throw new DeckhandError('usage', `--only ${only}: no such service`, { hint: `deckhand.yml services: ${Object.keys(services).join(', ')}` });
  }
  const deps = Object.fromEntries(Object.entries(services).map(([n, s]) => [n, s.depends_on]));
  const sorted = serviceOrder(deps);
  // The schema already refused unknown names and cycles; this guards a config built in code.
  if ('issues' in sorted) throw new DeckhandError('config', `deckhand.yml ${sorted.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`, { hint: 'fix depends_on' });
  const units = new Map(sorted.order.map((n) => [n, unitOf(n, services[n] as ServiceConfig, cfg.app)]));
  const apps = new Map<string, string>();
  for (const u of units.values()) {
    const other = apps.get(u.app);
    if (other) throw new DeckhandError('config', `services ${other} and ${u.name} would both be app ${u.app}`, { hint: `set services.${u.name}.app to a name of its own` });
    apps.set(u.app, u.name);
  }
  const pick = (n: string): ServiceUnit => units.get(n) as ServiceUnit;
  const { run, assumed } = selectServices(sorted.order, deps, only);
  return { order: sorted.order.map(pick), run: run.map(pick), assumed: assumed.map(pick) };
}
