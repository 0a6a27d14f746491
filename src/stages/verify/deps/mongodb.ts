// MongoDB handshake with the official driver: one direct connection (TLS per the URL, then authentication), ping, close.
import type { DepEndpoint } from './discover.js';
import { closeQuietly, named, param, tlsTo, withDeadline, type Handshake, type Via } from './handshake.js';

/** Options that make the driver look past the one forwarded member (replica sets, SRV, load balancers) are dropped. */
const TOPOLOGY_PARAMS = new Set(['replicaset', 'directconnection', 'loadbalanced', 'srvservicename', 'srvmaxhosts']);

/** The URI the driver gets: the forward's address, the URL's database and options, no credentials (they go in `auth`). */
export function mongoUri(ep: DepEndpoint, via: Pick<Via, 'host' | 'port'>): string {
  const params = new URLSearchParams();
  for (const [k, v] of ep.params) if (!TOPOLOGY_PARAMS.has(k.toLowerCase())) params.append(k, v);
  if (ep.srv && !ep.params.has('tls') && !ep.params.has('ssl')) params.set('tls', 'true');
  const q = params.toString();
  return `mongodb://${via.host}:${via.port}/${ep.database !== null ? encodeURIComponent(ep.database) : ''}${q ? `?${q}` : ''}`;
}

export const mongodbHandshake: Handshake = async (ep: DepEndpoint, via: Via, timeoutMs: number) => {
  const MongoClient = named(await import('mongodb'), 'MongoClient');
  const lax = param(ep, 'tlsallowinvalidhostnames') === 'true' || param(ep, 'tlsinsecure') === 'true';
  const client = new MongoClient(mongoUri(ep, via), {
    directConnection: true,
    ...(ep.user !== null ? { auth: { username: ep.user, password: ep.password ?? '' } } : {}),
    ...(ep.tls && !lax ? tlsTo(via.target.host) : {}),
    serverSelectionTimeoutMS: timeoutMs,
    connectTimeoutMS: timeoutMs,
    socketTimeoutMS: timeoutMs,
    appName: 'deckhand-verify',
    monitorCommands: false,
  });
  try {
    await withDeadline((async () => {
      await client.connect();
      const r = await client.db(ep.database ?? 'admin').command({ ping: 1 });
      if (r.ok !== 1) throw new Error('ping did not answer ok');
    })(), timeoutMs + 1000, () => { void closeQuietly(() => client.close(true)); });
    return 'ping answered ok';
  } finally {
    await closeQuietly(() => client.close(true));
  }
};
