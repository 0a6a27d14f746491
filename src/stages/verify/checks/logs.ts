// Logs layer: the service's log lines since the deploy, bounded, scanned against the catalogue of fatal and suspicious patterns.
import { recentLogsCommand, type ManagerKind } from '../../../commands/verify-probe.js';
import type { Finding } from '../../../report/common.js';
import { LOG_PATTERNS, scanLines, type PatternHit } from '../log-patterns.js';
import type { LayerCheck, LayerInput } from '../types.js';
import { evidence, managerKinds, parseHeader, probeFailed, runProbe, vfinding, type ProbeHeader } from './on-target.js';
import { pm2For } from '../../../core/pm2-binary.js';

/** Lines and bytes read per source: enough for a startup and a crash loop, bounded for a chatty app. */
export const LOG_MAX_LINES = 2000;
export const LOG_MAX_BYTES = 512 * 1024;

export interface LogSource {
  /** journal | file | container */
  kind: string;
  name: string;
  lines: string[];
  /** Exit status of the reading command; null when its end was not seen. */
  rc: number | null;
  /** Why the source could not be read, or null. */
  problem: string | null;
}

export interface LogsProbe extends ProbeHeader {
  sources: LogSource[];
  complete: boolean;
}

// journalctl prints these instead of failing when the user may not read the unit's entries.
const JOURNAL_BLIND = /not seeing messages from other users|insufficient permissions|No journal files were (found|opened)/i;

/** Parses the output of recentLogsCommand. */
export function parseLogsProbe(text: string, maxBytes = LOG_MAX_BYTES): LogsProbe {
  const sources: LogSource[] = [];
  let cur: LogSource | null = null;
  let bytes = 0;
  const close = (): void => {
    if (!cur) return;
    // A source cut by the byte cap starts mid-line: that partial first line is dropped.
    if (bytes >= maxBytes && cur.lines.length > 0) cur.lines.shift();
    const blind = cur.lines.find((l) => JOURNAL_BLIND.test(l));
    if (cur.kind === 'journal' && blind) cur.problem = blind.trim();
    else if (cur.rc !== null && cur.rc !== 0) cur.problem = cur.lines.slice(-3).join(' ').trim() || `exit ${cur.rc}`;
    else if (cur.rc === null) cur.problem = 'the output ended early';
    if (cur.kind === 'journal') cur.lines = cur.lines.filter((l) => !/^-- (No entries|Journal begins|Logs begin)/.test(l) && !JOURNAL_BLIND.test(l));
    sources.push(cur);
    cur = null;
  };
  for (const line of text.split('\n')) {
    const head = /^@@log (\S+) (.*)$/.exec(line);
    if (head) { close(); cur = { kind: head[1] ?? '', name: head[2] ?? '', lines: [], rc: null, problem: null }; bytes = 0; continue; }
    // The exit status may follow the last log line without a newline when the log did not end with one.
    const rc = /^(.*)@@rc (\d+)$/.exec(line);
    if (rc && cur) { if (rc[1]) cur.lines.push(rc[1]); cur.rc = Number(rc[2]); continue; }
    if (line === '@@end') { close(); continue; }
    if (cur && line !== '') { cur.lines.push(line); bytes += line.length + 1; }
  }
  close();
  return { ...parseHeader(text), sources, complete: /^@@end$/m.test(text) };
}

export interface MergedHit extends PatternHit { source: string }

/** Scans every source and merges the hits by pattern (first occurrence from the first source that has one). */
export function scanSources(sources: readonly LogSource[]): MergedHit[] {
  const merged = new Map<string, MergedHit>();
  for (const s of sources) {
    for (const h of scanLines(s.lines)) {
      const m = merged.get(h.pattern.id);
      if (m) m.count += h.count;
      else merged.set(h.pattern.id, { ...h, source: `${s.kind} ${s.name}` });
    }
  }
  return LOG_PATTERNS.flatMap((p) => { const h = merged.get(p.id); return h ? [h] : []; });
}

function readCommand(kind: ManagerKind, app: string, since: string | null, base: string | null): string {
  const s = since ? ` --since ${since}` : '';
  switch (kind) {
    case 'systemd': return `journalctl -u ${app}.service${since ? ` --since @<${since}>` : ''} -n ${LOG_MAX_LINES} -o short-iso | tail -c ${LOG_MAX_BYTES}`;
    case 'pm2': return `tail -n ${LOG_MAX_LINES} ${base ?? '<base>'}/shared/logs/${app}.out.log ${base ?? '<base>'}/shared/logs/${app}.err.log`;
    case 'docker': return `docker logs${s} --tail ${LOG_MAX_LINES} ${app}`;
    default: return `docker logs${s} --tail ${LOG_MAX_LINES} <each container of compose project ${app}>`;
  }
}

// pm2's log_date_format prefix (`2026-12-01T14:00:02.123+00:00: `), set by the generated ecosystem file.
const PM2_STAMP = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})): /;

/**
 * A pm2 log file's lines from `since` on: the files are shared by every release, so without this an error the
 * previous release logged would fail the new one. A line without a stamp (the rest of a multi-line write) is as
 * old as the stamped line above it; lines above the first stamp are kept unless that stamp is already older.
 */
export function fileLinesSince(lines: readonly string[], since: Date): { lines: string[]; undated: number } {
  const at = (l: string): number | null => {
    const m = PM2_STAMP.exec(l);
    const t = m?.[1] ? Date.parse(m[1]) : Number.NaN;
    return Number.isNaN(t) ? null : t;
  };
  const first = lines.map(at).find((t): t is number => t !== null);
  let cur: number | null = first !== undefined && first < since.getTime() ? first : null;
  let undated = 0;
  const out: string[] = [];
  for (const l of lines) {
    cur = at(l) ?? cur;
    if (cur === null) undated++;
    if (cur === null || cur >= since.getTime()) out.push(l);
  }
  return { lines: out, undated };
}

/** Judges the parsed logs (pure: the unit tests call it with canned output). */
export function judgeLogs(input: LayerInput, kinds: readonly ManagerKind[], auto: boolean, p: LogsProbe): Finding[] {
  const app = input.target.app ?? '';
  const since = input.target.since;
  const cmd = kinds.map((k) => readCommand(k, app, since, input.target.base)).join('; ');
  const mask = (s: string): string => input.ctx.redactor.mask(s);
  const out: Finding[] = [];
  const sinceDate = since !== null && !Number.isNaN(Date.parse(since)) ? new Date(since) : null;
  let undated = false;
  const readable = p.sources.filter((s) => s.problem === null).map((s) => {
    if (s.kind !== 'file') return s;
    if (!sinceDate) return s;
    const r = fileLinesSince(s.lines, sinceDate);
    undated ||= r.undated > 0;
    return { ...s, lines: r.lines };
  });
  const blind = p.sources.filter((s) => s.problem !== null);
  // With no strategy known, a source that does not exist for this app (no unit, no container) is not a failure.
  for (const s of auto ? [] : blind) {
    out.push(vfinding(`logs.read.${s.kind}`, 'logs', `Logs of ${app} can be read`, 'unknown', `${s.kind} ${s.name} could not be read: ${mask(s.problem ?? '').slice(0, 300)}`, {
      evidence: evidence(input, cmd, s.lines.slice(-5).join('\n')),
      remedy: s.kind === 'journal' ? 'verify as root or a user with passwordless sudo (or in the systemd-journal group)' : 'check the log files exist and the user may read them',
    }));
  }
  if (p.sources.length === 0 || (auto && readable.length === 0)) {
    out.push(vfinding('logs.read', 'logs', `Logs of ${app} can be read`, 'unknown', p.docker === 'unreachable' || p.docker === 'missing' ? `no log source could be read (docker=${p.docker})` : 'no log source was found for this app', {
      evidence: evidence(input, cmd, '(no source)'),
    }));
    return out;
  }
  // Nothing read is nothing proven: the unknowns above stand alone.
  if (readable.length === 0) return out;
  const total = readable.reduce((n, s) => n + s.lines.length, 0);
  const where = readable.map((s) => `${s.kind} ${s.name} (${s.lines.length} lines)`).join(', ');
  const sinceText = since ? `since ${since}` : `(no deploy time known: the last ${LOG_MAX_LINES} lines per source)`;
  const noTimestamps = undated ? ' Some pm2 log lines carry no timestamp (written before deckhand dated them), so lines from before the deploy may be included.' : '';
  for (const h of scanSources(readable)) {
    const first = mask(h.first).slice(0, 300);
    out.push(vfinding(`logs.${h.pattern.id}`, 'logs', `Logs: ${h.pattern.title}`, h.pattern.level === 'blocking' ? 'fail' : 'warn',
      `${h.count} line(s) ${sinceText}; first (line ${h.firstLine} of ${h.source}): ${first}`, {
        required: h.pattern.level === 'blocking',
        detail: `${h.pattern.hint}.${noTimestamps}`,
        evidence: evidence(input, cmd, `/${h.pattern.re.source}/ matched ${h.count} of ${total} lines\nfirst: ${first}`),
        remedy: h.pattern.level === 'blocking' ? `read the lines around it (${readCommand(kinds[0] ?? 'systemd', app, since, input.target.base)}) and fix the cause; roll back if users are affected` : 'read the lines around it',
      }));
  }
  if (!out.some((f) => f.status === 'fail' || f.status === 'warn')) {
    out.push(vfinding('logs.scan', 'logs', `Logs of ${app} show no fatal pattern`, 'pass', `${total} line(s) ${sinceText} from ${where}: none matches the ${LOG_PATTERNS.length} patterns`, {
      evidence: evidence(input, cmd, readable.map((s) => `${s.kind} ${s.name}: ${s.lines.length} lines${s.lines.length > 0 ? `, last: ${mask(s.lines[s.lines.length - 1] ?? '').slice(0, 200)}` : ''}`).join('\n')),
      ...(noTimestamps ? { detail: noTimestamps.trim() } : {}),
    }));
  }
  return out;
}

export const checkLogs: LayerCheck = async (input) => {
  const { app, since, base, strategy } = input.target;
  if (app === null) return [vfinding('logs.none', 'logs', 'Logs', 'skipped', 'no app named: a bare URL has no logs to read', { required: false })];
  const { kinds, auto } = managerKinds(input.target);
  if (kinds.length === 0) {
    return [vfinding('logs.none', 'logs', `Logs of ${app}`, strategy === 'static' ? 'skipped' : 'unknown',
      strategy === 'static' ? 'a static site has no app logs (nginx\'s are the proxy layer\'s)'
        : strategy === 'swarm' ? `swarm task logs are not scanned by verify: read them with docker service logs ${app}`
        : 'the script strategy names no process manager: where its logs go is not known', { required: false })];
  }
  const sinceDate = since !== null && !Number.isNaN(Date.parse(since)) ? new Date(since) : null;
  const cmd = recentLogsCommand({ app, kinds, since: sinceDate, maxLines: LOG_MAX_LINES, maxBytes: LOG_MAX_BYTES, base: base ?? '', pm2: pm2For(input.ctx.executor.host) });
  const run = await runProbe(input, cmd);
  const parsed = parseLogsProbe(run.text);
  if (run.error !== null || !parsed.complete) {
    return [probeFailed(input, 'logs', 'logs.read', `Logs of ${app} can be read`, cmd.description ?? 'read the logs', run, `read the logs of ${app}`)];
  }
  return judgeLogs(input, kinds, auto, parsed);
};
