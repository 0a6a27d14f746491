// pm2 strategy: a generated ecosystem file (cluster mode for node scripts), startOrReload, pm2 save; runs as the connecting user.
import { pm2DeleteCommand, pm2OnlineCheck, pm2StartOrReloadCommand, renderEcosystem } from '../../../commands/pm2.js';
import { installFileCommand } from '../../../commands/release.js';
import type { PlanContext, StrategyPlanner } from './types.js';

/** The pm2 binary: deckhand's own (a dependency) on this machine, the host's elsewhere. */
export function pm2Binary(ctx: PlanContext): string {
  return ctx.spec.pm2Bin ?? 'pm2';
}

function ecosystemPath(ctx: PlanContext): string {
  return `${ctx.layout.state}/ecosystem.config.cjs`;
}

export const pm2Strategy: StrategyPlanner = {
  name: 'pm2',
  unsupported(ctx) {
    if (!ctx.spec.pm2Bin && !ctx.state.tools.pm2) return 'pm2 is not installed on the target (npm install -g pm2)';
    if (!ctx.state.tools.node) return 'node is not installed on the target';
    return null;
  },
  managedFiles(ctx) {
    return [{ path: ecosystemPath(ctx), name: 'ecosystem.config.cjs', mode: '0644', root: false }];
  },
  prepare(ctx) {
    const { spec, layout } = ctx;
    const staged = `${layout.record(ctx.releaseId)}/ecosystem.config.cjs`;
    const ready = spec.pm2Ready ?? { waitReady: false, evidence: '' };
    const killTimeoutMs = spec.pm2KillTimeoutMs ?? 10_000;
    const content = renderEcosystem({
      name: spec.app, base: layout.base, start: spec.commands.start ?? 'false', port: spec.port, instances: spec.pm2Instances,
      waitReady: ready.waitReady, listenTimeoutMs: spec.startTimeoutMs, killTimeoutMs,
    });
    const waits = ready.waitReady ? `wait_ready (${ready.evidence})`
      : `no wait_ready${ready.evidence ? ` (${ready.evidence})` : ''}: a new instance counts as up once it listens`;
    return [{
      id: 'pm2.ecosystem', title: `Generate the pm2 ecosystem file: ${waits}; listen_timeout ${Math.round(spec.startTimeoutMs / 1000)}s, kill_timeout ${Math.round(killTimeoutMs / 1000)}s`,
      phase: 'prepare', destructive: false,
      actions: [{ type: 'write', path: staged, mode: '0644', content, sudo: false }],
    }];
  },
  activate(ctx) {
    const staged = `${ctx.layout.record(ctx.releaseId)}/ecosystem.config.cjs`;
    return [{
      id: 'pm2.install', title: `Install ${ecosystemPath(ctx)}`, phase: 'switch', destructive: true,
      impact: `replaces the pm2 ecosystem file of ${ctx.spec.app}; running processes are untouched until the reload`,
      undo: "the previous ecosystem file is kept in the previous release's record and restored by rollback",
      verify: 'pm2 reports every instance online after the reload',
      actions: [{ type: 'run', command: installFileCommand(staged, ecosystemPath(ctx), '0644') }],
    }];
  },
  startCommands(ctx) {
    return [pm2StartOrReloadCommand(pm2Binary(ctx), ecosystemPath(ctx), ctx.spec.app, `${ctx.layout.state}/ecosystem.started.cjs`)];
  },
  stopCommands(ctx) {
    return [pm2DeleteCommand(pm2Binary(ctx), ctx.spec.app)];
  },
  aliveCheck(ctx) {
    return pm2OnlineCheck(pm2Binary(ctx), ctx.spec.app);
  },
  logsCommand(ctx) {
    return `${pm2Binary(ctx)} logs ${ctx.spec.app}`;
  },
};
