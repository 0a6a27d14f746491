// The frame of a reporting command: redactor, executor and progress printer around the work, then the report on stdout and in --out.
import { stepPrinter, writeReportFiles, type Executor, type Redactor, type RunContext, type StepPrinter } from '../index.js';
import { redactorFor, type GlobalOpts } from './shared.js';

export interface CommandRun {
  redactor: Redactor;
  executor: Executor;
  /** Progress on stderr; none with --json when stderr is not a terminal (a pipe reading the JSON). */
  printer: StepPrinter | undefined;
  /** executor, redactor and the printer's progress callback. */
  ctx: RunContext;
}

/**
 * Opens the executor (`open` gets the run's redactor), runs `work`, and whatever happens stops the printer and
 * closes the executor, so an SSH master never outlives the command.
 */
export async function withExecutor<T>(o: GlobalOpts, open: (redactor: Redactor) => Executor, work: (run: CommandRun) => Promise<T>): Promise<T> {
  const redactor = redactorFor(o);
  const executor = open(redactor);
  const printer = !o.json || process.stderr.isTTY ? stepPrinter(process.stderr, (s) => redactor.mask(s)) : undefined;
  try {
    return await work({ redactor, executor, printer, ctx: { executor, redactor, ...(printer ? { onProgress: printer.onProgress } : {}) } });
  } finally {
    printer?.stop();
    await executor.close();
  }
}

/** What a report needs besides itself to be shown and filed. */
export interface ReportOutput {
  /** File-name stem under the reports directory: readiness, execution, ops-inspect, … */
  stage: string;
  /** The report as Markdown (masked here): stdout without --json, and the .md file. */
  markdown: string;
  /** Name in the file names (default the report's target). */
  label?: string;
  /** What stdout shows without --json instead of the Markdown (masked here). */
  text?: string;
  /** Reports directory (default --out; none: no files). */
  dir?: string;
  /** Whether to say on stderr which files were written (default yes). */
  announce?: boolean;
  /** Further files written beside the two, given their paths; returns the extra paths to announce. */
  extra?: (files: { json: string; markdown: string }) => Promise<string[]>;
}

/**
 * Stops the printer, prints the report (JSON with --json, else the Markdown or `text`) and writes the .json and .md
 * files. Everything printed or written goes through the redactor.
 */
export async function emitReport(o: GlobalOpts, run: Pick<CommandRun, 'redactor' | 'printer'>, report: { target: { display: string }; startedAt: string }, out: ReportOutput): Promise<void> {
  run.printer?.stop();
  const json = run.redactor.mask(JSON.stringify(report, null, 2));
  const md = run.redactor.mask(out.markdown);
  process.stdout.write(`${o.json ? json : out.text !== undefined ? run.redactor.mask(out.text) : md}\n`);
  const dir = out.dir ?? o.out;
  if (!dir) return;
  const files = await writeReportFiles(dir, out.stage, out.label ?? report.target.display, report.startedAt, `${json}\n`, md);
  const extra = out.extra ? await out.extra(files) : [];
  if (out.announce !== false) process.stderr.write(`reports written: ${[files.json, files.markdown, ...extra].join(', ')}\n`);
}
