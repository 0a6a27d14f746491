// Memory: BLOCKER under the need, WARNING under twice the need. A cgroup limit counts as the ceiling.
import type { Finding } from '../../../report/common.js';
import type { HostFacts, Requirements } from '../../../report/readiness.js';
import { formatBytes } from '../../../core/units.js';
import { finding } from './finding.js';

export function checkMemory(f: HostFacts, r: Requirements): Finding[] {
  const { totalBytes, availableBytes, cgroupLimitBytes } = f.memory;
  const evidence = `/proc/meminfo MemTotal=${totalBytes ?? '?'} MemAvailable=${availableBytes ?? '?'} bytes${cgroupLimitBytes !== null ? `; cgroup memory limit ${cgroupLimitBytes}` : ''}`;
  if (totalBytes === null || availableBytes === null) {
    return [finding('system.memory', 'system', 'Memory', 'unknown', 'could not read /proc/meminfo', { required: true, evidence, remedy: 'check that /proc/meminfo is readable on the host' })];
  }
  const avail = cgroupLimitBytes !== null ? Math.min(availableBytes, cgroupLimitBytes) : availableBytes;
  const need = r.memoryBytes;
  const summary = `${formatBytes(totalBytes)} total, ${formatBytes(avail)} available${cgroupLimitBytes !== null ? ` (cgroup limit ${formatBytes(cgroupLimitBytes)})` : ''}; need ${formatBytes(need)}`;
  if (avail < need) {
    return [finding('system.memory', 'system', 'Memory', 'block', summary, { required: true, evidence, remedy: `free memory or use a larger host: ${formatBytes(need)} needed, ${formatBytes(avail)} available` })];
  }
  if (avail < 2 * need) {
    return [finding('system.memory', 'system', 'Memory', 'warn', summary, { evidence, detail: 'less than twice the need is available', remedy: 'little headroom: watch memory after the deploy or add memory' })];
  }
  return [finding('system.memory', 'system', 'Memory', 'pass', summary, { evidence })];
}
