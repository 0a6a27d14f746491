// `deckhand ops inspect`: the Operations Inspection Report — service, version, resources, log anomalies against the baseline, certificates, recommendations.
import type { RunContext } from '../../../core/context.js';
import { usageError } from '../../../core/errors.js';
import { parseDuration } from '../../../core/units.js';
import type { Finding } from '../../../report/common.js';
import type { OperationsReport } from '../../../report/operations.js';
import type { InspectAnomaly, OpsInspectData } from '../../../report/ops/inspect.js';
import { loadDeployedApp, registerEnvSecrets, type DeployedApp } from '../deployed-app.js';
import { baselinePath, parseBaseline, type ReadBaseline } from '../baseline.js';
import { opsEvidence, opsFinding, startTask } from '../task-report.js';
import { certStatuses } from './certs.js';
import { gatherFacts, releaseWindow, type Gathered } from './collect.js';
import { groupPatterns, SEVERITY_RANK } from './log-anomalies.js';
import { recommend, type Recommendations } from './recommend.js';
import { lastStart, summariseDisk, summariseResources, summariseService } from './summarise.js';

export const DEFAULT_WINDOW_SEC = 3600;

export interface InspectOptions {
  app: string;
  baseDir: string | null;
  /** Log window in seconds (default one hour); never before the current release was deployed. */
  windowSec?: number;
}

/** `--window` text → seconds: between one minute and 30 days. */
export function parseWindow(text: string): number {
  const ms = parseDuration(text, '--window');
  if (ms < 60_000 || ms > 30 * 86_400_000) throw usageError(`--window must be between 1m and 30d (got "${text}")`, 'e.g. --window 1h, --window 30m, --window 1d');
  return Math.round(ms / 1000);
}

/** Patterns of warning severity and worse, marked NEW against the baseline's patterns (null when there is nothing to compare with). */
export function anomaliesOf(g: Gathered, b: ReadBaseline, mask: (s: string) => string): { anomalies: InspectAnomaly[]; lines: number; patterns: number } {
  const { patterns, lines } = groupPatterns(g.facts.logs, g.facts.since === null ? null : g.facts.since * 1000, mask);
  const known = b.baseline?.logs ? new Map(b.baseline.logs.patterns.map((p) => [p.pattern, p.count])) : null;
  const anomalies = patterns.filter((p) => SEVERITY_RANK[p.severity] >= SEVERITY_RANK.warning).map((p) => ({
    ...p, isNew: known === null ? null : !known.has(p.pattern), baselineCount: known?.get(p.pattern) ?? null,
  }));
  return { anomalies, lines, patterns: patterns.length };
}

/** The report's data from the gathered facts (pure; the unit tests call it with canned probe output). */
export function inspectData(ctx: RunContext, d: Pick<DeployedApp, 'app' | 'base' | 'current' | 'previous'>, g: Gathered, windowSec: number): OpsInspectData {
  const f = g.facts;
  const target = ctx.executor.host.display;
  const read = parseBaseline(f.baselineText);
  const logs = anomaliesOf(g, read, (s) => ctx.redactor.mask(s));
  const service = summariseService(f);
  const version = {
    release: d.current.id, commit: d.current.commit, deployedAt: d.current.deployedAt, strategy: d.current.strategy, currentLink: f.current, rollbackPoint: d.previous?.id ?? null,
  };
  const resources = summariseResources(f);
  const disk = summariseDisk(f);
  const certificates = certStatuses(f.sites, f.certs, d.app, d.current.port ?? null, f.now ?? Math.floor(Date.now() / 1000));
  const recommendations: Recommendations = recommend({
    service, version, resources, disk, anomalies: logs.anomalies, certificates, windowSec, baseline: read.baseline, startedAt: lastStart(f), app: d.app, target,
  });
  return {
    task: 'inspect', windowSec, service, version, resources, disk,
    logs: {
      since: f.since === null ? null : new Date(f.since * 1000).toISOString(),
      sources: f.logs.map((s) => ({ source: `${s.kind} ${s.name}`, lines: s.lines.length, problem: s.problem })),
      lines: logs.lines, anomalies: logs.anomalies, patterns: logs.patterns,
    },
    certificates,
    baseline: { path: baselinePath(d.base), recordedAt: read.baseline?.recordedAt ?? null, release: read.baseline?.release ?? null, state: read.state },
    recommendations,
  };
}

/** One finding per section, each with its evidence; could-not-read is UNKNOWN, never PASS. */
export function inspectFindings(ctx: RunContext, data: OpsInspectData, g: Gathered): Finding[] {
  const ev = (what: string, out: string): string => opsEvidence(ctx, what, out);
  const s = data.service;
  const unitLines = g.facts.service.units.flatMap((u) => u.raw).join('\n');
  const out: Finding[] = [];
  if (g.error !== null) {
    out.push(opsFinding('inspect.probe', 'service', 'Inspection probe', 'unknown', `the probe did not complete: ${g.error}`, {
      evidence: ev(g.command.description ?? 'inspect probe', [g.res?.stdout.slice(-1500), g.res?.stderr.slice(-1500)].filter(Boolean).join('\n') || '(no output)'),
      remedy: 'check the connection to the target and that the user may run systemctl / pm2 / docker, then inspect again',
    }));
  }
  out.push(opsFinding('inspect.service', 'service', 'Service state', s.state === 'running' ? 'pass' : s.state === 'unknown' ? 'unknown' : 'fail',
    s.state === 'unknown' ? `could not be read: ${s.problem ?? 'no answer'}` : `${s.state}: ${s.units.map((u) => `${u.name} ${u.detail}`).join('; ') || s.problem}`,
    { evidence: ev(`${s.manager}: state of ${data.version.release}`, unitLines || s.problem || '(no output)'), remedy: s.state === 'unknown' ? 'run as root or a user with passwordless sudo; check the process manager is installed' : 'read the logs and restart it, or roll back' }));
  const r = data.resources;
  const unread = [r.rssBytes === null ? 'memory' : null, r.fds === null ? 'open files' : null, r.cpuPercent === null ? 'CPU' : null].filter(Boolean);
  const resStatus = s.state !== 'running' && r.processes.length === 0 ? 'skipped' : unread.length > 0 ? 'unknown' : 'pass';
  out.push(opsFinding('inspect.resources', 'resources', 'Resources', resStatus,
    resStatus === 'skipped' ? 'no process of the service to measure' : resStatus === 'unknown' ? `could not read ${unread.join(', ')} of the service's processes` : `${r.processes.length} process(es)`,
    { required: false, evidence: ev('/proc/PID/{stat,status,fd,limits,cgroup}', r.processes.map((p) => `PID ${p.pid} ${p.name}: rss ${p.rssBytes ?? '?'} B, fds ${p.fds ?? '?'}/${p.fdLimit ?? '?'}, threads ${p.threads ?? '?'}, cpu ${p.cpuPercent?.toFixed(1) ?? '?'}%`).join('\n') || '(no process)'),
      remedy: 'open fds of another user\'s process need root or passwordless sudo' }));
  const dk = data.disk;
  out.push(opsFinding('inspect.disk', 'disk', 'Disk', dk.baseBytes === null || dk.filesystem === null ? 'unknown' : 'pass',
    dk.filesystem ? `app ${dk.baseBytes ?? '?'} B; ${dk.filesystem.mount} ${dk.filesystem.usedPercent}% used` : 'df of the base directory gave no answer',
    { required: false, evidence: ev(`du -sk ${data.baseline.path.replace(/\/\.deckhand\/baseline\.json$/, '')}; df -Pk`, `base ${dk.baseBytes ?? '?'} B, releases ${dk.releasesBytes ?? '?'} B, logs ${dk.logsBytes ?? '?'} B`) }));
  for (const src of data.logs.sources.filter((x) => x.problem !== null)) {
    out.push(opsFinding(`inspect.logs.${src.source}`, 'logs', `Logs: ${src.source}`, 'unknown', `could not be read: ${src.problem ?? ''}`.slice(0, 300), {
      required: false, remedy: 'inspect as root or a user with passwordless sudo (or in the systemd-journal group)',
    }));
  }
  const fresh = data.logs.anomalies.filter((a) => a.isNew);
  if (data.logs.sources.some((x) => x.problem === null)) {
    out.push(opsFinding('inspect.logs', 'logs', 'Log anomalies', fresh.length > 0 ? 'warn' : 'pass',
      `${data.logs.lines} lines, ${data.logs.anomalies.length} warning-or-worse pattern(s)${data.baseline.state === 'present' ? `, ${fresh.length} NEW since the baseline` : ' (no baseline to compare with)'}`,
      { required: false, evidence: ev(`logs of the last ${data.windowSec}s`, data.logs.anomalies.slice(0, 10).map((a) => `${a.severity} ×${a.count}${a.isNew ? ' NEW' : ''}: ${a.pattern}`).join('\n') || '(no anomalies)') }));
  }
  for (const c of data.certificates) {
    out.push(opsFinding(`inspect.cert.${c.path}`, 'certificates', `Certificate ${c.domains.join(', ') || c.path}`, c.status === 'ok' ? 'pass' : c.status === 'unknown' ? 'unknown' : 'warn',
      c.status === 'unknown' ? `could not be read: ${c.problem ?? ''}` : `${c.daysLeft} days left (${c.notAfter ?? '?'}), issuer ${c.issuer ?? '?'}`,
      { required: false, evidence: ev(`openssl x509 -in ${c.path} -noout -subject -issuer -enddate`, `${c.subject ?? ''}\n${c.issuer ?? ''}\nnotAfter ${c.notAfter ?? '?'}`), remedy: `deckhand ops certs; the certificate is named in ${c.site}` }));
  }
  return out;
}

/** ok, attention (an immediate recommendation), or unknown (the service state could not be read). */
export function inspectStatus(data: OpsInspectData): OperationsReport['status'] {
  if (data.service.state === 'unknown') return 'unknown';
  return data.recommendations.immediate.length > 0 ? 'attention' : 'ok';
}

export async function inspect(ctx: RunContext, opts: InspectOptions): Promise<OperationsReport> {
  const now = ctx.now?.() ?? new Date();
  const { log, finish } = startTask(ctx, opts.app);
  log.begin('app', `read the deployment of ${opts.app}`);
  const d = await loadDeployedApp(ctx, opts.app, opts.baseDir).catch((e: unknown) => { log.end('fail'); throw e; });
  await registerEnvSecrets(ctx, d);
  log.end('pass', `release ${d.current.id} (${d.current.strategy})`);
  const windowSec = releaseWindow(opts.windowSec ?? DEFAULT_WINDOW_SEC, d.current.deployedAt, now);
  log.begin('probe', 'read service, processes, disk, logs and certificates');
  const g = await gatherFacts(ctx, { app: d.app, base: d.base, strategy: d.current.strategy, port: d.current.port ?? null }, windowSec);
  log.end(g.error === null ? 'pass' : 'unknown', g.error ?? undefined);
  const data = inspectData(ctx, d, g, windowSec);
  const report = finish(inspectFindings(ctx, data, g), data);
  return ctx.redactor.maskDeep({ ...report, status: inspectStatus(data) });
}
