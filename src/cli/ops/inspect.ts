// `deckhand ops inspect [target]`: the Operations Inspection Report (service, version, resources, log anomalies against the baseline, certificates, recommendations).
import { Command as Cmd } from 'commander';
import { opsInspect, parseInspectWindow } from '../../index.js';
import { addOpsOptions, runOpsTask, TARGET_ARG, type OpsFlags } from './shared.js';
import type { Run } from './types.js';

interface InspectFlags extends OpsFlags { window: string }

export function opsInspectCommand(run: Run): Cmd {
  const c = new Cmd('inspect')
    .description('Operations Inspection Report: service state and uptime, release and commit, CPU / memory / open files / threads, disk, log anomalies grouped by pattern (NEW against the baseline), certificates nginx serves for the app, immediate and observe recommendations')
    .argument(...TARGET_ARG)
    .option('--window <duration>', 'how far back to read the logs (1m to 30d)', '1h');
  addOpsOptions(c);
  c.action(async (target: string, o: InspectFlags) => {
    await run(async () => {
      // A bad window is refused before anything connects.
      const windowSec = parseInspectWindow(o.window);
      return runOpsTask(target, o, ({ ctx, app }) => opsInspect(ctx, { app, baseDir: o.baseDir ?? null, windowSec }));
    }, o);
  });
  return c;
}
