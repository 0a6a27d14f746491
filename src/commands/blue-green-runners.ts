// What runs a blue-green slot (systemd template unit, pm2 app or container): the shell functions the slot scripts share, chosen at run time.
import { shQuote } from '../core/command.js';

/** What runs the two slots. */
export type SlotRunner = 'systemd' | 'pm2' | 'docker';
export const SLOT_RUNNERS: readonly SlotRunner[] = ['systemd', 'pm2', 'docker'];

/** The name the runner knows a slot by: `<app>@<port>.service`, or `<app>-<port>` for a pm2 app or a container. */
export function slotName(app: string, runner: SlotRunner, port: number): string {
  return runner === 'systemd' ? `${app}@${port}.service` : `${app}-${port}`;
}

/**
 * The ports of the app's pm2 slots (`<app>-<port>`, any status), one per line, from `pm2 jlist` on stdin. pm2 may
 * print notices before the JSON, so the last line that parses as an array is used.
 */
export const PM2_SLOTS_JS = [
  "let d='';process.stdin.on('data',c=>d+=c).on('end',()=>{const pre=process.argv[1]+'-';",
  "for(const l of d.split('\\n').reverse()){if(!l.startsWith('['))continue;let a;try{a=JSON.parse(l)}catch(e){continue}if(!Array.isArray(a))continue;",
  'for(const p of a){const n=String(p.name);if(n.startsWith(pre)&&/^[0-9]+$/.test(n.slice(pre.length)))console.log(n.slice(pre.length))}return}})',
].join('');

/** Shell test per runner that the slot whose port the shell expression `p` gives is up (docker: running, and healthy when it has a HEALTHCHECK). */
const LIVE: Record<SlotRunner, (p: string) => string> = {
  systemd: (p) => `systemctl is-active --quiet "$app@${p}.service"`,
  // The slot's pid file (slotPidFile, as pm2 names it) exists while the process runs: reading it costs no pm2 CLI
  // start (~0.5 s), which matters in a loop polled 4 times a second.
  pm2: (p) => `( for f in "$base/.deckhand/pids/slot-${p}.pm2"-[0-9]*.pid; do [ -f "$f" ] && kill -0 "$(cat "$f")" 2>/dev/null && exit 0; done; exit 1 )`,
  docker: (p) => `s=$($D inspect -f '{{.State.Running}}/{{if .State.Health}}{{.State.Health.Status}}{{end}}' "$app-${p}" 2>/dev/null) && { [ "$s" = true/ ] || [ "$s" = true/healthy ]; }`,
};

/** True when the user's pm2 daemon runs: asking pm2 anything otherwise would start one as a side effect. */
const PM2_UP = 'pm2_up() { kill -0 "$(cat "${PM2_HOME:-$HOME/.pm2}/pm2.pid" 2>/dev/null)" 2>/dev/null; }';

/**
 * Starts a container for slot `$3` from the image of the release its link names. It runs as a user who can
 * reach the daemon (root through `sudo -n` when needed): the env file is sourced by sh (deckhand writes it
 * sh-quoted; docker's own --env-file would keep the quotes in the values) and each name goes as `-e NAME`, which
 * keeps values out of argv. Every argument is in "$@" before the file is sourced, so its names cannot clobber
 * them; PORT is the container port, never the file's.
 */
export const DOCKER_SLOT_RUN = [
  'set -e; app="$1"; base="$2"; p="$3"; cport="$4"',
  'rel=$(readlink "$base/slots/$p" || true); rel=${rel%/}; rel=${rel##*/}',
  '[ -n "$rel" ] || { echo "$base/slots/$p points at no release" >&2; exit 2; }',
  'image="$app:$rel"',
  'if ! docker image inspect "$image" >/dev/null 2>&1; then echo "image $image is missing (removed by hand?): deploy that commit again" >&2; exit 3; fi',
  'docker rm -f "$app-$p" >/dev/null 2>&1 || true',
  'set -- run -d --name "$app-$p" --restart unless-stopped --label "deckhand.app=$app" --label "deckhand.slot=$p" --label "deckhand.release=$rel" -p "127.0.0.1:$p:$cport"',
  'env="$base/shared/.env"; _dh_docker=$(command -v docker)',
  'if [ -f "$env" ]; then for n in $(sed -n "s/^\\([A-Za-z_][A-Za-z0-9_]*\\)=.*/\\1/p" "$env"); do [ "$n" = PORT ] || set -- "$@" -e "$n"; done; fi',
  'set -- "$@" -e "PORT=$cport" "$image"',
  'if [ -f "$env" ]; then set -a; . "$env"; set +a; fi',
  'exec "$_dh_docker" "$@"',
].join('\n');

/**
 * The slot functions, for a shell where `app`, `base`, `runner`, `D` (the docker CLI, maybe `sudo -n docker`),
 * `pm2` (its binary), `R` (`sudo -n` for root work, or empty), `cport` (the container port, docker), `pm2s`
 * (PM2_SLOTS_JS) and `dstart` (DOCKER_SLOT_RUN) are set:
 *   slot_start P     (re)start slot P from the release its link `<base>/slots/P` names
 *   slot_stop P [S]  stop and remove slot P (S seconds of grace); true when it no longer runs
 *   slot_live P      slot P is up
 *   slot_list        the ports of every slot the runner knows of for the app, any state
 *   slot_keep P      make slot P survive a reboot (systemd: enable; pm2: save the process list; docker: its restart policy)
 *   slot_logs P      its last lines, for a failure message
 * pm2 runs as the connecting user (its process list is per user); systemd and nginx work goes through `$R`.
 */
export const SLOT_FNS = [
  // The container starts as a whole under sudo when docker needs it: `-e NAME` takes values from its environment.
  'case "$D" in sudo*) DS="sudo -n";; *) DS=;; esac',
  PM2_UP,
  'slot_name() { if [ "$runner" = systemd ]; then echo "$app@$1.service"; else echo "$app-$1"; fi; }',
  `slot_live() { case "$runner" in systemd) ${LIVE.systemd('$1')};; pm2) ${LIVE.pm2('$1')};; docker) ${LIVE.docker('$1')};; esac; }`,
  'slot_start() {',
  '  case "$runner" in',
  '    systemd) $R systemctl reset-failed "$app@$1.service" 2>/dev/null || true; $R systemctl restart "$app@$1.service";;',
  '    pm2) "$pm2" delete "$app-$1" >/dev/null 2>&1 || true; mkdir -p "$base/.deckhand/pids"; "$pm2" start "$base/.deckhand/ecosystem.slot-$1.config.cjs" >/dev/null;;',
  '    docker) $DS sh -c "$dstart" deckhand-slot-container "$app" "$base" "$1" "${cport:-$1}" >/dev/null;;',
  '  esac',
  '}',
  'slot_stop() {',
  '  case "$runner" in',
  '    systemd) $R systemctl stop "$app@$1.service" 2>/dev/null; $R systemctl disable --quiet "$app@$1.service" 2>/dev/null;;',
  '    pm2) pm2_up && "$pm2" delete "$app-$1" >/dev/null 2>&1;;',
  '    docker) $D stop -t "${2:-10}" "$app-$1" >/dev/null 2>&1; $D rm -f "$app-$1" >/dev/null 2>&1;;',
  '  esac',
  '  ! slot_live "$1"',
  '}',
  'slot_list() {',
  '  case "$runner" in',
  '    systemd) for u in $(systemctl list-units --all --plain --no-legend "$app@*.service" 2>/dev/null | awk \'{print $1}\'); do u=${u#"$app"@}; echo "${u%.service}"; done;;',
  '    pm2) pm2_up && "$pm2" jlist 2>/dev/null | node -e "$pm2s" "$app";;',
  '    docker) $D ps -a --filter "label=deckhand.app=$app" --filter label=deckhand.slot --format \'{{.Label "deckhand.slot"}}\' 2>/dev/null;;',
  '  esac',
  '  return 0',
  '}',
  'slot_keep() {',
  '  case "$runner" in',
  '    systemd) $R systemctl enable --quiet "$app@$1.service"; echo "enabled at boot";;',
  '    pm2) "$pm2" save --force >/dev/null; echo "saved in the pm2 process list";;',
  '    docker) echo "restarted by docker unless stopped";;',
  '  esac',
  '}',
  // Best effort (callers run under set -e): a log that cannot be read must not hide the failure it explains.
  'slot_logs() {',
  '  case "$runner" in',
  '    systemd) $R journalctl -u "$app@$1.service" -n 5 --no-pager -o cat 2>/dev/null || true;;',
  '    pm2) tail -n 5 "$base/shared/logs/$app-$1.err.log" "$base/shared/logs/$app-$1.out.log" 2>/dev/null || true;;',
  '    docker) $D logs --tail 5 "$app-$1" 2>&1 || true;;',
  '  esac',
  '}',
].join('\n');

/** Shell expression: the port the upstream file names (the slot nginx sends traffic to). */
function upstreamPort(upstream: string): string {
  return `$(sed -n 's/^[[:space:]]*server 127\\.0\\.0\\.1:\\([0-9][0-9]*\\);.*/\\1/p' ${shQuote(upstream)} | head -n 1)`;
}

/**
 * Shell test, run as the connecting user, that the slot nginx sends traffic to is up. Self-contained (it runs
 * through `sh -c`): the runner is the plan's, the active port comes from the upstream file.
 */
export function activeSlotLiveCheck(a: { app: string; base: string; runner: SlotRunner; upstream: string; docker: string }): string {
  if (a.runner === 'systemd') return `systemctl is-active --quiet "${a.app}@${upstreamPort(a.upstream)}.service"`;
  const vars = a.runner === 'pm2' ? `base=${shQuote(a.base)}` : `app=${shQuote(a.app)}; D=${shQuote(a.docker)}`;
  return `${vars}; p=${upstreamPort(a.upstream)}; [ -n "$p" ] && ${LIVE[a.runner]('$p')}`;
}

/** The exact command to follow the logs: every slot's (systemd, pm2), or the active container's. */
export function slotLogsCommand(a: { app: string; runner: SlotRunner; upstream: string; docker: string; pm2: string }): string {
  switch (a.runner) {
    case 'systemd': return `journalctl -u '${a.app}@*' -f`;
    case 'pm2': return `${a.pm2} logs '/^${a.app}-[0-9]+$/'`;
    default: return `${a.docker} logs -f ${a.app}-${upstreamPort(a.upstream)}`;
  }
}
