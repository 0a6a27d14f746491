// `deckhand deploy` for a repository whose deckhand.yml lists services: plan all (or --only one), confirm, deploy in dependency order.
import { createInterface } from 'node:readline/promises';
import {
  applyServices, DeckhandError, EXIT, parseDuration, prepareServices, renderServicesMarkdown, servicesPlanReport, usageError,
  type RunContext, type ServicesOptions, type ServicesReport,
} from '../index.js';
import { emitReport, type CommandRun } from './command-run.js';

/** Per-app flags: with services they would apply to every service at once, so each service's deckhand.yml entry holds them. */
const PER_SERVICE_FLAGS: Record<string, string> = {
  appDir: '--app-dir', name: '--name', strategy: '--strategy', port: '--port', health: '--health', baseDir: '--base-dir', start: '--start',
  instances: '--instances', script: '--script', rollbackScript: '--rollback-script', envFile: '--env-file', remoteEnvFile: '--remote-env-file',
  env: '--env', keep: '--keep', startTimeout: '--start-timeout', migrate: '--migrate', zeroDowntime: '--zero-downtime', brief: '--brief',
  planOut: '--plan-out', apply: '--apply',
};

export interface ServicesCliFlags {
  repo: string; config?: string; only?: string; build?: string; window?: string; plan?: boolean; yes?: boolean; json?: boolean; out?: string;
}

export function servicesOptions(target: string, o: ServicesCliFlags, pm2Bin: string | undefined): ServicesOptions {
  const all = o as unknown as Record<string, unknown>;
  const given = Object.keys(PER_SERVICE_FLAGS).filter((k) => all[k] !== undefined && all[k] !== false);
  if (given.length > 0) {
    throw usageError(`${given.map((k) => PER_SERVICE_FLAGS[k]).join(', ')} cannot be used when deckhand.yml lists services`, 'set them per service under services.<name> in deckhand.yml; --only SERVICE picks one service');
  }
  const opts: ServicesOptions = { source: o.repo, target };
  if (o.config) opts.configFile = o.config;
  if (o.only) opts.only = o.only;
  if (pm2Bin) opts.pm2Bin = pm2Bin;
  if (o.build !== undefined && o.build !== 'target' && o.build !== 'local') throw usageError(`--build must be target or local (got "${o.build}")`);
  if (o.build !== undefined) opts.build = o.build;
  if (o.window !== undefined) {
    // The same reading as `deckhand verify --window`: a duration, a bare number in seconds.
    const ms = parseDuration(o.window, '--window', 's');
    if (ms < 1000 || ms > 600_000) throw usageError(`--window must be between 1s and 10m (got "${o.window}")`);
    opts.windowMs = ms;
  }
  return opts;
}

/** Runs the services deploy; returns the exit code. The report is shown and filed like every command's (emitReport). */
export async function deployServices(ctx: RunContext, opts: ServicesOptions, o: ServicesCliFlags, run: Pick<CommandRun, 'redactor' | 'printer'>, interrupted: () => boolean): Promise<number> {
  const emit = (report: ServicesReport): Promise<void> =>
    emitReport(o, run, report, { stage: report.data.outcome === 'PLANNED' ? 'services-plan' : 'services', markdown: renderServicesMarkdown(report) });
  const t0 = performance.now();
  const prepared = await prepareServices(ctx, opts);
  try {
    const planned = servicesPlanReport(ctx, prepared, Math.round(performance.now() - t0));
    if (o.plan) { await emit(planned); return EXIT.ok; }
    if (!o.yes) {
      run.printer?.stop();
      process.stderr.write(`${ctx.redactor.mask(renderServicesMarkdown(planned))}\n`);
      if (!process.stdin.isTTY || !process.stderr.isTTY) {
        throw new DeckhandError('usage', 'refusing to deploy without confirmation: no terminal to ask on', { hint: 'review the plan above, then rerun with --yes (or --plan to only print it)' });
      }
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      const yes = await rl.question(`Deploy ${prepared.deploys.map((d) => d.unit.name).join(' → ')} to ${ctx.executor.host.display}? [y/N] `).finally(() => rl.close());
      if (!/^y(es)?$/i.test(yes.trim())) { process.stderr.write('nothing changed\n'); return EXIT.ok; }
    }
    const report = await applyServices(ctx, prepared, interrupted);
    await emit(report);
    return report.data.outcome === 'VERIFIED' ? EXIT.ok : EXIT.checksFailed;
  } finally {
    await prepared.cleanup();
  }
}
