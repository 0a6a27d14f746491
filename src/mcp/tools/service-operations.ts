// MCP tools service_operations (reads: inspection, certificates, resources, upgrade preparation, backup check, cleanup and logrotate previews) and service_operations_apply (changes the host).
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import {
  DEFAULT_LETSENCRYPT, loadConfig, opsBackupVerify, opsBaseline, opsCerts, opsCleanup, opsInspect, opsLogrotate, opsResources, opsScale,
  renderOperationsMarkdown, upgradePrep, usageError, type OperationsReport, type RunContext,
} from '../../index.js';
import { OperationsReportSchema } from '../../schemas.js';
import { MINUTE, runCall } from '../call.js';
import { resolveApp } from '../app-name.js';
import { app, baseDir, target } from '../inputs.js';
import type { Session } from '../session.js';

const DAY_SEC = 86_400;

/** Inputs both tools share: where, which app, and each task's bounds (all optional, with the CLI's defaults). */
const common = {
  target,
  app,
  repo: z.string().min(1).optional().describe('repository the app was deployed from: finds its name when `app` is not given; upgrade-prep reads its runtime range'),
  baseDir,
  windowSec: z.number().int().min(60).max(30 * DAY_SEC).optional().describe('inspect, baseline: how far back to read the logs (default 3600; never before the deploy)'),
  olderThanDays: z.number().min(1).max(3650).optional().describe('cleanup: delete log files last written longer ago (default 30)'),
  keep: z.number().int().min(1).max(50).optional().describe('cleanup: releases to keep (default: keep in deckhand.yml, else 5; current and the rollback target always stay)'),
  renewWithinDays: z.number().int().min(0).max(3650).optional().describe('certs: certificates expiring within this many days are due (default 15)'),
  certName: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/).optional().describe('certs: only this certbot lineage'),
  instances: z.number().int().min(1).max(32).optional().describe('scale: the number of instances wanted (required for scale)'),
};

const readInputs = {
  task: z.enum(['inspect', 'certs', 'resources', 'upgrade-prep', 'backup-verify', 'cleanup', 'logrotate', 'scale']).describe(
    'inspect: Operations Inspection Report; certs: certificates on disk and served; resources: growth over watchSec (leak, fd exhaustion); upgrade-prep: runtime, '
    + 'outdated dependencies, pending migrations, zero-downtime plan; backup-verify: restore a dump into a throwaway PostgreSQL; cleanup, logrotate, scale: what the apply tool would do'),
  ...common,
  watchSec: z.number().int().min(2).max(3600).optional().describe('resources: how long to watch (default 60)'),
  intervalSec: z.number().int().min(1).max(1800).optional().describe('resources: seconds between samples (default 5; at least 3 samples must fit)'),
  registry: z.string().url().regex(/^https?:/).optional().describe('upgrade-prep: registry or package index to ask (a mirror)'),
  offline: z.boolean().optional().describe('upgrade-prep: ask no registry (outdated dependencies are SKIPPED)'),
  dump: z.string().min(1).optional().describe('backup-verify: the dump file on the target'),
  fromTarget: z.boolean().optional().describe('backup-verify: take a fresh pg_dump of the app\'s DATABASE_URL database on the target'),
  checkTable: z.string().regex(/^[A-Za-z_][A-Za-z0-9_$]*(?:\.[A-Za-z_][A-Za-z0-9_$]*)?$/).optional().describe('backup-verify: a table that must be present with rows'),
};

const applyInputs = {
  task: z.enum(['baseline', 'logrotate', 'cleanup', 'certs-renew', 'scale']).describe(
    'baseline: record the ops baseline on the target; logrotate: install /etc/logrotate.d/<app> after logrotate -d passes; cleanup: remove what service_operations '
    + 'task cleanup lists (each item re-checked, under the deploy lock); certs-renew: renew due certbot certificates, reload nginx, prove the served certificate changed; scale: compose (zero-downtime front) or pm2 cluster to `instances`, every instance checked to receive traffic'),
  ...common,
  force: z.boolean().optional().describe('logrotate: run one rotation now'),
};

type ReadInputs = z.infer<z.ZodObject<typeof readInputs>>;
type ApplyInputs = z.infer<z.ZodObject<typeof applyInputs>>;

async function keepFor(i: { keep?: number | undefined; repo?: string | undefined }): Promise<{ keep: number; keepSource: string }> {
  if (i.keep !== undefined) return { keep: i.keep, keepSource: 'keep' };
  const { path, config } = await loadConfig(i.repo ?? '.');
  return config.keep !== undefined ? { keep: config.keep, keepSource: path ?? 'deckhand.yml' } : { keep: 5, keepSource: 'default' };
}

function certsRequest(i: ReadInputs | ApplyInputs, appName: string, renew: boolean): Parameters<typeof opsCerts>[1] {
  return {
    app: appName, renewWithinDays: i.renewWithinDays ?? 15, renew, certName: i.certName ?? null, letsencryptDir: DEFAULT_LETSENCRYPT, nginxConf: null,
    acmeServer: null, caBundlePem: null, caBundlePath: null,
  };
}

function instancesOf(i: { instances?: number | undefined }): number {
  if (i.instances === undefined) throw usageError('scale needs `instances` (1 to 32)');
  return i.instances;
}

async function runRead(ctx: RunContext, i: ReadInputs, appName: string): Promise<OperationsReport> {
  const base = { app: appName, baseDir: i.baseDir ?? null };
  switch (i.task) {
    case 'inspect': return opsInspect(ctx, { ...base, windowSec: i.windowSec ?? 3600 });
    case 'certs': return opsCerts(ctx, certsRequest(i, appName, false));
    case 'resources': {
      const windowMs = (i.watchSec ?? 60) * 1000;
      const intervalMs = (i.intervalSec ?? 5) * 1000;
      if (intervalMs * 2 > windowMs) throw usageError(`intervalSec ${intervalMs / 1000} leaves fewer than 3 samples in watchSec ${windowMs / 1000}`, 'growth needs at least 3 samples');
      return opsResources(ctx, { ...base, windowMs, intervalMs });
    }
    case 'upgrade-prep': return upgradePrep(ctx, { ...base, target: i.target, repo: i.repo ?? '.', registry: i.registry ?? null, offline: i.offline === true, outdatedTimeoutSec: 90 });
    case 'backup-verify':
      if ((i.dump === undefined) === (i.fromTarget !== true)) throw usageError('give exactly one of dump and fromTarget');
      return opsBackupVerify(ctx, { ...base, dump: i.dump ?? null, fromTarget: i.fromTarget === true, envVar: 'DATABASE_URL', checkTable: i.checkTable ?? null, workDir: '/tmp', timeoutSec: 1800 });
    case 'cleanup': return opsCleanup(ctx, { ...base, yes: false, olderThanDays: i.olderThanDays ?? 30, ...(await keepFor(i)) });
    case 'logrotate': return opsLogrotate(ctx, { ...base, yes: false, force: false });
    case 'scale': return opsScale(ctx, { ...base, to: instancesOf(i), yes: false });
  }
}

async function runApply(ctx: RunContext, i: ApplyInputs, appName: string): Promise<OperationsReport> {
  const base = { app: appName, baseDir: i.baseDir ?? null };
  switch (i.task) {
    case 'baseline': return opsBaseline(ctx, { ...base, windowSec: i.windowSec ?? 3600 });
    case 'logrotate': return opsLogrotate(ctx, { ...base, yes: true, force: i.force === true });
    case 'cleanup': return opsCleanup(ctx, { ...base, yes: true, olderThanDays: i.olderThanDays ?? 30, ...(await keepFor(i)) });
    case 'certs-renew': return opsCerts(ctx, certsRequest(i, appName, true));
    case 'scale': return opsScale(ctx, { ...base, to: instancesOf(i), yes: true });
  }
}

const title = (r: OperationsReport): string => `ops ${r.data.task} of ${r.app} on ${r.target.display}: ${r.status.toUpperCase()}`;

export function registerServiceOperations(server: McpServer, session: Session): void {
  server.registerTool('service_operations', {
    title: 'Inspect and check a running service (day 2)',
    description: 'Day-2 reads on an app deployed by deckhand → Operations Report: inspect (state, uptime, release, CPU/RSS/fds/threads against limits, disk, log '
      + 'patterns marked NEW against the baseline, certificates, immediate and observe recommendations), certs, resources (leak and fd exhaustion over a watch), '
      + 'upgrade-prep, backup-verify (restores into a throwaway server, never the app\'s), and the previews of cleanup and logrotate. Changes nothing on the app.',
    inputSchema: readInputs,
    outputSchema: OperationsReportSchema,
    annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  }, async (i, extra) => runCall(session, extra, {
    tool: 'service_operations', target: i.target, deadlineMs: 40 * MINUTE, kind: 'operations',
    work: async (ctx) => runRead(ctx, i, await resolveApp(i, session.redactor)),
    render: renderOperationsMarkdown,
    title,
  }));
}

export function registerServiceOperationsApply(server: McpServer, session: Session): void {
  server.registerTool('service_operations_apply', {
    title: 'Maintain a running service (changes the host)',
    description: 'Day-2 changes on an app deployed by deckhand → Operations Report: record the ops baseline, install log rotation (checked with logrotate -d first), '
      + 'clean up (deletes old logs, prunes releases and image tags; never the current release or the rollback target; call service_operations task cleanup first '
      + 'and show the user the list), renew due certificates (the served fingerprint must change). Ask the user before calling it.',
    inputSchema: applyInputs,
    outputSchema: OperationsReportSchema,
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
  }, async (i, extra) => runCall(session, extra, {
    tool: 'service_operations_apply', target: i.target, deadlineMs: 20 * MINUTE, kind: 'operations',
    work: async (ctx) => runApply(ctx, i, await resolveApp(i, session.redactor)),
    render: renderOperationsMarkdown,
    title,
  }));
}
