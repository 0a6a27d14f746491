// The data of `deckhand ops resources` in the Operations Report, and its Markdown section (the guide's "Resource Utilization").
import { z } from 'zod';

export const GrowthSchema = z.object({
  first: z.number(),
  last: z.number(),
  min: z.number(),
  max: z.number(),
  delta: z.number().describe('last - first'),
  slopePerMinute: z.number().describe('least-squares slope over the samples, per minute'),
  risingSteps: z.number().int().nonnegative().describe('intervals in which the value went up'),
  steps: z.number().int().nonnegative(),
  r2: z.number().nullable().describe('how well a straight line fits (1 = steady growth); null when the value never moved'),
});
export type Growth = z.infer<typeof GrowthSchema>;

export const ResourceSampleSchema = z.object({
  t: z.number().describe('seconds since the first sample (target\'s monotonic clock)'),
  pids: z.array(z.number().int()),
  rssBytes: z.number().int().nonnegative(),
  fds: z.number().int().nonnegative().nullable().describe('open file descriptors, null when unreadable'),
  threads: z.number().int().nonnegative(),
  cpuPercent: z.number().nullable().describe('CPU time since the previous sample, % of one core'),
});
export type ResourceSample = z.infer<typeof ResourceSampleSchema>;

export const ProcessInfoSchema = z.object({
  pid: z.number().int(),
  comm: z.string(),
  rssBytes: z.number().int().nonnegative(),
  fds: z.number().int().nonnegative().nullable(),
  fdLimit: z.number().int().positive().nullable(),
  threads: z.number().int().nonnegative(),
});

export const FdExhaustionSchema = z.object({
  pid: z.number().int(),
  current: z.number().int(),
  limit: z.number().int(),
  perMinute: z.number(),
  etaMinutes: z.number().nullable().describe('minutes until the limit at the current slope; null when not growing'),
});

export const OpsResourcesDataSchema = z.object({
  task: z.literal('resources'),
  kind: z.string().describe('what runs the service: systemd, blue-green, pm2, docker, compose'),
  release: z.string().nullable(),
  windowMs: z.number().int().positive(),
  intervalMs: z.number().int().positive(),
  samples: z.array(ResourceSampleSchema),
  processes: z.array(ProcessInfoSchema).describe('the processes at the last sample'),
  restarts: z.number().int().nonnegative().describe('times the set of PIDs changed during the window'),
  judgedFrom: z.number().int().nonnegative().describe('index of the first sample growth is judged from (after the last restart)'),
  metrics: z.object({
    rss: GrowthSchema.nullable(),
    fds: GrowthSchema.nullable(),
    threads: GrowthSchema.nullable(),
    cpu: z.object({ avgPercent: z.number(), maxPercent: z.number() }).nullable(),
  }),
  leakSuspected: z.boolean().describe('RSS grew steadily over the window'),
  fdExhaustion: FdExhaustionSchema.nullable().describe('the process closest to its fd limit at the current growth'),
});
export type OpsResourcesData = z.infer<typeof OpsResourcesDataSchema>;

const MIB = 1024 * 1024;

function mib(n: number): string {
  return `${(n / MIB).toFixed(1)} MiB`;
}

function signed(n: number, f: (x: number) => string): string {
  return `${n >= 0 ? '+' : '−'}${f(Math.abs(n))}`;
}

function trend(g: Growth, f: (x: number) => string, judged: string): string {
  return `${f(g.first)} → ${f(g.last)} (${signed(g.delta, f)}, ${signed(g.slopePerMinute, f)}/min, rising in ${g.risingSteps} of ${g.steps} intervals) — ${judged}`;
}

export function renderResourcesMarkdown(d: OpsResourcesData): string[] {
  const span = d.samples.length > 1 ? Math.round((d.samples[d.samples.length - 1]?.t ?? 0) - (d.samples[0]?.t ?? 0)) : 0;
  const out = ['## Resource Utilization', '', `- Watched ${d.kind} processes for ${span} s: ${d.samples.length} samples, ${Math.round(d.intervalMs / 1000)} s apart${d.restarts > 0 ? ` (PIDs changed ${d.restarts} time(s); growth judged from sample ${d.judgedFrom})` : ''}.`];
  const m = d.metrics;
  out.push(`- **CPU:** ${m.cpu ? `${m.cpu.avgPercent.toFixed(1)}% of one core on average, ${m.cpu.maxPercent.toFixed(1)}% at most` : 'not measured'}`);
  out.push(`- **Memory (RSS):** ${m.rss ? trend(m.rss, mib, d.leakSuspected ? '**Leak suspected**' : '**Stable**') : 'not measured'}`);
  const fdJudge = d.fdExhaustion?.etaMinutes != null ? `**fd exhaustion risk**: pid ${d.fdExhaustion.pid} reaches its limit ${d.fdExhaustion.limit} in ~${Math.round(d.fdExhaustion.etaMinutes)} min` : 'no exhaustion risk seen';
  out.push(`- **Open files:** ${m.fds ? trend(m.fds, (x) => x.toFixed(0), fdJudge) : 'not readable'}`);
  out.push(`- **Threads:** ${m.threads ? trend(m.threads, (x) => x.toFixed(0), m.threads.delta > 0 ? 'growing' : 'stable') : 'not measured'}`);
  if (d.processes.length > 0) {
    out.push('', '| PID | Process | RSS | Open fds | fd limit | Threads |', '|---|---|---|---|---|---|');
    for (const p of d.processes) out.push(`| ${p.pid} | ${p.comm} | ${mib(p.rssBytes)} | ${p.fds ?? '?'} | ${p.fdLimit ?? '?'} | ${p.threads} |`);
  }
  if (d.samples.length > 0) {
    out.push('', '| t (s) | PIDs | RSS | Open fds | Threads | CPU % |', '|---|---|---|---|---|---|');
    for (const s of d.samples) out.push(`| ${s.t.toFixed(1)} | ${s.pids.join(' ')} | ${mib(s.rssBytes)} | ${s.fds ?? '?'} | ${s.threads} | ${s.cpuPercent === null ? '—' : s.cpuPercent.toFixed(1)} |`);
  }
  return out;
}
