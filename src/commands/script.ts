// Pure builders for the script strategy: the recorded script paths, the check of the uploaded script, and the run on `current`.
import type { Command } from '../core/command.js';

/** What the plan shows of a repository script before it runs. */
export interface ScriptPreview {
  /** Path relative to the app directory (the same inside every release). */
  path: string;
  bytes: number;
  sha256: string;
  /** The first lines, as shown in the plan. */
  head: string[];
}

/** A relative path inside the release: no absolute paths, no `..`, nothing a shell or the record file would misread. */
export function safeScriptPath(p: string): boolean {
  return p.length > 0 && !p.startsWith('/') && !p.split('/').includes('..') && /^[A-Za-z0-9_./@+-]+$/.test(p);
}

/** The record of which scripts a release runs: line 1 the deploy script, line 2 the rollback script (empty: none). */
export function renderScriptConf(deploy: string, rollback: string | null): string {
  return `${deploy}\n${rollback ?? ''}\n`;
}

/** Fails unless the uploaded script is byte for byte the one the plan showed. */
export function checkScriptCommand(releaseDir: string, s: ScriptPreview): Command {
  const script = 'set -e; cd "$1"; test -f "$2" || { echo "$2 is missing from the upload" >&2; exit 1; }; '
    + 'echo "$3  $2" | sha256sum -c --status - || { echo "$2 differs from the one shown in the plan" >&2; exit 1; }; echo "$2: $3"';
  return { argv: ['sh', '-c', script, 'deckhand-script-check', releaseDir, s.path, s.sha256], mutates: false, timeoutMs: 30_000, description: `check ${s.path} is the reviewed script` };
}

/**
 * Runs a script of the release `current` points at, in that release's directory with the env file loaded.
 * The first start of a release runs its deploy script (and marks the release as deployed in its record); a release
 * that was deployed before and is current again (revert, rollback) runs its rollback script instead. The script
 * paths come from the conf file in force, which rollback restores from the release's record.
 */
export function runScriptCommand(base: string, conf: string, envFile: string, timeoutMs: number): Command {
  const script = [
    'set -e; base="$1"; conf="$2"; env="$3"',
    'cur=$(readlink "$base/current"); id=${cur##*/}',
    'dep=""; rb=""; { IFS= read -r dep || true; IFS= read -r rb || true; } < "$conf"',
    'mark="$base/.deckhand/records/$id/script-deployed"',
    'cd -P "$base/current"',
    'if [ -r "$env" ]; then set -a; . "$env"; set +a; fi',
    'run() { if [ -x "./$1" ]; then "./$1"; else sh "./$1"; fi; }',
    'if [ ! -e "$mark" ]; then echo "deckhand: running the deploy script $dep in $PWD"; run "$dep"; : > "$mark"',
    'elif [ -n "$rb" ]; then echo "deckhand: running the rollback script $rb in $PWD"; run "$rb"',
    'else echo "deckhand: $id has no rollback script (deployed with --no-rollback): current switched back, nothing run"; fi',
  ].join('\n');
  return {
    argv: ['sh', '-c', script, 'deckhand-script', base, conf, envFile], mutates: true, timeoutMs,
    description: `run the deploy script of ${base}/current (its rollback script when that release was deployed before)`,
  };
}

/** The env file is written by root (0600); the script runs as the connecting user, who must be able to read it. */
export function ownEnvCommand(envFile: string, user: string): Command {
  return { argv: ['sh', '-c', 'if [ -e "$1" ]; then chown "$2" "$1"; fi', 'deckhand-env-owner', envFile, user], mutates: true, description: `${user} owns ${envFile}` };
}
