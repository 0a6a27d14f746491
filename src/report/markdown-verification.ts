// Markdown rendering of the Verification Report, in the guide's layout (Process Health, Network & API Smoke Test, …, Conclusion).
import type { Finding } from './common.js';
import { STATUS_LABEL } from './markdown-readiness.js';
import type { VerificationReport } from './verification.js';

const SECTIONS: [string[], string][] = [
  [['process', 'port', 'version'], 'Process Health'],
  [['http', 'smoke'], 'Network & API Smoke Test'],
  [['tls'], 'TLS'],
  [['logs'], 'Log Verification'],
  [['deps'], 'Dependencies'],
  [['proxy'], 'Reverse Proxy'],
];

function code(s: string): string {
  const ticks = s.includes('`') ? '``' : '`';
  return `${ticks}${s.replace(/\n/g, ' ')}${ticks}`;
}

function line(f: Finding): string {
  const out = [`- **${f.title}:** ${f.summary} - **${STATUS_LABEL[f.status]}**${f.status === 'unknown' && f.required ? ' (required: counts as failed)' : ''}`];
  if (f.detail) out.push(...f.detail.split('\n').slice(0, 6).map((d) => `  - ${d}`));
  if (f.evidence) out.push(`  - evidence: ${code(f.evidence.length > 400 ? `${f.evidence.slice(0, 397)}...` : f.evidence)}`);
  if (f.remedy && f.status !== 'pass') out.push(`  - fix: ${f.remedy}`);
  return out.join('\n');
}

export function renderVerificationMarkdown(r: VerificationReport): string {
  const d = r.data;
  const s = d.subject;
  const out = ['## Verification Report', ''];
  const what = s.app ? `\`${s.app}\` (${s.strategy ?? '?'}) on \`${r.target.display}\`${s.release ? `, release \`${s.release}\`` : ''}` : `\`${s.url ?? r.target.display}\``;
  out.push(`_deckhand ${r.tool.version} · ${r.startedAt} · ${r.durationMs} ms · ${what}_`, '');
  for (const [layers, title] of SECTIONS) {
    const fs = r.findings.filter((f) => layers.includes(f.section));
    if (fs.length === 0 || fs.every((f) => f.status === 'skipped')) continue;
    out.push(`### ${title}`, ...fs.map(line), '');
  }
  const skipped = r.findings.filter((f) => f.status === 'skipped');
  if (skipped.length > 0) out.push('### Not checked', ...skipped.map((f) => `- ${f.title}: ${f.summary}`), '');
  out.push('### Conclusion');
  out.push(d.verdict === 'VERIFIED'
    ? 'The deployment is **VERIFIED**: every core check passed, no blocking errors in the logs, and a real user path was exercised.'
    : `The deployment **FAILED** verification:\n${d.reasons.map((x) => `- ${x}`).join('\n')}`);
  out.push('');
  if (d.followUp.length > 0) out.push('### Follow-up', ...d.followUp.map((f, i) => `${i + 1}. ${f}`), '');
  return out.join('\n');
}
