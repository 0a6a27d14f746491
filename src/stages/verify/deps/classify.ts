// Sorts a client library's connection error into what an operator acts on: auth, reachability, DNS, TLS, or unknown.

export type DepVerdict = 'ok' | 'auth' | 'unreachable' | 'dns' | 'tls' | 'unknown';

export interface Classified {
  verdict: Exclude<DepVerdict, 'ok'>;
  /** The library's or the system's error code (28P01, ER_ACCESS_DENIED_ERROR, ECONNREFUSED, WRONGPASS, …). */
  code: string | null;
  /** The innermost useful message (unmasked: the caller masks it). */
  message: string;
  /**
   * The connection was closed before the server said anything. Through an SSH forward this is how a refused or
   * unreachable destination looks (the local end accepts, then the channel fails), so it needs the target's word.
   */
  closedEarly: boolean;
}

interface Part { code: string | null; message: string }

/** The error and everything nested in it: `cause`, AggregateError `errors`, the MongoDB topology's server errors. */
function parts(err: unknown, depth = 0, seen = new Set<unknown>()): Part[] {
  if (err === null || err === undefined || depth > 5 || seen.has(err)) return [];
  seen.add(err);
  if (typeof err !== 'object') return [{ code: null, message: String(err) }];
  const e = err as Record<string, unknown>;
  const code = typeof e.code === 'string' ? e.code
    : typeof e.codeName === 'string' ? e.codeName
      : typeof e.code === 'number' ? String(e.code) : null;
  const own: Part = { code, message: typeof e.message === 'string' ? e.message : '' };
  const nested: unknown[] = [e.cause];
  if (Array.isArray(e.errors)) nested.push(...(e.errors as unknown[]));
  const reason = e.reason as { servers?: Map<string, { error?: unknown }> } | undefined;
  if (reason?.servers instanceof Map) for (const s of reason.servers.values()) nested.push(s.error);
  return [own, ...nested.flatMap((n) => parts(n, depth + 1, seen))];
}

const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME', 'EAI_FAIL']);
const NET_CODES = new Set(['ECONNREFUSED', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ECONNRESET', 'EPIPE', 'ECONNABORTED', 'DH_TIMEOUT', 'PROTOCOL_CONNECTION_LOST', 'ETIMEOUT']);
const TLS_CODES = /^(ERR_TLS_|ERR_SSL_|CERT_|DEPTH_ZERO_SELF_SIGNED_CERT$|SELF_SIGNED_CERT_IN_CHAIN$|UNABLE_TO_(VERIFY_LEAF_SIGNATURE|GET_ISSUER_CERT|GET_ISSUER_CERT_LOCALLY)$|HOSTNAME_MISMATCH$|EPROTO$|HANDSHAKE_SSL_ERROR$|HANDSHAKE_NO_SSL_SUPPORT$)/;
/** PostgreSQL SQLSTATEs of a refused login: bad password, no pg_hba entry / role, missing database, no privilege. */
const PG_AUTH = new Set(['28P01', '28000', '3D000', '42501']);
const MYSQL_AUTH = new Set(['DH_NO_PASSWORD', 'ER_ACCESS_DENIED_ERROR', 'ER_DBACCESS_DENIED_ERROR', 'ER_BAD_DB_ERROR', 'ER_NOT_SUPPORTED_AUTH_MODE', 'ER_ACCESS_DENIED_NO_PASSWORD_ERROR', 'ER_PASSWORD_NO_MATCH', 'ER_HOST_NOT_PRIVILEGED']);
/** MongoDB server codes: 18 AuthenticationFailed, 13 Unauthorized. */
const MONGO_AUTH = new Set(['AuthenticationFailed', 'Unauthorized', '18', '13']);
const AUTH_TEXT = /\b(WRONGPASS|NOAUTH|invalid password|invalid username-password|authentication failed|password authentication|Access denied for user|ACCESS[-_]REFUSED|NOT[-_]ALLOWED|auth(?:entication)? required|requires a password|ERR AUTH|no password is set|not authorized)/i;
const TLS_TEXT = /\b(does not support SSL|SSL|TLS|certificate|self[- ]signed|wrong version number|handshake failure)/i;
const CLOSED_TEXT = /(Connection terminated unexpectedly|Connection is closed|Socket closed abruptly|socket hang up|connection .*closed|closed before|server closed the connection|Connection lost|Unexpected end|ECONNRESET)/i;
const TIMEOUT_TEXT = /(\btimed? ?out\b|\btimeout\b|ETIMEDOUT)/i;

/** The first part whose code or text says what happened; codes beat text, auth beats network (the server answered). */
export function classifyDepError(err: unknown): Classified {
  const ps = parts(err);
  const first = ps.find((p) => p.message !== '') ?? ps[0] ?? { code: null, message: String(err) };
  const out = (verdict: Classified['verdict'], p: Part, closedEarly = false): Classified => ({ verdict, code: p.code, message: p.message || first.message, closedEarly });
  for (const p of ps) {
    if (p.code !== null && (PG_AUTH.has(p.code) || MYSQL_AUTH.has(p.code) || MONGO_AUTH.has(p.code))) return out('auth', p);
  }
  for (const p of ps) {
    if (p.code !== null && DNS_CODES.has(p.code)) return out('dns', p);
    if (p.code !== null && TLS_CODES.test(p.code)) return out('tls', p);
  }
  for (const p of ps) {
    if (AUTH_TEXT.test(p.message)) return out('auth', { code: p.code ?? /^([A-Z][A-Z_-]{3,})\b/.exec(p.message)?.[1] ?? null, message: p.message });
  }
  for (const p of ps) {
    if (p.code !== null && NET_CODES.has(p.code)) return out('unreachable', p, p.code === 'ECONNRESET' || p.code === 'PROTOCOL_CONNECTION_LOST' || p.code === 'EPIPE');
  }
  for (const p of ps) {
    if (TLS_TEXT.test(p.message) && !CLOSED_TEXT.test(p.message)) return out('tls', p);
  }
  for (const p of ps) {
    if (CLOSED_TEXT.test(p.message)) return out('unreachable', p, true);
    if (TIMEOUT_TEXT.test(p.message)) return out('unreachable', { code: p.code ?? 'ETIMEDOUT', message: p.message });
  }
  return out('unknown', first);
}
