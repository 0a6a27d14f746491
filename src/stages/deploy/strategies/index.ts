// The strategy planners by name.
import { DeckhandError } from '../../../core/errors.js';
import { pm2Strategy } from './pm2.js';
import { systemdStrategy } from './systemd.js';
import type { StrategyPlanner } from './types.js';

const PLANNERS: Record<string, StrategyPlanner> = { systemd: systemdStrategy, pm2: pm2Strategy };

export function plannerFor(name: string): StrategyPlanner {
  const p = PLANNERS[name];
  if (!p) {
    throw new DeckhandError('usage', `the ${name} strategy cannot be applied by this version of deckhand`, {
      hint: `available now: ${Object.keys(PLANNERS).join(', ')}; pass --strategy`,
    });
  }
  return p;
}
