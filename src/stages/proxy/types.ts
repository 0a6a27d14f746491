// The request and report of `deckhand proxy setup`: what was asked, and what was written, tested and reloaded.
import type { ListenAddr, AcmeChallenge } from '../../commands/proxy-nginx.js';
import type { StepResult } from '../../report/common.js';

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

export interface ProxyCommandRecord {
  step: string;
  command: string;
  exitCode: number | null;
  durationMs: number;
  timedOut: boolean;
  /** Last lines of stdout and stderr, redacted. */
  output: string;
}

export type SiteResult = 'created' | 'updated' | 'unchanged' | 'rejected' | 'not-run';

export interface ProxyReport {
  schemaVersion: 1;
  tool: { name: 'deckhand'; version: string };
  stage: 'proxy';
  status: 'ok' | 'failed';
  target: { kind: 'local' | 'ssh'; display: string };
  startedAt: string;
  durationMs: number;
  steps: StepResult[];
  data: {
    /** CREATED / UPDATED / UNCHANGED on success; FAILED otherwise (the previous site stays in force). */
    outcome: 'CREATED' | 'UPDATED' | 'UNCHANGED' | 'FAILED';
    domain: string;
    upstream: string;
    listen: string;
    layout: 'sites' | 'conf.d' | null;
    siteFile: string | null;
    enabledLink: string | null;
    site: SiteResult;
    /** The file content now in force (the new one, or null when nothing was installed). */
    siteContent: string | null;
    nginxTest: { passed: boolean | null; output: string };
    reload: { done: boolean; how: string | null; reason: string };
    tls: null | {
      listen: string;
      certDir: string;
      certificate: 'issued' | 'renewed' | 'kept' | 'failed' | 'not-run';
      certFile: string | null;
      acmeServer: string;
      challenge: string;
    };
    commands: ProxyCommandRecord[];
    filesTouched: string[];
    failure: { step: string; message: string } | null;
    warnings: string[];
  };
}
