// MCP tool incident_rollback: puts a recorded release back (code, env, unit/config), restarts it and checks health.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { localPm2, renderExecutionMarkdown, rollback } from '../../index.js';
import { ExecutionReportSchema } from '../../schemas.js';
import { resolveApp } from '../app-name.js';
import { MINUTE, runCall } from '../call.js';
import { app, baseDir, target } from '../inputs.js';
import type { Session } from '../session.js';

export function registerIncidentRollback(server: McpServer, session: Session): void {
  server.registerTool('incident_rollback', {
    title: 'Roll back a release',
    description: 'Rolls a service deployed by deckhand back to the previous release (or to release `to`): code, env file and unit/config restored atomically, '
      + 'restarted, then health-checked. Each call moves one release further back unless `to` is given.',
    inputSchema: {
      target,
      app,
      repo: z.string().min(1).optional().describe('repository the app was deployed from, to find its name when `app` is not given'),
      baseDir,
      to: z.string().min(1).optional().describe('release id to restore (default: the newest restorable one before the current)'),
      startTimeoutSec: z.number().int().min(1).max(3600).optional().describe('how long the app may take to become healthy (default 30)'),
    },
    outputSchema: ExecutionReportSchema,
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
  }, async (i, extra) => runCall(session, extra, {
    tool: 'incident_rollback', target: i.target, deadlineMs: 5 * MINUTE, kind: 'rollback',
    work: async (ctx) => {
      const name = await resolveApp(i, session.redactor);
      const pm2Bin = localPm2(ctx.executor.host);
      return rollback(ctx, {
        app: name, target: i.target, ...(i.baseDir ? { baseDir: i.baseDir } : {}), ...(i.to ? { to: i.to } : {}), ...(pm2Bin ? { pm2Bin } : {}),
        ...(i.startTimeoutSec ? { startTimeoutSec: i.startTimeoutSec } : {}),
      });
    },
    render: renderExecutionMarkdown,
    title: (r) => `Rollback of ${r.data.app} on ${r.target.display} to ${r.data.releaseId}: ${r.data.outcome}`,
  }));
}
