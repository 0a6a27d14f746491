// Disk: free bytes and inodes where the app lives, where Docker stores images, /var/log and /tmp.
import type { Finding } from '../../../report/common.js';
import type { DiskFact, HostFacts, Requirements } from '../../../report/readiness.js';
import { formatBytes, percent } from '../../../core/units.js';
import { finding } from './finding.js';

export const LOW_FREE_RATIO = 0.15;
export const MIN_FREE_INODES = 1000;

const LABEL: Record<string, string> = { app: 'app', docker: 'Docker storage', log: 'logs', tmp: 'temp' };

export function diskNeed(purpose: string, r: Requirements): number {
  if (purpose === 'app') return r.diskBytes;
  if (purpose === 'docker') return Math.max(2 * 1024 ** 3, r.diskBytes);
  return 100 * 1024 ** 2;
}

function one(d: DiskFact, r: Requirements): Finding {
  const id = `system.disk.${d.purpose}`;
  const title = `Disk (${LABEL[d.purpose] ?? d.purpose}: ${d.path})`;
  const need = diskNeed(d.purpose, r);
  const evidence = `df -Pk ${d.probedPath ?? d.path}: total ${d.totalBytes ?? '?'} B, available ${d.availBytes ?? '?'} B on ${d.mount ?? '?'}; df -Pi: ${d.inodesFree ?? '?'} of ${d.inodesTotal ?? '?'} inodes free`;
  if (d.totalBytes === null || d.availBytes === null) {
    return finding(id, 'system', title, 'unknown', `could not measure free space (${d.error ?? 'no df output'})`, { required: true, evidence, remedy: 'check that df works on the host and the path is reachable' });
  }
  const ratio = d.totalBytes > 0 ? d.availBytes / d.totalBytes : 0;
  let summary = `${formatBytes(d.totalBytes)} total, ${formatBytes(d.availBytes)} available (${percent(d.availBytes, d.totalBytes)} free); need ${formatBytes(need)}`;
  if (d.inodesFree !== null && d.inodesTotal !== null) summary += `; inodes ${d.inodesFree} free of ${d.inodesTotal}`;
  if (d.availBytes < need) {
    return finding(id, 'system', title, 'block', summary, { required: true, evidence, remedy: `free at least ${formatBytes(need - d.availBytes)} on ${d.mount ?? d.path} (or deploy elsewhere): ${formatBytes(d.availBytes)} available, ${formatBytes(need)} needed` });
  }
  if (d.inodesFree !== null && d.inodesFree < MIN_FREE_INODES) {
    return finding(id, 'system', title, 'block', summary, { required: true, evidence, remedy: `only ${d.inodesFree} inodes left on ${d.mount ?? d.path}: delete small files (caches, old releases)` });
  }
  if (ratio < LOW_FREE_RATIO) {
    return finding(id, 'system', title, 'warn', summary, { evidence, detail: `under ${LOW_FREE_RATIO * 100}% free`, remedy: `monitor disk space on ${d.mount ?? d.path} (under 15% free)` });
  }
  if (d.inodesFree !== null && d.inodesTotal !== null && d.inodesTotal > 0 && d.inodesFree / d.inodesTotal < LOW_FREE_RATIO) {
    return finding(id, 'system', title, 'warn', summary, { evidence, detail: 'under 15% of inodes free', remedy: `monitor inode use on ${d.mount ?? d.path}` });
  }
  return finding(id, 'system', title, 'pass', summary, { evidence });
}

export function checkDisks(f: HostFacts, r: Requirements): Finding[] {
  return f.disks.map((d) => one(d, r));
}
