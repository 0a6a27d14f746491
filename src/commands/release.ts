// Pure builders for the release layout on a target: directories, the atomic `current` switch, pruning, records.
import type { Command } from '../core/command.js';

const MIN = 60_000;

/** Creates the base layout and the new release directory (idempotent). */
export function makeLayoutCommand(base: string, releaseDir: string, recordDir: string): Command {
  const script = 'set -e; umask 022; mkdir -p "$1/releases" "$1/shared/logs" "$1/shared/data" "$1/.deckhand/journal" "$2" "$3"; chmod 0700 "$3"';
  return { argv: ['sh', '-c', script, 'deckhand-layout', base, releaseDir, recordDir], mutates: true, description: `create ${releaseDir}` };
}

/** Creates the base directory owned by the connecting user (run through sudo when not root). */
export function ownBaseCommand(base: string, owner: string): Command {
  return { argv: ['install', '-d', '-m', '0755', '-o', owner, '-g', owner, base], mutates: true, description: `create ${base} owned by ${owner}` };
}

/** Points `current` at a release atomically: a temporary link renamed over the old one (rename(2) is atomic). */
export function switchCurrentCommand(base: string, releaseId: string): Command {
  const script = 'set -e; cd "$1"; test -d "releases/$2"; ln -sfn "releases/$2" .current.deckhand-tmp; mv -Tf .current.deckhand-tmp current';
  return { argv: ['sh', '-c', script, 'deckhand-switch', base, releaseId], mutates: true, description: `point ${base}/current at releases/${releaseId}` };
}

/** Removes `current` (first release failed: nothing to point back to). */
export function removeCurrentCommand(base: string): Command {
  return { argv: ['rm', '-f', `${base}/current`], mutates: true, description: `remove ${base}/current` };
}

/** Deletes release directories (and their records) by id; refuses anything `current` points at. */
export function removeReleasesCommand(base: string, ids: readonly string[]): Command {
  const script = 'set -e; b="$1"; shift; cur=$(readlink "$b/current" 2>/dev/null || true); for id in "$@"; do '
    + 'case "$id" in ""|*/*|.|..) echo "refusing $id" >&2; exit 2;; esac; '
    + 'if [ "$cur" = "releases/$id" ]; then echo "refusing to remove the current release $id" >&2; exit 3; fi; rm -rf -- "$b/releases/$id" "$b/.deckhand/records/$id"; done';
  return { argv: ['sh', '-c', script, 'deckhand-prune', base, ...ids], mutates: true, timeoutMs: 5 * MIN, description: `remove releases ${ids.join(', ')}` };
}

/** Runs a shell command line (the repo's own install/build/migrate command) inside a directory. */
export function runInDirCommand(dir: string, line: string, opts: { timeoutMs?: number; envFile?: string } = {}): Command {
  const load = opts.envFile ? 'if [ -r "$2" ]; then set -a; . "$2"; set +a; fi; ' : '';
  const script = `set -e; cd "$1"; ${load}${line}`;
  return {
    argv: ['sh', '-c', script, 'deckhand-run', dir, ...(opts.envFile ? [opts.envFile] : [])],
    mutates: true, timeoutMs: opts.timeoutMs ?? 15 * MIN, description: `${line} (in ${dir})`,
  };
}

/**
 * Copies the files in force now (env file, unit) into a release's record, so a rollback restores exactly them.
 * Missing sources are skipped: the first deploy has none.
 */
export function snapshotCommand(recordDir: string, files: readonly { from: string; name: string }[]): Command {
  const script = 'set -e; d="$1"; shift; umask 077; mkdir -p "$d"; while [ $# -gt 1 ]; do if [ -e "$1" ]; then cp -p "$1" "$d/$2.tmp" && mv -f "$d/$2.tmp" "$d/$2"; else rm -f "$d/$2"; fi; shift 2; done';
  return {
    argv: ['sh', '-c', script, 'deckhand-snapshot', recordDir, ...files.flatMap((f) => [f.from, f.name])],
    mutates: true, description: `record ${files.map((f) => f.name).join(', ')} in ${recordDir}`,
  };
}

/** Restores files from a release record (a file absent in the record is removed, as it was absent then). */
export function restoreCommand(recordDir: string, files: readonly { to: string; name: string; mode: string; owner?: string }[]): Command {
  const script = 'set -e; d="$1"; shift; while [ $# -gt 3 ]; do if [ -e "$d/$2" ]; then install -m "$3" ${4:+-o "$4"} "$d/$2" "$1.deckhand-tmp" && mv -f "$1.deckhand-tmp" "$1"; else rm -f "$1"; fi; shift 4; done';
  return {
    argv: ['sh', '-c', script, 'deckhand-restore', recordDir, ...files.flatMap((f) => [f.to, f.name, f.mode, f.owner ?? ''])],
    mutates: true, description: `restore ${files.map((f) => f.name).join(', ')} from ${recordDir}`,
  };
}

/** Copies a file into place with a mode (and owner), atomically. */
export function installFileCommand(from: string, to: string, mode: string, owner?: string): Command {
  const script = 'set -e; install -m "$3" ${4:+-o "$4"} "$1" "$2.deckhand-tmp"; mv -f "$2.deckhand-tmp" "$2"';
  return { argv: ['sh', '-c', script, 'deckhand-install', from, to, mode, owner ?? ''], mutates: true, description: `install ${to} (mode ${mode})` };
}

/** Creates the service user if missing: a system account with no login shell and no home of its own. */
export function ensureServiceUserCommand(user: string, home: string): Command {
  const script = 'id -u "$1" >/dev/null 2>&1 || useradd --system --shell /usr/sbin/nologin --home-dir "$2" --no-create-home "$1"';
  return { argv: ['sh', '-c', script, 'deckhand-user', user, home], mutates: true, description: `service user ${user} (no login shell)` };
}

/** Gives the service user its writable shared directories (logs, data). */
export function chownSharedCommand(base: string, user: string): Command {
  return { argv: ['chown', '-R', `${user}:${user}`, `${base}/shared/logs`, `${base}/shared/data`], mutates: true, description: `${user} owns shared/logs and shared/data` };
}
