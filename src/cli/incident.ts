// `deckhand incident [target]`: triage (SEV-1/2/3), diagnosis, roll back / stabilise / report, and the Incident Record with a review draft.
import { writeFile } from 'node:fs/promises';
import { Command as Cmd } from 'commander';
import { EXIT, incident, localPm2, parseDuration, renderIncidentMarkdown, renderReviewDraft, usageError } from '../index.js';
import { resolveAppName } from './app-name.js';
import { emitReport, withExecutor } from './command-run.js';
import { addCommonOptions, executorFor, type GlobalOpts } from './shared.js';

interface IncidentFlags extends GlobalOpts {
  name?: string; repo?: string; baseDir?: string; dryRun?: boolean; stabiliseTimeout: string; window: string; verifyWindow?: string; startTimeout?: string;
}

/** A duration flag in seconds, within bounds, refused with the flag's name before anything connects. */
function seconds(text: string, flag: string, minSec: number, maxSec: number): number {
  const sec = Math.round(parseDuration(text, flag) / 1000);
  if (sec < minSec || sec > maxSec) throw usageError(`${flag} must be between ${minSec}s and ${maxSec}s (got "${text}")`, `e.g. ${flag} 2m`);
  return sec;
}

export function incidentCommand(run: (fn: () => Promise<number>, o: GlobalOpts) => Promise<void>): Cmd {
  const c = new Cmd('incident')
    .description('triage a deployed app: gather signals in one pass, classify SEV-1/2/3, diagnose, then roll back (SEV-1), restart and watch (SEV-2, escalating to SEV-1) or report (SEV-3); writes the Incident Record')
    .argument('[target]', 'local, user@host, user@host:port, ssh://user@host:port, or an ~/.ssh/config alias', 'local')
    .option('--name <app>', 'app name (default: deckhand.yml or discovery of --repo)')
    .option('--repo <dir>', 'repository used to find the app name', '.')
    .option('--base-dir <path>', 'base directory on the target')
    .option('--dry-run', 'triage and diagnose only: change nothing, write no record on the target')
    .option('--stabilise-timeout <duration>', 'how long a SEV-2 restart may take to become stable before escalating to SEV-1', '2m')
    .option('--window <duration>', 'how far back to read logs and kernel messages (never before the current release)', '15m')
    .option('--verify-window <duration>', 'how long the verification after a rollback watches the app (default 10s)')
    .option('--start-timeout <seconds>', 'how long the restored release may take to become healthy (default 30)');
  addCommonOptions(c);
  c.action(async (target: string, o: IncidentFlags) => {
    await run(async () => {
      const stabiliseTimeoutSec = seconds(o.stabiliseTimeout, '--stabilise-timeout', 5, 3600);
      const windowSec = seconds(o.window, '--window', 60, 30 * 86_400);
      const verifyWindowMs = o.verifyWindow ? seconds(o.verifyWindow, '--verify-window', 1, 600) * 1000 : undefined;
      if (o.startTimeout !== undefined && !/^\d+$/.test(o.startTimeout)) throw usageError(`--start-timeout takes whole seconds (got "${o.startTimeout}")`, 'e.g. --start-timeout 60');
      const startTimeoutSec = o.startTimeout ? Number(o.startTimeout) : undefined;
      return withExecutor(o, (redactor) => executorFor(target, o, redactor), async (r) => {
        const app = await resolveAppName(o, r.redactor);
        const pm2Bin = localPm2(r.executor.host);
        const report = await incident(r.ctx, {
          app, target, baseDir: o.baseDir ?? null, dryRun: o.dryRun ?? false, stabiliseTimeoutSec, windowSec,
          ...(verifyWindowMs ? { verifyWindowMs } : {}), ...(startTimeoutSec ? { startTimeoutSec } : {}), ...(pm2Bin ? { pm2Bin } : {}),
        });
        // The review draft goes beside the report, named after it.
        const review = async (files: { markdown: string }): Promise<string[]> => {
          const path = files.markdown.replace(/\.md$/, '.review.md');
          await writeFile(path, r.redactor.mask(renderReviewDraft(report.data.record)), { mode: 0o644 });
          return [path];
        };
        await emitReport(o, r, report, { stage: 'incident', markdown: renderIncidentMarkdown(report), extra: review });
        return report.status === 'ok' ? EXIT.ok : EXIT.checksFailed;
      });
    }, o);
  });
  return c;
}
