// A bounded HTTP client for verification: one deadline, at most 5 redirects, at most 1 MiB of body, typed failures.
import { request as httpRequestRaw, type IncomingMessage } from 'node:http';
import { request as httpsRequestRaw } from 'node:https';
import { isIP } from 'node:net';
import type { ConditionResponse } from './conditions/index.js';

export const MAX_BODY_BYTES = 1024 * 1024;
export const MAX_REDIRECTS = 5;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** Connect to `host:port` instead whenever a URL's origin is `origin` (a tunnel to the target's loopback). */
export interface Via { origin: string; host: string; port: number }

export interface HttpRequest {
  method: string;
  /** The URL as the service sees it (shown in findings); `via` decides where the bytes actually go. */
  url: string;
  headers?: Record<string, string>;
  body?: string;
  /** For the whole exchange, redirects and body included. */
  timeoutMs: number;
  via?: Via | null;
  signal?: AbortSignal;
  maxBodyBytes?: number;
  maxRedirects?: number;
}

export interface HttpResponse extends ConditionResponse {
  /** The URL that answered (after redirects). */
  url: string;
  statusText: string;
  /** Every URL redirected to, in order. */
  redirects: string[];
  truncated: boolean;
}

export type HttpFailureKind = 'refused' | 'timeout' | 'reset' | 'dns' | 'unreachable' | 'tls' | 'protocol' | 'redirect-loop' | 'too-many-redirects' | 'bad-url' | 'cancelled' | 'other';

export interface HttpFailure {
  kind: HttpFailureKind;
  /** One line, e.g. "connection refused", "no answer within 2000ms", "redirect loop: /a → /b → /a". */
  message: string;
  url: string;
  redirects: string[];
  elapsedMs: number;
}

export type HttpOutcome = { ok: true; response: HttpResponse } | { ok: false; failure: HttpFailure };

class Timeout extends Error {}

/** Joins a path to a base URL, keeping the base's own path prefix (`https://x/app` + `/health` → `https://x/app/health`). */
export function joinUrl(base: string, path: string): string {
  if (/^https?:\/\//i.test(path)) return path;
  const u = new URL(base);
  const prefix = u.pathname.replace(/\/+$/, '');
  const [p, q] = splitQuery(path.startsWith('/') ? path : `/${path}`);
  u.pathname = `${prefix}${p}`;
  u.search = q;
  return u.toString();
}

function splitQuery(path: string): [string, string] {
  const i = path.indexOf('?');
  return i < 0 ? [path, ''] : [path.slice(0, i), path.slice(i)];
}

/** Sends one request, following redirects; never throws for network trouble (that is a failure outcome). */
export async function httpRequest(req: HttpRequest): Promise<HttpOutcome> {
  const t0 = performance.now();
  const deadline = t0 + req.timeoutMs;
  const maxRedirects = req.maxRedirects ?? MAX_REDIRECTS;
  const redirects: string[] = [];
  const seen = new Set<string>();
  let method = req.method.toUpperCase();
  let body = req.body;
  let headers = { ...(req.headers ?? {}) };
  let url: URL;
  try {
    url = new URL(req.url);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`unsupported scheme ${url.protocol}`);
  } catch (e) {
    return { ok: false, failure: { kind: 'bad-url', message: `not a usable URL: ${(e as Error).message}`, url: req.url, redirects, elapsedMs: 0 } };
  }
  const fail = (kind: HttpFailureKind, message: string): HttpOutcome => ({ ok: false, failure: { kind, message, url: url.toString(), redirects, elapsedMs: Math.round(performance.now() - t0) } });
  for (;;) {
    seen.add(`${method} ${url.toString()}`);
    let hop: Hop;
    try {
      hop = await send(url, method, headers, body, deadline, req);
    } catch (e) {
      if (e instanceof Timeout) return fail('timeout', `no answer within ${req.timeoutMs}ms`);
      const [kind, message] = classify(e, url, req.signal);
      return fail(kind, message);
    }
    const location = hop.headers.location;
    if (REDIRECT_STATUSES.has(hop.status) && location !== undefined) {
      let next: URL;
      try {
        next = new URL(location, url);
      } catch {
        return fail('protocol', `redirect to an unusable location ${JSON.stringify(location)}`);
      }
      if (hop.status === 303 || ((hop.status === 301 || hop.status === 302) && method === 'POST')) {
        method = method === 'HEAD' ? 'HEAD' : 'GET';
        body = undefined;
      }
      // Credentials are for the origin they were written for, not for wherever it redirects.
      if (next.origin !== url.origin) headers = Object.fromEntries(Object.entries(headers).filter(([k]) => !/^(authorization|cookie)$/i.test(k)));
      const key = `${method} ${next.toString()}`;
      redirects.push(next.toString());
      if (seen.has(key)) {
        url = next;
        return fail('redirect-loop', `redirect loop: ${[req.url, ...redirects].map((r) => shortUrl(r, req.url)).join(' → ')}`);
      }
      if (redirects.length > maxRedirects) {
        url = next;
        return fail('too-many-redirects', `more than ${maxRedirects} redirects: ${[req.url, ...redirects].map((r) => shortUrl(r, req.url)).join(' → ')}`);
      }
      url = next;
      continue;
    }
    return {
      ok: true,
      response: {
        status: hop.status, statusText: hop.statusText, headers: hop.headers, body: decodeUtf8(hop.body, hop.truncated), bodyBytes: hop.body.length,
        truncated: hop.truncated, responseTimeMs: Math.round(performance.now() - t0), url: url.toString(), redirects,
      },
    };
  }
}

/** A path when on the same origin as the first URL, the full URL otherwise. */
function shortUrl(u: string, first: string): string {
  try {
    const a = new URL(u);
    return a.origin === new URL(first).origin ? `${a.pathname}${a.search}` : u;
  } catch {
    return u;
  }
}

/** The body as text, or null when it is not UTF-8 (shown as a byte count, never as mojibake). */
function decodeUtf8(buf: Buffer, truncated: boolean): string | null {
  try {
    // A cut body may end inside a multi-byte character; `stream` leaves that tail out instead of failing.
    return new TextDecoder('utf-8', { fatal: true }).decode(buf, { stream: truncated });
  } catch {
    return null;
  }
}

interface Hop { status: number; statusText: string; headers: Record<string, string>; body: Buffer; truncated: boolean }

function send(url: URL, method: string, headers: Record<string, string>, body: string | undefined, deadline: number, req: HttpRequest): Promise<Hop> {
  const remaining = Math.max(1, deadline - performance.now());
  const via = req.via && req.via.origin === url.origin ? req.via : null;
  const https = url.protocol === 'https:';
  const hostname = url.hostname.replace(/^\[|\]$/g, '');
  const maxBody = req.maxBodyBytes ?? MAX_BODY_BYTES;
  const hdrs: Record<string, string> = { 'user-agent': 'deckhand-verify', accept: '*/*', ...lowerKeys(headers), host: url.host };
  if (body !== undefined) hdrs['content-length'] = String(Buffer.byteLength(body));
  return new Promise<Hop>((resolve, reject) => {
    let settled = false;
    const done = (f: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.signal?.removeEventListener('abort', onAbort);
      f();
    };
    const opts = {
      host: via ? via.host : hostname, port: via ? via.port : Number(url.port || (https ? 443 : 80)), method, path: `${url.pathname}${url.search}`,
      headers: hdrs, agent: false as const,
      // Certificates are the TLS layer's finding; here a bad certificate must not hide whether the app is healthy.
      ...(https ? { rejectUnauthorized: false, ...(isIP(hostname) ? {} : { servername: hostname }) } : {}),
    };
    const r = (https ? httpsRequestRaw : httpRequestRaw)(opts, (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let truncated = false;
      const finish = (): void => done(() => resolve({ status: res.statusCode ?? 0, statusText: res.statusMessage ?? '', headers: flatHeaders(res), body: Buffer.concat(chunks), truncated }));
      res.on('data', (c: Buffer) => {
        if (truncated) return;
        if (size + c.length > maxBody) {
          chunks.push(c.subarray(0, maxBody - size));
          size = maxBody;
          truncated = true;
          finish();
          res.destroy();
          return;
        }
        chunks.push(c);
        size += c.length;
      });
      res.on('end', finish);
      res.on('error', (e) => done(() => reject(e)));
      res.on('aborted', () => done(() => reject(Object.assign(new Error('the connection closed in the middle of the body'), { code: 'ECONNRESET' }))));
    });
    const timer = setTimeout(() => {
      done(() => reject(new Timeout()));
      r.destroy();
    }, remaining);
    const onAbort = (): void => {
      done(() => reject(Object.assign(new Error('cancelled'), { code: 'ABORT_ERR' })));
      r.destroy();
    };
    if (req.signal?.aborted) onAbort();
    else req.signal?.addEventListener('abort', onAbort, { once: true });
    r.on('error', (e) => done(() => reject(e)));
    r.end(body);
  });
}

function lowerKeys(h: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));
}

function flatHeaders(res: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

function classify(e: unknown, url: URL, signal?: AbortSignal): [HttpFailureKind, string] {
  const err = e as NodeJS.ErrnoException;
  const code = err.code ?? '';
  const where = url.host;
  if (signal?.aborted || code === 'ABORT_ERR') return ['cancelled', 'cancelled'];
  if (code === 'ECONNREFUSED') return ['refused', `connection refused (${where})`];
  if (code === 'ECONNRESET' || err.message === 'socket hang up') return ['reset', `connection closed without a complete answer (${where})`];
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return ['dns', `host name ${url.hostname} does not resolve`];
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'ETIMEDOUT') return ['unreachable', `${where} is unreachable (${code})`];
  if (code.startsWith('HPE_')) return ['protocol', `the answer is not valid HTTP (${err.message})`];
  if (code === 'EPROTO' || code.startsWith('ERR_SSL') || code.startsWith('ERR_TLS')) return ['tls', `TLS handshake failed: ${err.message.split('\n')[0] ?? code}`];
  return ['other', err.message || String(e)];
}

/** The start of a body for a finding: masked before it is cut, so no secret is split across the cut. */
export function bodyExcerpt(res: Pick<HttpResponse, 'body' | 'bodyBytes' | 'truncated'>, mask: (s: string) => string, max = 300): string {
  if (res.body === null) return `<${res.bodyBytes} bytes, not UTF-8 text>`;
  if (res.body.length === 0) return '<empty body>';
  const masked = mask(res.body);
  // Control characters would garble a terminal; they are shown as U+FFFD.
  const clean = (s: string): string => s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '\uFFFD');
  const more = masked.length > max ? '…' : '';
  return `${clean(masked.slice(0, max))}${more}${res.truncated ? ` (body cut at ${MAX_BODY_BYTES / 1024 / 1024} MiB)` : ''}`;
}
