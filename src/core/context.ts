// The run context every stage receives: executor, secret registry, progress events and cancellation.
import type { Executor } from '../exec/types.js';
import type { Redactor } from './redact.js';

export type ProgressEvent =
  | { type: 'step-start'; id: string; title: string }
  | { type: 'step-end'; id: string; title: string; status: 'pass' | 'fail' | 'warn' | 'unknown' | 'skipped'; durationMs: number; detail?: string };

export interface RunContext {
  executor: Executor;
  redactor: Redactor;
  signal?: AbortSignal;
  /** Progress for terminal renderers; stages never print. */
  onProgress?: (e: ProgressEvent) => void;
  now?: () => Date;
}
