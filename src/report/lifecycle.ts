// The Lifecycle Report of `deckhand up`: each stage's outcome, what happened on failure, and the deployment summary.
import { z } from 'zod';
import { FindingSchema, SCHEMA_VERSION, StepResultSchema, TargetInfoSchema, ToolInfoSchema } from './common.js';

export const LifecycleDataSchema = z.object({
  outcome: z.enum(['VERIFIED', 'ROLLED_BACK', 'FAILED', 'NOT_READY']).describe('ROLLED_BACK: the new release failed verification and the previous one serves again'),
  stages: z.array(z.object({
    stage: z.enum(['discovery', 'readiness', 'execution', 'verification', 'rollback', 'reverification', 'baseline', 'incident']),
    status: z.string().describe("the stage's own verdict: ok, READY, NOT READY, SUCCESS, REVERTED, VERIFIED, FAILED …"),
    summary: z.string(),
    report: z.string().nullable().describe('file the full report was written to'),
  })),
  requiredActions: z.array(z.string()),
  summary: z.object({
    app: z.string(), target: z.string(), strategy: z.string().nullable(), url: z.string().nullable(), port: z.number().int().nullable(),
    release: z.string().nullable(), commit: z.string().nullable(), logs: z.string().nullable(), rollback: z.string().nullable(),
    reportsDir: z.string(), baseline: z.string().nullable(), incident: z.string().nullable(),
  }),
});
export type LifecycleData = z.infer<typeof LifecycleDataSchema>;

export const LifecycleReportSchema = z.object({
  schemaVersion: z.literal(SCHEMA_VERSION),
  tool: ToolInfoSchema,
  stage: z.literal('lifecycle'),
  status: z.enum(['verified', 'rolled-back', 'failed', 'not-ready']),
  target: TargetInfoSchema,
  startedAt: z.string(),
  durationMs: z.number().int().nonnegative(),
  findings: z.array(FindingSchema),
  steps: z.array(StepResultSchema),
  data: LifecycleDataSchema,
});
export type LifecycleReport = z.infer<typeof LifecycleReportSchema>;
