// The Readiness Report: host facts from the probe, findings per check, and the conclusion.
import { z } from 'zod';
import { FindingSchema, SCHEMA_VERSION, StepResultSchema, TargetInfoSchema, ToolInfoSchema } from './common.js';

const nullableNumber = z.number().nullable();

export const ToolFactSchema = z.object({
  present: z.boolean().nullable().describe('null when the probe could not tell'),
  version: z.string().nullable(),
  path: z.string().nullable(),
  /** The probe's raw output (trimmed), as evidence. */
  raw: z.string(),
  exitCode: z.number().nullable(),
  timedOut: z.boolean(),
});
export type ToolFact = z.infer<typeof ToolFactSchema>;

export const DiskFactSchema = z.object({
  purpose: z.string(),
  path: z.string(),
  probedPath: z.string().nullable(),
  mount: z.string().nullable(),
  totalBytes: nullableNumber,
  availBytes: nullableNumber,
  inodesTotal: nullableNumber,
  inodesFree: nullableNumber,
  error: z.string().nullable(),
});
export type DiskFact = z.infer<typeof DiskFactSchema>;

export const PortHolderSchema = z.object({
  pid: z.number().int(),
  process: z.string().nullable(),
  program: z.string().nullable(),
  user: z.string().nullable(),
});

export const PortFactSchema = z.object({
  port: z.number().int(),
  state: z.enum(['free', 'in-use', 'unknown']),
  via: z.enum(['ss', 'proc', 'none']),
  holders: z.array(PortHolderSchema),
  listeners: z.array(z.string()).describe('raw listener lines'),
  error: z.string().nullable(),
});
export type PortFact = z.infer<typeof PortFactSchema>;

export const WriteFactSchema = z.object({
  path: z.string(),
  exists: z.boolean().nullable(),
  checkedPath: z.string().nullable(),
  writable: z.boolean().nullable(),
});
export type WriteFact = z.infer<typeof WriteFactSchema>;

export const HostFactsSchema = z.object({
  os: z.object({
    id: z.string().nullable(), name: z.string().nullable(), version: z.string().nullable(), prettyName: z.string().nullable(),
    kernel: z.string().nullable(), arch: z.string().nullable(),
  }),
  user: z.object({ name: z.string().nullable(), uid: z.number().int().nullable(), groups: z.array(z.string()), home: z.string().nullable() }),
  cpu: z.object({ count: nullableNumber, load1: nullableNumber, load5: nullableNumber, load15: nullableNumber }),
  memory: z.object({ totalBytes: nullableNumber, availableBytes: nullableNumber, cgroupLimitBytes: nullableNumber }),
  disks: z.array(DiskFactSchema),
  ports: z.array(PortFactSchema),
  tools: z.record(z.string(), ToolFactSchema),
  docker: z.object({
    daemon: z.enum(['usable', 'permission-denied', 'not-running', 'absent', 'unknown']),
    serverVersion: z.string().nullable(), rootDir: z.string().nullable(), detail: z.string(),
    /** Swarm mode of the engine (docker info .Swarm) and whether the kernel offers IPVS for the routing mesh; absent when not read. */
    swarm: z.object({ state: z.string(), manager: z.boolean(), ipvs: z.boolean().nullable() }).optional(),
  }),
  systemd: z.object({ pid1: z.string().nullable(), isSystemd: z.boolean().nullable(), state: z.string().nullable() }),
  nginx: z.object({ configTest: z.enum(['ok', 'failed', 'unknown', 'absent']), detail: z.string() }),
  sudo: z.object({ state: z.enum(['root', 'passwordless', 'needs-password', 'not-allowed', 'absent', 'unknown']), detail: z.string() }),
  base: WriteFactSchema,
  homeBase: WriteFactSchema.nullable(),
  reach: z.array(z.object({ host: z.string(), port: z.number().int(), reachable: z.boolean().nullable(), via: z.string(), detail: z.string() })),
  env: z.object({
    file: z.string(),
    state: z.enum(['readable', 'missing', 'unreadable', 'unknown']),
    names: z.array(z.object({ name: z.string(), state: z.enum(['present', 'empty', 'absent', 'unknown']) })),
  }).nullable(),
  probe: z.object({ complete: z.boolean(), durationMs: z.number().int(), bytes: z.number().int() }),
});
export type HostFacts = z.infer<typeof HostFactsSchema>;

export const RequirementsSchema = z.object({
  strategy: z.enum(['systemd', 'pm2', 'docker', 'compose', 'static', 'script', 'blue-green', 'swarm', 'kubernetes']).nullable(),
  app: z.string(),
  baseDir: z.string(),
  baseDirExplicit: z.boolean(),
  ports: z.array(z.number().int()),
  proxy: z.boolean(),
  memoryBytes: z.number(),
  diskBytes: z.number(),
  tools: z.array(z.object({ name: z.string(), range: z.string().nullable(), source: z.string() })),
  reach: z.array(z.object({ host: z.string(), port: z.number().int() })),
  envFile: z.string().nullable(),
  envNames: z.array(z.string()),
});
export type Requirements = z.infer<typeof RequirementsSchema>;

export const VerdictSchema = z.enum(['READY', 'READY WITH WARNINGS', 'NOT READY']);
export type Verdict = z.infer<typeof VerdictSchema>;

export const ReadinessReportSchema = z.object({
  schemaVersion: z.literal(SCHEMA_VERSION),
  tool: ToolInfoSchema,
  stage: z.literal('readiness'),
  status: z.enum(['ready', 'ready-with-warnings', 'not-ready']),
  target: TargetInfoSchema,
  startedAt: z.string(),
  durationMs: z.number().int().nonnegative(),
  findings: z.array(FindingSchema).min(1),
  steps: z.array(StepResultSchema),
  data: z.object({
    verdict: VerdictSchema,
    requiredActions: z.array(z.string()),
    requirements: RequirementsSchema,
    facts: HostFactsSchema,
  }),
});
export type ReadinessReport = z.infer<typeof ReadinessReportSchema>;
