// `deckhand deploy [target]`: plan, confirm, apply; `--plan` changes nothing, `--plan-out`/`--apply` split the two.
import { readFile, writeFile } from 'node:fs/promises';
import { createInterface } from 'node:readline/promises';
import { Command as Cmd } from 'commander';
import {
  applyDeploy, applyPlan, composeEnv, DeckhandError, EXIT, hasServices, localPm2, planReport, prepareDeploy, renderExecutionMarkdown, usageError,
  type DeployOptions, type ExecutionReport, type Plan,
} from '../index.js';
import { emitReport, withExecutor } from './command-run.js';
import { deployFleet, fleetExecutors, fleetHosts, fleetOptions } from './deploy-fleet.js';
import { deployServices, servicesOptions } from './deploy-services.js';
import { addCommonOptions, collect, executorFor, type GlobalOpts } from './shared.js';

interface DeployFlagsCli extends GlobalOpts {
  repo: string; appDir?: string; name?: string; strategy?: string; plan?: boolean; yes?: boolean; planOut?: string; apply?: string;
  brief?: string; config?: string; envFile?: string; remoteEnvFile?: string; env?: string[]; port?: string; health?: string;
  baseDir?: string; build?: string; keep?: string; start?: string; startTimeout?: string; instances?: string; migrate?: boolean;
  script?: string; rollbackScript?: string; rollback?: boolean; zeroDowntime?: boolean; only?: string; window?: string;
  to?: string[]; batch?: string; canary?: string; canaryWindow?: string; parallel?: string;
}

const int = (flag: string, v: string | undefined, min: number, max: number): number | undefined => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw usageError(`${flag} must be a whole number from ${min} to ${max} (got "${v}")`);
  return n;
};

function options(target: string, o: DeployFlagsCli): DeployOptions {
  if (o.build !== undefined && o.build !== 'target' && o.build !== 'local') throw usageError(`--build must be target or local (got "${o.build}")`);
  const opts: DeployOptions = { source: o.repo, target };
  const set = <K extends keyof DeployOptions>(k: K, v: DeployOptions[K] | undefined): void => { if (v !== undefined) opts[k] = v; };
  set('appDir', o.appDir); set('app', o.name); set('strategy', o.strategy); set('briefFile', o.brief); set('configFile', o.config);
  set('envFile', o.envFile); set('remoteEnvFile', o.remoteEnvFile); set('env', o.env); set('health', o.health); set('baseDir', o.baseDir);
  set('build', o.build as 'target' | 'local' | undefined); set('start', o.start);
  set('port', int('--port', o.port, 1, 65535)); set('keep', int('--keep', o.keep, 2, 50)); set('startTimeoutSec', int('--start-timeout', o.startTimeout, 1, 3600));
  if (o.instances !== undefined) opts.instances = o.instances === 'max' ? 'max' : (int('--instances', o.instances, 1, 512) ?? 1);
  if (o.migrate) opts.migrate = true;
  if (o.zeroDowntime) opts.zeroDowntime = true;
  set('script', o.script); set('rollbackScript', o.rollbackScript);
  // commander's --no-rollback leaves `rollback` true unless it is given.
  if (o.rollback === false) opts.noRollback = true;
  return opts;
}

/** What a fleet deploys: the per-app flags, as for one host (each host's target is its own). */
function fleetDeployOptions(o: DeployFlagsCli): Omit<DeployOptions, 'target'> {
  const { target: _t, ...rest } = options('fleet', o);
  return rest;
}

async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try { return /^y(es)?$/i.test((await rl.question(question)).trim()); } finally { rl.close(); }
}

export function deployCommand(run: (fn: () => Promise<number>, o: GlobalOpts) => Promise<void>): Cmd {
  const c = new Cmd('deploy')
    .description('deployment-executor: plan, then apply a release with a rollback point (systemd, blue-green, pm2, docker, compose, static, script, kubernetes)')
    .argument('[target]', 'local (the default), user@host, user@host:port, ssh://user@host:port, or an ~/.ssh/config alias; several hosts: --to, or hosts: in deckhand.yml')
    .option('--repo <dir|git-url>', 'the repository to deploy: a directory, or a git URL cloned here shallowly', '.')
    .option('--app-dir <dir>', 'the app inside a monorepo')
    .option('--name <app>', 'app name (service, user and /opt/<app>; default from deckhand.yml or discovery)')
    .option('--strategy <name>', 'systemd, blue-green, pm2, docker, compose, static, script, swarm or kubernetes (default: deckhand.yml, else the brief\'s top strategy); kubernetes: no target, kubectl/helm run here against deckhand.yml kubernetes.context; swarm: a docker service (or stack) updated start-first with the engine\'s rollback (deckhand.yml swarm.*); blue-green: two systemd slots (--port and the next, or deckhand.yml blue_green.ports) behind nginx on proxy_port (default 80), switched only once the new one is healthy')
    .option('--zero-downtime', 'systemd, pm2 and docker apps: blue-green (two slots behind nginx); compose apps: the service container is replaced behind nginx (same as zero_downtime: true in deckhand.yml)')
    .option('--plan', 'print the Execution Plan and change nothing')
    .option('-y, --yes', 'apply without asking')
    .option('--plan-out <file>', 'save the plan to FILE (then apply it with --apply FILE)')
    .option('--apply <file>', 'apply a saved plan, after checking the target has not changed since')
    .option('--brief <file>', 'Deployment Brief JSON (default: discover now)')
    .option('--config <file>', 'deckhand.yml to use (default: the one in the app directory)')
    .option('--env-file <file>', 'local env file installed as <base>/shared/.env (mode 0600)')
    .option('--remote-env-file <path>', 'env file already on the target, installed as <base>/shared/.env')
    .option('--env <NAME>', 'take NAME\'s value from this environment into the env file (repeatable)', collect)
    .option('--port <n>', 'port the app listens on')
    .option('--health <path>', 'health path checked after the start')
    .option('--base-dir <path>', 'base directory on the target (default /opt/<app>, or ~/.deckhand/apps/<app> without root)')
    .option('--build <where>', 'target (install and build on the target) or local (ship what is here, built)')
    .option('--keep <n>', 'releases to keep (default 5)')
    .option('--start <command>', 'production start command')
    .option('--start-timeout <seconds>', 'how long the app may take to become healthy (default 30)')
    .option('--instances <n|max>', 'pm2 cluster instances')
    .option('--migrate', 'run the migration command discovery found')
    .option('--script <path>', 'script strategy: the repository\'s deploy script (relative to the app), run in the release on the target')
    .option('--rollback-script <path>', 'script strategy: the script `deckhand rollback` runs in the release it restores')
    .option('--no-rollback', 'script strategy: deploy without a rollback script (rollback then only switches the files back)')
    .option('--only <service>', 'deckhand.yml services: deploy this service alone (the services it depends on must already be serving; they are checked, not deployed)')
    .option('--window <duration>', 'deckhand.yml services, or several hosts: the verification window of each service or host, 1s to 10m (a bare number is seconds; default 10s)')
    .option('--to <target>', 'a host of the fleet (repeatable): the app is rolled out to every one, in batches, each verified before the next (default: deckhand.yml hosts: when no target is given)', collect)
    .option('--batch <n|N%|all>', 'several hosts: hosts deployed at once (default all); a failure stops the rollout and rolls back the hosts it switched')
    .option('--canary <n>', 'several hosts: deploy, verify and watch this many hosts first, then the rest')
    .option('--canary-window <duration>', 'several hosts: how long the canary is verified and watched (default 30s)')
    .option('--parallel <n>', 'several hosts: hosts worked on at once, for planning, deploys and rollbacks (default 8)');
  addCommonOptions(c);
  c.action(async (given: string | undefined, o: DeployFlagsCli) => {
    const abort = new AbortController();
    const target = given ?? 'local';
    await run(async () => withExecutor(o, (redactor) => executorFor(target, o, redactor, abort.signal), async (r) => {
      const { executor, redactor, printer } = r;
      let interrupts = 0;
      const onSigint = (): void => {
        interrupts++;
        if (interrupts === 1) process.stderr.write('\ninterrupt: stopping after the current step and reverting (Ctrl-C again to abort now)\n');
        else abort.abort();
      };
      process.on('SIGINT', onSigint);
      const ctx = { ...r.ctx, signal: abort.signal };
      const emit = (report: ExecutionReport): Promise<void> =>
        emitReport(o, r, report, { stage: report.data.outcome === 'PLANNED' ? 'plan' : 'execution', markdown: renderExecutionMarkdown(report) });
      try {
        // Several hosts (--to, or deckhand.yml hosts: with no target given): one rollout across them.
        const fleet = await fleetHosts(given, o);
        if (fleet) {
          if (o.only !== undefined || await hasServices(o.repo, o.config)) throw usageError('a deckhand.yml with services: deploys to one target', 'deploy the services to each host in turn with `deckhand deploy HOST`');
          const hosts = fleetExecutors(fleet.hosts, (t) => executorFor(t, o, redactor, abort.signal), ctx);
          try {
            return await deployFleet(ctx, fleetOptions(fleetDeployOptions(o), hosts.hosts, o, fleet.config), o, r, () => interrupts > 0);
          } finally {
            await hosts.close();
          }
        }
        // deckhand.yml services: each service is its own app, deployed in dependency order (the --apply path is one app's saved plan).
        if (o.only !== undefined || (o.apply === undefined && o.planOut === undefined && await hasServices(o.repo, o.config))) {
          return await deployServices(ctx, servicesOptions(target, o, localPm2(executor.host)), o, r, () => interrupts > 0);
        }
        if (o.window !== undefined) throw usageError('--window is for repositories whose deckhand.yml lists services', 'verify a single app with `deckhand verify --window`');
        const opts = options(target, o);
        const pm2 = localPm2(executor.host);
        if (pm2) opts.pm2Bin = pm2;
        if (o.apply) {
          const saved = JSON.parse(await readFile(o.apply, 'utf8').catch((e: Error) => { throw usageError(`cannot read the plan ${o.apply}: ${e.message}`); })) as { plan?: Plan; target?: string };
          const plan = saved.plan;
          if (!plan || plan.kind !== 'deckhand-plan') throw usageError(`${o.apply} is not a deckhand plan`, 'save one with `deckhand deploy --plan-out FILE`');
          if (saved.target !== target) throw usageError(`the plan was made for ${saved.target ?? '?'}, not ${target}`);
          const env = await composeEnv({ ...(o.envFile ? { envFile: o.envFile } : {}), fromEnvironment: o.env ?? [] });
          if (env) redactor.add(...env.secretValues);
          if (plan.steps.some((s) => s.id === 'env') && !env && !o.remoteEnvFile) throw usageError('the plan writes the env file: pass the same --env-file / --env / --remote-env-file as when it was made');
          if (env && plan.envNames.join(',') !== env.names.join(',')) throw usageError(`the env names differ from the plan's (${plan.envNames.join(', ')})`, 'pass the same env sources as when the plan was made');
          const report = await applyPlan(ctx, plan, { envContent: env?.content ?? null, remoteEnvFile: o.remoteEnvFile ?? null, baseOverride: plan.layout.base, stopRequested: () => interrupts > 0 });
          await emit(report);
          return report.status === 'ok' ? EXIT.ok : EXIT.checksFailed;
        }
        if (o.planOut && /^(?:https?|ssh|git|file):\/\/|^[\w.-]+@[\w.-]+:/.test(o.repo)) {
          throw usageError('--plan-out needs a local directory: a git URL is cloned into a temporary directory that is gone when the plan is applied', 'clone it yourself and pass --repo DIR');
        }
        const t0 = performance.now();
        const prepared = await prepareDeploy(ctx, opts);
        try {
          const planned = planReport(prepared.plan, executor.host, Math.round(performance.now() - t0));
          if (o.planOut) {
            await writeFile(o.planOut, `${JSON.stringify({ plan: prepared.plan, target }, null, 2)}\n`, { mode: 0o600 });
            process.stderr.write(`plan ${prepared.plan.id} saved to ${o.planOut}\n`);
          }
          if (o.plan || (o.planOut && !o.yes)) { await emit(planned); return EXIT.ok; }
          if (!o.yes) {
            if (!process.stdin.isTTY || !process.stderr.isTTY) {
              printer?.stop();
              process.stderr.write(`${redactor.mask(renderExecutionMarkdown(planned))}\n`);
              throw new DeckhandError('usage', 'refusing to deploy without confirmation: no terminal to ask on', { hint: 'review the plan above, then rerun with --yes (or --plan to only print it)' });
            }
            printer?.stop();
            process.stderr.write(`${redactor.mask(renderExecutionMarkdown(planned))}\n`);
            if (!(await confirm(`Apply plan ${prepared.plan.id} to ${executor.host.display}? [y/N] `))) { process.stderr.write('nothing changed\n'); return EXIT.ok; }
          }
          const report = await applyDeploy(ctx, prepared, () => interrupts > 0);
          await emit(report);
          return report.status === 'ok' ? EXIT.ok : EXIT.checksFailed;
        } finally {
          await prepared.cleanup();
        }
      } finally {
        process.off('SIGINT', onSigint);
      }
    }), o);
  });
  return c;
}
