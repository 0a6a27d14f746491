// Recording executor for unit tests: scripted answers by pattern, every call recorded.
import { shJoin, type Command } from '../core/command.js';
import type { HostRef } from '../core/target.js';
import { DeckhandError } from '../core/errors.js';
import type { BackgroundProcess, ExecResult, Executor, TransferRequest, Tunnel } from './types.js';

export interface ScriptedAnswer {
  match: RegExp | string | ((cmd: Command) => boolean);
  stdout?: string;
  stderr?: string;
  exitCode?: number | null;
  timedOut?: boolean;
}

export class RecordingExecutor implements Executor {
  readonly calls: Command[] = [];
  readonly uploads: { remotePath: string; mode: string; content: string }[] = [];

  constructor(private readonly answers: ScriptedAnswer[] = [], readonly host: HostRef = { kind: 'local', display: 'local' }) {}

  async run(cmd: Command): Promise<ExecResult> {
    this.calls.push(cmd);
    const line = shJoin(cmd.argv);
    const a = this.answers.find((x) =>
      typeof x.match === 'string' ? line.includes(x.match) : x.match instanceof RegExp ? x.match.test(line) : x.match(cmd));
    const exitCode = a ? (a.exitCode === undefined ? 0 : a.exitCode) : 127;
    return {
      command: line, host: this.host.display, exitCode,
      stdout: a?.stdout ?? '', stderr: a ? (a.stderr ?? '') : `recording executor: no scripted answer for: ${line}`,
      durationMs: 0, failed: exitCode !== 0, timedOut: a?.timedOut === true,
    };
  }

  async upload(content: string | Uint8Array, remotePath: string, mode = '0644'): Promise<ExecResult> {
    this.uploads.push({ remotePath, mode, content: typeof content === 'string' ? content : Buffer.from(content).toString('utf8') });
    return { command: `upload ${remotePath}`, host: this.host.display, exitCode: 0, stdout: '', stderr: '', durationMs: 0, failed: false, timedOut: false };
  }

  readonly transfers: { from: string; to: string; req: TransferRequest }[] = [];

  async transfer(from: string, to: string, req: TransferRequest): Promise<ExecResult> {
    this.transfers.push({ from, to, req });
    return { command: `transfer ${from} ${to}`, host: this.host.display, exitCode: 0, stdout: '', stderr: '', durationMs: 0, failed: false, timedOut: false };
  }

  /** Background processes started (by argv), and how many were stopped. */
  readonly backgrounds: { command: Command; stopped: boolean }[] = [];

  /** Answers from the scripted answers like run(): the answer's stdout must match `ready`, else the start fails. */
  async background(cmd: Command, ready: RegExp): Promise<BackgroundProcess> {
    const r = await this.run(cmd);
    const m = ready.exec(r.stdout);
    if (r.failed || !m) throw new DeckhandError('unreachable', `${r.command} exited before it was ready`, { details: { stderrTail: r.stderr } });
    const entry = { command: cmd, stopped: false };
    this.backgrounds.push(entry);
    return { match: m, output: () => r.stdout, stop: async () => { entry.stopped = true; } };
  }

  async forward(host: string, port: number): Promise<Tunnel> {
    return { host, port, close: async () => {} };
  }

  async close(): Promise<void> {}
}
