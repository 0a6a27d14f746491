// Redis handshake with ioredis: connect (TLS for rediss://, then AUTH and SELECT), PING, quit.
import type { DepEndpoint } from './discover.js';
import { closeQuietly, named, param, tlsTo, withDeadline, type Handshake, type Via } from './handshake.js';

export const redisHandshake: Handshake = async (ep: DepEndpoint, via: Via, timeoutMs: number) => {
  const Redis = named(await import('ioredis'), 'Redis');
  const db = ep.database !== null && /^\d+$/.test(ep.database) ? Number(ep.database) : 0;
  const lax = ['none', 'optional'].includes(param(ep, 'ssl_cert_reqs') ?? '');
  let lastError: unknown = null;
  const client = new Redis({
    host: via.host,
    port: via.port,
    ...(ep.user !== null ? { username: ep.user } : {}),
    ...(ep.password !== null ? { password: ep.password } : {}),
    db,
    ...(ep.tls ? { tls: { ...tlsTo(via.target.host), rejectUnauthorized: !lax } } : {}),
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    // One attempt, no queueing, no reconnects: the first failure is the answer.
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    reconnectOnError: () => false,
    enableReadyCheck: false,
    connectionName: 'deckhand-verify',
  });
  // Errors are also emitted as events (auth failures among them); the last one explains a vague rejection.
  client.on('error', (e: unknown) => { lastError = e; });
  try {
    await withDeadline((async () => {
      try {
        await client.connect();
        const pong = await client.ping();
        if (pong !== 'PONG') throw new Error(`PING answered ${JSON.stringify(pong).slice(0, 40)}`);
      } catch (e) {
        // "Connection is closed." hides the reason the server gave (WRONGPASS, NOAUTH) when it was emitted first.
        throw lastError !== null && lastError !== e ? Object.assign(new Error((lastError as Error).message ?? String(lastError)), { cause: lastError, code: (lastError as { code?: unknown }).code }) : e;
      }
    })(), timeoutMs, () => client.disconnect());
    return 'PING answered PONG';
  } finally {
    await closeQuietly(async () => { if (client.status === 'ready' || client.status === 'connect') await client.quit(); else client.disconnect(); });
  }
};
