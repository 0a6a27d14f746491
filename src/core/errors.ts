// Errors a stage throws when it could not do its job: what happened, the details, and how to fix it.

export type ErrorKind = 'usage' | 'config' | 'unreachable' | 'auth' | 'host-key' | 'timeout' | 'internal';

/** Documented exit codes. */
export const EXIT = { ok: 0, checksFailed: 1, usage: 2, couldNotRun: 3 } as const;

export interface ErrorDetails {
  command?: string;
  host?: string;
  exitCode?: number | null;
  stderrTail?: string;
}

export class DeckhandError extends Error {
  readonly kind: ErrorKind;
  readonly details: ErrorDetails;
  readonly hint: string | undefined;

  constructor(kind: ErrorKind, message: string, opts: { details?: ErrorDetails; hint?: string; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'DeckhandError';
    this.kind = kind;
    this.details = opts.details ?? {};
    this.hint = opts.hint;
  }

  get exitCode(): number {
    switch (this.kind) {
      case 'usage':
      case 'config':
        return EXIT.usage;
      case 'internal':
        return EXIT.couldNotRun;
      default:
        return EXIT.couldNotRun;
    }
  }
}

export function usageError(message: string, hint?: string): DeckhandError {
  return new DeckhandError('usage', message, hint === undefined ? {} : { hint });
}

/** Last n non-empty lines of a stream, for error details. */
export function tail(text: string, n = 5): string {
  return text.split('\n').map((l) => l.trimEnd()).filter((l) => l.length > 0).slice(-n).join('\n');
}

/** Renders an error for people: what, details, fix. */
export function formatError(err: unknown, verbose = false): string {
  if (err instanceof DeckhandError) {
    const lines = [`error: ${err.message}`];
    const d = err.details;
    if (d.host) lines.push(`  host:      ${d.host}`);
    if (d.command) lines.push(`  command:   ${d.command}`);
    if (d.exitCode !== undefined) lines.push(`  exit code: ${d.exitCode === null ? 'none (killed)' : d.exitCode}`);
    if (d.stderrTail) lines.push('  stderr:', ...d.stderrTail.split('\n').map((l) => `    ${l}`));
    if (err.hint) lines.push(`hint: ${err.hint}`);
    if (verbose && err.stack) lines.push('', err.stack);
    return lines.join('\n');
  }
  const e = err instanceof Error ? err : new Error(String(err));
  const lines = [`error: ${e.message}`];
  lines.push(verbose && e.stack ? e.stack : 'hint: this is a bug in deckhand; rerun with --verbose and report it');
  return lines.join('\n');
}
