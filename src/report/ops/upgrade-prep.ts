// The data of `deckhand ops upgrade-prep` in the Operations Report, and its Markdown section.
import { z } from 'zod';

export const OpsUpgradePrepDataSchema = z.object({
  task: z.literal('upgrade-prep'),
});
export type OpsUpgradePrepData = z.infer<typeof OpsUpgradePrepDataSchema>;

export function renderUpgradePrepMarkdown(_d: OpsUpgradePrepData): string[] {
  return [];
}
