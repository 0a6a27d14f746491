// The Services Report of a multi-service deploy: the order, and per service its execution, verification, handshakes and undo.
import { z } from 'zod';
import { FindingSchema, SCHEMA_VERSION, StepResultSchema, TargetInfoSchema, ToolInfoSchema } from './common.js';
import { ExecutionReportSchema } from './execution.js';
import { VerificationReportSchema } from './verification.js';

export const ServiceRowSchema = z.object({
  service: z.string(), app: z.string(), appDir: z.string(), dependsOn: z.array(z.string()),
  strategy: z.string().nullable(), port: z.number().int().nullable(),
  release: z.string().nullable().describe('the release this run deployed (or planned)'),
  previousRelease: z.string().nullable().describe('what was current before: the rollback point'),
  status: z.enum(['planned', 'verified', 'failed', 'rolled-back', 'untouched', 'serving', 'not-serving'])
    .describe('untouched: not reached because an earlier service failed; serving / not-serving: a dependency --only assumed'),
  impact: z.string().describe('what this run changes for the service'),
  undo: z.string().describe('what happens to it when it or a later service fails'),
  execution: ExecutionReportSchema.nullable(),
  verification: VerificationReportSchema.nullable(),
  handshakes: z.array(FindingSchema).describe("this service's handshake to each service it depends on, from the target"),
  rollback: ExecutionReportSchema.nullable().describe('the rollback this run made of the service, if any'),
});
export type ServiceRow = z.infer<typeof ServiceRowSchema>;

export const ServicesDataSchema = z.object({
  outcome: z.enum(['PLANNED', 'VERIFIED', 'ROLLED_BACK', 'FAILED', 'BLOCKED'])
    .describe('ROLLED_BACK: a service failed and every service this run switched serves its previous release again; BLOCKED: --only found a dependency not serving, nothing changed'),
  order: z.array(z.string()).describe('every service, dependencies first'),
  only: z.string().nullable(),
  services: z.array(ServiceRowSchema).describe('the services this run deploys, in order'),
  assumed: z.array(ServiceRowSchema).describe('with --only: the services it depends on, checked serving, not deployed'),
  failure: z.object({ service: z.string(), stage: z.enum(['plan', 'execution', 'verification', 'handshake', 'dependency']), message: z.string() }).nullable(),
});
export type ServicesData = z.infer<typeof ServicesDataSchema>;

export const ServicesReportSchema = z.object({
  schemaVersion: z.literal(SCHEMA_VERSION),
  tool: ToolInfoSchema,
  stage: z.literal('services'),
  status: z.enum(['planned', 'verified', 'rolled-back', 'failed', 'blocked']),
  target: TargetInfoSchema,
  startedAt: z.string(),
  durationMs: z.number().int().nonnegative(),
  findings: z.array(FindingSchema),
  steps: z.array(StepResultSchema),
  data: ServicesDataSchema,
});
export type ServicesReport = z.infer<typeof ServicesReportSchema>;
