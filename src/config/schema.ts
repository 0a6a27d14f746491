// deckhand.yml: the optional per-repo deploy configuration, validated with zod (also the source of its JSON Schema).
import { z } from 'zod';

export const STRATEGIES = ['systemd', 'pm2', 'docker', 'compose', 'static', 'script', 'blue-green', 'swarm'] as const;
export type StrategyName = (typeof STRATEGIES)[number];

const NAME_RE = /^[a-z][a-z0-9-]{0,38}$/;
const ENV_NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;
const duration = z.string().regex(/^\d+(ms|s|m)$/, 'a duration such as 500ms, 30s or 2m');

export const SecretsSchema = z.object({
  env_file: z.string().optional().describe('local env file whose lines are installed as <base>/shared/.env (mode 0600)'),
  remote_env_file: z.string().optional().describe('env file already on the target, copied to <base>/shared/.env'),
  env: z.array(z.string().regex(ENV_NAME_RE, 'an environment variable name')).optional()
    .describe("names whose values are taken from the operator's environment at deploy time"),
}).strict();

export const ConfigSchema = z.object({
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
  swarm: z.object({
    replicas: z.number().int().min(1).max(100).optional().describe('tasks of the service (default 2)'),
    network: z.enum(['ingress', 'host']).optional()
      .describe('ingress (default): the port is published through the routing mesh (needs IPVS in the kernel); host: tasks use the host network and share the port, so the app must bind it with SO_REUSEPORT'),
    update_parallelism: z.number().int().min(1).max(100).optional().describe('tasks updated at a time (default 1)'),
    update_delay: duration.optional().describe('pause between batches of an update (default 0s)'),
    update_monitor: duration.optional().describe('how long a new task is watched after it starts; a failure in that window makes the engine roll back (default 10s)'),
    stop_grace_period: duration.optional().describe('how long an old task may finish its requests after SIGTERM (default 10s)'),
    health: z.object({
      cmd: z.string().min(1).describe('command run inside the container (CMD-SHELL), e.g. "curl -fsS http://127.0.0.1:3000/health"'),
      interval: duration.optional(), timeout: duration.optional(), retries: z.number().int().min(1).max(20).optional(), start_period: duration.optional(),
    }).strict().optional().describe("healthcheck deckhand sets on the service (default: the image's HEALTHCHECK)"),
    deadline: duration.optional().describe('how long deckhand waits for the engine to converge or roll back (default 5m)'),
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
}).strict();

export type DeckhandConfig = z.infer<typeof ConfigSchema>;
