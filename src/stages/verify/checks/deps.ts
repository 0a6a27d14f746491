// Dependency handshakes: each database, cache and broker in the env file, connected to from the target's side with its real client.
import { isIP } from 'node:net';
import { mapLimited } from '../../../core/map-limited.js';
import type { Finding } from '../../../report/common.js';
import { classifyDepError, type Classified, type DepVerdict } from '../deps/classify.js';
import { composeRoute, composeServicesCommand, parseComposeServices, type ComposeServices } from '../deps/compose-services.js';
import { discoverDeps, type DepEndpoint, type DepHost, type DepProtocol } from '../deps/discover.js';
import type { Handshake } from '../deps/handshake.js';
import type { LayerCheck, LayerInput } from '../types.js';
import { vfinding } from './on-target.js';

/** Per handshake: long enough for a TLS handshake over a slow link, short enough that a dead host does not stall verify. */
export const HANDSHAKE_TIMEOUT_MS = 5000;
/** Forwards share the run's one SSH connection (and sshd's MaxSessions) with the other layers. */
const CONCURRENCY = 2;

const PROTOCOL: Record<DepProtocol, { name: string; op: string; load: () => Promise<Handshake> }> = {
  postgres: { name: 'PostgreSQL', op: 'connect, SELECT 1', load: async () => (await import('../deps/postgres.js')).postgresHandshake },
  mysql: { name: 'MySQL', op: 'connect, SELECT 1', load: async () => (await import('../deps/mysql.js')).mysqlHandshake },
  redis: { name: 'Redis', op: 'connect, PING', load: async () => (await import('../deps/redis.js')).redisHandshake },
  mongodb: { name: 'MongoDB', op: 'connect, ping', load: async () => (await import('../deps/mongodb.js')).mongodbHandshake },
  amqp: { name: 'AMQP', op: 'connect, open a channel', load: async () => (await import('../deps/amqp.js')).amqpHandshake },
};

/** What one endpoint came to, before it is written up as a finding. */
export interface DepResult {
  verdict: DepVerdict;
  code: string | null;
  /** One line, unmasked (the finding masks it). */
  message: string;
  /** The host:port that answered (or was tried last). */
  host: DepHost;
  evidence: string[];
}

/** A compose app's project and its containers: service names as hosts resolve only on the project's network. */
export interface ComposeScope { project: string; services: ComposeServices }

/** The target's answer to "can you open TCP to host:port", for errors that only show the forward closing. */
export interface TcpProbe { open: boolean | null; code: string | null; text: string }

const TCP_SCRIPT = [
  'h=$1; p=$2',
  'if command -v bash >/dev/null 2>&1; then out=$(timeout 4 bash -c \'exec 3<>"/dev/tcp/$1/$2"\' deckhand-tcp "$h" "$p" 2>&1); rc=$?; echo "via=bash rc=$rc"',
  'elif command -v python3 >/dev/null 2>&1; then out=$(timeout 4 python3 -c \'import socket,sys; socket.create_connection((sys.argv[1], int(sys.argv[2])), 3).close()\' "$h" "$p" 2>&1); rc=$?; echo "via=python3 rc=$rc"',
  'else echo "via=none rc=126"; fi',
  'printf "%s\\n" "$out" | tail -n 2',
].join('\n');

/** Reads the TCP probe's output: refused, timed out, no route, or open. */
export function parseTcpProbe(stdout: string): TcpProbe {
  const rc = Number(/rc=(\d+)/.exec(stdout)?.[1] ?? NaN);
  const text = stdout.split('\n').slice(1).join(' ').trim();
  if (/via=none/.test(stdout) || Number.isNaN(rc)) return { open: null, code: null, text: 'neither bash nor python3 on the target' };
  if (rc === 0) return { open: true, code: null, text: 'TCP connect succeeded' };
  if (rc === 124 || /timed out/i.test(text)) return { open: false, code: 'ETIMEDOUT', text: 'TCP connect timed out' };
  if (/refused/i.test(text)) return { open: false, code: 'ECONNREFUSED', text: 'connection refused' };
  if (/no route to host/i.test(text)) return { open: false, code: 'EHOSTUNREACH', text: 'no route to host' };
  if (/network is unreachable/i.test(text)) return { open: false, code: 'ENETUNREACH', text: 'network is unreachable' };
  if (/not known|name or service|resolve|gaierror/i.test(text)) return { open: false, code: 'ENOTFOUND', text: 'host name does not resolve' };
  return { open: false, code: null, text: text || `exit ${rc}` };
}

/**
 * A library error refined by what the target saw: through a forward, a refused or dead destination reaches the
 * client only as "connection closed", and a port that is open but closes on the client is a protocol or TLS mismatch.
 */
export function refine(c: Classified, probe: TcpProbe | null, tls: boolean): Classified {
  if (c.verdict !== 'unreachable' || probe === null || probe.open === null) return c;
  if (probe.open === false) {
    if (probe.code === 'ENOTFOUND') return { ...c, verdict: 'dns', code: 'ENOTFOUND', message: probe.text };
    return { ...c, code: probe.code ?? c.code, message: `${probe.text} (from the target)` };
  }
  if (c.code === 'DH_TIMEOUT') {
    return tls
      ? { ...c, verdict: 'tls', message: 'the port is open but the TLS handshake got no answer (does the server speak TLS?)' }
      : { ...c, message: 'the port is open but the server did not answer the handshake in time' };
  }
  if (c.closedEarly) {
    return tls
      ? { ...c, verdict: 'tls', message: 'the port is open but the server closed the connection during the TLS handshake (does it speak TLS?)' }
      : { ...c, verdict: 'unknown', message: 'the port is open but the server closed the connection during the handshake (another protocol on this port, or TLS required?)' };
  }
  return c;
}

async function lookup(input: LayerInput, host: string): Promise<{ ok: boolean | null; line: string }> {
  if (isIP(host) !== 0) return { ok: true, line: `${host} is an address: no lookup` };
  try {
    const r = await input.ctx.executor.run({ argv: ['getent', 'hosts', host], mutates: false, timeoutMs: 10_000, description: `resolve ${host} on the target` });
    const first = r.stdout.split('\n')[0]?.trim() ?? '';
    if (r.exitCode === 0) return { ok: true, line: `$ getent hosts ${host} → ${first}` };
    if (r.exitCode === 2) return { ok: false, line: `$ getent hosts ${host} → not found (exit 2)` };
    return { ok: null, line: `$ getent hosts ${host} → exit ${String(r.exitCode)}${r.timedOut ? ' (timed out)' : ''}: lookup not checked` };
  } catch (e) {
    return { ok: null, line: `$ getent hosts ${host} → could not run: ${e instanceof Error ? e.message : String(e)}` };
  }
}

async function tcpProbe(input: LayerInput, h: DepHost): Promise<TcpProbe | null> {
  try {
    const r = await input.ctx.executor.run({ argv: ['sh', '-c', TCP_SCRIPT, 'deckhand-tcp', h.host, String(h.port)], mutates: false, timeoutMs: 15_000, description: `TCP connect to ${h.host}:${h.port} from the target` });
    return parseTcpProbe(r.stdout);
  } catch {
    return null;
  }
}

/** Lists the compose project's containers once per run, so service-name hosts can be routed to their containers. */
export async function composeScope(input: LayerInput): Promise<ComposeScope | null> {
  const { app, strategy } = input.target;
  if (strategy !== 'compose' || app === null) return null;
  try {
    const r = await input.ctx.executor.run(composeServicesCommand(app));
    return { project: app, services: parseComposeServices(r.rawStdout ?? r.stdout) };
  } catch (e) {
    return { project: app, services: { ok: false, reason: `could not run docker: ${e instanceof Error ? e.message : String(e)}` } };
  }
}

/**
 * One host of an endpoint: resolve on the target, forward, handshake, close the forward. A compose service name
 * is not resolved on the target (only the project's network knows it): the forward goes to its container's address.
 */
async function tryHost(input: LayerInput, ep: DepEndpoint, h: DepHost, handshake: Handshake, compose: ComposeScope | null): Promise<DepResult> {
  const { ctx } = input;
  const ev: string[] = [];
  const route = compose?.services.ok ? composeRoute(h.host, compose.services.containers) : null;
  let dest = h.host;
  if (route?.kind === 'down') {
    ev.push(`on ${ctx.executor.host.display}: ${h.host} is service ${route.service} of compose project ${compose?.project ?? ''}; container ${route.container} is ${route.status}`);
    return { verdict: 'unreachable', code: null, message: `${h.host} is compose service ${route.service}, whose container ${route.container} is ${route.status}`, host: h, evidence: ev };
  }
  if (route) {
    ev.push(`on ${ctx.executor.host.display}: ${h.host} is service ${route.service} of compose project ${compose?.project ?? ''}: container ${route.container} at ${route.ip} on network ${route.network} (the name resolves only there)`);
    dest = route.ip;
  } else {
    const dns = await lookup(input, h.host);
    ev.push(`on ${ctx.executor.host.display}: ${dns.line}`);
    if (compose && !compose.services.ok) ev.push(`compose project ${compose.project}: its services could not be listed (${compose.services.reason}), so ${h.host} was not looked for among them`);
    if (dns.ok === false) return { verdict: 'dns', code: 'ENOTFOUND', message: `${h.host} does not resolve on ${ctx.executor.host.display}`, host: h, evidence: ev };
  }
  const fwdHost = ctx.executor.host.kind === 'ssh' && dest.includes(':') ? `[${dest}]` : dest;
  let tunnel;
  try {
    tunnel = await ctx.executor.forward(fwdHost, h.port);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    ev.push(`forward to ${dest}:${h.port} failed: ${msg}`);
    return { verdict: 'unknown', code: null, message: `no path to ${h.host}:${h.port} from the target could be opened: ${msg}`, host: h, evidence: ev };
  }
  const local = `${tunnel.host}:${tunnel.port}`;
  const via = dest === h.host ? `${h.host}:${h.port}` : `${dest}:${h.port} (${h.host})`;
  ev.push(ctx.executor.host.kind === 'local' ? `direct connection to ${via}` : `SSH forward ${local} → ${via} as ${ctx.executor.host.display} sees it`);
  const t0 = performance.now();
  try {
    const note = await handshake(ep, { host: tunnel.host, port: tunnel.port, target: h }, HANDSHAKE_TIMEOUT_MS);
    ev.push(`${PROTOCOL[ep.protocol].op} → ${note} (${Math.round(performance.now() - t0)} ms)`);
    return { verdict: 'ok', code: null, message: note, host: h, evidence: ev };
  } catch (e) {
    const ms = Math.round(performance.now() - t0);
    let c = classifyDepError(e);
    // The client only ever saw the forward's local end: name the real endpoint instead.
    const message = c.message.split(local).join(`${h.host}:${h.port}`);
    ev.push(`${PROTOCOL[ep.protocol].op} → ${c.code ?? 'error'}: ${message} (${ms} ms)`);
    c = { ...c, message };
    if (c.verdict === 'unreachable' && (c.closedEarly || c.code === 'DH_TIMEOUT' || ctx.executor.host.kind !== 'local')) {
      const probe = await tcpProbe(input, { host: dest, port: h.port });
      if (probe) ev.push(`on ${ctx.executor.host.display}: TCP connect to ${dest}:${h.port} → ${probe.text}`);
      c = refine(c, probe, ep.tls);
    }
    if (c.code === 'DH_TIMEOUT' && ep.tls && c.verdict === 'unreachable') c = { ...c, message: `${c.message} (TLS was asked for: a server without TLS can leave the handshake waiting)` };
    return { verdict: c.verdict, code: c.code, message: c.message, host: h, evidence: ev };
  } finally {
    await tunnel.close().catch(() => undefined);
  }
}

async function checkEndpoint(input: LayerInput, ep: DepEndpoint, compose: ComposeScope | null): Promise<DepResult> {
  const first = ep.hosts[0] as DepHost;
  if (ep.srv) {
    return { verdict: 'unknown', code: null, message: 'mongodb+srv:// takes its hosts from a DNS SRV record, which deckhand does not look up from the target', host: first, evidence: [] };
  }
  let handshake: Handshake;
  try {
    handshake = await PROTOCOL[ep.protocol].load();
  } catch (e) {
    return { verdict: 'unknown', code: null, message: `the ${PROTOCOL[ep.protocol].name} client library could not be loaded: ${e instanceof Error ? e.message : String(e)}`, host: first, evidence: [] };
  }
  // A seed list (MongoDB) is healthy when one member answers, as it is for the app's driver.
  const tried: DepResult[] = [];
  for (const h of ep.hosts) {
    const r = await tryHost(input, ep, h, handshake, compose);
    if (r.verdict === 'ok' || r.verdict === 'auth') return { ...r, evidence: [...tried.flatMap((t) => t.evidence), ...r.evidence] };
    tried.push(r);
  }
  const last = tried[tried.length - 1] as DepResult;
  return { ...last, evidence: tried.flatMap((t) => t.evidence) };
}

const LABEL: Record<DepVerdict, string> = { ok: 'OK', auth: 'auth failed', unreachable: 'unreachable', dns: 'DNS failure', tls: 'TLS failure', unknown: 'could not check' };

function remedyFor(r: DepResult, ep: DepEndpoint): string {
  const keys = ep.keys.join(', ');
  const at = `${r.host.host}:${r.host.port}`;
  switch (r.verdict) {
    case 'auth': return `check the user, password and database in ${keys}, and that the server accepts that login from the target's address (pg_hba.conf, MySQL GRANT … @host, Redis ACL, RabbitMQ vhost permissions)`;
    case 'unreachable': return `start the service at ${at} or correct ${keys}; check firewalls and security groups between the target and ${at}`;
    case 'dns': return `correct the host name in ${keys}, or the target's name resolution (/etc/hosts, /etc/resolv.conf, the private DNS zone)`;
    case 'tls': return `match the TLS settings in ${keys} (sslmode, rediss://, tls=true, amqps://) to what the server offers, or fix its certificate`;
    default: return `connect to ${at} by hand from the target with the service's own client`;
  }
}

/** The finding for one endpoint; every string is masked. */
export function depFinding(input: LayerInput, ep: DepEndpoint, r: DepResult): Finding {
  const mask = (s: string): string => input.ctx.redactor.mask(s);
  const proto = PROTOCOL[ep.protocol].name;
  const code = r.code && r.code !== 'DH_TIMEOUT' ? ` [${r.code}]` : '';
  const summary = r.verdict === 'ok'
    ? `OK: ${ep.display} (${r.message}, from the target's side)`
    : r.verdict === 'dns'
      ? `DNS failure: ${r.host.host} does not resolve on the target (${ep.display})`
      : `${LABEL[r.verdict]}: ${ep.display}${code} ${r.message}`;
  const status = r.verdict === 'ok' ? 'pass' : r.verdict === 'unknown' ? 'unknown' : 'fail';
  return vfinding(`deps.${ep.keys[0] ?? ep.protocol}`, 'deps', `${ep.keys.join(', ')} (${proto})`, status, mask(summary), {
    required: true,
    ...(r.evidence.length > 0 ? { evidence: mask(r.evidence.join('\n')) } : {}),
    ...(ep.hosts.length > 1 ? { detail: mask(`${ep.hosts.length} hosts listed; ${r.verdict === 'ok' ? 'answered' : 'tried last'}: ${r.host.host}:${r.host.port}`) } : {}),
    remedy: mask(remedyFor(r, ep)),
  });
}

/** One handshake per dependency URL of the env file (its secrets registered first), and the finding of each. */
export async function dependencyHandshakes(input: LayerInput, envFileText: string): Promise<{ found: ReturnType<typeof discoverDeps>; results: { ep: DepEndpoint; result: DepResult; finding: Finding }[] }> {
  const found = discoverDeps(envFileText);
  // Before anything is shown, including errors a library might echo back.
  input.ctx.redactor.add(...found.secrets);
  if (found.endpoints.length === 0) return { found, results: [] };
  const compose = await composeScope(input);
  const results = await mapLimited(found.endpoints, CONCURRENCY, (ep) => checkEndpoint(input, ep, compose));
  return { found, results: found.endpoints.map((ep, i) => ({ ep, result: results[i] as DepResult, finding: depFinding(input, ep, results[i] as DepResult) })) };
}

export const checkDeps: LayerCheck = async (input) => {
  const { ctx } = input;
  if (input.envFileText === null) {
    return [vfinding('deps.none', 'deps', 'Dependencies', 'skipped', 'no env file was read on the target, so no dependency URLs to check', { required: false })];
  }
  const { found, results } = await dependencyHandshakes(input, input.envFileText);
  const notes = found.notes.map((n) => vfinding(`deps.${n.key.split(',')[0] ?? n.key}`, 'deps', n.key, n.status, ctx.redactor.mask(`${n.display}: ${n.reason}`), {
    required: n.status === 'unknown',
    ...(n.status === 'unknown' ? { remedy: `check ${n.key} in the env file` } : {}),
  }));
  if (results.length === 0) {
    return notes.length > 0 ? notes : [vfinding('deps.none', 'deps', 'Dependencies', 'skipped', 'no dependency URLs (database, Redis, MongoDB, AMQP) in the env file', { required: false })];
  }
  return [...results.map((r) => r.finding), ...notes];
};
