// Pure builders for shipping a directory to a target: rsync over the run's SSH connection, or a tar stream.
import { shJoin } from '../core/command.js';

export interface TransferOptions {
  /** rsync exclude patterns (also applied to the tar fallback). */
  excludes: readonly string[];
  /** Respect .gitignore files (rsync dir-merge; the tar fallback uses --exclude-vcs-ignores). */
  gitignore: boolean;
}

/** Never shipped: version control, local env files (secrets travel only through the env step), deckhand temp files. */
export const ALWAYS_EXCLUDED = ['.git/', '.env', '.env.*', '*.deckhand-tmp'] as const;
/** Kept although .env.* is excluded: example files hold names, not values. */
const KEEP = ['.env.example', '.env.sample', '.env.template'] as const;

function filterArgs(o: TransferOptions): string[] {
  const args: string[] = [];
  for (const k of KEEP) args.push(`--include=${k}`);
  for (const e of [...ALWAYS_EXCLUDED, ...o.excludes]) args.push(`--exclude=${e}`);
  if (o.gitignore) args.push('--filter=:- .gitignore');
  return args;
}

/**
 * rsync argv: archive mode, delete stale files in the destination, checksum-free quick check. `rsh` is the
 * ssh command line rsync uses (carrying the ControlPath so it rides the open master), or null for local copies.
 */
export function rsyncArgs(from: string, dest: string, o: TransferOptions, rsh: readonly string[] | null): string[] {
  const src = from.endsWith('/') ? from : `${from}/`;
  const dst = dest.endsWith('/') ? dest : `${dest}/`;
  return ['-a', '--delete', '--omit-dir-times', '--no-owner', '--no-group', ...filterArgs(o), ...(rsh ? ['-e', shJoin(rsh)] : []), src, dst];
}

/** The tar side of the fallback: `tar` on this machine streaming `from` to stdout. */
export function tarCreateArgs(from: string, o: TransferOptions): string[] {
  const ex = [...ALWAYS_EXCLUDED, ...o.excludes].map((e) => `--exclude=${e.replace(/\/$/, '')}`);
  return ['-C', from, ...ex, ...(o.gitignore ? ['--exclude-vcs-ignores'] : []), '-cf', '-', '.'];
}

/** The remote side of the fallback: a clean directory, then untar (the archive holds paths relative to it). */
export function tarExtractLine(dest: string): string {
  return shJoin(['sh', '-c', 'set -e; mkdir -p "$1"; find "$1" -mindepth 1 -delete; tar -C "$1" -xf -', 'deckhand-untar', dest]);
}
