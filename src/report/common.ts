// Shapes shared by every report: findings with evidence, outcomes, steps, the envelope.
import { z } from 'zod';

export const SCHEMA_VERSION = 1 as const;

/** pass | warn | block | fail | unknown | skipped. Unknown is never pass. */
export const OutcomeSchema = z.enum(['pass', 'warn', 'block', 'fail', 'unknown', 'skipped']);
export type Outcome = z.infer<typeof OutcomeSchema>;

export const FindingSchema = z.object({
  id: z.string().describe('stable identifier, e.g. "runtime.node" or "port.3000"'),
  section: z.string().describe('report section the finding belongs to'),
  title: z.string(),
  status: OutcomeSchema,
  /** When true an unknown outcome blocks too: the fact was required and could not be established. */
  required: z.boolean(),
  summary: z.string().describe('one line: what was found'),
  detail: z.string().optional(),
  evidence: z.string().optional().describe('what was run or read, and what came back'),
  remedy: z.string().optional().describe('what to do when not PASS'),
});
export type Finding = z.infer<typeof FindingSchema>;

export const StepResultSchema = z.object({
  id: z.string(),
  title: z.string(),
  status: OutcomeSchema,
  durationMs: z.number().int().nonnegative(),
  detail: z.string().optional(),
});
export type StepResult = z.infer<typeof StepResultSchema>;

export const TargetInfoSchema = z.object({
  kind: z.enum(['local', 'ssh']),
  display: z.string(),
});

export const ToolInfoSchema = z.object({ name: z.literal('deckhand'), version: z.string() });
