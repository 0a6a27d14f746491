// docker strategy: build the image on the target in the release dir (tagged per release), run one container named after the app.
import type { Command } from '../../../core/command.js';
import {
  dockerAliveCheck, dockerBuildCommand, dockerPruneImagesCommand, dockerStartCommand, dockerStopCommand, imageTags,
} from '../../../commands/docker.js';
import { asRoot } from '../../../commands/sudo.js';
import type { Step } from '../types.js';
import type { PlanContext, StrategyPlanner } from './types.js';

/** Where the container's port is published: loopback, so a reverse proxy on the host fronts it. */
export const DOCKER_BIND = '127.0.0.1';

/**
 * Why this host cannot run docker commands for the connecting user, or null. The probe tried the daemon
 * directly (root, docker group) and, failing that, through `sudo -n`.
 */
export function dockerUnusable(ctx: PlanContext): string | null {
  const t = ctx.state.tools;
  if (!t.docker) return 'docker is not installed on the target (apt-get install docker.io)';
  if (t['docker-direct'] || t['docker-sudo']) return null;
  if (ctx.state.uid === 0) return 'the docker daemon does not answer (is dockerd running?)';
  return `${ctx.state.user} cannot use the docker daemon: not root, not in the docker group, and no passwordless sudo that can run docker`;
}

/** Wraps a docker command in `sudo -n` when the user reaches the daemon only through sudo. */
export function viaDocker(ctx: PlanContext): (c: Command) => Command {
  const sudo = !ctx.state.tools['docker-direct'] && ctx.state.tools['docker-sudo'] === true;
  return (c) => asRoot(c, sudo);
}

/** The docker CLI as a shell word prefix, for shell tests run on the target. */
export function dockerWord(ctx: PlanContext): string {
  return !ctx.state.tools['docker-direct'] && ctx.state.tools['docker-sudo'] ? 'sudo -n docker' : 'docker';
}

/** Build the release's image on the target, then drop tags of releases no longer on disk (docker and swarm). */
export function imageBuildSteps(ctx: PlanContext): Step[] {
  const { spec, layout } = ctx;
  const d = viaDocker(ctx);
  const tags = imageTags(spec.app, ctx.releaseId, spec.commit);
  return [
    {
      // A build error fails here, before the switch: what runs now keeps serving.
      id: 'docker.build', title: `Build the image ${tags.join(', ')} on the target`, phase: 'prepare', destructive: false,
      actions: [{ type: 'run', command: d(dockerBuildCommand(layout.release(ctx.releaseId), tags)) }],
    },
    {
      id: 'docker.prune-images', title: `Remove ${spec.app} image tags of releases no longer on disk (current and previous stay: the rollback point)`,
      phase: 'prepare', destructive: false,
      actions: [{ type: 'run', command: d(dockerPruneImagesCommand(layout.base, spec.app)) }],
    },
  ];
}

export const dockerStrategy: StrategyPlanner = {
  name: 'docker',
  unsupported: dockerUnusable,
  // The container's settings (port, env) are derived at start from the spec and the shared env file, which
  // deckhand already records per release; there is no generated file of its own.
  managedFiles() {
    return [];
  },
  prepare(ctx) {
    return imageBuildSteps(ctx);
  },
  activate() {
    return [];
  },
  startCommands(ctx) {
    return [viaDocker(ctx)(dockerStartCommand(ctx.layout.base, ctx.spec.app, ctx.spec.port, DOCKER_BIND))];
  },
  stopCommands(ctx) {
    return [viaDocker(ctx)(dockerStopCommand(ctx.spec.app))];
  },
  aliveCheck(ctx) {
    return dockerAliveCheck(dockerWord(ctx), ctx.spec.app);
  },
  logsCommand(ctx) {
    return `${dockerWord(ctx)} logs -f ${ctx.spec.app}`;
  },
};
