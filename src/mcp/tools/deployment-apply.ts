// MCP tool deployment_apply: applies a plan made by deployment_plan in this session, after checking the target has not changed since.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { applyDeploy, DeckhandError, renderExecutionMarkdown, usageError } from '../../index.js';
import { ExecutionReportSchema } from '../../schemas.js';
import { MINUTE, runCall } from '../call.js';
import { canonical, deployInputs, differingFields } from '../inputs.js';
import { PLAN_TTL_MS } from '../plans.js';
import type { Session } from '../session.js';

export function registerDeploymentApply(server: McpServer, session: Session): void {
  server.registerTool('deployment_apply', {
    title: 'Apply a deploy plan',
    description: 'Applies a plan made by deployment_plan in this server session: uploads, installs, builds, writes the env file (0600), switches the '
      + 'release, starts the app and waits until it is healthy, under a lock, with a rollback point; on a failed start it reverts to the previous release. '
      + `Needs planId from deployment_plan (valid ${PLAN_TTL_MS / 60_000} minutes, applied at most once) and the same inputs the plan was made from. `
      + 'Refuses when the target changed since the plan was made.',
    inputSchema: {
      planId: z.string().min(1).optional().describe('the plan id deployment_plan returned (data.planId); required'),
      ...deployInputs,
    },
    outputSchema: ExecutionReportSchema,
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
  }, async (i, extra) => runCall(session, extra, {
    // A deploy that overruns stops at its next step boundary and reverts; two more minutes are given for that.
    tool: 'deployment_apply', target: i.target, deadlineMs: 15 * MINUTE, graceMs: 2 * MINUTE, kind: 'execution',
    work: async (ctx, stopping) => {
      const { planId, ...inputs } = i;
      if (!planId) throw usageError('no plan id given: call deployment_plan first', 'pass the planId deployment_plan returned, with the same inputs');
      const taken = await session.plans.take(planId);
      if ('refused' in taken) throw usageError(taken.refused, 'deployment_plan shows what will change; deployment_apply applies exactly that plan');
      const differ = differingFields(taken.inputs, canonical(inputs));
      if (differ.length > 0) {
        session.plans.restore(taken);
        throw usageError(`plan ${planId} was made from other inputs: ${differ.join(', ')} differ`, 'pass exactly the inputs of the deployment_plan call, or make a new plan with these');
      }
      try {
        return await applyDeploy(ctx, taken.prepared, stopping);
      } catch (e) {
        // The fingerprint check: the target moved on since the plan, so this plan is void.
        if (e instanceof DeckhandError && /changed since plan/.test(e.message)) {
          throw new DeckhandError(e.kind, e.message, { hint: 'call deployment_plan again and review the new plan', details: e.details });
        }
        throw e;
      } finally {
        await taken.prepared.cleanup();
      }
    },
    render: renderExecutionMarkdown,
    title: (r) => `Deploy ${r.data.releaseId} of ${r.data.app} → ${r.target.display}: ${r.data.outcome}`,
  }));
}
