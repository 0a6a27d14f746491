// Pure builder for `deckhand ops resources`: one remote loop sampling RSS, fds, threads and CPU time of a service's processes.
import type { Command } from '../core/command.js';
import { COMPOSE_IDS, DOCKER, PM2_FILTER, PM2_LIST, PRIV } from './verify-probe.js';

/** What runs the service: a systemd unit, blue-green's systemd slots (<app>@<port>), a pm2 app, a container, a compose project. */
export type ResourceKind = 'systemd' | 'blue-green' | 'pm2' | 'docker' | 'compose';

export interface ResourceSampleSpec {
  app: string;
  kind: ResourceKind;
  /** Samples taken (at least 2: the first and the last bound the window). */
  samples: number;
  /** Seconds between samples. */
  intervalSec: number;
  pm2: string;
}

/**
 * Per process, read from /proc in one pass (as root through sudo when the user may, since another user's fd
 * table is private): `proc <pid> <VmRSS kB> <threads> <open fds> <fd soft limit> <utime+stime ticks> <comm>`.
 */
const READ_PROCS = [
  'for p; do',
  '  [ -r "/proc/$p/stat" ] || continue',
  '  cpu=$(awk \'{ s = $0; sub(/.*\\) /, "", s); split(s, f, " "); print f[12] + f[13] }\' "/proc/$p/stat" 2>/dev/null)',
  '  rss=$(awk \'/^VmRSS:/ { print $2 }\' "/proc/$p/status" 2>/dev/null); thr=$(awk \'/^Threads:/ { print $2 }\' "/proc/$p/status" 2>/dev/null)',
  '  fds=$(ls "/proc/$p/fd" 2>/dev/null | wc -l); [ -r "/proc/$p/fd" ] || fds=-',
  '  lim=$(awk \'/^Max open files/ { print $4 }\' "/proc/$p/limits" 2>/dev/null)',
  '  echo "proc $p ${rss:-0} ${thr:-0} $fds ${lim:--} ${cpu:-0} $(cat "/proc/$p/comm" 2>/dev/null)"',
  'done',
].join('\n');

/** The service's PIDs into $pids: the unit's cgroup, pm2's instances and their children, the containers' cgroups. */
const FIND_PIDS = [
  // The cgroup and the ones below it: a container's init may have moved its services into their own.
  'cgprocs() { for d in /sys/fs/cgroup/systemd /sys/fs/cgroup/unified /sys/fs/cgroup; do if [ -r "$d$1/cgroup.procs" ]; then find "$d$1" -name cgroup.procs -exec cat {} + 2>/dev/null; return; fi; done; }',
  'pidcg() { sed -n -e "s/^[0-9]*:name=systemd://p" -e "s/^0:://p" "/proc/$1/cgroup" 2>/dev/null | head -n 1; }',
  'children() { ps -e -o pid= -o ppid= 2>/dev/null | awk -v r=" $* " \'{ c[$2] = c[$2] " " $1 } END { n = split(r, q, " "); for (i = 1; i <= n; i++) { print q[i]; k = split(c[q[i]], s, " "); for (j = 1; j <= k; j++) q[++n] = s[j] } }\'; }',
  'findpids() {',
  '  pids=; units=; ids=',
  '  case "$kind" in',
  '    systemd) units="$app.service";;',
  '    blue-green) units=$(systemctl list-units --plain --no-legend --state=active "$app@*.service" 2>/dev/null | awk \'{ print $1 }\');;',
  '  esac',
  '  for u in $units; do cg=$(systemctl show -p ControlGroup --value "$u" 2>/dev/null); [ -n "$cg" ] && pids="$pids $(cgprocs "$cg" | tr "\\n" " ")"; done',
  '  [ -n "$units" ] && echo "units=$(echo $units)"',
  '  if [ "$kind" = pm2 ]; then',
  ...PM2_LIST.map((l) => `  ${l.replace('echo "$P";;', ':;;')}`),
  '    roots=$(printf "%s\\n" "$P" | awk -F "\\t" \'$1 == "pm2" && $6 > 0 { print $6 }\' | tr "\\n" " ")',
  '    printf "%s\\n" "$P" | grep -v "^pm2	" | sed "s/^/pm2note=/"',
  '    [ -n "$roots" ] && pids=$(children $roots | tr "\\n" " ")',
  '  fi',
  '  if [ "$kind" = docker ] && [ -n "$D" ]; then ids="$app"; fi',
  `  if [ "$kind" = compose ] && [ -n "$D" ]; then ${COMPOSE_IDS}; fi`,
  // A container's cgroup is the one named after its id: its init (systemd in a container) may sit in a child.
  '  if [ -n "$ids" ]; then for pc in $($to $D inspect -f "{{.State.Pid}}:{{.Id}}" $ids 2>/dev/null); do',
  '    cp=${pc%%:*}; cid=${pc#*:}; [ "$cp" -gt 0 ] 2>/dev/null || continue',
  '    cg=$(pidcg "$cp" | sed "s|\\(.*$cid[^/]*\\).*|\\1|"); if [ -n "$cg" ]; then pids="$pids $(cgprocs "$cg" | tr "\\n" " ")"; else pids="$pids $cp"; fi',
  '  done; fi',
  '}',
].join('\n');

/**
 * One round trip for the whole window: `samples` samples, `intervalSec` apart, each `@@sample <i> <uptime s>`
 * (the kernel's monotonic clock, so CPU time converts to a percentage) then one `proc` line per process.
 * The PIDs are looked up again at every sample, so a restart shows as new PIDs rather than vanished ones.
 */
export function resourceSamplesCommand(s: ResourceSampleSpec): Command {
  const samples = Math.max(2, Math.floor(s.samples));
  const step = Math.max(0.2, Math.round(s.intervalSec * 100) / 100);
  const kinds = s.kind === 'blue-green' ? 'systemd' : s.kind;
  const script = [
    'app="$1"; kind="$2"; n="$3"; step="$4"; pm2="$5"; pm2f="$6"; reader="$7"; kinds=" $8 "',
    ...PRIV,
    ...DOCKER,
    'echo "clk=$(getconf CLK_TCK 2>/dev/null || echo 100)"',
    'sleep 0.01 2>/dev/null || { step=${step%.*}; [ "${step:-0}" -ge 1 ] 2>/dev/null || step=1; }',
    FIND_PIDS,
    'i=0',
    'while [ "$i" -lt "$n" ]; do',
    '  echo "@@sample $i $(cut -d " " -f 1 /proc/uptime)"',
    '  findpids',
    '  set -- $(printf "%s\\n" $pids | sort -un)',
    '  echo "pids=$*"',
    '  [ "$#" -gt 0 ] && $S sh -c "$reader" deckhand-read-procs "$@"',
    '  i=$((i+1)); [ "$i" -lt "$n" ] && sleep "$step"',
    'done',
    'echo @@end',
  ].join('\n');
  return {
    argv: ['sh', '-c', script, 'deckhand-ops-resources', s.app, s.kind, String(samples), String(step), s.pm2, PM2_FILTER, READ_PROCS, kinds],
    mutates: false,
    timeoutMs: Math.ceil((samples - 1) * step * 1000) + 60_000 + 5_000 * samples,
    description: `sample RSS, open fds, threads and CPU of ${s.app} (${s.kind}) ${samples} times, ${step}s apart`,
  };
}
