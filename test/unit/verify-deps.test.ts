// Verify's dependency and proxy layers without servers: URL discovery and parsing, error classification, findings, proxy comparison.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { RunContext } from '../../src/core/context.js';
import type { Command } from '../../src/core/command.js';
import { Redactor } from '../../src/core/redact.js';
import type { ExecResult, Executor, Tunnel } from '../../src/exec/types.js';
import { freeLocalPort } from '../../src/exec/free-port.js';
import { classifyDepError } from '../../src/stages/verify/deps/classify.js';
import { composeRoute, parseComposeServices, type ComposeContainer } from '../../src/stages/verify/deps/compose-services.js';
import { discoverDeps, envPairs, parseDepUrl, type DepEndpoint } from '../../src/stages/verify/deps/discover.js';
import { named } from '../../src/stages/verify/deps/handshake.js';
import { mongoUri } from '../../src/stages/verify/deps/mongodb.js';
import { mysqlSsl } from '../../src/stages/verify/deps/mysql.js';
import { pgSsl } from '../../src/stages/verify/deps/postgres.js';
import { checkDeps, parseTcpProbe, refine } from '../../src/stages/verify/checks/deps.js';
import { checkProxy, compareProxy } from '../../src/stages/verify/checks/proxy.js';
import type { HttpOutcome } from '../../src/stages/verify/http-client.js';
import type { LayerInput, VerifyOptions, VerifyTarget } from '../../src/stages/verify/types.js';

const ep = (url: string): DepEndpoint => {
  const r = parseDepUrl(url, ['X']);
  assert.ok(r && !('reason' in r), `parsed ${url}`);
  return r;
};

describe('env file reading', () => {
  test('KEY=value lines: export, quotes, comments; other lines are passed over', () => {
    const env = envPairs([
      '# comment', 'export A=1', 'B="two words"', "C='single'", 'D=bare # trailing comment', 'not a pair', '  E = spaced ', '',
    ].join('\n'));
    assert.deepEqual([...env], [['A', '1'], ['B', 'two words'], ['C', 'single'], ['D', 'bare'], ['E', 'spaced']]);
  });
});

describe('dependency URL parsing', () => {
  test('postgres: user, password with @ and /, host, port, database; display masks the password', () => {
    const e = ep('postgresql://app:p@ss/w0rd@db.internal:6432/appdb?sslmode=verify-full');
    assert.equal(e.protocol, 'postgres');
    assert.equal(e.user, 'app');
    assert.equal(e.password, 'p@ss/w0rd');
    assert.deepEqual(e.hosts, [{ host: 'db.internal', port: 6432 }]);
    assert.equal(e.database, 'appdb');
    assert.equal(e.tls, true);
    assert.equal(e.display, 'postgresql://app:***@db.internal:6432/appdb');
  });

  test('percent-encoded credentials are decoded; default ports per scheme', () => {
    const e = ep('postgres://u%40x:p%3Aw%2F@h/db');
    assert.equal(e.user, 'u@x');
    assert.equal(e.password, 'p:w/');
    assert.equal(e.hosts[0]?.port, 5432);
    assert.equal(ep('mysql://root@m').hosts[0]?.port, 3306);
    assert.equal(ep('redis://r').hosts[0]?.port, 6379);
    assert.equal(ep('amqps://q').hosts[0]?.port, 5671);
    assert.equal(ep('amqp://q').hosts[0]?.port, 5672);
    assert.equal(ep('mongodb://m').hosts[0]?.port, 27017);
  });

  test('redis: empty user with a password, db index, rediss means TLS', () => {
    const e = ep('rediss://:s3cretpw@cache:6380/2');
    assert.equal(e.user, null);
    assert.equal(e.password, 's3cretpw');
    assert.equal(e.database, '2');
    assert.equal(e.tls, true);
    assert.equal(e.display, 'rediss://:***@cache:6380/2');
  });

  test('mongodb seed list, options, srv; IPv6 in brackets', () => {
    const e = ep('mongodb://u:pw12@a:27017,b:27018/app?replicaSet=rs0&authSource=admin&tls=true');
    assert.deepEqual(e.hosts, [{ host: 'a', port: 27017 }, { host: 'b', port: 27018 }]);
    assert.equal(e.tls, true);
    assert.equal(e.params.get('authSource'), 'admin');
    assert.equal(e.display, 'mongodb://u:***@a:27017,b:27018/app');
    assert.equal(ep('mongodb+srv://u:pw12@cluster0.example.net/app').srv, true);
    assert.deepEqual(ep('postgres://u:pw12@[::1]:5433/d').hosts, [{ host: '::1', port: 5433 }]);
    assert.equal(ep('postgres://u:pw12@[::1]:5433/d').display, 'postgres://u:***@[::1]:5433/d');
  });

  test('the MongoDB URI for the forward drops topology options and carries no credentials', () => {
    const uri = mongoUri(ep('mongodb://u:pw12@a:1,b:2/app?replicaSet=rs0&authSource=admin'), { host: '127.0.0.1', port: 40000 });
    assert.equal(uri, 'mongodb://127.0.0.1:40000/app?authSource=admin');
  });

  test('amqp vhost is decoded; unknown schemes and junk are not dependencies', () => {
    assert.equal(ep('amqp://guest:guest@mq/%2Fprod').database, '/prod');
    assert.equal(parseDepUrl('https://example.com', ['X']), null);
    assert.equal(parseDepUrl('just text', ['X']), null);
    const bad = parseDepUrl('postgres://u:pw@host:notaport/db', ['DATABASE_URL']);
    assert.ok(bad && 'reason' in bad && bad.status === 'unknown');
    assert.ok(!bad.display.includes('pw@'));
  });

  test('TLS from parameters: postgres sslmode, mysql ssl-mode, mongo tls', () => {
    assert.equal(ep('postgres://h/d?sslmode=require').tls, true);
    assert.equal(ep('postgres://h/d?sslmode=disable').tls, false);
    assert.equal(ep('postgres://h/d?sslmode=prefer').tls, false);
    assert.equal(ep('mysql://h/d?ssl-mode=REQUIRED').tls, true);
    assert.equal(ep('mysql://h/d?ssl={"rejectUnauthorized":true}').tls, true);
    assert.equal(ep('mongodb://h/d?ssl=true').tls, true);
    assert.equal(pgSsl(ep('postgres://h/d'), 'h'), false);
    assert.deepEqual(pgSsl(ep('postgres://h/d?sslmode=require'), 'h'), { rejectUnauthorized: false });
    const full = pgSsl(ep('postgres://h/d?sslmode=verify-full'), 'db.example.com');
    assert.ok(full && full.rejectUnauthorized === true && full.servername === 'db.example.com');
    assert.deepEqual(mysqlSsl(ep('mysql://h/d?ssl-mode=VERIFY_IDENTITY')), { rejectUnauthorized: true, verifyIdentity: true });
    assert.equal(mysqlSsl(ep('mysql://h/d')), false);
  });
});

describe('client library loading', () => {
  test('an export by name, or from default when a bundle offers only module.exports', async () => {
    const fn = (): number => 1;
    assert.equal(named({ connect: fn }, 'connect'), fn);
    assert.equal(named({ default: { connect: fn } } as { connect?: () => number; default?: { connect: () => number } }, 'connect'), fn);
    assert.throws(() => named({} as { connect?: () => number }, 'connect'), /no export "connect"/);
    assert.equal(typeof named(await import('pg'), 'Client'), 'function');
  });
});

describe('dependency discovery in an env file', () => {
  const text = [
    'NODE_ENV=production',
    'DATABASE_URL="postgres://app:Sup3r-Secret@db:5432/app"',
    'POSTGRES_URL=postgres://app:Sup3r-Secret@db:5432/app',
    "REDIS_URL='redis://:r3dis-pass@cache:6379/0'",
    'SESSION_STORE_URL=redis://sessions:6379',
    'MONGODB_URI=mongodb+srv://m:m0ngo-pass@cluster0.example.net/app',
    'RABBITMQ_URL=amqp://mq:am9p-pass@broker/vh',
    'MYSQL_URL=mysql://root:my5ql-pass@mysql:3306/shop',
    'ANALYTICS_DATABASE_URL=sqlite:///var/lib/app/a.db',
    'HOMEPAGE_URL=https://example.com',
  ].join('\n');

  test('finds every scheme, names duplicates once, and notes a file database', () => {
    const d = discoverDeps(text);
    assert.deepEqual(d.endpoints.map((e) => [e.keys.join('+'), e.protocol]), [
      ['DATABASE_URL+POSTGRES_URL', 'postgres'], ['REDIS_URL', 'redis'], ['SESSION_STORE_URL', 'redis'], ['MONGODB_URI', 'mongodb'],
      ['RABBITMQ_URL', 'amqp'], ['MYSQL_URL', 'mysql'],
    ]);
    assert.deepEqual(d.notes.map((n) => [n.key, n.status]), [['ANALYTICS_DATABASE_URL', 'skipped']]);
    for (const pw of ['Sup3r-Secret', 'r3dis-pass', 'm0ngo-pass', 'am9p-pass', 'my5ql-pass']) assert.ok(d.secrets.includes(pw), pw);
    assert.ok(d.endpoints.every((e) => !e.display.includes('pass') && !e.display.includes('Secret')));
  });

  test('PG* parts make one endpoint; a socket directory is skipped', () => {
    const d = discoverDeps('PGHOST=pg.internal\nPGPORT=5433\nPGUSER=app\nPGPASSWORD=pgp4ssword\nPGDATABASE=app\n');
    assert.equal(d.endpoints.length, 1);
    assert.equal(d.endpoints[0]?.display, 'postgres://app:***@pg.internal:5433/app');
    assert.ok(d.secrets.includes('pgp4ssword'));
    const sock = discoverDeps('PGHOST=/var/run/postgresql\nPGDATABASE=app\n');
    assert.equal(sock.endpoints.length, 0);
    assert.equal(sock.notes[0]?.status, 'skipped');
  });

  test('a conventional name holding a non-URL is an unknown note', () => {
    const d = discoverDeps('REDIS_URL=cache:6379\n');
    assert.equal(d.endpoints.length, 0);
    assert.equal(d.notes[0]?.status, 'unknown');
  });
});

describe('error classification (canned library errors)', () => {
  const c = (e: unknown) => classifyDepError(e);
  test('auth: postgres 28P01 / 3D000, mysql ER_ACCESS_DENIED_ERROR, redis WRONGPASS/NOAUTH, mongo 18, amqp 403', () => {
    assert.deepEqual([c(Object.assign(new Error('password authentication failed for user "app"'), { code: '28P01' }))].map((x) => [x.verdict, x.code]), [['auth', '28P01']]);
    assert.equal(c(Object.assign(new Error('database "x" does not exist'), { code: '3D000' })).verdict, 'auth');
    assert.equal(c(Object.assign(new Error("Access denied for user 'root'@'10.0.0.2' (using password: YES)"), { code: 'ER_ACCESS_DENIED_ERROR', errno: 1045 })).code, 'ER_ACCESS_DENIED_ERROR');
    const wp = c(new Error('WRONGPASS invalid username-password pair or user is disabled.'));
    assert.deepEqual([wp.verdict, wp.code], ['auth', 'WRONGPASS']);
    assert.equal(c(new Error('NOAUTH Authentication required.')).verdict, 'auth');
    assert.deepEqual([c(Object.assign(new Error('Authentication failed.'), { code: 18, codeName: 'AuthenticationFailed' })).code], ['AuthenticationFailed']);
    assert.equal(c(new Error('Handshake terminated by server: 403 (ACCESS-REFUSED) with message "ACCESS_REFUSED - Login was refused"')).verdict, 'auth');
  });

  test('unreachable: refused, timed out, our deadline, the forward closing early', () => {
    const refused = c(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }));
    assert.deepEqual([refused.verdict, refused.code, refused.closedEarly], ['unreachable', 'ECONNREFUSED', false]);
    assert.equal(c(Object.assign(new Error('no answer within 5 s'), { code: 'DH_TIMEOUT' })).verdict, 'unreachable');
    const closed = c(new Error('Connection terminated unexpectedly'));
    assert.deepEqual([closed.verdict, closed.closedEarly], ['unreachable', true]);
    assert.equal(c(new Error('Socket closed abruptly during opening handshake')).closedEarly, true);
    assert.equal(c(new Error('Connection is closed.')).closedEarly, true);
    // amqplib's own socket timeout carries no code, only the text.
    assert.deepEqual([c(new Error('connect ETIMEDOUT')).verdict, c(new Error('connect ETIMEDOUT')).code], ['unreachable', 'ETIMEDOUT']);
  });

  test('nested errors: a MongoDB server-selection error names the server error inside', () => {
    const inner = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:27017'), { code: 'ECONNREFUSED' });
    const sel = Object.assign(new Error('Server selection timed out after 5000 ms'), { reason: { servers: new Map([['127.0.0.1:27017', { error: { message: 'connection failed', cause: inner } }]]) } });
    assert.deepEqual([c(sel).verdict, c(sel).code], ['unreachable', 'ECONNREFUSED']);
    const agg = new AggregateError([Object.assign(new Error('getaddrinfo ENOTFOUND db'), { code: 'ENOTFOUND' })], 'all failed');
    assert.equal(c(agg).verdict, 'dns');
  });

  test('TLS: certificate codes and "does not support SSL"', () => {
    assert.deepEqual([c(Object.assign(new Error('self-signed certificate'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' })).verdict], ['tls']);
    assert.equal(c(Object.assign(new Error("Hostname/IP does not match certificate's altnames"), { code: 'ERR_TLS_CERT_ALTNAME_INVALID' })).verdict, 'tls');
    assert.equal(c(new Error('The server does not support SSL connections')).verdict, 'tls');
  });

  test('anything else is unknown, never ok', () => {
    assert.equal(c(new Error('something odd')).verdict, 'unknown');
    assert.equal(c('a string').verdict, 'unknown');
    assert.equal(c(undefined).verdict, 'unknown');
  });
});

describe("the target's TCP probe refines an ambiguous failure", () => {
  const closed = classifyDepError(new Error('Connection terminated unexpectedly'));
  test('parses bash and python answers', () => {
    assert.deepEqual(parseTcpProbe('via=bash rc=1\nbash: connect: Connection refused\n'), { open: false, code: 'ECONNREFUSED', text: 'connection refused' });
    assert.equal(parseTcpProbe('via=bash rc=124\n').code, 'ETIMEDOUT');
    assert.equal(parseTcpProbe('via=bash rc=0\n').open, true);
    assert.equal(parseTcpProbe('via=none rc=126\n').open, null);
    assert.equal(parseTcpProbe('via=python3 rc=1\nsocket.gaierror: [Errno -2] Name or service not known').code, 'ENOTFOUND');
  });
  test('refused on the target → unreachable ECONNREFUSED; open port that closes → protocol/TLS mismatch', () => {
    const r = refine(closed, { open: false, code: 'ECONNREFUSED', text: 'connection refused' }, false);
    assert.deepEqual([r.verdict, r.code], ['unreachable', 'ECONNREFUSED']);
    assert.equal(refine(closed, { open: true, code: null, text: 'ok' }, false).verdict, 'unknown');
    assert.equal(refine(closed, { open: true, code: null, text: 'ok' }, true).verdict, 'tls');
    assert.equal(refine(closed, null, false).verdict, 'unreachable');
  });
});

/** An executor scripted by argv[0], on the local host; forwards lead to `forwardTo` (a port nothing listens on). */
class FakeExecutor implements Executor {
  readonly host = { kind: 'local', display: 'local' } as const;
  readonly commands: string[] = [];
  readonly forwards: string[] = [];
  closed = 0;
  constructor(private readonly answers: Record<string, Partial<ExecResult>>, private readonly forwardTo: number) {}
  async run(cmd: Command): Promise<ExecResult> {
    const line = cmd.argv.join(' ');
    this.commands.push(line);
    const key = Object.keys(this.answers).find((k) => line.startsWith(k));
    const a = key ? this.answers[key] : undefined;
    return { command: line, host: 'local', exitCode: 0, stdout: '', stderr: '', durationMs: 1, failed: false, timedOut: false, ...a };
  }
  async upload(): Promise<ExecResult> { throw new Error('not used'); }
  async transfer(): Promise<ExecResult> { throw new Error('not used'); }
  async forward(host: string, port: number): Promise<Tunnel> {
    this.forwards.push(`${host}:${port}`);
    return { host: '127.0.0.1', port: this.forwardTo, close: async () => { this.closed++; } };
  }
  async close(): Promise<void> {}
}

const target: VerifyTarget = { app: 'api', strategy: 'systemd', port: 3000, healthPath: '/health', release: 'r1', base: '/srv/api', since: null, url: null, serverName: null };
const options: VerifyOptions = { windowMs: 1000, intervalMs: 100, requestTimeoutMs: 2000, successes: 1, checks: [], proxyUrl: null, tlsWarnDays: 14 };
const input = (executor: Executor, envFileText: string | null, over: Partial<LayerInput> = {}): LayerInput => {
  const ctx: RunContext = { executor, redactor: new Redactor() };
  return { ctx, target, options, envFileText, ...over };
};

describe('checkDeps', () => {
  test('no env file, or no URLs in it → one skipped finding', async () => {
    const ex = new FakeExecutor({}, 1);
    assert.deepEqual((await checkDeps(input(ex, null))).map((f) => [f.id, f.status]), [['deps.none', 'skipped']]);
    assert.deepEqual((await checkDeps(input(ex, 'PORT=3000\nNODE_ENV=production\n'))).map((f) => [f.id, f.status]), [['deps.none', 'skipped']]);
  });

  test('DNS failure on the target, refused port, srv unknown; no password in any finding; tunnels closed', async () => {
    const dead = await freeLocalPort();
    const ex = new FakeExecutor({ 'getent hosts nowhere.invalid': { exitCode: 2 }, 'getent hosts': { exitCode: 0, stdout: '10.0.0.5 db\n' } }, dead);
    const env = [
      'DATABASE_URL=postgres://app:Very-Secret-1@db:5432/app',
      'CACHE_URL=redis://:Very-Secret-2@nowhere.invalid:6379',
      'MONGODB_URI=mongodb+srv://u:Very-Secret-3@cluster0.example.net/app',
    ].join('\n');
    const fs = await checkDeps(input(ex, env));
    const byId = Object.fromEntries(fs.map((f) => [f.id, f]));
    assert.equal(byId['deps.DATABASE_URL']?.status, 'fail');
    assert.match(byId['deps.DATABASE_URL']?.summary ?? '', /^unreachable: postgres:\/\/app:\*\*\*@db:5432\/app \[ECONNREFUSED\]/);
    assert.equal(byId['deps.CACHE_URL']?.status, 'fail');
    assert.match(byId['deps.CACHE_URL']?.summary ?? '', /^DNS failure: nowhere\.invalid does not resolve/);
    assert.equal(byId['deps.MONGODB_URI']?.status, 'unknown');
    assert.ok(fs.every((f) => f.required));
    const all = JSON.stringify(fs);
    for (const pw of ['Very-Secret-1', 'Very-Secret-2', 'Very-Secret-3']) assert.ok(!all.includes(pw), `${pw} leaked`);
    // The unresolvable host is never forwarded to; the other one is, and its tunnel is closed.
    assert.deepEqual(ex.forwards, ['db:5432']);
    assert.equal(ex.closed, 1);
    assert.ok(ex.commands.includes('getent hosts db') && ex.commands.includes('getent hosts nowhere.invalid'));
  });
});

describe('compose service names as dependency hosts', () => {
  const listing = [
    'docker=ok',
    'c|/shop_db_1|db|running|shop_default=172.20.0.3=db,6f1c2d3e4f5a;',
    'c|/shop_cache_1|cache|exited|shop_default==;',
    'c|/shop_app_1|app|running|shop_back=172.21.0.2=app,api-internal;shop_default=172.20.0.4=app;',
    'c|/shop_host_1|sidecar|running|host==;',
  ].join('\n');
  const containers = (): ComposeContainer[] => {
    const r = parseComposeServices(listing);
    assert.ok(r.ok);
    return r.containers;
  };

  test('the listing parses; docker missing or not answering is a reason, not an error', () => {
    const cs = containers();
    assert.deepEqual(cs[0], { name: 'shop_db_1', service: 'db', status: 'running', networks: [{ name: 'shop_default', ip: '172.20.0.3', aliases: ['db', '6f1c2d3e4f5a'] }] });
    assert.deepEqual(parseComposeServices('docker=missing\n'), { ok: false, reason: 'docker is not installed on the target' });
    assert.equal(parseComposeServices('docker=unreachable\n').ok, false);
    assert.deepEqual(parseComposeServices('docker=ok\n'), { ok: true, containers: [] });
  });

  test('service, container name or network alias → the address on that network; a stopped container → down; others → null', () => {
    const cs = containers();
    assert.deepEqual(composeRoute('db', cs), { kind: 'address', service: 'db', container: 'shop_db_1', network: 'shop_default', ip: '172.20.0.3' });
    assert.deepEqual(composeRoute('DB', cs), composeRoute('db', cs));
    assert.deepEqual(composeRoute('shop_db_1', cs), composeRoute('db', cs));
    assert.deepEqual(composeRoute('api-internal', cs), { kind: 'address', service: 'app', container: 'shop_app_1', network: 'shop_back', ip: '172.21.0.2' });
    assert.equal(composeRoute('app', cs)?.kind, 'address');
    assert.deepEqual(composeRoute('cache', cs), { kind: 'down', service: 'cache', container: 'shop_cache_1', status: 'exited' });
    assert.equal(composeRoute('sidecar', cs), null, 'network_mode: host has no project address');
    assert.equal(composeRoute('db.internal', cs), null);
    // A running replica wins over a stopped one.
    const two: ComposeContainer[] = [{ ...cs[1] as ComposeContainer, name: 'shop_cache_2', status: 'running', networks: [{ name: 'shop_default', ip: '172.20.0.9', aliases: ['cache'] }] }, cs[1] as ComposeContainer];
    assert.equal(composeRoute('cache', two)?.kind, 'address');
  });

  test('checkDeps on a compose app: service hosts go to the container address without a lookup; others resolve on the target', async () => {
    const dead = await freeLocalPort();
    const ex = new FakeExecutor({ 'sh -c p=$1': { stdout: listing }, 'getent hosts': { exitCode: 0, stdout: '10.0.0.7 ext.example.net\n' } }, dead);
    const env = [
      'DATABASE_URL=postgres://app:Very-Secret-1@db:5432/app',
      'REDIS_URL=redis://cache:6379/0',
      'QUEUE_URL=amqp://u:Very-Secret-2@ext.example.net:5672/',
    ].join('\n');
    const fs = await checkDeps(input(ex, env, { target: { ...target, app: 'shop', strategy: 'compose' } }));
    const byId = Object.fromEntries(fs.map((f) => [f.id, f]));
    assert.deepEqual(ex.forwards.sort(), ['172.20.0.3:5432', 'ext.example.net:5672']);
    assert.ok(!ex.commands.includes('getent hosts db') && !ex.commands.includes('getent hosts cache'), 'service names are not looked up on the target');
    assert.ok(ex.commands.includes('getent hosts ext.example.net'));
    assert.match(byId['deps.DATABASE_URL']?.evidence ?? '', /db is service db of compose project shop: container shop_db_1 at 172\.20\.0\.3 on network shop_default/);
    assert.match(byId['deps.DATABASE_URL']?.summary ?? '', /^unreachable: .*@db:5432\/app/, 'findings name the host as written');
    assert.equal(byId['deps.REDIS_URL']?.status, 'fail');
    assert.match(byId['deps.REDIS_URL']?.summary ?? '', /cache is compose service cache, whose container shop_cache_1 is exited/);
    assert.ok(!JSON.stringify(fs).includes('Very-Secret'));
  });

  test('a compose app whose containers cannot be listed falls back to the lookup on the target, and says why', async () => {
    const ex = new FakeExecutor({ 'sh -c p=$1': { stdout: 'docker=unreachable\n' }, 'getent hosts': { exitCode: 2 } }, 1);
    const fs = await checkDeps(input(ex, 'DATABASE_URL=postgres://app:pw-123456@db:5432/app', { target: { ...target, app: 'shop', strategy: 'compose' } }));
    assert.match(fs[0]?.summary ?? '', /^DNS failure: db does not resolve/);
    assert.match(fs[0]?.evidence ?? '', /its services could not be listed \(the docker daemon does not answer this user\)/);
  });

  test('other strategies never list compose containers', async () => {
    const ex = new FakeExecutor({ 'getent hosts': { exitCode: 2 } }, 1);
    await checkDeps(input(ex, 'DATABASE_URL=postgres://app:pw-123456@db:5432/app'));
    assert.ok(!ex.commands.some((c) => c.startsWith('sh -c p=$1')));
  });
});

describe('proxy comparison', () => {
  const ok = (status: number, body: string): HttpOutcome => ({ ok: true, response: { status, statusText: '', headers: {}, body, bodyBytes: body.length, responseTimeMs: 1, url: 'http://x/', redirects: [], truncated: false } });
  const down: HttpOutcome = { ok: false, failure: { kind: 'refused', message: 'connection refused (127.0.0.1:3000)', url: 'http://x/', redirects: [], elapsedMs: 1 } };
  test('502 and 504 fail with "the proxy cannot reach the app"', () => {
    const v = compareProxy(ok(502, 'Bad Gateway'), ok(200, 'ok'), '127.0.0.1:3000');
    assert.equal(v.status, 'fail');
    assert.match(v.summary, /^the proxy cannot reach the app: 502; the app itself answers HTTP 200/);
    assert.match(compareProxy(ok(504, ''), down, '127.0.0.1:3000').summary, /^the proxy cannot reach the app: 504; the app does not answer/);
  });
  test('same status and body pass; a different status or body warns; a silent proxy fails', () => {
    assert.equal(compareProxy(ok(200, 'ok\n'), ok(200, 'ok'), 'a').status, 'pass');
    assert.equal(compareProxy(ok(404, 'nope'), ok(200, 'ok'), 'a').status, 'warn');
    assert.equal(compareProxy(ok(200, 'cached'), ok(200, 'ok'), 'a').status, 'warn');
    assert.equal(compareProxy(ok(200, 'ok'), down, 'a').status, 'warn');
    assert.equal(compareProxy(down, ok(200, 'ok'), 'a').status, 'fail');
    assert.equal(compareProxy(ok(200, 'ok'), null, null).status, 'pass');
  });
  test('no proxy configured → skipped', async () => {
    const fs = await checkProxy(input(new FakeExecutor({}, 1), null));
    assert.deepEqual(fs.map((f) => [f.id, f.status]), [['proxy.health', 'skipped']]);
  });
  test('a server name without nginx on the target → skipped', async () => {
    const ex = new FakeExecutor({ sh: { exitCode: 1 } }, 1);
    const fs = await checkProxy(input(ex, null, { target: { ...target, serverName: 'api.example.com' } }));
    assert.deepEqual(fs.map((f) => f.status), ['skipped']);
  });
});
