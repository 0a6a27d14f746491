// A process that runs beside deckhand for a while (kubectl port-forward): started, awaited until it says it is ready, ended by its PID.
import { spawn } from 'node:child_process';
import { DeckhandError } from '../core/errors.js';
import { shJoin, type Command } from '../core/command.js';
import type { Redactor } from '../core/redact.js';

export interface BackgroundProcess {
  /** The output line that said it was ready, matched against the ready pattern. */
  match: RegExpExecArray;
  /** Output so far (redacted), for evidence. */
  output(): string;
  /** Ends the process group (SIGTERM, then SIGKILL after a second) and waits for it. Safe to call twice. */
  stop(): Promise<void>;
}

/** How much of a long-lived process's output is kept (its tail): port-forward logs a line per connection for as long as it runs. */
export const OUTPUT_TAIL_CHARS = 64 * 1024;

/** The last `max` characters of `text`, starting at a line when one begins within them. */
export function keepTail(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(text.length - max);
  const nl = cut.indexOf('\n');
  return nl >= 0 && nl < cut.length - 1 ? cut.slice(nl + 1) : cut;
}

/**
 * Starts `cmd` in its own process group and resolves once a line of its output matches `ready`. It never outlives
 * `cmd.timeoutMs` (killed then), and a process that exits or stays silent past `readyTimeoutMs` is an error that
 * carries its output.
 */
export function startBackground(cmd: Command, ready: RegExp, readyTimeoutMs: number, redactor: Redactor): Promise<BackgroundProcess> {
  const [file, ...args] = cmd.argv;
  if (file === undefined) throw new Error('empty argv');
  const display = redactor.mask(shJoin(cmd.argv));
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true, env: cmd.env ? { ...process.env, ...cmd.env } : process.env });
    let text = '';
    let exited = false;
    let settled = false;
    const exitedP = new Promise<void>((res) => child.on('close', () => { exited = true; res(); }));
    const kill = (sig: NodeJS.Signals): void => {
      if (exited || child.pid === undefined) return;
      try { process.kill(-child.pid, sig); } catch { /* group already gone */ }
    };
    const stop = async (): Promise<void> => {
      clearTimeout(life);
      kill('SIGTERM');
      const hard = setTimeout(() => kill('SIGKILL'), 1000);
      await exitedP;
      clearTimeout(hard);
    };
    const life = setTimeout(() => kill('SIGKILL'), cmd.timeoutMs ?? 60_000);
    life.unref();
    const fail = (why: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(readyTimer);
      void stop();
      reject(new DeckhandError('unreachable', `${display} ${why}`, { details: { command: display, stderrTail: redactor.mask(text.trim().split('\n').slice(-4).join('\n')) } }));
    };
    const readyTimer = setTimeout(() => fail(`was not ready within ${Math.round(readyTimeoutMs / 1000)}s`), readyTimeoutMs);
    const onData = (d: Buffer): void => {
      // Bounded from the start: the ready line is recent output, and the process may talk for its whole life.
      text = keepTail(text + d.toString('utf8'), OUTPUT_TAIL_CHARS);
      if (settled) return;
      const m = ready.exec(text);
      if (m) {
        settled = true;
        clearTimeout(readyTimer);
        resolve({ match: m, output: () => redactor.mask(text), stop });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', (e) => fail(`could not start: ${e.message}`));
    child.on('close', (code) => fail(`exited (code ${String(code)}) before it was ready`));
  });
}
