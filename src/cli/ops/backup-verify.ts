// `deckhand ops backup-verify [target] --dump FILE | --from-target`: restore into a throwaway PostgreSQL server, count rows, remove it.
import { isAbsolute } from 'node:path';
import { Command as Cmd } from 'commander';
import { opsBackupVerify, parseDuration, usageError } from '../../index.js';
import { addOpsOptions, runOpsTask, TARGET_ARG, type OpsFlags } from './shared.js';
import type { Run } from './types.js';

interface BackupFlags extends OpsFlags { dump?: string; fromTarget?: boolean; envVar: string; checkTable?: string; workDir: string; timeout: string }

export function opsBackupVerifyCommand(run: Run): Cmd {
  const c = new Cmd('backup-verify')
    .description('restore a PostgreSQL dump (custom, directory, tar or plain SQL; gzip too) into a throwaway server started for the purpose on the target, count the rows of every table, stop and remove it')
    .argument(...TARGET_ARG)
    .option('--dump <file>', 'the dump on the target (local: this machine)')
    .option('--from-target', 'take a fresh pg_dump of the app\'s database (its env file\'s --env-var) on the target and verify that')
    .option('--env-var <name>', 'with --from-target: the variable of the app\'s env file holding the database URL', 'DATABASE_URL')
    .option('--check-table <table>', 'a table that must be present with rows (name or schema.name)')
    .option('--work-dir <dir>', 'where the throwaway server\'s temporary directory is made (needs room for the restored data)', '/tmp')
    .option('--timeout <duration>', 'upper bound of dump, restore and check together', '30m');
  addOpsOptions(c);
  c.action(async (target: string, o: BackupFlags) => {
    await run(async () => {
      if ((o.dump === undefined) === (o.fromTarget !== true)) throw usageError('give exactly one of --dump FILE and --from-target', 'deckhand ops backup-verify --dump /backups/app.dump, or deckhand ops backup-verify deploy@web1 --name api --from-target');
      if (o.dump === '') throw usageError('--dump needs a file name');
      if (o.checkTable !== undefined && !/^[A-Za-z_][A-Za-z0-9_$]*(?:\.[A-Za-z_][A-Za-z0-9_$]*)?$/.test(o.checkTable)) throw usageError(`--check-table "${o.checkTable}" is not a table name (name or schema.name)`);
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(o.envVar)) throw usageError(`--env-var "${o.envVar}" is not a variable name`);
      if (!isAbsolute(o.workDir) || !/^[A-Za-z0-9_./@+-]+$/.test(o.workDir)) throw usageError(`--work-dir must be an absolute path without spaces or quotes (got "${o.workDir}")`);
      const timeoutMs = parseDuration(o.timeout, '--timeout');
      if (timeoutMs < 10_000 || timeoutMs > 24 * 3_600_000) throw usageError(`--timeout must be between 10s and 24h (got "${o.timeout}")`);
      return runOpsTask(target, o, ({ ctx, app }) => opsBackupVerify(ctx, {
        app, baseDir: o.baseDir ?? null, dump: o.dump ?? null, fromTarget: o.fromTarget === true, envVar: o.envVar, checkTable: o.checkTable ?? null,
        workDir: o.workDir.replace(/\/+$/, '') || '/', timeoutSec: Math.round(timeoutMs / 1000),
      }));
    }, o);
  });
  return c;
}
