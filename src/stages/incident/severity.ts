// The severity decision tree (SEV-1 down, SEV-2 degraded, SEV-3 minor): each answer is recorded, and an unclear answer takes the higher severity.
import type { Finding } from '../../report/common.js';
import type { Diagnosis, Severity } from '../../report/incident.js';
import type { Signals } from './signals.js';

export interface Triage { severity: Severity; decision: string[] }

/**
 * The tree's questions answered from one observation: `deckhand incident`'s signals, or the failing findings of a
 * deploy and its verification (`deckhand up`). Both go through decide(), so one tree grades both.
 */
export interface Observation {
  /** Why it cannot be told whether it serves at all, or null when it can. */
  blind: string | null;
  /** The service line recorded first (what runs). */
  service: string;
  /** What makes it down. */
  down: string[];
  /** The health line recorded once it is not down. */
  health: string;
  /** What makes it degraded while serving. */
  degraded: string[];
  /** What could not be checked. */
  unchecked: string[];
}

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
 * 2. Is it down? → SEV-1.
 * 3. Is it degraded? → SEV-2; anything that could not be checked → SEV-2 (unclear between 2 and 3 → higher).
 * 4. Otherwise → SEV-3: isolated warnings, nothing on the main path.
 */
export function decide(o: Observation): Triage {
  if (o.blind !== null) return { severity: 'SEV-1', decision: [`${o.blind}: unclear → SEV-1`] };
  const decision = [`service: ${o.service}`];
  if (o.down.length > 0) {
    decision.push(`down: ${o.down.join('; ')} → SEV-1`);
    return { severity: 'SEV-1', decision };
  }
  decision.push(o.health);
  if (o.degraded.length > 0) {
    decision.push(`running but degraded: ${[...new Set(o.degraded)].join('; ')} → SEV-2`);
    return { severity: 'SEV-2', decision };
  }
  if (o.unchecked.length > 0) {
    decision.push(`not everything could be checked (${o.unchecked.join('; ')}): unclear → SEV-2`);
    return { severity: 'SEV-2', decision };
  }
  decision.push('serving, no degradation found → SEV-3');
  return { severity: 'SEV-3', decision };
}

/**
 * The incident's signals as answers: down is not running, a crash loop, health unanswered or 5xx, a proxy answering
 * 502/503/504, or a dependency of the env file failing its handshake (auth failed, unreachable, unresolvable, TLS);
 * degraded is an OOM kill, restarts, a nearly full disk, memory near its limit or a diagnosis; health not checkable
 * (no port recorded) while running is unchecked.
 */
export function observeSignals(s: Signals, ds: readonly Diagnosis[]): Observation {
  const answers = [s.health, ...s.proxies].filter((h): h is NonNullable<typeof h> => h !== null);
  const down: string[] = [];
  if (s.service.state !== 'running' && s.service.state !== 'unknown') down.push(`the service is ${s.service.state}`);
  if (ds.some((d) => d.id === 'crash-loop')) down.push(`crash loop (${s.service.restarts ?? '?'} restarts)`);
  for (const h of answers.filter((a) => !healthOk(a.code))) down.push(`${h.url} ${h.code === 0 ? 'does not answer' : `answers HTTP ${h.code}`}`);
  // The app's own credentials refused, or its database out of reach: whatever needs it fails on every request, even
  // while a liveness path that never touches it answers 200.
  for (const x of s.deps.filter((d) => DEP_DOWN.has(d.verdict))) down.push(`its dependency ${x.keys} fails the handshake (${x.summary})`);
  const degraded: string[] = [];
  if (ds.some((d) => d.id === 'oom-killed')) degraded.push('an OOM kill');
  if ((s.service.restarts ?? 0) > 0) degraded.push(`${s.service.restarts} restart(s)`);
  if (s.disk && s.disk.usedPercent >= DISK_PRESSURE) degraded.push(`${s.disk.mount} ${s.disk.usedPercent}% full`);
  if (s.memory && s.memory.rssBytes >= s.memory.limitBytes * MEMORY_PRESSURE) degraded.push(`memory ${s.memory.rssBytes} of ${s.memory.limitBytes} B`);
  for (const d of ds.filter((x) => x.id !== 'certificate-expired')) degraded.push(d.title);
  if (ds.some((d) => d.id === 'certificate-expired')) degraded.push('an expired certificate');
  const unjudged = s.deps.filter((d) => d.verdict === 'unknown').map((d) => `dependency ${d.keys}: ${d.summary}`);
  return {
    blind: s.service.state === 'unknown' && answers.length === 0 ? `service state unknown (${s.service.problem ?? 'no answer'}) and no health answer` : null,
    service: s.service.detail,
    down,
    health: answers.length > 0 ? `health: ${answers.map((a) => `${a.url} HTTP ${a.code}`).join(', ')}` : 'health: not checkable (no port recorded)',
    degraded,
    unchecked: [answers.length === 0 ? 'no health check' : null, s.service.state === 'unknown' ? 'service state' : null, ...s.problems, ...unjudged].filter((x): x is string => Boolean(x)),
  };
}

/** Finding sections whose failure means users are not served: the process, its port and health, a user path, a dependency, the proxy, the deploy itself. */
const DOWN_SECTIONS = new Set(['process', 'port', 'http', 'smoke', 'deps', 'proxy', 'Execution']);

/**
 * A deploy's and its verification's failing findings as answers (what `deckhand up` has of the release): a failure in
 * a section users go through is down, any other failure (fatal log pattern, TLS, version) degraded, an unknown
 * unchecked; process and health both unknown with nothing failing is blind.
 */
export function observeFindings(failing: readonly Finding[]): Observation {
  const line = (f: Finding): string => `${f.title}: ${f.summary}`;
  const failed = failing.filter((f) => f.status === 'fail' || f.status === 'block');
  const unknown = failing.filter((f) => f.status === 'unknown');
  const blind = failed.length === 0 && ['process', 'http'].every((section) => unknown.some((f) => f.section === section));
  return {
    blind: blind ? `service and health unknown (${unknown.map(line).join('; ')})` : null,
    service: `${failed.length} check(s) failing`,
    down: failed.filter((f) => DOWN_SECTIONS.has(f.section)).map(line),
    health: 'health: no failing check on the user path',
    degraded: failed.filter((f) => !DOWN_SECTIONS.has(f.section)).map(line),
    unchecked: unknown.map(line),
  };
}

/** The tree over the incident's signals and diagnoses. */
export function classify(s: Signals, ds: readonly Diagnosis[]): Triage {
  return decide(observeSignals(s, ds));
}
