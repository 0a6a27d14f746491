// The data of `deckhand ops certs` in the Operations Report, and its Markdown section.
import { z } from 'zod';

export const OpsCertsDataSchema = z.object({
  task: z.literal('certs'),
});
export type OpsCertsData = z.infer<typeof OpsCertsDataSchema>;

export function renderCertsMarkdown(_d: OpsCertsData): string[] {
  return [];
}
