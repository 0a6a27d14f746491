// The ops baseline (<base>/.deckhand/baseline.json) and the data of `deckhand ops baseline` in the Operations Report, with its Markdown section.
import { z } from 'zod';
import { formatBytes } from '../../core/units.js';
import { LogPatternSchema } from './inspect.js';

export const BaselineLogPatternSchema = LogPatternSchema.omit({ source: true, catalogue: true });

export const BaselineResourcesSchema = z.object({
  rssBytes: z.number().nullable(),
  memoryLimitBytes: z.number().nullable(),
  fds: z.number().int().nullable(),
  fdLimit: z.number().int().nullable(),
  threads: z.number().int().nullable(),
  cpuPercent: z.number().nullable(),
  restarts: z.number().int().nullable(),
  /** When the service last started (ISO): a later start with the same release means it restarted since. */
  serviceStartedAt: z.string().nullable(),
  diskBytes: z.object({ base: z.number().nullable(), logs: z.number().nullable() }),
});
export type BaselineResources = z.infer<typeof BaselineResourcesSchema>;

/**
 * What "normal" looks like for later inspections and incidents. `logs` and `resources` are null when they could
 * not be read when the baseline was taken (and absent in baselines written before they were recorded).
 */
export const OpsBaselineSchema = z.object({
  schemaVersion: z.literal(1),
  app: z.string(),
  recordedAt: z.string(),
  release: z.string(),
  commit: z.string().nullable(),
  strategy: z.string(),
  paths: z.object({ base: z.string(), current: z.string(), envFile: z.string(), logs: z.string() }),
  serviceManager: z.string(),
  ports: z.array(z.number().int()),
  health: z.string().nullable(),
  dependencies: z.array(z.string()),
  lastVerification: z.object({ verdict: z.string(), at: z.string(), layers: z.record(z.string(), z.string()) }).nullable(),
  /** What to keep an eye on: "immediate" needs action now, "observe" is worth watching. */
  watch: z.object({ immediate: z.array(z.string()), observe: z.array(z.string()) }),
  logs: z.object({
    windowSec: z.number().int().nonnegative(),
    lines: z.number().int().nonnegative(),
    patterns: z.array(BaselineLogPatternSchema),
  }).nullable().optional(),
  resources: BaselineResourcesSchema.nullable().optional(),
});
export type OpsBaseline = z.infer<typeof OpsBaselineSchema>;

export const OpsBaselineDataSchema = z.object({
  task: z.literal('baseline'),
  path: z.string().describe('where the baseline was written on the target'),
  replaced: z.object({ recordedAt: z.string(), release: z.string() }).nullable().describe('the baseline this one replaced'),
  baseline: OpsBaselineSchema,
});
export type OpsBaselineData = z.infer<typeof OpsBaselineDataSchema>;

function b(n: number | null | undefined): string {
  return n === null || n === undefined ? 'unknown' : formatBytes(n);
}

export function renderBaselineMarkdown(d: OpsBaselineData): string[] {
  const x = d.baseline;
  const r = x.resources ?? null;
  const v = x.lastVerification;
  const out = [
    '## Ops Baseline', '',
    `- **Recorded:** ${x.recordedAt} at \`${d.path}\`${d.replaced ? ` (replaces the one of ${d.replaced.recordedAt}, release ${d.replaced.release})` : ''}`,
    `- **Version:** release \`${x.release}\`${x.commit ? ` (Commit \`${x.commit.slice(0, 7)}\`)` : ''}`,
    `- **Service manager:** ${x.serviceManager}`,
    `- **Paths:** base ${x.paths.base}, current ${x.paths.current}, env ${x.paths.envFile}, logs ${x.paths.logs}`,
    `- **Ports:** ${x.ports.join(', ') || 'none'}; **health entry:** ${x.health ?? 'none'}`,
    `- **Dependencies:** ${x.dependencies.join(', ') || 'none found in the env file'}`,
    `- **Last verification:** ${v ? `${v.verdict} at ${v.at}` : 'none recorded for this release (deckhand up records one; deckhand verify checks now)'}`,
    '', '## Resource Levels', '',
    r ? `- RSS ${b(r.rssBytes)} (limit ${b(r.memoryLimitBytes)}), open fds ${r.fds ?? 'unknown'} / ${r.fdLimit ?? 'unknown'}, threads ${r.threads ?? 'unknown'}, CPU ${r.cpuPercent === null ? 'unknown' : `${r.cpuPercent.toFixed(1)}%`}, restarts ${r.restarts ?? 'unknown'}, disk ${b(r.diskBytes.base)} (logs ${b(r.diskBytes.logs)})`
      : '- Not recorded (could not be read).',
    '', '## Known Log Patterns', '',
  ];
  const logs = x.logs ?? null;
  if (!logs) out.push('- Not recorded (the logs could not be read).');
  else {
    out.push(`- ${logs.patterns.length} pattern(s) over ${logs.lines} lines of the last ${logs.windowSec}s.`);
    const shown = logs.patterns.filter((p) => p.severity !== 'info');
    if (shown.length > 0) {
      out.push('', '| Severity | Pattern | Count |', '|---|---|---|');
      for (const p of shown) out.push(`| ${p.severity.toUpperCase()} | \`${p.pattern.replace(/\|/g, '\\|')}\` | ${p.count} |`);
    }
  }
  out.push('', '## Watch Items', '', '### Immediate', '', ...(x.watch.immediate.length ? x.watch.immediate.map((w) => `- ${w}`) : ['- None.']),
    '', '### Observe', '', ...(x.watch.observe.length ? x.watch.observe.map((w) => `- ${w}`) : ['- None.']));
  return out;
}
