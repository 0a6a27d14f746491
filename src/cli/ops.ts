// `deckhand ops <task>`: the day-2 operations (inspect, baseline, logrotate, cleanup, certs, scale, resources, upgrade-prep, backup-verify).
import { Command as Cmd } from 'commander';
import { opsInspectCommand } from './ops/inspect.js';
import { opsBaselineCommand } from './ops/baseline.js';
import { opsLogrotateCommand } from './ops/logrotate.js';
import { opsCleanupCommand } from './ops/cleanup.js';
import { opsCertsCommand } from './ops/certs.js';
import { opsScaleCommand } from './ops/scale.js';
import { opsResourcesCommand } from './ops/resources.js';
import { opsUpgradePrepCommand } from './ops/upgrade-prep.js';
import { opsBackupVerifyCommand } from './ops/backup-verify.js';
import type { Run } from './ops/types.js';

export function opsCommand(run: Run): Cmd {
  const c = new Cmd('ops').description('day-2 operations on a deployed app: inspection, baseline, log rotation, cleanup, certificates, scaling, resources, upgrade preparation, backup verification');
  c.addCommand(opsInspectCommand(run));
  c.addCommand(opsBaselineCommand(run));
  c.addCommand(opsLogrotateCommand(run));
  c.addCommand(opsCleanupCommand(run));
  c.addCommand(opsCertsCommand(run));
  c.addCommand(opsScaleCommand(run));
  c.addCommand(opsResourcesCommand(run));
  c.addCommand(opsUpgradePrepCommand(run));
  c.addCommand(opsBackupVerifyCommand(run));
  // Nested commands do not inherit the entry's settings: every parse error must become exit 2.
  for (const s of c.commands) s.exitOverride().showHelpAfterError('(run with --help for usage)');
  return c;
}
