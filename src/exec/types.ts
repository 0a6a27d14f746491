// The executor interface: the one way stages run commands on a host, local or remote.
import type { Command } from '../core/command.js';
import type { HostRef } from '../core/target.js';
import type { TransferOptions } from '../commands/rsync.js';
import type { BackgroundProcess } from './background.js';

export type { BackgroundProcess } from './background.js';

/** How to ship a directory: rsync when both ends have it, else a tar stream. */
export interface TransferRequest extends TransferOptions { useRsync: boolean }

export interface ExecResult {
  /** The command as shown to people: escaped and redacted. */
  command: string;
  host: string;
  exitCode: number | null;
  signal?: string;
  stdout: string;
  stderr: string;
  /**
   * stdout before masking, for parsers only (a probe's facts must not be corrupted when a registered secret
   * happens to occur in a path or a name). Never shown: whatever is parsed from it is masked again on output.
   */
  rawStdout?: string;
  durationMs: number;
  failed: boolean;
  timedOut: boolean;
}

export interface Executor {
  readonly host: HostRef;
  run(cmd: Command): Promise<ExecResult>;
  /** Writes content to a file on the host atomically (temp file, chmod, rename). */
  upload(content: string | Uint8Array, remotePath: string, mode?: string): Promise<ExecResult>;
  /** Ships a local directory's files into a directory on the host (created if missing; stale files removed). */
  transfer(from: string, to: string, req: TransferRequest): Promise<ExecResult>;
  /**
   * A TCP path from this machine to `host:port` as the target sees it (e.g. an app bound to the target's
   * loopback): a port forward over the open SSH connection, or the address itself on the local target.
   */
  forward(host: string, port: number): Promise<Tunnel>;
  /**
   * Starts a process on this machine that runs beside deckhand (kubectl port-forward) and resolves once its output
   * matches `ready`. Local executors only; the caller ends it with stop().
   */
  background?(cmd: Command, ready: RegExp, readyTimeoutMs: number): Promise<BackgroundProcess>;
  /** Opens the connection ahead of the first command, so it overlaps local work. Optional; errors surface on run(). */
  connect?(): Promise<void>;
  /** Releases connections (closes the SSH master). Safe to call twice. */
  close(): Promise<void>;
}

export interface Tunnel {
  /** Where to connect on this machine. */
  host: string;
  port: number;
  close(): Promise<void>;
}
