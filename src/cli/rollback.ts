// `deckhand rollback [target]`: puts a recorded release back (code, env, unit/config), restarts, checks health.
import { Command as Cmd } from 'commander';
import { EXIT, localPm2, renderExecutionMarkdown, rollback, rollbackRecord, stepPrinter, writeIncident, writeReportFiles } from '../index.js';
import { resolveAppName } from './app-name.js';
import { addCommonOptions, executorFor, redactorFor, type GlobalOpts } from './shared.js';

interface RollbackFlags extends GlobalOpts { name?: string; repo?: string; baseDir?: string; to?: string; startTimeout?: string }

export function rollbackCommand(run: (fn: () => Promise<number>, o: GlobalOpts) => Promise<void>): Cmd {
  const c = new Cmd('rollback')
    .description('roll back to the previous release (or --to RELEASE): code, env and config restored atomically, then a health check')
    .argument('[target]', 'local, user@host, user@host:port, ssh://user@host:port, or an ~/.ssh/config alias', 'local')
    .option('--name <app>', 'app name (default: deckhand.yml or discovery of --repo)')
    .option('--repo <dir>', 'repository used to find the app name', '.')
    .option('--base-dir <path>', 'base directory on the target')
    .option('--to <release>', 'release id to restore (see `deckhand releases`)')
    .option('--start-timeout <seconds>', 'how long the app may take to become healthy (default 30)');
  addCommonOptions(c);
  c.action(async (target: string, o: RollbackFlags) => {
    await run(async () => {
      const redactor = redactorFor(o);
      const executor = executorFor(target, o, redactor);
      const printer = !o.json || process.stderr.isTTY ? stepPrinter(process.stderr, (s) => redactor.mask(s)) : undefined;
      try {
        const app = await resolveAppName(o, redactor);
        const pm2Bin = localPm2(executor.host);
        const report = await rollback({ executor, redactor, ...(printer ? { onProgress: printer.onProgress } : {}) }, {
          app, target, ...(o.baseDir ? { baseDir: o.baseDir } : {}), ...(o.to ? { to: o.to } : {}), ...(pm2Bin ? { pm2Bin } : {}),
          ...(o.startTimeout ? { startTimeoutSec: Number(o.startTimeout) } : {}),
        });
        // The same Incident Record `deckhand incident` writes; a failure to write it is said, never fatal.
        const ctx = { executor, redactor };
        const recordPath = await writeIncident(ctx, report.data.base, rollbackRecord(report, new Date()))
          .catch((e: unknown) => { report.data.warnings.push(`the incident record could not be written: ${e instanceof Error ? e.message : String(e)}`); return null; });
        printer?.stop();
        if (recordPath) process.stderr.write(`incident record: ${recordPath}\n`);
        const json = redactor.mask(JSON.stringify(report, null, 2));
        const md = redactor.mask(renderExecutionMarkdown(report));
        process.stdout.write(`${o.json ? json : md}\n`);
        if (o.out) {
          const files = await writeReportFiles(o.out, 'rollback', report.target.display, report.startedAt, `${json}\n`, md);
          process.stderr.write(`reports written: ${files.json}, ${files.markdown}\n`);
        }
        return report.status === 'ok' ? EXIT.ok : EXIT.checksFailed;
      } finally {
        printer?.stop();
        await executor.close();
      }
    }, o);
  });
  return c;
}
