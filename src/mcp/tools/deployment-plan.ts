// MCP tool deployment_plan: the Execution Plan of a deploy (changes nothing); its plan id is what deployment_apply accepts.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { planReport, prepareDeploy, renderExecutionMarkdown } from '../../index.js';
import { ExecutionReportSchema } from '../../schemas.js';
import { MINUTE, runCall } from '../call.js';
import { canonical, deployInputs, deployOptions } from '../inputs.js';
import { PLAN_TTL_MS } from '../plans.js';
import type { Session } from '../session.js';

export function registerDeploymentPlan(server: McpServer, session: Session): void {
  server.registerTool('deployment_plan', {
    title: 'Plan a deploy',
    description: 'Reads the repository and the target (one round trip) and returns the Execution Plan (outcome PLANNED): every step with its commands, '
      + 'impact and undo, the release id, the rollback point and the files it will touch. Changes nothing. '
      + `Review it, then call deployment_apply with data.planId and the same inputs (in this server session, within ${PLAN_TTL_MS / 60_000} minutes).`,
    inputSchema: deployInputs,
    outputSchema: ExecutionReportSchema,
    annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  }, async (i, extra) => runCall(session, extra, {
    tool: 'deployment_plan', target: i.target, deadlineMs: 5 * MINUTE, kind: 'plan',
    work: async (ctx) => {
      const t0 = performance.now();
      const prepared = await prepareDeploy(ctx, deployOptions(i, ctx.executor.host.kind === 'local'));
      try {
        const report = planReport(prepared.plan, ctx.executor.host, Math.round(performance.now() - t0));
        await session.plans.add(prepared.plan.id, prepared, canonical(i));
        return report;
      } catch (e) {
        await prepared.cleanup();
        throw e;
      }
    },
    render: renderExecutionMarkdown,
    reportId: (r) => r.data.planId,
    title: (r) => `Plan ${r.data.planId}: ${r.data.app} → ${r.target.display}`,
    note: (r) => `**Plan id: \`${r.data.planId}\`.** To apply it, call \`deployment_apply\` with \`planId: "${r.data.planId}"\` and the same inputs, `
      + `within ${PLAN_TTL_MS / 60_000} minutes. Apply refuses if the target changes before then.`,
  }));
}
