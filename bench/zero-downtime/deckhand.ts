// Runs `deckhand deploy` (the built CLI) as a user would and times it: the window around it, its step starts, its execution report.
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CLI } from '../../test/helpers/cli.js';
import { stepStartTitle, type ReportTiming, type StepStart } from './deploy-timing.js';
import { epochNow, startProcess } from './proc.js';

export interface DeployRun {
  code: number | null;
  start: number;
  end: number;
  starts: StepStart[];
  /** The execution report written with --out, or null when deckhand wrote none (it stopped before applying). */
  report: (ReportTiming & { data: ReportTiming['data'] & { outcome: string; failure: { step: string; message: string } | null } }) | null;
  /** One line on what went wrong (the failed step and the last line of its error), or null on SUCCESS. */
  error: string | null;
  /** The whole failure message (--json output of the benchmark). */
  errorDetail: string | null;
  outcome: string;
}

const lines = (s: string): string[] => s.split('\n').map((l) => l.trim()).filter((l) => l.length > 0);
const firstLine = (s: string): string => lines(s)[0] ?? '';

/** A failed step's message starts with the whole command and ends with its stderr tail, whose last line is the most telling. */
function failureLine(f: { step?: string; message: string }): string {
  const last = lines(f.message).pop() ?? '';
  return f.step ? `step ${f.step}: ${last}` : last;
}

/**
 * `deckhand deploy TARGET ...args --yes --out DIR`, without --json so that the step lines (`… title`) come on
 * stderr as each step starts. The report is read back from DIR (a fresh directory per run).
 */
export async function runDeploy(target: string, args: readonly string[], outDir: string, opts: { timeoutMs: number; env?: NodeJS.ProcessEnv }): Promise<DeployRun> {
  const { timeoutMs } = opts;
  await mkdir(outDir, { recursive: true });
  const starts: StepStart[] = [];
  const errorLines: string[] = [];
  const start = epochNow();
  const proc = startProcess(process.execPath, [CLI, 'deploy', target, ...args, '--yes', '--out', outDir], {
    timeoutMs,
    ...(opts.env ? { env: { ...process.env, ...opts.env } } : {}),
    onStderrLine: (line, at) => {
      const title = stepStartTitle(line);
      if (title !== null) starts.push({ title, at });
      else if (line.startsWith('error: ')) errorLines.push(line.slice('error: '.length));
    },
  });
  const r = await proc.done;
  const end = epochNow();
  const json = (await readdir(outDir).catch(() => [] as string[])).filter((f) => f.startsWith('execution-') && f.endsWith('.json')).sort().pop();
  const report = json ? (JSON.parse(await readFile(join(outDir, json), 'utf8')) as DeployRun['report']) : null;
  const outcome = report?.data.outcome ?? (r.timedOut ? 'TIMED OUT' : `exit ${r.code ?? r.signal}`);
  let error: string | null = null;
  let errorDetail: string | null = null;
  if (outcome !== 'SUCCESS') {
    const failure = report?.data.failure;
    error = (failure ? failureLine(failure) : '') || errorLines[0] || (r.timedOut ? `deckhand deploy did not finish within ${timeoutMs / 1000}s` : firstLine(r.stderr) || `deckhand deploy exited ${r.code ?? r.signal}`);
    errorDetail = failure?.message ?? (r.stderr.trim() || null);
  }
  return { code: r.code, start, end, starts, report, error, errorDetail, outcome };
}
