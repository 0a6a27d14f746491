// Parses the output of resourceSamplesCommand and turns it into per-sample totals (RSS, fds, threads, CPU %).
import type { ResourceSample } from '../../../report/ops/resources.js';

export interface ProcRead {
  pid: number;
  rssKb: number;
  threads: number;
  /** Null when /proc/<pid>/fd was not readable (another user's process, no sudo). */
  fds: number | null;
  fdLimit: number | null;
  cpuTicks: number;
  comm: string;
}

export interface SampleRead {
  index: number;
  /** /proc/uptime seconds: the target's monotonic clock. */
  uptime: number;
  pids: number[];
  procs: ProcRead[];
  /** pm2's or docker's word when they found nothing (pm2.none=1, pm2.nodaemon=1, …). */
  notes: string[];
}

export interface ResourceProbe {
  priv: 'root' | 'sudo' | 'none' | null;
  docker: string | null;
  clkTck: number;
  samples: SampleRead[];
  complete: boolean;
}

function int(s: string | undefined): number | null {
  return s !== undefined && /^\d+$/.test(s) ? Number(s) : null;
}

export function parseProcLine(line: string): ProcRead | null {
  const f = line.split(' ');
  if (f[0] !== 'proc') return null;
  const pid = int(f[1]);
  if (pid === null) return null;
  return {
    pid, rssKb: int(f[2]) ?? 0, threads: int(f[3]) ?? 0, fds: int(f[4]), fdLimit: int(f[5]), cpuTicks: int(f[6]) ?? 0, comm: f.slice(7).join(' '),
  };
}

export function parseResourceSamples(text: string): ResourceProbe {
  const priv = /^priv=(root|sudo|none)$/m.exec(text)?.[1] as ResourceProbe['priv'] | undefined;
  const clk = Number(/^clk=(\d+)$/m.exec(text)?.[1] ?? '100');
  const samples: SampleRead[] = [];
  let cur: SampleRead | null = null;
  for (const line of text.split('\n')) {
    const m = /^@@sample (\d+) (\d+(?:\.\d+)?)$/.exec(line);
    if (m) {
      cur = { index: Number(m[1]), uptime: Number(m[2]), pids: [], procs: [], notes: [] };
      samples.push(cur);
      continue;
    }
    if (line === '@@end') { cur = null; continue; }
    if (!cur) continue;
    if (line.startsWith('pids=')) cur.pids = line.slice(5).split(' ').map(Number).filter((n) => Number.isInteger(n) && n > 0);
    else if (line.startsWith('proc ')) { const p = parseProcLine(line); if (p) cur.procs.push(p); }
    else if (line.startsWith('pm2note=') && line.length > 8) cur.notes.push(line.slice(8));
  }
  return { priv: priv ?? null, docker: /^docker=(\S+)$/m.exec(text)?.[1] ?? null, clkTck: clk > 0 ? clk : 100, samples, complete: /^@@end$/m.test(text) };
}

/** Totals per sample; CPU % from the CPU time of the processes present in both this sample and the one before. */
export function totals(p: ResourceProbe): ResourceSample[] {
  const t0 = p.samples[0]?.uptime ?? 0;
  return p.samples.map((s, i) => {
    const prev = i > 0 ? p.samples[i - 1] : undefined;
    let cpu: number | null = null;
    if (prev && s.uptime > prev.uptime) {
      let ticks = 0;
      for (const x of s.procs) {
        const before = prev.procs.find((y) => y.pid === x.pid);
        if (before) ticks += Math.max(0, x.cpuTicks - before.cpuTicks);
      }
      cpu = (ticks / p.clkTck / (s.uptime - prev.uptime)) * 100;
    }
    const fds = s.procs.some((x) => x.fds === null) ? null : s.procs.reduce((a, x) => a + (x.fds ?? 0), 0);
    return {
      t: Math.round((s.uptime - t0) * 100) / 100,
      pids: s.procs.map((x) => x.pid),
      rssBytes: s.procs.reduce((a, x) => a + x.rssKb, 0) * 1024,
      fds: s.procs.length === 0 ? null : fds,
      threads: s.procs.reduce((a, x) => a + x.threads, 0),
      cpuPercent: cpu === null ? null : Math.round(cpu * 10) / 10,
    };
  });
}
