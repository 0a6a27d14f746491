// MCP tool target_host_readiness: can this host run the app? → READY / READY WITH WARNINGS / NOT READY.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { checkReadiness, READINESS_STRATEGIES, renderReadinessMarkdown, type CheckOptions } from '../../index.js';
import { ReadinessReportSchema } from '../../schemas.js';
import { MINUTE, runCall } from '../call.js';
import { baseDir, target } from '../inputs.js';
import type { Session } from '../session.js';

export function registerTargetHostReadiness(server: McpServer, session: Session): void {
  server.registerTool('target_host_readiness', {
    title: 'Check a target host',
    description: 'Probes a host (local or over SSH, one round trip) and says whether it can run the app: OS, runtimes and tools against required versions, '
      + 'memory, disk, free ports, service manager, sudo, reachability of dependencies, env variables set. Verdict READY / READY WITH WARNINGS / NOT READY '
      + 'with a remedy for each blocker. Changes nothing.',
    inputSchema: {
      target,
      strategy: z.enum(READINESS_STRATEGIES).optional().describe('what the deploy will use (kubernetes readiness is not a host probe: the CLI\'s `deckhand check --strategy kubernetes`)'),
      require: z.array(z.string().min(1)).optional().describe('required tools with semver ranges, e.g. ["node>=20", "docker"]'),
      ports: z.array(z.number().int().min(1).max(65535)).optional().describe('ports the app needs free'),
      proxy: z.boolean().optional().describe('a reverse proxy (nginx) is wanted: ports 80/443 too'),
      memory: z.string().min(1).optional().describe('memory the app needs, e.g. 512MiB (default 256MiB)'),
      disk: z.string().min(1).optional().describe('disk the app needs where it lives (default 512MiB)'),
      app: z.string().min(1).optional().describe('app name (default base directory /opt/<app>)'),
      baseDir,
      reach: z.array(z.string().min(1)).optional().describe('dependencies the target must reach over TCP, as host:port'),
      requireEnv: z.array(z.string().min(1)).optional().describe('variables that must be set in the env file on the target (names)'),
      envFilePath: z.string().min(1).optional().describe('env file on the target (default <base>/shared/.env)'),
      brief: z.string().min(1).optional().describe('Deployment Brief JSON file on the server\'s machine: requirements are taken from it'),
    },
    outputSchema: ReadinessReportSchema,
    annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  }, async (i, extra) => runCall(session, extra, {
    tool: 'target_host_readiness', target: i.target, deadlineMs: 5 * MINUTE, kind: 'readiness',
    work: (ctx) => {
      const opts: CheckOptions = {};
      const set = <K extends keyof CheckOptions>(k: K, v: CheckOptions[K] | undefined): void => { if (v !== undefined) opts[k] = v; };
      set('strategy', i.strategy); set('require', i.require); set('port', i.ports); set('memory', i.memory); set('disk', i.disk);
      set('app', i.app); set('baseDir', i.baseDir); set('reach', i.reach); set('requireEnv', i.requireEnv); set('envFilePath', i.envFilePath);
      set('brief', i.brief);
      if (i.proxy) opts.proxy = true;
      return checkReadiness(ctx, opts);
    },
    render: renderReadinessMarkdown,
    title: (r) => `Readiness of ${r.target.display}: ${r.data.verdict}`,
  }));
}
