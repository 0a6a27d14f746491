// Runs commands on a remote host through the system OpenSSH client, all over one ControlMaster connection.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_TIMEOUT_MS, remoteCommandLine, shJoin, type Command } from '../core/command.js';
import { DeckhandError, tail } from '../core/errors.js';
import type { Redactor } from '../core/redact.js';
import type { HostRef } from '../core/target.js';
import { writeFileCommand } from '../commands/fs.js';
import { rsyncArgs, tarCreateArgs, tarExtractLine } from '../commands/rsync.js';
import { classifySshFailure, sshBaseArgs, sshExitArgs, sshForwardArgs, sshMasterArgs, sshRunArgs, type SshSettings, type SshTarget } from '../commands/ssh.js';
import { spawnBounded } from './spawn.js';
import type { ExecResult, Executor, TransferRequest, Tunnel } from './types.js';
import { freeLocalPort } from './free-port.js';

type SshRef = Extract<HostRef, { kind: 'ssh' }>;

export class SshExecutor implements Executor {
  readonly host: HostRef;
  private readonly target: SshTarget;
  private controlDir: string | undefined;
  private connecting: Promise<string> | undefined;
  private closed = false;

  constructor(ref: SshRef, private readonly settings: SshSettings, private readonly redactor: Redactor, private readonly signal?: AbortSignal) {
    this.host = ref;
    this.target = { host: ref.host, ...(ref.user ? { user: ref.user } : {}), ...(ref.port ? { port: ref.port } : {}) };
  }

  /** Opens the master connection once; every later command is a session over it. */
  private master(): Promise<string> {
    this.connecting ??= this.openMaster();
    return this.connecting;
  }

  /** Starts connecting now (the failure, if any, is reported by the first run()). */
  connect(): Promise<void> {
    return this.master().then(() => undefined, () => undefined);
  }

  private async openMaster(): Promise<string> {
    // A short private directory: socket paths are limited to about 100 bytes.
    this.controlDir = await mkdtemp(join(tmpdir(), 'dh-'));
    const controlPath = join(this.controlDir, 'cm');
    const errPath = join(this.controlDir, 'master.err');
    // The backgrounded master keeps its stderr open for its whole life; a pipe would never reach EOF.
    const timeoutMs = ((this.settings.connectTimeoutSec ?? 10) + 10) * 1000;
    const r = await spawnBounded('ssh', sshMasterArgs(this.target, this.settings, controlPath), {
      timeoutMs, display: 'ssh (master)', host: this.host.display, redactor: this.redactor, stderrFile: errPath, ignoreStdout: true,
      ...(this.signal ? { signal: this.signal } : {}),
    });
    const exitCode = r.exitCode;
    const timedOut = r.timedOut;
    if (exitCode === null && !timedOut) {
      throw new DeckhandError('unreachable', `could not start the OpenSSH client: ${r.stderr}`, { hint: 'install openssh-client (ssh must be on PATH)' });
    }
    const stderr = this.redactor.mask(await readFile(errPath, 'utf8').catch(() => ''));
    if (timedOut) {
      throw new DeckhandError('timeout', `connecting to ${this.host.display} took longer than ${timeoutMs / 1000} s`, {
        details: { host: this.host.display, stderrTail: tail(stderr) },
        hint: 'the host may be down, or something is waiting for input; check `ssh -v` by hand',
      });
    }
    if (exitCode !== 0) {
      throw classifySshFailure(stderr, this.host.display) ??
        new DeckhandError('unreachable', `could not connect to ${this.host.display} (ssh exit ${exitCode})`, {
          details: { host: this.host.display, exitCode: exitCode ?? null, stderrTail: tail(stderr) },
          hint: 'run `ssh -v` to the same target by hand to see why',
        });
    }
    return controlPath;
  }

  async run(cmd: Command): Promise<ExecResult> {
    if (this.closed) throw new Error('SSH executor used after close()');
    const controlPath = await this.master();
    const line = remoteCommandLine(cmd);
    const res = await spawnBounded('ssh', sshRunArgs(this.target, this.settings, controlPath, line), {
      ...(cmd.stdin === undefined ? {} : { input: cmd.stdin }),
      timeoutMs: cmd.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      display: line,
      host: this.host.display,
      redactor: this.redactor,
      ...(cmd.redact ? { redact: cmd.redact } : {}),
      ...(this.signal ? { signal: this.signal } : {}),
    });
    if (res.exitCode === 255) {
      // 255 is the client's own failure code; a remote command exiting 255 leaves no client diagnostics.
      const err = classifySshFailure(res.stderr, this.host.display);
      if (err) throw err;
    }
    return res;
  }

  upload(content: string | Uint8Array, remotePath: string, mode = '0644'): Promise<ExecResult> {
    return this.run({ ...writeFileCommand(remotePath, mode), stdin: content });
  }

  /**
   * rsync (or tar) through the same master connection: rsync's remote shell is ssh with the ControlPath, so
   * the transfer opens no new TCP connection and needs no second authentication.
   */
  async transfer(from: string, to: string, req: TransferRequest): Promise<ExecResult> {
    if (this.closed) throw new Error('SSH executor used after close()');
    const controlPath = await this.master();
    const rsh = ['ssh', ...sshBaseArgs(this.target, this.settings), '-o', 'ControlMaster=no', '-o', `ControlPath=${controlPath}`];
    const hostSpec = this.target.host.includes(':') ? `[${this.target.host}]` : this.target.host;
    const common = { timeoutMs: 30 * 60_000, host: this.host.display, redactor: this.redactor, ...(this.signal ? { signal: this.signal } : {}) };
    let res: ExecResult;
    if (req.useRsync) {
      res = await spawnBounded('rsync', rsyncArgs(from, `${hostSpec}:${to}`, req, rsh), { ...common, display: `rsync ${from}/ ${this.host.display}:${to}/` });
    } else {
      const pipe = `${shJoin(['tar', ...tarCreateArgs(from, req)])} | ${shJoin([...rsh, '-T', '--', this.target.host, tarExtractLine(to)])}`;
      res = await spawnBounded('sh', ['-c', pipe], { ...common, display: `tar -C ${from} -c . | ssh ${this.host.display} tar -C ${to} -x` });
    }
    if (res.exitCode === 255) {
      const err = classifySshFailure(res.stderr, this.host.display);
      if (err) throw err;
    }
    return res;
  }

  async forward(host: string, port: number): Promise<Tunnel> {
    if (this.closed) throw new Error('SSH executor used after close()');
    const controlPath = await this.master();
    const local = await freeLocalPort();
    // An IPv6 address needs brackets inside the forward spec, whose fields are colon-separated.
    const spec = `127.0.0.1:${local}:${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:${port}`;
    const common = { timeoutMs: 15_000, host: this.host.display, redactor: this.redactor };
    const r = await spawnBounded('ssh', sshForwardArgs(this.target, this.settings, controlPath, spec), { ...common, display: `ssh -O forward -L ${spec}` });
    if (r.failed) {
      throw new DeckhandError('unreachable', `could not forward a port to ${host}:${port} on ${this.host.display}`, {
        details: { host: this.host.display, exitCode: r.exitCode, stderrTail: tail(r.stderr) },
        hint: 'the server may forbid TCP forwarding (sshd AllowTcpForwarding); allow it for this user',
      });
    }
    return {
      host: '127.0.0.1', port: local,
      close: async () => {
        if (this.closed) return;
        await spawnBounded('ssh', sshForwardArgs(this.target, this.settings, controlPath, spec, true), { ...common, display: `ssh -O cancel -L ${spec}` });
      },
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (!this.controlDir) return;
    const controlPath = join(this.controlDir, 'cm');
    if (this.connecting) {
      const ok = await this.connecting.then(() => true, () => false);
      if (ok) {
        await spawnBounded('ssh', sshExitArgs(this.target, this.settings, controlPath), {
          timeoutMs: 10_000, display: 'ssh -O exit', host: this.host.display, redactor: this.redactor,
        });
      }
    }
    await rm(this.controlDir, { recursive: true, force: true });
  }
}
