// Finds the app's dependency endpoints (databases, caches, brokers) in its env file's text, credentials kept apart for masking.
import { parseDotenv } from '../../deploy/secrets.js';

export type DepProtocol = 'postgres' | 'mysql' | 'redis' | 'mongodb' | 'amqp';

export interface DepHost { host: string; port: number }

/** One dependency as the app would connect to it. Values stay in memory: only `display` is ever shown. */
export interface DepEndpoint {
  /** The env variables it came from (several when they name the same endpoint), e.g. ["DATABASE_URL"] or ["PGHOST", …]. */
  keys: string[];
  protocol: DepProtocol;
  /** The scheme as written (postgresql, rediss, mongodb+srv, …). */
  scheme: string;
  /** At least one; several for a MongoDB seed list. */
  hosts: DepHost[];
  user: string | null;
  password: string | null;
  /** Path part, decoded: the database, the Redis db index, or the AMQP vhost; null when absent. */
  database: string | null;
  /** Query parameters (sslmode, authSource, …), as written. */
  params: URLSearchParams;
  /** TLS asked for by the scheme or the parameters. */
  tls: boolean;
  /** mongodb+srv: the hosts come from an SRV record. */
  srv: boolean;
  /** scheme://user:***@host:port/db — never the password. */
  display: string;
}

/** A dependency-looking variable deckhand cannot handshake with, and why (unparseable, a file database, a socket). */
export interface DepNote { key: string; reason: string; status: 'skipped' | 'unknown'; display: string }

export interface DiscoveredDeps {
  endpoints: DepEndpoint[];
  notes: DepNote[];
  /** Every password (raw and percent-decoded) to register with the redactor before anything is shown. */
  secrets: string[];
}

const SCHEMES: Readonly<Record<string, { protocol: DepProtocol; port: number; tls: boolean }>> = {
  postgres: { protocol: 'postgres', port: 5432, tls: false },
  postgresql: { protocol: 'postgres', port: 5432, tls: false },
  mysql: { protocol: 'mysql', port: 3306, tls: false },
  mysql2: { protocol: 'mysql', port: 3306, tls: false },
  mariadb: { protocol: 'mysql', port: 3306, tls: false },
  redis: { protocol: 'redis', port: 6379, tls: false },
  rediss: { protocol: 'redis', port: 6379, tls: true },
  mongodb: { protocol: 'mongodb', port: 27017, tls: false },
  'mongodb+srv': { protocol: 'mongodb', port: 27017, tls: true },
  amqp: { protocol: 'amqp', port: 5672, tls: false },
  amqps: { protocol: 'amqp', port: 5671, tls: true },
};

/** Names that conventionally hold a dependency URL: a value under one of them with another scheme is worth a note. */
const DEP_NAME = /^(DATABASE_URL|[A-Z0-9_]+_DATABASE_URL|POSTGRES(QL)?_URL|PG_?URL|MYSQL_URL|MARIADB_URL|REDIS(_TLS)?_URL|REDIS_URI|MONGO(DB)?_UR[LI]|AMQP_URL|RABBITMQ_URL|CLOUDAMQP_URL)$/;

/** KEY=value pairs of an env file; lines that are not KEY=value are passed over (verify reads, it does not judge the file). */
export function envPairs(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    try {
      for (const [k, v] of parseDotenv(line, 'env file')) out.set(k, v);
    } catch {
      // not a KEY=value line
    }
  }
  return out;
}

function decode(s: string): string {
  try { return decodeURIComponent(s); } catch { return s; }
}

/** host[:port] or [v6][:port]; null when the port is not a number. */
function splitHostPort(spec: string, defaultPort: number): DepHost | null {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]*))(?::(\d*))?$/.exec(spec);
  if (!m) return null;
  const host = decode(m[1] ?? m[2] ?? '');
  const port = m[3] ? Number(m[3]) : defaultPort;
  if (host === '' || !Number.isInteger(port) || port < 1 || port > 65535) return null;
  return { host, port };
}

function hostLabel(h: DepHost): string {
  return `${h.host.includes(':') ? `[${h.host}]` : h.host}:${h.port}`;
}

/** scheme://user:***@host:port/db?params-without-secrets. */
export function displayUrl(e: Pick<DepEndpoint, 'scheme' | 'user' | 'password' | 'hosts' | 'database'>): string {
  const auth = e.user !== null || e.password !== null ? `${e.user ?? ''}${e.password !== null ? ':***' : ''}@` : '';
  const db = e.database !== null ? `/${e.database}` : '';
  return `${e.scheme}://${auth}${e.hosts.map(hostLabel).join(',')}${db}`;
}

function tlsFromParams(protocol: DepProtocol, params: URLSearchParams): boolean | null {
  const get = (k: string): string | null => {
    for (const [name, v] of params) if (name.toLowerCase() === k) return v.toLowerCase();
    return null;
  };
  const on = (v: string | null): boolean | null => (v === null ? null : ['1', 'true', 'yes', 'on'].includes(v));
  if (protocol === 'postgres') {
    const mode = get('sslmode');
    if (mode !== null) return !['disable', 'allow', 'prefer'].includes(mode);
    return on(get('ssl'));
  }
  if (protocol === 'mysql') {
    const mode = get('ssl-mode') ?? get('sslmode');
    if (mode !== null) return !['disabled', 'preferred', 'disable', 'prefer'].includes(mode);
    const ssl = get('ssl');
    return ssl === null ? null : ssl.startsWith('{') || on(ssl) === true;
  }
  if (protocol === 'mongodb') return on(get('tls') ?? get('ssl'));
  return null;
}

/**
 * Parses a dependency URL by hand: the WHATWG parser rejects MongoDB seed lists (h1:1,h2:2) and is unsure about
 * unencoded `@` or `/` in passwords. The userinfo ends at the last `@` before the query, so such passwords survive.
 */
export function parseDepUrl(value: string, keys: string[]): DepEndpoint | DepNote | null {
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/(.*)$/s.exec(value.trim());
  if (!m?.[1]) return null;
  const scheme = m[1].toLowerCase();
  const known = SCHEMES[scheme];
  if (!known) return null;
  const rest = m[2] ?? '';
  const qAt = rest.search(/[?#]/);
  const beforeQuery = qAt === -1 ? rest : rest.slice(0, qAt);
  const at = beforeQuery.lastIndexOf('@');
  const userinfo = at === -1 ? null : beforeQuery.slice(0, at);
  const afterAuth = rest.slice(at + 1);
  const pathAt = afterAuth.search(/[/?#]/);
  const authority = pathAt === -1 ? afterAuth : afterAuth.slice(0, pathAt);
  const tail = pathAt === -1 ? '' : afterAuth.slice(pathAt);
  const pathEnd = tail.search(/[?#]/);
  const path = pathEnd === -1 ? tail : tail.slice(0, pathEnd);
  const query = pathEnd !== -1 && tail[pathEnd] === '?' ? tail.slice(pathEnd + 1).replace(/#.*$/s, '') : '';
  let user: string | null = null;
  let password: string | null = null;
  if (userinfo !== null) {
    const colon = userinfo.indexOf(':');
    user = decode(colon === -1 ? userinfo : userinfo.slice(0, colon));
    password = colon === -1 ? null : decode(userinfo.slice(colon + 1));
  }
  const dbPart = path.replace(/^\//, '');
  const database = dbPart === '' ? null : decode(dbPart);
  const specs = authority.split(',');
  const hosts = specs.map((s) => splitHostPort(s, known.port));
  const params = new URLSearchParams(query);
  const shown = (hs: DepHost[]): string => displayUrl({ scheme, user, password, hosts: hs, database });
  const valid = hosts.filter((h): h is DepHost => h !== null);
  if (valid.length === 0 || valid.length !== hosts.length) {
    return { key: keys.join(', '), status: 'unknown', reason: 'the URL has no usable host:port', display: `${scheme}://${user !== null ? `${user}${password !== null ? ':***' : ''}@` : ''}…` };
  }
  const tls = known.tls || (tlsFromParams(known.protocol, params) ?? false);
  const ep: DepEndpoint = {
    keys, protocol: known.protocol, scheme, hosts: valid, user: user === '' ? null : user, password, database, params, tls,
    srv: scheme === 'mongodb+srv', display: '',
  };
  ep.display = shown(valid);
  return ep;
}

/** The libpq PG* variables as one endpoint, when the env file sets them. */
function pgParts(env: Map<string, string>): DepEndpoint | DepNote | null {
  const keys = ['PGHOST', 'PGPORT', 'PGUSER', 'PGPASSWORD', 'PGDATABASE', 'PGSSLMODE'].filter((k) => env.has(k));
  if (!keys.some((k) => k === 'PGHOST' || k === 'PGDATABASE' || k === 'PGUSER')) return null;
  const host = env.get('PGHOST') || 'localhost';
  const portText = env.get('PGPORT') || '5432';
  const port = Number(portText);
  const user = env.get('PGUSER') || null;
  const password = env.get('PGPASSWORD') ?? null;
  const database = env.get('PGDATABASE') || null;
  const display = displayUrl({ scheme: 'postgres', user, password, hosts: [{ host, port: Number.isInteger(port) ? port : 5432 }], database });
  if (host.startsWith('/')) return { key: keys.join(', '), status: 'skipped', reason: `PGHOST is a Unix socket directory (${host}): a socket cannot be reached through a TCP forward`, display };
  if (!Number.isInteger(port) || port < 1 || port > 65535) return { key: keys.join(', '), status: 'unknown', reason: 'PGPORT is not a port number', display };
  const params = new URLSearchParams();
  const mode = env.get('PGSSLMODE');
  if (mode) params.set('sslmode', mode);
  return {
    keys, protocol: 'postgres', scheme: 'postgres', hosts: [{ host, port }], user, password, database, params,
    tls: tlsFromParams('postgres', params) ?? false, srv: false, display,
  };
}

function sameEndpoint(a: DepEndpoint, b: DepEndpoint): boolean {
  return a.protocol === b.protocol && a.user === b.user && a.password === b.password && a.database === b.database && a.tls === b.tls &&
    a.hosts.map(hostLabel).join(',') === b.hosts.map(hostLabel).join(',');
}

/**
 * Every dependency in the env file: values with a known scheme under any name (DATABASE_URL, CACHE_URL, …), the
 * PG* parts, and a note for conventional names holding something else (sqlite://, a bare host). Endpoints named
 * twice (DATABASE_URL and POSTGRES_URL alike) are checked once.
 */
export function discoverDeps(envText: string): DiscoveredDeps {
  const env = envPairs(envText);
  const endpoints: DepEndpoint[] = [];
  const notes: DepNote[] = [];
  const secrets: string[] = [];
  const add = (found: DepEndpoint | DepNote): void => {
    if ('reason' in found) { notes.push(found); return; }
    const same = endpoints.find((e) => sameEndpoint(e, found));
    if (same) same.keys.push(...found.keys.filter((k) => !same.keys.includes(k)));
    else endpoints.push(found);
  };
  for (const [key, value] of env) {
    // Passwords first: whatever happens next, nothing shown may carry them.
    const userinfo = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/([^?#]*)@/s.exec(value.trim());
    const colon = userinfo?.[1]?.indexOf(':') ?? -1;
    if (userinfo?.[1] && colon !== -1) {
      const raw = userinfo[1].slice(colon + 1);
      secrets.push(raw, decode(raw));
    }
    const parsed = parseDepUrl(value, [key]);
    if (parsed) { add(parsed); continue; }
    if (DEP_NAME.test(key) && value.trim() !== '') {
      const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(value.trim())?.[1]?.toLowerCase();
      const reason = scheme === undefined
        ? 'the value is not a URL (no scheme://)'
        : /^(sqlite|sqlite3|file)$/.test(scheme) ? 'a file database: there is no server to handshake with' : `no client for the ${scheme}:// scheme`;
      notes.push({ key, status: scheme !== undefined && /^(sqlite|sqlite3|file)$/.test(scheme) ? 'skipped' : 'unknown', reason, display: scheme === undefined ? '(not a URL)' : `${scheme}://…` });
    }
  }
  const pw = env.get('PGPASSWORD');
  if (pw) secrets.push(pw);
  const pg = pgParts(env);
  if (pg) add(pg);
  return { endpoints, notes, secrets: [...new Set(secrets.filter((s) => s !== ''))] };
}
