// JSON Schemas of the reports, generated from the zod schemas so they never drift.
import { z } from 'zod';
import { ReadinessReportSchema } from './readiness.js';

export const REPORT_SCHEMAS = { readiness: ReadinessReportSchema } as const;
export type ReportKind = keyof typeof REPORT_SCHEMAS;

export function reportJsonSchema(kind: ReportKind): Record<string, unknown> {
  return z.toJSONSchema(REPORT_SCHEMAS[kind], { target: 'draft-2020-12' }) as Record<string, unknown>;
}
