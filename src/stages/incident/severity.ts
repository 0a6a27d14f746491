// The severity decision tree (SEV-1 down, SEV-2 degraded, SEV-3 minor): each answer is recorded, and an unclear answer takes the higher severity.
import type { Diagnosis, Severity } from '../../report/incident.js';
import type { Signals } from './signals.js';

export interface Triage { severity: Severity; decision: string[] }

/** Share of the memory limit from which the service counts as under memory pressure. */
export const MEMORY_PRESSURE = 0.9;
/** Disk use (percent) from which the filesystem counts as nearly full. */
export const DISK_PRESSURE = 95;

/** Handshake verdicts that mean the app cannot use the dependency at all (an unknown one is a problem, not an outage). */
const DEP_DOWN = new Set(['auth', 'unreachable', 'dns', 'tls']);

function healthOk(code: number): boolean {
  return code >= 200 && code < 400;
}

/**
 * 1. Can we tell whether it serves? Service state and every health answer unknown → SEV-1 (unclear → higher).
 * 2. Is it down? Not running, crash looping, health unanswered or 5xx, a proxy answering 502/503/504, or a
 *    dependency of the env file failing its handshake (auth failed, unreachable, unresolvable, TLS) → SEV-1.
 * 3. Is it degraded? OOM kill, restarts, a nearly full disk, memory near its limit, a blocking diagnosis → SEV-2;
 *    health not checkable (no port recorded) while running → SEV-2 (unclear between 2 and 3 → higher).
 * 4. Otherwise → SEV-3: isolated warnings, nothing on the main path.
 */
export function classify(s: Signals, ds: readonly Diagnosis[]): Triage {
  const decision: string[] = [];
  const answers = [s.health, ...s.proxies].filter((h): h is NonNullable<typeof h> => h !== null);
  if (s.service.state === 'unknown' && answers.length === 0) {
    decision.push(`service state unknown (${s.service.problem ?? 'no answer'}) and no health answer: unclear → SEV-1`);
    return { severity: 'SEV-1', decision };
  }
  decision.push(`service: ${s.service.detail}`);
  const down: string[] = [];
  if (s.service.state !== 'running' && s.service.state !== 'unknown') down.push(`the service is ${s.service.state}`);
  if (ds.some((d) => d.id === 'crash-loop')) down.push(`crash loop (${s.service.restarts ?? '?'} restarts)`);
  for (const h of answers.filter((a) => !healthOk(a.code))) down.push(`${h.url} ${h.code === 0 ? 'does not answer' : `answers HTTP ${h.code}`}`);
  // The app's own credentials refused, or its database out of reach: whatever needs it fails on every request, even
  // while a liveness path that never touches it answers 200.
  for (const x of s.deps.filter((d) => DEP_DOWN.has(d.verdict))) down.push(`its dependency ${x.keys} fails the handshake (${x.summary})`);
  if (down.length > 0) {
    decision.push(`down: ${down.join('; ')} → SEV-1`);
    return { severity: 'SEV-1', decision };
  }
  decision.push(answers.length > 0 ? `health: ${answers.map((a) => `${a.url} HTTP ${a.code}`).join(', ')}` : 'health: not checkable (no port recorded)');
  const degraded: string[] = [];
  if (ds.some((d) => d.id === 'oom-killed')) degraded.push('an OOM kill');
  if ((s.service.restarts ?? 0) > 0) degraded.push(`${s.service.restarts} restart(s)`);
  if (s.disk && s.disk.usedPercent >= DISK_PRESSURE) degraded.push(`${s.disk.mount} ${s.disk.usedPercent}% full`);
  if (s.memory && s.memory.rssBytes >= s.memory.limitBytes * MEMORY_PRESSURE) degraded.push(`memory ${s.memory.rssBytes} of ${s.memory.limitBytes} B`);
  for (const d of ds.filter((x) => x.id !== 'certificate-expired')) degraded.push(d.title);
  if (ds.some((d) => d.id === 'certificate-expired')) degraded.push('an expired certificate');
  if (degraded.length > 0) {
    decision.push(`running but degraded: ${[...new Set(degraded)].join('; ')} → SEV-2`);
    return { severity: 'SEV-2', decision };
  }
  const unjudged = s.deps.filter((d) => d.verdict === 'unknown').map((d) => `dependency ${d.keys}: ${d.summary}`);
  if (answers.length === 0 || s.service.state === 'unknown' || s.problems.length > 0 || unjudged.length > 0) {
    decision.push(`not everything could be checked (${[answers.length === 0 ? 'no health check' : null, s.service.state === 'unknown' ? 'service state' : null, ...s.problems, ...unjudged].filter(Boolean).join('; ')}): unclear → SEV-2`);
    return { severity: 'SEV-2', decision };
  }
  decision.push('serving, no degradation found → SEV-3');
  return { severity: 'SEV-3', decision };
}
