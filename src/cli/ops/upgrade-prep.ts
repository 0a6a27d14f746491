// `deckhand ops upgrade-prep [target]`: what to know before upgrading the app's runtime or dependencies, and a zero-downtime plan.
import { Command as Cmd } from 'commander';
import { upgradePrep, usageError } from '../../index.js';
import { addOpsOptions, runOpsTask, TARGET_ARG, type OpsFlags } from './shared.js';
import type { Run } from './types.js';

interface UpgradePrepFlags extends OpsFlags { registry?: string; offline?: boolean; outdatedTimeout: string }

/** The registry URL is handed to npm, pip and go on the target: only http(s) URLs, refused before anything connects. */
function registryFlag(v: string | undefined): string | null {
  if (v === undefined) return null;
  let u: URL | null = null;
  try { u = new URL(v); } catch { u = null; }
  if (!u || (u.protocol !== 'http:' && u.protocol !== 'https:')) throw usageError(`--registry must be an http(s) URL (got "${v}")`, 'e.g. --registry https://registry.internal.example/ (npm) or https://pypi.internal.example/simple (pip)');
  return v;
}

function timeoutFlag(v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < 5 || n > 600) throw usageError(`--outdated-timeout must be a number of seconds from 5 to 600 (got "${v}")`);
  return n;
}

export function opsUpgradePrepCommand(run: Run): Cmd {
  const c = new Cmd('upgrade-prep')
    .description('before upgrading the runtime or dependencies: the runtime the app runs (against the repository\'s range and its support dates), installed and outdated dependencies of the current release, pending migrations, and a zero-downtime upgrade plan with the exact commands')
    .argument(...TARGET_ARG)
    .option('--registry <url>', 'registry or package index the outdated query asks (a mirror); default: the target\'s npm / pip / go configuration')
    .option('--offline', 'ask no registry: outdated dependencies are SKIPPED')
    .option('--outdated-timeout <seconds>', 'hard bound of the outdated query on the target', '90');
  addOpsOptions(c);
  c.action(async (target: string, o: UpgradePrepFlags) => {
    await run(async () => {
      const registry = registryFlag(o.registry);
      const outdatedTimeoutSec = timeoutFlag(o.outdatedTimeout);
      return runOpsTask(target, o, ({ ctx, app }) => upgradePrep(ctx, {
        app, target, baseDir: o.baseDir ?? null, repo: o.repo ?? '.', registry, offline: o.offline === true, outdatedTimeoutSec,
      }));
    }, o);
  });
  return c;
}
