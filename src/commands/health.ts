// Pure builder for the post-start wait: the service stays up and its health path answers 2xx/3xx, from the target itself.
import type { Command } from '../core/command.js';

export interface WaitSpec {
  /** A shell test for "the process is up" (e.g. systemctl is-active), or '' for none. */
  aliveCheck: string;
  port: number | null;
  path: string | null;
  timeoutSec: number;
  /** Consecutive successes needed, so a service that answers once and then crashes is not taken as healthy. */
  successes: number;
}

/**
 * One remote loop instead of one round trip per poll. Prints `healthy after Ns` or the last failure.
 * HTTP is probed with curl, else wget, else a bare TCP connect with bash's /dev/tcp.
 */
export function waitHealthyCommand(w: WaitSpec): Command {
  const script = [
    'alive="$1"; port="$2"; path="$3"; limit="$4"; need="$5"; ok=0; i=0; last="not checked yet"',
    'probe() {',
    '  if [ -n "$alive" ] && ! sh -c "$alive" >/dev/null 2>&1; then last="process not running"; return 1; fi',
    '  [ -z "$port" ] && return 0',
    '  url="http://127.0.0.1:$port${path:-/}"',
    '  if command -v curl >/dev/null 2>&1; then code=$(curl -s -o /dev/null -m 3 -w "%{http_code}" "$url" 2>/dev/null); else code=""; fi',
    '  if [ -z "$code" ] && command -v wget >/dev/null 2>&1; then wget -q -T 3 -O /dev/null "$url" 2>/dev/null && code=200; fi',
    '  case "$code" in 2??|3??) return 0;; 000|"") last="no answer on $url";; *) last="HTTP $code from $url";; esac; return 1',
    '}',
    // Quarter-second polls (4 per second of the limit); a sleep without fractions falls back to whole seconds.
    'ticks=$((limit*4)); step=0.25; sleep 0.01 2>/dev/null || { ticks=$limit; step=1; }',
    'while [ "$i" -lt "$ticks" ]; do',
    '  if probe; then ok=$((ok+1)); [ "$ok" -ge "$need" ] && { echo "healthy after $i polls of ${step}s ($need consecutive checks)"; exit 0; }; else ok=0; fi',
    '  sleep $step; i=$((i+1))',
    'done',
    'echo "not healthy after ${limit}s: $last" >&2; exit 1',
  ].join('\n');
  return {
    argv: ['sh', '-c', script, 'deckhand-wait', w.aliveCheck, w.port === null ? '' : String(w.port), w.path ?? '', String(w.timeoutSec), String(w.successes)],
    mutates: false, timeoutMs: (w.timeoutSec + 15) * 1000,
    description: `wait until ${w.port === null ? 'the service is up' : `http://127.0.0.1:${w.port}${w.path ?? '/'} answers`} (${w.successes} in a row, up to ${w.timeoutSec}s)`,
  };
}
