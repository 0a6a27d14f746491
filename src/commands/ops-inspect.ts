// Pure builder of the `deckhand ops inspect` probe: service state, processes, disk, baseline, nginx certificates and logs in one round trip.
import type { Command } from '../core/command.js';

/**
 * How the app runs, as the deploy strategies name it; blue-green is read through its live systemd slot. `none`
 * (static sites, scripts) asks no manager: disk, baseline and certificates are still read.
 */
export type InspectKind = 'systemd' | 'pm2' | 'docker' | 'compose' | 'blue-green' | 'none';

export interface InspectProbeSpec {
  app: string;
  /** <base> on the target. */
  base: string;
  kind: InspectKind;
  /** The app's port from the ledger ('' when none): finds the nginx sites that proxy to it. */
  port: number | null;
  /** Log window in seconds, counted back from the target's own clock. */
  windowSec: number;
  /** Lines and bytes read per log source (the newest ones). */
  maxLines: number;
  maxBytes: number;
  /** Seconds between the two CPU samples of the service's processes. */
  cpuSampleSec: number;
  pm2: string;
  /** nginx's configuration directory: its sites-enabled/* and conf.d/*.conf are read. */
  nginxDir: string;
}

/**
 * pm2's process list reduced on the target to the app's instances, one tab-separated line each:
 * `pm2 <pm_id> <status> <restart_time> <pid> <pm_uptime ms> <max_memory_restart> <out log> <err log>`.
 * Reduced there because `pm2 jlist` carries every instance's environment (secrets included).
 */
export const INSPECT_PM2_FILTER = [
  "let d='';process.stdin.on('data',c=>d+=c).on('end',()=>{let a=null;",
  "for(const l of d.split('\\n').reverse()){if(!l.startsWith('['))continue;try{const v=JSON.parse(l);if(Array.isArray(v)){a=v;break}}catch(e){}}",
  "if(!a){console.log('pm2.error=unreadable jlist output');return}",
  "const m=a.filter(p=>p.name===process.argv[1]);if(m.length===0)console.log('pm2.none=1');",
  "for(const p of m){const e=p.pm2_env||{};console.log(['pm2',p.pm_id,e.status,e.restart_time,p.pid,e.pm_uptime,e.max_memory_restart||'',e.pm_out_log_path,e.pm_err_log_path].join('\\t'))}})",
].join('');

/** `docker inspect` of one container as one `|`-separated line (parsed by parseInspectContainer). */
export const INSPECT_CONTAINER_FORMAT = '{{.Name}}|{{.State.Status}}|{{.RestartCount}}|{{.State.Pid}}|{{.State.StartedAt}}|{{.HostConfig.Memory}}|{{.State.OOMKilled}}|'
  + '{{if .State.Health}}{{.State.Health.Status}}{{end}}|{{.Config.Image}}';

const SYSTEMD_PROPS = 'LoadState,ActiveState,SubState,NRestarts,MainPID,ActiveEnterTimestamp,MemoryMax,MemoryCurrent,ControlGroup,Result';

/**
 * The smallest finite memory limit on the cgroup path of a process and its ancestors: cgroup v2 memory.max,
 * v1 memory.limit_in_bytes. A parent's limit (a container's, a slice's) binds the process as much as its own.
 */
const MEMLIMIT_FN = [
  'memlim() { best=',
  '  while IFS=: read -r h c path; do',
  '    case "$c" in memory) dir=/sys/fs/cgroup/memory; f=memory.limit_in_bytes;; "") [ -r /sys/fs/cgroup/cgroup.controllers ] || continue; dir=/sys/fs/cgroup; f=memory.max;; *) continue;; esac',
  '    q=$path; while :; do v=$(cat "$dir$q/$f" 2>/dev/null); case "$v" in ""|max|*[!0-9]*) ;; *) if [ -z "$best" ] || [ "$v" -lt "$best" ]; then best=$v; fi;; esac',
  '      if [ -z "$q" ] || [ "$q" = / ]; then break; fi; q=${q%/*}; done',
  '  done < "/proc/$1/cgroup"; echo "$best"; }',
];

/** Per process: name, CPU ticks and start, RSS, threads, open fds (through sudo when another user owns it), their limit, the cgroup memory limit. */
const PROC_BLOCK = [
  'for p in $pids; do [ -d "/proc/$p" ] || continue',
  '  echo "@@pid $p"; echo "comm=$(cat "/proc/$p/comm" 2>/dev/null)"',
  "  echo \"ticks=$(sed 's/^.*) //' \"/proc/$p/stat\" 2>/dev/null | awk '{ print $12 + $13, $20 }')\"",
  "  awk '/^(VmRSS|Threads):/ { print $1 $2 }' \"/proc/$p/status\" 2>/dev/null | sed -e 's/^VmRSS:/rss_kb=/' -e 's/^Threads:/threads=/'",
  '  fl=$(ls -U "/proc/$p/fd" 2>/dev/null) || fl=$($S ls -U "/proc/$p/fd" 2>/dev/null) || fl=@unreadable',
  '  if [ "$fl" = @unreadable ]; then echo fds=; else echo "fds=$(printf "%s\\n" "$fl" | grep -c .)"; fi',
  "  echo \"fdlimit=$( { cat \"/proc/$p/limits\" 2>/dev/null || $S cat \"/proc/$p/limits\" 2>/dev/null; } | awk '/^Max open files/ { print $4 }')\"",
  '  echo "memlimit=$(memlim "$p")"',
  'done',
];

/** Bytes used by a path (KiB from du), as root when possible so unreadable release files still count. */
const DU_FN = 'du1() { r=$($to $S du -sk "$2" 2>/dev/null | cut -f1); echo "$1=$r"; }';

/**
 * One round trip. Sections: `@@meta` (privilege, clocks, host memory, `current`), `@@service` (the manager's
 * view), `@@pid N` per service process, `@@cpu` (second CPU sample), `@@disk`, `@@baseline` (the recorded
 * baseline), `@@site FILE` / `@@cert FILE` (nginx sites that name the app or proxy to its port, and their
 * certificates read with openssl), then `@@log kind name … @@rc N` per log source and `@@end`.
 */
export function inspectProbeCommand(s: InspectProbeSpec): Command {
  const script = [
    'app="$1"; base="$2"; kind="$3"; port="$4"; win="$5"; n="$6"; cap="$7"; step="$8"; pm2="$9"; shift 9; pm2f="$1"; cf="$2"; ngx="$3"',
    'uid=$(id -u); S=; if [ "$uid" = 0 ]; then priv=root; elif command -v sudo >/dev/null 2>&1 && sudo -n true >/dev/null 2>&1; then priv=sudo; S="sudo -n"; else priv=none; fi',
    'to=; command -v timeout >/dev/null 2>&1 && to="timeout 20"',
    'now=$(date +%s); since=$((now - win))',
    'echo @@meta; echo "priv=$priv"; echo "now=$now"; echo "since=$since"; echo "hz=$(getconf CLK_TCK 2>/dev/null)"',
    "echo \"btime=$(awk '/^btime/ { print $2 }' /proc/stat 2>/dev/null)\"; echo \"memtotal_kb=$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo 2>/dev/null)\"",
    'echo "current=$(readlink "$base/current" 2>/dev/null)"',
    'D=; case "$kind" in docker|compose)',
    '  if ! command -v docker >/dev/null 2>&1; then echo docker=missing',
    '  elif $to docker version --format "{{.Server.Version}}" >/dev/null 2>&1; then D=docker; echo docker=direct',
    '  elif [ -n "$S" ] && $to $S docker version --format "{{.Server.Version}}" >/dev/null 2>&1; then D="$S docker"; echo docker=sudo',
    '  else echo docker=unreachable; fi;;',
    'esac',
    'echo @@service; pids=; unit=',
    'case "$kind" in',
    'systemd|blue-green) unit="$app.service"',
    // blue-green: the live slot is the one nginx's upstream names.
    "  if [ \"$kind\" = blue-green ]; then sl=$(sed -n 's/^[[:space:]]*server 127\\.0\\.0\\.1:\\([0-9][0-9]*\\);.*/\\1/p' \"$ngx/conf.d/$app-upstream.conf\" 2>/dev/null | head -n 1); unit=\"$app@${sl:-none}.service\"; fi",
    '  echo "unit=$unit"',
    `  systemctl show "$unit" -p ${SYSTEMD_PROPS} 2>&1 | sed "s/^/systemd./"`,
    '  ts=$(systemctl show -p ActiveEnterTimestamp --value "$unit" 2>/dev/null); [ -n "$ts" ] && echo "systemd.since=$(date -d "$ts" +%s 2>/dev/null)"',
    '  cg=$(systemctl show -p ControlGroup --value "$unit" 2>/dev/null)',
    '  for d in /sys/fs/cgroup /sys/fs/cgroup/unified /sys/fs/cgroup/systemd; do if [ -n "$cg" ] && [ -r "$d$cg/cgroup.procs" ]; then pids=$(tr "\\n" " " < "$d$cg/cgroup.procs"); break; fi; done',
    '  if [ -z "$pids" ]; then pids=$(systemctl show -p MainPID --value "$unit" 2>/dev/null); [ "$pids" = 0 ] && pids=; fi;;',
    'pm2)',
    '  if ! command -v "$pm2" >/dev/null 2>&1; then echo pm2.missing=1',
    // No daemon for this user means no apps; asking `pm2 jlist` would start one as a side effect.
    '  elif ! kill -0 "$(cat "${PM2_HOME:-$HOME/.pm2}/pm2.pid" 2>/dev/null)" 2>/dev/null; then echo pm2.nodaemon=1',
    '  else o=$($to "$pm2" jlist 2>/dev/null | node -e "$pm2f" "$app" 2>&1) || o="pm2.error=pm2 jlist failed"; echo "$o"',
    "    pids=$(printf '%s\\n' \"$o\" | awk -F '\\t' '$1 == \"pm2\" && $5 > 0 { print $5 }' | tr '\\n' ' '); fi;;",
    'docker|compose)',
    '  if [ -n "$D" ]; then',
    '    if [ "$kind" = docker ]; then ids=$app; else ids=$($to $D ps -aq --filter "label=com.docker.compose.project=$app" --filter label=com.docker.compose.oneoff=False 2>/dev/null); fi',
    '    if [ -n "$ids" ]; then $to $D inspect -f "$cf" $ids 2>&1 | sed "s/^/docker /"',
    // A container's processes: every PID in the cgroup of its init process.
    '      for ip in $($to $D inspect -f "{{.State.Pid}}" $ids 2>/dev/null); do [ "$ip" -gt 0 ] 2>/dev/null || continue; cg=$(sed -n "s/^0:://p" "/proc/$ip/cgroup" 2>/dev/null)',
    '        cp=; for d in /sys/fs/cgroup /sys/fs/cgroup/unified; do [ -n "$cg" ] && [ -r "$d$cg/cgroup.procs" ] && { cp=$(tr "\\n" " " < "$d$cg/cgroup.procs"); break; }; done; pids="$pids ${cp:-$ip}"; done',
    '    else echo compose.none=1; fi',
    '  fi;;',
    'esac',
    ...MEMLIMIT_FN,
    "up1=$(cut -d' ' -f1 /proc/uptime 2>/dev/null)",
    ...PROC_BLOCK,
    'echo @@cpu; [ -n "$pids" ] && sleep "$step"; echo "uptime=$up1 $(cut -d\' \' -f1 /proc/uptime 2>/dev/null)"',
    "for p in $pids; do echo \"ticks $p $(sed 's/^.*) //' \"/proc/$p/stat\" 2>/dev/null | awk '{ print $12 + $13 }')\"; done",
    'echo @@disk',
    DU_FN,
    'du1 base_kb "$base"; du1 releases_kb "$base/releases"; du1 logs_kb "$base/shared/logs"',
    "echo \"df=$(df -Pk \"$base\" 2>/dev/null | awk 'NR == 2 { print $2, $3, $4, $5, $6 }')\"",
    'case "$kind" in docker|compose) if [ -n "$D" ]; then',
    "  $to $D image ls --format '{{.Repository}}:{{.Tag}}|{{.ID}}|{{.Size}}' \"$app\" 2>/dev/null | sed 's/^/image /'",
    "  if [ \"$kind\" = docker ]; then f=\"name=^/$app\\$\"; else f=\"label=com.docker.compose.project=$app\"; fi; $to $D ps -a -s --filter \"$f\" --format '{{.Names}}|{{.Image}}|{{.Size}}' 2>/dev/null | sed 's/^/container /'",
    'fi;; esac',
    'echo @@baseline; cat "$base/.deckhand/baseline.json" 2>/dev/null || $S cat "$base/.deckhand/baseline.json" 2>/dev/null; echo',
    // nginx sites that name the app or proxy to its port, and every certificate they reference.
    'certs=; for f in "$ngx"/sites-enabled/* "$ngx"/conf.d/*.conf; do [ -f "$f" ] || continue',
    '  if grep -q -F -e "$app" "$f" 2>/dev/null || { [ -n "$port" ] && grep -q -E ":$port([^0-9]|\\$)" "$f" 2>/dev/null; }; then',
    '    echo "@@site $f"; head -c 65536 "$f"; echo',
    "    certs=\"$certs $(sed -n 's/^[[:space:]]*ssl_certificate[[:space:]]\\{1,\\}\\([^;[:space:]]*\\).*/\\1/p' \"$f\" | tr -d \"'\\\"\" | tr '\\n' ' ')\"",
    '  fi',
    'done',
    'for c in $(printf "%s\\n" $certs | sort -u); do echo "@@cert $c"',
    // Through sudo only when this user cannot read the file (private key directories are root's).
    '  r=; [ -r "$c" ] || r=$S; $to $r openssl x509 -in "$c" -noout -subject -issuer -enddate -fingerprint -sha256 -nameopt RFC2253 2>&1; echo "rc=$?"',
    'done',
    // Logs last: each source is `@@log kind name`, its newest lines in the window, `@@rc N` (verify's log format).
    'case "$kind" in',
    'systemd|blue-green) echo "@@log journal $unit"; { $S journalctl -u "$unit" --since "@$since" --no-pager -q -o short-iso -n "$n" 2>&1; echo "@@rc $?"; } | tail -c "$cap";;',
    'pm2) for f in "$base/shared/logs/$app.out.log" "$base/shared/logs/$app.err.log"; do echo "@@log file $f"; { if [ -r "$f" ]; then tail -n "$n" "$f"; else $S tail -n "$n" "$f" 2>&1; fi; echo "@@rc $?"; } | tail -c "$cap"; done;;',
    'docker|compose) if [ -n "$D" ]; then for id in $ids; do nm=$($to $D inspect -f "{{.Name}}" "$id" 2>/dev/null); echo "@@log container ${nm#/}"',
    '  { $to $D logs --since "${win}s" --timestamps --tail "$n" "$id" 2>&1; echo "@@rc $?"; } | tail -c "$cap"; done; fi;;',
    'esac',
    'echo @@end',
  ].join('\n');
  return {
    argv: ['sh', '-c', script, 'deckhand-ops-inspect', s.app, s.base, s.kind, s.port === null ? '' : String(s.port), String(Math.max(1, Math.floor(s.windowSec))),
      String(s.maxLines), String(s.maxBytes), String(s.cpuSampleSec), s.pm2, INSPECT_PM2_FILTER, INSPECT_CONTAINER_FORMAT, s.nginxDir],
    mutates: false,
    timeoutMs: 120_000,
    description: `inspect ${s.app} (${s.kind}): service, processes, disk, certificates, logs of the last ${s.windowSec}s`,
  };
}
