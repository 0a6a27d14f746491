// The benchmark's child processes: each bounded by a timeout, tracked by PID so an interrupt ends exactly these and nothing else.
import { spawn, type ChildProcess } from 'node:child_process';

export interface ProcResult { code: number | null; signal: string | null; stdout: string; stderr: string; timedOut: boolean }

export interface ProcOptions {
  timeoutMs: number;
  /** Written to stdin, which is then closed; with `keepStdin` it stays open until the handle's closeStdin(). */
  stdin?: string | Buffer;
  keepStdin?: boolean;
  env?: NodeJS.ProcessEnv;
  /** Each stderr line as it arrives, with the wall-clock time it arrived. */
  onStderrLine?: (line: string, at: number) => void;
}

export interface ProcHandle { pid: number | undefined; done: Promise<ProcResult>; closeStdin(): void; signal(sig: NodeJS.Signals): void }

const running = new Set<ChildProcess>();

/** Wall-clock epoch ms with sub-millisecond resolution (the same clock the load runner stamps with). */
export const epochNow = (): number => performance.timeOrigin + performance.now();

export function startProcess(file: string, args: readonly string[], opts: ProcOptions): ProcHandle {
  // A process group of its own: a Ctrl-C at the terminal reaches only the benchmark, which passes it on once
  // (deckhand reverts on the first interrupt and aborts on the second, so it must not get two).
  const child = spawn(file, args, { env: opts.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
  running.add(child);
  let stdout = '';
  let stderr = '';
  let partial = '';
  let timedOut = false;
  child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
  child.stderr.on('data', (d: Buffer) => {
    const at = epochNow();
    const text = d.toString();
    stderr += text;
    if (!opts.onStderrLine) return;
    const lines = (partial + text).split('\n');
    partial = lines.pop() ?? '';
    for (const l of lines) opts.onStderrLine(l, at);
  });
  // A child that exits before reading its stdin must not crash the benchmark with EPIPE.
  child.stdin.on('error', () => undefined);
  if (opts.stdin !== undefined) child.stdin.write(opts.stdin);
  if (!opts.keepStdin) child.stdin.end();
  const timer = setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, opts.timeoutMs);
  const done = new Promise<ProcResult>((resolve) => {
    child.on('error', (e) => { stderr += `\n${e.message}`; });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      running.delete(child);
      if (partial && opts.onStderrLine) opts.onStderrLine(partial, epochNow());
      resolve({ code, signal, stdout, stderr, timedOut });
    });
  });
  return {
    pid: child.pid,
    done,
    closeStdin: () => { child.stdin.end(); },
    signal: (sig) => { if (child.exitCode === null && child.signalCode === null) child.kill(sig); },
  };
}

export function runProcess(file: string, args: readonly string[], opts: ProcOptions): Promise<ProcResult> {
  return startProcess(file, args, opts).done;
}

/** Sends `sig` to every child this benchmark started and that still runs (each by its own PID). */
export function signalChildren(sig: NodeJS.Signals): void {
  for (const c of running) if (c.exitCode === null && c.signalCode === null) c.kill(sig);
}
