// What every protocol handshake shares: where to connect, the deadline, and TLS that checks the real host name.
import { isIP } from 'node:net';
import { checkServerIdentity, type PeerCertificate } from 'node:tls';
import type { DepEndpoint, DepHost } from './discover.js';

/** The local end of the forward, and the endpoint host it leads to (certificates are issued to that name). */
export interface Via { host: string; port: number; target: DepHost }

/**
 * Connects through `via` with the library, runs a no-op, closes. Resolves with what the server said (a one-line
 * note); rejects with the library's own error, which the caller classifies.
 */
export type Handshake = (ep: DepEndpoint, via: Via, timeoutMs: number) => Promise<string>;

/**
 * TLS options for a connection whose socket goes to 127.0.0.1 (the forward) but whose certificate names the
 * endpoint host: SNI and the identity check use that host, so verification means what it would on the target.
 */
export function tlsTo(host: string): { servername?: string; checkServerIdentity: (h: string, cert: PeerCertificate) => Error | undefined } {
  return {
    ...(isIP(host) === 0 ? { servername: host } : {}),
    checkServerIdentity: (_h: string, cert: PeerCertificate) => checkServerIdentity(host, cert),
  };
}

/** A parameter by case-insensitive name, lower-cased. */
export function param(ep: DepEndpoint, name: string): string | null {
  for (const [k, v] of ep.params) if (k.toLowerCase() === name) return v.toLowerCase();
  return null;
}

/** Rejects with code DH_TIMEOUT when `work` has not settled in time, after running `abort` (close the client). */
export function withDeadline<T>(work: Promise<T>, ms: number, abort: () => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      try { abort(); } catch { /* best effort */ }
      reject(Object.assign(new Error(`no answer within ${ms / 1000} s`), { code: 'DH_TIMEOUT' }));
    }, ms);
  });
  // The loser must not surface as an unhandled rejection.
  work.catch(() => undefined);
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

/** Waits for a close to finish, but never long and never with an error: a dead connection may not close cleanly. */
export async function closeQuietly(close: () => Promise<unknown> | unknown, ms = 1000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      Promise.resolve().then(close).catch(() => undefined),
      new Promise((resolve) => { timer = setTimeout(resolve, ms); }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * One export of a CommonJS client library loaded with import(): Node offers it by name, but a bundle (dist/cli.js)
 * may offer only `default` (module.exports), so both are looked at.
 */
export function named<M extends object, K extends keyof M>(mod: M, key: K): NonNullable<M[K]> {
  const own = mod[key];
  if (own !== undefined && own !== null) return own;
  const viaDefault = (mod as { default?: Partial<M> }).default?.[key];
  if (viaDefault === undefined || viaDefault === null) throw new Error(`the client library has no export "${String(key)}"`);
  return viaDefault as NonNullable<M[K]>;
}
