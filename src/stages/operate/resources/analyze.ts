// Growth of each metric over the window (slope, first→last, how steadily it rose) and the judgements: leak, fd exhaustion, threads, CPU.
import type { Finding } from '../../../report/common.js';
import type { Growth, OpsResourcesData, ResourceSample } from '../../../report/ops/resources.js';
import { opsFinding } from '../task-report.js';
import type { ResourceProbe } from './samples.js';

/** RSS must grow by at least this much, and by LEAK_MIN_SHARE of where it started, before a leak is suspected. */
export const LEAK_MIN_BYTES = 4 * 1024 * 1024;
export const LEAK_MIN_SHARE = 0.05;
/** "Steady": the value rose in at least this share of the intervals, and a straight line fits at least this well. */
export const STEADY_SHARE = 0.6;
export const STEADY_R2 = 0.5;
/** Open fds must grow by at least this many to count as growth, not noise (sockets of a few requests). */
export const FD_MIN_GROWTH = 5;
export const THREAD_MIN_GROWTH = 5;
/** Share of the fd limit in use that is a risk whatever the trend. */
export const FD_HIGH_SHARE = 0.8;
/** fd exhaustion closer than this is an immediate risk. */
export const FD_ETA_WARN_MIN = 24 * 60;

/** Least-squares growth of a series of (seconds, value) points; null with fewer than two points. */
export function growth(points: readonly { t: number; v: number }[]): Growth | null {
  const n = points.length;
  const first = points[0];
  const last = points[n - 1];
  if (n < 2 || !first || !last) return null;
  const mt = points.reduce((a, p) => a + p.t, 0) / n;
  const mv = points.reduce((a, p) => a + p.v, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let stot = 0;
  for (const p of points) { sxy += (p.t - mt) * (p.v - mv); sxx += (p.t - mt) ** 2; stot += (p.v - mv) ** 2; }
  const slope = sxx > 0 ? sxy / sxx : 0;
  let sres = 0;
  for (const p of points) sres += (p.v - (mv + slope * (p.t - mt))) ** 2;
  let rising = 0;
  for (let i = 1; i < n; i++) if ((points[i]?.v ?? 0) > (points[i - 1]?.v ?? 0)) rising++;
  const vs = points.map((p) => p.v);
  return {
    first: first.v, last: last.v, min: Math.min(...vs), max: Math.max(...vs), delta: last.v - first.v,
    slopePerMinute: Math.round(slope * 60 * 1000) / 1000, risingSteps: rising, steps: n - 1, r2: stot > 0 ? Math.round((1 - sres / stot) * 1000) / 1000 : null,
  };
}

/** Grew steadily: by at least `min`, rising in most intervals, close to a straight line. */
export function steady(g: Growth, min: number): boolean {
  return g.delta >= min && g.slopePerMinute > 0 && g.steps > 0 && g.risingSteps / g.steps >= STEADY_SHARE && (g.r2 ?? 0) >= STEADY_R2;
}

/** The samples after the last change of the PID set (a restart resets memory): growth is judged there. */
export function stableRun(samples: readonly ResourceSample[]): { from: number; restarts: number } {
  let from = 0;
  let restarts = 0;
  for (let i = 1; i < samples.length; i++) {
    if ((samples[i]?.pids ?? []).join(' ') !== (samples[i - 1]?.pids ?? []).join(' ')) { restarts++; from = i; }
  }
  return { from, restarts };
}

/** The process closest to its fd limit at its current slope (pids present in every judged sample). */
export function fdExhaustion(probe: ResourceProbe, from: number): OpsResourcesData['fdExhaustion'] {
  const run = probe.samples.slice(from);
  const t0 = run[0]?.uptime ?? 0;
  const lastProcs = run[run.length - 1]?.procs ?? [];
  let best: OpsResourcesData['fdExhaustion'] = null;
  for (const p of lastProcs) {
    if (p.fds === null || p.fdLimit === null) continue;
    const pts = run.map((s) => ({ t: s.uptime - t0, v: s.procs.find((x) => x.pid === p.pid)?.fds ?? null }));
    if (pts.some((x) => x.v === null)) continue;
    const g = growth(pts as { t: number; v: number }[]);
    if (!g) continue;
    const eta = g.slopePerMinute > 0 && steady(g, FD_MIN_GROWTH) ? Math.max(0, (p.fdLimit - p.fds) / g.slopePerMinute) : null;
    const cand = { pid: p.pid, current: p.fds, limit: p.fdLimit, perMinute: g.slopePerMinute, etaMinutes: eta === null ? null : Math.round(eta * 10) / 10 };
    const better = best === null
      || (cand.etaMinutes !== null && (best.etaMinutes === null || cand.etaMinutes < best.etaMinutes))
      || (cand.etaMinutes === null && best.etaMinutes === null && cand.current / cand.limit > best.current / best.limit);
    if (better) best = cand;
  }
  return best;
}

function series(samples: readonly ResourceSample[], pick: (s: ResourceSample) => number | null): { t: number; v: number }[] | null {
  const pts = samples.map((s) => ({ t: s.t, v: pick(s) }));
  return pts.some((p) => p.v === null) ? null : (pts as { t: number; v: number }[]);
}

export function metricsOf(samples: readonly ResourceSample[]): OpsResourcesData['metrics'] {
  const rss = series(samples, (s) => s.rssBytes);
  const fds = series(samples, (s) => s.fds);
  const thr = series(samples, (s) => s.threads);
  const cpu = samples.map((s) => s.cpuPercent).filter((c): c is number => c !== null);
  return {
    rss: rss ? growth(rss) : null,
    fds: fds ? growth(fds) : null,
    threads: thr ? growth(thr) : null,
    cpu: cpu.length > 0 ? { avgPercent: Math.round((cpu.reduce((a, c) => a + c, 0) / cpu.length) * 10) / 10, maxPercent: Math.max(...cpu) } : null,
  };
}

const MIB = 1024 * 1024;
const mib = (n: number): string => `${(n / MIB).toFixed(1)} MiB`;

function duration(min: number): string {
  if (min < 120) return `${Math.round(min)} min`;
  if (min < 48 * 60) return `${(min / 60).toFixed(1)} h`;
  return `${(min / 1440).toFixed(1)} days`;
}

/** The judgements on the judged run, each a finding with the numbers it rests on. */
export function judgeResources(app: string, d: OpsResourcesData, evidence: string, priv: ResourceProbe['priv']): Finding[] {
  const m = d.metrics;
  const out: Finding[] = [];
  const steps = (g: Growth): string => `rising in ${g.risingSteps} of ${g.steps} intervals, R² ${g.r2 ?? 'n/a'}`;
  const judged = d.samples.length - d.judgedFrom;
  if (judged < 3 || !m.rss) {
    out.push(opsFinding('resources.rss', 'resources', 'Memory growth (RSS)', 'unknown', `too few samples after the last restart to judge growth (${judged})`, {
      evidence, remedy: 'the service restarted during the window: find out why (journal, pm2 logs), then watch again',
    }));
  } else if (d.leakSuspected) {
    out.push(opsFinding('resources.rss', 'resources', 'Memory growth (RSS)', 'warn',
      `leak suspected: RSS grew steadily ${mib(m.rss.first)} → ${mib(m.rss.last)} (+${mib(m.rss.slopePerMinute)}/min, ${steps(m.rss)})`, {
        evidence, remedy: `watch longer to confirm (deckhand ops resources --watch 10m), then take a heap profile of ${app}; a restart only buys time`,
      }));
  } else {
    out.push(opsFinding('resources.rss', 'resources', 'Memory growth (RSS)', 'pass', `stable: ${mib(m.rss.first)} → ${mib(m.rss.last)} (${m.rss.delta >= 0 ? '+' : '−'}${mib(Math.abs(m.rss.delta))}, ${steps(m.rss)})`, { evidence }));
  }

  const fx = d.fdExhaustion;
  if (!m.fds) {
    out.push(opsFinding('resources.fds', 'resources', 'Open file descriptors', 'unknown', 'the open fds of the service\'s processes could not be read (another user\'s processes)', {
      evidence, remedy: priv === 'none' ? 'connect as root, as the service user, or as a user with passwordless sudo' : 'check that /proc/<pid>/fd is readable on the target',
    }));
  } else if (fx && fx.etaMinutes !== null) {
    out.push(opsFinding('resources.fds', 'resources', 'Open file descriptors', 'warn',
      `fd exhaustion risk: pid ${fx.pid} holds ${fx.current} of ${fx.limit} and gains ${fx.perMinute.toFixed(1)}/min: the limit is reached in ~${duration(fx.etaMinutes)}`, {
        evidence, remedy: 'find what is not closed (ls -l /proc/<pid>/fd shows sockets and files); a restart resets it for a while',
        ...(fx.etaMinutes > FD_ETA_WARN_MIN ? { detail: 'Far from the limit yet, but steady growth is a leak.' } : {}),
      }));
  } else if (fx && fx.current >= fx.limit * FD_HIGH_SHARE) {
    out.push(opsFinding('resources.fds', 'resources', 'Open file descriptors', 'warn', `pid ${fx.pid} uses ${fx.current} of its ${fx.limit} fds (${Math.round((fx.current / fx.limit) * 100)}%)`, {
      evidence, remedy: 'raise the limit (LimitNOFILE= in the unit, ulimit -n) or find what holds so many',
    }));
  } else {
    out.push(opsFinding('resources.fds', 'resources', 'Open file descriptors', 'pass', `${m.fds.first} → ${m.fds.last}${fx ? ` (limit ${fx.limit} per process)` : ''}: no exhaustion risk seen`, { evidence }));
  }

  if (m.threads && steady(m.threads, THREAD_MIN_GROWTH)) {
    out.push(opsFinding('resources.threads', 'resources', 'Threads', 'warn', `threads grew steadily ${m.threads.first} → ${m.threads.last} (+${m.threads.slopePerMinute.toFixed(1)}/min)`, {
      evidence, remedy: 'look for threads or workers started per request and never ended',
    }));
  } else if (m.threads) {
    out.push(opsFinding('resources.threads', 'resources', 'Threads', 'pass', `${m.threads.first} → ${m.threads.last}`, { evidence }));
  }

  if (m.cpu) {
    const busy = d.samples.slice(1).every((s) => (s.cpuPercent ?? 0) >= 90);
    out.push(opsFinding('resources.cpu', 'resources', 'CPU', busy ? 'warn' : 'pass',
      `${busy ? 'busy' : 'normal'}: ${m.cpu.avgPercent.toFixed(1)}% of one core on average, ${m.cpu.maxPercent.toFixed(1)}% at most`, {
        evidence, ...(busy ? { remedy: 'the service uses a full core throughout the window: profile it, or scale out (deckhand ops scale)' } : {}),
      }));
  }
  return out;
}
