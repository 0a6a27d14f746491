// The recommendation rules of `ops inspect`: what needs action now (immediate) and what is worth watching (observe), each with its evidence.
import { formatBytes } from '../../../core/units.js';
import type { OpsBaseline } from '../../../report/ops/baseline.js';
import type { InspectAnomaly, OpsInspectData, Recommendation } from '../../../report/ops/inspect.js';
import { LOG_PATTERNS } from '../../verify/log-patterns.js';
import { CERT_IMMEDIATE_DAYS } from './certs.js';

/** Thresholds: the first of each pair is immediate, the second observe. */
export const LIMITS = {
  fdRatio: [0.8, 0.6],
  memoryRatio: [0.9, 0.75],
  diskPercent: [85, 70],
  certDays: [CERT_IMMEDIATE_DAYS, 30],
  /** Growth against the baseline worth a look: ×1.5 and at least this much. */
  growth: 1.5,
  rssGrowthBytes: 32 * 1024 * 1024,
  fdGrowth: 50,
  /** A known warning whose rate rose this many times (and counts at least warnRateMin lines). */
  warnRate: 3,
  warnRateMin: 10,
  dockerImages: 5,
} as const;

export interface RecommendInput {
  service: OpsInspectData['service'];
  version: OpsInspectData['version'];
  resources: OpsInspectData['resources'];
  disk: OpsInspectData['disk'];
  anomalies: readonly InspectAnomaly[];
  certificates: OpsInspectData['certificates'];
  windowSec: number;
  /** The recorded baseline (null when there is none or it is unreadable). */
  baseline: OpsBaseline | null;
  /** When the running service last started (epoch seconds), or null. */
  startedAt: number | null;
  app: string;
  target: string;
}

export interface Recommendations { immediate: Recommendation[]; observe: Recommendation[] }

function pct(r: number): string {
  return `${(r * 100).toFixed(0)}%`;
}

function serviceRules(i: RecommendInput, out: Recommendations): void {
  const s = i.service;
  if (s.state === 'stopped' || s.state === 'degraded') {
    out.immediate.push({ id: 'service.down', text: `${i.app} is ${s.state === 'stopped' ? 'not running' : 'only partly running'}: read its logs, restart it, or roll back (deckhand rollback ${i.target} --name ${i.app})`, evidence: s.units.map((u) => `${u.name}: ${u.detail}`).join('; ') || (s.problem ?? 'no unit') });
  }
  const link = i.version.currentLink;
  if (link !== null && !link.endsWith(`/${i.version.release}`) && link !== i.version.release) {
    out.immediate.push({ id: 'version.current-link', text: `current points at ${link}, but the ledger's current release is ${i.version.release}: a deploy or rollback was interrupted or changed by hand`, evidence: `readlink <base>/current → ${link}` });
  }
}

function baselineRules(i: RecommendInput, out: Recommendations): void {
  const b = i.baseline;
  if (!b) {
    out.observe.push({ id: 'baseline.missing', text: `no ops baseline to compare with: record one (deckhand ops baseline ${i.target} --name ${i.app})`, evidence: 'no readable <base>/.deckhand/baseline.json' });
    return;
  }
  if (b.release !== i.version.release) {
    out.observe.push({ id: 'baseline.stale', text: `the baseline was recorded for release ${b.release}; ${i.version.release} is current: record a new one once it is verified`, evidence: `baseline.json release ${b.release}, recorded ${b.recordedAt}` });
    return;
  }
  const r = b.resources;
  if (!r) return;
  const now = i.service.restarts;
  if (now !== null && r.restarts !== null && now > r.restarts) {
    out.immediate.push({ id: 'service.restarts', text: `${i.app} restarted ${now - r.restarts} time(s) since the baseline: find out why in its logs (crash, OOM kill)`, evidence: `restart counter ${r.restarts} at baseline (${b.recordedAt}) → ${now} now` });
  } else if (i.startedAt !== null && r.serviceStartedAt !== null && i.startedAt * 1000 > Date.parse(r.serviceStartedAt) + 5000) {
    out.immediate.push({ id: 'service.restarts', text: `${i.app} started again since the baseline without a new release: find out who or what restarted it`, evidence: `running since ${new Date(i.startedAt * 1000).toISOString()}; at baseline it had been running since ${r.serviceStartedAt}` });
  }
  const res = i.resources;
  if (res.rssBytes !== null && r.rssBytes !== null && res.rssBytes > r.rssBytes * LIMITS.growth && res.rssBytes - r.rssBytes > LIMITS.rssGrowthBytes) {
    out.observe.push({ id: 'memory.growth', text: `RSS grew from ${formatBytes(r.rssBytes)} to ${formatBytes(res.rssBytes)} since the baseline: watch for a leak (deckhand ops resources ${i.target} --name ${i.app} --watch 60s)`, evidence: `RSS ${r.rssBytes} B at ${b.recordedAt} → ${res.rssBytes} B now` });
  }
  if (res.fds !== null && r.fds !== null && res.fds > r.fds * LIMITS.growth && res.fds - r.fds > LIMITS.fdGrowth) {
    out.observe.push({ id: 'fds.growth', text: `open file descriptors grew from ${r.fds} to ${res.fds} since the baseline: a descriptor leak would end in EMFILE`, evidence: `fds ${r.fds} at ${b.recordedAt} → ${res.fds} now` });
  }
}

function resourceRules(i: RecommendInput, out: Recommendations): void {
  const r = i.resources;
  if (r.fds !== null && r.fdLimit) {
    const ratio = r.fds / r.fdLimit;
    const rec = { id: 'fds.limit', text: `open file descriptors at ${pct(ratio)} of their limit (${r.fds} / ${r.fdLimit}): find the leak or raise LimitNOFILE`, evidence: `ls /proc/PID/fd → ${r.fds}; /proc/PID/limits Max open files ${r.fdLimit}` };
    if (ratio > LIMITS.fdRatio[0]) out.immediate.push(rec);
    else if (ratio > LIMITS.fdRatio[1]) out.observe.push(rec);
  }
  if (r.rssBytes !== null && r.memoryLimitBytes) {
    const ratio = r.rssBytes / r.memoryLimitBytes;
    const rec = { id: 'memory.limit', text: `RSS at ${pct(ratio)} of the memory limit (${formatBytes(r.rssBytes)} / ${formatBytes(r.memoryLimitBytes)}, ${r.memoryLimitSource}): the next growth ends in an OOM kill`, evidence: `VmRSS of ${r.processes.length} process(es); limit from ${r.memoryLimitSource}` };
    if (ratio >= LIMITS.memoryRatio[0]) out.immediate.push(rec);
    else if (ratio >= LIMITS.memoryRatio[1]) out.observe.push(rec);
  }
  const fs = i.disk.filesystem;
  if (fs) {
    const rec = { id: 'disk.usage', text: `the filesystem holding the app (${fs.mount}) is ${fs.usedPercent}% full, ${formatBytes(fs.availBytes)} free: clean up (deckhand ops cleanup ${i.target} --name ${i.app}) or grow it`, evidence: `df -Pk <base> → ${fs.usedPercent}% used on ${fs.mount}` };
    if (fs.usedPercent > LIMITS.diskPercent[0]) out.immediate.push(rec);
    else if (fs.usedPercent > LIMITS.diskPercent[1]) out.observe.push(rec);
  }
  const images = i.disk.docker?.images.length ?? 0;
  if (images > LIMITS.dockerImages) {
    out.observe.push({ id: 'docker.images', text: `${images} images of ${i.app} are kept: prune the ones no rollback needs (deckhand ops cleanup)`, evidence: `docker image ls ${i.app} → ${images} images` });
  }
}

function hintOf(a: InspectAnomaly): string {
  const c = LOG_PATTERNS.find((p) => p.id === a.catalogue);
  return c && c.id !== 'error' ? ` (${c.title}: ${c.hint})` : '';
}

function logRules(i: RecommendInput, out: Recommendations): void {
  const baseWindow = i.baseline?.logs?.windowSec ?? null;
  for (const a of i.anomalies) {
    const ev = `${a.count} line(s) from ${a.source}, first ${a.firstSeen ?? '?'}, last ${a.lastSeen ?? '?'}`;
    const what = `\`${a.pattern}\``;
    if (a.severity === 'critical') {
      out.immediate.push({ id: `logs.${a.id}`, text: `${a.isNew ? 'NEW ' : ''}critical log pattern ${what}${hintOf(a)}`, evidence: ev });
    } else if (a.severity === 'error' && a.isNew) {
      out.immediate.push({ id: `logs.${a.id}`, text: `NEW error pattern since the baseline: ${what}: read the lines around it and fix the cause`, evidence: ev });
    } else if (a.severity === 'error') {
      out.observe.push({ id: `logs.${a.id}`, text: `${a.isNew === null ? 'error pattern' : 'known error pattern continues'}: ${what}${hintOf(a)}`, evidence: `${ev}${a.baselineCount !== null ? `; ${a.baselineCount} at baseline` : ''}` });
    } else if (a.isNew) {
      out.observe.push({ id: `logs.${a.id}`, text: `NEW warning pattern since the baseline: ${what}${hintOf(a)}`, evidence: ev });
    } else if (a.baselineCount !== null && baseWindow) {
      const rate = a.count / i.windowSec;
      const before = a.baselineCount / baseWindow;
      if (a.count >= LIMITS.warnRateMin && rate > before * LIMITS.warnRate) {
        out.observe.push({ id: `logs.${a.id}`, text: `warning pattern ${what} is ${(rate / before).toFixed(1)}× as frequent as at the baseline${hintOf(a)}`, evidence: `${ev}; baseline ${a.baselineCount} in ${baseWindow}s` });
      }
    }
  }
}

function certRules(i: RecommendInput, out: Recommendations): void {
  for (const c of i.certificates) {
    const name = c.domains.join(', ') || c.path;
    if (c.status === 'unknown') {
      out.observe.push({ id: `cert.${c.path}`, text: `the certificate of ${name} could not be read (UNKNOWN): ${c.problem ?? 'no answer'}`, evidence: `openssl x509 -in ${c.path} -noout -enddate` });
      continue;
    }
    const days = c.daysLeft ?? 0;
    const ev = `openssl x509 -in ${c.path}: notAfter=${c.notAfter ?? '?'} (${days} days), issuer ${c.issuer ?? '?'}`;
    if (days < LIMITS.certDays[0]) out.immediate.push({ id: `cert.${c.path}`, text: `the certificate of ${name} ${days < 0 ? `expired ${-days} day(s) ago` : `expires in ${days} day(s)`}: renew it (deckhand ops certs ${i.target})`, evidence: ev });
    else if (days < LIMITS.certDays[1]) out.observe.push({ id: `cert.${c.path}`, text: `the certificate of ${name} expires in ${days} days: check that renewal is scheduled`, evidence: ev });
  }
}

/** Every rule, in report order. */
export function recommend(i: RecommendInput): Recommendations {
  const out: Recommendations = { immediate: [], observe: [] };
  serviceRules(i, out);
  baselineRules(i, out);
  resourceRules(i, out);
  logRules(i, out);
  certRules(i, out);
  return out;
}
