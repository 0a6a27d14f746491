// The Proxy Report of `deckhand proxy setup`: the server block written, `nginx -t`, the reload and, with --tls, the certificate.
import { z } from 'zod';
import { SCHEMA_VERSION, StepResultSchema, TargetInfoSchema, ToolInfoSchema } from './common.js';

export const ProxyCommandRecordSchema = z.object({
  step: z.string(),
  command: z.string(),
  exitCode: z.number().int().nullable(),
  durationMs: z.number().nonnegative(),
  timedOut: z.boolean(),
  output: z.string().describe('last lines of stdout and stderr, redacted'),
});

export const ProxyDataSchema = z.object({
  outcome: z.enum(['CREATED', 'UPDATED', 'UNCHANGED', 'FAILED']).describe('FAILED: the previous site stays in force'),
  domain: z.string(),
  upstream: z.string(),
  listen: z.string(),
  layout: z.enum(['sites', 'conf.d']).nullable(),
  siteFile: z.string().nullable(),
  enabledLink: z.string().nullable(),
  site: z.enum(['created', 'updated', 'unchanged', 'rejected', 'not-run']),
  siteContent: z.string().nullable().describe('the file now in force (null when nothing was installed)'),
  nginxTest: z.object({ passed: z.boolean().nullable(), output: z.string() }),
  reload: z.object({ done: z.boolean(), how: z.string().nullable(), reason: z.string() }),
  tls: z.object({
    listen: z.string(),
    certDir: z.string(),
    certificate: z.enum(['issued', 'renewed', 'kept', 'failed', 'not-run']),
    certFile: z.string().nullable(),
    acmeServer: z.string(),
    challenge: z.string(),
  }).nullable(),
  commands: z.array(ProxyCommandRecordSchema),
  filesTouched: z.array(z.string()),
  failure: z.object({ step: z.string(), message: z.string() }).nullable(),
  warnings: z.array(z.string()),
});

export const ProxyReportSchema = z.object({
  schemaVersion: z.literal(SCHEMA_VERSION),
  tool: ToolInfoSchema,
  stage: z.literal('proxy'),
  status: z.enum(['ok', 'failed']),
  target: TargetInfoSchema,
  startedAt: z.string(),
  durationMs: z.number().int().nonnegative(),
  steps: z.array(StepResultSchema),
  data: ProxyDataSchema,
});
export type ProxyReport = z.infer<typeof ProxyReportSchema>;
export type ProxyCommandRecord = z.infer<typeof ProxyCommandRecordSchema>;
