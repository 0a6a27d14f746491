// The Incident Record `deckhand up` writes when a deploy fails: graded by the incident stage's decision tree and cause classes.
import type { Finding } from '../../report/common.js';
import type { IncidentRecord } from '../../report/incident.js';
import { incidentCause } from '../incident/diagnoses.js';
import { incidentId } from '../incident/record.js';
import { decide, observeFindings } from '../incident/severity.js';

export interface LifecycleIncident {
  app: string;
  /** One line: what failed. */
  what: string;
  /** The failing findings of the deploy or of its verification. */
  failing: readonly Finding[];
  /** The release rolled back from, and the one restored (null when nothing could be). */
  from: string | null;
  to: string | null;
  outcome: string;
  currentState: string;
  startedAt: Date;
  now: Date;
}

/** The record of a failed `deckhand up`: severity from the same tree as `deckhand incident`, here over the failing findings. */
export function lifecycleRecord(i: LifecycleIncident): IncidentRecord {
  const triage = decide(observeFindings(i.failing));
  return {
    schemaVersion: 1, id: incidentId(i.now), app: i.app, openedAt: i.now.toISOString(), source: 'lifecycle',
    triage: { severity: triage.severity, summary: i.what, evidence: i.failing.slice(0, 10).map((f) => `${f.title}: ${f.summary}`), decision: triage.decision },
    diagnoses: [], changes: null,
    timeline: [{ at: i.startedAt.toISOString(), event: 'deckhand up started' }, { at: i.now.toISOString(), event: i.what }],
    actions: i.to ? [`rolled back from ${i.from ?? '?'} to ${i.to}`, 'verified the restored release'] : ['none: nothing to roll back to'],
    rollback: i.from || i.to ? { from: i.from, to: i.to, outcome: i.outcome, verified: i.to ? 'verified again after the rollback (see the lifecycle report)' : null } : null,
    currentState: i.currentState, status: i.to && !/fail|unknown/i.test(i.outcome) ? 'RESTORED' : 'UNRESOLVED', causeClass: incidentCause([], i.failing),
    followUp: i.failing.filter((f) => f.remedy).map((f) => `${f.title}: ${f.remedy}`).slice(0, 10),
  };
}
