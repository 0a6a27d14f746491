// `deckhand ops logrotate [target]`: /etc/logrotate.d/<app> for the app's log files, checked with logrotate -d; --force rotates once.
import { Command as Cmd } from 'commander';
import { opsLogrotate } from '../../index.js';
import { addOpsOptions, runOpsTask, TARGET_ARG, type OpsFlags } from './shared.js';
import type { Run } from './types.js';

interface LogrotateFlags extends OpsFlags { yes?: boolean; force?: boolean }

export function opsLogrotateCommand(run: Run): Cmd {
  const c = new Cmd('logrotate')
    .description('write /etc/logrotate.d/<app> (daily, compress, 14 kept; copytruncate, pm2 reloadLogs or an nginx reopen as fits), checked with logrotate -d before it is installed; without --yes only shows the file')
    .argument(...TARGET_ARG)
    .option('-y, --yes', 'check and install the file (needs root or passwordless sudo)')
    .option('--force', 'with --yes: run one rotation now (logrotate -f) and report what rotated');
  addOpsOptions(c);
  c.action(async (target: string, o: LogrotateFlags) => {
    await run(() => runOpsTask(target, o, ({ ctx, app }) => opsLogrotate(ctx, { app, baseDir: o.baseDir ?? null, yes: o.yes === true, force: o.force === true })), o);
  });
  return c;
}
