// Markdown of the Services Report: one row per service (execution, verification, handshakes, rollback), then each service's detail.
import type { ServiceRow, ServicesReport } from './services.js';

const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function handshakes(r: ServiceRow): string {
  if (r.handshakes.length === 0) return r.dependsOn.length === 0 ? 'none' : r.status === 'planned' ? `after deploy: ${r.dependsOn.join(', ')}` : 'not checked';
  return r.handshakes.map((h) => `${h.title.split(' → ')[1] ?? h.title}: ${h.status.toUpperCase()}`).join(', ');
}

function row(r: ServiceRow): string {
  const exec = r.execution ? r.execution.data.outcome : '—';
  const ver = r.verification ? r.verification.data.verdict : '—';
  const rb = r.rollback ? `${r.rollback.data.outcome} → ${r.rollback.data.releaseId}` : '—';
  return `| ${[r.service, `\`${r.app}\``, r.dependsOn.join(', ') || '—', r.release ? `\`${r.release}\`` : '—', exec, ver, handshakes(r), rb, `**${r.status}**`].map(cell).join(' | ')} |`;
}

function detail(r: ServiceRow): string[] {
  const out = [`### ${r.service} (\`${r.app}\`, ${r.appDir || '.'})`, ''];
  out.push(`- **Strategy / port:** ${r.strategy ?? '?'} / ${r.port ?? 'none'}`);
  out.push(`- **Impact:** ${r.impact}`, `- **Undo:** ${r.undo}`);
  if (r.status === 'planned' && r.execution) {
    out.push(`- **Plan \`${r.execution.data.planId}\`:**`, ...r.execution.data.plan.map((s, i) => `  ${i + 1}. ${s.destructive ? '⚠ ' : ''}${s.title}`));
  }
  if (r.execution?.data.failure) out.push(`- **Execution failure:** ${r.execution.data.failure.step}: ${r.execution.data.failure.message}`);
  if (r.verification) {
    out.push(`- **Verification:** ${r.verification.data.verdict}${r.verification.data.reasons.length > 0 ? `: ${r.verification.data.reasons.slice(0, 3).join('; ')}` : ''}`);
  }
  for (const h of r.handshakes) out.push(`- **Handshake ${h.title}:** ${h.status.toUpperCase()}: ${h.summary}${h.evidence ? ` (evidence: ${h.evidence})` : ''}`);
  if (r.rollback) out.push(`- **Rollback:** ${r.rollback.data.outcome}${r.rollback.data.failure ? `: ${r.rollback.data.failure.message}` : `, ${r.rollback.data.releaseId} restored`}`);
  out.push('');
  return out;
}

export function renderServicesMarkdown(rep: ServicesReport): string {
  const d = rep.data;
  const out = [`## Services deploy → \`${rep.target.display}\`: **${d.outcome}**`, '', `_deckhand ${rep.tool.version} · ${rep.startedAt} · ${Math.round(rep.durationMs / 1000)} s_`, ''];
  out.push(`**Order:** ${d.order.map((n, i) => `${i + 1}. ${n}`).join(' · ')}${d.only ? ` (this run: --only ${d.only})` : ''}`, '');
  if (d.failure) out.push(`**Stopped at ${d.failure.service} (${d.failure.stage}):** ${d.failure.message}`, '');
  const header = ['| service | app | depends on | release | execution | verification | handshakes | rollback | status |', '|---|---|---|---|---|---|---|---|---|'];
  out.push(...header, ...d.services.map(row), '');
  if (d.assumed.length > 0) {
    out.push('### Dependencies assumed deployed (--only)', '');
    for (const a of d.assumed) out.push(`- **${a.service}** (\`${a.app}\`, release ${a.release ? `\`${a.release}\`` : 'none'}): **${a.status}**: ${a.impact}`);
    out.push('');
  }
  for (const r of d.services) out.push(...detail(r));
  return out.join('\n');
}
