// Target syntax: `local`, `user@host`, `user@host:port`, `ssh://user@host:port`, or an ~/.ssh/config alias.
import { usageError } from './errors.js';

export type HostRef =
  | { kind: 'local'; display: 'local' }
  | { kind: 'ssh'; display: string; host: string; user?: string; port?: number };

// Host names, IPv4, bracketed IPv6 inner text, and ssh_config aliases: no shell metacharacters.
const HOST_RE = /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$/;
const IPV6_RE = /^[0-9A-Fa-f:.]+(?:%[A-Za-z0-9]+)?$/;
const USER_RE = /^[A-Za-z_][A-Za-z0-9._-]*\$?$/;

function badTarget(input: string, why: string): Error {
  return usageError(
    `unknown target syntax "${input}": ${why}`,
    'use local, user@host, user@host:port, ssh://user@host:port, or a Host alias from ~/.ssh/config',
  );
}

function parsePort(input: string, raw: string): number {
  if (!/^\d{1,5}$/.test(raw)) throw badTarget(input, `port "${raw}" is not a number`);
  const port = Number(raw);
  if (port < 1 || port > 65535) throw badTarget(input, `port ${port} is outside 1-65535`);
  return port;
}

function build(input: string, user: string | undefined, hostPart: string, portRaw: string | undefined): HostRef {
  let host = hostPart;
  if (host.startsWith('[') && host.endsWith(']')) {
    host = host.slice(1, -1);
    if (!IPV6_RE.test(host)) throw badTarget(input, `"${host}" is not an IPv6 address`);
  } else if (!HOST_RE.test(host)) {
    throw badTarget(input, `"${host}" is not a valid host name`);
  }
  if (user !== undefined && !USER_RE.test(user)) throw badTarget(input, `"${user}" is not a valid user name`);
  const port = portRaw === undefined ? undefined : parsePort(input, portRaw);
  const display = `${user ? `${user}@` : ''}${hostPart}${port ? `:${port}` : ''}`;
  const ref: HostRef = { kind: 'ssh', display, host };
  if (user !== undefined) ref.user = user;
  if (port !== undefined) ref.port = port;
  return ref;
}

/** Parses a target string. Throws a usage error (exit 2) for anything it cannot read unambiguously. */
export function parseTarget(input: string | undefined): HostRef {
  const raw = (input ?? 'local').trim();
  if (raw === '' || raw === 'local' || raw === 'localhost-local') return { kind: 'local', display: 'local' };
  if (raw.startsWith('ssh://')) {
    const rest = raw.slice('ssh://'.length).replace(/\/$/, '');
    const m = /^(?:([^@/]+)@)?(\[[^\]]+\]|[^:/]+)(?::([^/]*))?$/.exec(rest);
    if (!m) throw badTarget(raw, 'expected ssh://user@host:port');
    return build(raw, m[1], m[2] ?? '', m[3]);
  }
  if (/^[a-z]+:\/\//i.test(raw)) throw badTarget(raw, 'only ssh:// URLs are targets');
  const m = /^(?:([^@]+)@)?(\[[^\]]+\]|[^:@]+)(?::(.*))?$/.exec(raw);
  if (!m) throw badTarget(raw, 'expected user@host or user@host:port');
  return build(raw, m[1], m[2] ?? '', m[3]);
}
