// The data of `deckhand ops cleanup` in the Operations Report, and its Markdown section.
import { z } from 'zod';

export const OpsCleanupDataSchema = z.object({
  task: z.literal('cleanup'),
});
export type OpsCleanupData = z.infer<typeof OpsCleanupDataSchema>;

export function renderCleanupMarkdown(_d: OpsCleanupData): string[] {
  return [];
}
