// Pure builders for the verify stage's on-target probes: process samples, port owners, served version, recent logs.
import type { Command } from '../core/command.js';

/** The process managers a service can run under, as the deploy strategies name them. */
export type ManagerKind = 'systemd' | 'pm2' | 'docker' | 'compose';

/**
 * Privilege, decided on the target inside the same script (no extra round trip): root runs as is, a user with
 * passwordless sudo prefixes the privileged reads with `sudo -n` ($S), anyone else reads what they can.
 * Prints `priv=root|sudo|none`. `$to` bounds daemon calls so a hung docker cannot stall the probe.
 */
export const PRIV = [
  'uid=$(id -u); S=; if [ "$uid" = 0 ]; then priv=root; elif command -v sudo >/dev/null 2>&1 && sudo -n true >/dev/null 2>&1; then priv=sudo; S="sudo -n"; else priv=none; fi; echo "priv=$priv"',
  'to=; command -v timeout >/dev/null 2>&1 && to="timeout 20"',
];

/** The docker CLI this user can reach the daemon with ($D: `docker` or `sudo -n docker`), only when a docker kind is asked for. */
export const DOCKER = [
  'D=; case "$kinds" in *" docker "*|*" compose "*)',
  '  if ! command -v docker >/dev/null 2>&1; then echo docker=missing',
  '  elif $to docker version --format "{{.Server.Version}}" >/dev/null 2>&1; then D=docker; echo docker=direct',
  '  elif [ -n "$S" ] && $to sudo -n docker version --format "{{.Server.Version}}" >/dev/null 2>&1; then D="sudo -n docker"; echo docker=sudo',
  '  else echo docker=unreachable; fi;;',
  'esac',
];

/**
 * pm2's process list reduced on the target to the app's instances, one tab-separated line each:
 * `pm2 <pm_id> <status> <restart_time> <unstable_restarts> <pid> <exec_mode> <pm_cwd> <out log> <err log>`.
 * Reduced there because `pm2 jlist` carries every instance's environment (secrets included), which must not
 * travel or be stored. pm2 may print notices before the JSON, so the last line that parses as an array is used.
 */
export const PM2_FILTER = [
  "let d='';process.stdin.on('data',c=>d+=c).on('end',()=>{let a=null;",
  "for(const l of d.split('\\n').reverse()){if(!l.startsWith('['))continue;try{const v=JSON.parse(l);if(Array.isArray(v)){a=v;break}}catch(e){}}",
  "if(!a){console.log('pm2.error=unreadable jlist output');return}",
  'const m=a.filter(p=>p.name===process.argv[1]);if(m.length===0)console.log(\'pm2.none=1\');',
  "for(const p of m){const e=p.pm2_env||{};console.log(['pm2',p.pm_id,e.status,e.restart_time,e.unstable_restarts,p.pid,e.exec_mode,e.pm_cwd,e.pm_out_log_path,e.pm_err_log_path].join('\\t'))}})",
].join('');

/** Prints the pm2 lines (above) into $P and stdout; pm2 runs as the connecting user: its process list is per user. */
export const PM2_LIST = [
  'P=; case "$kinds" in *" pm2 "*)',
  '  if ! command -v "$pm2" >/dev/null 2>&1; then P="pm2.missing=1"',
  // No daemon for this user means no apps; asking `pm2 jlist` would start one as a side effect.
  '  elif ! kill -0 "$(cat "${PM2_HOME:-$HOME/.pm2}/pm2.pid" 2>/dev/null)" 2>/dev/null; then P="pm2.nodaemon=1"',
  '  else P=$($to "$pm2" jlist 2>/dev/null | node -e "$pm2f" "$app" 2>&1) || P="pm2.error=pm2 jlist failed"; fi',
  '  echo "$P";;',
  'esac',
];

/** `docker inspect` of one container as one `|`-separated line (see parseContainerLine). */
export const CONTAINER_FORMAT = '{{.Name}}|{{index .Config.Labels "com.docker.compose.service"}}|{{.State.Status}}|{{.RestartCount}}|'
  + '{{if .State.Health}}{{.State.Health.Status}}{{end}}|{{.State.Pid}}|{{.State.ExitCode}}|{{.State.OOMKilled}}|{{.State.StartedAt}}|{{.Config.Image}}';

/** The project's containers (one-off `run` containers excluded) into $ids. */
export const COMPOSE_IDS = 'ids=$($to $D ps -aq --filter "label=com.docker.compose.project=$app" --filter label=com.docker.compose.oneoff=False 2>/dev/null)';

const SYSTEMD_PROPS = 'LoadState,ActiveState,SubState,NRestarts,Result,ExecMainStatus,ExecMainCode,MainPID,ExecMainStartTimestamp,UnitFileState';

function kindsWord(kinds: readonly ManagerKind[]): string {
  return kinds.join(' ');
}

export interface ProcessSampleSpec {
  app: string;
  kinds: readonly ManagerKind[];
  /** Samples taken (at least 2: the first and the last bound the window). */
  samples: number;
  /** Seconds between samples (fractions where `sleep` takes them). */
  intervalSec: number;
  pm2: string;
}

/**
 * One round trip that samples the service's state `samples` times over the window: systemd properties, pm2
 * instances, the container, or the compose project's containers. A restart loop shows as counters that grow
 * between the first and the last sample, which one look at "active" cannot tell.
 */
export function processSamplesCommand(s: ProcessSampleSpec): Command {
  const samples = Math.max(2, Math.floor(s.samples));
  const step = Math.max(0.1, Math.round(s.intervalSec * 100) / 100);
  const script = [
    'app="$1"; kinds=" $2 "; n="$3"; step="$4"; pm2="$5"; pm2f="$6"; cf="$7"',
    ...PRIV,
    ...DOCKER,
    // A sleep without fractions gets whole seconds (at least one).
    'sleep 0.01 2>/dev/null || { step=${step%.*}; [ "${step:-0}" -ge 1 ] 2>/dev/null || step=1; }',
    'i=0',
    'while [ "$i" -lt "$n" ]; do',
    '  echo "@@sample $i $(date +%s)"',
    `  case "$kinds" in *" systemd "*) systemctl show "$app.service" -p ${SYSTEMD_PROPS} 2>&1 | sed "s/^/systemd./";; esac`,
    ...PM2_LIST.map((l) => `  ${l}`),
    '  case "$kinds" in *" docker "*) [ -n "$D" ] && $to $D inspect -f "$cf" "$app" 2>&1 | sed "s/^/docker /";; esac',
    `  case "$kinds" in *" compose "*) if [ -n "$D" ]; then ${COMPOSE_IDS}; if [ -n "$ids" ]; then $to $D inspect -f "$cf" $ids 2>&1 | sed "s/^/compose /"; else echo compose.none=1; fi; fi;; esac`,
    '  i=$((i+1)); [ "$i" -lt "$n" ] && sleep "$step"',
    'done',
    'echo @@end',
  ].join('\n');
  return {
    argv: ['sh', '-c', script, 'deckhand-verify-process', s.app, kindsWord(s.kinds), String(samples), String(step), s.pm2, PM2_FILTER, CONTAINER_FORMAT],
    mutates: false,
    timeoutMs: Math.ceil((samples - 1) * step * 1000) + 30_000 * samples,
    description: `sample the state of ${s.app} (${s.kinds.join(', ')}) ${samples} times, ${step}s apart`,
  };
}

export interface PortOwnerSpec {
  app: string;
  port: number;
  kinds: readonly ManagerKind[];
  pm2: string;
}

/**
 * Who listens on the port and who the service's processes are, in one round trip. Listeners come from
 * `ss -ltnp` (root sees every user's sockets), else from /proc/net/tcp{,6} with the owning PIDs found through
 * /proc/<pid>/fd. For each listening PID: its name, user, ancestors and cgroup, so the owner can be decided
 * by PID, by parentage (a shell or npm in between) or by cgroup (systemd); for containers the published ports.
 */
export function portOwnerCommand(s: PortOwnerSpec): Command {
  const script = [
    'app="$1"; port="$2"; kinds=" $3 "; pm2="$4"; pm2f="$5"',
    ...PRIV,
    ...DOCKER,
    'echo @@listeners',
    'if command -v ss >/dev/null 2>&1; then',
    '  echo tool=ss',
    '  L=$($S ss -ltnp 2>/dev/null | awk -v p=":$port" \'substr($4, length($4) - length(p) + 1) == p\')',
    '  echo "$L"; lp=$(printf "%s\\n" "$L" | grep -o "pid=[0-9]*" | cut -d= -f2 | sort -u)',
    'else',
    '  echo tool=proc; ph=$(printf "%04X" "$port"); lp=',
    '  L=$(for f in /proc/net/tcp /proc/net/tcp6; do [ -r "$f" ] && awk -v ph="$ph" \'NR > 1 { split($2, a, ":"); if (a[2] == ph && $4 == "0A") print $2, $10 }\' "$f"; done)',
    '  while read -r addr ino; do [ -z "$ino" ] && continue',
    '    ps_=$($S find /proc/[0-9]*/fd -lname "socket:\\[$ino\\]" 2>/dev/null | cut -d/ -f3 | sort -u | tr "\\n" " ")',
    '    echo "proc $addr inode=$ino pids=$ps_"; lp="$lp $ps_"',
    '  done <<EOF',
    '$L',
    'EOF',
    'fi',
    'for p in $lp; do',
    '  echo "@@pid $p"; echo "comm=$(cat /proc/$p/comm 2>/dev/null)"; echo "user=$(stat -c %U /proc/$p 2>/dev/null)"',
    '  chain=; q=$p; k=0; while [ -n "$q" ] && [ "$q" != 0 ] && [ "$q" != 1 ] && [ "$k" -lt 25 ]; do q=$(awk \'/^PPid:/ { print $2 }\' /proc/$q/status 2>/dev/null); chain="$chain $q"; k=$((k+1)); done',
    '  echo "ancestors=$chain"',
    '  echo "cgroup=$(sed -n -e "s/^0:://p" -e "s/^[0-9]*:name=systemd://p" /proc/$p/cgroup 2>/dev/null | head -n 1)"',
    '  echo "cmdline=$(tr "\\000" " " < /proc/$p/cmdline 2>/dev/null | cut -c1-300)"',
    'done',
    'echo @@owner',
    'case "$kinds" in *" systemd "*)',
    '  systemctl show "$app.service" -p MainPID,ControlGroup,ActiveState 2>&1 | sed "s/^/systemd./"',
    '  cg=$(systemctl show -p ControlGroup --value "$app.service" 2>/dev/null)',
    '  if [ -n "$cg" ]; then for d in /sys/fs/cgroup/systemd /sys/fs/cgroup/unified /sys/fs/cgroup; do',
    '    if [ -r "$d$cg/cgroup.procs" ]; then echo "systemd.procs=$(tr "\\n" " " < "$d$cg/cgroup.procs")"; break; fi',
    '  done; fi;;',
    'esac',
    ...PM2_LIST,
    'case "$kinds" in *" pm2 "*) echo "pm2.daemon=$(cat "${PM2_HOME:-$HOME/.pm2}/pm2.pid" 2>/dev/null)";; esac',
    `nf='{{.Name}}|{{.State.Pid}}|{{range $k, $v := .NetworkSettings.Networks}}{{$v.IPAddress}} {{end}}|{{.HostConfig.NetworkMode}}|{{range $p, $b := .NetworkSettings.Ports}}{{range $b}}{{$p}}>{{.HostIp}}:{{.HostPort}} {{end}}{{end}}'`,
    'case "$kinds" in *" docker "*) [ -n "$D" ] && $to $D inspect -f "$nf" "$app" 2>&1 | sed "s/^/docker /";; esac',
    `case "$kinds" in *" compose "*) if [ -n "$D" ]; then ${COMPOSE_IDS}; [ -n "$ids" ] && $to $D inspect -f "$nf" $ids 2>&1 | sed "s/^/compose /"; fi;; esac`,
    'echo @@end',
  ].join('\n');
  return {
    argv: ['sh', '-c', script, 'deckhand-verify-port', s.app, String(s.port), kindsWord(s.kinds), s.pm2, PM2_FILTER],
    mutates: false, timeoutMs: 60_000,
    description: `who listens on port ${s.port}, and the processes of ${s.app}`,
  };
}

export interface ServedVersionSpec {
  app: string;
  /** <base> on the target, or '' when not known. */
  base: string;
  release: string;
  kinds: readonly ManagerKind[];
  pm2: string;
}

/**
 * What the running service was started from: the working directory of its processes (the kernel resolves
 * `current` to the release directory at start), the container's image and release label, the compose
 * project's working directory, and where `current` points now.
 */
export function servedVersionCommand(s: ServedVersionSpec): Command {
  const script = [
    'app="$1"; base="$2"; release="$3"; kinds=" $4 "; pm2="$5"; pm2f="$6"',
    ...PRIV,
    ...DOCKER,
    'cwd() { readlink "/proc/$1/cwd" 2>/dev/null || $S readlink "/proc/$1/cwd" 2>&1; }',
    '[ -n "$base" ] && echo "current=$(readlink -f "$base/current" 2>/dev/null)"',
    'case "$kinds" in *" systemd "*)',
    '  pid=$(systemctl show -p MainPID --value "$app.service" 2>/dev/null); echo "systemd.pid=$pid"',
    '  [ -n "$pid" ] && [ "$pid" != 0 ] && echo "systemd.cwd=$(cwd "$pid")";;',
    'esac',
    ...PM2_LIST,
    'printf "%s\\n" "$P" | awk -F "\\t" \'$1 == "pm2" { print $6 }\' | while read -r p; do [ -n "$p" ] && [ "$p" != 0 ] && echo "pm2.cwd $p $(cwd "$p")"; done',
    'case "$kinds" in *" docker "*) if [ -n "$D" ]; then',
    '  $to $D inspect -f \'{{.Config.Image}}|{{index .Config.Labels "deckhand.release"}}|{{.Image}}\' "$app" 2>&1 | sed "s/^/docker /"',
    '  echo "docker.expected=$($to $D image inspect -f "{{.Id}}" "$app:$release" 2>/dev/null)"',
    'fi;; esac',
    `case "$kinds" in *" compose "*) if [ -n "$D" ]; then ${COMPOSE_IDS}`,
    '  [ -n "$ids" ] && $to $D inspect -f \'{{.Name}}|{{index .Config.Labels "com.docker.compose.project.working_dir"}}|{{.Created}}\' $ids 2>/dev/null | while IFS="|" read -r n wd c; do echo "compose $n|$wd|$(readlink -f "$wd" 2>/dev/null)|$c"; done',
    'fi;; esac',
    'echo @@end',
  ].join('\n');
  return {
    argv: ['sh', '-c', script, 'deckhand-verify-version', s.app, s.base, s.release, kindsWord(s.kinds), s.pm2, PM2_FILTER],
    mutates: false, timeoutMs: 60_000,
    description: `what ${s.app} runs from, against release ${s.release}`,
  };
}

export interface RecentLogsSpec {
  app: string;
  kinds: readonly ManagerKind[];
  /** The deploy time: epoch seconds for journalctl, RFC 3339 for docker; null reads only the last lines. */
  since: Date | null;
  maxLines: number;
  /** Bytes kept per source (the tail end), so a chatty app cannot flood the run. */
  maxBytes: number;
  /** <base> on the target ('' when not known): pm2 writes <base>/shared/logs/<app>.{out,err}.log. */
  base: string;
  pm2: string;
}

/**
 * The service's log lines since the deploy, bounded by line count and bytes per source. Each source starts
 * with `@@log <source> <name>` and ends with `@@rc <exit status>`, so an unreadable journal is told apart
 * from an empty one.
 */
export function recentLogsCommand(s: RecentLogsSpec): Command {
  const script = [
    'app="$1"; kinds=" $2 "; since="$3"; sinceIso="$4"; n="$5"; cap="$6"; base="$7"; pm2="$8"; pm2f="$9"',
    ...PRIV,
    ...DOCKER,
    'case "$kinds" in *" systemd "*)',
    '  echo "@@log journal $app.service"',
    '  { if [ -n "$since" ]; then $S journalctl -u "$app.service" --since "@$since" --no-pager -q -o short-iso -n "$n" 2>&1; else $S journalctl -u "$app.service" --no-pager -q -o short-iso -n "$n" 2>&1; fi; echo "@@rc $?"; } | tail -c "$cap";;',
    'esac',
    ...PM2_LIST.map((l) => l.replace('echo "$P"', ':')),
    'case "$kinds" in *" pm2 "*)',
    '  if [ -n "$base" ]; then files="$base/shared/logs/$app.out.log $base/shared/logs/$app.err.log"',
    '  else files=$(printf "%s\\n" "$P" | awk -F "\\t" \'$1 == "pm2" { print $9; print $10 }\' | sort -u); fi',
    '  for f in $files; do echo "@@log file $f"; { if [ -r "$f" ]; then tail -n "$n" "$f"; else $S tail -n "$n" "$f" 2>&1; fi; echo "@@rc $?"; } | tail -c "$cap"; done;;',
    'esac',
    'case "$kinds" in *" docker "*) if [ -n "$D" ]; then',
    '  echo "@@log container $app"',
    '  { if [ -n "$sinceIso" ]; then $to $D logs --since "$sinceIso" --tail "$n" "$app" 2>&1; else $to $D logs --tail "$n" "$app" 2>&1; fi; echo "@@rc $?"; } | tail -c "$cap"',
    'fi;; esac',
    `case "$kinds" in *" compose "*) if [ -n "$D" ]; then ${COMPOSE_IDS}`,
    '  for id in $ids; do nm=$($to $D inspect -f "{{index .Config.Labels \\"com.docker.compose.service\\"}}" "$id" 2>/dev/null); echo "@@log container ${nm:-$id}"',
    '    { if [ -n "$sinceIso" ]; then $to $D logs --since "$sinceIso" --tail "$n" "$id" 2>&1; else $to $D logs --tail "$n" "$id" 2>&1; fi; echo "@@rc $?"; } | tail -c "$cap"',
    '  done',
    'fi;; esac',
    'echo @@end',
  ].join('\n');
  const sinceSec = s.since === null ? '' : String(Math.floor(s.since.getTime() / 1000));
  const sinceIso = s.since === null ? '' : s.since.toISOString().replace(/\.\d{3}Z$/, 'Z');
  return {
    argv: ['sh', '-c', script, 'deckhand-verify-logs', s.app, kindsWord(s.kinds), sinceSec, sinceIso, String(s.maxLines), String(s.maxBytes), s.base, s.pm2, PM2_FILTER],
    mutates: false, timeoutMs: 60_000,
    description: `read the logs of ${s.app}${s.since === null ? '' : ` since ${sinceIso}`} (last ${s.maxLines} lines)`,
  };
}
