// `--resolve HOST:PORT:ADDRESS` (curl's form): reach a domain at a given address while Host and SNI stay the domain.
import { isIP } from 'node:net';
import type { Via } from './http-client.js';

export interface ResolveOverride { host: string; port: number; address: string }

/** Parses HOST:PORT:ADDRESS (an IPv6 address may be bracketed); null when malformed. */
export function parseResolve(raw: string): ResolveOverride | null {
  const m = /^([A-Za-z0-9.-]+):(\d{1,5}):\[?([0-9A-Fa-f:.]+)\]?$/.exec(raw.trim());
  if (!m?.[1] || !m[2] || !m[3]) return null;
  const port = Number(m[2]);
  if (port < 1 || port > 65535 || isIP(m[3]) === 0) return null;
  return { host: m[1].toLowerCase(), port, address: m[3] };
}

/** The default port of a URL's scheme when it names none. */
function urlPort(u: URL): number {
  return Number(u.port || (u.protocol === 'https:' ? 443 : 80));
}

/** Where to connect for `url`: the override's address when host and port match, else null (normal resolution). */
export function connectAddress(url: string, r: ResolveOverride | null | undefined): { host: string; port: number } | null {
  if (!r) return null;
  const u = new URL(url);
  return u.hostname.toLowerCase() === r.host && urlPort(u) === r.port ? { host: r.address, port: r.port } : null;
}

/** The HTTP client's `via` for a URL under the override. */
export function resolveVia(url: string, r: ResolveOverride | null | undefined): Via | null {
  const at = connectAddress(url, r);
  return at ? { origin: new URL(url).origin, host: at.host, port: at.port } : null;
}
