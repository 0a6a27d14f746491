// Pure builders for `deckhand ops cleanup`: the one-round-trip facts probe, and the re-checking log and image removals.
import type { Command } from '../core/command.js';

const MIN = 60_000;

/** Where to look for log files: a directory, a `find -name` pattern, and how deep. */
export interface LogDirSpec { dir: string; name: string; depth: number }

/** Paths the processes of this host hold open, one per line (all processes as root; one's own otherwise). */
const OPEN_FILES = 'ls -l /proc/[0-9]*/fd/ 2>/dev/null | sed -n "s/^.* -> \\(\\/.*\\)$/\\1/p" | sort -u';

/** `df -Pk PATH`: POSIX output, 1 KiB blocks, one line per filesystem (no wrapping). */
export function diskUsageCommand(path: string): Command {
  return { argv: ['df', '-Pk', path], mutates: false, timeoutMs: 30_000, description: `df -Pk ${path}` };
}

/**
 * Everything cleanup decides from, in one round trip (read-only): disk use of the base's filesystem, the log
 * files (`size|mtime|inode|links|path`), the paths held open under those directories, each release's size with
 * its record (`id|bytes`, apparent size; `du -sk` where `du -b` is missing), the blue-green slot links, and,
 * when docker=1, the app's image tags, each image's size and number of tags (in any repository), and the images
 * containers use.
 */
export function cleanupProbeCommand(p: { app: string; base: string; dirs: readonly LogDirSpec[]; docker: boolean }): Command {
  const script = [
    'b="$1"; app="$2"; docker="$3"; shift 3',
    'echo "@@begin df"; df -Pk "$b" 2>&1; rc=$?; echo "@@end df rc=$rc"',
    'echo "@@begin files"',
    'for s in "$@"; do d=${s%%|*}; r=${s#*|}; n=${r%|*}; depth=${r##*|}; [ -d "$d" ] && find "$d" -maxdepth "$depth" -type f -name "$n" -exec stat -c "%s|%Y|%i|%h|%n" {} + 2>/dev/null; done',
    'echo "@@end files rc=0"',
    'echo "@@begin open"; echo "uid=$(id -u)"',
    `${OPEN_FILES} | while IFS= read -r f; do for s in "$@"; do case "$f" in "\${s%%|*}"/*) echo "open=$f"; break;; esac; done; done`,
    'echo "@@end open rc=0"',
    'if du -sb /dev/null >/dev/null 2>&1; then du="du -sb"; k=1; else du="du -sk"; k=1024; fi',
    'echo "@@begin releases"',
    'for d in "$b"/releases/*; do [ -d "$d" ] || continue; id=${d##*/}; echo "$id|$($du "$d" "$b/.deckhand/records/$id" 2>/dev/null | awk -v k="$k" \'{s+=$1} END {printf "%.0f", s*k}\')"; done',
    'echo "@@end releases rc=0"',
    'echo "@@begin slots"; for l in "$b"/slots/*; do [ -L "$l" ] && echo "${l##*/}|$(readlink "$l")"; done; echo "@@end slots rc=0"',
    'if [ "$docker" = 1 ]; then',
    '  to=; command -v timeout >/dev/null 2>&1 && to="timeout 60"',
    '  echo "@@begin images"; $to docker image ls --no-trunc --format "{{.Repository}}|{{.Tag}}|{{.ID}}" "$app"; rc=$?; echo "@@end images rc=$rc"',
    '  echo "@@begin image-sizes"; $to docker image ls -q --no-trunc "$app" | sort -u | xargs -r $to docker image inspect -f "{{.Id}}|{{.Size}}|{{len .RepoTags}}"; echo "@@end image-sizes rc=$?"',
    '  echo "@@begin in-use"; $to docker ps -aq --no-trunc | xargs -r $to docker inspect -f "{{.Image}}"; echo "@@end in-use rc=$?"',
    'fi',
  ].join('\n');
  return {
    argv: ['sh', '-c', script, 'deckhand-cleanup-probe', p.base, p.app, p.docker ? '1' : '0', ...p.dirs.map((d) => `${d.dir}|${d.name}|${d.depth}`)],
    mutates: false, timeoutMs: 2 * MIN, description: `list the logs, releases${p.docker ? ' and images' : ''} of ${p.app} and the disk use of ${p.base}`,
  };
}

/** One log file to act on, with the facts it was listed with: it is acted on only if they still hold. */
export interface LogActionLine { action: 'compress' | 'delete'; size: number; mtime: number; inode: number; path: string }

/** stdin of cleanupLogsCommand: `action|size|mtime|inode|path` per line. */
export function cleanupLogsInput(items: readonly LogActionLine[]): string {
  return items.map((i) => `${i.action}|${i.size}|${i.mtime}|${i.inode}|${i.path}\n`).join('');
}

/**
 * Compresses (gzip -9, which keeps the mtime) or deletes each listed file, but only when its size, mtime and
 * inode are still those listed and no process holds it open now; anything else is skipped and said so.
 * Prints `done|path|bytes-after`, `skipped|path|why` or `failed|path|why` per line.
 */
export function cleanupLogsCommand(items: readonly LogActionLine[]): Command {
  const script = [
    `open=$(${OPEN_FILES})`,
    'while IFS="|" read -r act size mtime ino path; do',
    '  [ -n "$path" ] || continue',
    '  cur=$(stat -c "%s|%Y|%i" -- "$path" 2>/dev/null) || { echo "skipped|$path|gone since it was listed"; continue; }',
    '  if [ "$cur" != "$size|$mtime|$ino" ]; then echo "skipped|$path|changed since it was listed (size|mtime|inode now $cur)"; continue; fi',
    '  if printf "%s\\n" "$open" | grep -qxF -- "$path"; then echo "skipped|$path|a process holds it open now"; continue; fi',
    '  case "$act" in',
    '    delete) if rm -f -- "$path"; then echo "done|$path|0"; else echo "failed|$path|rm exit $?"; fi;;',
    '    compress) if [ -e "$path.gz" ]; then echo "skipped|$path|$path.gz exists"; elif gzip -9 -- "$path" 2>/dev/null; then echo "done|$path|$(stat -c %s -- "$path.gz")"; else echo "failed|$path|gzip exit $?"; fi;;',
    '    *) echo "failed|$path|unknown action $act";;',
    '  esac',
    'done',
  ].join('\n');
  return {
    argv: ['sh', '-c', script, 'deckhand-cleanup-logs'], stdin: cleanupLogsInput(items), mutates: true, timeoutMs: 15 * MIN,
    description: `compress ${items.filter((i) => i.action === 'compress').length} and delete ${items.filter((i) => i.action === 'delete').length} log files (each re-checked first)`,
  };
}

/**
 * Removes image tags (`docker rmi REF`, never forced: an image a container uses stays), each only while it
 * still points at the image listed. stdin: `ref|image-id` per line. Prints done/skipped/failed lines.
 */
export function removeImagesCommand(items: readonly { ref: string; id: string }[]): Command {
  const script = [
    'while IFS="|" read -r ref id; do',
    '  [ -n "$ref" ] || continue',
    '  now=$(docker image inspect -f "{{.Id}}" "$ref" 2>/dev/null) || { echo "skipped|$ref|gone since it was listed"; continue; }',
    '  [ "$now" = "$id" ] || { echo "skipped|$ref|now points at $now"; continue; }',
    '  if out=$(docker rmi "$ref" 2>&1); then echo "done|$ref|"; else echo "failed|$ref|$(printf "%s" "$out" | tr "\\n" " ")"; fi',
    'done',
  ].join('\n');
  return {
    argv: ['sh', '-c', script, 'deckhand-cleanup-images'], stdin: items.map((i) => `${i.ref}|${i.id}\n`).join(''), mutates: true, timeoutMs: 10 * MIN,
    description: `docker rmi ${items.map((i) => i.ref).join(' ')}`,
  };
}
