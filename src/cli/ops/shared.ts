// Plumbing every `deckhand ops` subcommand shares: its flags, the deployed app, report output and exit code.
import type { Command as Cmd } from 'commander';
import { EXIT, renderOperationsMarkdown, type Executor, type OperationsReport, type Redactor, type RunContext } from '../../index.js';
import { resolveAppName } from '../app-name.js';
import { emitReport, withExecutor } from '../command-run.js';
import { addCommonOptions, executorFor, type GlobalOpts } from '../shared.js';

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
  return withExecutor(o, (redactor) => executorFor(target, o, redactor), async (run) => {
    const app = await resolveAppName(o, run.redactor);
    const report = await task({ ctx: run.ctx, executor: run.executor, redactor: run.redactor, app, target });
    await emitReport(o, run, report, { stage: `ops-${report.data.task}`, markdown: renderOperationsMarkdown(report) });
    return opsExitCode(report);
  });
}
