// The single place that spawns processes: argv (no shell), bounded by a timeout, output redacted.
// node:child_process directly rather than execa: execa's import alone cost ~190 ms per CLI run here,
// more than the whole probe, and this wrapper needs only spawn, a timer and two buffers.
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import type { Redactor } from '../core/redact.js';
import type { ExecResult } from './types.js';

export interface SpawnOptions {
  input?: string | Uint8Array;
  timeoutMs: number;
  env?: Record<string, string>;
  /** Shown in results instead of the real argv (already escaped). */
  display: string;
  host: string;
  redactor: Redactor;
  redact?: readonly string[];
  signal?: AbortSignal;
  /** Send stderr to this file instead of a pipe (for processes that background themselves). */
  stderrFile?: string;
  /** Discard stdout (for processes that background themselves). */
  ignoreStdout?: boolean;
}

interface Raw { exitCode: number | null; signal: string | null; stdout: string; stderr: string; timedOut: boolean; spawnError?: string }

function spawnRaw(file: string, args: readonly string[], opts: SpawnOptions): Promise<Raw> {
  return new Promise((resolve) => {
    const errFd = opts.stderrFile ? openSync(opts.stderrFile, 'w', 0o600) : undefined;
    const child = spawn(file, [...args], {
      stdio: [opts.input === undefined ? 'ignore' : 'pipe', opts.ignoreStdout ? 'ignore' : 'pipe', errFd ?? 'pipe'],
      env: opts.env ? { ...process.env, ...opts.env } : process.env,
      // Its own process group, so a timeout kills grandchildren too: a child's child that still holds
      // the output pipes would otherwise keep us waiting past the deadline.
      detached: true,
    });
    if (errFd !== undefined) closeSync(errFd);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    let settled = false;
    const kill = (): void => {
      try { if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL'); } catch { /* group already gone */ }
      try { child.kill('SIGKILL'); } catch { /* already gone */ }
      // Should anything outside the group still hold the pipes, stop waiting for them shortly after.
      setTimeout(() => {
        child.stdout?.destroy();
        child.stderr?.destroy();
        finish({ exitCode: null, signal: 'SIGKILL', stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), timedOut });
      }, 1000).unref();
    };
    const timer = setTimeout(() => { timedOut = true; kill(); }, opts.timeoutMs);
    const onAbort = (): void => kill();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    const finish = (r: Raw): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      resolve(r);
    };
    child.stdout?.on('data', (d: Buffer) => out.push(d));
    child.stderr?.on('data', (d: Buffer) => err.push(d));
    child.on('error', (e) => finish({ exitCode: null, signal: null, stdout: '', stderr: '', timedOut, spawnError: `${file}: ${e.message}` }));
    child.on('close', (code, sig) => finish({
      exitCode: code, signal: sig, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), timedOut,
    }));
    if (child.stdin) {
      // A process that exits without reading its input must not crash us with EPIPE.
      child.stdin.on('error', () => {});
      child.stdin.end(opts.input);
    }
  });
}

export async function spawnBounded(file: string, args: readonly string[], opts: SpawnOptions): Promise<ExecResult> {
  const started = performance.now();
  const r = await spawnRaw(file, args, opts);
  const mask = (s: string): string => opts.redactor.mask(s, opts.redact ?? []);
  const res: ExecResult = {
    command: mask(opts.display),
    host: opts.host,
    exitCode: r.exitCode,
    stdout: mask(r.stdout),
    rawStdout: r.stdout,
    stderr: mask(r.spawnError ?? r.stderr),
    durationMs: Math.round(performance.now() - started),
    failed: r.exitCode !== 0 || r.timedOut || r.spawnError !== undefined,
    timedOut: r.timedOut,
  };
  if (r.signal) res.signal = r.signal;
  return res;
}
