// A constant HTTP load from this machine (~100 requests/s to /version on 127.0.0.1 over keep-alive sockets) for zero-downtime tests: counts, versions seen, failures.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The load script (run by node with: port, stop file, started file, max seconds, max requests): ~100 requests/s
 * to /version over keep-alive sockets, until the stop file appears (bounded in time and count). Prints one
 * JSON line: counts, versions seen, first errors.
 * Like a browser (and as Node's docs advise), a GET reset on a reused keep-alive socket before any answer is
 * sent again once on a connection of its own: a graceful nginx reload closes the old workers' idle keep-alive
 * connections, and a request can cross that close on the wire. Those retries are counted apart (`retried`);
 * a retry that fails, any other socket error and any non-2xx answer are failures.
 */
export const LOAD = `
const http = require('http'); const fs = require('fs');
const [port, stop, started, maxSec, maxCount] = process.argv.slice(2);
const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
const s = { sent: 0, ok: 0, non2xx: 0, errors: 0, retried: 0, retries: [], versions: {}, order: [], failures: [] };
let inflight = 0; const t0 = Date.now(); let stopAt = 0;
const fail = (what) => { if (s.failures.length < 10) s.failures.push({ ms: Date.now() - t0, what }); };
function one(retry) {
  if (!retry) s.sent++;
  inflight++; let done = false;
  const end = () => { if (!done) { done = true; inflight--; } };
  // The retry goes on a connection of its own, as a browser's does: another pooled socket may be closing too.
  const req = http.get({ host: '127.0.0.1', port: Number(port), path: '/version', agent: retry ? false : agent, timeout: 10000 }, (res) => {
    let body = ''; res.setEncoding('utf8'); res.on('data', (d) => { body += d; });
    res.on('end', () => {
      if (done) return; end();
      if (res.statusCode >= 200 && res.statusCode < 300) {
        s.ok++; let v = '?'; try { v = JSON.parse(body).version; } catch { v = 'unparsable'; }
        s.versions[v] = (s.versions[v] || 0) + 1; if (s.order[s.order.length - 1] !== v) s.order.push(v);
        if (s.ok === 1) fs.writeFileSync(started, '');
      } else { s.non2xx++; fail('HTTP ' + res.statusCode); }
    });
    res.on('error', (e) => { if (done) return; end(); s.errors++; fail(e.code || e.message); });
  });
  req.on('timeout', () => req.destroy(new Error('timeout')));
  req.on('error', (e) => {
    if (done) return; end();
    if (!retry && req.reusedSocket && (e.code === 'ECONNRESET' || e.code === 'EPIPE')) { s.retried++; if (s.retries.length < 10) s.retries.push({ ms: Date.now() - t0, what: e.code }); one(true); return; }
    s.errors++; fail((e.code || e.message) + (req.reusedSocket ? ' (reused socket)' : '') + (retry ? ' (retry)' : ''));
  });
}
const tick = setInterval(() => {
  if (fs.existsSync(stop) || Date.now() - t0 > Number(maxSec) * 1000 || s.sent >= Number(maxCount)) {
    clearInterval(tick); stopAt = Date.now();
    const drain = setInterval(() => {
      if (inflight === 0 || Date.now() - stopAt > 15000) { clearInterval(drain); s.seconds = (stopAt - t0) / 1000; console.log(JSON.stringify(s)); agent.destroy(); }
    }, 50);
    return;
  }
  one();
}, 10);
`;

export interface LoadResult {
  sent: number; ok: number; non2xx: number; errors: number; retried: number; retries: { ms: number; what: string }[];
  versions: Record<string, number>; order: string[]; failures: { ms: number; what: string }[]; seconds: number;
}

export interface RunningLoad {
  /** Resolves at the first 2xx answer; rejects when the load ends or 30 s pass without one. */
  firstOk: Promise<void>;
  /** Stops the load, waits for its in-flight requests (bounded) and returns what it saw. */
  stop(): Promise<LoadResult>;
}

/** Starts the load in a node process of its own on this machine, against 127.0.0.1:<port>. */
export function startLoad(o: { port: number; maxSec: number; maxCount: number }): RunningLoad {
  const dir = mkdtempSync(join(tmpdir(), 'dh-load-'));
  const script = join(dir, 'load.js');
  const stopFile = join(dir, 'stop');
  const startedFile = join(dir, 'started');
  writeFileSync(script, LOAD);
  const child = spawn(process.execPath, [script, String(o.port), stopFile, startedFile, String(o.maxSec), String(o.maxCount)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  const closed = new Promise<number | null>((res) => child.on('close', (code) => res(code)));
  let ended = false;
  void closed.then(() => { ended = true; });
  const firstOk = (async (): Promise<void> => {
    const t0 = Date.now();
    while (!existsSync(startedFile)) {
      if (ended) throw new Error(`the load ended before any 2xx answer: ${stderr || stdout}`);
      if (Date.now() - t0 > 30_000) throw new Error(`no 2xx answer on 127.0.0.1:${o.port} within 30s`);
      await new Promise((res) => setTimeout(res, 50));
    }
  })();
  // A load that never got an answer is reported by firstOk; stop() must still be callable without an unhandled rejection.
  firstOk.catch(() => undefined);
  return {
    firstOk,
    async stop() {
      writeFileSync(stopFile, '');
      const code = await closed;
      try {
        if (code !== 0) throw new Error(`the load exited with ${String(code)}: ${stderr}`);
        return JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as LoadResult;
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/** One line for the test output: rate, outcomes, versions in the order they were seen. */
export function describeLoad(l: LoadResult): string {
  return `${l.sent} requests in ${l.seconds}s (${Math.round(l.sent / (l.seconds || 1))}/s), ok ${l.ok}, non-2xx ${l.non2xx}, socket errors ${l.errors}, `
    + `keep-alive resets retried ${l.retried}, versions ${JSON.stringify(l.versions)} in order ${l.order.join(' → ')}`;
}
