// The ops baseline recorded after a VERIFIED deploy: what "normal" looks like for later inspections and incidents.
import type { RunContext } from '../../core/context.js';
import { writeFileCommand } from '../../commands/fs.js';
import type { ExecutionReport } from '../../report/execution.js';
import type { VerificationReport } from '../../report/verification.js';

export interface OpsBaseline {
  schemaVersion: 1;
  app: string;
  recordedAt: string;
  release: string;
  commit: string | null;
  strategy: string;
  paths: { base: string; current: string; envFile: string; logs: string };
  serviceManager: string;
  ports: number[];
  health: string | null;
  dependencies: string[];
  lastVerification: { verdict: string; at: string; layers: Record<string, string> };
  /** What to keep an eye on: "immediate" needs action now, "observe" is worth watching. */
  watch: { immediate: string[]; observe: string[] };
}

export function buildBaseline(exec: ExecutionReport, ver: VerificationReport, now: Date): OpsBaseline {
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
  };
}

/** Writes the baseline to <base>/.deckhand/baseline.json on the target. */
export async function recordBaseline(ctx: RunContext, b: OpsBaseline): Promise<string> {
  const path = `${b.paths.base}/.deckhand/baseline.json`;
  const r = await ctx.executor.run({ ...writeFileCommand(path, '0644'), stdin: `${JSON.stringify(b, null, 2)}\n` });
  if (r.failed) throw new Error(`could not write ${path}: ${r.stderr.trim()}`);
  return path;
}
