// MCP tool deployment_verifier: does the deployed service work? → VERIFIED / FAILED, each layer with its evidence.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { renderVerificationMarkdown, usageError, verify, type VerifyRequest } from '../../index.js';
import { VerificationReportSchema } from '../../schemas.js';
import { MINUTE, runCall } from '../call.js';
import { resolveApp } from '../app-name.js';
import { checksFile, resolveChecks, smokeChecks } from '../checks.js';
import { app, baseDir } from '../inputs.js';
import type { Session } from '../session.js';

export function registerDeploymentVerifier(server: McpServer, session: Session): void {
  server.registerTool('deployment_verifier', {
    title: 'Verify a deployed service',
    description: 'Proves a service deployed by deckhand works: process, port binding, served release, HTTP health, smoke checks, TLS, logs, dependency handshakes '
      + 'and reverse proxy, each with the command or request and what came back → VERIFIED / FAILED. The target may also be a URL, checked on its own. Changes nothing.',
    inputSchema: {
      target: z.string().min(1).default('local').describe('where the app runs (local, user@host, …), or an http(s) URL to verify on its own'),
      app,
      repo: z.string().min(1).optional().describe('repository the app was deployed from, to find its name when `app` is not given'),
      baseDir,
      url: z.string().url().optional().describe('the app\'s public URL, checked from here (HTTP, smoke, TLS)'),
      checks: smokeChecks.optional(),
      checksFile: checksFile.optional(),
      windowSec: z.number().int().min(1).max(600).optional().describe('how long to watch restart counters and wait for health (default 10)'),
      proxyUrl: z.string().url().optional().describe('the reverse proxy in front of the app, compared with the direct answer'),
      serverName: z.string().min(1).optional().describe('Host header of the app\'s nginx site, for the proxy check'),
      port: z.number().int().min(1).max(65535).optional().describe('port the app listens on (overrides the ledger)'),
      health: z.string().startsWith('/').optional().describe('health path (overrides the ledger)'),
    },
    outputSchema: VerificationReportSchema,
    annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  }, async (i, extra) => {
    const standalone = /^https?:\/\//i.test(i.target);
    return runCall(session, extra, {
      tool: 'deployment_verifier', target: standalone ? 'local' : i.target, deadlineMs: 5 * MINUTE, kind: 'verification',
      work: async (ctx) => {
        const req: VerifyRequest = {};
        if (standalone) {
          if (i.url) throw usageError('give the URL once: as the target or as url');
          req.url = i.target;
        } else {
          req.app = await resolveApp(i, session.redactor);
          if (i.url) req.url = i.url;
        }
        if (i.baseDir) req.baseDir = i.baseDir;
        if (i.windowSec) req.windowMs = i.windowSec * 1000;
        if (i.proxyUrl) req.proxyUrl = i.proxyUrl;
        if (i.serverName) req.serverName = i.serverName;
        if (i.port) req.port = i.port;
        if (i.health) req.healthPath = i.health;
        const checks = await resolveChecks(i);
        if (checks) req.checks = checks;
        return verify(ctx, req);
      },
      render: renderVerificationMarkdown,
      title: (r) => `Verification of ${r.target.display}: ${r.data.verdict}`,
    });
  });
}
