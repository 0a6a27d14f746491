// CPU count and load: WARNING when the 5-minute load per CPU is 0.9 or more.
import type { Finding } from '../../../report/common.js';
import type { HostFacts } from '../../../report/readiness.js';
import { finding } from './finding.js';

export const LOAD_WARN_PER_CPU = 0.9;

export function checkCpu(f: HostFacts): Finding[] {
  const { count, load1, load5, load15 } = f.cpu;
  const evidence = `nproc: ${count ?? '?'}; /proc/loadavg: ${load1 ?? '?'} ${load5 ?? '?'} ${load15 ?? '?'}`;
  if (count === null || count <= 0 || load5 === null) {
    return [finding('system.cpu', 'system', 'CPU', 'unknown', 'could not read the CPU count or load average', { evidence, remedy: 'check /proc/loadavg and nproc on the host' })];
  }
  const per = load5 / count;
  const summary = `${count} ${count === 1 ? 'core' : 'cores'} (load average 5 min: ${load5.toFixed(2)}, ${per.toFixed(2)} per core)`;
  if (per >= LOAD_WARN_PER_CPU) {
    return [finding('system.cpu', 'system', 'CPU', 'warn', summary, { evidence, detail: `load per core ${per.toFixed(2)} >= ${LOAD_WARN_PER_CPU}`, remedy: 'the host is busy: find what loads it (top) or deploy to a larger host; a new process may starve' })];
  }
  return [finding('system.cpu', 'system', 'CPU', 'pass', summary, { evidence })];
}
