// The Deployment Brief: every resolved fact with its evidence, the candidate strategies, risks and conflicts.
import { z } from 'zod';
import { FindingSchema, SCHEMA_VERSION, StepResultSchema, TargetInfoSchema, ToolInfoSchema } from './common.js';

export const EvidenceSchema = z.object({ file: z.string(), line: z.number().int().nullable(), text: z.string().optional() });
export const SourceClassSchema = z.enum(['deploy-material', 'docs', 'build-file', 'code', 'fallback']);
export const ConfidenceSchema = z.enum(['high', 'medium', 'low']);

function fact<T extends z.ZodType>(value: T) {
  return z.object({ value, source: SourceClassSchema, confidence: ConfidenceSchema, evidence: z.array(EvidenceSchema), detector: z.string() });
}

export const CommandFactSchema = fact(z.object({ command: z.string(), production: z.boolean() }));

export const BriefDataSchema = z.object({
  app: z.string().describe('app name (package name or directory)'),
  root: z.string().describe('repository path or URL as given (credentials removed)'),
  appDir: z.string().describe("the app's directory inside the repo ('' = root)"),
  commit: z.string().nullable(),
  apps: z.array(z.object({ dir: z.string(), name: z.string(), ecosystem: z.string(), reason: z.string(), evidence: z.array(EvidenceSchema) })),
  stack: z.object({
    ecosystem: fact(z.string()).nullable(),
    language: fact(z.string()).nullable(),
    packageManager: fact(z.string()).nullable(),
    runtime: fact(z.object({ runtime: z.string(), range: z.string() })).nullable(),
    frameworks: z.array(fact(z.object({ name: z.string(), detail: z.record(z.string(), z.string()) }))),
  }),
  commands: z.object({
    install: CommandFactSchema.nullable(), build: CommandFactSchema.nullable(), start: CommandFactSchema.nullable(),
    dev: CommandFactSchema.nullable(), test: CommandFactSchema.nullable(), migrate: CommandFactSchema.nullable(), release: CommandFactSchema.nullable(),
  }),
  port: fact(z.number().int()).nullable(),
  health: z.array(fact(z.string())),
  envVars: z.array(z.object({
    name: z.string(), required: z.boolean().nullable(), secret: z.boolean(), buildTime: z.boolean(), hasExample: z.boolean(),
    sources: z.array(SourceClassSchema), evidence: z.array(EvidenceSchema),
  })),
  datastores: z.array(z.object({ kind: z.string(), required: z.boolean().nullable(), evidence: z.array(EvidenceSchema) })),
  artifacts: z.array(z.object({ type: z.string(), path: z.string(), summary: z.record(z.string(), z.unknown()) })),
  strategies: z.array(z.object({ name: z.string(), score: z.number(), reasons: z.array(z.string()), needs: z.array(z.string()) })),
  risks: z.array(z.object({ severity: z.enum(['blocker', 'warning']), message: z.string(), evidence: z.array(EvidenceSchema) })),
  conflicts: z.array(z.object({
    field: z.string(), chosen: z.string(),
    values: z.array(z.object({ value: z.string(), source: SourceClassSchema, evidence: z.array(EvidenceSchema) })),
  })),
  problems: z.array(z.object({ path: z.string(), message: z.string() })),
  // The fields `deckhand check --brief` reads.
  strategy: z.string().nullable(),
  ports: z.array(z.number().int()),
  runtimes: z.array(z.object({ name: z.string(), range: z.string().nullable() })),
  env: z.array(z.object({ name: z.string(), required: z.boolean(), secret: z.boolean() })),
  stats: z.object({ files: z.number().int().describe('files indexed (after .gitignore and skipped folders)') }),
});
export type BriefData = z.infer<typeof BriefDataSchema>;

export const DeploymentBriefSchema = z.object({
  schemaVersion: z.literal(SCHEMA_VERSION),
  tool: ToolInfoSchema,
  stage: z.literal('discovery'),
  status: z.enum(['ok', 'risks', 'nothing-found']),
  target: TargetInfoSchema,
  startedAt: z.string(),
  durationMs: z.number().int().nonnegative(),
  findings: z.array(FindingSchema).min(1),
  steps: z.array(StepResultSchema),
  data: BriefDataSchema,
});
export type DeploymentBrief = z.infer<typeof DeploymentBriefSchema>;
