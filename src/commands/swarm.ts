// Pure builders for the swarm strategy: the settings file, the service create/update or stack deploy that waits for the engine's verdict, stop, alive check.
import { shQuote, type Command } from '../core/command.js';

/** Printed by the start command when the engine rolled a failing update back; the applier reports it as such. */
export const ENGINE_ROLLBACK_MARK = 'rolled back by the engine';
/** Exit codes of the start command: the engine rolled back, the engine paused the update, no convergence in time. */
export const SWARM_EXIT = { rolledBack: 75, paused: 76, deadline: 77, tasksFailing: 78 } as const;

/** The start command's process bound: only a hung docker CLI meets it, as the script's own deadline ends first. */
export const SWARM_START_BOUND_MS = 30 * 60_000;
/** The longest swarm.deadline: below the process bound, with room for what runs before the wait (image checks, create/update). */
export const SWARM_DEADLINE_MAX_SEC = 25 * 60;

/** Everything the start command needs, recorded per release (so revert and rollback start an older release with its own settings). */
export interface SwarmSettings {
  /** `service`: one `docker service` named after the app; `stack`: `docker stack deploy -c <composeFile> <stack>`. */
  mode: 'service' | 'stack';
  replicas: number;
  /** `ingress`: --publish through the routing mesh (needs IPVS); `host`: tasks share the host's network and port (the app binds it with SO_REUSEPORT). */
  network: 'ingress' | 'host';
  port: number | null;
  updateParallelism: number;
  updateDelay: string;
  updateMonitor: string;
  stopGrace: string;
  /** A shell command run inside the container (CMD-SHELL); null keeps the image's HEALTHCHECK. */
  health: { cmd: string; interval: string; timeout: string; retries: number; startPeriod: string } | null;
  /** How long the engine may take to converge (or roll back) before deckhand gives up, in seconds. */
  deadlineSec: number;
  registryAuth: boolean;
  stack: { name: string; composeFile: string; service: string } | null;
}

export function swarmConfigPath(base: string): string {
  return `${base}/.deckhand/swarm.conf`;
}

/** The swarm service deckhand waits on: the app's service, or `<stack>_<service>`. */
export function swarmServiceName(app: string, s: Pick<SwarmSettings, 'stack'>): string {
  return s.stack ? `${s.stack.name}_${s.stack.service}` : app;
}

/** The settings as sh assignments (every value quoted), sourced by the start command. */
export function renderSwarmConfig(app: string, s: SwarmSettings): string {
  const v: [string, string][] = [
    ['DH_MODE', s.mode], ['DH_SERVICE', swarmServiceName(app, s)], ['DH_REPLICAS', String(s.replicas)], ['DH_NETWORK', s.network],
    ['DH_PORT', s.port === null ? '' : String(s.port)], ['DH_UPDATE_PARALLELISM', String(s.updateParallelism)], ['DH_UPDATE_DELAY', s.updateDelay],
    ['DH_UPDATE_MONITOR', s.updateMonitor], ['DH_STOP_GRACE', s.stopGrace], ['DH_HEALTH_CMD', s.health?.cmd ?? ''],
    ['DH_HEALTH_INTERVAL', s.health?.interval ?? ''], ['DH_HEALTH_TIMEOUT', s.health?.timeout ?? ''], ['DH_HEALTH_RETRIES', s.health ? String(s.health.retries) : ''],
    ['DH_HEALTH_START', s.health?.startPeriod ?? ''], ['DH_DEADLINE', String(s.deadlineSec)], ['DH_REGISTRY_AUTH', s.registryAuth ? '1' : ''],
    ['DH_STACK', s.stack?.name ?? ''], ['DH_COMPOSE', s.stack?.composeFile ?? ''],
  ];
  return `# deckhand swarm settings of ${app} (sourced by the start command)\n${v.map(([k, x]) => `${k}=${shQuote(x)}`).join('\n')}\n`;
}

/**
 * The update policy both create and update take: new tasks start (and must be healthy) before old ones stop,
 * a failure within the monitor window makes the engine roll back, and its rollback is start-first too and does not stop halfway.
 */
const POLICY = [
  'set -- "$@" --update-order start-first --update-failure-action rollback --update-max-failure-ratio 0',
  'set -- "$@" --update-parallelism "$DH_UPDATE_PARALLELISM" --update-delay "$DH_UPDATE_DELAY" --update-monitor "$DH_UPDATE_MONITOR"',
  // A rollback that pauses on a task failure would leave old and new tasks mixed: it goes on to the previous spec.
  'set -- "$@" --rollback-order start-first --rollback-parallelism "$DH_UPDATE_PARALLELISM" --rollback-monitor "$DH_UPDATE_MONITOR" --rollback-failure-action continue',
  'set -- "$@" --stop-grace-period "$DH_STOP_GRACE"',
  'if [ -n "$DH_HEALTH_CMD" ]; then set -- "$@" --health-cmd "$DH_HEALTH_CMD" --health-interval "$DH_HEALTH_INTERVAL" --health-timeout "$DH_HEALTH_TIMEOUT" --health-retries "$DH_HEALTH_RETRIES" --health-start-period "$DH_HEALTH_START"; fi',
  'if [ -n "$DH_REGISTRY_AUTH" ]; then set -- "$@" --with-registry-auth; fi',
];

/**
 * The engine's verdict, polled until the deadline. A rolling update is judged by UpdateStatus (only once the
 * engine has started this update: its StartedAt differs from the one before); a create or a change that starts
 * no rolling update (same task template) by running tasks of the image == desired replicas. Task states count
 * a task as Running only after its healthcheck passed. An update whose spec the engine put back is a rollback,
 * whatever UpdateStatus says by the time it is read.
 */
const WAIT = [
  'after=$(docker service inspect -f "{{json .Spec.TaskTemplate}}" "$svc" 2>/dev/null) || { echo "service $svc does not exist after the deploy (for a stack: is swarm.stack.service a service of its compose file?)" >&2; exit 2; }',
  'rolling=0; if [ -n "$before" ] && [ "$before" != "$after" ]; then rolling=1; fi',
  'end=$(( $(date +%s) + DH_DEADLINE ))',
  // The latest stopped tasks: their state and the engine's error (an unhealthy task stopped with exit 0 shows as Complete, without one).
  'errors() { docker service ps "$svc" --no-trunc --filter desired-state=shutdown --format "{{.Name}} {{.Image}}={{.CurrentState}}{{if .Error}}: {{.Error}}{{end}}" 2>/dev/null | awk \'{ i = index($0, "="); r = substr($0, i + 1) } i > 0 && r != "" { if (n++ < 3) printf "%s%s: %s", (n > 1 ? "; " : ""), substr($0, 1, i - 1), r }\'; }',
  'why=""',
  'while :; do',
  '  info=$(docker service inspect -f "{{.Spec.TaskTemplate.ContainerSpec.Image}}|{{if .UpdateStatus}}{{.UpdateStatus.State}}|{{.UpdateStatus.StartedAt}}|{{.UpdateStatus.Message}}{{end}}" "$svc" 2>/dev/null || true)',
  '  spec=${info%%|*}; spec=${spec%%@*}; info=${info#*|}; state=${info%%|*}; rest=${info#*|}; started=${rest%%|*}; msg=${rest#*|}',
  '  if [ "$rolling" = 0 ]; then state=none; elif [ "$started" = "$prevstart" ]; then state=pending; fi',
  // The engine's reason for rolling back is in the rollback_started message; its later states say only "rollback completed".
  '  if [ "$state" = rollback_started ]; then why=$msg; fi',
  // A rollback puts the previous spec back, but a later reconcile of the service can overwrite rollback_completed with
  // "completed": a finished update whose spec no longer names the image is the engine's rollback.
  '  if [ "$state" = completed ] && [ -n "$spec" ] && [ "$spec" != "$image" ]; then state=rollback_completed; msg="completed, spec back to $spec"; fi',
  '  want=$(docker service inspect -f "{{.Spec.Mode.Replicated.Replicas}}" "$svc" 2>/dev/null || echo 0)',
  '  run=$(docker service ps "$svc" --filter desired-state=running --format "{{.Image}} {{.CurrentState}}" 2>/dev/null | awk -v i="$image" \'$1 == i && $2 == "Running" { n++ } END { print n + 0 }\')',
  '  case "$state" in',
  `    rollback_completed) echo "${ENGINE_ROLLBACK_MARK}: update to $image failed, the previous spec is serving (UpdateStatus: $msg\${why:+; $why}) (tasks: $(errors))" >&2; exit ${SWARM_EXIT.rolledBack};;`,
  `    paused|rollback_paused) echo "the engine paused the update to $image ($state: $msg) (tasks: $(errors))" >&2; exit ${SWARM_EXIT.paused};;`,
  '    updating|rollback_started|pending) ;;',
  '    *) if [ "$want" -gt 0 ] && [ "$run" -ge "$want" ]; then echo "converged: $run/$want tasks of $image running (update: $state)"; exit 0; fi',
  // Seen on Docker 20.10: tasks that fail their healthcheck before ever running can end an update as "completed"; the engine then only restarts them.
  `      failed=$(docker service ps "$svc" --filter desired-state=shutdown --format "{{.Image}} {{.CurrentState}}" 2>/dev/null | awk -v i="$image" '$1 == i && $2 == "Failed" { n++ } END { print n + 0 }')`,
  `      if [ "$want" -gt 0 ] && [ "$failed" -gt "$want" ]; then echo "the update to $image ended ($state) but its tasks keep failing: $run/$want running, $failed failed (tasks: $(errors))" >&2; exit ${SWARM_EXIT.tasksFailing}; fi;;`,
  '  esac',
  `  if [ "$(date +%s)" -ge "$end" ]; then echo "$svc did not converge within \${DH_DEADLINE}s: update $state, $run/$want tasks of $image running (tasks: $(errors))" >&2; exit ${SWARM_EXIT.deadline}; fi`,
  '  sleep 1',
  'done',
];

/** App env names the start command refuses: they would change the docker CLI deckhand runs, or deckhand's own values. */
export const RESERVED_ENV = ['PATH', 'HOME', 'IFS', 'ENV', 'LD_*', 'DOCKER_*', 'DECKHAND_*', '__dh_*'] as const;

/**
 * Starts (or updates to) the image of the release `current` points at, `<app>:<release-id>`, and waits for the
 * engine. The settings come from <base>/.deckhand/swarm.conf, the env from the shared env file: each name is
 * passed as `--env NAME` / `--env-add NAME` with the value in the environment, never in argv; an update drops
 * (`--env-rm`) names the service has that the env file no longer lists. Names in RESERVED_ENV are refused.
 */
export function swarmStartCommand(base: string, app: string): Command {
  const script = [
    'set -e; base="$1"; app="$2"',
    `conf="${'$'}base/.deckhand/swarm.conf"; if [ ! -f "$conf" ]; then echo "$conf is missing: deploy again" >&2; exit 2; fi; . "$conf"`,
    'rel=$(readlink "$base/current" || true); rel=${rel%/}; rel=${rel##*/}',
    'if [ -z "$rel" ]; then echo "$base/current points at no release" >&2; exit 2; fi',
    'image="$app:$rel"; svc="$DH_SERVICE"',
    'if ! docker image inspect "$image" >/dev/null 2>&1; then echo "image $image is missing (removed by hand?): deploy that commit again" >&2; exit 3; fi',
    'if [ "$(docker info --format "{{.Swarm.ControlAvailable}}" 2>/dev/null)" != true ]; then echo "this Docker engine is not a swarm manager: run docker swarm init --advertise-addr <address>" >&2; exit 2; fi',
    'if [ -z "$DH_HEALTH_CMD" ] && [ -z "$(docker image inspect -f "{{if .Config.Healthcheck}}{{.Config.Healthcheck.Test}}{{end}}" "$image")" ]; then echo "warning: $image has no HEALTHCHECK and swarm.health is not set: the engine judges the update only by tasks staying up" >&2; fi',
    'before=$(docker service inspect -f "{{json .Spec.TaskTemplate}}" "$svc" 2>/dev/null || true)',
    'prevstart=$(docker service inspect -f "{{if .UpdateStatus}}{{.UpdateStatus.StartedAt}}{{end}}" "$svc" 2>/dev/null || true)',
    // The app's env file is sourced only inside __dh_docker's subshell, once deckhand's arguments are fixed: an app variable
    // cannot change what the script runs next. What that subshell reads after sourcing is prefixed __dh_, and names
    // that would change the docker CLI itself (or deckhand's own values) are refused.
    '__dh_env="$base/shared/.env"; __dh_port="$DH_PORT"; __dh_image="$image"; __dh_rel="$rel"; names=""',
    'if [ -f "$__dh_env" ]; then names=$(sed -n "s/^\\([A-Za-z_][A-Za-z0-9_]*\\)=.*/\\1/p" "$__dh_env" | tr "\\n" " "); fi',
    `for n in $names; do case "$n" in ${RESERVED_ENV.join('|')}) echo "$__dh_env sets $n, which would change how deckhand runs the docker CLI or what it passes: rename it (reserved: ${RESERVED_ENV.join(' ')})" >&2; exit 2;; esac; done`,
    'if [ -n "$__dh_port" ]; then names="$names PORT"; fi',
    '__dh_docker() { ( if [ -f "$__dh_env" ]; then set -a; . "$__dh_env"; set +a; fi; if [ -n "$__dh_port" ]; then PORT="$__dh_port"; export PORT; fi; export DECKHAND_IMAGE="$__dh_image" DECKHAND_RELEASE="$__dh_rel"; docker "$@" ); }',
    'set --',
    'if [ "$DH_MODE" = stack ]; then',
    '  if [ -n "$DH_REGISTRY_AUTH" ]; then set -- --with-registry-auth; fi',
    '  __dh_docker stack deploy -c "$base/current/$DH_COMPOSE" "$@" "$DH_STACK"',
    'elif [ -n "$before" ]; then',
    '  for n in $names; do set -- "$@" --env-add "$n"; done',
    // Names the service has but the env file no longer lists (a rollback to an older env file) are removed, not kept.
    '  old=$(docker service inspect -f "{{range .Spec.TaskTemplate.ContainerSpec.Env}}{{println .}}{{end}}" "$svc" 2>/dev/null | sed -n "s/^\\([A-Za-z_][A-Za-z0-9_]*\\)=.*/\\1/p" | tr "\\n" " ")',
    '  for n in $old; do case " $names " in *" $n "*) ;; *) set -- "$@" --env-rm "$n";; esac; done',
    ...POLICY.map((l) => `  ${l}`),
    '  __dh_docker service update --detach --no-resolve-image --image "$image" --replicas "$DH_REPLICAS" --label-add "deckhand.release=$rel" "$@" "$svc" >/dev/null',
    'else',
    '  for n in $names; do set -- "$@" --env "$n"; done',
    '  if [ "$DH_NETWORK" = host ]; then set -- "$@" --network host; elif [ -n "$DH_PORT" ]; then set -- "$@" --publish "published=$DH_PORT,target=$DH_PORT"; fi',
    ...POLICY.map((l) => `  ${l}`),
    '  __dh_docker service create --detach --no-resolve-image --name "$svc" --replicas "$DH_REPLICAS" --label "deckhand.app=$app" --label "deckhand.release=$rel" "$@" "$image" >/dev/null',
    'fi',
    ...WAIT,
  ].join('\n');
  return {
    argv: ['sh', '-c', script, 'deckhand-swarm-start', base, app],
    // The script's own deadline (DH_DEADLINE) ends first; this bound only covers a hung docker CLI.
    mutates: true, timeoutMs: SWARM_START_BOUND_MS,
    description: `docker service update (or create / stack deploy) of ${app} to the image of ${base}/current, start-first, waiting for the engine`,
  };
}

/** Removes the service (a first release that failed) or the stack; images stay. */
export function swarmStopCommand(app: string, s: Pick<SwarmSettings, 'stack'>): Command {
  return s.stack
    ? { argv: ['docker', 'stack', 'rm', s.stack.name], mutates: true, timeoutMs: 120_000, description: `docker stack rm ${s.stack.name}` }
    : { argv: ['sh', '-c', 'docker service rm "$1" >/dev/null 2>&1 || true', 'deckhand-swarm-stop', app], mutates: true, timeoutMs: 120_000, description: `docker service rm ${app}` };
}

/**
 * Stop when no deckhand.yml gives the settings (rollback, revert): the service or stack named in the settings file in
 * force on the target, else the app's service.
 */
export function swarmStopFromConfCommand(app: string, base: string): Command {
  const script = 'conf="$1"; DH_MODE=service; DH_SERVICE="$2"; DH_STACK=""; if [ -f "$conf" ]; then . "$conf"; fi\n'
    + 'if [ "$DH_MODE" = stack ] && [ -n "$DH_STACK" ]; then docker stack rm "$DH_STACK"; else docker service rm "$DH_SERVICE" >/dev/null 2>&1 || true; fi';
  return { argv: ['sh', '-c', script, 'deckhand-swarm-stop', swarmConfigPath(base), app], mutates: true, timeoutMs: 120_000, description: `docker service rm (or stack rm) of ${app}, named in ${swarmConfigPath(base)}` };
}

/** The service name as a shell word: read from the settings file in force, else the app's name. */
export function swarmServiceWord(app: string, base: string): string {
  return `"$(. ${shQuote(swarmConfigPath(base))} 2>/dev/null && echo "$DH_SERVICE" || echo ${shQuote(app)})"`;
}

/**
 * Shell test: as many Running (healthy) tasks as the service wants. The service name comes from the settings file in
 * force (a stack's service is `<stack>_<service>`), so rollback, which has no deckhand.yml, checks the right one.
 * `docker` is the CLI prefix (maybe `sudo -n docker`).
 */
export function swarmAliveCheck(docker: string, base: string): string {
  const conf = shQuote(swarmConfigPath(base));
  return `s=$(. ${conf} && echo "$DH_SERVICE") && w=$(${docker} service inspect -f '{{.Spec.Mode.Replicated.Replicas}}' "$s" 2>/dev/null) && n=$(${docker} service ps "$s" --filter desired-state=running --format '{{.CurrentState}}' 2>/dev/null | grep -c '^Running') && [ "$w" -gt 0 ] && [ "$n" -ge "$w" ]`;
}

/**
 * The swarm service as verify sees it, in one round trip: `service=<name>`, `spec=<replicas>|<image>|<update state>`,
 * one `task=<id>|<name>|<image>|<desired>|<current state>|<error>` line per task, and one `health=<id>|<status>` line per
 * task meant to run: its container's .State.Health.Status, `none` without a healthcheck, `remote` on another node
 * (the CLI reached directly or through sudo -n).
 * The name comes from the settings file in force under `base` when there is one (a stack's service is `<stack>_<service>`).
 */
export function swarmTasksCommand(app: string, base: string | null): Command {
  const script = [
    'svc="$1"; conf="$2"; if [ -n "$conf" ] && [ -f "$conf" ]; then s=$(. "$conf" && echo "$DH_SERVICE") && [ -n "$s" ] && svc="$s"; fi; echo "service=$svc"',
    'D=docker; if ! docker version --format "{{.Server.Version}}" >/dev/null 2>&1 && sudo -n docker version >/dev/null 2>&1; then D="sudo -n docker"; fi',
    'spec=$($D service inspect -f "{{.Spec.Mode.Replicated.Replicas}}|{{.Spec.TaskTemplate.ContainerSpec.Image}}|{{if .UpdateStatus}}{{.UpdateStatus.State}}: {{.UpdateStatus.Message}}{{end}}" "$svc" 2>&1) || { echo "error=$spec"; exit 0; }',
    'echo "spec=$spec"',
    '$D service ps "$svc" --no-trunc --format "task={{.ID}}|{{.Name}}|{{.Image}}|{{.DesiredState}}|{{.CurrentState}}|{{.Error}}" 2>&1 | head -n 20',
    // The container health of each task meant to run, where its container is on this node (else "remote").
    '$D service ps "$svc" --no-trunc -q --filter desired-state=running 2>/dev/null | head -n 20 | while read -r t; do',
    '  c=$($D inspect -f "{{.Status.ContainerStatus.ContainerID}}" "$t" 2>/dev/null)',
    '  h=$([ -n "$c" ] && $D container inspect -f "{{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}" "$c" 2>/dev/null) || h=remote',
    '  echo "health=$t|${h:-remote}"',
    'done',
  ].join('\n');
  return {
    argv: ['sh', '-c', script, 'deckhand-swarm-tasks', app, base === null ? '' : swarmConfigPath(base)], mutates: false, timeoutMs: 30_000,
    description: `docker service inspect; docker service ps (the service of ${app} named in ${base === null ? 'no settings file' : swarmConfigPath(base)})`,
  };
}
