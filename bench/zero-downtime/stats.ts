// Pure figures of one load run around one deploy: failures, longest gap without a success, p99 per window, switch moment; medians over runs.
import { OUTCOME, type LoadOutput } from './load-format.js';

/** The deploy as seen from here (epoch ms), and the command that moved traffic (from the execution report). */
export interface DeployTiming {
  start: number;
  end: number;
  /** When the traffic-moving command started (epoch ms), or null when it could not be placed. */
  switchAt: number | null;
  /** How long that command ran (ms), or null when the report has no such command. */
  switchMs: number | null;
}

export interface Percentiles { before: number | null; during: number | null; after: number | null }

export interface RunFigures {
  sent: number;
  /** non-2xx + socket errors + timeouts + unanswered at the end. */
  failed: number;
  failedPct: number;
  failedBy: { non2xx: number; socket: number; timeout: number; abandoned: number };
  /** When the first failed requests were sent, ms from the deploy start (at most FIRST_FAILURES). */
  failedSentAtMs: number[];
  /** Sent again once after the server closed their reused keep-alive connection first (counted by their retry's outcome). */
  retried: number;
  /** Requests per second actually sent. */
  rate: number;
  /** Longest time without a 2xx answer between the first 2xx answer and the end of the load. */
  longestGapMs: number | null;
  /** Where that gap began, ms from the deploy start (negative: before it). */
  gapAtMs: number | null;
  p99: Percentiles;
  deployMs: number;
  switchMs: number | null;
  switchAtMs: number | null;
  /** First answer from another release than the one answering first, and the last from that first one; ms from the deploy start. */
  firstNewAtMs: number | null;
  lastOldAtMs: number | null;
  /** Versions in the order they answered, repeats collapsed. */
  versionOrder: string[];
}

/** Nearest-rank percentile (p in 0..100) of unsorted values; null for none. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] ?? null;
}

/** Median of the known values (null when none is known). */
export function median(values: readonly (number | null)[]): number | null {
  const known = values.filter((v): v is number => v !== null).sort((a, b) => a - b);
  if (known.length === 0) return null;
  const m = Math.floor(known.length / 2);
  return known.length % 2 === 1 ? (known[m] ?? null) : ((known[m - 1] ?? 0) + (known[m] ?? 0)) / 2;
}

/**
 * Longest interval without a success: between consecutive success times, and from the last one to `end` (a
 * service that never came back counts until the load stopped). Time before the first success is the load
 * starting up, not a gap. Null when there was no success at all.
 */
export function longestGap(successTimes: readonly number[], end: number): { ms: number; at: number } | null {
  if (successTimes.length === 0) return null;
  const t = [...successTimes].sort((a, b) => a - b);
  let best = { ms: 0, at: t[0] ?? 0 };
  for (let i = 1; i < t.length; i++) {
    const a = t[i - 1] ?? 0;
    const gap = (t[i] ?? 0) - a;
    if (gap > best.ms) best = { ms: gap, at: a };
  }
  const last = t[t.length - 1] ?? 0;
  if (end - last > best.ms) best = { ms: end - last, at: last };
  return best;
}

/** Items by which side of [start, end) their time falls on. */
export function splitWindow<T>(items: readonly T[], time: (item: T) => number, start: number, end: number): { before: T[]; during: T[]; after: T[] } {
  const out = { before: [] as T[], during: [] as T[], after: [] as T[] };
  for (const item of items) {
    const t = time(item);
    (t < start ? out.before : t < end ? out.during : out.after).push(item);
  }
  return out;
}

const isOk = (code: number): boolean => code >= 200 && code < 300;
const FIRST_FAILURES = 5;

/** The figures of one run: the load's records (times made absolute with its t0) against the deploy's window. */
export function summarizeRun(load: LoadOutput, deploy: DeployTiming): RunFigures {
  const abs = load.requests.map(([sent, done, code, version]) => ({ sent: load.t0Epoch + sent, done: load.t0Epoch + done, code, version }));
  const count = (pred: (code: number) => boolean): number => abs.filter((r) => pred(r.code)).length;
  const failedBy = {
    non2xx: count((c) => c > 0 && !isOk(c)),
    socket: count((c) => c === OUTCOME.socketError),
    timeout: count((c) => c === OUTCOME.timeout),
    abandoned: count((c) => c === OUTCOME.abandoned),
  };
  const failed = failedBy.non2xx + failedBy.socket + failedBy.timeout + failedBy.abandoned;
  const ok = abs.filter((r) => isOk(r.code)).sort((a, b) => a.done - b.done);
  const gap = longestGap(ok.map((r) => r.done), load.t0Epoch + load.seconds * 1000);
  const w = splitWindow(ok, (r) => r.sent, deploy.start, deploy.end);
  const p99 = (rs: typeof ok): number | null => percentile(rs.map((r) => r.done - r.sent), 99);
  const first = ok[0]?.version;
  const rel = (t: number | undefined | null): number | null => (t === undefined || t === null ? null : t - deploy.start);
  const order: string[] = [];
  for (const r of ok) {
    const v = load.versions[r.version] ?? '?';
    if (order[order.length - 1] !== v) order.push(v);
  }
  return {
    sent: abs.length,
    failed,
    failedPct: abs.length > 0 ? (100 * failed) / abs.length : 0,
    failedBy,
    failedSentAtMs: abs.filter((r) => !isOk(r.code)).sort((a, b) => a.sent - b.sent).slice(0, FIRST_FAILURES).map((r) => r.sent - deploy.start),
    retried: load.retried,
    rate: load.seconds > 0 ? abs.length / load.seconds : 0,
    longestGapMs: gap?.ms ?? null,
    gapAtMs: rel(gap?.at),
    p99: { before: p99(w.before), during: p99(w.during), after: p99(w.after) },
    deployMs: deploy.end - deploy.start,
    switchMs: deploy.switchMs,
    switchAtMs: rel(deploy.switchAt),
    firstNewAtMs: rel(ok.find((r) => r.version !== first)?.done),
    lastOldAtMs: rel(ok.filter((r) => r.version === first).pop()?.done),
    versionOrder: order,
  };
}

/** One table row: medians over the runs (the table shows what a typical run did; per-run lines show each). */
export interface RowFigures {
  runs: number;
  sent: number | null;
  /** Requests per second actually sent (below the target when the load generator's machine was starved). */
  rate: number | null;
  failed: number | null;
  failedPct: number | null;
  retried: number | null;
  longestGapMs: number | null;
  p99: Percentiles;
  switchMs: number | null;
}

export function medianRow(runs: readonly RunFigures[]): RowFigures {
  const m = (f: (r: RunFigures) => number | null): number | null => median(runs.map(f));
  return {
    runs: runs.length,
    sent: m((r) => r.sent),
    rate: m((r) => r.rate),
    failed: m((r) => r.failed),
    failedPct: m((r) => r.failedPct),
    retried: m((r) => r.retried),
    longestGapMs: m((r) => r.longestGapMs),
    p99: { before: m((r) => r.p99.before), during: m((r) => r.p99.during), after: m((r) => r.p99.after) },
    switchMs: m((r) => r.switchMs),
  };
}
