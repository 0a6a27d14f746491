// `deckhand ops baseline [target]`: records the ops baseline of the running release on the target (<base>/.deckhand/baseline.json) and in --out.
import { Command as Cmd } from 'commander';
import { opsBaseline, parseInspectWindow } from '../../index.js';
import { addOpsOptions, runOpsTask, TARGET_ARG, type OpsFlags } from './shared.js';
import type { Run } from './types.js';

interface BaselineFlags extends OpsFlags { window: string }

export function opsBaselineCommand(run: Run): Cmd {
  const c = new Cmd('baseline')
    .description('record the ops baseline of the running release: version, commit, paths, service manager, ports, health entry, dependencies, last verification, watch items, known log patterns and resource levels (on the target and with --out)')
    .argument(...TARGET_ARG)
    .option('--window <duration>', 'how far back to read the logs for the known patterns (1m to 30d; never before the deploy)', '1h');
  addOpsOptions(c);
  c.action(async (target: string, o: BaselineFlags) => {
    await run(async () => {
      const windowSec = parseInspectWindow(o.window);
      return runOpsTask(target, o, ({ ctx, app }) => opsBaseline(ctx, { app, baseDir: o.baseDir ?? null, windowSec }));
    }, o);
  });
  return c;
}
