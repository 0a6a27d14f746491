// TLS layer: the served chain against the system CAs, the hostname, days to expiry of every certificate, the leaf's fingerprint.
import { checkServerIdentity, connect, rootCertificates, type DetailedPeerCertificate, type PeerCertificate } from 'node:tls';
import { isIP } from 'node:net';
import type { Finding } from '../../../report/common.js';
import type { LayerCheck } from '../types.js';
import { webFinding } from './web-finding.js';
import { connectAddress, type ResolveOverride } from '../resolve.js';

const DAY_MS = 86_400_000;

export interface TlsInspectOptions {
  timeoutMs: number;
  warnDays: number;
  now: Date;
  /** Extra trusted CA certificates (PEM); the system CAs otherwise. */
  ca?: string | Buffer;
  mask?: (s: string) => string;
  /** `--resolve`: connect to this address when the URL's host and port match; SNI stays the host name. */
  resolve?: ResolveOverride;
}

/** Only the https URL of the target (or of the proxy in front) is checked; plain http has no certificate. */
export const checkTls: LayerCheck = async (input) => {
  const url = [input.target.url, input.options.proxyUrl].find((u): u is string => typeof u === 'string' && /^https:/i.test(u));
  if (!url) return [webFinding('tls', 'tls', 'TLS', 'skipped', 'no https URL to check', {})];
  return inspectTls(url, {
    timeoutMs: input.options.requestTimeoutMs, warnDays: input.options.tlsWarnDays, now: input.ctx.now?.() ?? new Date(), mask: (s) => input.ctx.redactor.mask(s),
    ...(input.options.tlsCa ? { ca: input.options.tlsCa } : {}),
    ...(input.options.resolve ? { resolve: input.options.resolve } : {}),
  });
};

interface Handshake { authorized: boolean; error: string | null; chain: PeerCertificate[]; protocol: string | null }

/** Connects (SNI = the host name), and returns the chain, hostname and expiry findings; network trouble is `unknown`. */
export async function inspectTls(url: string, opts: TlsInspectOptions): Promise<Finding[]> {
  const mask = opts.mask ?? ((s: string) => s);
  const u = new URL(url);
  const host = u.hostname.replace(/^\[|\]$/g, '');
  const port = Number(u.port || 443);
  const where = mask(`${host}:${port}`);
  let hs: Handshake;
  try {
    hs = await handshake(host, port, opts, connectAddress(url, opts.resolve)?.host ?? host);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const code = err.code ?? '';
    if (code === 'ETIMEOUT' || code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH') {
      return [webFinding('tls.connect', 'tls', `TLS ${where}`, 'unknown', mask(`could not connect: ${err.message}`), { required: true, remedy: 'see the HTTP health section: the address does not answer' })];
    }
    return [webFinding('tls.connect', 'tls', `TLS ${where}`, 'fail', mask(`TLS handshake failed: ${err.message.split('\n')[0] ?? code}`), {
      required: true, remedy: `check that ${where} speaks TLS (not plain HTTP) and has a certificate configured`,
    })];
  }
  const leaf = hs.chain[0];
  if (!leaf) return [webFinding('tls.connect', 'tls', `TLS ${where}`, 'fail', 'the server sent no certificate', { required: true })];
  const fp = leaf.fingerprint256;
  const leafName = describeCert(leaf);
  return [chainFinding(hs, where, leafName, fp, mask), hostnameFinding(host, leaf, where, mask), expiryFinding(hs.chain, opts, where, mask)];
}

function handshake(host: string, port: number, opts: TlsInspectOptions, address: string = host): Promise<Handshake> {
  return new Promise((resolve, reject) => {
    // Verification is judged from authorizationError rather than by refusing: a bad chain is a finding, not a dead end.
    // Node's `ca` replaces the default store; the bundled roots are kept so an extra CA adds trust rather than narrowing it.
    const ca = opts.ca ? { ca: [...rootCertificates, typeof opts.ca === 'string' ? opts.ca : opts.ca.toString('utf8')] } : {};
    const socket = connect({ host: address, port, rejectUnauthorized: false, ...(isIP(host) ? {} : { servername: host }), ...ca });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(Object.assign(new Error(`no TLS handshake within ${opts.timeoutMs}ms`), { code: 'ETIMEOUT' }));
    }, opts.timeoutMs);
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      const chain: PeerCertificate[] = [];
      let cert: DetailedPeerCertificate | undefined = socket.getPeerCertificate(true);
      const seen = new Set<string>();
      while (cert && cert.fingerprint256 && !seen.has(cert.fingerprint256)) {
        seen.add(cert.fingerprint256);
        chain.push(cert);
        cert = cert.issuerCertificate as DetailedPeerCertificate | undefined;
      }
      const err = socket.authorizationError as unknown;
      resolve({ authorized: socket.authorized, error: err === null || err === undefined ? null : String((err as { code?: string }).code ?? err), chain, protocol: socket.getProtocol() });
      socket.end();
      socket.destroy();
    });
    socket.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

function describeCert(c: PeerCertificate): string {
  const cn = c.subject?.CN;
  return Array.isArray(cn) ? cn.join(', ') : cn ?? (c.subject ? Object.entries(c.subject).map(([k, v]) => `${k}=${String(v)}`).join(', ') : '(no subject)');
}

const CHAIN_ERRORS: Record<string, string> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: 'the certificate is self-signed: no trusted CA issued it',
  SELF_SIGNED_CERT_IN_CHAIN: 'the chain ends in a self-signed root that is not trusted',
  CERT_HAS_EXPIRED: 'a certificate in the chain has expired',
  CERT_NOT_YET_VALID: 'a certificate in the chain is not valid yet (check the server clock)',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'the chain is incomplete: the issuer of the certificate is unknown (missing intermediate?)',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'the issuer is not a trusted CA (unknown CA, or the intermediate certificate is not sent)',
  UNABLE_TO_GET_ISSUER_CERT: 'the issuer certificate could not be found',
  CERT_REVOKED: 'the certificate has been revoked',
  CERT_SIGNATURE_FAILURE: 'a signature in the chain does not verify',
};

function chainFinding(hs: Handshake, where: string, leafName: string, fp: string, mask: (s: string) => string): Finding {
  const title = `Certificate chain ${where}`;
  const detail = mask(`leaf: ${leafName}; SHA-256 ${fp}${hs.protocol ? `; ${hs.protocol}` : ''}`);
  const evidence = mask(hs.chain.map((c, i) => `#${i} ${describeCert(c)} (issuer ${issuerName(c)}), valid ${c.valid_from} → ${c.valid_to}`).join('\n'));
  // A hostname mismatch is reported by its own finding; for the chain it means verification got that far.
  if (hs.authorized || hs.error === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    const root = hs.chain[hs.chain.length - 1];
    return webFinding('tls.chain', 'tls', title, 'pass', mask(`trusted chain to ${root ? describeCert(root) : 'a trusted CA'}; leaf SHA-256 ${fp}`), { detail, evidence });
  }
  const code = hs.error ?? 'unknown error';
  const reason = CHAIN_ERRORS[code] ?? `the chain does not verify (${code})`;
  const remedy = code === 'DEPTH_ZERO_SELF_SIGNED_CERT' || code === 'SELF_SIGNED_CERT_IN_CHAIN'
    ? 'serve a certificate from a public CA (e.g. Let\'s Encrypt); self-signed certificates make browsers and clients refuse the site'
    : code === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' || code === 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY'
      ? 'serve the full chain (leaf + intermediates, e.g. fullchain.pem) from a trusted CA'
      : code === 'CERT_HAS_EXPIRED' ? 'renew the certificate and reload the server' : 'fix the certificate configuration';
  return webFinding('tls.chain', 'tls', title, 'fail', `${reason} (${code})`, { required: true, detail, evidence, remedy });
}

function issuerName(c: PeerCertificate): string {
  const cn = c.issuer?.CN;
  return Array.isArray(cn) ? cn.join(', ') : cn ?? '?';
}

function hostnameFinding(host: string, leaf: PeerCertificate, where: string, mask: (s: string) => string): Finding {
  const title = `Certificate name ${where}`;
  const names = (leaf.subjectaltname ?? '').split(/,\s*/).filter(Boolean).map((s) => s.replace(/^(DNS|IP Address):/, ''));
  const covered = names.length > 0 ? names.join(', ') : `CN ${describeCert(leaf)}`;
  const err = checkServerIdentity(host, leaf);
  if (!err) return webFinding('tls.hostname', 'tls', title, 'pass', mask(`the certificate covers ${host}`), { evidence: mask(`names: ${covered}`) });
  return webFinding('tls.hostname', 'tls', title, 'fail', mask(`hostname mismatch: the certificate is for ${covered}, not ${host}`), {
    required: true, evidence: mask(err.message), remedy: mask(`issue a certificate that includes ${host} (or serve the right one for this name via SNI)`),
  });
}

function expiryFinding(chain: readonly PeerCertificate[], opts: TlsInspectOptions, where: string, mask: (s: string) => string): Finding {
  const title = `Certificate expiry ${where}`;
  const now = opts.now.getTime();
  const rows = chain.map((c, i) => {
    const to = Date.parse(c.valid_to);
    const days = Number.isNaN(to) ? null : Math.floor((to - now) / DAY_MS);
    return { c, i, to, days, expired: !Number.isNaN(to) && to <= now };
  });
  const evidence = mask(rows.map((r) => `#${r.i} ${describeCert(r.c)}: ${r.c.valid_to}${r.days === null ? ' (unreadable date)' : r.expired ? ' (EXPIRED)' : ` (${r.days} days left)`}`).join('\n'));
  const label = (r: (typeof rows)[number]): string => (r.i === 0 ? `the certificate (${describeCert(r.c)})` : `chain certificate #${r.i} (${describeCert(r.c)})`);
  const date = (r: (typeof rows)[number]): string => (Number.isNaN(r.to) ? r.c.valid_to : new Date(r.to).toISOString().slice(0, 10));
  const expired = rows.filter((r) => r.expired);
  if (expired.length > 0) {
    const r = expired[0] as (typeof rows)[number];
    return webFinding('tls.expiry', 'tls', title, 'fail', mask(`${label(r)} expired on ${date(r)}${expired.length > 1 ? ` (${expired.length} expired certificates)` : ''}`), {
      required: true, evidence, remedy: 'renew the certificate now and reload the server',
    });
  }
  const unreadable = rows.find((r) => r.days === null);
  if (unreadable) return webFinding('tls.expiry', 'tls', title, 'unknown', mask(`could not read the expiry date of ${label(unreadable)}`), { required: true, evidence });
  const soonest = [...rows].sort((a, b) => a.to - b.to)[0];
  if (!soonest) return webFinding('tls.expiry', 'tls', title, 'unknown', 'no certificate to read', { required: true });
  const days = soonest.days ?? 0;
  const leafDays = rows[0]?.days ?? days;
  if (days < opts.warnDays) {
    return webFinding('tls.expiry', 'tls', title, 'warn', mask(`${label(soonest)} expires in ${days} day${days === 1 ? '' : 's'} (${date(soonest)}), under ${opts.warnDays}`), {
      evidence, remedy: 'renew the certificate before it expires (check that automatic renewal runs)',
    });
  }
  const summary = soonest.i === 0
    ? `expires in ${leafDays} days (${date(soonest)})`
    : `leaf expires in ${leafDays} days; the first in the chain to expire is #${soonest.i} in ${days} days (${date(soonest)})`;
  return webFinding('tls.expiry', 'tls', title, 'pass', mask(summary), { evidence });
}
