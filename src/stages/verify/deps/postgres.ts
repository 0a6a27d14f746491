// PostgreSQL handshake with node-postgres: connect (TLS per sslmode, then authentication), SELECT 1, close.
import type { ConnectionOptions } from 'node:tls';
import type { DepEndpoint } from './discover.js';
import { closeQuietly, named, param, tlsTo, withDeadline, type Handshake, type Via } from './handshake.js';

/** libpq's sslmode in node-postgres terms; `prefer` and `allow` try plain first here, as nothing can fall back. */
export function pgSsl(ep: DepEndpoint, host: string): false | ConnectionOptions {
  const mode = param(ep, 'sslmode') ?? (ep.tls ? 'verify-full' : 'disable');
  switch (mode) {
    case 'disable': case 'allow': case 'prefer': return false;
    case 'require': case 'no-verify': return { rejectUnauthorized: false };
    // verify-ca checks the chain but not the name.
    case 'verify-ca': return { rejectUnauthorized: true, checkServerIdentity: () => undefined };
    default: return { rejectUnauthorized: true, ...tlsTo(host) };
  }
}

export const postgresHandshake: Handshake = async (ep: DepEndpoint, via: Via, timeoutMs: number) => {
  const Client = named(await import('pg'), 'Client');
  const client = new Client({
    host: via.host,
    port: via.port,
    // Everything explicit: node-postgres would otherwise fill gaps from this machine's PG* variables and ~/.pgpass.
    ...(ep.user !== null ? { user: ep.user } : {}),
    database: ep.database ?? ep.user ?? 'postgres',
    password: async () => {
      if (ep.password === null) throw Object.assign(new Error('the server asks for a password and the URL has none'), { code: 'DH_NO_PASSWORD' });
      return ep.password;
    },
    ssl: pgSsl(ep, via.target.host),
    connectionTimeoutMillis: timeoutMs,
    query_timeout: timeoutMs,
    application_name: 'deckhand-verify',
  });
  // A server closing the session later must not become an uncaught 'error' event.
  client.on('error', () => undefined);
  try {
    await withDeadline((async () => {
      await client.connect();
      const r = await client.query<{ ok: number }>('SELECT 1 AS ok');
      if (r.rows[0]?.ok !== 1) throw new Error('SELECT 1 did not return 1');
    })(), timeoutMs, () => { void closeQuietly(() => client.end()); });
    return 'SELECT 1 answered';
  } finally {
    await closeQuietly(() => client.end());
  }
};
