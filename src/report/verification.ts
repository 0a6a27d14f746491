// The Verification Report: findings per layer (process, port, HTTP, smoke, TLS, logs, dependencies, proxy, version) and the verdict.
import { z } from 'zod';
import { FindingSchema, SCHEMA_VERSION, StepResultSchema, TargetInfoSchema, ToolInfoSchema } from './common.js';

export const VERIFY_LAYERS = ['process', 'port', 'http', 'smoke', 'tls', 'logs', 'deps', 'proxy', 'version'] as const;

export const VerificationDataSchema = z.object({
  verdict: z.enum(['VERIFIED', 'FAILED']),
  /** Why the verdict is what it is: the failing findings' one-line summaries, or what was proven. */
  reasons: z.array(z.string()),
  subject: z.object({
    app: z.string().nullable(), strategy: z.string().nullable(), port: z.number().int().nullable(), healthPath: z.string().nullable(),
    release: z.string().nullable(), base: z.string().nullable(), since: z.string().nullable(), url: z.string().nullable(),
    source: z.enum(['ledger', 'url', 'flags']).describe('where the handoff came from'),
  }),
  layers: z.array(z.object({
    layer: z.enum(VERIFY_LAYERS), status: z.enum(['pass', 'warn', 'fail', 'unknown', 'skipped']), durationMs: z.number().int().nonnegative(), findings: z.number().int(),
  })),
  userPathExercised: z.boolean().describe('at least one smoke check (a real user path) passed'),
  followUp: z.array(z.string()),
});
export type VerificationData = z.infer<typeof VerificationDataSchema>;

export const VerificationReportSchema = z.object({
  schemaVersion: z.literal(SCHEMA_VERSION),
  tool: ToolInfoSchema,
  stage: z.literal('verification'),
  status: z.enum(['verified', 'failed']),
  target: TargetInfoSchema,
  startedAt: z.string(),
  durationMs: z.number().int().nonnegative(),
  findings: z.array(FindingSchema).min(1),
  steps: z.array(StepResultSchema),
  data: VerificationDataSchema,
});
export type VerificationReport = z.infer<typeof VerificationReportSchema>;
