// Runs the bundled load runner on a host: waits for its first answer, stops it by closing its stdin, returns its records.
import type { BenchHost } from './hosts.js';
import { FIRST_ANSWER, type LoadArgs, type LoadOutput } from './load-format.js';
import { startProcess } from './proc.js';

export interface RunningLoad {
  /** Resolves at the first 2xx answer; rejects when none came within `waitMs` or the runner ended first. */
  firstAnswer(waitMs: number): Promise<void>;
  /** Stops the load (it drains its requests in flight) and returns what it recorded. */
  stop(): Promise<LoadOutput>;
}

const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** `runner` is the bundle's path on that host. The runner's own bounds (maxSec, maxCount) hold even if this process dies. */
export function startLoad(host: BenchHost, runner: string, args: LoadArgs): RunningLoad {
  let answered = false;
  const waiters: (() => void)[] = [];
  const [file, argv] = host.argv(`exec node ${q(runner)} ${q(JSON.stringify(args))}`);
  const proc = startProcess(file, argv, {
    // The runner bounds itself; this only catches a runner that hangs past its own limits.
    timeoutMs: (args.maxSec + args.timeoutSec + 60) * 1000,
    keepStdin: true,
    onStderrLine: (line) => { if (line.trim() === FIRST_ANSWER) { answered = true; for (const w of waiters.splice(0)) w(); } },
  });
  const output = proc.done.then((r) => {
    const last = r.stdout.trim().split('\n').pop() ?? '';
    if (r.code !== 0 || last === '') throw new Error(`the load runner on ${host.label} exited ${r.code ?? r.signal}: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
    return JSON.parse(last) as LoadOutput;
  });
  // Awaited by stop(); a runner failing before anyone asks must not be an unhandled rejection.
  output.catch(() => undefined);
  return {
    firstAnswer(waitMs) {
      if (answered) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no 2xx answer on 127.0.0.1:${args.port}${args.path} of ${host.label} within ${waitMs / 1000}s`)), waitMs);
        waiters.push(() => { clearTimeout(timer); resolve(); });
        output.then(
          () => { clearTimeout(timer); reject(new Error(`the load runner on ${host.label} ended before any 2xx answer on port ${args.port}`)); },
          (e: unknown) => { clearTimeout(timer); reject(e instanceof Error ? e : new Error(String(e))); },
        );
      });
    },
    stop() {
      proc.closeStdin();
      return output;
    },
  };
}
