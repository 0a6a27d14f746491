// The data of `deckhand ops resources` in the Operations Report, and its Markdown section.
import { z } from 'zod';

export const OpsResourcesDataSchema = z.object({
  task: z.literal('resources'),
});
export type OpsResourcesData = z.infer<typeof OpsResourcesDataSchema>;

export function renderResourcesMarkdown(_d: OpsResourcesData): string[] {
  return [];
}
