// The data of `deckhand ops inspect` in the Operations Report, and its Markdown section (the guide's Operations Inspection Report).
import { z } from 'zod';
import { formatBytes } from '../../core/units.js';

export const LogPatternSchema = z.object({
  id: z.string().describe('short hash of the pattern text'),
  pattern: z.string().describe('the line with numbers, hex ids, uuids, addresses, quoted values, timestamps and secrets replaced'),
  severity: z.enum(['critical', 'error', 'warning', 'info']),
  catalogue: z.string().nullable().describe('entry of the verify log catalogue that matched, or null'),
  count: z.number().int().nonnegative(),
  firstSeen: z.string().nullable(),
  lastSeen: z.string().nullable(),
  source: z.string(),
});

export const RecommendationSchema = z.object({
  id: z.string(),
  text: z.string(),
  evidence: z.string(),
});
export type Recommendation = z.infer<typeof RecommendationSchema>;

const ProcessSchema = z.object({
  pid: z.number().int(),
  name: z.string(),
  cpuPercent: z.number().nullable(),
  rssBytes: z.number().nullable(),
  threads: z.number().int().nullable(),
  fds: z.number().int().nullable(),
  fdLimit: z.number().int().nullable(),
});

export const ResourcesSchema = z.object({
  processes: z.array(ProcessSchema),
  cpuPercent: z.number().nullable().describe('sum over the processes, % of one core'),
  rssBytes: z.number().nullable(),
  memoryLimitBytes: z.number().nullable(),
  memoryLimitSource: z.string().describe('cgroup, systemd MemoryMax, container limit, pm2 max_memory_restart, or "none (host memory …)"'),
  hostMemoryBytes: z.number().nullable(),
  fds: z.number().int().nullable().describe('highest count of open fds of one process'),
  fdLimit: z.number().int().nullable().describe('that process\'s limit (Max open files)'),
  threads: z.number().int().nullable(),
});

export const DiskSchema = z.object({
  baseBytes: z.number().nullable(),
  releasesBytes: z.number().nullable(),
  logsBytes: z.number().nullable(),
  filesystem: z.object({ mount: z.string(), usedPercent: z.number(), availBytes: z.number(), totalBytes: z.number() }).nullable(),
  docker: z.object({ images: z.array(z.object({ name: z.string(), size: z.string() })), containers: z.array(z.object({ name: z.string(), size: z.string() })) }).nullable(),
});

export const CertificateSchema = z.object({
  path: z.string(),
  domains: z.array(z.string()),
  site: z.string(),
  subject: z.string().nullable(),
  issuer: z.string().nullable(),
  notAfter: z.string().nullable(),
  daysLeft: z.number().int().nullable(),
  status: z.enum(['ok', 'expiring', 'expired', 'unknown']),
  problem: z.string().nullable(),
});

export const OpsInspectDataSchema = z.object({
  task: z.literal('inspect'),
  windowSec: z.number().int().positive(),
  service: z.object({
    manager: z.string(),
    units: z.array(z.object({ name: z.string(), state: z.string(), detail: z.string(), pid: z.number().int().nullable(), restarts: z.number().int().nullable(), startedAt: z.string().nullable() })),
    state: z.enum(['running', 'degraded', 'stopped', 'unknown']),
    uptimeSec: z.number().int().nullable(),
    restarts: z.number().int().nullable(),
    problem: z.string().nullable(),
  }),
  version: z.object({
    release: z.string(),
    commit: z.string().nullable(),
    deployedAt: z.string(),
    strategy: z.string(),
    currentLink: z.string().nullable().describe('where <base>/current points on the target'),
    rollbackPoint: z.string().nullable(),
  }),
  resources: ResourcesSchema,
  disk: DiskSchema,
  logs: z.object({
    since: z.string().nullable().describe('start of the window on the target\'s clock: the window asked for, never before the current release was deployed'),
    sources: z.array(z.object({ source: z.string(), lines: z.number().int(), problem: z.string().nullable() })),
    lines: z.number().int().nonnegative(),
    anomalies: z.array(LogPatternSchema.extend({
      isNew: z.boolean().nullable().describe('absent from the baseline; null when there is no baseline to compare with'),
      baselineCount: z.number().int().nullable(),
    })),
    patterns: z.number().int().nonnegative().describe('distinct patterns in the window, info included'),
  }),
  certificates: z.array(CertificateSchema),
  baseline: z.object({ path: z.string(), recordedAt: z.string().nullable(), release: z.string().nullable(), state: z.enum(['present', 'absent', 'unreadable']) }),
  recommendations: z.object({ immediate: z.array(RecommendationSchema), observe: z.array(RecommendationSchema) }),
});
export type OpsInspectData = z.infer<typeof OpsInspectDataSchema>;
export type InspectAnomaly = OpsInspectData['logs']['anomalies'][number];

function bytes(n: number | null): string {
  return n === null ? 'unknown' : formatBytes(n);
}

function duration(sec: number): string {
  const d = Math.floor(sec / 86400);
  const h = Math.floor((sec % 86400) / 3600);
  const m = Math.floor((sec % 3600) / 60);
  if (d > 0) return `${d} day${d === 1 ? '' : 's'}, ${h} hour${h === 1 ? '' : 's'}`;
  if (h > 0) return `${h} hour${h === 1 ? '' : 's'}, ${m} minute${m === 1 ? '' : 's'}`;
  return m > 0 ? `${m} minute${m === 1 ? '' : 's'}` : `${sec} seconds`;
}

function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function ratio(used: number | null, limit: number | null, fmt: (n: number) => string): string {
  if (used === null) return 'unknown';
  return limit === null ? fmt(used) : `${fmt(used)} / ${fmt(limit)} (${((used / limit) * 100).toFixed(0)}%)`;
}

function serviceLines(d: OpsInspectData): string[] {
  const s = d.service;
  const units = s.units.map((u) => `${u.name}: ${u.detail}${u.pid ? `, PID ${u.pid}` : ''}`).join('; ');
  return [
    '## Service State', '',
    `- **Target:** \`${s.units[0]?.name ?? d.version.strategy}\` (${s.manager})`,
    `- **State:** ${s.state.toUpperCase()}${units ? ` — ${units}` : ''}${s.problem ? ` — ${s.problem}` : ''}`,
    `- **Uptime:** ${s.uptimeSec === null ? 'unknown' : duration(s.uptimeSec)}`,
    `- **Restarts:** ${s.restarts ?? 'unknown'}`,
    `- **Current Version:** release \`${d.version.release}\`${d.version.commit ? ` (Commit \`${d.version.commit.slice(0, 7)}\`)` : ''}, deployed ${d.version.deployedAt} (${d.version.strategy})`,
    `- **Rollback point:** ${d.version.rollbackPoint ? `\`${d.version.rollbackPoint}\`` : 'none'}`,
  ];
}

function resourceLines(d: OpsInspectData): string[] {
  const r = d.resources;
  const k = d.disk;
  const fs = k.filesystem ? `; filesystem ${k.filesystem.mount} ${k.filesystem.usedPercent}% used, ${formatBytes(k.filesystem.availBytes)} free` : '';
  const docker = k.docker ? [`- **Docker:** images ${k.docker.images.map((i) => `${i.name} ${i.size}`).join(', ') || 'none'}; containers ${k.docker.containers.map((c) => `${c.name} ${c.size}`).join(', ') || 'none'}`] : [];
  return [
    '## Resource Utilization', '',
    `- **CPU:** ${r.cpuPercent === null ? 'unknown' : `${r.cpuPercent.toFixed(1)}% of one core`} (${r.processes.length} process${r.processes.length === 1 ? '' : 'es'})`,
    `- **Memory:** ${ratio(r.rssBytes, r.memoryLimitBytes, formatBytes)} RSS — limit: ${r.memoryLimitSource}`,
    `- **Open files:** ${ratio(r.fds, r.fdLimit, String)}`,
    `- **Threads:** ${r.threads ?? 'unknown'}`,
    `- **Disk:** app ${bytes(k.baseBytes)} (releases ${bytes(k.releasesBytes)}, logs ${bytes(k.logsBytes)})${fs}`,
    ...docker,
  ];
}

function logLines(d: OpsInspectData): string[] {
  const l = d.logs;
  const src = l.sources.map((s) => `${s.source} (${s.problem ? `UNKNOWN: ${s.problem}` : `${s.lines} lines`})`).join(', ') || 'none';
  const out = ['## Log Anomalies', '', `- Scanned the last ${duration(d.windowSec)} of logs${l.since ? ` (since ${l.since}; never before the current release's deploy)` : ''}: ${src}; ${l.lines} lines, ${l.patterns} distinct patterns.`];
  if (l.anomalies.length === 0) {
    out.push('- No error or warning patterns in the window.');
    return out;
  }
  out.push('', '| Severity | Pattern | Count | First seen | Last seen | New |', '|---|---|---|---|---|---|');
  for (const a of l.anomalies) {
    const isNew = a.isNew === null ? 'no baseline' : a.isNew ? '**NEW**' : `known (${a.baselineCount ?? 0} at baseline)`;
    out.push(`| ${a.severity.toUpperCase()} | \`${cell(a.pattern)}\` | ${a.count} | ${a.firstSeen ?? '?'} | ${a.lastSeen ?? '?'} | ${isNew} |`);
  }
  return out;
}

function certLines(d: OpsInspectData): string[] {
  if (d.certificates.length === 0) return ['## Certificate Status', '', '- No TLS certificate in the nginx sites that serve this app.'];
  const out = ['## Certificate Status', ''];
  for (const c of d.certificates) {
    out.push(`- **Domain:** \`${c.domains.join(', ') || '(no server_name)'}\` — ${c.path}`);
    if (c.status === 'unknown') { out.push(`  - **UNKNOWN:** could not be read: ${c.problem ?? 'no answer'}`); continue; }
    out.push(`  - **Issuer:** ${c.issuer ?? 'unknown'}`, `  - **Expires In:** ${c.daysLeft} days (${c.notAfter ?? '?'}) — ${c.status.toUpperCase()}`);
  }
  return out;
}

function recommendationLines(d: OpsInspectData): string[] {
  const { immediate, observe } = d.recommendations;
  const out = ['## Recommendations', ''];
  if (immediate.length === 0 && observe.length === 0) return [...out, 'Service is healthy. No immediate operational actions required.'];
  out.push('### Immediate', '', ...(immediate.length ? immediate.map((r) => `- ${r.text} _(evidence: ${r.evidence})_`) : ['- None.']));
  out.push('', '### Observe', '', ...(observe.length ? observe.map((r) => `- ${r.text} _(evidence: ${r.evidence})_`) : ['- None.']));
  return out;
}

export function renderInspectMarkdown(d: OpsInspectData): string[] {
  return [
    ...serviceLines(d), '', ...resourceLines(d), '', ...logLines(d), '', ...certLines(d), '', ...recommendationLines(d),
    '', `_Baseline: ${d.baseline.state === 'present' ? `${d.baseline.path}, recorded ${d.baseline.recordedAt ?? '?'} for release ${d.baseline.release ?? '?'}` : `${d.baseline.state} (${d.baseline.path})`}._`,
  ];
}
