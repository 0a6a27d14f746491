// Runs commands on this machine: argv spawned directly, no shell unless the command is one.
import { DEFAULT_TIMEOUT_MS, shJoin, type Command } from '../core/command.js';
import type { Redactor } from '../core/redact.js';
import { writeFileCommand } from '../commands/fs.js';
import { rsyncArgs, tarCreateArgs, tarExtractLine } from '../commands/rsync.js';
import type { HostRef } from '../core/target.js';
import { spawnBounded } from './spawn.js';
import { startBackground, type BackgroundProcess } from './background.js';
import type { ExecResult, Executor, TransferRequest, Tunnel } from './types.js';

export class LocalExecutor implements Executor {
  readonly host: HostRef = { kind: 'local', display: 'local' };

  constructor(private readonly redactor: Redactor, private readonly signal?: AbortSignal) {}

  async run(cmd: Command): Promise<ExecResult> {
    const [file, ...args] = cmd.argv;
    if (file === undefined) throw new Error('empty argv');
    return spawnBounded(file, args, {
      ...(cmd.stdin === undefined ? {} : { input: cmd.stdin }),
      timeoutMs: cmd.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      ...(cmd.env ? { env: { ...cmd.env } } : {}),
      display: shJoin(cmd.argv),
      host: 'local',
      redactor: this.redactor,
      ...(cmd.redact ? { redact: cmd.redact } : {}),
      ...(this.signal ? { signal: this.signal } : {}),
    });
  }

  upload(content: string | Uint8Array, remotePath: string, mode = '0644'): Promise<ExecResult> {
    return this.run({ ...writeFileCommand(remotePath, mode), stdin: content });
  }

  transfer(from: string, to: string, req: TransferRequest): Promise<ExecResult> {
    if (req.useRsync) return this.run({ argv: ['rsync', ...rsyncArgs(from, to, req, null)], mutates: true, timeoutMs: 30 * 60_000, description: `copy ${from} to ${to}` });
    const pipe = `${shJoin(['tar', ...tarCreateArgs(from, req)])} | ${tarExtractLine(to)}`;
    return this.run({ argv: ['sh', '-c', pipe], mutates: true, timeoutMs: 30 * 60_000, description: `copy ${from} to ${to} (tar)` });
  }

  background(cmd: Command, ready: RegExp, readyTimeoutMs: number): Promise<BackgroundProcess> {
    return startBackground(cmd, ready, readyTimeoutMs, this.redactor);
  }

  /** The local target needs no tunnel: its loopback is ours. */
  async forward(host: string, port: number): Promise<Tunnel> {
    return { host, port, close: async () => {} };
  }

  async close(): Promise<void> {}
}
