// Markdown rendering of the Readiness Report, in the section layout of the guide's example.
import type { Finding } from './common.js';
import type { ReadinessReport } from './readiness.js';

export const STATUS_LABEL: Record<Finding['status'], string> = {
  pass: 'PASS', warn: 'WARNING', block: 'BLOCKER', fail: 'FAIL', unknown: 'UNKNOWN', skipped: 'SKIPPED',
};

const SECTIONS: [string, string][] = [
  ['system', 'System Resources'],
  ['runtimes', 'Runtimes & Dependencies'],
  ['network', 'Network & Ports'],
  ['permissions', 'Permissions'],
  ['secrets', 'Required Secrets'],
];

/** Inline code that survives backticks inside the value. */
function code(s: string): string {
  const ticks = s.includes('`') ? '``' : '`';
  return `${ticks}${s.replace(/\n/g, ' ')}${ticks}`;
}

function line(f: Finding): string {
  const label = STATUS_LABEL[f.status];
  const blockingUnknown = f.status === 'unknown' && f.required ? ' (required: blocks)' : '';
  const out = [`- **${f.title}:** ${f.summary} - **${label}**${blockingUnknown}`];
  if (f.evidence) out.push(`  - evidence: ${code(f.evidence)}`);
  return out.join('\n');
}

export function renderReadinessMarkdown(r: ReadinessReport): string {
  const out: string[] = [`## Host Readiness Report: \`${r.target.display}\``, ''];
  const req = r.data.requirements;
  const facts = r.data.facts;
  out.push(`_deckhand ${r.tool.version} · ${r.startedAt} · ${r.durationMs} ms · strategy: ${req.strategy ?? 'not set'} · user: ${facts.user.name ?? '?'}_`, '');
  for (const [key, title] of SECTIONS) {
    const fs = r.findings.filter((f) => f.section === key);
    if (fs.length === 0) continue;
    out.push(`### ${title}`, ...fs.map(line), '');
  }
  const detected = Object.entries(facts.tools).filter(([, t]) => t.present).map(([n, t]) => `${n} ${t.version ?? '?'}`);
  out.push('### Detected Tools', detected.length > 0 ? detected.join(' · ') : 'none of the known runtimes and tools were found', '');
  out.push('### Conclusion', `The host is **${r.data.verdict}** for deployment.`, '');
  if (r.data.requiredActions.length > 0) {
    out.push(r.data.verdict === 'NOT READY' ? '**Required Actions Before Execution:**' : '**Recommended Actions:**');
    r.data.requiredActions.forEach((a, i) => out.push(`${i + 1}. ${a}`));
    out.push('');
  }
  return out.join('\n');
}
