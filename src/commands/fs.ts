// Pure builders for file-system commands run on a target.
import type { Command } from '../core/command.js';

const MODE_RE = /^[0-7]{3,4}$/;

/**
 * Writes stdin to `path` atomically: a temp file beside it with the mode set before any content lands,
 * then a rename. Paths travel as positional parameters, never spliced into the script.
 */
export function writeFileCommand(path: string, mode = '0644'): Command {
  if (!MODE_RE.test(mode)) throw new Error(`invalid file mode "${mode}"`);
  const script = 'set -e; t="$1.deckhand-tmp.$$"; umask 077; cat > "$t"; chmod "$2" "$t"; mv -f "$t" "$1"';
  return { argv: ['sh', '-c', script, 'deckhand-write', path, mode], mutates: true, description: `write ${path} (mode ${mode})` };
}

/** Prints a file, or nothing with exit 3 when it does not exist (any other failure keeps its own exit code). */
export function readFileIfExistsCommand(path: string): Command {
  return { argv: ['sh', '-c', 'if [ -e "$1" ]; then exec cat -- "$1"; else exit 3; fi', 'deckhand-read', path], mutates: false, timeoutMs: 15_000 };
}
