// Which failures are worth retrying: the network and lock contention, never the app's own errors.
import type { ExecResult } from '../../exec/types.js';

const TRANSIENT = [
  /Connection (reset|closed|timed out)/i, /ECONNRESET|ETIMEDOUT|EAI_AGAIN|ENETUNREACH/, /broken pipe/i,
  /Could not get lock \/var\/lib\/dpkg/i, /Temporary failure in name resolution/i, /network timeout|socket hang up/i,
  /TLS handshake timeout|i\/o timeout/i, /kex_exchange_identification/i,
];

export function isTransient(r: ExecResult): boolean {
  if (r.timedOut) return false;
  if (r.exitCode === 255) return true;
  return TRANSIENT.some((re) => re.test(r.stderr) || re.test(r.stdout));
}

/** Backoff before retry n (1-based): 1 s, then 3 s. */
export function backoffMs(attempt: number): number {
  return attempt <= 1 ? 1000 : 3000;
}
