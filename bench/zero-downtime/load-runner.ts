// Load runner, bundled into one file and run on the target's own loopback: constant-rate GETs over keep-alive (autocannon), every request recorded.
import { existsSync, rmSync } from 'node:fs';
import autocannon, { type AutocannonClient } from 'autocannon';
import { FIRST_ANSWER, OUTCOME, parseLoadArgs, type LoadOutput, type LoadRecord } from './load-format.js';

/** After a longer stall a connection starts its schedule afresh instead of sending the missed requests in a burst. */
const CATCH_UP_MS = 200;

const args = parseLoadArgs(process.argv[2]);
// A stop file left by an earlier run would end this one at once.
rmSync(args.stopFile, { force: true });
const now = (): number => performance.now();
const t0 = now();
const round = (ms: number): number => Math.round(ms * 10) / 10;
const records: LoadRecord[] = [];
const versions: string[] = [];
const errorCodes: Record<string, number> = {};
let idleConnectFailures = 0;
let retried = 0;
let sent = 0;
let stopping = false;
let stopReason = '';
let stopAt = 0;
let started = false;
/** The body of the response being handled: autocannon hands it to onResponse just before the client's 'response' event. */
let lastBody = '';
const pendings: number[][] = [];

function record(sentAt: number, code: number, version = -1): void {
  records.push([round(sentAt - t0), round(now() - t0), code, version]);
}

function versionOf(body: string): number {
  let v = '?';
  try { v = String((JSON.parse(body) as { version?: unknown }).version ?? '?'); } catch { v = '?'; }
  const i = versions.indexOf(v);
  if (i >= 0) return i;
  versions.push(v);
  return versions.length - 1;
}

/** Socket errors that, on a reused keep-alive connection with nothing of the answer read yet, mean the server closed it first. */
const CLOSE_RACE = new Set(['ECONNRESET', 'EPIPE']);

/**
 * Takes over one autocannon connection.
 *
 * Pacing: autocannon's limiter lets each connection send its whole share of a second at the start of that
 * second, which would leave most of every second without traffic; here each connection sends one request every
 * connections/rate seconds, the connections offset from each other, so the load is spread evenly.
 *
 * Accounting: autocannon keeps unanswered requests queued across a reconnect (their latencies would then shift
 * onto later answers) and reconnects at once after a refused connection; here every request is recorded once
 * with how it ended, and a failed connection is retried after one interval.
 *
 * Keep-alive close race: a server may close an idle keep-alive connection (nginx's old workers do on a graceful
 * reload) just as a request goes out on it. As HTTP/1.1 allows for idempotent requests (RFC 9112, 9.3.1) and
 * browsers and curl do, such a request (reused connection, nothing of the answer read, closed or reset) is
 * sent again once, at once, on a new connection; it counts as one request, and fails if the retry fails.
 */
function pace(client: AutocannonClient, index: number): void {
  if (typeof client._connect !== 'function' || typeof client._doRequest !== 'function' || typeof client.pipelinedRequests?.peek !== 'function') {
    throw new Error('this autocannon has no _connect/_doRequest/pipelinedRequests on its client: the load runner is written for autocannon 9');
  }
  const interval = (1000 * args.connections) / args.rate;
  const pending: number[] = [];
  pendings.push(pending);
  const send = client._doRequest.bind(client);
  const connect = client._connect.bind(client);
  let next = t0 + (index * 1000) / args.rate;
  let timer: NodeJS.Timeout | null = null;
  let reconnecting = false;
  let connectFailed = false;
  /** Answers read on the current connection: more than none makes it a reused keep-alive connection. */
  let answeredOnConn = 0;
  /** A request to be sent again stays first in `pending` (its first send time) until the retry goes out. */
  let retryDue = false;
  let sendingRetry = false;
  client.rate = 0;

  const closeRace = (): boolean => pending.length === 1 && answeredOnConn > 0 && (client.pipelinedRequests.peek()?.bytes ?? 0) === 0;
  const fail = (code: string): void => {
    retryDue = false;
    for (const at of pending.splice(0)) { record(at, OUTCOME.socketError); errorCodes[code] = (errorCodes[code] ?? 0) + 1; }
  };

  client.on('request', () => {
    if (sendingRetry) { retryDue = false; retried++; } else { pending.push(now()); sent++; }
  });
  client.on('response', (status: number) => {
    answeredOnConn++;
    const at = pending.shift();
    if (at === undefined) return;
    const ok = status >= 200 && status < 300;
    record(at, status, ok ? versionOf(lastBody) : -1);
    if (ok && !started) { started = true; process.stderr.write(`${FIRST_ANSWER}\n`); }
  });
  client.on('connError', (e: NodeJS.ErrnoException) => {
    const code = e.code ?? e.message;
    if (pending.length === 0) idleConnectFailures++;
    if (CLOSE_RACE.has(code) && closeRace()) retryDue = true;
    else { fail(code); connectFailed = true; }
    client.pipelinedRequests.clear();
  });
  // autocannon has already dropped the connection and may have sent the next request: the oldest one timed out.
  client.on('timeout', () => { const at = pending.shift(); if (at !== undefined) record(at, OUTCOME.timeout); });

  // Called by autocannon for every new connection: the first, after the server ended one, after an error or a timeout.
  client._connect = (): void => {
    if (client.pipelinedRequests.size() > 0) {
      // The server ended the connection with the request unanswered (a FIN, no error).
      if (closeRace()) retryDue = true;
      else fail((client.pipelinedRequests.peek()?.bytes ?? 0) > 0 ? 'closed mid-answer' : 'closed before answering');
      client.pipelinedRequests.clear();
    }
    answeredOnConn = 0;
    if (!connectFailed) { connect(); return; }
    connectFailed = false;
    reconnecting = true;
    setTimeout(() => { reconnecting = false; if (!client.destroyed) connect(); }, interval);
  };
  client._doRequest = (): void => {
    if (reconnecting || client.destroyed || client.pipelinedRequests.size() > 0) return;
    if (retryDue) {
      // The retry goes first and off the schedule; the next scheduled request is armed after its answer.
      if (timer !== null) { clearTimeout(timer); timer = null; }
      sendingRetry = true;
      try { send(); } finally { sendingRetry = false; }
      return;
    }
    if (timer !== null || stopping || sent >= args.maxCount) return;
    const fire = (): void => {
      timer = null;
      if (reconnecting || client.destroyed || stopping || sent >= args.maxCount) return;
      next += interval;
      send();
    };
    const t = now();
    if (t - next > CATCH_UP_MS) next = t;
    if (next <= t) fire();
    else timer = setTimeout(fire, next - t);
  };
}

let clientIndex = 0;
const instance = autocannon({
  url: `http://127.0.0.1:${args.port}`,
  connections: args.connections,
  overallRate: args.rate,
  pipelining: 1,
  timeout: args.timeoutSec,
  // A backstop only: the runner stops itself earlier (maxSec, maxCount, the stop file) and drains first.
  duration: args.maxSec + args.timeoutSec + 10,
  requests: [{ method: 'GET', path: args.path, onResponse: (_status, body) => { lastBody = body; } }],
  setupClient: (client) => pace(client, clientIndex++),
}, (err) => {
  if (err) { process.stderr.write(`load: ${err.message}\n`); process.exit(1); }
  const out: LoadOutput = {
    t0Epoch: performance.timeOrigin + t0, rate: args.rate, connections: args.connections, seconds: round((stopAt - t0) / 1000), stopReason,
    versions, requests: records, retried, idleConnectFailures, errorCodes,
  };
  process.stdout.write(`${JSON.stringify(out)}\n`, () => process.exit(0));
});

/** Stops sending, waits for the requests in flight (each bounded by the timeout), then stops autocannon. */
function stop(reason: string): void {
  if (stopping) return;
  stopping = true;
  stopReason = reason;
  stopAt = now();
  const drain = setInterval(() => {
    const left = pendings.reduce((n, p) => n + p.length, 0);
    if (left > 0 && now() - stopAt < (args.timeoutSec + 2) * 1000) return;
    clearInterval(drain);
    for (const p of pendings) for (const at of p.splice(0)) record(at, OUTCOME.abandoned);
    instance.stop();
  }, 20);
}

const watch = setInterval(() => {
  if (existsSync(args.stopFile)) stop('stop file');
  else if (now() - t0 > args.maxSec * 1000) stop('max duration');
  else if (sent >= args.maxCount) stop('max count');
  if (stopping) clearInterval(watch);
}, 50);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, () => stop(sig));
// Whoever started the runner stops it by closing its stdin; over SSH that also happens when the client goes away.
process.stdin.on('end', () => stop('stdin closed'));
process.stdin.resume();
