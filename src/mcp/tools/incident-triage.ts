// MCP tool incident_triage (read-only): `deckhand incident --dry-run` — signals, severity, diagnoses and the action it would take; changes nothing.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { incident, renderIncidentMarkdown } from '../../index.js';
import { IncidentReportSchema } from '../../schemas.js';
import { resolveApp } from '../app-name.js';
import { MINUTE, runCall } from '../call.js';
import { app, baseDir, target } from '../inputs.js';
import type { Session } from '../session.js';

export function registerIncidentTriage(server: McpServer, session: Session): void {
  server.registerTool('incident_triage', {
    title: 'Triage an incident (read-only)',
    description: 'Gathers the signals of a deployed app in one pass (service state, restarts, health through the port and nginx, logs, OOM kills, disk, memory, '
      + 'what changed since the previous release), classifies SEV-1/2/3 with the decision path, diagnoses from the catalogue (502, database refused or auth failed, '
      + 'ENOSPC, EADDRINUSE, missing env var, OOMKilled, ENOTFOUND, crash loop, permission denied, expired certificate) and says what it would do. Changes nothing; '
      + 'act with incident_rollback (SEV-1) or the CLI `deckhand incident`.',
    inputSchema: {
      target,
      app,
      repo: z.string().min(1).optional().describe('repository the app was deployed from, to find its name when `app` is not given'),
      baseDir,
      windowSec: z.number().int().min(60).max(30 * 86_400).optional().describe('how far back to read logs and kernel messages (default 900)'),
    },
    outputSchema: IncidentReportSchema,
    annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  }, async (i, extra) => runCall(session, extra, {
    tool: 'incident_triage', target: i.target, deadlineMs: 3 * MINUTE, kind: 'incident',
    work: async (ctx) => {
      const name = await resolveApp(i, session.redactor);
      return incident(ctx, { app: name, target: i.target, baseDir: i.baseDir ?? null, dryRun: true, ...(i.windowSec ? { windowSec: i.windowSec } : {}) });
    },
    render: renderIncidentMarkdown,
    title: (r) => `Incident triage of ${r.data.record.app} on ${r.target.display}: ${r.data.record.triage.severity}`,
  }));
}
