// The data of `deckhand ops backup-verify` in the Operations Report, and its Markdown section.
import { z } from 'zod';

export const OpsBackupVerifyDataSchema = z.object({
  task: z.literal('backup-verify'),
});
export type OpsBackupVerifyData = z.infer<typeof OpsBackupVerifyDataSchema>;

export function renderBackupVerifyMarkdown(_d: OpsBackupVerifyData): string[] {
  return [];
}
