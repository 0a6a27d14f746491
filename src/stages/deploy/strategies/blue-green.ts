// blue-green strategy: two systemd slots behind nginx; a release starts on the idle slot and gets traffic only once it is healthy.
import { DeckhandError } from '../../../core/errors.js';
import {
  activeSlotAliveCheck, ensureUpstreamCommand, removeSlotsCommand, renderProxySite, renderSlotConfig, renderTemplateUnit, slotConfigPath,
  slotDrainCommand, slotStartCommand, slotSwitchCommand, slotWaitCommand, templateUnitPath,
} from '../../../commands/blue-green.js';
import { waitHealthyCommand } from '../../../commands/health.js';
import { installSiteCommand, siteAvailablePath } from '../../../commands/nginx.js';
import { installFileCommand } from '../../../commands/release.js';
import { daemonReloadCommand, verifyUnitCommand } from '../../../commands/systemd.js';
import type { PlanContext, StrategyPlanner } from './types.js';

/** Consecutive healthy answers the idle slot must give before nginx is pointed at it. */
export const SLOT_SUCCESSES = 3;
/** How long the app may take to answer through nginx after the switch before it is switched back. */
const PROXY_CHECK_SEC = 15;

function slots(ctx: PlanContext): NonNullable<PlanContext['spec']['blueGreen']> {
  const bg = ctx.spec.blueGreen;
  if (!bg) throw new DeckhandError('usage', `blue-green needs the two slot ports of ${ctx.spec.app}`, { hint: 'pass --port (slots: port and port+1) or set blue_green.ports in deckhand.yml' });
  return bg;
}

function record(ctx: PlanContext, name: string): string {
  return `${ctx.layout.record(ctx.releaseId)}/${name}`;
}

/** Only the script text of the post-start wait: the slot commands run it on a port they decide on the target. */
function waitScript(): string {
  return waitHealthyCommand({ aliveCheck: '', port: null, path: null, timeoutSec: 0, successes: 1 }).argv[2] ?? '';
}

export const blueGreenStrategy: StrategyPlanner = {
  name: 'blue-green',
  unsupported(ctx) {
    if (!ctx.state.systemd) return 'systemd is not running on the target (PID 1 is something else)';
    if (ctx.state.uid !== 0 && !ctx.state.sudo) return `${ctx.state.user} is not root and has no passwordless sudo (needed for the slot units, a service user and nginx)`;
    // A non-root user's PATH often lacks /usr/sbin, so only root's view of nginx is conclusive; the install step checks again.
    if (ctx.state.uid === 0 && !ctx.state.tools.nginx) return 'nginx is not installed on the target (apt-get install nginx): it switches traffic between the slots';
    // The systemd strategy's unit may hold a slot's port: the idle slot's health check would then be answered by the old process.
    if (ctx.state.unitHash !== null) {
      return `${ctx.spec.app}.service (the systemd strategy's unit) is installed; stop and remove it first (systemctl disable --now ${ctx.spec.app}; rm /etc/systemd/system/${ctx.spec.app}.service), blue-green runs ${ctx.spec.app}@<port>.service`;
    }
    return null;
  },
  managedFiles(ctx) {
    return [
      { path: templateUnitPath(ctx.spec.app), name: 'unit@.service', mode: '0644', root: true },
      { path: siteAvailablePath(ctx.spec.app), name: 'nginx-site.conf', mode: '0644', root: true },
      { path: slotConfigPath(ctx.layout.base), name: 'blue-green.conf', mode: '0644', root: true },
    ];
  },
  prepare(ctx) {
    const { spec, layout } = ctx;
    const bg = slots(ctx);
    const unit = renderTemplateUnit({ app: spec.app, user: spec.serviceUser, base: layout.base, start: spec.commands.start ?? 'false' });
    // systemd-analyze verifies an instance: a copy named <app>@<port>.service.
    const instance = record(ctx, `${spec.app}@${bg.ports[0]}.service`);
    return [{
      id: 'slots.render', title: `Generate ${spec.app}@.service (slots ${bg.ports[0]} and ${bg.ports[1]}) and the nginx site on port ${bg.proxyPort}`, phase: 'prepare', destructive: false,
      actions: [
        { type: 'write', path: record(ctx, `${spec.app}@.service`), mode: '0644', content: unit, sudo: false },
        { type: 'write', path: record(ctx, 'nginx-site.conf'), mode: '0644', content: renderProxySite({ app: spec.app, proxyPort: bg.proxyPort, serverName: null }), sudo: false },
        { type: 'write', path: record(ctx, 'blue-green.conf'), mode: '0644', content: renderSlotConfig(bg), sudo: false },
        ...(ctx.state.tools['systemd-analyze'] ? [
          { type: 'write' as const, path: instance, mode: '0644', content: unit, sudo: false },
          { type: 'run' as const, command: verifyUnitCommand(instance) },
        ] : []),
      ],
    }];
  },
  activate(ctx) {
    const { spec, layout } = ctx;
    const bg = slots(ctx);
    return [{
      id: 'slots.install', title: `Install ${templateUnitPath(spec.app)}, ${slotConfigPath(layout.base)} and ${siteAvailablePath(spec.app)} (nginx -t, no reload yet)`,
      phase: 'switch', destructive: true,
      impact: `replaces the slot unit and the nginx site of ${spec.app}; the running slot and nginx are untouched until the switch`,
      undo: 'the files in force before are kept in the previous release\'s record and restored by revert and rollback; a failing nginx -t puts the previous site back at once',
      verify: 'systemd-analyze verify passed on the unit; nginx -t passes with the new site',
      actions: [
        { type: 'run', command: ctx.root(installFileCommand(record(ctx, `${spec.app}@.service`), templateUnitPath(spec.app), '0644')) },
        { type: 'run', command: ctx.root(daemonReloadCommand()) },
        { type: 'run', command: ctx.root(installFileCommand(record(ctx, 'blue-green.conf'), slotConfigPath(layout.base), '0644')) },
        { type: 'run', command: ctx.root(ensureUpstreamCommand(spec.app, bg.ports[0])) },
        { type: 'run', command: ctx.root(installSiteCommand(record(ctx, 'nginx-site.conf'), spec.app)) },
      ],
    }];
  },
  startCommands(ctx) {
    // Each command decides the slots from the target (current, the upstream, the slot links), never from the
    // plan's release: revert and rollback run these same commands after pointing `current` elsewhere.
    const { spec, layout } = ctx;
    const timeoutSec = Math.ceil(spec.startTimeoutMs / 1000);
    const wait = waitScript();
    return [
      ctx.root(daemonReloadCommand()),
      ctx.root(slotStartCommand(spec.app, layout.base)),
      ctx.root(slotWaitCommand(spec.app, layout.base, wait, { path: spec.healthPath, timeoutSec, successes: SLOT_SUCCESSES })),
      ctx.root(slotSwitchCommand(spec.app, layout.base, wait, { path: spec.healthPath, checkSec: PROXY_CHECK_SEC })),
      ctx.root(slotDrainCommand(spec.app, layout.base)),
    ];
  },
  stopCommands(ctx) {
    return [ctx.root(removeSlotsCommand(ctx.spec.app, ctx.layout.base))];
  },
  aliveCheck(ctx) {
    return activeSlotAliveCheck(ctx.spec.app);
  },
  logsCommand(ctx) {
    return `journalctl -u '${ctx.spec.app}@*' -f`;
  },
};
