// The single place that spawns processes (execa): bounded by a timeout, never through a shell.
import { execa } from 'execa';
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
}

export async function spawnBounded(file: string, args: readonly string[], opts: SpawnOptions): Promise<ExecResult> {
  const started = performance.now();
  const result = await execa(file, [...args], {
    reject: false,
    timeout: opts.timeoutMs,
    killSignal: 'SIGKILL',
    stripFinalNewline: false,
    env: opts.env,
    extendEnv: true,
    ...(opts.input === undefined ? { stdin: 'ignore' as const } : { input: opts.input }),
    ...(opts.signal ? { cancelSignal: opts.signal } : {}),
  });
  const mask = (s: string): string => opts.redactor.mask(s, opts.redact ?? []);
  const exitCode = typeof result.exitCode === 'number' ? result.exitCode : null;
  const res: ExecResult = {
    command: mask(opts.display),
    host: opts.host,
    exitCode,
    stdout: mask(String(result.stdout ?? '')),
    stderr: mask(String(result.stderr ?? '')),
    durationMs: Math.round(performance.now() - started),
    failed: result.failed,
    timedOut: result.timedOut === true,
  };
  if (result.signal) res.signal = result.signal;
  if (result.failed && exitCode === null && !res.timedOut && res.stderr === '' && result.message) {
    // Spawn errors (ENOENT and the like) have no stderr: keep the reason.
    res.stderr = mask(result.message);
  }
  return res;
}
