// `deckhand ops resources [target] --watch 60s`: RSS, open fds, threads and CPU of the service over a window; leak and fd exhaustion risk.
import { Command as Cmd } from 'commander';
import { opsResources, parseDuration, usageError } from '../../index.js';
import { addOpsOptions, runOpsTask, TARGET_ARG, type OpsFlags } from './shared.js';
import type { Run } from './types.js';

interface ResourcesFlags extends OpsFlags { watch: string; interval: string }

const MAX_WINDOW_MS = 3_600_000;

export function opsResourcesCommand(run: Run): Cmd {
  const c = new Cmd('resources')
    .description('sample RSS, open fds, threads and CPU of the service\'s processes over a window (one remote loop); growth per metric, leak suspicion, fd exhaustion risk')
    .argument(...TARGET_ARG)
    .option('--watch <duration>', 'how long to watch (e.g. 60s, 5m; at most 1h)', '60s')
    .option('--interval <duration>', 'time between samples (at least 1s; at least 3 samples fit the window)', '5s');
  addOpsOptions(c);
  c.action(async (target: string, o: ResourcesFlags) => {
    await run(async () => {
      const windowMs = parseDuration(o.watch, '--watch');
      const intervalMs = parseDuration(o.interval, '--interval');
      if (windowMs < 2000 || windowMs > MAX_WINDOW_MS) throw usageError(`--watch must be between 2s and 1h (got "${o.watch}")`);
      if (intervalMs < 1000) throw usageError(`--interval must be at least 1s (got "${o.interval}")`);
      if (intervalMs * 2 > windowMs) throw usageError(`--interval ${o.interval} leaves fewer than 3 samples in --watch ${o.watch}`, 'growth needs at least 3 samples: shorten the interval or watch longer');
      return runOpsTask(target, o, ({ ctx, app }) => opsResources(ctx, { app, baseDir: o.baseDir ?? null, windowMs, intervalMs }));
    }, o);
  });
  return c;
}
