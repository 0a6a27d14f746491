// The certificates nginx serves for the app: server blocks that proxy to it (or name it), their server_name and ssl_certificate, read with openssl.
import { tokenize } from '../certs/nginx-config.js';
import { parseCertLines } from '../certs/inventory.js';
import type { CertFile, SiteFile } from './probe.js';

export interface ServerBlock {
  file: string;
  serverNames: string[];
  proxyPasses: string[];
  certificates: string[];
  /** The block names the app as a path part (`/opt/<app>/…`, a static site's root) or its blue-green upstream. */
  namesApp: boolean;
}

export interface CertStatus {
  path: string;
  /** Domains the server blocks using it answer for (server_name). */
  domains: string[];
  site: string;
  subject: string | null;
  issuer: string | null;
  notAfter: string | null;
  daysLeft: number | null;
  status: 'ok' | 'expiring' | 'expired' | 'unknown';
  /** Why it could not be read (missing file, permission, not PEM), or null. */
  problem: string | null;
}

/** Days under which a certificate needs renewing now. */
export const CERT_IMMEDIATE_DAYS = 15;

/** Server blocks of one nginx file; directives of nested blocks (location) count for their server. */
export function serverBlocks(file: SiteFile, app: string): ServerBlock[] {
  const out: ServerBlock[] = [];
  const stack: string[] = [];
  let cur: ServerBlock | null = null;
  let depth = -1;
  let words: string[] = [];
  const names = [`/${app}/`, `/${app}`, `${app}_app`];
  for (const t of tokenize(file.text)) {
    if (t.quoted || (t.text !== '{' && t.text !== '}' && t.text !== ';')) {
      words.push(t.text);
      if (cur && names.some((n) => t.text.includes(n) && (n !== `/${app}` || t.text.endsWith(n)))) cur.namesApp = true;
      continue;
    }
    const [name, ...args] = words;
    words = [];
    if (t.text === '{') {
      stack.push(name ?? '');
      if (name === 'server' && !cur) { cur = { file: file.path, serverNames: [], proxyPasses: [], certificates: [], namesApp: false }; depth = stack.length; }
      continue;
    }
    if (t.text === '}') {
      if (cur && stack.length === depth) { out.push(cur); cur = null; }
      stack.pop();
      continue;
    }
    if (!cur) continue;
    if (name === 'server_name') cur.serverNames.push(...args.filter((a) => a !== '_' && a !== ''));
    else if (name === 'proxy_pass') cur.proxyPasses.push(...args);
    else if (name === 'ssl_certificate' && args[0]) cur.certificates.push(args[0]);
  }
  return out;
}

/** Whether a server block sends traffic to the app: proxy_pass to its port on this host, its blue-green upstream, or it names the app. */
export function servesApp(b: ServerBlock, port: number | null): boolean {
  const local = port === null ? null : new RegExp(String.raw`^https?://(127\.0\.0\.1|localhost|\[::1\]|0\.0\.0\.0):${port}(/|$)`);
  return b.namesApp || b.proxyPasses.some((p) => local?.test(p) ?? false);
}

/** The certificates of the blocks that serve the app, each read (or unknown with the reason). */
export function certStatuses(sites: readonly SiteFile[], reads: readonly CertFile[], app: string, port: number | null, nowSec: number): CertStatus[] {
  const byPath = new Map<string, CertStatus>();
  for (const b of sites.flatMap((s) => serverBlocks(s, app)).filter((x) => servesApp(x, port))) {
    for (const path of b.certificates) {
      const known = byPath.get(path);
      if (known) { known.domains = [...new Set([...known.domains, ...b.serverNames])]; continue; }
      const r = reads.find((x) => x.path === path);
      const c = r ? parseCertLines(r.lines) : null;
      const end = c?.notAfter ? Date.parse(c.notAfter) : Number.NaN;
      const days = c && c.error === null && !Number.isNaN(end) ? Math.floor((end - nowSec * 1000) / 86_400_000) : null;
      byPath.set(path, {
        path, domains: [...new Set(b.serverNames)], site: b.file, subject: c?.subject ?? null, issuer: c?.issuer ?? null, notAfter: c?.notAfter ?? null, daysLeft: days,
        status: days === null ? 'unknown' : days < 0 ? 'expired' : days < CERT_IMMEDIATE_DAYS ? 'expiring' : 'ok',
        problem: days !== null ? null : c === null ? 'not read (the probe did not reach it)' : c.error ?? 'openssl printed no expiry date',
      });
    }
  }
  return [...byPath.values()];
}
