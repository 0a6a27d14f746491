// The Execution Report: target, release and commit, the plan, commands executed, files touched, runtime status, handoff, rollback entry.
import { z } from 'zod';
import { FindingSchema, SCHEMA_VERSION, StepResultSchema, TargetInfoSchema, ToolInfoSchema } from './common.js';

export const PlannedStepSchema = z.object({
  id: z.string(), title: z.string(), phase: z.enum(['prepare', 'switch', 'start', 'finalize']), destructive: z.boolean(),
  impact: z.string().optional(), undo: z.string().optional(), verify: z.string().optional(),
  commands: z.array(z.string()).describe('what the step runs, redacted; file writes are shown as "write PATH (mode)"'),
});

export const ExecutedCommandSchema = z.object({
  step: z.string(), command: z.string(), exitCode: z.number().int().nullable(), durationMs: z.number().int().nonnegative(),
  attempts: z.number().int().min(1), timedOut: z.boolean(), output: z.string().describe('last lines of stdout/stderr, redacted'),
});

export const HandoffSchema = z.object({
  service: z.string(), strategy: z.string(), port: z.number().int().nullable(), healthPath: z.string().nullable(), release: z.string(),
  base: z.string(), target: z.string(),
});
export type Handoff = z.infer<typeof HandoffSchema>;

export const ExecutionDataSchema = z.object({
  outcome: z.enum(['PLANNED', 'SUCCESS', 'FAILED', 'REVERTED']).describe('REVERTED: the new release failed and the previous one serves again'),
  operation: z.enum(['deploy', 'rollback']),
  app: z.string(),
  strategy: z.string(),
  planId: z.string(),
  releaseId: z.string(),
  commit: z.string().nullable(),
  dirty: z.boolean(),
  previousRelease: z.string().nullable(),
  base: z.string(),
  plan: z.array(PlannedStepSchema),
  commands: z.array(ExecutedCommandSchema),
  filesTouched: z.array(z.string()),
  runtime: z.object({ status: z.enum(['running', 'not-running', 'unknown', 'not-started']), detail: z.string() }),
  handoff: HandoffSchema.nullable(),
  rollbackEntry: z.string(),
  failure: z.object({ step: z.string(), message: z.string(), revert: z.string().nullable() }).nullable(),
  lockRecovered: z.string().nullable().describe('a stale lock that was taken over, and why'),
  pruned: z.array(z.string()),
  warnings: z.array(z.string()),
  envNames: z.array(z.string()).describe('names written to the env file; values never appear'),
  journal: z.string().nullable().describe('journal file on the target'),
});
export type ExecutionData = z.infer<typeof ExecutionDataSchema>;

export const ExecutionReportSchema = z.object({
  schemaVersion: z.literal(SCHEMA_VERSION),
  tool: ToolInfoSchema,
  stage: z.literal('execution'),
  status: z.enum(['planned', 'ok', 'failed']),
  target: TargetInfoSchema,
  startedAt: z.string(),
  durationMs: z.number().int().nonnegative(),
  findings: z.array(FindingSchema),
  steps: z.array(StepResultSchema),
  data: ExecutionDataSchema,
});
export type ExecutionReport = z.infer<typeof ExecutionReportSchema>;
