// A plan as a report (outcome PLANNED): what `deckhand deploy --plan` prints and `--plan-out` saves beside the plan.
import { VERSION } from '../../core/version.js';
import { SCHEMA_VERSION } from '../../report/common.js';
import type { ExecutionReport } from '../../report/execution.js';
import type { HostRef } from '../../core/target.js';
import { planSteps } from './apply.js';
import type { Plan } from './types.js';

export function planReport(plan: Plan, host: HostRef, durationMs: number): ExecutionReport {
  return {
    schemaVersion: SCHEMA_VERSION, tool: { name: 'deckhand', version: VERSION }, stage: 'execution', status: 'planned',
    target: { kind: host.kind, display: host.display }, startedAt: plan.createdAt, durationMs,
    findings: plan.warnings.map((w, i) => ({ id: `plan.warning.${i + 1}`, section: 'Execution', title: 'Warning', status: 'warn' as const, required: false, summary: w })),
    steps: [],
    data: {
      outcome: 'PLANNED', operation: 'deploy', app: plan.app, strategy: plan.strategy, planId: plan.id, releaseId: plan.releaseId, commit: plan.commit,
      dirty: plan.dirty, previousRelease: plan.previousRelease, base: plan.layout.base, plan: planSteps(plan), commands: [], filesTouched: [],
      runtime: { status: 'not-started', detail: 'plan only' }, handoff: null, rollbackEntry: plan.rollbackEntry, failure: null, lockRecovered: null,
      pruned: [], warnings: plan.warnings, envNames: plan.envNames, journal: null,
    },
  };
}
