// Runs the inspect probe on the target (one round trip) and parses it; shared by ops inspect, ops baseline and deckhand up.
import { pm2For } from '../../../core/pm2-binary.js';
import type { RunContext } from '../../../core/context.js';
import type { Command } from '../../../core/command.js';
import { inspectProbeCommand, type InspectKind } from '../../../commands/ops-inspect.js';
import type { ExecResult } from '../../../exec/types.js';
import { parseInspectProbe, type InspectFacts } from './probe.js';

/** Lines and bytes read per log source: the newest end of the window, bounded for a chatty app. */
export const LOG_MAX_LINES = 10_000;
export const LOG_MAX_BYTES = 2 * 1024 * 1024;
/** Where Debian and most packages keep nginx's configuration. */
export const NGINX_DIR = '/etc/nginx';
/** Seconds between the two CPU samples. */
export const CPU_SAMPLE_SEC = 1;

/** The process manager to ask, from the ledger's strategy; static sites and scripts have none of their own. */
export function inspectKind(strategy: string): InspectKind {
  return strategy === 'systemd' || strategy === 'pm2' || strategy === 'docker' || strategy === 'compose' || strategy === 'blue-green' ? strategy : 'none';
}


/**
 * The log window actually read: the one asked for, cut at the current release's deploy (a few seconds of margin
 * for clock skew), so lines of the release before, which the journal of a unit keeps, do not count for this one.
 */
export function releaseWindow(askedSec: number, deployedAt: string, now: Date): number {
  const since = Date.parse(deployedAt);
  if (Number.isNaN(since)) return askedSec;
  return Math.max(10, Math.min(askedSec, Math.ceil((now.getTime() - since) / 1000) + 5));
}

export interface Subject { app: string; base: string; strategy: string; port: number | null }

export interface Gathered {
  facts: InspectFacts;
  command: Command;
  /** Null when the probe ran to its end; else why not (connection lost, timed out). */
  error: string | null;
  res: ExecResult | null;
}

export async function gatherFacts(ctx: RunContext, s: Subject, windowSec: number, cpuSampleSec = CPU_SAMPLE_SEC): Promise<Gathered> {
  const kind = inspectKind(s.strategy);
  const cmd = inspectProbeCommand({
    app: s.app, base: s.base, kind, port: s.port, windowSec, maxLines: LOG_MAX_LINES, maxBytes: LOG_MAX_BYTES, cpuSampleSec, pm2: pm2For(ctx.executor.host), nginxDir: NGINX_DIR,
  });
  let res: ExecResult | null = null;
  let error: string | null = null;
  try {
    res = await ctx.executor.run(cmd);
    if (res.timedOut) error = `timed out after ${Math.round((cmd.timeoutMs ?? 0) / 1000)}s`;
  } catch (e) {
    error = ctx.redactor.mask(e instanceof Error ? e.message : String(e));
  }
  const facts = parseInspectProbe(kind, res ? res.rawStdout ?? res.stdout : '', LOG_MAX_BYTES);
  if (kind === 'none') facts.service.problem = `the ${s.strategy} strategy runs no process of its own that deckhand manages`;
  if (error === null && !facts.complete) error = res ? `the probe did not finish (exit ${String(res.exitCode)})` : 'no result';
  return { facts, command: cmd, error, res };
}
