// `deckhand ops scale [target] N`: a compose zero-downtime front (behind nginx) or a pm2 cluster scaled to N, every instance seen serving.
import { Command as Cmd } from 'commander';
import { DeckhandError, opsScale } from '../../index.js';
import { addOpsOptions, runOpsTask, TARGET_ARG, type OpsFlags } from './shared.js';
import type { Run } from './types.js';

interface ScaleFlags extends OpsFlags { yes?: boolean }

/** `ops scale 3` reads 3 as the count on the local target; `ops scale host 3` takes both. */
function targetAndCount(a: string, b: string | undefined): { target: string; to: number } {
  const [target, n] = b === undefined ? ['local', a] : [a, b];
  if (!/^\d+$/.test(n)) throw new DeckhandError('usage', `"${n}" is not an instance count`, { hint: 'deckhand ops scale [target] N, N from 1 to 32' });
  return { target, to: Number(n) };
}

export function opsScaleCommand(run: Run): Cmd {
  const c = new Cmd('scale')
    .description('scale a compose app deployed with --zero-downtime (containers behind its nginx upstream) or a pm2 cluster-mode app to N instances, then check every instance gets requests; without --yes only shows what it would do')
    .argument('<target-or-count>', `${TARGET_ARG[1]}; or N alone for the local target`)
    .argument('[count]', 'N: instances, 1 to 32')
    .option('-y, --yes', 'scale (compose: needs root or passwordless sudo for the nginx upstream)');
  addOpsOptions(c);
  c.action(async (a: string, b: string | undefined, o: ScaleFlags) => {
    await run(async () => {
      const { target, to } = targetAndCount(a, b);
      return runOpsTask(target, o, ({ ctx, app }) => opsScale(ctx, { app, baseDir: o.baseDir ?? null, to, yes: o.yes === true }));
    }, o);
  });
  return c;
}
