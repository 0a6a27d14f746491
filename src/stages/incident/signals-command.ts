// Pure builder of incident's extra read-only probe: kernel OOM lines, the unit's exit result, health through the app port and nginx, env keys and config of the rollback point.
import type { Command } from '../../core/command.js';

export interface SignalsProbeSpec {
  /** systemd unit name (the app), or '' when the app does not run under systemd. */
  unit: string;
  port: number | null;
  healthPath: string;
  /** Start of the window on the target's clock (epoch seconds). */
  sinceEpoch: number;
  envFile: string;
  /** The rollback point's record directory, or '' when there is none. */
  previousRecord: string;
  /** Managed files in force and their names in a release record. */
  managed: readonly { path: string; name: string }[];
  nginxDir: string;
}

/**
 * One `sh -s` script. Env files are reduced to their KEYS on the target (values never leave it); health is asked
 * with curl on the target itself, straight to the port and through every nginx site that proxies to it.
 */
export function signalsScript(): string {
  return [
    'unit=$1; port=$2; hpath=$3; since=$4; envf=$5; prev=$6; ngx=$7; shift 7',
    'to() { if command -v timeout >/dev/null 2>&1; then timeout "$@"; else shift; "$@"; fi; }',
    'keys() { sed -n "s/^[[:space:]]*\\(export[[:space:]]\\{1,\\}\\)\\{0,1\\}\\([A-Za-z_][A-Za-z0-9_]*\\)=.*/\\2/p" "$1" 2>/dev/null | sort -u; }',
    'echo "@@kernel"',
    '{ to 10 journalctl -k --since "@$since" -q --no-pager 2>/dev/null || to 10 dmesg 2>/dev/null; } | grep -iE "out of memory|oom-kill|oom_reaper|killed process" | tail -n 20',
    'echo "@@exit"',
    '[ -n "$unit" ] && to 10 systemctl show "$unit.service" -p Result,ExecMainCode,ExecMainStatus,NRestarts,ActiveState 2>/dev/null',
    'echo "@@health"',
    'hc() { c=$(to 8 curl -s -o /dev/null -m 5 -w "%{http_code}" "$1" 2>/dev/null); echo "$2 $1 ${c:-000} $?"; }',
    '[ -n "$port" ] && hc "http://127.0.0.1:$port$hpath" app',
    'if [ -n "$port" ]; then for f in "$ngx"/sites-enabled/* "$ngx"/conf.d/*.conf; do [ -f "$f" ] || continue;',
    '  grep -qE "proxy_pass[[:space:]]+https?://(127\\.0\\.0\\.1|localhost):$port([/;]|$)" "$f" || continue',
    // Plain-HTTP listeners only (an ssl one would not answer curl's http://): "listen 80;", "listen 127.0.0.1:8080 default_server;".
    '  grep -oE "(^|[[:space:]{;])listen[[:space:]]+([0-9.]+:)?[0-9]{1,5}[^;]*;" "$f" | grep -v ssl | head -n 1 | sed -E "s/.*listen[[:space:]]+([0-9.]+:)?([0-9]+).*/\\2/" | while read -r l; do hc "http://127.0.0.1:$l$hpath" "proxy $f"; done',
    'done; fi',
    'echo "@@envkeys current"; keys "$envf"',
    'if [ -n "$prev" ]; then echo "@@envkeys previous"; if [ -e "$prev/env" ]; then keys "$prev/env"; else echo "@@none"; fi; fi',
    'echo "@@config"',
    'while [ $# -gt 1 ]; do if [ -z "$prev" ]; then :; elif [ ! -e "$prev/$2" ] && [ ! -e "$1" ]; then :; elif cmp -s "$1" "$prev/$2"; then echo "same $1"; else echo "differs $1"; fi; shift 2; done',
    'echo "@@end"',
  ].join('\n');
}

export function signalsProbeCommand(s: SignalsProbeSpec): Command {
  return {
    argv: ['sh', '-s', '--', s.unit, s.port === null ? '' : String(s.port), s.healthPath, String(s.sinceEpoch), s.envFile, s.previousRecord, s.nginxDir,
      ...s.managed.flatMap((m) => [m.path, m.name])],
    stdin: `${signalsScript()}\n`, mutates: false, timeoutMs: 60_000, description: 'incident signals: kernel OOM, exit result, health, env keys, config changes',
  };
}
