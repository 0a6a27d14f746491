// The Operations Report of `deckhand ops <task>`: one envelope, the task's own data (one file per task under ops/).
import { z } from 'zod';
import { FindingSchema, SCHEMA_VERSION, StepResultSchema, TargetInfoSchema, ToolInfoSchema } from './common.js';
import { OpsInspectDataSchema } from './ops/inspect.js';
import { OpsBaselineDataSchema } from './ops/baseline.js';
import { OpsLogrotateDataSchema } from './ops/logrotate.js';
import { OpsCleanupDataSchema } from './ops/cleanup.js';
import { OpsCertsDataSchema } from './ops/certs.js';
import { OpsScaleDataSchema } from './ops/scale.js';
import { OpsResourcesDataSchema } from './ops/resources.js';
import { OpsUpgradePrepDataSchema } from './ops/upgrade-prep.js';
import { OpsBackupVerifyDataSchema } from './ops/backup-verify.js';

export const OperationsDataSchema = z.discriminatedUnion('task', [
  OpsInspectDataSchema,
  OpsBaselineDataSchema,
  OpsLogrotateDataSchema,
  OpsCleanupDataSchema,
  OpsCertsDataSchema,
  OpsScaleDataSchema,
  OpsResourcesDataSchema,
  OpsUpgradePrepDataSchema,
  OpsBackupVerifyDataSchema,
]);
export type OperationsData = z.infer<typeof OperationsDataSchema>;

export const OperationsReportSchema = z.object({
  schemaVersion: z.literal(SCHEMA_VERSION),
  tool: ToolInfoSchema,
  stage: z.literal('operations'),
  status: z.enum(['ok', 'attention', 'failed', 'unknown']).describe('ok: nothing to do; attention: immediate recommendations; failed: the task failed; unknown: could not check'),
  target: TargetInfoSchema,
  app: z.string(),
  startedAt: z.string(),
  durationMs: z.number().int().nonnegative(),
  findings: z.array(FindingSchema),
  steps: z.array(StepResultSchema),
  data: OperationsDataSchema,
});
export type OperationsReport = z.infer<typeof OperationsReportSchema>;
