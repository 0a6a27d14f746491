// The request and report of `deckhand proxy setup`: what was asked, and what was written, tested and reloaded.
import type { ListenAddr, AcmeChallenge } from '../../commands/proxy-nginx.js';

export interface ProxySetupRequest {
  domain: string;
  /** The app's port on the target's loopback. */
  port: number;
  listen: ListenAddr;
  /** Null: plain HTTP only. */
  tls: ProxyTlsRequest | null;
  /** nginx's configuration directory (default /etc/nginx). */
  confDir?: string;
  /** nginx's main file for an nginx outside the distribution layout: `nginx -t -c FILE`, reloaded with -s reload. */
  nginxConf?: string | null;
}

export interface ProxyTlsRequest {
  listen: ListenAddr;
  email: string | null;
  acmeServer: string | null;
  /** PEM content of the CA that signs the ACME server's own certificate (a private ACME server such as pebble). */
  caBundlePem: string | null;
  /** A CA bundle already on the target (local target: REQUESTS_CA_BUNDLE's file is used where it is). */
  caBundlePath: string | null;
  challenge: AcmeChallenge;
  /** Default /etc/letsencrypt. */
  letsencryptDir?: string;
}

export type SiteResult = 'created' | 'updated' | 'unchanged' | 'rejected' | 'not-run';

export type { ProxyReport, ProxyCommandRecord } from '../../report/proxy.js';
