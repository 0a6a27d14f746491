// MySQL / MariaDB handshake with mysql2: connect (TLS per ssl-mode, then authentication), SELECT 1, close.
import { connect as netConnect } from 'node:net';
import type { DepEndpoint } from './discover.js';
import { closeQuietly, named, param, withDeadline, type Handshake, type Via } from './handshake.js';

export interface MysqlSsl { rejectUnauthorized: boolean; verifyIdentity?: boolean }

/** ssl-mode (MySQL's names; `ssl=true` and Prisma's sslaccept too) in mysql2 terms. PREFERRED cannot fall back here: plain. */
export function mysqlSsl(ep: DepEndpoint): false | MysqlSsl {
  if (!ep.tls) return false;
  const mode = (param(ep, 'ssl-mode') ?? param(ep, 'sslmode') ?? '').replace(/-/g, '_');
  const lax = param(ep, 'sslaccept') === 'accept_invalid_certs';
  if (mode === 'required' || mode === 'require' || lax) return { rejectUnauthorized: false };
  if (mode === 'verify_identity' || mode === 'verify_full') return { rejectUnauthorized: true, verifyIdentity: true };
  return { rejectUnauthorized: true };
}

export const mysqlHandshake: Handshake = async (ep: DepEndpoint, via: Via, timeoutMs: number) => {
  const createConnection = named(await import('mysql2/promise'), 'createConnection');
  // host/port stay the endpoint's (TLS server name and identity check use them); the bytes go through the forward.
  const conn = createConnection({
    host: via.target.host,
    port: via.target.port,
    stream: () => netConnect(via.port, via.host),
    user: ep.user ?? '',
    password: ep.password ?? '',
    ...(ep.database !== null ? { database: ep.database } : {}),
    ssl: mysqlSsl(ep) || undefined,
    connectTimeout: timeoutMs,
  });
  conn.catch(() => undefined);
  let closer: (() => Promise<void>) | null = null;
  try {
    await withDeadline((async () => {
      const c = await conn;
      closer = () => c.end();
      // A server-side close later is re-emitted as 'error': it must not be an uncaught event.
      c.on('error', () => undefined);
      const [rows] = await c.query('SELECT 1 AS ok');
      if (!Array.isArray(rows) || (rows[0] as { ok?: unknown } | undefined)?.ok !== 1) throw new Error('SELECT 1 did not return 1');
    })(), timeoutMs, () => { if (closer) void closeQuietly(closer); else void conn.then((c) => c.destroy(), () => undefined); });
    return 'SELECT 1 answered';
  } finally {
    if (closer) await closeQuietly(closer);
    else await conn.then((c) => c.destroy(), () => undefined);
  }
};
