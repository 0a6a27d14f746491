// `deckhand ops cleanup [target]`: lists old logs, surplus releases and stale images with their bytes; --yes removes exactly those.
import { Command as Cmd } from 'commander';
import { loadConfig, opsCleanup, parseDuration, usageError } from '../../index.js';
import { addOpsOptions, runOpsTask, TARGET_ARG, type OpsFlags } from './shared.js';
import type { Run } from './types.js';

interface CleanupFlags extends OpsFlags { yes?: boolean; olderThan: string; keep?: string }

const DAY_MS = 86_400_000;

/** `30d`, `36h` → days; at least one day (a younger log may still be written to). */
export function parseAgeDays(v: string): number {
  const ms = parseDuration(v, '--older-than');
  if (ms < DAY_MS || ms > 3650 * DAY_MS) throw usageError(`--older-than must be between 1d and 3650d (got "${v}")`, 'a log written to within the last day may still be open');
  return ms / DAY_MS;
}

async function keepCount(o: CleanupFlags): Promise<{ keep: number; source: string }> {
  if (o.keep !== undefined) {
    const n = Number(o.keep);
    if (!/^\d+$/.test(o.keep) || n < 1 || n > 50) throw usageError(`--keep must be a whole number from 1 to 50 (got "${o.keep}")`, 'the current release and the rollback target are kept whatever the count');
    return { keep: n, source: '--keep' };
  }
  const { path, config } = await loadConfig(o.repo ?? '.');
  return config.keep !== undefined ? { keep: config.keep, source: path ?? 'deckhand.yml' } : { keep: 5, source: 'default' };
}

export function opsCleanupCommand(run: Run): Cmd {
  const c = new Cmd('cleanup')
    .description('compress old logs, delete logs past an age, prune releases beyond the keep count and the app\'s stale image tags; never the current release or the rollback target. Without --yes only lists, with bytes')
    .argument(...TARGET_ARG)
    .option('--older-than <age>', 'delete log files last written longer ago than this (30d, 36h; at least 1d)', '30d')
    .option('--keep <n>', 'releases to keep (default: keep in deckhand.yml, else 5)')
    .option('-y, --yes', 'remove exactly what is listed (each item re-checked first), under the deploy lock');
  addOpsOptions(c);
  c.action(async (target: string, o: CleanupFlags) => {
    await run(async () => {
      const olderThanDays = parseAgeDays(o.olderThan);
      const { keep, source } = await keepCount(o);
      return runOpsTask(target, o, ({ ctx, app }) => opsCleanup(ctx, { app, baseDir: o.baseDir ?? null, yes: o.yes === true, olderThanDays, keep, keepSource: source }));
    }, o);
  });
  return c;
}
