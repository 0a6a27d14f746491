// Pure builders for the compose strategy: validate, pull, build and start a project (v2 plugin or v1 docker-compose), never removing volumes.
import { shQuote, type Command } from '../core/command.js';

const MIN = 60_000;

export type ComposeFlavor = 'v2' | 'v1';

/** The compose CLI with a fixed project name: every release directory then runs as the same project (same containers, same volumes). */
export function composeCli(flavor: ComposeFlavor, project: string): string[] {
  return flavor === 'v2' ? ['docker', 'compose', '-p', project] : ['docker-compose', '-p', project];
}

/** Runs the compose CLI inside a directory (compose reads the compose file and `.env` from there). */
export function composeInDirCommand(dir: string, cli: readonly string[], args: readonly string[], opts: { timeoutMs?: number; description?: string } = {}): Command {
  return {
    argv: ['sh', '-c', 'set -e; cd "$1"; shift; exec "$@"', 'deckhand-compose', dir, ...cli, ...args],
    mutates: true, timeoutMs: opts.timeoutMs ?? 10 * MIN, description: opts.description ?? `${[...cli, ...args].join(' ')} (in ${dir})`,
  };
}

/**
 * Links the release's `.env` to the shared env file, so `${VAR}` interpolation and `env_file: .env` see the
 * deploy's values. An empty env file is created when there is none yet (first deploy: the env step writes it
 * later, in the switch phase), so validating a project that names `env_file: .env` does not fail on it.
 */
export function composeLinkEnvCommand(releaseDir: string, envFile: string): Command {
  const script = 'set -e; if [ ! -e "$2" ]; then (umask 077; : > "$2"); fi; ln -sfn "$2" "$1/.env"';
  return { argv: ['sh', '-c', script, 'deckhand-compose-env', releaseDir, envFile], mutates: true, description: `link ${releaseDir}/.env → ${envFile}` };
}

export function composeValidateCommand(releaseDir: string, cli: readonly string[]): Command {
  return composeInDirCommand(releaseDir, cli, ['config', '-q'], { timeoutMs: 2 * MIN });
}

/**
 * Pulls what can be pulled. A failed pull (no registry, or an image only built or kept on this host) is printed
 * as a warning and does not fail the deploy: docker-compose v1 exits 1 even with --ignore-pull-failures, so the
 * exit status is not used. Whether every image is then present is checked after the build (composeImagesCommand).
 */
export function composePullCommand(releaseDir: string, cli: readonly string[]): Command {
  const script = 'cd "$1"; shift; "$@" pull --ignore-pull-failures || echo "deckhand: warning: the pull failed; the images on this host are used (checked after the build)" >&2';
  return {
    argv: ['sh', '-c', script, 'deckhand-compose-pull', releaseDir, ...cli], mutates: true, timeoutMs: 20 * MIN,
    description: `${[...cli, 'pull', '--ignore-pull-failures'].join(' ')} (in ${releaseDir}; a failed pull is a warning)`,
  };
}

/** After the build, every image the project names must be on the host, so a missing one fails before the switch. */
export function composeImagesCommand(releaseDir: string, cli: readonly string[]): Command {
  const script = 'set -e; cd "$1"; shift; missing=; for i in $("$@" config | sed -n "s/^ *image: *//p" | tr -d "\\"\'"); do '
    + 'docker image inspect "$i" >/dev/null 2>&1 || missing="$missing $i"; done; '
    + 'if [ -n "$missing" ]; then echo "not on this host (the pull failed and the service has no build section):$missing" >&2; exit 1; fi';
  return { argv: ['sh', '-c', script, 'deckhand-compose-images', releaseDir, ...cli], mutates: false, timeoutMs: 2 * MIN, description: `check that every image of the project is on the host (in ${releaseDir})` };
}

export function composeBuildCommand(releaseDir: string, cli: readonly string[]): Command {
  return composeInDirCommand(releaseDir, cli, ['build'], { timeoutMs: 30 * MIN });
}

/**
 * Brings the project up from `current`. `--build` rebuilds from that release's files: after the prepare-phase
 * build it is a layer-cache hit, and on revert or rollback it puts back the older release's images (service
 * images keep one tag, so without it `up` would run the newest build with the older compose file).
 * `--wait` (v2.1.1+) waits for running/healthy; without it deckhand's own alive check polls the containers.
 */
export function composeUpCommand(currentDir: string, cli: readonly string[], wait: boolean): Command {
  return composeInDirCommand(currentDir, cli, ['up', '-d', '--build', '--remove-orphans', ...(wait ? ['--wait'] : [])], { timeoutMs: 30 * MIN });
}

/** Stops and removes the project's containers and networks. Never `-v`: named volumes hold the app's data. */
export function composeDownCommand(currentDir: string, cli: readonly string[]): Command {
  return composeInDirCommand(currentDir, cli, ['down', '--remove-orphans'], { timeoutMs: 5 * MIN });
}

/**
 * Shell test: the project has containers and each is running (and healthy when it has a healthcheck) or
 * exited 0 (a one-shot service). One-off `run` containers are ignored. `docker` is the CLI prefix.
 */
export function composeAliveCheck(docker: string, project: string): string {
  const p = shQuote(`label=com.docker.compose.project=${project}`);
  return `ids=$(${docker} ps -aq --filter ${p} --filter label=com.docker.compose.oneoff=False) && [ -n "$ids" ] `
    + `&& ! ${docker} inspect -f '{{.State.Status}}/{{.State.ExitCode}}/{{if .State.Health}}{{.State.Health.Status}}{{end}}' $ids 2>&1 `
    + `| grep -v -x -E -e 'running/0/(healthy)?' -e 'exited/0/.*' | grep -q .`;
}
