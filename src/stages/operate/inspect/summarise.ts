// Probe facts → the report's service, resources and disk sections (pure; numbers derived, unknowns kept null).
import { formatBytes } from '../../../core/units.js';
import type { OpsInspectData } from '../../../report/ops/inspect.js';
import { cpuPercent, type InspectFacts } from './probe.js';

type Service = OpsInspectData['service'];
type Resources = OpsInspectData['resources'];
type Disk = OpsInspectData['disk'];

const MANAGER: Record<string, string> = {
  systemd: 'systemd unit', 'blue-green': 'systemd slot behind nginx (blue-green)', pm2: 'pm2 app', docker: 'Docker container', compose: 'Docker Compose project',
};

function iso(sec: number | null): string | null {
  return sec === null ? null : new Date(sec * 1000).toISOString();
}

/** running: every unit runs; degraded: some do; stopped: none (or none exist); unknown: the manager could not be asked. */
export function summariseService(f: InspectFacts): Service {
  const s = f.service;
  const units = s.units.map((u) => ({ name: u.name, state: u.state, detail: u.detail, pid: u.pid, restarts: u.restarts, startedAt: iso(u.startedAt) }));
  const running = s.units.filter((u) => u.state === 'running');
  const state: Service['state'] = s.problem !== null || !f.complete ? 'unknown'
    : s.units.length > 0 && running.length === s.units.length ? 'running'
      : running.length > 0 ? 'degraded' : 'stopped';
  const starts = running.map((u) => u.startedAt).filter((t): t is number => t !== null);
  const uptime = starts.length > 0 && f.now !== null ? Math.max(0, f.now - Math.max(...starts)) : null;
  const restarts = s.units.some((u) => u.restarts !== null) ? s.units.reduce((n, u) => n + (u.restarts ?? 0), 0) : null;
  const problem = s.problem ?? (!f.complete ? 'the probe did not finish' : s.units.length === 0 ? `no ${MANAGER[s.kind] ?? s.kind} of the app exists on the target` : null);
  return { manager: MANAGER[s.kind] ?? s.kind, units, state, uptimeSec: uptime, restarts, problem };
}

/** The newest start among the running units (epoch seconds), for "restarted since the baseline". */
export function lastStart(f: InspectFacts): number | null {
  const t = f.service.units.filter((u) => u.state === 'running').map((u) => u.startedAt).filter((x): x is number => x !== null);
  return t.length > 0 ? Math.max(...t) : null;
}

function minOf(values: readonly (number | null)[]): number | null {
  const v = values.filter((x): x is number => x !== null);
  return v.length > 0 ? Math.min(...v) : null;
}

/**
 * Resources of the service's processes: CPU summed, RSS summed against the tightest memory limit (cgroup path,
 * the manager's own), the process with the most open fds against its own limit, threads summed.
 */
export function summariseResources(f: InspectFacts): Resources {
  const procs = f.processes.map((p) => ({
    pid: p.pid, name: p.comm, cpuPercent: cpuPercent(p, f.hz, f.cpuIntervalSec), rssBytes: p.rssBytes, threads: p.threads, fds: p.fds, fdLimit: p.fdLimit,
  }));
  const sum = (xs: readonly (number | null)[]): number | null => (xs.length > 0 && xs.every((x) => x !== null) ? xs.reduce<number>((a, x) => a + (x ?? 0), 0) : null);
  const cgroup = minOf(f.processes.map((p) => p.cgroupMemoryLimit));
  const manager = minOf(f.service.units.map((u) => u.memoryLimit));
  const limit = minOf([cgroup, manager]);
  const source = limit === null
    ? `none${f.memTotalBytes !== null ? ` (host memory ${formatBytes(f.memTotalBytes)})` : ''}`
    : limit === manager ? (f.service.kind === 'pm2' ? 'pm2 max_memory_restart' : f.service.kind === 'docker' || f.service.kind === 'compose' ? 'container memory limit' : 'systemd MemoryMax')
      : 'cgroup memory limit';
  const worst = procs.filter((p) => p.fds !== null).sort((a, b) => (b.fds ?? 0) / (b.fdLimit ?? Infinity) - (a.fds ?? 0) / (a.fdLimit ?? Infinity))[0];
  return {
    processes: procs,
    cpuPercent: procs.length > 0 ? sum(procs.map((p) => p.cpuPercent)) : null,
    rssBytes: procs.length > 0 ? sum(procs.map((p) => p.rssBytes)) : null,
    memoryLimitBytes: limit, memoryLimitSource: source, hostMemoryBytes: f.memTotalBytes,
    fds: procs.length > 0 && procs.every((p) => p.fds !== null) ? worst?.fds ?? null : null,
    fdLimit: procs.length > 0 && procs.every((p) => p.fds !== null) ? worst?.fdLimit ?? null : null,
    threads: procs.length > 0 ? sum(procs.map((p) => p.threads)) : null,
  };
}

export function summariseDisk(f: InspectFacts): Disk {
  const d = f.disk;
  const docker = f.service.kind === 'docker' || f.service.kind === 'compose';
  return {
    baseBytes: d.baseBytes, releasesBytes: d.releasesBytes, logsBytes: d.logsBytes,
    filesystem: d.filesystem ? { mount: d.filesystem.mount, usedPercent: d.filesystem.usedPercent, availBytes: d.filesystem.availBytes, totalBytes: d.filesystem.totalBytes } : null,
    docker: docker ? { images: d.images.map((i) => ({ name: i.name, size: i.size })), containers: d.containers.map((c) => ({ name: c.name, size: c.size })) } : null,
  };
}
