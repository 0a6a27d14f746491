// The conclusion: NOT READY on any blocker or any required fact left unknown; warnings otherwise.
import type { Finding } from '../../report/common.js';
import type { Verdict } from '../../report/readiness.js';

export function isBlocking(f: Finding): boolean {
  return f.status === 'block' || f.status === 'fail' || (f.status === 'unknown' && f.required);
}

export function verdict(findings: readonly Finding[]): { verdict: Verdict; requiredActions: string[] } {
  if (findings.length === 0) throw new Error('no readiness checks ran: an empty check list is not a pass');
  const blocking = findings.filter(isBlocking);
  const soft = findings.filter((f) => !isBlocking(f) && (f.status === 'warn' || f.status === 'unknown'));
  const actions = [...blocking, ...soft].map((f) => f.remedy ?? `resolve: ${f.title} — ${f.summary}`);
  return {
    verdict: blocking.length > 0 ? 'NOT READY' : soft.length > 0 ? 'READY WITH WARNINGS' : 'READY',
    requiredActions: [...new Set(actions)],
  };
}
