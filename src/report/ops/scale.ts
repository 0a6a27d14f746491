// The data of `deckhand ops scale` in the Operations Report, and its Markdown section.
import { z } from 'zod';

export const ScaleInstanceSchema = z.object({
  id: z.string().describe('container id (compose) or pm2 instance id'),
  port: z.number().int().nullable().describe('the loopback host port nginx reaches it on (compose); null for pm2 (one port, the cluster master spreads)'),
  pid: z.number().int().nullable().describe('its main process on the target'),
  state: z.string(),
  requests: z.number().int().nonnegative().nullable().describe('what the instance saw of the verification requests (traffic.measure); 0 = it got none (FAIL); null: could not be read'),
});

export const OpsScaleDataSchema = z.object({
  task: z.literal('scale'),
  kind: z.string().describe('the strategy of the current release: compose (zero downtime) or pm2 scale; others are refused'),
  mode: z.enum(['plan', 'applied']).describe('plan: nothing changed (no --yes); applied: scaled and verified'),
  release: z.string(),
  service: z.string().nullable().describe('the compose service nginx fronts, or the pm2 app'),
  from: z.number().int().nonnegative().nullable().describe('instances before'),
  to: z.number().int().positive().describe('instances asked for'),
  upstream: z.string().nullable().describe('the nginx upstream file rewritten with every container port (compose)'),
  instances: z.array(ScaleInstanceSchema).describe('the instances after the scale (the current ones in plan mode)'),
  traffic: z.object({
    url: z.string(), sent: z.number().int().nonnegative(), answered: z.number().int().nonnegative(),
    measure: z.enum(['accepts', 'reads']).describe('accepts: TCP connections the container\'s network namespace accepted (/proc/PID/net/snmp PassiveOpens); reads: read syscalls of the process (/proc/PID/io syscr)'),
  }).nullable().describe('the verification requests sent from the target\'s loopback'),
  actions: z.array(z.string()).describe('what --yes does (plan) or what was done (applied)'),
  commands: z.array(z.object({ what: z.string().describe('what the command does'), command: z.string().describe('the command line as run'), output: z.string() })).describe('commands run, with their output'),
});
export type OpsScaleData = z.infer<typeof OpsScaleDataSchema>;

export function renderScaleMarkdown(d: OpsScaleData): string[] {
  const lines = ['## Scale', ''];
  lines.push(`- **Strategy:** ${d.kind}${d.service ? ` (${d.kind === 'pm2' ? 'app' : 'service'} \`${d.service}\`)` : ''}, release \`${d.release}\``);
  lines.push(`- **Instances:** ${d.from ?? 'unknown'} → ${d.to}`);
  lines.push(`- **Mode:** ${d.mode === 'plan' ? 'plan only: nothing was changed (rerun with --yes to scale)' : 'applied'}`);
  if (d.upstream) lines.push(`- **Upstream:** \`${d.upstream}\``);
  if (d.traffic) lines.push(`- **Verification:** ${d.traffic.sent} requests to ${d.traffic.url} from the target, ${d.traffic.answered} answered 2xx/3xx`);
  if (d.instances.length > 0) {
    lines.push('', `| Instance | Port | PID | State | ${d.traffic?.measure === 'accepts' ? 'Connections accepted' : 'Reads'} during verification |`, '|---|---|---|---|---|');
    for (const i of d.instances) lines.push(`| \`${i.id}\` | ${i.port ?? '-'} | ${i.pid ?? '-'} | ${i.state} | ${i.requests ?? (d.mode === 'plan' ? '-' : 'UNKNOWN')} |`);
  }
  if (d.actions.length > 0) {
    lines.push('', d.mode === 'plan' ? '### What --yes will do' : '### What was done', '');
    d.actions.forEach((a, i) => lines.push(`${i + 1}. ${a}`));
  }
  if (d.commands.length > 0) {
    lines.push('', '### Commands run', '');
    for (const c of d.commands) lines.push(`- ${c.what}${c.command.length <= 120 ? `: \`${c.command}\`` : ''}`);
  }
  return lines;
}
