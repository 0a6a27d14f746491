// Parses the `ops inspect` probe output (src/commands/ops-inspect.ts) into typed facts; anything unreadable stays null.
import type { InspectKind } from '../../../commands/ops-inspect.js';
import { parseLogsProbe, type LogSource } from '../../verify/checks/logs.js';

/** One unit, pm2 instance or container of the app, as its manager reports it. */
export interface ServiceUnit {
  name: string;
  /** running | stopped | failed | starting | not-found | other manager words (activating, restarting, …). */
  state: string;
  /** The manager's own words, e.g. "active (running)" or "online". */
  detail: string;
  pid: number | null;
  restarts: number | null;
  /** When the unit last started (epoch seconds), or null. */
  startedAt: number | null;
  /** A limit the manager sets (systemd MemoryMax, docker --memory, pm2 max_memory_restart), bytes; null when none. */
  memoryLimit: number | null;
  /** Lines the facts came from, for evidence. */
  raw: string[];
}

export interface ServiceFacts {
  kind: InspectKind;
  units: ServiceUnit[];
  /** Why the manager could not be asked (pm2 missing, docker unreachable, …), or null. */
  problem: string | null;
}

export interface ProcessFacts {
  pid: number;
  comm: string;
  /** utime + stime at the first sample and at the second (clock ticks). */
  ticks: number | null;
  ticksAfter: number | null;
  /** Start of the process in ticks after boot. */
  startTicks: number | null;
  rssBytes: number | null;
  threads: number | null;
  /** Open file descriptors; null when /proc/PID/fd could not be read (another user, no sudo). */
  fds: number | null;
  fdLimit: number | null;
  /** Smallest cgroup memory limit on the process's cgroup path, or null when unlimited/unreadable. */
  cgroupMemoryLimit: number | null;
}

export interface DiskFacts {
  baseBytes: number | null;
  releasesBytes: number | null;
  logsBytes: number | null;
  filesystem: { totalBytes: number; usedBytes: number; availBytes: number; usedPercent: number; mount: string } | null;
  images: { name: string; id: string; size: string }[];
  containers: { name: string; image: string; size: string }[];
}

export interface SiteFile { path: string; text: string }
/** One `ssl_certificate` file and openssl's lines about it (parsed by the certs task's parseCertLines). */
export interface CertFile { path: string; lines: string[] }

export interface InspectFacts {
  priv: 'root' | 'sudo' | 'none' | null;
  docker: string | null;
  /** Target clock (epoch seconds) and the start of the log window on it. */
  now: number | null;
  since: number | null;
  hz: number | null;
  bootTime: number | null;
  memTotalBytes: number | null;
  /** Where `current` points (readlink), or null. */
  current: string | null;
  service: ServiceFacts;
  processes: ProcessFacts[];
  /** Seconds between the CPU samples (from /proc/uptime), or null. */
  cpuIntervalSec: number | null;
  disk: DiskFacts;
  baselineText: string | null;
  sites: SiteFile[];
  certs: CertFile[];
  logs: LogSource[];
  /** The probe ran to its end marker. */
  complete: boolean;
}

interface Block { name: string; arg: string; lines: string[] }

/** Splits the part before the logs into `@@name arg` blocks. */
function blocks(text: string): Block[] {
  const out: Block[] = [];
  let cur: Block | null = null;
  for (const line of text.split('\n')) {
    const m = /^@@([a-z-]+)(?: (.*))?$/.exec(line);
    if (m?.[1]) { cur = { name: m[1], arg: m[2] ?? '', lines: [] }; out.push(cur); continue; }
    cur?.lines.push(line);
  }
  return out;
}

function kv(lines: readonly string[], prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const l of lines) {
    if (!l.startsWith(prefix)) continue;
    const eq = l.indexOf('=');
    if (eq > prefix.length && !out.has(l.slice(prefix.length, eq))) out.set(l.slice(prefix.length, eq), l.slice(eq + 1));
  }
  return out;
}

function int(v: string | undefined): number | null {
  return v !== undefined && /^\d+$/.test(v.trim()) ? Number(v.trim()) : null;
}

function num(v: string | undefined): number | null {
  return v !== undefined && /^\d+(\.\d+)?$/.test(v.trim()) ? Number(v.trim()) : null;
}

/** A memory limit as bytes, or null for "no limit" (systemd "infinity", cgroup v1's near-2^63 value, docker's 0). */
export function memoryLimit(v: string | undefined): number | null {
  const n = int(v);
  return n === null || n === 0 || n >= 2 ** 60 ? null : n;
}

function systemdUnit(name: string, k: Map<string, string>, raw: string[]): ServiceUnit {
  const active = k.get('ActiveState') ?? '';
  const sub = k.get('SubState') ?? '';
  const state = k.get('LoadState') === 'not-found' ? 'not-found'
    : active === 'active' ? 'running'
      : active === 'failed' ? 'failed'
        : active === 'inactive' ? 'stopped'
          : active === 'activating' ? 'starting' : active || 'unknown';
  const pid = int(k.get('MainPID'));
  return {
    name, state, detail: active ? `${active} (${sub})` : 'no answer from systemctl', pid: pid === 0 ? null : pid, restarts: int(k.get('NRestarts')),
    startedAt: state === 'running' ? int(k.get('since')) : null, memoryLimit: memoryLimit(k.get('MemoryMax')), raw,
  };
}

const PM2_STATE: Record<string, string> = { online: 'running', stopped: 'stopped', errored: 'failed', launching: 'starting', 'waiting restart': 'starting', stopping: 'stopped' };

function pm2Units(lines: readonly string[]): ServiceUnit[] {
  return lines.filter((l) => l.startsWith('pm2\t')).map((l) => {
    const f = l.split('\t');
    const status = f[2] ?? '';
    const up = int(f[5]);
    return {
      name: `pm2 #${f[1] ?? '?'}`, state: PM2_STATE[status] ?? (status || 'unknown'), detail: status, pid: int(f[4]) || null, restarts: int(f[3]),
      startedAt: status === 'online' && up !== null ? Math.floor(up / 1000) : null, memoryLimit: memoryLimit(f[6]), raw: [l],
    };
  });
}

const DOCKER_STATE: Record<string, string> = { running: 'running', exited: 'stopped', dead: 'failed', created: 'stopped', restarting: 'starting', paused: 'stopped', removing: 'stopped' };

function containerUnits(lines: readonly string[]): { units: ServiceUnit[]; problem: string | null } {
  const units: ServiceUnit[] = [];
  let problem: string | null = null;
  for (const l of lines.filter((x) => x.startsWith('docker '))) {
    const f = l.slice('docker '.length).split('|');
    if (f.length < 9 || int(f[2]) === null) { problem = l.slice('docker '.length).trim() || 'docker inspect failed'; continue; }
    const started = Date.parse(f[4] ?? '');
    const status = f[1] ?? '';
    const health = f[7] ? `, ${f[7]}` : '';
    units.push({
      name: (f[0] ?? '').replace(/^\//, ''), state: DOCKER_STATE[status] ?? status, detail: `${status}${health}${f[6] === 'true' ? ', OOM-killed' : ''}`,
      pid: int(f[3]) || null, restarts: int(f[2]), startedAt: status === 'running' && !Number.isNaN(started) ? Math.floor(started / 1000) : null,
      memoryLimit: memoryLimit(f[5]), raw: [l],
    });
  }
  return { units, problem };
}

function service(kind: InspectKind, b: Block | undefined, docker: string | null): ServiceFacts {
  const lines = b?.lines.filter((l) => l.length > 0) ?? [];
  if (kind === 'systemd' || kind === 'blue-green') {
    const name = kv(lines).get('unit') ?? '';
    const k = kv(lines, 'systemd.');
    if (!k.has('ActiveState')) return { kind, units: [], problem: lines.find((l) => l.startsWith('systemd.')) ?? 'systemctl gave no answer' };
    return { kind, units: [systemdUnit(name, k, lines)], problem: null };
  }
  if (kind === 'none') return { kind, units: [], problem: 'no process manager to ask' };
  if (kind === 'pm2') {
    const units = pm2Units(lines);
    if (units.length > 0) return { kind, units, problem: null };
    if (lines.includes('pm2.missing=1')) return { kind, units, problem: 'pm2 is not installed on the target (not on PATH for this user)' };
    if (lines.includes('pm2.nodaemon=1')) return { kind, units, problem: null };
    if (lines.includes('pm2.none=1')) return { kind, units, problem: null };
    const err = lines.find((l) => l.startsWith('pm2.error='));
    return { kind, units, problem: err ? err.slice('pm2.error='.length) : 'pm2 gave no answer' };
  }
  if (docker !== 'direct' && docker !== 'sudo') {
    return { kind, units: [], problem: docker === 'missing' ? 'docker is not installed on the target' : 'the docker daemon does not answer this user (not root, not in the docker group, no passwordless sudo)' };
  }
  if (lines.includes('compose.none=1')) return { kind, units: [], problem: null };
  const { units, problem } = containerUnits(lines);
  // A container that does not exist is a fact (nothing runs), not a failure to ask.
  if (units.length === 0 && problem && /No such (object|container)/i.test(problem)) return { kind, units, problem: null };
  return { kind, units, problem: units.length > 0 ? null : problem };
}

function processes(bs: readonly Block[], cpu: Block | undefined): ProcessFacts[] {
  const after = new Map<number, number>();
  for (const l of cpu?.lines ?? []) {
    const m = /^ticks (\d+) (\d+)$/.exec(l);
    if (m) after.set(Number(m[1]), Number(m[2]));
  }
  return bs.filter((b) => b.name === 'pid' && /^\d+$/.test(b.arg)).map((b) => {
    const k = kv(b.lines);
    const pid = Number(b.arg);
    const [ticks, start] = (k.get('ticks') ?? '').split(' ');
    const rss = int(k.get('rss_kb'));
    return {
      pid, comm: k.get('comm') ?? '', ticks: int(ticks), ticksAfter: after.get(pid) ?? null, startTicks: int(start),
      rssBytes: rss === null ? null : rss * 1024, threads: int(k.get('threads')), fds: int(k.get('fds')),
      fdLimit: int(k.get('fdlimit')), cgroupMemoryLimit: memoryLimit(k.get('memlimit')),
    };
  });
}

function kib(v: string | undefined): number | null {
  const n = int(v);
  return n === null ? null : n * 1024;
}

function disk(b: Block | undefined): DiskFacts {
  const lines = b?.lines ?? [];
  const k = kv(lines);
  const df = (k.get('df') ?? '').trim().split(/\s+/);
  const [total, used, avail, pct, mount] = df;
  const fs = int(total) !== null && int(used) !== null && int(avail) !== null
    ? { totalBytes: (int(total) ?? 0) * 1024, usedBytes: (int(used) ?? 0) * 1024, availBytes: (int(avail) ?? 0) * 1024, usedPercent: int((pct ?? '').replace('%', '')) ?? 0, mount: mount ?? '' }
    : null;
  const rows = (prefix: string): string[][] => lines.filter((l) => l.startsWith(prefix)).map((l) => l.slice(prefix.length).split('|'));
  return {
    baseBytes: kib(k.get('base_kb')), releasesBytes: kib(k.get('releases_kb')), logsBytes: kib(k.get('logs_kb')), filesystem: fs,
    images: rows('image ').map(([name, id, size]) => ({ name: name ?? '', id: id ?? '', size: size ?? '' })),
    containers: rows('container ').map(([name, image, size]) => ({ name: name ?? '', image: image ?? '', size: size ?? '' })),
  };
}

function certs(bs: readonly Block[]): CertFile[] {
  return bs.filter((b) => b.name === 'cert').map((b) => ({ path: b.arg, lines: b.lines.filter((l) => l.length > 0) }));
}

/** Parses the whole probe output. The logs part is verify's format and goes through its parser. */
export function parseInspectProbe(kind: InspectKind, text: string, maxLogBytes: number): InspectFacts {
  const logAt = text.search(/^@@log /m);
  const endAt = text.search(/^@@end$/m);
  const head = text.slice(0, logAt >= 0 ? logAt : endAt >= 0 ? endAt : text.length);
  const bs = blocks(head);
  const get = (name: string): Block | undefined => bs.find((b) => b.name === name);
  const meta = kv(get('meta')?.lines ?? []);
  const docker = /^docker=(\S+)$/m.exec(get('meta')?.lines.join('\n') ?? '')?.[1] ?? null;
  const priv = meta.get('priv');
  const up = /^uptime=(\S+) (\S+)$/m.exec(get('cpu')?.lines.join('\n') ?? '');
  const interval = up ? Number(up[2]) - Number(up[1]) : Number.NaN;
  const baseline = (get('baseline')?.lines ?? []).join('\n').trim();
  const memKb = int(meta.get('memtotal_kb'));
  const logs = logAt >= 0 ? parseLogsProbe(text.slice(logAt), maxLogBytes).sources : [];
  return {
    priv: priv === 'root' || priv === 'sudo' || priv === 'none' ? priv : null, docker,
    now: int(meta.get('now')), since: int(meta.get('since')), hz: int(meta.get('hz')), bootTime: int(meta.get('btime')),
    memTotalBytes: memKb === null ? null : memKb * 1024, current: meta.get('current') || null,
    service: service(kind, get('service'), docker),
    processes: processes(bs, get('cpu')),
    cpuIntervalSec: Number.isFinite(interval) && interval > 0 ? interval : null,
    disk: disk(get('disk')),
    baselineText: baseline.length > 0 ? baseline : null,
    sites: bs.filter((b) => b.name === 'site').map((b) => ({ path: b.arg, text: b.lines.join('\n') })),
    certs: certs(bs),
    logs,
    complete: endAt >= 0,
  };
}

/** The same facts with numbers derived: CPU % per process (of one core) and when each started. */
export function cpuPercent(p: ProcessFacts, hz: number | null, intervalSec: number | null): number | null {
  if (p.ticks === null || p.ticksAfter === null || !hz || !intervalSec) return null;
  return Math.max(0, ((p.ticksAfter - p.ticks) / hz / intervalSec) * 100);
}
