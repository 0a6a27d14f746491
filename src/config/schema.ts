// deckhand.yml: the optional per-repo deploy configuration, validated with zod (also the source of its JSON Schema).
import { z } from 'zod';
import { serviceOrder } from './service-order.js';
import { SWARM_DEADLINE_MAX_SEC } from '../commands/swarm.js';

export const STRATEGIES = ['systemd', 'pm2', 'docker', 'compose', 'static', 'script', 'blue-green', 'swarm', 'kubernetes'] as const;
export type StrategyName = (typeof STRATEGIES)[number];

const NAME_RE = /^[a-z][a-z0-9-]{0,38}$/;
const ENV_NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;
const duration = z.string().regex(/^\d+(ms|s|m)$/, 'a duration such as 500ms, 30s or 2m');
const durationMs = (s: string): number => {
  const m = /^(\d+)(ms|s|m)$/.exec(s);
  return m ? Number(m[1]) * (m[2] === 'ms' ? 1 : m[2] === 's' ? 1000 : 60_000) : NaN;
};
// Swarm durations reach Docker in whole seconds, and Docker reads 0s as "use my default": a shorter one would silently become that.
const swarmDuration = duration.refine((s) => durationMs(s) >= 1000, 'at least 1s (Docker takes whole seconds here; a shorter one would become 0s, its default)');
/** A pause that may be none: 0s, or at least 1s. */
const swarmPause = duration.refine((s) => durationMs(s) === 0 || durationMs(s) >= 1000, '0s or at least 1s (Docker takes whole seconds here)');
const swarmDeadline = swarmDuration.refine((s) => durationMs(s) <= SWARM_DEADLINE_MAX_SEC * 1000,
  `at most ${SWARM_DEADLINE_MAX_SEC / 60}m (the start command itself is bounded at 30m)`);

export const SecretsSchema = z.object({
  env_file: z.string().optional().describe('local env file whose lines are installed as <base>/shared/.env (mode 0600)'),
  remote_env_file: z.string().optional().describe('env file already on the target, copied to <base>/shared/.env'),
  env: z.array(z.string().regex(ENV_NAME_RE, 'an environment variable name')).optional()
    .describe("names whose values are taken from the operator's environment at deploy time"),
}).strict();

const K8S_NAME_RE = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
const k8sName = z.string().regex(K8S_NAME_RE, 'a Kubernetes object name (lower-case letters, digits, - and .)');

export const KubernetesSchema = z.object({
  context: z.string().regex(/^[^\s]+$/, 'a kubeconfig context name').optional()
    .describe('kubeconfig context every command names (--context); default: the current context, read when planning'),
  namespace: k8sName.optional().describe('namespace every command names (--namespace; default: default)'),
  manifests: z.string().optional().describe('directory of manifests (or a kustomization) applied with the release image tag, relative to the app'),
  helm: z.object({
    chart: z.string().describe('chart directory (relative to the app) or chart reference'),
    release: k8sName.optional().describe('Helm release name (default: the app name)'),
    values: z.array(z.string()).optional().describe('values files passed with -f, in order'),
  }).strict().optional().describe('deploy with helm upgrade --install instead of manifests'),
  image: z.string().regex(/^[a-z0-9][a-z0-9._/:-]*$/, 'an image repository such as ghcr.io/acme/web (no tag)').optional()
    .describe('image repository whose tag becomes the release id (default: the app name)'),
  registry: z.string().regex(/^[a-z0-9][a-z0-9._/:-]*$/, 'a registry prefix such as registry.example.com/team').optional()
    .describe('registry prefix: when set, the image is built here, pushed as <registry>/<image>:<release-id>, and that name is deployed'),
  image_pull: z.enum(['registry', 'never']).optional()
    .describe('registry (default): the cluster pulls the release image from a registry (kubernetes.registry or an image with its registry host); never: the cluster runs on this machine\'s Docker engine (Docker Desktop, minikube docker-env) and uses the image built here, not pushed'),
  deployments: z.array(k8sName).min(1).optional()
    .describe('deployments whose rollout is watched and undone (default: the Deployments in the manifests, else the Helm release name, else the app name)'),
  service: k8sName.optional().describe('Service verification goes through, with kubectl port-forward (default: the first deployment name)'),
  service_port: z.number().int().min(1).max(65535).optional().describe('port of that Service (default: the port deckhand.yml or discovery knows, else 80)'),
  rollout_timeout: duration.optional().describe('deadline of kubectl rollout status and helm --wait (default 5m)'),
  request_timeout: duration.optional().describe('--request-timeout of every kubectl/helm request to the API server (default 30s)'),
}).strict();

/** The deploy settings of one app: the top level of deckhand.yml, or one entry of `services:`. */
const AppShape = {
  app: z.string().regex(NAME_RE, 'lower-case letters, digits and dashes, starting with a letter (max 39)').optional()
    .describe('app name: service name, service user and /opt/<app>'),
  strategy: z.enum(STRATEGIES).optional(),
  base_dir: z.string().startsWith('/', 'an absolute path').optional().describe('deploy base on the target (default /opt/<app> or ~/.deckhand/apps/<app>)'),
  user: z.string().regex(/^[a-z_][a-z0-9_-]{0,31}$/, 'a system user name').optional().describe('service user (default: the app name)'),
  port: z.number().int().min(1).max(65535).optional(),
  health: z.string().startsWith('/', 'a path such as /health').optional(),
  build: z.enum(['target', 'local']).optional().describe('where install and build run (default target)'),
  commands: z.object({
    install: z.string().optional(), build: z.string().optional(), start: z.string().optional(), migrate: z.string().optional(),
  }).strict().optional(),
  env: z.record(z.string().regex(ENV_NAME_RE, 'an environment variable name'), z.string()).optional()
    .describe('plain (non-secret) environment written to the env file'),
  secrets: SecretsSchema.optional(),
  keep: z.number().int().min(2).max(50).optional().describe('releases kept on the target (default 5; never fewer than current and previous)'),
  exclude: z.array(z.string()).optional().describe('extra rsync exclude patterns for the upload'),
  start_timeout: duration.optional().describe('how long the service may take to answer after start (default 30s)'),
  pm2: z.object({
    instances: z.union([z.number().int().min(1), z.literal('max')]).optional(),
    wait_ready: z.boolean().optional()
      .describe("pm2 waits for the app's process.send('ready') before a new instance counts as up (default: true when the start file sends it)"),
    kill_timeout: duration.optional().describe('how long pm2 lets an old instance finish its requests after SIGINT before SIGKILL (default 10s)'),
  }).strict().optional(),
  script: z.object({ deploy: z.string(), rollback: z.string().optional(), no_rollback: z.boolean().optional() }).strict().optional(),
  zero_downtime: z.boolean().optional().describe('systemd, pm2 and docker apps deploy blue-green (two slots behind nginx) instead of restarting in place; compose apps replace the service container behind nginx'),
  blue_green: z.object({
    ports: z.tuple([z.number().int().min(1).max(65535), z.number().int().min(1).max(65535)]).optional()
      .describe('the two slot ports (default: port and port+1)'),
    drain: duration.optional().describe('how long the old slot may finish its requests after the switch before it stops (default 10s)'),
    runner: z.enum(['systemd', 'pm2', 'docker']).optional().describe('what runs the slots (default: the strategy, systemd for strategy blue-green)'),
  }).strict().optional().describe('blue-green settings; setting them implies zero_downtime'),
  proxy_port: z.number().int().min(1).max(65535).optional()
    .describe('blue-green: the port nginx listens on in front of the slots (default 80); compose with zero downtime: in front of the service (default: the app port)'),
  compose: z.object({
    service: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'a compose service name (letters, digits, . _ -)').optional()
      .describe('zero downtime: the service nginx fronts (default: the one publishing the app port, else the only one with ports)'),
    container_port: z.number().int().min(1).max(65535).optional()
      .describe('zero downtime: the port that service listens on inside its container (default: the target of its ports entry)'),
    drain: duration.optional().describe('zero downtime: how long the old container may finish its requests after the switch before it stops (default 10s)'),
  }).strict().optional().describe('compose settings (used with zero_downtime: the service container is replaced behind nginx)'),
  kubernetes: KubernetesSchema.optional().describe('kubernetes strategy: context, namespace, manifests or Helm chart, image, what to watch and verify'),
  swarm: z.object({
    replicas: z.number().int().min(1).max(100).optional().describe('tasks of the service (default 2)'),
    network: z.enum(['ingress', 'host']).optional()
      .describe('ingress (default): the port is published through the routing mesh (needs IPVS in the kernel); host: tasks use the host network and share the port, so the app must bind it with SO_REUSEPORT (and its healthcheck must ask its own process, not the shared port)'),
    update_parallelism: z.number().int().min(1).max(100).optional().describe('tasks updated at a time (default 1)'),
    update_delay: swarmPause.optional().describe('pause between batches of an update (default 0s)'),
    update_monitor: swarmDuration.optional().describe('how long a new task is watched after it starts; a failure in that window makes the engine roll back (default 10s)'),
    stop_grace_period: swarmDuration.optional().describe('how long an old task may finish its requests after SIGTERM (default 10s)'),
    health: z.object({
      cmd: z.string().min(1).describe('command run inside the container (CMD-SHELL), e.g. "curl -fsS http://127.0.0.1:3000/health"'),
      interval: swarmDuration.optional(), timeout: swarmDuration.optional(), retries: z.number().int().min(1).max(20).optional(), start_period: swarmPause.optional(),
    }).strict().optional().describe("healthcheck deckhand sets on the service (default: the image's HEALTHCHECK)"),
    deadline: swarmDeadline.optional().describe('how long deckhand waits for the engine to converge or roll back (default 5m, at most 25m)'),
    registry_auth: z.boolean().optional().describe('pass --with-registry-auth (images pulled from a private registry)'),
    stack: z.object({
      name: z.string().regex(/^[a-z][a-z0-9_-]{0,38}$/, 'a stack name').optional().describe('stack name (default: the app name)'),
      compose_file: z.string().describe('compose file relative to the app; its app service uses image: ${DECKHAND_IMAGE}'),
      service: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'a compose service name').describe('the service whose update deckhand waits for'),
    }).strict().optional().describe('deploy with docker stack deploy -c <compose_file> instead of one docker service (the compose file\'s deploy.update_config applies)'),
  }).strict().optional().describe('swarm strategy settings'),
  static: z.object({
    dir: z.string().optional().describe('build output directory served by nginx, relative to the app (default: what discovery found, else dist)'),
    server_name: z.string().optional().describe('nginx server_name (default _: any host name on the port)'),
  }).strict().optional(),
};

export const ServiceSchema = z.object({
  ...AppShape,
  app: AppShape.app.describe('app name of this service (default: <top-level app>-<service>, else the service name)'),
  app_dir: z.string().describe('the service\'s directory, relative to the repository root ("." for the root)'),
  depends_on: z.array(z.string().regex(NAME_RE, 'a service name')).optional()
    .describe('services deployed and verified before this one (their handshake from this service is part of its verification)'),
}).strict();
export type ServiceConfig = z.infer<typeof ServiceSchema>;

export const ConfigSchema = z.object({
  ...AppShape,
  hosts: z.array(z.string().min(1).regex(/^[^\s]+$/, 'a target such as deploy@web1.example.com or an ~/.ssh/config alias')).min(1).optional()
    .describe('the hosts this app runs on (a fleet): `deckhand deploy` with no target rolls out to all of them, in batches (rollout:)'),
  rollout: z.object({
    batch: z.union([z.number().int().min(1), z.string().regex(/^(\d{1,3}%|all)$/, 'a number of hosts, a share such as 25%, or all')]).optional()
      .describe('hosts deployed at once, each batch verified before the next (default all)'),
    canary: z.number().int().min(0).optional().describe('hosts deployed, verified and watched first, before any other host is touched (default 0)'),
    canary_window: duration.optional().describe('how long the canary is verified and watched (default 30s)'),
    window: duration.optional().describe('verification window of each host of a batch (default 10s)'),
    parallel: z.number().int().min(1).max(64).optional().describe('hosts worked on at once (default 8)'),
  }).strict().optional().describe('how a deploy to hosts: rolls out'),
  services: z.record(z.string(), ServiceSchema).optional()
    .describe('several services in one repository, each its own app (own base dir, ledger and lock), deployed in depends_on order; with services, the top level holds only app (the name prefix)'),
}).strict().superRefine((cfg, ctx) => {
  if (!cfg.services) return;
  // Top-level deploy settings next to services would apply to none of them: say so instead of ignoring them.
  for (const key of Object.keys(cfg)) {
    if (key !== 'services' && key !== 'app') ctx.addIssue({ code: 'custom', path: [key], message: 'with services:, deploy settings belong to each service (services.<name>.' + key + '); the top level holds only app' });
  }
  for (const [name, svc] of Object.entries(cfg.services)) {
    if (!NAME_RE.test(name)) ctx.addIssue({ code: 'custom', path: ['services', name], message: `"${name}" is not a service name: lower-case letters, digits and dashes, starting with a letter (max 39)` });
    // A services rollout verifies, hands off and rolls back on a host; kubernetes has none of those (kubectl runs here).
    if (svc.strategy === 'kubernetes') {
      ctx.addIssue({ code: 'custom', path: ['services', name, 'strategy'], message: 'kubernetes is not a strategy for services: (they are verified and rolled back on a host); deploy the app on its own with `deckhand deploy --strategy kubernetes`' });
    }
  }
  if (Object.keys(cfg.services).length === 0) ctx.addIssue({ code: 'custom', path: ['services'], message: 'lists no service' });
  const order = serviceOrder(Object.fromEntries(Object.entries(cfg.services).map(([n, s]) => [n, s.depends_on])));
  if ('issues' in order) for (const i of order.issues) ctx.addIssue({ code: 'custom', path: i.path, message: i.message });
});

export type DeckhandConfig = z.infer<typeof ConfigSchema>;
