// Pure builders for the per-app deploy lock on the target: atomic create, compare-and-delete release.
import type { Command } from '../core/command.js';

/**
 * Creates the lock file only if absent (noclobber makes the create atomic). On contention it prints the
 * holder's record and exits 75 (EX_TEMPFAIL), so the caller can tell "held" from "failed".
 */
export function acquireLockCommand(lockPath: string, record: string): Command {
  const script = 'd=$(dirname "$1"); mkdir -p "$d" || exit 1; if ( set -C; printf "%s\\n" "$2" > "$1" ) 2>/dev/null; then exit 0; fi; cat "$1" 2>/dev/null; exit 75';
  return { argv: ['sh', '-c', script, 'deckhand-lock', lockPath, record], mutates: true, timeoutMs: 15_000, description: `take the deploy lock ${lockPath}` };
}

/** Deletes the lock only if it still holds `expected` (a lock taken over by someone else is left alone). */
export function releaseLockCommand(lockPath: string, expected: string): Command {
  const script = 'if [ -f "$1" ] && [ "$(cat "$1")" = "$2" ]; then rm -f "$1"; else exit 3; fi';
  return { argv: ['sh', '-c', script, 'deckhand-unlock', lockPath, expected], mutates: true, timeoutMs: 15_000, description: `release the deploy lock ${lockPath}` };
}

export function readLockCommand(lockPath: string): Command {
  return { argv: ['sh', '-c', 'cat "$1" 2>/dev/null; exit 0', 'deckhand-lock-read', lockPath], mutates: false, timeoutMs: 15_000 };
}
