// Reverse proxy: the health path through the proxy (nginx) against the app directly; a 502/504 means the proxy cannot reach the app.
import type { Finding } from '../../../report/common.js';
import type { Tunnel } from '../../../exec/types.js';
import { bodyExcerpt, httpRequest, joinUrl, type HttpOutcome, type Via } from '../http-client.js';
import type { LayerCheck, LayerInput } from '../types.js';
import { vfinding } from './on-target.js';

const ID = 'proxy.health';
const TITLE = 'Reverse proxy';
/** What nginx (and most proxies) answer when the upstream refuses (502) or does not answer in time (504). */
const UPSTREAM_DOWN = new Set([502, 504]);

/** Where the proxy is asked: the URL shown, and the tunnel the bytes take when it is on the target's loopback. */
interface ProxySide { url: string; via: Via | null; how: string; tunnel: Tunnel | null }

function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\./.test(h);
}

/** An outcome in one line: "HTTP 200 (15 bytes)" or the failure. */
export function describeOutcome(o: HttpOutcome): string {
  return o.ok ? `HTTP ${o.response.status} (${o.response.bodyBytes} bytes)` : `${o.failure.kind}: ${o.failure.message}`;
}

export type ProxyVerdict =
  | { status: 'pass' | 'warn' | 'fail'; summary: string };

/**
 * The comparison: 502/504 through the proxy fails; a proxy that does not answer fails; a different status or body
 * than the app's own is a warning (a stale upstream, another app behind the name, a cached page); the same passes.
 */
export function compareProxy(proxy: HttpOutcome, direct: HttpOutcome | null, appAt: string | null): ProxyVerdict {
  if (!proxy.ok) return { status: 'fail', summary: `the proxy does not answer: ${proxy.failure.message}` };
  const p = proxy.response;
  if (UPSTREAM_DOWN.has(p.status)) {
    const app = direct === null ? '' : direct.ok ? `; the app itself answers ${describeOutcome(direct)} on ${appAt}` : `; the app does not answer on ${appAt} either (${direct.failure.message})`;
    return { status: 'fail', summary: `the proxy cannot reach the app: ${p.status}${app}` };
  }
  if (direct === null) {
    const okish = p.status >= 200 && p.status < 400;
    return { status: okish ? 'pass' : 'warn', summary: `the proxy answers HTTP ${p.status} (no direct comparison: the app's port is not known)` };
  }
  if (!direct.ok) return { status: 'warn', summary: `the proxy answers HTTP ${p.status}, but the app does not answer on ${appAt} (${direct.failure.message}): the proxy serves something else` };
  const d = direct.response;
  if (p.status !== d.status) return { status: 'warn', summary: `the proxy answers HTTP ${p.status}, the app directly HTTP ${d.status}` };
  const same = p.body !== null && d.body !== null ? p.body.trim() === d.body.trim() : p.bodyBytes === d.bodyBytes;
  if (!same) return { status: 'warn', summary: `both answer HTTP ${p.status}, but the bodies differ (proxy ${p.bodyBytes} bytes, app ${d.bodyBytes} bytes)` };
  return { status: 'pass', summary: `the proxy and the app agree: HTTP ${p.status} (${p.bodyBytes} bytes)` };
}

async function hasNginx(input: LayerInput): Promise<boolean | null> {
  try {
    const r = await input.ctx.executor.run({ argv: ['sh', '-c', 'command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]'], mutates: false, timeoutMs: 10_000, description: 'is nginx installed' });
    return r.exitCode === 0;
  } catch {
    return null;
  }
}

/** The proxy side, a finding when there is nothing to ask (skipped) or no way to reach it (unknown), or null for no proxy. */
async function proxySide(input: LayerInput): Promise<ProxySide | Finding | null> {
  const { ctx, target, options } = input;
  const path = target.healthPath ?? '/';
  if (options.proxyUrl) {
    let u: URL;
    try {
      u = new URL(options.proxyUrl);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error(`unsupported scheme ${u.protocol}`);
    } catch (e) {
      return vfinding(ID, 'proxy', TITLE, 'unknown', ctx.redactor.mask(`the proxy URL is not usable: ${(e as Error).message}`), { remedy: 'pass an http:// or https:// proxy URL' });
    }
    let decoded = u.password;
    try { decoded = decodeURIComponent(u.password); } catch { /* keep it as written */ }
    ctx.redactor.add(decoded, u.password);
    u.username = '';
    u.password = '';
    if (!isLoopback(u.hostname)) return { url: joinUrl(u.toString(), path), via: null, how: 'from this machine', tunnel: null };
    // The target's own loopback: through a tunnel, with the app's server name as Host when known (name-based vhosts).
    const port = Number(u.port || (u.protocol === 'https:' ? 443 : 80));
    const tunnel = await ctx.executor.forward(u.hostname.replace(/^\[|\]$/g, ''), port);
    if (target.serverName) u.hostname = target.serverName;
    return { url: joinUrl(u.toString(), path), via: { origin: u.origin, host: tunnel.host, port: tunnel.port }, how: `through ${ctx.executor.host.kind === 'local' ? 'a direct connection' : 'an SSH forward'} to ${port} on ${ctx.executor.host.display}`, tunnel };
  }
  if (!target.serverName) return null;
  const nginx = await hasNginx(input);
  if (nginx === false) return vfinding(ID, 'proxy', TITLE, 'skipped', `no nginx on the target in front of ${target.serverName}, and no --proxy-url`, { required: false });
  const tunnel = await ctx.executor.forward('127.0.0.1', 80);
  const base = `http://${target.serverName}`;
  return {
    url: joinUrl(base, path), via: { origin: new URL(base).origin, host: tunnel.host, port: tunnel.port },
    how: `nginx on port 80 of ${ctx.executor.host.display} (Host: ${target.serverName})`, tunnel,
  };
}

export const checkProxy: LayerCheck = async (input) => {
  const { ctx, target, options } = input;
  const mask = (s: string): string => ctx.redactor.mask(s);
  let side: ProxySide | Finding | null;
  try {
    side = await proxySide(input);
  } catch (e) {
    return [vfinding(ID, 'proxy', TITLE, 'unknown', mask(`could not open a path to the proxy: ${e instanceof Error ? e.message : String(e)}`), {
      remedy: 'allow TCP forwarding for this SSH user (AllowTcpForwarding), or pass a --proxy-url reachable from here',
    })];
  }
  if (side === null) return [vfinding(ID, 'proxy', TITLE, 'skipped', 'no reverse proxy configured (no --proxy-url, no server name)', { required: false })];
  if ('status' in side) return [side];
  const proxy = side;
  let direct: Tunnel | null = null;
  try {
    const appAt = target.port === null ? null : `127.0.0.1:${target.port}`;
    let directOutcome: HttpOutcome | null = null;
    let directUrl: string | null = null;
    const proxyOutcome = httpRequest({ method: 'GET', url: proxy.url, via: proxy.via, timeoutMs: options.requestTimeoutMs, ...(ctx.signal ? { signal: ctx.signal } : {}) });
    if (target.port !== null) {
      const base = `http://127.0.0.1:${target.port}`;
      directUrl = joinUrl(base, target.healthPath ?? '/');
      try {
        direct = await ctx.executor.forward('127.0.0.1', target.port);
        directOutcome = await httpRequest({
          method: 'GET', url: directUrl, via: { origin: new URL(base).origin, host: direct.host, port: direct.port }, timeoutMs: options.requestTimeoutMs,
          ...(ctx.signal ? { signal: ctx.signal } : {}),
        });
      } catch (e) {
        directOutcome = { ok: false, failure: { kind: 'other', message: `no path to ${appAt}: ${e instanceof Error ? e.message : String(e)}`, url: directUrl, redirects: [], elapsedMs: 0 } };
      }
    }
    const p = await proxyOutcome;
    const v = compareProxy(p, directOutcome, appAt);
    const ev = [`GET ${proxy.url} via ${proxy.how} → ${describeOutcome(p)}`];
    if (p.ok && v.status !== 'pass') ev.push(`  proxy body: ${bodyExcerpt(p.response, mask, 200)}`);
    if (directUrl !== null && directOutcome !== null) {
      ev.push(`GET ${directUrl} on ${ctx.executor.host.display} (the app directly) → ${describeOutcome(directOutcome)}`);
      if (directOutcome.ok && v.status !== 'pass') ev.push(`  app body: ${bodyExcerpt(directOutcome.response, mask, 200)}`);
    }
    const remedy = v.status === 'fail'
      ? (p.ok ? `make the proxy's upstream point at the app (${appAt ?? 'its port'}): check proxy_pass / upstream in the site config and that the app listens there, then reload nginx`
        : 'start the proxy (systemctl status nginx) or correct --proxy-url')
      : 'check that the proxy routes this name and path to this app (proxy_pass, caching, another site answering)';
    return [vfinding(ID, 'proxy', TITLE, v.status, mask(v.summary), { required: v.status === 'fail', evidence: mask(ev.join('\n')), remedy: mask(remedy) })];
  } finally {
    await proxy.tunnel?.close().catch(() => undefined);
    await direct?.close().catch(() => undefined);
  }
};
