// Log lines → normalised patterns (variable parts replaced), grouped with counts, first/last seen and a severity.
import { createHash } from 'node:crypto';
import { LOG_PATTERNS } from '../../verify/log-patterns.js';
import { fileLinesSince, type LogSource } from '../../verify/checks/logs.js';

export type Severity = 'critical' | 'error' | 'warning' | 'info';

export const SEVERITY_RANK: Record<Severity, number> = { critical: 3, error: 2, warning: 1, info: 0 };

/** One normalised pattern seen in the window. */
export interface PatternStat {
  /** Stable id: a short hash of the pattern text. */
  id: string;
  pattern: string;
  severity: Severity;
  /** The catalogue entry of src/stages/verify/log-patterns.ts that matched, or null. */
  catalogue: string | null;
  count: number;
  /** ISO times of the first and last line (null when the lines carried no time). */
  firstSeen: string | null;
  lastSeen: string | null;
  /** Where it was seen first, e.g. "journal api.service". */
  source: string;
}

const ISO = String.raw`\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?`;
// journalctl -o short-iso: `2026-12-01T14:00:02+0000 host ident[pid]: message`.
const JOURNAL = new RegExp(String.raw`^(${ISO}) \S+ ([^\s:[]+)(?:\[\d+\])?: ?(.*)$`);
// docker logs --timestamps: `2026-12-01T14:00:02.123456789Z message`; pm2's log_date_format: `2026-12-01T14:00:02.123+00:00: message`.
const STAMPED = new RegExp(String.raw`^(${ISO}):? (.*)$`);

function parseTime(s: string): number | null {
  const t = Date.parse(s.replace(' ', 'T').replace(',', '.').replace(/([+-]\d{2})(\d{2})$/, '$1:$2').replace(/(\.\d{3})\d+/, '$1'));
  return Number.isNaN(t) ? null : t;
}

/** A line's time (ms, or null) and its message without the time and journal prefix; the journal's identifier is kept. */
export function splitLogLine(kind: string, line: string): { at: number | null; text: string } {
  if (kind === 'journal') {
    const m = JOURNAL.exec(line);
    if (m?.[1]) return { at: parseTime(m[1]), text: `${m[2] ?? ''}: ${m[3] ?? ''}` };
  }
  const m = STAMPED.exec(line);
  if (m?.[1]) return { at: parseTime(m[1]), text: m[2] ?? '' };
  return { at: null, text: line };
}

/**
 * Replacements in order: secrets first (a value after a secret-looking key, URL credentials, bearer tokens),
 * then quoted values, uuids, timestamps, addresses, hex ids, long tokens and numbers. Two lines that differ only
 * in those parts give the same pattern, and no value of them survives into a report or a baseline.
 */
const RULES: readonly [RegExp, string][] = [
  [/\b([\w.-]*(?:password|passwd|pwd|secret|token|api[_-]?key|apikey|auth|credential|cookie|session|signature)[\w.-]*)(\s*[=:]\s*)("[^"]*"|'[^']*'|[^\s,;&)\]}]+)/gi, '$1$2<secret>'],
  [/\b([a-z][a-z0-9+.-]*:\/\/)[^\s:/@]*:[^\s@/]*@/gi, '$1<user>:<secret>@'],
  [/\b(Bearer|Basic|Token)\s+[A-Za-z0-9._~+/=-]+/g, '$1 <secret>'],
  [/"(?:[^"\\]|\\.)*"/g, '"<str>"'],
  [/'(?:[^'\\]|\\.)*'/g, "'<str>'"],
  [/`[^`]*`/g, '`<str>`'],
  [/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<uuid>'],
  [new RegExp(String.raw`\b${ISO}\b`, 'g'), '<time>'],
  [/\b\d{1,2}:\d{2}:\d{2}(?:\.\d+)?\b/g, '<time>'],
  [/\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b/g, '<email>'],
  [/\b(?:\d{1,3}\.){3}\d{1,3}(?::\d+)?\b/g, '<ip>'],
  [/(?:\b[0-9a-f]{1,4}(?::[0-9a-f]{0,4}){2,7}\b|::1\b|::ffff:<ip>)/gi, '<ip>'],
  [/\b0x[0-9a-f]+\b/gi, '<hex>'],
  [/\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{8,}\b/gi, '<hex>'],
  [/\b(?=[A-Za-z0-9_-]*\d)(?=[A-Za-z0-9_-]*[A-Za-z])[A-Za-z0-9_-]{24,}\b/g, '<token>'],
  // Digits inside words too (worker-3, v1.2.3, node18): versions and indexes vary, the message does not.
  [/\d+(?:\.\d+)*/g, '<n>'],
  [/\s+/g, ' '],
];

/** The line's pattern: every variable part replaced, at most 240 characters. */
export function normalisePattern(text: string): string {
  let out = text;
  for (const [re, to] of RULES) out = out.replace(re, to);
  out = out.trim();
  return out.length > 240 ? `${out.slice(0, 239)}…` : out;
}

/**
 * Severity: the verify catalogue where a specific entry matches the raw line (blocking → critical, observe →
 * warning); otherwise words of the pattern (error, failed, exception → error; warn → warning); else info.
 */
export function severityOf(raw: string, pattern: string): { severity: Severity; catalogue: string | null } {
  for (const p of LOG_PATTERNS) {
    if (p.id === 'error' || !p.re.test(raw)) continue;
    return { severity: p.level === 'blocking' ? 'critical' : 'warning', catalogue: p.id };
  }
  if (/\b(error|err|errors|fail|failed|failure|exception|fatal|panic|crash(ed)?)\b/i.test(pattern)) {
    const generic = LOG_PATTERNS.find((p) => p.id === 'error');
    return { severity: 'error', catalogue: generic?.re.test(raw) ? 'error' : null };
  }
  if (/\b(warn|warning|deprecated)\b/i.test(pattern)) return { severity: 'warning', catalogue: null };
  return { severity: 'info', catalogue: null };
}

export function patternId(pattern: string): string {
  return createHash('sha256').update(pattern).digest('hex').slice(0, 10);
}

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

/**
 * Groups the lines of readable sources by pattern. File sources (pm2 logs, shared by every release) keep only
 * lines from `sinceMs` on; journal and docker sources were already read for the window. `mask` (the redactor)
 * runs on each line before it is normalised: once digits became <n>, a registered secret could no longer be found.
 */
export function groupPatterns(sources: readonly LogSource[], sinceMs: number | null, mask: (s: string) => string): { patterns: PatternStat[]; lines: number } {
  const byPattern = new Map<string, PatternStat & { firstAt: number | null; lastAt: number | null }>();
  let total = 0;
  for (const s of sources) {
    if (s.problem !== null) continue;
    const lines = s.kind === 'file' && sinceMs !== null ? fileLinesSince(s.lines, new Date(sinceMs)).lines : s.lines;
    let lastAt: number | null = null;
    for (const line of lines) {
      const { at, text } = splitLogLine(s.kind, mask(line));
      if (text.trim() === '') continue;
      total++;
      // A line without a time (the rest of a multi-line entry) is as old as the line above it.
      const when: number | null = at ?? lastAt;
      lastAt = when;
      const pattern = normalisePattern(text);
      const g = byPattern.get(pattern);
      if (g) {
        g.count++;
        if (when !== null) {
          if (g.firstAt === null || when < g.firstAt) g.firstAt = when;
          if (g.lastAt === null || when > g.lastAt) g.lastAt = when;
        }
        continue;
      }
      const sev = severityOf(text, pattern);
      byPattern.set(pattern, { id: patternId(pattern), pattern, ...sev, count: 1, firstSeen: null, lastSeen: null, source: `${s.kind} ${s.name}`, firstAt: when, lastAt: when });
    }
  }
  const patterns = [...byPattern.values()].map(({ firstAt, lastAt, ...p }) => ({ ...p, firstSeen: iso(firstAt), lastSeen: iso(lastAt) }));
  patterns.sort((a, b) => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] || b.count - a.count || a.pattern.localeCompare(b.pattern));
  return { patterns, lines: total };
}
