// What the zero-downtime load runner is given and what it prints: arguments, per-request records and outcome codes.

/** How a request ended, when it did not end with an HTTP status (codes > 0 are the status itself). */
export const OUTCOME = {
  /** The connection failed (refused, reset, closed) while the request was unanswered (after its one retry, if it had one). */
  socketError: 0,
  /** No answer within the timeout. */
  timeout: -1,
  /** Still unanswered when the run ended (the drain after the stop is bounded by the timeout). */
  abandoned: -3,
} as const;

/** The line the runner prints on stderr at its first 2xx answer. */
export const FIRST_ANSWER = 'load: first 2xx answer';

/** The runner's one argument (JSON). It also stops when its stdin closes, so run it with a pipe on stdin. */
export interface LoadArgs {
  /** Loopback port to load (the runner only ever connects to 127.0.0.1). */
  port: number;
  path: string;
  /** Requests per second, spread evenly over the connections. */
  rate: number;
  connections: number;
  /** Hard bounds: the runner stops by itself after maxSec seconds or maxCount requests. */
  maxSec: number;
  maxCount: number;
  /** Per-request timeout in seconds. */
  timeoutSec: number;
  /** The runner stops (after waiting for the requests in flight) when this file appears; one left from before is removed at start. */
  stopFile: string;
}

/** One request: sent and finished (ms since t0), outcome (HTTP status or an OUTCOME code), index into versions or -1. */
export type LoadRecord = [sentMs: number, doneMs: number, code: number, version: number];

export interface LoadOutput {
  /** Epoch ms of t0 (the machine's wall clock; lab containers share this machine's). */
  t0Epoch: number;
  rate: number;
  connections: number;
  /** From t0 to the stop. */
  seconds: number;
  stopReason: string;
  /** `version` fields of the 2xx JSON bodies, in order of first appearance ("?" when a body had none). */
  versions: string[];
  requests: LoadRecord[];
  /**
   * Requests sent again once because the server closed their reused keep-alive connection before any of the
   * answer (RFC 9112, 9.3.1); each is still one record, with its first send time and the retry's outcome.
   */
  retried: number;
  /** Connection attempts that failed while no request was waiting on them (not requests, not failures). */
  idleConnectFailures: number;
  /** Socket error codes of failed requests ("closed before answering": the server ended a fresh connection unanswered). */
  errorCodes: Record<string, number>;
}

function whole(v: unknown, name: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw new Error(`load args: ${name} must be a whole number from ${min} to ${max} (got ${JSON.stringify(v)})`);
  return v;
}

function text(v: unknown, name: string): string {
  if (typeof v !== 'string' || v.length === 0) throw new Error(`load args: ${name} must be a non-empty string`);
  return v;
}

/** Validates the runner's one argument (JSON): a bad value is an error naming the field, never a default. */
export function parseLoadArgs(raw: string | undefined): LoadArgs {
  if (raw === undefined) throw new Error('usage: node load.cjs \'{"port":8080,"path":"/","rate":500,...}\'');
  const o = JSON.parse(raw) as Record<string, unknown>;
  const path = text(o.path, 'path');
  if (!path.startsWith('/')) throw new Error('load args: path must start with /');
  const args: LoadArgs = {
    port: whole(o.port, 'port', 1, 65535),
    path,
    rate: whole(o.rate, 'rate', 1, 100_000),
    connections: whole(o.connections, 'connections', 1, 1000),
    maxSec: whole(o.maxSec, 'maxSec', 1, 3600),
    maxCount: whole(o.maxCount, 'maxCount', 1, 10_000_000),
    timeoutSec: whole(o.timeoutSec, 'timeoutSec', 1, 120),
    stopFile: text(o.stopFile, 'stopFile'),
  };
  if (args.connections > args.rate) throw new Error('load args: connections must not exceed rate (each connection sends at least one request a second)');
  return args;
}
