// `deckhand rollback [target]`: puts a recorded release back (code, env, unit/config), restarts, checks health.
import { resolve } from 'node:path';
import { Command as Cmd } from 'commander';
import {
  discover, EXIT, loadConfig, LocalExecutor, localPm2, renderExecutionMarkdown, resolveKubeSpec, rollback, rollbackKubernetes, rollbackRecord, usageError, writeIncident,
  type ExecutionReport, type ProgressEvent, type Redactor,
} from '../index.js';
import { resolveAppName } from './app-name.js';
import { emitReport, withExecutor } from './command-run.js';
import { addCommonOptions, executorFor, type GlobalOpts } from './shared.js';

interface RollbackFlags extends GlobalOpts { name?: string; repo?: string; baseDir?: string; to?: string; startTimeout?: string; strategy?: string }

/** kubernetes: the cluster and ledger come from deckhand.yml kubernetes.* (and discovery for the manifests), kubectl runs here. */
async function kubeRollback(o: RollbackFlags, app: string, redactor: Redactor, onProgress: ((e: ProgressEvent) => void) | undefined): Promise<ExecutionReport> {
  const dir = resolve(o.repo ?? '.');
  const local = { executor: new LocalExecutor(redactor), redactor, ...(onProgress ? { onProgress } : {}) };
  const { config } = await loadConfig(dir);
  const k = config.kubernetes;
  const brief = k?.manifests || k?.helm ? null : (await discover(local, dir)).data;
  const kube = await resolveKubeSpec(local, { appRoot: dir, app, config, brief });
  return rollbackKubernetes(local, { app, kube, ...(o.to ? { to: o.to } : {}), healthPath: config.health ?? null });
}

export function rollbackCommand(run: (fn: () => Promise<number>, o: GlobalOpts) => Promise<void>): Cmd {
  const c = new Cmd('rollback')
    .description('roll back to the previous release (or --to RELEASE): code, env and config restored atomically, then a health check')
    .argument('[target]', 'local (the default), user@host, user@host:port, ssh://user@host:port, or an ~/.ssh/config alias')
    .option('--name <app>', 'app name (default: deckhand.yml or discovery of --repo)')
    .option('--repo <dir>', 'repository used to find the app name', '.')
    .option('--base-dir <path>', 'base directory on the target')
    .option('--to <release>', 'release id to restore (see `deckhand releases`)')
    .option('--strategy <name>', 'kubernetes: put back the recorded revisions (kubectl rollout undo / helm rollback) in the cluster of deckhand.yml kubernetes.context (default: deckhand.yml strategy)')
    .option('--start-timeout <seconds>', 'how long the app may take to become healthy (default 30)');
  addCommonOptions(c);
  c.action(async (given: string | undefined, o: RollbackFlags) => {
    const target = given ?? 'local';
    await run(async () => {
      // With hosts: in deckhand.yml, "no target" means the fleet, not this machine: say so rather than roll back here.
      const hosts = given === undefined ? (await loadConfig(o.repo ?? '.').catch(() => ({ config: { hosts: undefined } }))).config.hosts : undefined;
      if (hosts) throw usageError(`deckhand.yml lists hosts (${hosts.join(', ')}): name the host to roll back`, `roll back each host in turn: ${hosts.map((h) => `deckhand rollback ${h}`).join('; ')}`);
      return withExecutor(o, (redactor) => executorFor(target, o, redactor), async (r) => {
      const { executor, redactor } = r;
      const app = await resolveAppName(o, redactor);
      const strategy = o.strategy ?? (await loadConfig(o.repo ?? '.')).config.strategy;
      if (strategy === 'kubernetes') {
        if (executor.host.kind !== 'local') throw usageError('kubernetes rollbacks run kubectl on this machine: the cluster is kubernetes.context, not a target', 'run `deckhand rollback --strategy kubernetes` without a target');
        const report = await kubeRollback(o, app, redactor, r.printer?.onProgress);
        await emitReport(o, r, report, { stage: 'rollback', markdown: renderExecutionMarkdown(report) });
        return report.status === 'ok' ? EXIT.ok : EXIT.checksFailed;
      }
      const pm2Bin = localPm2(executor.host);
      const report = await rollback(r.ctx, {
        app, target, ...(o.baseDir ? { baseDir: o.baseDir } : {}), ...(o.to ? { to: o.to } : {}), ...(pm2Bin ? { pm2Bin } : {}),
        ...(o.startTimeout ? { startTimeoutSec: Number(o.startTimeout) } : {}),
      });
      // The same Incident Record `deckhand incident` writes; a failure to write it is said, never fatal.
      const recordPath = await writeIncident({ executor, redactor }, report.data.base, rollbackRecord(report, new Date()))
        .catch((e: unknown) => { report.data.warnings.push(`the incident record could not be written: ${e instanceof Error ? e.message : String(e)}`); return null; });
      r.printer?.stop();
      if (recordPath) process.stderr.write(`incident record: ${recordPath}\n`);
      await emitReport(o, r, report, { stage: 'rollback', markdown: renderExecutionMarkdown(report) });
      return report.status === 'ok' ? EXIT.ok : EXIT.checksFailed;
      });
    }, o);
  });
  return c;
}
