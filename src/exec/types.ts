// The executor interface: the one way stages run commands on a host, local or remote.
import type { Command } from '../core/command.js';
import type { HostRef } from '../core/target.js';

export interface ExecResult {
  /** The command as shown to people: escaped and redacted. */
  command: string;
  host: string;
  exitCode: number | null;
  signal?: string;
  stdout: string;
  stderr: string;
  durationMs: number;
  failed: boolean;
  timedOut: boolean;
}

export interface Executor {
  readonly host: HostRef;
  run(cmd: Command): Promise<ExecResult>;
  /** Writes content to a file on the host atomically (temp file, chmod, rename). */
  upload(content: string | Uint8Array, remotePath: string, mode?: string): Promise<ExecResult>;
  /** Opens the connection ahead of the first command, so it overlaps local work. Optional; errors surface on run(). */
  connect?(): Promise<void>;
  /** Releases connections (closes the SSH master). Safe to call twice. */
  close(): Promise<void>;
}
