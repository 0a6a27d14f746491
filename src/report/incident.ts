// The Incident Record (`deckhand incident`, `deckhand rollback`, the lifecycle's automatic rollback) and its report envelope.
import { z } from 'zod';
import { FindingSchema, SCHEMA_VERSION, StepResultSchema, TargetInfoSchema, ToolInfoSchema } from './common.js';

export const SeveritySchema = z.enum(['SEV-1', 'SEV-2', 'SEV-3']);
export const CauseClassSchema = z.enum(['infrastructure', 'application', 'unknown']);

export const DiagnosisSchema = z.object({
  id: z.string(),
  title: z.string(),
  causeClass: CauseClassSchema,
  evidence: z.array(z.string()).describe('the signal lines that matched, redacted'),
  action: z.string().describe('what to do about it'),
});

export const ChangeSummarySchema = z.object({
  current: z.string().nullable(),
  previous: z.string().nullable(),
  commit: z.object({ from: z.string().nullable(), to: z.string().nullable() }),
  envKeysAdded: z.array(z.string()).describe('names only, never values'),
  envKeysRemoved: z.array(z.string()),
  configChanged: z.array(z.string()).describe('managed files (unit, ecosystem, compose, site) that differ between the two releases'),
  recentDeploys: z.array(z.object({ id: z.string(), status: z.string(), deployedAt: z.string(), commit: z.string().nullable() })),
});

/** What DESIGN.md §7 calls the Incident Record; the same shape is written to <base>/.deckhand/incidents/<id>.json. */
export const IncidentRecordSchema = z.object({
  schemaVersion: z.literal(1),
  id: z.string(),
  app: z.string(),
  openedAt: z.string(),
  source: z.enum(['incident', 'rollback', 'lifecycle']).describe('which command opened the record'),
  triage: z.object({
    severity: SeveritySchema,
    summary: z.string(),
    evidence: z.array(z.string()),
    decision: z.array(z.string()).describe('the path taken through the severity decision tree'),
  }),
  diagnoses: z.array(DiagnosisSchema),
  changes: ChangeSummarySchema.nullable(),
  timeline: z.array(z.object({ at: z.string(), event: z.string() })),
  actions: z.array(z.string()),
  rollback: z.object({ from: z.string().nullable(), to: z.string().nullable(), outcome: z.string(), verified: z.string().nullable() }).nullable(),
  currentState: z.string(),
  status: z.enum(['RESTORED', 'STABILISED', 'UNRESOLVED', 'REPORTED']).describe('RESTORED: rolled back and verified; STABILISED: healthy after the stabilisation; REPORTED: nothing done (SEV-3 or --dry-run)'),
  causeClass: CauseClassSchema,
  followUp: z.array(z.string()),
});

export const IncidentReportSchema = z.object({
  schemaVersion: z.literal(SCHEMA_VERSION),
  tool: ToolInfoSchema,
  stage: z.literal('incident'),
  status: z.enum(['ok', 'attention', 'failed']).describe('ok: restored/stabilised or nothing to do; attention: reported only; failed: still broken'),
  target: TargetInfoSchema,
  startedAt: z.string(),
  durationMs: z.number().int().nonnegative(),
  findings: z.array(FindingSchema),
  steps: z.array(StepResultSchema),
  data: z.object({
    dryRun: z.boolean(),
    record: IncidentRecordSchema,
    recordPath: z.string().nullable().describe('where the record was written on the target (null with --dry-run or when it could not be written)'),
    reviewPath: z.string().nullable(),
  }),
});

export type Severity = z.infer<typeof SeveritySchema>;
export type CauseClass = z.infer<typeof CauseClassSchema>;
export type Diagnosis = z.infer<typeof DiagnosisSchema>;
export type ChangeSummary = z.infer<typeof ChangeSummarySchema>;
export type IncidentRecord = z.infer<typeof IncidentRecordSchema>;
export type IncidentReport = z.infer<typeof IncidentReportSchema>;
