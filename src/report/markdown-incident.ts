// Markdown of the Incident Record (the guide's "Incident Record & Rollback" layout) and the post-incident review draft.
import type { IncidentRecord, IncidentReport } from './incident.js';

const SEVERITY_WORDS = { 'SEV-1': 'CRITICAL (service down)', 'SEV-2': 'DEGRADED', 'SEV-3': 'MINOR' } as const;

function list(items: readonly string[], empty: string): string[] {
  return items.length > 0 ? items.map((i) => `- ${i}`) : [`- ${empty}`];
}

function code(s: string): string {
  return `\`${s.replace(/`/g, "'")}\``;
}

/** The record's sections; shared by the report and the review draft. */
export function renderIncidentRecord(r: IncidentRecord): string[] {
  const c = r.changes;
  return [
    '### Incident Triage',
    `- **Issue:** ${r.triage.summary}`,
    `- **Severity:** ${r.triage.severity} — ${SEVERITY_WORDS[r.triage.severity]}`,
    '- **Decision tree:**',
    ...r.triage.decision.map((x, i) => `  ${i + 1}. ${x}`),
    '- **Evidence:**',
    ...r.triage.evidence.map((x) => `  - ${code(x)}`),
    '',
    '### Diagnosis',
    ...(r.diagnoses.length > 0
      ? r.diagnoses.flatMap((x) => [`- **${x.title}** (${x.id}, ${x.causeClass})`, ...x.evidence.map((e) => `  - ${code(e)}`), `  - Action: ${x.action}`])
      : ['- no known failure pattern matched']),
    '',
    '### What Changed',
    ...(c
      ? [
        `- **Releases:** ${c.previous ?? '(none)'} → ${c.current ?? '?'}`,
        `- **Commit:** ${c.commit.from ?? '?'} → ${c.commit.to ?? '?'}`,
        `- **Env keys added:** ${c.envKeysAdded.join(', ') || 'none'}; **removed:** ${c.envKeysRemoved.join(', ') || 'none'}`,
        `- **Config changed:** ${c.configChanged.join(', ') || 'none'}`,
        `- **Recent deploys:** ${c.recentDeploys.map((x) => `${x.id} (${x.status})`).join(', ') || 'none'}`,
      ]
      : ['- not gathered']),
    '',
    '### Timeline',
    ...r.timeline.map((t) => `- ${t.at} — ${t.event}`),
    '',
    '### Actions Taken',
    ...list(r.actions, 'none'),
    '',
    '### Rollback Execution',
    ...(r.rollback
      ? [`- **From:** ${r.rollback.from ?? '-'} **to:** ${r.rollback.to ?? '-'}`, `- **Outcome:** ${r.rollback.outcome}`, `- **Verification after:** ${r.rollback.verified ?? 'not run'}`]
      : ['- no rollback']),
    '',
    '### Current State',
    `- **Status:** ${r.status}`,
    `- ${r.currentState}`,
    '',
    '### Cause Class',
    `- ${r.causeClass}`,
    '',
    '### Follow-up Required',
    ...list(r.followUp, 'none'),
  ];
}

export function renderIncidentMarkdown(report: IncidentReport): string {
  const r = report.data.record;
  return [
    '## Incident Record & Rollback',
    '',
    `- **App:** ${r.app} on ${report.target.display}`,
    `- **Opened:** ${r.openedAt}${report.data.dryRun ? ' (dry run: nothing was changed)' : ''}`,
    `- **Record:** ${report.data.recordPath ?? 'not written'}${report.data.reviewPath ? `; review draft ${report.data.reviewPath}` : ''}`,
    '',
    ...renderIncidentRecord(r),
    '',
  ].join('\n');
}

/** The post-incident review draft: the record's facts plus the questions a review answers, left for the team. */
export function renderReviewDraft(r: IncidentRecord): string {
  return [
    `# Post-incident review (draft): ${r.app}, ${r.openedAt}`,
    '',
    `Severity ${r.triage.severity}; status ${r.status}; cause class ${r.causeClass}. Drafted by deckhand from incident record ${r.id}.`,
    '',
    '## Summary',
    r.triage.summary,
    '',
    ...renderIncidentRecord(r),
    '',
    '## To complete in the review',
    '- Impact: who was affected, and for how long?',
    '- Detection: how was it noticed, and could it have been noticed sooner?',
    '- Root cause: confirm or correct the diagnosis above.',
    '- Prevention: what check (readiness, verification, smoke condition, alert) would have caught it before users did?',
    '',
  ].join('\n');
}
