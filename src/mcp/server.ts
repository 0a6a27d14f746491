// deckhand's MCP server: one tool per skill over the library, reports as resources; `serveStdio` runs it on stdin/stdout.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { VERSION } from '../index.js';
import { registerReportResources } from './reports.js';
import { Session, type McpServerOptions } from './session.js';
import { registerDeploymentApply } from './tools/deployment-apply.js';
import { registerDeploymentPlan } from './tools/deployment-plan.js';
import { registerDeploymentVerifier } from './tools/deployment-verifier.js';
import { registerIncidentRollback } from './tools/incident-rollback.js';
import { registerIncidentTriage } from './tools/incident-triage.js';
import { registerRepoRuntimeDiscovery } from './tools/repo-runtime-discovery.js';
import { registerRepoServiceLifecycle } from './tools/repo-service-lifecycle.js';
import { registerTargetHostReadiness } from './tools/target-host-readiness.js';
import { registerServiceOperations, registerServiceOperationsApply } from './tools/service-operations.js';

export type { McpServerOptions } from './session.js';

const INSTRUCTIONS = [
  'deckhand deploys and operates services, locally or over SSH. Typical flow:',
  'repo_runtime_discovery (how does the repo run?) → target_host_readiness (can the host run it?) → deployment_plan (what exactly will change?) →',
  'deployment_apply (apply that plan, by its id) → deployment_verifier (does it work?); incident_rollback puts the previous release back;',
  'service_operations reads a running service (inspection, certificates, resources, upgrade preparation, backups) and service_operations_apply maintains it;',
  'repo_service_lifecycle does all of it in one call. Every result is a versioned JSON report (structuredContent) with a Markdown rendering;',
  'reports of this session are resources under deckhand://reports/. Secrets are passed by env file path or variable name, never by value.',
].join(' ');

export function createMcpServer(options: McpServerOptions): { server: McpServer; session: Session } {
  const session = new Session(options);
  const server = new McpServer({ name: 'deckhand', version: VERSION }, { instructions: INSTRUCTIONS });
  registerRepoRuntimeDiscovery(server, session);
  registerTargetHostReadiness(server, session);
  registerDeploymentPlan(server, session);
  registerDeploymentVerifier(server, session);
  registerServiceOperations(server, session);
  registerIncidentTriage(server, session);
  if (!options.readOnly) {
    registerDeploymentApply(server, session);
    registerIncidentRollback(server, session);
    registerServiceOperationsApply(server, session);
    registerRepoServiceLifecycle(server, session);
  }
  registerReportResources(server, session.reports);
  return { server, session };
}

/** Serves on stdin/stdout until the client closes the connection. */
export async function serveStdio(options: McpServerOptions): Promise<void> {
  const { server, session } = createMcpServer(options);
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => { transport.onclose = resolve; });
  await server.connect(transport);
  // The transport notices neither end of stdin nor a broken stdout on its own.
  process.stdin.once('end', () => { void server.close(); });
  await closed;
  await session.close();
}
