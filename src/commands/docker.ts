// Pure builders for the docker strategy: build the release's image, (re)start the app's container from `current`, prune stale tags.
import { shQuote, type Command } from '../core/command.js';

const MIN = 60_000;

/** Matches the release-id tags deckhand gives images (see layout.ts newReleaseId), as a shell glob. */
const RELEASE_TAG_GLOB = '[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]T[0-9][0-9][0-9][0-9][0-9][0-9]Z-*';

/** `<app>:<release-id>` plus `<app>:<short-commit>` when the commit is known. */
export function imageTags(app: string, releaseId: string, commit: string | null): string[] {
  return [`${app}:${releaseId}`, ...(commit ? [`${app}:${commit.slice(0, 7)}`] : [])];
}

/**
 * Builds the image from the Dockerfile in the release directory. A missing Dockerfile is said plainly
 * instead of docker's "unable to prepare context" message.
 */
export function dockerBuildCommand(releaseDir: string, tags: readonly string[]): Command {
  const script = 'set -e; cd "$1"; shift; if [ ! -f Dockerfile ]; then echo "no Dockerfile in $PWD: the docker strategy builds the image from it" >&2; exit 2; fi; exec docker build "$@" .';
  return {
    argv: ['sh', '-c', script, 'deckhand-docker-build', releaseDir, ...tags.flatMap((t) => ['-t', t])],
    mutates: true, timeoutMs: 30 * MIN, description: `docker build -t ${tags.join(' -t ')} (in ${releaseDir})`,
  };
}

/**
 * Replaces the app's container with one running the image of the release `current` points at. The tag comes
 * from `current`, never from the plan, because revert and rollback reuse this command for an older release.
 * The env file is sourced by sh (deckhand writes it sh-quoted) and each name is passed as `-e NAME`: docker's
 * own --env-file would keep the quotes as part of the values, and `-e NAME` keeps values out of argv.
 * PORT goes last so the published port and the app's port always agree.
 */
export function dockerStartCommand(base: string, app: string, port: number | null, bind: string): Command {
  const script = [
    'set -e; base="$1"; app="$2"; port="$3"; bind="$4"',
    'rel=$(readlink "$base/current" || true); rel=${rel%/}; rel=${rel##*/}',
    'if [ -z "$rel" ]; then echo "$base/current points at no release" >&2; exit 2; fi',
    'image="$app:$rel"',
    'if ! docker image inspect "$image" >/dev/null 2>&1; then echo "image $image is missing (removed by hand?): deploy that commit again" >&2; exit 3; fi',
    'set --',
    'env="$base/shared/.env"',
    'if [ -f "$env" ]; then set -a; . "$env"; set +a; for n in $(sed -n "s/^\\([A-Za-z_][A-Za-z0-9_]*\\)=.*/\\1/p" "$env"); do set -- "$@" -e "$n"; done; fi',
    'if [ -n "$port" ]; then set -- "$@" -e "PORT=$port" -p "$bind:$port:$port"; fi',
    'docker stop -t 20 "$app" >/dev/null 2>&1 || true',
    'docker rm -f "$app" >/dev/null 2>&1 || true',
    'docker run -d --name "$app" --restart unless-stopped --label "deckhand.app=$app" --label "deckhand.release=$rel" "$@" "$image"',
  ].join('\n');
  return {
    argv: ['sh', '-c', script, 'deckhand-docker-start', base, app, port === null ? '' : String(port), bind],
    mutates: true, timeoutMs: 120_000,
    description: `docker run ${app} from the image of ${base}/current${port === null ? '' : ` (-p ${bind}:${port}:${port})`}, replacing the old container`,
  };
}

/** Stops and removes the app's container (a first release that failed); images stay. */
export function dockerStopCommand(app: string): Command {
  return {
    argv: ['sh', '-c', 'docker stop -t 20 "$1" >/dev/null 2>&1 || true; docker rm -f "$1" >/dev/null 2>&1 || true', 'deckhand-docker-stop', app],
    mutates: true, timeoutMs: 60_000, description: `docker stop + rm ${app}`,
  };
}

/**
 * Removes `<app>:<release-id>` tags whose release directory is gone (pruned or failed releases), and the
 * short-commit tags of those same images unless a kept release uses them. The current and previous releases
 * are never pruned from disk, so their images (the rollback point) always stay. Never fails the deploy.
 */
export function dockerPruneImagesCommand(base: string, app: string): Command {
  const script = [
    'b="$1"; app="$2"; keep=" "; stale=" "',
    'list=$(docker image ls --format "{{.Tag}} {{.ID}}" "$app" 2>/dev/null) || exit 0',
    'while read -r tag id; do',
    `  case "$tag" in ${RELEASE_TAG_GLOB}) if [ -d "$b/releases/$tag" ]; then keep="$keep$id "; else stale="$stale$id "; docker rmi "$app:$tag" >/dev/null 2>&1 && echo "removed $app:$tag"; fi;; esac`,
    'done <<EOF',
    '$list',
    'EOF',
    'while read -r tag id; do',
    `  case "$tag" in ${RELEASE_TAG_GLOB}|"<none>"|"") continue;; esac`,
    '  case "$stale" in *" $id "*) case "$keep" in *" $id "*) ;; *) docker rmi "$app:$tag" >/dev/null 2>&1 && echo "removed $app:$tag";; esac;; esac',
    'done <<EOF',
    '$list',
    'EOF',
    'exit 0',
  ].join('\n');
  return { argv: ['sh', '-c', script, 'deckhand-docker-prune', base, app], mutates: true, timeoutMs: 5 * MIN, description: `remove ${app} image tags of releases no longer on disk` };
}

/** Shell test: the container runs, and is healthy when its image has a HEALTHCHECK. `docker` is the CLI prefix (maybe `sudo -n docker`). */
export function dockerAliveCheck(docker: string, app: string): string {
  return `s=$(${docker} inspect -f '{{.State.Running}}/{{if .State.Health}}{{.State.Health.Status}}{{end}}' ${shQuote(app)} 2>/dev/null) && { [ "$s" = true/ ] || [ "$s" = true/healthy ]; }`;
}

/** Pushes one image reference to its registry (the kubernetes strategy, when a registry is configured). */
export function dockerPushCommand(ref: string): Command {
  return { argv: ['docker', 'push', ref], mutates: true, timeoutMs: 30 * MIN };
}
