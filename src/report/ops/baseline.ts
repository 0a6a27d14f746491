// The data of `deckhand ops baseline` in the Operations Report, and its Markdown section.
import { z } from 'zod';

export const OpsBaselineDataSchema = z.object({
  task: z.literal('baseline'),
});
export type OpsBaselineData = z.infer<typeof OpsBaselineDataSchema>;

export function renderBaselineMarkdown(_d: OpsBaselineData): string[] {
  return [];
}
