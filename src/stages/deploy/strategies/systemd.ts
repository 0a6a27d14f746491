// systemd strategy: a dedicated service user, a generated and verified unit, daemon-reload, enable, restart.
import { daemonReloadCommand, enableRestartCommand, renderUnit, stopDisableCommand, unitPath, verifyUnitCommand } from '../../../commands/systemd.js';
import { installFileCommand } from '../../../commands/release.js';
import type { StrategyPlanner } from './types.js';

export const systemdStrategy: StrategyPlanner = {
  name: 'systemd',
  unsupported(ctx) {
    if (!ctx.state.systemd) return 'systemd is not running on the target (PID 1 is something else)';
    if (ctx.state.uid !== 0 && !ctx.state.sudo) return `${ctx.state.user} is not root and has no passwordless sudo (needed to install a unit and a service user)`;
    return null;
  },
  managedFiles(ctx) {
    return [{ path: unitPath(ctx.spec.app), name: 'unit.service', mode: '0644', root: true }];
  },
  prepare(ctx) {
    const { spec, layout } = ctx;
    const staged = `${layout.record(ctx.releaseId)}/${spec.app}.service`;
    const unit = renderUnit({ app: spec.app, user: spec.serviceUser, base: layout.base, start: spec.commands.start ?? 'false', port: spec.port });
    return [{
      id: 'unit.render', title: `Generate ${spec.app}.service and check it with systemd-analyze verify`, phase: 'prepare', destructive: false,
      actions: [
        { type: 'write', path: staged, mode: '0644', content: unit, sudo: false },
        ...(ctx.state.tools['systemd-analyze'] ? [{ type: 'run' as const, command: verifyUnitCommand(staged) }] : []),
      ],
    }];
  },
  activate(ctx) {
    const { spec, layout } = ctx;
    const staged = `${layout.record(ctx.releaseId)}/${spec.app}.service`;
    return [{
      id: 'unit.install', title: `Install ${unitPath(spec.app)} and reload systemd`, phase: 'switch', destructive: true,
      impact: `replaces the unit of ${spec.app}; the running process is untouched until the restart`,
      undo: `the unit in force before is kept in the previous release's record and restored by rollback`,
      verify: 'systemd-analyze verify passed on the new unit before it was installed',
      actions: [
        { type: 'run', command: ctx.root(installFileCommand(staged, unitPath(spec.app), '0644')) },
        { type: 'run', command: ctx.root(daemonReloadCommand()) },
      ],
    }];
  },
  startCommands(ctx) {
    return [ctx.root(daemonReloadCommand()), ctx.root(enableRestartCommand(ctx.spec.app))];
  },
  stopCommands(ctx) {
    return [ctx.root(stopDisableCommand(ctx.spec.app))];
  },
  aliveCheck(ctx) {
    return `systemctl is-active --quiet ${ctx.spec.app}.service`;
  },
  logsCommand(ctx) {
    return `journalctl -u ${ctx.spec.app} -f`;
  },
};
