// The data of `deckhand ops logrotate` in the Operations Report, and its Markdown section.
import { z } from 'zod';

export const LogrotateSourceSchema = z.object({
  paths: z.array(z.string()).describe('paths or globs of one stanza of the file'),
  method: z.enum(['copytruncate', 'postrotate']),
  reopen: z.string().describe('how the writer moves to the new file: copytruncate, or the postrotate signal and who runs it'),
  files: z.array(z.string()).describe('files those paths match on the target now'),
});

export const OpsLogrotateDataSchema = z.object({
  task: z.literal('logrotate'),
  mode: z.enum(['plan', 'applied']).describe('plan: printed, nothing changed (no --yes); applied: checked and installed'),
  path: z.string().describe('the file written: /etc/logrotate.d/<app>'),
  policy: z.array(z.string()),
  config: z.string().nullable().describe('the file content, or null when the app has no log file of its own to rotate'),
  existing: z.enum(['none', 'deckhand', 'identical', 'foreign']).describe('what is at the path now: foreign = not written by deckhand (never replaced)'),
  sources: z.array(LogrotateSourceSchema),
  elsewhere: z.array(z.object({ what: z.string(), handledBy: z.string() })).describe('logs of the app this file leaves alone, and who rotates them'),
  actions: z.array(z.string()).describe('what --yes does (plan) or did (applied), in order'),
  check: z.object({ command: z.string(), ok: z.boolean(), output: z.string() }).nullable().describe('logrotate -d on the new file before it was installed'),
  installed: z.enum(['written', 'unchanged']).nullable(),
  rotation: z.object({
    command: z.string(),
    ok: z.boolean(),
    rotated: z.array(z.object({ log: z.string(), to: z.array(z.string()), bytes: z.number().int().nonnegative().describe('size of the log before the rotation') })),
    output: z.string().describe('the tail of logrotate -v'),
  }).nullable().describe('the forced rotation (--force)'),
});
export type OpsLogrotateData = z.infer<typeof OpsLogrotateDataSchema>;

export function renderLogrotateMarkdown(d: OpsLogrotateData): string[] {
  const lines = ['## Log rotation', ''];
  const state = d.existing === 'none' ? 'new file' : d.existing === 'identical' ? 'already in place, unchanged'
    : d.existing === 'foreign' ? 'a file not written by deckhand is there: left alone' : "replaces deckhand's earlier file";
  lines.push(`- **File:** \`${d.path}\` (${d.config === null ? 'nothing to write' : state})`);
  lines.push(`- **Policy:** ${d.policy.join(', ')}`);
  lines.push(`- **Mode:** ${d.mode === 'plan' ? 'plan only: nothing was changed (rerun with --yes to install)' : 'applied'}`);
  if (d.sources.length > 0) {
    lines.push('', '### Logs covered', '', '| Paths | Reopen | Files now |', '|---|---|---|');
    for (const s of d.sources) lines.push(`| ${s.paths.map((p) => `\`${p}\``).join(' ')} | ${s.reopen} | ${s.files.length > 0 ? s.files.map((f) => `\`${f}\``).join(' ') : 'none yet'} |`);
  }
  if (d.elsewhere.length > 0) {
    lines.push('', '### Handled elsewhere', '');
    for (const e of d.elsewhere) lines.push(`- ${e.what}: ${e.handledBy}`);
  }
  if (d.config !== null) lines.push('', '### The file', '', '```', d.config.trimEnd(), '```');
  if (d.actions.length > 0) {
    lines.push('', d.mode === 'plan' ? '### What --yes will do' : '### What was done', '');
    d.actions.forEach((a, i) => lines.push(`${i + 1}. ${a}`));
  }
  if (d.check) {
    lines.push('', `### Check (\`${d.check.command}\`): ${d.check.ok ? 'passed' : 'FAILED, nothing installed'}`);
    if (!d.check.ok) lines.push('', '```', d.check.output.trimEnd(), '```');
  }
  if (d.rotation) {
    lines.push('', `### Forced rotation (\`${d.rotation.command}\`): ${d.rotation.ok ? 'done' : 'FAILED'}`, '');
    if (d.rotation.rotated.length === 0) lines.push('- nothing rotated (logs empty or missing: notifempty, missingok)');
    for (const r of d.rotation.rotated) lines.push(`- \`${r.log}\` (${r.bytes} bytes) → ${r.to.map((t) => `\`${t}\``).join(', ')}`);
    if (!d.rotation.ok) lines.push('', '```', d.rotation.output.trimEnd(), '```');
  }
  return lines;
}
