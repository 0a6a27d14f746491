// `deckhand check [target]`: target-host-readiness from the command line.
import { Command as Cmd } from 'commander';
import {
  checkKubernetesReadiness, checkReadiness, EXIT, usageError, renderReadinessMarkdown, renderReadinessTerminal, type CheckOptions,
} from '../index.js';
import { emitReport, withExecutor } from './command-run.js';
import { addCommonOptions, collect, executorFor, type GlobalOpts } from './shared.js';

interface CheckFlags extends GlobalOpts {
  strategy?: string; require?: string[]; port?: string[]; proxy?: boolean; memory?: string; disk?: string;
  app?: string; baseDir?: string; reach?: string[]; requireEnv?: string[]; envFilePath?: string; brief?: string;
  context?: string; namespace?: string; helm?: boolean; requestTimeout?: string;
}

export function checkCommand(run: (fn: () => Promise<number>, o: GlobalOpts) => Promise<void>): Cmd {
  const c = new Cmd('check')
    .description('target-host-readiness: can this host run the app? (READY / READY WITH WARNINGS / NOT READY)')
    .argument('[target]', 'local, user@host, user@host:port, ssh://user@host:port, or an ~/.ssh/config alias', 'local')
    .option('--strategy <name>', 'what the deploy will use: systemd, pm2, docker, compose, static, script, blue-green, swarm, kubernetes (kubectl checks here; no target)')
    .option('--context <name>', 'kubernetes: the kubeconfig context (default: the current context)')
    .option('--namespace <name>', 'kubernetes: the namespace (default: default)')
    .option('--helm', 'kubernetes: the deploy uses a Helm chart (helm must be present; release Secrets)')
    .option('--request-timeout <seconds>', 'kubernetes: bound of each API request (default 5)')
    .option('--require <tool[range]>', 'required tool and semver range, e.g. node>=20 (repeatable)', collect)
    .option('--port <n>', 'port the app needs free (repeatable)', collect)
    .option('--proxy', 'a reverse proxy (nginx) is wanted: ports 80/443 too')
    .option('--memory <size>', 'memory the app needs (default 256MiB)')
    .option('--disk <size>', 'disk the app needs where it lives (default 512MiB)')
    .option('--app <name>', 'app name (default base dir /opt/<name>)', 'app')
    .option('--base-dir <path>', 'deploy base directory on the target')
    .option('--reach <host:port>', 'a dependency the target must reach over TCP (repeatable)', collect)
    .option('--require-env <NAME>', 'environment variable that must be set in the env file (repeatable)', collect)
    .option('--env-file-path <path>', 'env file on the target (default <base>/shared/.env)')
    .option('--brief <file>', 'Deployment Brief JSON from `deckhand discover`');
  addCommonOptions(c);
  c.action(async (target: string, o: CheckFlags) => {
    await run(() => withExecutor(o, (redactor) => executorFor(target, o, redactor), async (r) => {
      const opts: CheckOptions = {};
      if (o.strategy !== undefined) opts.strategy = o.strategy;
      if (o.require) opts.require = o.require;
      if (o.port) opts.port = o.port;
      if (o.proxy) opts.proxy = true;
      if (o.memory !== undefined) opts.memory = o.memory;
      if (o.disk !== undefined) opts.disk = o.disk;
      if (o.app !== undefined) opts.app = o.app;
      if (o.baseDir !== undefined) opts.baseDir = o.baseDir;
      if (o.reach) opts.reach = o.reach;
      if (o.requireEnv) opts.requireEnv = o.requireEnv;
      if (o.envFilePath !== undefined) opts.envFilePath = o.envFilePath;
      if (o.brief !== undefined) opts.brief = o.brief;
      if (o.strategy === 'kubernetes' && r.executor.host.kind !== 'local') throw usageError('kubernetes readiness runs kubectl on this machine: the cluster is --context, not a target', 'run `deckhand check --strategy kubernetes --context NAME` without a target');
      const timeout = o.requestTimeout === undefined ? undefined : Number(o.requestTimeout);
      if (timeout !== undefined && (!Number.isInteger(timeout) || timeout < 1 || timeout > 300)) throw usageError(`--request-timeout must be a whole number of seconds from 1 to 300 (got "${o.requestTimeout}")`);
      const report = o.strategy === 'kubernetes'
        ? await checkKubernetesReadiness(r.ctx, { ...(o.context ? { context: o.context } : {}), ...(o.namespace ? { namespace: o.namespace } : {}), helm: o.helm === true, ...(timeout ? { requestTimeoutSec: timeout } : {}) })
        : await checkReadiness(r.ctx, opts);
      await emitReport(o, r, report, { stage: 'readiness', markdown: renderReadinessMarkdown(report), text: renderReadinessTerminal(report) });
      return report.data.verdict === 'NOT READY' ? EXIT.checksFailed : EXIT.ok;
    }), o);
  });
  return c;
}
