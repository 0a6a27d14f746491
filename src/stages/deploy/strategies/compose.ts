// compose strategy: validate, pull and build in the release dir, then `up -d` from `current` as one project named after the app.
import { shJoin } from '../../../core/command.js';
import {
  composeAliveCheck, composeBuildCommand, composeCli, composeDownCommand, composeLinkEnvCommand, composePullCommand, composeUpCommand,
  composeValidateCommand, type ComposeFlavor,
} from '../../../commands/compose.js';
import { dockerUnusable, dockerWord, viaDocker } from './docker.js';
import type { PlanContext, StrategyPlanner } from './types.js';

/** The v2 plugin when the host has it, else v1 docker-compose, else null. */
export function composeFlavor(ctx: PlanContext): ComposeFlavor | null {
  if (ctx.state.tools['compose-v2']) return 'v2';
  if (ctx.state.tools['compose-v1']) return 'v1';
  return null;
}

function cli(ctx: PlanContext): string[] {
  return composeCli(composeFlavor(ctx) ?? 'v2', ctx.spec.app);
}

/**
 * Rollback and revert run `up -d --build` in the older release directory: its images come back from the
 * layer cache (the older builds are still on the host, only untagged). Images are not re-tagged per release.
 * Named volumes belong to the project (named after the app), not to a release, so they survive every
 * deploy and rollback; nothing here ever runs `down -v`.
 */
export const composeStrategy: StrategyPlanner = {
  name: 'compose',
  unsupported(ctx) {
    const why = dockerUnusable(ctx);
    if (why) return why;
    if (!composeFlavor(ctx)) return 'neither `docker compose` (v2 plugin) nor docker-compose (v1) is installed on the target';
    return null;
  },
  managedFiles() {
    return [];
  },
  prepare(ctx) {
    const { layout } = ctx;
    const d = viaDocker(ctx);
    const dir = layout.release(ctx.releaseId);
    const c = cli(ctx);
    return [
      {
        id: 'compose.config', title: `Check the compose file with ${c.slice(0, -2).join(' ')} config -q`, phase: 'prepare', destructive: false,
        actions: [
          { type: 'run', command: composeLinkEnvCommand(dir, layout.envFile) },
          { type: 'run', command: d(composeValidateCommand(dir, c)) },
        ],
      },
      {
        id: 'compose.pull', title: 'Pull the images (a failed pull is a warning: locally built or kept images still serve)', phase: 'prepare', destructive: false, retry: 1,
        actions: [{ type: 'run', command: d(composePullCommand(dir, c)) }],
      },
      {
        // A build error fails here, before the switch: the running project is untouched.
        id: 'compose.build', title: 'Build the services that have a build section', phase: 'prepare', destructive: false,
        actions: [{ type: 'run', command: d(composeBuildCommand(dir, c)) }],
      },
    ];
  },
  activate() {
    return [];
  },
  startCommands(ctx) {
    return [viaDocker(ctx)(composeUpCommand(ctx.layout.current, cli(ctx), composeFlavor(ctx) === 'v2' && ctx.state.tools['compose-wait'] === true))];
  },
  stopCommands(ctx) {
    return [viaDocker(ctx)(composeDownCommand(ctx.layout.current, cli(ctx)))];
  },
  aliveCheck(ctx) {
    return composeAliveCheck(dockerWord(ctx), ctx.spec.app);
  },
  logsCommand(ctx) {
    const prefix = dockerWord(ctx).startsWith('sudo') ? 'sudo -n ' : '';
    return `cd ${ctx.layout.current} && ${prefix}${shJoin(cli(ctx))} logs -f`;
  },
};
