// AMQP 0-9-1 (RabbitMQ) handshake with amqplib: connect (TLS for amqps://, then authentication and vhost), open and close a channel.
import type { DepEndpoint } from './discover.js';
import { closeQuietly, named, tlsTo, withDeadline, type Handshake, type Via } from './handshake.js';

export const amqpHandshake: Handshake = async (ep: DepEndpoint, via: Via, timeoutMs: number) => {
  const connect = named(await import('amqplib'), 'connect');
  const tls = ep.scheme === 'amqps';
  let conn: Awaited<ReturnType<typeof connect>> | null = null;
  try {
    await withDeadline((async () => {
      const c = await connect({
        protocol: tls ? 'amqps' : 'amqp',
        hostname: via.host,
        port: via.port,
        // No credentials in the URL means amqplib's guest/guest, as the app's own client would do.
        ...(ep.user !== null || ep.password !== null ? { username: ep.user ?? '', password: ep.password ?? '' } : {}),
        vhost: ep.database ?? '/',
        heartbeat: 0,
      }, { timeout: timeoutMs, ...(tls ? tlsTo(via.target.host) : {}) });
      conn = c;
      // A broker-side close later is emitted as 'error': it must not be an uncaught event.
      c.on('error', () => undefined);
      const ch = await c.createChannel();
      ch.on('error', () => undefined);
      await ch.close();
    })(), timeoutMs + 1000, () => { const c = conn as { close(): Promise<void> } | null; if (c) void closeQuietly(() => c.close()); });
    return 'a channel opened and closed';
  } finally {
    const c = conn as { close(): Promise<void> } | null;
    if (c) await closeQuietly(() => c.close());
  }
};
