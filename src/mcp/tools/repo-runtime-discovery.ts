// MCP tool repo_runtime_discovery: how should this repository run? → the Deployment Brief.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { discover, renderBriefMarkdown } from '../../index.js';
import { DeploymentBriefSchema } from '../../schemas.js';
import { MINUTE, runCall } from '../call.js';
import type { Session } from '../session.js';

export function registerRepoRuntimeDiscovery(server: McpServer, session: Session): void {
  server.registerTool('repo_runtime_discovery', {
    title: 'Discover how a repository runs',
    description: 'Reads a repository (a directory on the server\'s machine, or a git URL cloned shallowly) and returns its Deployment Brief: '
      + 'stack, runtime, commands, port, health path, env variables (names only), datastores and ranked deploy strategies, each fact with evidence. Changes nothing.',
    inputSchema: {
      path: z.string().min(1).describe('repository directory or git URL'),
      appDir: z.string().min(1).optional().describe('the app to describe inside a monorepo (directory or name)'),
    },
    outputSchema: DeploymentBriefSchema,
    // A git URL is fetched from its host: open world.
    annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  }, async (i, extra) => runCall(session, extra, {
    tool: 'repo_runtime_discovery', deadlineMs: 5 * MINUTE, kind: 'brief',
    work: (ctx) => discover(ctx, i.path, i.appDir === undefined ? {} : { app: i.appDir }),
    render: renderBriefMarkdown,
    title: (b) => `Deployment Brief: ${b.data.app}`,
  }));
}
