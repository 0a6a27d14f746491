// MCP tool repo_service_lifecycle: the whole lifecycle in one call (discover → check → plan → apply → verify → baseline), rolling back when verification fails.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { renderLifecycleMarkdown, up, type UpOptions } from '../../index.js';
import { REPORT_SCHEMAS } from '../../schemas.js';
import { MINUTE, runCall } from '../call.js';
import { checksFile, resolveChecks, smokeChecks } from '../checks.js';
import { deployInputs, deployOptions } from '../inputs.js';
import type { Session } from '../session.js';

export function registerRepoServiceLifecycle(server: McpServer, session: Session): void {
  server.registerTool('repo_service_lifecycle', {
    title: 'Deploy a repository end to end',
    description: 'Runs the whole lifecycle on a repository: discovery, target readiness, plan, apply, verification and a baseline. When verification fails it '
      + 'rolls back automatically and verifies again. Returns the Lifecycle Report with every stage\'s outcome and the deployment summary; each stage\'s full '
      + 'report is written to `out` on the server\'s machine. Makes a new release on every call.',
    inputSchema: {
      ...deployInputs,
      checks: smokeChecks.optional(),
      checksFile: checksFile.optional(),
      windowSec: z.number().int().min(1).max(600).optional().describe('verification window (default 10)'),
      out: z.string().min(1).optional().describe('directory on the server\'s machine for the stage reports (default: a temporary directory of this server)'),
    },
    outputSchema: REPORT_SCHEMAS.lifecycle,
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
  }, async (i, extra) => runCall(session, extra, {
    tool: 'repo_service_lifecycle', target: i.target, deadlineMs: 15 * MINUTE, kind: 'lifecycle',
    work: async (ctx) => {
      const opts: UpOptions = { ...deployOptions(i, ctx.executor.host.kind === 'local'), out: i.out ?? await session.reportsDir() };
      if (i.windowSec) opts.windowMs = i.windowSec * 1000;
      const checks = await resolveChecks(i);
      if (checks) opts.checks = checks;
      return up(ctx, opts);
    },
    render: renderLifecycleMarkdown,
    title: (r) => `Lifecycle of ${r.data.summary.app} → ${r.target.display}: ${r.data.outcome}`,
  }));
}
