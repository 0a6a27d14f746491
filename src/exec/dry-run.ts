// Dry-run: read-only commands run for real; commands that would change the host are only described.
import { shJoin, type Command } from '../core/command.js';
import type { ExecResult, Executor, TransferRequest, Tunnel } from './types.js';

export class DryRunExecutor implements Executor {
  readonly skipped: string[] = [];

  constructor(private readonly inner: Executor, private readonly onSkip: (line: string) => void = () => {}) {}

  get host() {
    return this.inner.host;
  }

  async run(cmd: Command): Promise<ExecResult> {
    if (!cmd.mutates) return this.inner.run(cmd);
    const line = `would run: ${cmd.description ? `${cmd.description}: ` : ''}${shJoin(cmd.argv)}`;
    this.skipped.push(line);
    this.onSkip(line);
    return { command: shJoin(cmd.argv), host: this.inner.host.display, exitCode: 0, stdout: '', stderr: '', durationMs: 0, failed: false, timedOut: false };
  }

  upload(content: string | Uint8Array, remotePath: string, mode = '0644'): Promise<ExecResult> {
    const bytes = typeof content === 'string' ? Buffer.byteLength(content) : content.byteLength;
    return this.run({ argv: ['upload', remotePath, mode, `${bytes} bytes`], mutates: true, description: `write ${remotePath}` });
  }

  transfer(from: string, to: string, req: TransferRequest): Promise<ExecResult> {
    return this.run({ argv: [req.useRsync ? 'rsync' : 'tar', from, to], mutates: true, description: `copy ${from} to ${to}` });
  }

  /** Forwarding reads nothing and changes nothing on the host: it passes through. */
  forward(host: string, port: number): Promise<Tunnel> {
    return this.inner.forward(host, port);
  }

  connect(): Promise<void> {
    return this.inner.connect?.() ?? Promise.resolve();
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
