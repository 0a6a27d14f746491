// The Fleet Report of a deploy to several hosts: the batches, and per host its execution, verification and rollback.
import { z } from 'zod';
import { FindingSchema, SCHEMA_VERSION, StepResultSchema, TargetInfoSchema, ToolInfoSchema } from './common.js';
import { ExecutionReportSchema } from './execution.js';
import { VerificationReportSchema } from './verification.js';

export const FleetHostRowSchema = z.object({
  host: z.string().describe('the host as deckhand reached it (user@host:port)'),
  target: z.string().describe('the target as given (--to or deckhand.yml hosts:)'),
  batch: z.number().int().positive().describe('1-based batch number; the canary batch is 1 when there is one'),
  canary: z.boolean(),
  release: z.string().nullable().describe('the release this run deployed (or planned) on the host'),
  previousRelease: z.string().nullable().describe('what was current before: the host\'s rollback point'),
  status: z.enum(['planned', 'verified', 'failed', 'reverted', 'rolled-back', 'untouched'])
    .describe('reverted: the deploy put the previous release back itself; rolled-back: switched, then rolled back by this run because the rollout stopped; untouched: its batch was never reached'),
  summary: z.string().describe('one line: what happened on this host, or why it was not touched'),
  durationMs: z.number().int().nonnegative().nullable(),
  readiness: z.object({ verdict: z.string(), findings: z.array(FindingSchema).describe('the checks that did not pass, with their evidence') }).nullable()
    .describe('the host checked before the rollout (runtime, strategy tools, port, disk): a NOT READY host blocks the whole rollout'),
  execution: ExecutionReportSchema.nullable(),
  verification: VerificationReportSchema.nullable(),
  rollback: ExecutionReportSchema.nullable().describe('the rollback this run made on the host, if any'),
});
export type FleetHostRow = z.infer<typeof FleetHostRowSchema>;

export const FleetDataSchema = z.object({
  outcome: z.enum(['PLANNED', 'VERIFIED', 'ROLLED_BACK', 'FAILED', 'BLOCKED'])
    .describe('ROLLED_BACK: a batch failed and every host this run switched serves its previous release again; FAILED: something is left not as it was (see the rows); BLOCKED: a host is NOT READY, nothing was changed'),
  app: z.string(),
  strategy: z.string(),
  release: z.string().nullable().describe('the release id, when every host got the same one'),
  batchSize: z.string().describe('as asked: a count, a share of the fleet, or all'),
  canary: z.number().int().nonnegative().describe('hosts in the canary batch (0: none)'),
  windowMs: z.number().int().positive().describe('verification window of every host of a batch'),
  canaryWindowMs: z.number().int().positive().nullable().describe('how long the canary is verified and watched before the rest'),
  parallel: z.number().int().positive().describe('hosts worked on at once (readiness, deploy of a batch, rollback)'),
  batches: z.array(z.array(z.string())).describe('hosts per batch, in rollout order'),
  build: z.object({ where: z.enum(['target', 'local', 'image']), shared: z.boolean(), title: z.string().nullable().describe('the shared build step'), durationMs: z.number().int().nonnegative().nullable() })
    .describe('local: built once here and the same files shipped to every host'),
  lock: z.string().describe('the fleet lock: every host\'s deploy lock, taken before any host changes and held to the end'),
  hosts: z.array(FleetHostRowSchema),
  failure: z.object({ host: z.string().nullable(), batch: z.number().int().positive().nullable(), stage: z.enum(['readiness', 'lock', 'build', 'execution', 'verification', 'interrupted']), message: z.string() }).nullable(),
});
export type FleetData = z.infer<typeof FleetDataSchema>;

export const FleetReportSchema = z.object({
  schemaVersion: z.literal(SCHEMA_VERSION),
  tool: ToolInfoSchema,
  stage: z.literal('fleet'),
  status: z.enum(['planned', 'verified', 'rolled-back', 'failed', 'blocked']),
  target: TargetInfoSchema,
  startedAt: z.string(),
  durationMs: z.number().int().nonnegative(),
  findings: z.array(FindingSchema),
  steps: z.array(StepResultSchema),
  data: FleetDataSchema,
});
export type FleetReport = z.infer<typeof FleetReportSchema>;
