// JSON Schemas of the reports, generated from the zod schemas so they never drift.
import { z } from 'zod';
import { DeploymentBriefSchema } from './brief.js';
import { ReadinessReportSchema } from './readiness.js';
import { ExecutionReportSchema } from './execution.js';
import { VerificationReportSchema } from './verification.js';
import { LifecycleReportSchema } from './lifecycle.js';
import { OperationsReportSchema } from './operations.js';
import { ProxyReportSchema } from './proxy.js';
import { ConfigSchema } from '../config/schema.js';
import { IncidentReportSchema } from './incident.js';
import { ServicesReportSchema } from './services.js';
import { FleetReportSchema } from './fleet.js';

import type { ReportKind } from './kinds.js';

export const REPORT_SCHEMAS = { readiness: ReadinessReportSchema, brief: DeploymentBriefSchema, execution: ExecutionReportSchema, services: ServicesReportSchema, fleet: FleetReportSchema, verification: VerificationReportSchema, lifecycle: LifecycleReportSchema, operations: OperationsReportSchema, proxy: ProxyReportSchema, config: ConfigSchema, incident: IncidentReportSchema } as const satisfies Record<ReportKind, unknown>;

export function reportJsonSchema(kind: ReportKind): Record<string, unknown> {
  return z.toJSONSchema(REPORT_SCHEMAS[kind], { target: 'draft-2020-12' }) as Record<string, unknown>;
}
