// The ops baseline (<base>/.deckhand/baseline.json): what "normal" looks like for later inspections and incidents.
import type { RunContext } from '../../core/context.js';
import { writeFileCommand } from '../../commands/fs.js';
import type { ExecutionReport } from '../../report/execution.js';
import { OpsBaselineSchema, type BaselineResources, type OpsBaseline } from '../../report/ops/baseline.js';
import type { VerificationReport } from '../../report/verification.js';
import { groupPatterns } from './inspect/log-anomalies.js';
import type { InspectFacts } from './inspect/probe.js';
import { lastStart, summariseResources, summariseService } from './inspect/summarise.js';

export type { OpsBaseline } from '../../report/ops/baseline.js';

/** Patterns kept in a baseline: every warning and worse, and the most frequent others, so the file stays small. */
export const BASELINE_MAX_PATTERNS = 200;

export function baselinePath(base: string): string {
  return `${base}/.deckhand/baseline.json`;
}

/** The baseline's log patterns and resource levels, from an inspect probe over `windowSec`. */
export function factsForBaseline(f: InspectFacts, windowSec: number, mask: (s: string) => string): Pick<OpsBaseline, 'logs' | 'resources'> {
  const readable = f.logs.filter((s) => s.problem === null);
  const logs = readable.length === 0 ? null : (() => {
    const g = groupPatterns(readable, f.since === null ? null : f.since * 1000, mask);
    const patterns = g.patterns.slice(0, BASELINE_MAX_PATTERNS).map(({ source: _s, catalogue: _c, ...p }) => p);
    return { windowSec, lines: g.lines, patterns };
  })();
  const service = summariseService(f);
  if (service.state !== 'running') return { logs, resources: null };
  const r = summariseResources(f);
  const started = lastStart(f);
  const resources: BaselineResources = {
    rssBytes: r.rssBytes, memoryLimitBytes: r.memoryLimitBytes, fds: r.fds, fdLimit: r.fdLimit, threads: r.threads, cpuPercent: r.cpuPercent,
    restarts: service.restarts, serviceStartedAt: started === null ? null : new Date(started * 1000).toISOString(),
    diskBytes: { base: f.disk.baseBytes, logs: f.disk.logsBytes },
  };
  return { logs, resources };
}

/** The baseline `deckhand up` records after a VERIFIED deploy; `observed` adds log patterns and resource levels when they were read. */
export function buildBaseline(exec: ExecutionReport, ver: VerificationReport, now: Date, observed?: Pick<OpsBaseline, 'logs' | 'resources'>): OpsBaseline {
  const d = exec.data;
  const layers = Object.fromEntries(ver.data.layers.map((l) => [l.layer, l.status]));
  const warn = ver.findings.filter((f) => f.status === 'warn').map((f) => `${f.title}: ${f.summary}`);
  return {
    schemaVersion: 1, app: d.app, recordedAt: now.toISOString(), release: d.releaseId, commit: d.commit, strategy: d.strategy,
    paths: { base: d.base, current: `${d.base}/current`, envFile: `${d.base}/shared/.env`, logs: `${d.base}/shared/logs` },
    serviceManager: d.strategy, ports: d.handoff?.port ? [d.handoff.port] : [], health: d.handoff?.healthPath ?? null,
    dependencies: ver.findings.filter((f) => f.section === 'deps' && f.status !== 'skipped').map((f) => f.id.replace(/^deps\./, '')),
    lastVerification: { verdict: ver.data.verdict, at: ver.startedAt, layers },
    watch: { immediate: [], observe: warn },
    logs: observed?.logs ?? null, resources: observed?.resources ?? null,
  };
}

/** Writes the baseline to <base>/.deckhand/baseline.json on the target, masked (log patterns come from the app's own lines). */
export async function recordBaseline(ctx: RunContext, b: OpsBaseline): Promise<string> {
  const path = baselinePath(b.paths.base);
  const r = await ctx.executor.run({ ...writeFileCommand(path, '0644'), stdin: `${JSON.stringify(ctx.redactor.maskDeep(b), null, 2)}\n` });
  if (r.failed) throw new Error(`could not write ${path}: ${r.stderr.trim()}`);
  return path;
}

export interface ReadBaseline { baseline: OpsBaseline | null; state: 'present' | 'absent' | 'unreadable'; problem: string | null }

/** The recorded baseline from its text (null text: none recorded). A baseline that does not parse is unreadable, never guessed at. */
export function parseBaseline(text: string | null): ReadBaseline {
  if (text === null) return { baseline: null, state: 'absent', problem: null };
  let raw: unknown;
  try { raw = JSON.parse(text); } catch (e) { return { baseline: null, state: 'unreadable', problem: `not JSON (${(e as Error).message})` }; }
  const p = OpsBaselineSchema.safeParse(raw);
  if (!p.success) return { baseline: null, state: 'unreadable', problem: p.error.issues.slice(0, 3).map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') };
  return { baseline: p.data, state: 'present', problem: null };
}
