// blue-green strategy: two slots (systemd units, pm2 apps or containers) behind nginx; a release starts on the idle slot and gets traffic only once it is healthy.
import { DeckhandError } from '../../../core/errors.js';
import {
  ensureUpstreamCommand, removeSlotsCommand, renderProxySite, renderSlotConfig, renderTemplateUnit, slotConfigPath, slotDrainCommand,
  slotStartCommand, slotSwitchCommand, slotWaitCommand, templateUnitPath, upstreamPath, type SlotTools,
} from '../../../commands/blue-green.js';
import { renderSlotEcosystem, slotEcosystemPath } from '../../../commands/blue-green-pm2.js';
import { activeSlotLiveCheck, slotLogsCommand, type SlotRunner } from '../../../commands/blue-green-runners.js';
import { dockerBuildCommand, dockerPruneImagesCommand, imageTags } from '../../../commands/docker.js';
import { waitHealthyCommand } from '../../../commands/health.js';
import { installSiteCommand, siteAvailablePath } from '../../../commands/nginx.js';
import { installFileCommand } from '../../../commands/release.js';
import { daemonReloadCommand, verifyUnitCommand } from '../../../commands/systemd.js';
import type { Action, Step } from '../types.js';
import { dockerUnusable, dockerWord, viaDocker } from './docker.js';
import { pm2Binary } from './pm2.js';
import type { ManagedFile, PlanContext, StrategyPlanner } from './types.js';

/** Consecutive healthy answers the idle slot must give before nginx is pointed at it. */
export const SLOT_SUCCESSES = 3;
/** How long the app may take to answer through nginx after the switch before it is switched back. */
const PROXY_CHECK_SEC = 15;

function slots(ctx: PlanContext): NonNullable<PlanContext['spec']['blueGreen']> {
  const bg = ctx.spec.blueGreen;
  if (!bg) throw new DeckhandError('usage', `blue-green needs the two slot ports of ${ctx.spec.app}`, { hint: 'pass --port (slots: port and port+1) or set blue_green.ports in deckhand.yml' });
  return bg;
}

/** What runs the slots: the spec's (a deploy, or a rollback that read the release's slot settings); systemd for records older than runners. */
export function slotRunner(ctx: PlanContext): SlotRunner {
  return ctx.spec.blueGreen?.runner ?? 'systemd';
}

function tools(ctx: PlanContext): SlotTools {
  return { app: ctx.spec.app, base: ctx.layout.base, docker: dockerWord(ctx), pm2: pm2Binary(ctx) };
}

/** The port the app listens on inside a slot container: its own port when known, else the first slot's (PORT tells the app). */
function containerPort(ctx: PlanContext): number | undefined {
  return slotRunner(ctx) === 'docker' ? ctx.spec.port ?? slots(ctx).ports[0] : undefined;
}

function record(ctx: PlanContext, name: string): string {
  return `${ctx.layout.record(ctx.releaseId)}/${name}`;
}

/** Only the script text of the post-start wait: the slot commands run it on a port they decide on the target. */
function waitScript(): string {
  return waitHealthyCommand({ aliveCheck: '', port: null, path: null, timeoutSec: 0, successes: 1 }).argv[2] ?? '';
}

/** Why the host cannot run this runner's slots, or null. nginx work needs root whatever the runner. */
function runnerUnsupported(ctx: PlanContext): string | null {
  const runner = slotRunner(ctx);
  if (runner === 'systemd' && !ctx.state.systemd) return 'systemd is not running on the target (PID 1 is something else); the pm2 or docker runner needs no systemd (blue_green.runner)';
  if (runner === 'pm2' && !ctx.spec.pm2Bin && !ctx.state.tools.pm2) return 'pm2 is not installed on the target (npm install -g pm2): it runs the slots';
  if (runner === 'pm2' && !ctx.state.tools.node) return 'node is not installed on the target: pm2 runs the slots with it';
  if (runner === 'docker') {
    const why = dockerUnusable(ctx);
    if (why) return `${why}: docker runs the slots`;
  }
  const needs = runner === 'systemd' ? 'the slot units, a service user and nginx' : 'nginx';
  if (ctx.state.uid !== 0 && !ctx.state.sudo) return `${ctx.state.user} is not root and has no passwordless sudo (needed for ${needs})`;
  return null;
}

/** The files each runner generates, besides the nginx site and the slot settings. */
function runnerFiles(ctx: PlanContext): ManagedFile[] {
  const runner = slotRunner(ctx);
  if (runner === 'systemd') return [{ path: templateUnitPath(ctx.spec.app), name: 'unit@.service', mode: '0644', root: true }];
  if (runner === 'pm2') {
    // A rollback whose record holds no slot ports (an unreadable record) manages no ecosystem file rather than guessing.
    const ports = ctx.spec.blueGreen?.ports ?? [];
    return ports.map((p) => ({ path: slotEcosystemPath(ctx.layout.base, p), name: `ecosystem.slot-${p}.config.cjs`, mode: '0644', root: false }));
  }
  return [];
}

/** prepare: what each runner renders (`writes`, then `checks` on them) or builds (`steps`) before anything is switched. */
function runnerPrepare(ctx: PlanContext): { writes: Action[]; checks: Action[]; steps: Step[] } {
  const { spec, layout } = ctx;
  const bg = slots(ctx);
  const runner = slotRunner(ctx);
  if (runner === 'systemd') {
    const unit = renderTemplateUnit({ app: spec.app, user: spec.serviceUser, base: layout.base, start: spec.commands.start ?? 'false' });
    // systemd-analyze verifies an instance: a copy named <app>@<port>.service.
    const instance = record(ctx, `${spec.app}@${bg.ports[0]}.service`);
    return {
      writes: [{ type: 'write', path: record(ctx, `${spec.app}@.service`), mode: '0644', content: unit, sudo: false }],
      checks: ctx.state.tools['systemd-analyze'] ? [
        { type: 'write', path: instance, mode: '0644', content: unit, sudo: false },
        { type: 'run', command: verifyUnitCommand(instance) },
      ] : [],
      steps: [],
    };
  }
  if (runner === 'pm2') {
    return {
      checks: [],
      writes: bg.ports.map((port): Action => ({
        type: 'write', path: record(ctx, `ecosystem.slot-${port}.config.cjs`), mode: '0644', sudo: false,
        content: renderSlotEcosystem({ app: spec.app, base: layout.base, start: spec.commands.start ?? 'false', port }),
      })),
      steps: [],
    };
  }
  // docker: the docker strategy's image build (tagged per release) and prune. Tags of releases still on disk stay,
  // which covers both slots (each runs the current or an earlier kept release) and the rollback point.
  const d = viaDocker(ctx);
  const tags = imageTags(spec.app, ctx.releaseId, spec.commit);
  return {
    writes: [],
    checks: [],
    steps: [
      {
        id: 'docker.build', title: `Build the image ${tags.join(', ')} on the target`, phase: 'prepare', destructive: false,
        actions: [{ type: 'run', command: d(dockerBuildCommand(layout.release(ctx.releaseId), tags)) }],
      },
      {
        id: 'docker.prune-images', title: `Remove ${spec.app} image tags of releases no longer on disk (the slots' and the rollback point's stay)`,
        phase: 'prepare', destructive: false,
        actions: [{ type: 'run', command: d(dockerPruneImagesCommand(layout.base, spec.app)) }],
      },
    ],
  };
}

/** The switch phase's installs of each runner's files. */
function runnerInstall(ctx: PlanContext): Action[] {
  const { spec, layout } = ctx;
  const runner = slotRunner(ctx);
  if (runner === 'systemd') {
    return [
      { type: 'run', command: ctx.root(installFileCommand(record(ctx, `${spec.app}@.service`), templateUnitPath(spec.app), '0644')) },
      { type: 'run', command: ctx.root(daemonReloadCommand()) },
    ];
  }
  if (runner === 'pm2') {
    // pm2 reads them as the connecting user, who owns the base directory.
    return slots(ctx).ports.map((p): Action => ({ type: 'run', command: installFileCommand(record(ctx, `ecosystem.slot-${p}.config.cjs`), slotEcosystemPath(layout.base, p), '0644') }));
  }
  return [];
}

export const blueGreenStrategy: StrategyPlanner = {
  name: 'blue-green',
  unsupported(ctx) {
    const why = runnerUnsupported(ctx);
    if (why) return why;
    // A non-root user's PATH often lacks /usr/sbin, so only root's view of nginx is conclusive; the install step checks again.
    if (ctx.state.uid === 0 && !ctx.state.tools.nginx) return 'nginx is not installed on the target (apt-get install nginx): it switches traffic between the slots';
    // The systemd strategy's unit may hold a slot's port: the idle slot's health check would then be answered by the old process.
    if (ctx.state.unitHash !== null) {
      return `${ctx.spec.app}.service (the systemd strategy's unit) is installed; stop and remove it first (systemctl disable --now ${ctx.spec.app}; rm /etc/systemd/system/${ctx.spec.app}.service), blue-green runs its slots apart from it`;
    }
    return null;
  },
  managedFiles(ctx) {
    return [
      ...runnerFiles(ctx),
      { path: siteAvailablePath(ctx.spec.app), name: 'nginx-site.conf', mode: '0644', root: true },
      { path: slotConfigPath(ctx.layout.base), name: 'blue-green.conf', mode: '0644', root: true },
    ];
  },
  prepare(ctx) {
    const { spec } = ctx;
    const bg = slots(ctx);
    const own = runnerPrepare(ctx);
    const cport = containerPort(ctx);
    return [
      ...own.steps,
      {
        id: 'slots.render', title: `Generate the ${bg.runner} slots ${bg.ports[0]} and ${bg.ports[1]} of ${spec.app} and the nginx site on port ${bg.proxyPort}`, phase: 'prepare', destructive: false,
        actions: [
          ...own.writes,
          { type: 'write', path: record(ctx, 'nginx-site.conf'), mode: '0644', content: renderProxySite({ app: spec.app, proxyPort: bg.proxyPort, serverName: null }), sudo: false },
          { type: 'write', path: record(ctx, 'blue-green.conf'), mode: '0644', content: renderSlotConfig({ ...bg, ...(cport !== undefined ? { containerPort: cport } : {}) }), sudo: false },
          ...own.checks,
        ],
      },
    ];
  },
  activate(ctx) {
    const { spec, layout } = ctx;
    const bg = slots(ctx);
    return [{
      id: 'slots.install', title: `Install the ${bg.runner} slot files, ${slotConfigPath(layout.base)} and ${siteAvailablePath(spec.app)} (nginx -t, no reload yet)`,
      phase: 'switch', destructive: true,
      impact: `replaces the slot definitions and the nginx site of ${spec.app}; the running slot and nginx are untouched until the switch`,
      undo: 'the files in force before are kept in the previous release\'s record and restored by revert and rollback; a failing nginx -t puts the previous site back at once',
      verify: `${bg.runner === 'systemd' ? 'systemd-analyze verify passed on the unit; ' : ''}nginx -t passes with the new site`,
      actions: [
        ...runnerInstall(ctx),
        { type: 'run', command: ctx.root(installFileCommand(record(ctx, 'blue-green.conf'), slotConfigPath(layout.base), '0644')) },
        { type: 'run', command: ctx.root(ensureUpstreamCommand(spec.app, bg.ports[0])) },
        { type: 'run', command: ctx.root(installSiteCommand(record(ctx, 'nginx-site.conf'), spec.app)) },
      ],
    }];
  },
  startCommands(ctx) {
    // Each command decides the slots from the target (current, the upstream, the slot links, the slot settings),
    // never from the plan's release: revert and rollback run these same commands after pointing `current` elsewhere.
    // They run as the connecting user (pm2's process list is that user's) and use sudo for root work themselves.
    const t = tools(ctx);
    const timeoutSec = Math.ceil(ctx.spec.startTimeoutMs / 1000);
    const wait = waitScript();
    return [
      ...(slotRunner(ctx) === 'systemd' ? [ctx.root(daemonReloadCommand())] : []),
      slotStartCommand(t),
      slotWaitCommand(t, wait, { path: ctx.spec.healthPath, timeoutSec, successes: SLOT_SUCCESSES }),
      slotSwitchCommand(t, wait, { path: ctx.spec.healthPath, checkSec: PROXY_CHECK_SEC }),
      slotDrainCommand(t),
    ];
  },
  stopCommands(ctx) {
    return [removeSlotsCommand(tools(ctx), slotRunner(ctx))];
  },
  aliveCheck(ctx) {
    return activeSlotLiveCheck({ app: ctx.spec.app, base: ctx.layout.base, runner: slotRunner(ctx), upstream: upstreamPath(ctx.spec.app), docker: dockerWord(ctx) });
  },
  logsCommand(ctx) {
    return slotLogsCommand({ app: ctx.spec.app, runner: slotRunner(ctx), upstream: upstreamPath(ctx.spec.app), docker: dockerWord(ctx), pm2: pm2Binary(ctx) });
  },
};
