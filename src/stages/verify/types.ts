// The verify stage's shapes: what is verified (from the ledger handoff or a URL), and what each layer returns.
import type { ResolveOverride } from './resolve.js';
import type { RunContext } from '../../core/context.js';
import type { Finding } from '../../report/common.js';

/** Report sections, in the guide's order. */
export type VerifyLayer = 'process' | 'port' | 'http' | 'smoke' | 'tls' | 'logs' | 'deps' | 'proxy' | 'version';

/** What a deploy handed over (the ledger's current release), or what the operator named. */
export interface VerifyTarget {
  /** The app (service / container / pm2 name); null for a bare URL. */
  app: string | null;
  strategy: 'systemd' | 'pm2' | 'docker' | 'compose' | 'static' | 'script' | 'blue-green' | 'swarm' | null;
  port: number | null;
  healthPath: string | null;
  release: string | null;
  /** <base> on the target, when known (release dirs, shared/.env, records). */
  base: string | null;
  /** When the release was deployed (ISO): logs are read from here on. */
  since: string | null;
  /** Public base URL to check from this machine (`--url` or a URL argument); null = check from the target. */
  url: string | null;
  /** Host header / server name for the proxy check (nginx site of the app), when known. */
  serverName: string | null;
  /**
   * blue-green: what runs the slots, their ports, nginx's port in front (`port` is that one too) and the slot nginx
   * sends traffic to now (null when the upstream names none), read on the target; `shown` is what was read.
   */
  blueGreen?: { runner: 'systemd' | 'pm2' | 'docker'; ports: [number, number] | null; proxyPort: number | null; active: number | null; settingsRead: boolean; shown: string };
}

export interface VerifyOptions {
  /** Sampling window for restart counters and the HTTP poll's overall deadline (ms). */
  windowMs: number;
  /** Health poll: interval, per-request timeout and consecutive successes needed. */
  intervalMs: number;
  requestTimeoutMs: number;
  successes: number;
  /** Smoke checks (parsed from --checks / deckhand.yml); empty = the defaults (health path and `/`). */
  checks: SmokeCheck[];
  /** Proxy URL (nginx in front), when one is configured. */
  proxyUrl: string | null;
  /** Days under which a certificate is a WARNING. */
  tlsWarnDays: number;
  /** Extra CA certificates (PEM) the TLS layer trusts besides the system store: a private CA (`--ca-file`). */
  tlsCa?: string;
  /** `--resolve`: the public URL's host reached at a given address (Host and SNI unchanged). */
  resolve?: ResolveOverride;
}

/** One smoke check: a request and the conditions its response must meet. */
export interface SmokeCheck {
  name: string;
  method: string;
  /** Path (joined to the base URL) or an absolute URL. */
  path: string;
  headers?: Record<string, string>;
  body?: string;
  /** Conditions in the condition language, all must hold (e.g. `[STATUS] == 200`). */
  conditions: string[];
  /** A request with side effects runs only when the check says so. */
  mutates?: boolean;
}

/** Everything a layer gets. `ctx.executor` runs on the target (local or SSH); `fetchLocal` is for URLs from here. */
export interface LayerInput {
  ctx: RunContext;
  target: VerifyTarget;
  options: VerifyOptions;
  /** The env file's text on the target, read once (values never printed); null when absent/unreadable. */
  envFileText: string | null;
}

/** A layer's answer: findings (section = the layer) and nothing else; expected failures are findings, not throws. */
export type LayerCheck = (input: LayerInput) => Promise<Finding[]>;
