// Plumbing every `deckhand ops` subcommand shares: its flags, the deployed app, report output and exit code.
import type { Command as Cmd } from 'commander';
import {
  EXIT, renderOperationsMarkdown, stepPrinter, writeReportFiles, type Executor, type OperationsReport, type Redactor, type RunContext,
} from '../../index.js';
import { resolveAppName } from '../app-name.js';
import { addCommonOptions, executorFor, redactorFor, type GlobalOpts } from '../shared.js';

export interface OpsFlags extends GlobalOpts { name?: string; repo?: string; baseDir?: string }

export const TARGET_ARG = ['[target]', 'local, user@host, user@host:port, ssh://user@host:port, or an ~/.ssh/config alias', 'local'] as const;

/** --name, --repo, --base-dir and the common options (SSH, --json, --out). */
export function addOpsOptions(c: Cmd): Cmd {
  c.option('--name <app>', 'app name (default: deckhand.yml or discovery of --repo)')
    .option('--repo <dir>', 'repository used to find the app name', '.')
    .option('--base-dir <path>', 'base directory on the target (default /opt/<app>, or ~/<app> without root)');
  return addCommonOptions(c);
}

export interface OpsRun { ctx: RunContext; executor: Executor; redactor: Redactor; app: string; target: string }

/** Exit code of an operations report: 0 ok, 1 attention or failed, 3 could not check. */
export function opsExitCode(r: OperationsReport): number {
  if (r.status === 'ok') return EXIT.ok;
  if (r.status === 'unknown') return EXIT.couldNotRun;
  return EXIT.checksFailed;
}

/**
 * Runs one ops task: executor and redactor, the app name, progress on stderr, then the report on stdout
 * (Markdown, or JSON with --json) and in --out. Everything printed goes through the redactor.
 */
export async function runOpsTask(target: string, o: OpsFlags, task: (r: OpsRun) => Promise<OperationsReport>): Promise<number> {
  const redactor = redactorFor(o);
  const executor = executorFor(target, o, redactor);
  const printer = !o.json || process.stderr.isTTY ? stepPrinter(process.stderr, (s) => redactor.mask(s)) : undefined;
  try {
    const app = await resolveAppName(o, redactor);
    const ctx: RunContext = { executor, redactor, ...(printer ? { onProgress: printer.onProgress } : {}) };
    const report = await task({ ctx, executor, redactor, app, target });
    printer?.stop();
    const json = redactor.mask(JSON.stringify(report, null, 2));
    const md = redactor.mask(renderOperationsMarkdown(report));
    process.stdout.write(`${o.json ? json : md}\n`);
    if (o.out) {
      const files = await writeReportFiles(o.out, `ops-${report.data.task}`, report.target.display, report.startedAt, `${json}\n`, md);
      process.stderr.write(`reports written: ${files.json}, ${files.markdown}\n`);
    }
    return opsExitCode(report);
  } finally {
    printer?.stop();
    await executor.close();
  }
}
