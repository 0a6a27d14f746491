// deployment-executor: brief + deckhand.yml + flags → spec → target state → plan; apply runs it under the lock.
import { readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DeckhandError } from '../../core/errors.js';
import type { RunContext } from '../../core/context.js';
import { LocalExecutor } from '../../exec/local.js';
import { loadConfig } from '../../config/load.js';
import type { DeckhandConfig } from '../../config/schema.js';
import { DeploymentBriefSchema, type BriefData } from '../../report/brief.js';
import { discover } from '../discover/index.js';
import { headCommit, isGitUrl, openSource } from '../discover/source.js';
import { applyPlan as applyHostPlan, type ApplyInputs } from './apply.js';
import { applyKubernetesPlan, readLedgerText } from './kubernetes/apply.js';
import { kubePaths, planKubernetes } from './kubernetes/plan.js';
import { resolveKubeSpec } from './kubernetes/resolve.js';
import { planDeploy } from './plan.js';
import { composeEnv } from './secrets.js';
import { resolveSpec, unwrapNpmStart, type DeployFlags } from './spec.js';
import { pm2Readiness } from './pm2-ready.js';
import { resolveComposeFront } from './compose-front.js';
import { probeState } from './state.js';
import type { DeploySpec, Plan } from './types.js';
import type { ExecutionReport } from '../../report/execution.js';

export interface DeployOptions extends DeployFlags {
  /** The repository (or app) directory on this machine. */
  source: string;
  /** Monorepo member to deploy (directory inside source). */
  appDir?: string;
  briefFile?: string;
  configFile?: string;
  /** Target as the user wrote it (for commands in the report). */
  target: string;
  /** A brief already made (deckhand up discovers once and passes it on). */
  brief?: BriefData;
  pm2Bin?: string;
  /** The settings of one service of deckhand.yml `services:` (used instead of reading the app directory's deckhand.yml). */
  config?: { path: string | null; config: DeckhandConfig };
}

export interface PreparedDeploy {
  plan: Plan;
  spec: DeploySpec;
  config: DeckhandConfig;
  configPath: string | null;
  inputs: ApplyInputs;
  brief: BriefData | null;
  /** Removes the temporary clone of a git URL source (a no-op for a local directory). Call after apply. */
  cleanup: () => Promise<void>;
}

async function readBrief(file: string): Promise<BriefData> {
  let raw: unknown;
  try { raw = JSON.parse(await readFile(file, 'utf8')); } catch (e) {
    throw new DeckhandError('usage', `cannot read the brief ${file}: ${(e as Error).message}`, { hint: 'write one with `deckhand discover --json > brief.json`' });
  }
  const p = DeploymentBriefSchema.safeParse(raw);
  if (!p.success) throw new DeckhandError('usage', `${file} is not a Deployment Brief: ${p.error.issues[0]?.path.join('.')}: ${p.error.issues[0]?.message}`, { hint: 'regenerate it with `deckhand discover --json`' });
  return p.data.data;
}

async function workTree(ctx: RunContext, dir: string): Promise<{ commit: string | null; dirty: boolean }> {
  const commit = await headCommit(ctx, dir);
  if (!commit) return { commit: null, dirty: false };
  const r = await ctx.executor.run({ argv: ['git', '-C', dir, 'status', '--porcelain', '--', '.'], mutates: false, timeoutMs: 15_000 });
  return { commit, dirty: r.exitCode === 0 && r.stdout.trim().length > 0 };
}

/** Resolves inputs, reads the target in one round trip and builds the plan. Changes nothing. */
export async function prepareDeploy(ctx: RunContext, opts: DeployOptions): Promise<PreparedDeploy> {
  ctx.executor.connect?.().catch(() => undefined);
  const local: RunContext = { executor: new LocalExecutor(ctx.redactor, ctx.signal), redactor: ctx.redactor };
  // A git URL is cloned here (shallow, token masked and removed from the clone's config) and shipped like a
  // directory: the target never sees a credential, and needs neither git nor access to the repository host.
  const source = isGitUrl(opts.source) ? await openSource(local, opts.source) : null;
  try {
    return await prepareFrom(ctx, local, opts, source ? source.root : resolve(opts.source), source?.cleanup ?? (async () => {}));
  } catch (e) {
    await source?.cleanup();
    throw e;
  }
}

async function prepareFrom(ctx: RunContext, local: RunContext, opts: DeployOptions, root: string, cleanup: () => Promise<void>): Promise<PreparedDeploy> {
  const st = await stat(root).catch(() => null);
  if (!st?.isDirectory()) throw new DeckhandError('usage', `${opts.source} is not a directory`, { hint: 'pass the path of the repository (or app) to deploy, or a git URL' });
  const appRoot = opts.appDir ? join(root, opts.appDir) : root;
  const { path: configPath, config } = opts.config ?? await loadConfig(appRoot, opts.configFile);
  if (config.services) {
    throw new DeckhandError('usage', `${configPath ?? 'deckhand.yml'} lists services (${Object.keys(config.services).join(', ')}): each is deployed as its own app`, {
      hint: 'deploy them all in dependency order with `deckhand deploy TARGET`, or one with `--only SERVICE`',
    });
  }
  const brief = opts.brief ?? (opts.briefFile ? await readBrief(opts.briefFile) : (await discover(local, root, opts.appDir ? { app: opts.appDir } : {})).data);
  const tree = await workTree(local, appRoot);
  const flags: DeployFlags = { ...opts };
  const spec = resolveSpec({ sourceDir: appRoot, brief, config, flags, commit: tree.commit, dirty: tree.dirty });
  if (spec.strategy === 'kubernetes') return prepareKubernetes(ctx, local, { spec, config, configPath, brief, cleanup, appRoot });
  spec.commands.start = unwrapNpmStart(spec.commands.start, await readFile(join(appRoot, 'package.json'), 'utf8').catch(() => null));
  if (opts.pm2Bin && ctx.executor.host.kind === 'local') spec.pm2Bin = opts.pm2Bin;
  if (spec.strategy === 'compose' && spec.zeroDowntime) {
    spec.composeFront = resolveComposeFront(appRoot, config, spec.port);
    // nginx in front: the port clients reach (the post-start check, the ledger, the handoff) is nginx's.
    spec.port = spec.composeFront.proxyPort;
  }
  // Read once the start command is final (`npm start` unwrapped to the file it runs).
  if (spec.strategy === 'pm2' || spec.blueGreen?.runner === 'pm2') spec.pm2Ready = pm2Readiness(appRoot, spec.commands.start, config.pm2?.wait_ready);
  const env = await composeEnv({
    ...(opts.envFile ?? config.secrets?.env_file ? { envFile: opts.envFile ?? resolve(appRoot, config.secrets?.env_file ?? '') } : {}),
    fromEnvironment: [...(opts.env ?? []), ...(config.secrets?.env ?? [])],
    plain: config.env ?? {},
  });
  if (env) {
    ctx.redactor.add(...env.secretValues);
    spec.envNames = env.names;
  }
  const remoteEnvFile = opts.remoteEnvFile ?? config.secrets?.remote_env_file ?? null;
  if (env && remoteEnvFile) throw new DeckhandError('usage', 'both a local env source and --remote-env-file were given', { hint: 'use one: the env file is written whole from one source' });
  const state = await probeState(ctx, spec.app, spec.baseDirOverride);
  const plan = planDeploy({
    spec, state, target: opts.target, now: ctx.now?.() ?? new Date(),
    envProvided: env ? 'content' : remoteEnvFile ? 'remote-file' : 'none', stagingRoot: tmpdir(),
    ...(remoteEnvFile ? { remoteEnvFile } : {}),
  });
  if (!env && !remoteEnvFile) {
    const required = brief?.env.filter((e) => e.required).map((e) => e.name) ?? [];
    if (required.length > 0) plan.warnings.push(`no env source given: ${plan.layout.envFile} is kept as it is; the app reads ${required.join(', ')} with no default`);
  }
  return { plan, spec, config, configPath, brief, cleanup, inputs: { envContent: env?.content ?? null, remoteEnvFile, baseOverride: spec.baseDirOverride } };
}

/**
 * kubernetes: kubectl and helm run here, so the plan is made from the ledger on this machine, not a target probe.
 * The cluster is kubernetes.context; a target other than `local` is refused rather than silently ignored.
 */
async function prepareKubernetes(ctx: RunContext, local: RunContext, p: { spec: DeploySpec; config: DeckhandConfig; configPath: string | null; brief: BriefData | null; cleanup: () => Promise<void>; appRoot: string }): Promise<PreparedDeploy> {
  if (ctx.executor.host.kind !== 'local') {
    throw new DeckhandError('usage', `kubernetes deploys run kubectl on this machine; the target ${ctx.executor.host.display} is not used`, {
      hint: 'run `deckhand deploy` without a target and choose the cluster with kubernetes.context in deckhand.yml',
    });
  }
  p.spec.kubernetes = await resolveKubeSpec(local, { appRoot: p.appRoot, app: p.spec.app, config: p.config, brief: p.brief });
  const ledgerText = await readLedgerText(ctx, kubePaths(p.spec.kubernetes.stateDir).ledger);
  const plan = planKubernetes({ spec: p.spec, ledgerText, now: ctx.now?.() ?? new Date(), stagingRoot: tmpdir() });
  return { plan, spec: p.spec, config: p.config, configPath: p.configPath, brief: p.brief, cleanup: p.cleanup, inputs: { envContent: null, remoteEnvFile: null, baseOverride: null } };
}

/** Applies a plan: the kubernetes strategy's runs kubectl/helm here, every other strategy's runs on its target. */
export async function applyPlan(ctx: RunContext, plan: Plan, inputs: ApplyInputs): Promise<ExecutionReport> {
  if (plan.strategy === 'kubernetes') return applyKubernetesPlan(ctx, plan, inputs.stopRequested ? { stopRequested: inputs.stopRequested } : {});
  return applyHostPlan(ctx, plan, inputs);
}

export async function applyDeploy(ctx: RunContext, prepared: PreparedDeploy, stopRequested?: () => boolean): Promise<ExecutionReport> {
  return applyPlan(ctx, prepared.plan, { ...prepared.inputs, ...(stopRequested ? { stopRequested } : {}) });
}

export { rollbackKubernetes, type KubeRollbackOptions } from './kubernetes/rollback.js';
export { resolveKubeSpec } from './kubernetes/resolve.js';
export { planReport } from './plan-report.js';
export { appName } from './spec.js';
export { rollback, type RollbackOptions } from './rollback.js';
export type { Plan, DeploySpec } from './types.js';
