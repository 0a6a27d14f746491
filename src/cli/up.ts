// `deckhand up [path | git-url] [--to TARGET]`: the whole lifecycle in one command, ending with the deployment summary.
import { readFile } from 'node:fs/promises';
import { Command as Cmd } from 'commander';
import { DeckhandError, EXIT, localPm2, parseChecksFile, renderLifecycleMarkdown, up, usageError, type UpOptions } from '../index.js';
import { emitReport, withExecutor } from './command-run.js';
import { addCommonOptions, collect, executorFor, type GlobalOpts } from './shared.js';

interface UpFlags extends GlobalOpts {
  to: string; appDir?: string; name?: string; strategy?: string; envFile?: string; remoteEnvFile?: string; env?: string[]; port?: string; health?: string;
  baseDir?: string; build?: string; startTimeout?: string; checks?: string; window?: string; config?: string; start?: string;
}

export function upCommand(run: (fn: () => Promise<number>, o: GlobalOpts) => Promise<void>): Cmd {
  const c = new Cmd('up')
    .description('repo-service-lifecycle: discover → check → plan → apply → verify → baseline; rolls back automatically when verification fails')
    .argument('[path]', 'repository directory or git URL', '.')
    .option('--to <target>', 'where to deploy: local (default), user@host, ssh://user@host:port, or an ~/.ssh/config alias', 'local')
    .option('--app-dir <dir>', 'the app inside a monorepo')
    .option('--name <app>', 'app name')
    .option('--strategy <name>', 'systemd, blue-green, pm2, docker, compose, static, script or swarm (default: chosen from the repo and the host); kubernetes is refused: use check/deploy --strategy kubernetes')
    .option('--config <file>', 'deckhand.yml to use')
    .option('--env-file <file>', 'local env file installed as <base>/shared/.env (mode 0600)')
    .option('--remote-env-file <path>', 'env file already on the target')
    .option('--env <NAME>', 'take NAME from this environment into the env file (repeatable)', collect)
    .option('--port <n>', 'port the app listens on')
    .option('--health <path>', 'health path')
    .option('--start <command>', 'production start command')
    .option('--base-dir <path>', 'base directory on the target')
    .option('--build <where>', 'target or local')
    .option('--start-timeout <seconds>', 'how long the app may take to become healthy after a start (default 30)')
    .option('--checks <file>', 'smoke checks for verification (YAML or JSON)')
    .option('--window <seconds>', 'verification window in seconds (default 10)');
  addCommonOptions(c);
  c.action(async (path: string, o: UpFlags) => {
    await run(() => withExecutor(o, (redactor) => executorFor(o.to, o, redactor), async (r) => {
      if (o.build !== undefined && o.build !== 'target' && o.build !== 'local') throw usageError(`--build must be target or local (got "${o.build}")`);
      const num = (flag: string, v: string | undefined, min: number, max: number): number | undefined => {
        if (v === undefined) return undefined;
        const n = Number(v);
        if (!Number.isInteger(n) || n < min || n > max) throw usageError(`${flag} must be a whole number from ${min} to ${max} (got "${v}")`);
        return n;
      };
      const opts: UpOptions = { source: path, target: o.to, out: o.out ?? 'deckhand-reports' };
      const set = <K extends keyof UpOptions>(k: K, v: UpOptions[K] | undefined): void => { if (v !== undefined) opts[k] = v; };
      set('appDir', o.appDir); set('app', o.name); set('strategy', o.strategy); set('configFile', o.config); set('envFile', o.envFile);
      set('remoteEnvFile', o.remoteEnvFile); set('env', o.env); set('health', o.health); set('baseDir', o.baseDir); set('start', o.start);
      set('build', o.build as 'target' | 'local' | undefined);
      set('port', num('--port', o.port, 1, 65535)); set('startTimeoutSec', num('--start-timeout', o.startTimeout, 1, 3600));
      const w = num('--window', o.window, 1, 600);
      if (w !== undefined) opts.windowMs = w * 1000;
      if (o.checks) {
        const text = await readFile(o.checks, 'utf8').catch((e: Error) => { throw usageError(`cannot read ${o.checks}: ${e.message}`); });
        try { opts.checks = parseChecksFile(text, o.checks); } catch (e) {
          throw new DeckhandError('config', `${o.checks}: ${(e as { issues?: string[] }).issues?.join('; ') ?? (e as Error).message}`);
        }
      }
      const pm2Bin = localPm2(r.executor.host);
      if (pm2Bin) opts.pm2Bin = pm2Bin;
      const report = await up(r.ctx, opts);
      // The lifecycle report is always filed: in --out, else in deckhand-reports.
      await emitReport(o, r, report, { stage: 'lifecycle', markdown: renderLifecycleMarkdown(report), dir: opts.out, announce: false });
      return report.data.outcome === 'VERIFIED' ? EXIT.ok : EXIT.checksFailed;
    }), o);
  });
  return c;
}
