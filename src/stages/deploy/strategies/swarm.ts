// swarm strategy: build the image on the target (tagged per release), then a swarm service (or stack) updated start-first with the engine's automatic rollback.
import { installFileCommand } from '../../../commands/release.js';
import {
  renderSwarmConfig, swarmAliveCheck, swarmConfigPath, swarmServiceName, swarmServiceWord, swarmStartCommand, swarmStopCommand, swarmStopFromConfCommand, type SwarmSettings,
} from '../../../commands/swarm.js';
import { dockerUnusable, dockerWord, imageBuildSteps, viaDocker } from './docker.js';
import type { PlanContext, StrategyPlanner } from './types.js';

/** The spec's swarm settings; rollback plans (no deckhand.yml) get defaults, but start from the release's recorded swarm.conf. */
export function swarmSettings(ctx: PlanContext): SwarmSettings {
  return ctx.spec.swarm ?? {
    mode: 'service', replicas: 1, network: 'ingress', port: ctx.spec.port, updateParallelism: 1, updateDelay: '0s', updateMonitor: '10s',
    stopGrace: '10s', health: null, deadlineSec: 300, registryAuth: false, stack: null,
  };
}

function record(ctx: PlanContext): string {
  return `${ctx.layout.record(ctx.releaseId)}/swarm.conf`;
}

export const swarmStrategy: StrategyPlanner = {
  name: 'swarm',
  unsupported(ctx) {
    const docker = dockerUnusable(ctx);
    if (docker) return docker;
    if (ctx.state.tools['swarm-manager'] === false) return 'this Docker engine is not a swarm manager (run `docker swarm init --advertise-addr <address>` on it, or join it to a swarm as a manager)';
    return null;
  },
  managedFiles(ctx) {
    return [{ path: swarmConfigPath(ctx.layout.base), name: 'swarm.conf', mode: '0644', root: false }];
  },
  prepare(ctx) {
    const s = swarmSettings(ctx);
    return [
      ...imageBuildSteps(ctx),
      {
        id: 'swarm.render', title: `Generate the swarm settings of ${swarmServiceName(ctx.spec.app, s)} (${s.mode}, ${s.replicas} replica(s), ${s.network} network, update start-first, failure → engine rollback)`,
        phase: 'prepare', destructive: false,
        actions: [{ type: 'write', path: record(ctx), mode: '0644', content: renderSwarmConfig(ctx.spec.app, s), sudo: false }],
      },
    ];
  },
  activate(ctx) {
    return [{
      id: 'swarm.install', title: `Install ${swarmConfigPath(ctx.layout.base)}`, phase: 'switch', destructive: true,
      impact: 'the next start uses these swarm settings; the running service is untouched until then',
      undo: "the previous settings are in the previous release's record; revert and rollback restore them", verify: 'the file is in place (install + rename)',
      actions: [{ type: 'run', command: installFileCommand(record(ctx), swarmConfigPath(ctx.layout.base), '0644') }],
    }];
  },
  startCommands(ctx) {
    return [viaDocker(ctx)(swarmStartCommand(ctx.layout.base, ctx.spec.app))];
  },
  stopCommands(ctx) {
    // Without deckhand.yml (rollback, revert) the defaults would name the wrong service of a stack: the target's settings file names it.
    const d = viaDocker(ctx);
    return [ctx.spec.swarm ? d(swarmStopCommand(ctx.spec.app, ctx.spec.swarm)) : d(swarmStopFromConfCommand(ctx.spec.app, ctx.layout.base))];
  },
  aliveCheck(ctx) {
    return swarmAliveCheck(dockerWord(ctx), ctx.layout.base);
  },
  logsCommand(ctx) {
    const svc = ctx.spec.swarm ? swarmServiceName(ctx.spec.app, ctx.spec.swarm) : swarmServiceWord(ctx.spec.app, ctx.layout.base);
    return `${dockerWord(ctx)} service logs -f ${svc}`;
  },
};
