// Markdown of the zero-downtime benchmark: one row per scenario (medians), one line per run, the legend.
import type { RowFigures, RunFigures } from './stats.js';

/** A scenario's outcome: its runs, or why it could not be measured. */
export type ScenarioResult =
  | { name: string; status: 'measured'; row: RowFigures; runs: RunFigures[]; deployFailures: string[] }
  | { name: string; status: 'not available'; reason: string };

const HEAD = ['scenario', 'runs', 'requests sent', 'sent/s', 'failed', 'failed %', 'retried', 'longest gap (ms)', 'p99 before (ms)', 'p99 during (ms)', 'p99 after (ms)', 'switch time (ms)'];

/** A figure for the table; unknown is "—", never 0. */
export function fmt(v: number | null, digits = 0): string {
  return v === null ? '—' : v.toFixed(digits);
}

const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');

export function renderTable(results: readonly ScenarioResult[]): string {
  const lines = [`| ${HEAD.join(' | ')} |`, `|${HEAD.map(() => '---').join('|')}|`];
  for (const r of results) {
    if (r.status === 'not available') {
      lines.push(`| ${cell(r.name)} | ${cell(`not available: ${r.reason}`)} |${' |'.repeat(HEAD.length - 2)}`);
      continue;
    }
    const f = r.row;
    const name = r.deployFailures.length > 0 ? `${r.name} (${r.deployFailures.length} of ${f.runs} deploys failed)` : r.name;
    lines.push(`| ${[cell(name), String(f.runs), fmt(f.sent), fmt(f.rate), fmt(f.failed), fmt(f.failedPct, 2), fmt(f.retried), fmt(f.longestGapMs), fmt(f.p99.before, 1), fmt(f.p99.during, 1), fmt(f.p99.after, 1), fmt(f.switchMs)].join(' | ')} |`);
  }
  return lines.join('\n');
}

/** Which release answered, in order; a long back-and-forth (old and new answering side by side) is summed up. */
export function renderVersionOrder(order: readonly string[]): string {
  if (order.length === 0) return 'nothing';
  if (order.length <= 4) return order.join(' → ');
  return `${order[0] ?? ''} → ${order[1] ?? ''} … ${order[order.length - 1] ?? ''} (the answering release changed ${order.length - 1} times while both answered)`;
}

const signed = (v: number | null): string => (v === null ? '—' : `${v >= 0 ? '+' : ''}${v.toFixed(0)} ms`);

/** One line per run: the figures behind the medians, where the gap and the switch fell, and what answered. */
export function renderRunLine(name: string, i: number, r: RunFigures, deployOutcome: string): string {
  const by = r.failedBy;
  return [
    `- ${name} #${i + 1}: deploy ${deployOutcome} in ${r.deployMs.toFixed(0)} ms; ${r.sent} requests (${r.rate.toFixed(0)}/s), failed ${r.failed}`,
    ` (non-2xx ${by.non2xx}, socket ${by.socket}, timeout ${by.timeout}, unanswered at the end ${by.abandoned}${r.failedSentAtMs.length > 0 ? `; first sent at ${r.failedSentAtMs.map(signed).join(', ')}` : ''}), retried ${r.retried};`,
    ` longest gap ${fmt(r.longestGapMs)} ms at ${signed(r.gapAtMs)}; p99 ${fmt(r.p99.before, 1)} / ${fmt(r.p99.during, 1)} / ${fmt(r.p99.after, 1)} ms;`,
    ` switch ${fmt(r.switchMs)} ms from ${signed(r.switchAtMs)}; first new answer ${signed(r.firstNewAtMs)}, last old ${signed(r.lastOldAtMs)}; answered: ${renderVersionOrder(r.versionOrder)}`,
  ].join('');
}

export const LEGEND = [
  'failed = non-2xx answers + socket errors + timeouts + requests unanswered when the load ended.',
  'retried = requests sent again once, at once, on a new connection because the server closed their reused keep-alive connection before answering (RFC 9112 9.3.1; browsers and curl do the same); each counts once, as failed if its retry failed.',
  'longest gap = longest time without a 2xx answer, from the first answer to the end of the load. p99 = 2xx latency of the requests sent before / during / after the deploy command ran.',
  'Times in the run lines are from the deploy start. switch time = duration of the command that moved traffic, from the execution report; per scenario it covers:',
].join('\n');
