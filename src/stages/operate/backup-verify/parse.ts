// Parses the restore script's output (restoreCheckCommand): facts, each step's exit status and output, timestamps, tables.
import type { OpsBackupVerifyData } from '../../../report/ops/backup-verify.js';

export interface RestoreRun {
  facts: Map<string, string>;
  /** `@@<step> <exit>` in the order printed, with the indented lines that followed. */
  steps: { name: string; code: number | null; output: string }[];
  /** Marks: name → uptime seconds. */
  marks: Map<string, number>;
  tables: { schema: string; name: string; rows: number }[];
  /** Output of the count query when it failed. */
  countError: string | null;
  done: boolean;
}

/** A plain `@@word [n]` line; `@@t` marks and the table block are handled apart. */
const STEP = /^@@([a-z_-]+)(?: (.*))?$/;

export function parseRestore(text: string): RestoreRun {
  const run: RestoreRun = { facts: new Map(), steps: [], marks: new Map(), tables: [], countError: null, done: false };
  let inTables = false;
  const tableLines: string[] = [];
  for (const line of text.split('\n')) {
    if (inTables) {
      const c = /^@@count (\d+)$/.exec(line);
      if (c) {
        inTables = false;
        if (c[1] !== '0') run.countError = tableLines.join('\n').trim() || `exit ${c[1]}`;
        else for (const l of tableLines) { const r = parseTableLine(l); if (r) run.tables.push(r); }
        continue;
      }
      tableLines.push(line);
      continue;
    }
    if (line === '@@tables') { inTables = true; continue; }
    const t = /^@@t (\S+) (\d+(?:\.\d+)?)$/.exec(line);
    if (t?.[1]) { run.marks.set(t[1], Number(t[2])); continue; }
    if (line === '@@done') { run.done = true; continue; }
    const m = STEP.exec(line);
    if (m?.[1]) {
      const code = m[2] !== undefined && /^\d+$/.test(m[2]) ? Number(m[2]) : null;
      run.steps.push({ name: m[1], code, output: m[2] !== undefined && code === null ? m[2] : '' });
      continue;
    }
    if (line.startsWith('  ')) {
      const last = run.steps[run.steps.length - 1];
      if (last) last.output = `${last.output}${last.output ? '\n' : ''}${line.slice(2)}`;
      continue;
    }
    const eq = line.indexOf('=');
    if (eq > 0 && !run.facts.has(line.slice(0, eq))) run.facts.set(line.slice(0, eq), line.slice(eq + 1));
  }
  return run;
}

function parseTableLine(l: string): { schema: string; name: string; rows: number } | null {
  const f = l.split('\t');
  if (f.length < 3) return null;
  const rows = f[f.length - 1] ?? '';
  if (!/^\d+$/.test(rows)) return null;
  return { schema: f[0] ?? '', name: f.slice(1, -1).join('\t'), rows: Number(rows) };
}

export function step(run: RestoreRun, name: string): RestoreRun['steps'][number] | undefined {
  return run.steps.find((s) => s.name === name);
}

/** Milliseconds between two marks, or null. */
export function between(run: RestoreRun, from: string, to: string): number | null {
  const a = run.marks.get(from);
  const b = run.marks.get(to);
  return a === undefined || b === undefined ? null : Math.max(0, Math.round((b - a) * 1000));
}

export function formatOf(v: string | undefined): OpsBackupVerifyData['format'] {
  return v === 'pg-custom' || v === 'pg-directory' || v === 'pg-tar' || v === 'pg-plain' || v === 'mysql' || v === 'unknown' ? v : null;
}
