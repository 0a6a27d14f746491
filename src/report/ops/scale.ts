// The data of `deckhand ops scale` in the Operations Report, and its Markdown section.
import { z } from 'zod';

export const OpsScaleDataSchema = z.object({
  task: z.literal('scale'),
});
export type OpsScaleData = z.infer<typeof OpsScaleDataSchema>;

export function renderScaleMarkdown(_d: OpsScaleData): string[] {
  return [];
}
