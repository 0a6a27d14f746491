// `deckhand deploy --to HOST --to HOST` (or deckhand.yml hosts:): plan every host, confirm, roll out in batches with a canary first if asked.
import { createInterface } from 'node:readline/promises';
import { join, resolve } from 'node:path';
import {
  applyFleet, DeckhandError, EXIT, fleetPlanReport, loadConfig, parseBatchSize, parseDuration, prepareFleet, renderFleetMarkdown, usageError,
  type DeckhandConfig, type DeployOptions, type Executor, type FleetHost, type FleetOptions, type FleetReport, type RunContext,
} from '../index.js';
import { emitReport, type CommandRun } from './command-run.js';

export interface FleetCliFlags {
  repo: string; appDir?: string; config?: string; to?: string[]; batch?: string; canary?: string; canaryWindow?: string; window?: string; parallel?: string;
  plan?: boolean; yes?: boolean; json?: boolean; out?: string; planOut?: string; apply?: string;
}

/** The fleet's hosts: --to wins; else deckhand.yml hosts: when no target was given. Null: not a fleet deploy. */
export async function fleetHosts(target: string | undefined, o: FleetCliFlags): Promise<{ hosts: string[]; config: DeckhandConfig | null } | null> {
  const rollout = o.batch !== undefined || o.canary !== undefined || o.canaryWindow !== undefined || o.parallel !== undefined;
  if (o.to && o.to.length > 0) {
    if (target !== undefined) throw usageError(`a target (${target}) and --to were both given`, 'name every host with --to, or deploy to one target without --to');
    return { hosts: o.to, config: null };
  }
  if (target !== undefined || /^(?:https?|ssh|git|file):\/\//.test(o.repo)) {
    if (rollout) throw usageError('--batch, --canary, --canary-window and --parallel are for a deploy to several hosts', 'name the hosts with --to HOST (repeatable) or hosts: in deckhand.yml');
    return null;
  }
  const { config } = await loadConfig(o.appDir ? join(resolve(o.repo), o.appDir) : resolve(o.repo), o.config).catch(() => ({ config: null }));
  if (config?.hosts) return { hosts: config.hosts, config };
  if (rollout) throw usageError('--batch, --canary, --canary-window and --parallel are for a deploy to several hosts', 'name the hosts with --to HOST (repeatable) or hosts: in deckhand.yml');
  return null;
}

const whole = (flag: string, v: string | number | undefined, min: number, max: number, fallback: number): number => {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw usageError(`${flag} must be a whole number from ${min} to ${max} (got "${v}")`);
  return n;
};

const window = (flag: string, v: string | undefined, fallbackMs: number): number => {
  if (v === undefined) return fallbackMs;
  const ms = parseDuration(v, flag, 's');
  if (ms < 1000 || ms > 600_000) throw usageError(`${flag} must be between 1s and 10m (got "${v}")`);
  return ms;
};

/** Rollout settings: flags over deckhand.yml rollout: over the defaults (all at once, no canary, 10 s windows, 8 hosts at once). */
export function fleetOptions(deploy: Omit<DeployOptions, 'target'>, hosts: FleetHost[], o: FleetCliFlags, config: DeckhandConfig | null): FleetOptions {
  const r = config?.rollout ?? {};
  const batchText = o.batch ?? (r.batch !== undefined ? String(r.batch) : 'all');
  const canary = whole('--canary', o.canary ?? r.canary, 0, 1000, 0);
  return {
    deploy, hosts, batch: parseBatchSize(batchText), batchText, canary,
    windowMs: window('--window', o.window ?? r.window, 10_000),
    canaryWindowMs: window('--canary-window', o.canaryWindow ?? r.canary_window, 30_000),
    parallel: whole('--parallel', o.parallel ?? r.parallel, 1, 64, 8),
  };
}

/** Runs the fleet deploy on the given executors (one per host, closed by the caller); returns the exit code. */
export async function deployFleet(ctx: RunContext, opts: FleetOptions, o: FleetCliFlags, run: Pick<CommandRun, 'redactor' | 'printer'>, interrupted: () => boolean): Promise<number> {
  if (o.planOut !== undefined || o.apply !== undefined) throw usageError('--plan-out and --apply save and apply one host\'s plan', 'use --plan to review a fleet rollout, then run it with --yes');
  const emit = (report: FleetReport): Promise<void> =>
    emitReport(o, run, report, { stage: report.data.outcome === 'PLANNED' ? 'fleet-plan' : 'fleet', markdown: renderFleetMarkdown(report), label: report.data.app });
  const t0 = performance.now();
  const prepared = await prepareFleet(ctx, opts);
  try {
    const planned = fleetPlanReport(ctx, prepared, Math.round(performance.now() - t0));
    if (o.plan) { await emit(planned); return EXIT.ok; }
    if (!o.yes) {
      run.printer?.stop();
      process.stderr.write(`${ctx.redactor.mask(renderFleetMarkdown(planned))}\n`);
      if (!process.stdin.isTTY || !process.stderr.isTTY) {
        throw new DeckhandError('usage', 'refusing to deploy without confirmation: no terminal to ask on', { hint: 'review the plan above, then rerun with --yes (or --plan to only print it)' });
      }
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      const yes = await rl.question(`Roll out ${planned.data.app} to ${opts.hosts.length} hosts in ${planned.data.batches.length} batch(es)? [y/N] `).finally(() => rl.close());
      if (!/^y(es)?$/i.test(yes.trim())) { process.stderr.write('nothing changed\n'); return EXIT.ok; }
    }
    const report = await applyFleet(ctx, prepared, interrupted);
    await emit(report);
    return report.data.outcome === 'VERIFIED' ? EXIT.ok : EXIT.checksFailed;
  } finally {
    await prepared.cleanup();
  }
}

/** One executor per host (each its own SSH master); `close` closes them all. */
export function fleetExecutors(hosts: string[], open: (target: string) => Executor, ctx: RunContext): { hosts: FleetHost[]; close: () => Promise<void> } {
  const out: FleetHost[] = [];
  const close = async (): Promise<void> => { await Promise.all(out.map((h) => h.ctx.executor.close().catch(() => undefined))); };
  try {
    for (const t of hosts) out.push({ target: t, ctx: { ...ctx, executor: open(t) } });
  } catch (e) {
    void close();
    throw e;
  }
  return { hosts: out, close };
}

