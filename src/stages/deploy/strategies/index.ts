// The strategy planners by name.
import { DeckhandError } from '../../../core/errors.js';
import { blueGreenStrategy } from './blue-green.js';
import { composeStrategy } from './compose.js';
import { dockerStrategy } from './docker.js';
import { pm2Strategy } from './pm2.js';
import { scriptStrategy } from './script.js';
import { staticStrategy } from './static.js';
import { swarmStrategy } from './swarm.js';
import { systemdStrategy } from './systemd.js';
import type { StrategyPlanner } from './types.js';

const PLANNERS: Record<string, StrategyPlanner> = { systemd: systemdStrategy, pm2: pm2Strategy, docker: dockerStrategy, compose: composeStrategy, static: staticStrategy, script: scriptStrategy, 'blue-green': blueGreenStrategy, swarm: swarmStrategy };

export function plannerFor(name: string): StrategyPlanner {
  const p = PLANNERS[name];
  if (!p) {
    throw new DeckhandError('usage', `the ${name} strategy cannot be applied by this version of deckhand`, {
      hint: `available now: ${Object.keys(PLANNERS).join(', ')}; pass --strategy`,
    });
  }
  return p;
}
