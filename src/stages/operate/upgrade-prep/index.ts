// `deckhand ops upgrade-prep`: runtime, dependencies, outdated packages and migrations of the current release, and a zero-downtime plan.
import { pm2For } from '../../../core/pm2-binary.js';
import type { RunContext } from '../../../core/context.js';
import { DeckhandError, tail } from '../../../core/errors.js';
import { upgradePrepProbeCommand } from '../../../commands/ops-upgrade-prep.js';
import { LocalExecutor } from '../../../exec/local.js';
import type { OperationsReport } from '../../../report/operations.js';
import type { OpsUpgradePrepData } from '../../../report/ops/upgrade-prep.js';
import { parseDotenv, valuesToMask } from '../../deploy/secrets.js';
import { discover } from '../../discover/index.js';
import { loadVersionMatcher } from '../../readiness/versions.js';
import { loadDeployedApp } from '../deployed-app.js';
import { opsEvidence, startTask } from '../task-report.js';
import { assembleDependencies, assembleMigrations, assembleRuntime, type VersionLogic } from './assemble.js';
import { upgradeFindings } from './findings.js';
import { buildUpgradePlan } from './plan.js';
import { parseUpgradeProbe, type Ran, type UpgradeProbe } from './probe.js';

export interface UpgradePrepRequest {
  app: string;
  /** The target as the operator wrote it (repeated in the plan's commands). */
  target: string;
  baseDir: string | null;
  /** The repository whose Deployment Brief states the runtime range. */
  repo: string;
  /** Registry / package index for the outdated queries (a mirror); null for each tool's own configuration. */
  registry: string | null;
  /** Do not ask any registry (outdated is then SKIPPED). */
  offline: boolean;
  /** Hard bound of the outdated query, seconds (default 90). */
  outdatedTimeoutSec?: number;
}


function shown(r: Ran | null): string {
  if (!r) return '';
  const err = tail(r.err, 3);
  return [r.out.trim(), err ? `(stderr, last lines) ${err}` : '', `(exit ${r.rc ?? 'none: cut off'})`].filter(Boolean).join('\n');
}

/** Registers every env-file value that could be secret, so whatever a migration tool prints is masked. */
function maskEnvFile(ctx: RunContext, p: UpgradeProbe, path: string): void {
  if (!p.envFile) return;
  try {
    for (const [k, v] of parseDotenv(p.envFile, path)) ctx.redactor.add(...valuesToMask(k, v));
  } catch {
    // An env file deckhand cannot parse: mask each value-looking part of every line rather than none.
    for (const line of p.envFile.split('\n')) ctx.redactor.add(...valuesToMask('SECRET', line.slice(line.indexOf('=') + 1).trim()));
  }
}

export async function upgradePrep(ctx: RunContext, req: UpgradePrepRequest): Promise<OperationsReport> {
  const { log, finish } = startTask(ctx, req.app);
  const now = (ctx.now ?? (() => new Date()))();
  const outdatedTimeoutSec = req.outdatedTimeoutSec ?? 90;
  const local: RunContext = { executor: new LocalExecutor(ctx.redactor, ctx.signal), redactor: ctx.redactor };

  log.begin('read', 'read the deployed app and discover the repository');
  const [app, brief] = await Promise.all([loadDeployedApp(ctx, req.app, req.baseDir), discover(local, req.repo)]);
  log.end('pass', `${app.current.id} (${app.current.strategy})`);

  const b = brief.data;
  const rt = b.stack.runtime;
  const ev0 = rt?.evidence[0];
  const required = rt ? { runtime: rt.value.runtime, range: rt.value.range, evidence: `${b.root}${ev0 ? `: ${ev0.file}${ev0.line ? `:${ev0.line}` : ''}${ev0.text ? ` ${ev0.text}` : ''}` : ''}` } : null;

  log.begin('probe', `read runtime, dependencies${req.offline ? '' : ', outdated packages'} and migrations on ${ctx.executor.host.display}`);
  const cmd = upgradePrepProbeCommand({
    app: req.app, base: app.base, strategy: app.current.strategy, serviceUser: app.current.serviceUser ?? '', ecosystemHint: b.stack.ecosystem?.value ?? '',
    registry: req.registry ?? '', offline: req.offline, outdatedTimeoutSec, pm2: pm2For(ctx.executor.host),
  });
  const res = await ctx.executor.run(cmd);
  const raw = res.rawStdout ?? res.stdout;
  if (res.failed && !raw.includes('@@begin')) {
    log.end('fail', res.timedOut ? 'timed out' : `exit ${res.exitCode}`);
    throw new DeckhandError('unreachable', `could not read the app's runtime and dependencies on ${ctx.executor.host.display}`, {
      details: { host: res.host, exitCode: res.exitCode, stderrTail: tail(res.stderr) }, hint: 'run `deckhand ops inspect` against the same target to see what is reachable',
    });
  }
  const probe = parseUpgradeProbe(raw);
  maskEnvFile(ctx, probe, app.layout.envFile);
  log.end(res.timedOut ? 'unknown' : 'pass', res.timedOut ? `cut off after ${Math.round((cmd.timeoutMs ?? 0) / 1000)} s: what it printed is used` : (probe.ecosystem ?? 'no known ecosystem'));

  const [{ classifyBump }, matcher] = await Promise.all([import('./classify.js'), loadVersionMatcher()]);
  const logic: VersionLogic = {
    bump: classifyBump,
    satisfies: (v, range) => {
      const c = matcher.coerce(v);
      return c && matcher.validRange(range) ? matcher.satisfies(c, range) : null;
    },
  };
  const input = { probe, strategy: app.current.strategy, required, registry: req.registry, offline: req.offline, outdatedTimeoutSec, now };
  const runtime = assembleRuntime(input, logic);
  const dependencies = assembleDependencies(input, logic);
  const migrations = assembleMigrations(probe);
  const pm2Mode = probe.pm2?.find((x) => x.status === 'online')?.mode ?? probe.pm2?.[0]?.mode ?? null;
  const plan = buildUpgradePlan({
    target: req.target, app: req.app, repo: req.repo, baseDir: req.baseDir, strategy: app.current.strategy, pm2Mode, behindNginx: probe.upstream,
    runtime: runtime.name, datastores: b.datastores.map((d) => d.kind),
    migrations: { tool: migrations.tool, pending: migrations.pending.length, detectable: migrations.status === 'pending' || migrations.status === 'up-to-date' },
    migrateCommand: b.commands.migrate?.value.command ?? null, currentRelease: app.current.id,
  });
  const data: OpsUpgradePrepData = {
    task: 'upgrade-prep',
    release: {
      id: app.current.id, commit: app.current.commit, strategy: app.current.strategy, deployedAt: app.current.deployedAt, dir: probe.release,
      rollbackPoint: app.previous?.id ?? null,
    },
    ecosystem: probe.ecosystem, runtime, dependencies, migrations, plan,
  };
  const at = probe.release ?? `${app.base}/current`;
  const findings = upgradeFindings(data, {
    runtime: opsEvidence(ctx, `readlink /proc/PID/exe; <exe> --version (in ${at})`, runtime.running.evidence),
    path: opsEvidence(ctx, `${probe.path.exe ?? runtime.name ?? 'runtime'} --version`, shown(probe.path.ran)),
    deps: opsEvidence(ctx, `read ${dependencies.source ?? 'the manifests'} in ${at}`, dependencies.list.slice(0, 40).map((d) => `${d.name} ${d.installed ?? '(not installed)'}`).join('\n')),
    outdated: opsEvidence(ctx, `cd ${at} && ${dependencies.outdated.tool ?? '(no outdated query)'}`, shown(probe.outdated) || (probe.outdatedProblem ?? '')),
    migrations: opsEvidence(ctx, `cd ${at} && ${migrations.command ?? '(no status command)'}`, shown(probe.migrations.ran)),
  });
  return finish(findings, data);
}
