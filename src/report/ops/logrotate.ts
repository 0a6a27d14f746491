// The data of `deckhand ops logrotate` in the Operations Report, and its Markdown section.
import { z } from 'zod';

export const OpsLogrotateDataSchema = z.object({
  task: z.literal('logrotate'),
});
export type OpsLogrotateData = z.infer<typeof OpsLogrotateDataSchema>;

export function renderLogrotateMarkdown(_d: OpsLogrotateData): string[] {
  return [];
}
