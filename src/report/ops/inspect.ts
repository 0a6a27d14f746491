// The data of `deckhand ops inspect` in the Operations Report, and its Markdown section.
import { z } from 'zod';

export const OpsInspectDataSchema = z.object({
  task: z.literal('inspect'),
});
export type OpsInspectData = z.infer<typeof OpsInspectDataSchema>;

export function renderInspectMarkdown(_d: OpsInspectData): string[] {
  return [];
}
