// Markdown of the Fleet Report: the batches, one row per host (batch, release, execution, verification, rollback), then failures in detail.
import type { FleetHostRow, FleetReport } from './fleet.js';

const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const secs = (ms: number | null): string => (ms === null ? '—' : `${(ms / 1000).toFixed(1)} s`);

function row(r: FleetHostRow): string {
  const exec = r.execution ? r.execution.data.outcome : '—';
  const ver = r.verification ? r.verification.data.verdict : '—';
  const rb = r.rollback ? `${r.rollback.data.outcome} → ${r.rollback.data.releaseId}` : '—';
  return `| ${[`${r.batch}${r.canary ? ' (canary)' : ''}`, `\`${r.host}\``, r.readiness?.verdict ?? '—', r.release ? `\`${r.release}\`` : '—', r.previousRelease ? `\`${r.previousRelease}\`` : '—', exec, ver, rb, `**${r.status}**`, secs(r.durationMs)].map(cell).join(' | ')} |`;
}

function detail(r: FleetHostRow): string[] {
  const out = [`### ${r.host} (batch ${r.batch}): ${r.status}`, '', `- ${r.summary}`];
  for (const f of r.readiness?.findings ?? []) out.push(`- **Readiness ${f.status.toUpperCase()}:** ${f.title}: ${f.summary}${f.evidence ? ` (evidence: ${f.evidence})` : ''}${f.remedy ? ` Fix: ${f.remedy}` : ''}`);
  if (r.status === 'planned' && r.execution) {
    out.push(`- **Plan \`${r.execution.data.planId}\`:**`, ...r.execution.data.plan.map((s, i) => `  ${i + 1}. ${s.destructive ? '⚠ ' : ''}${s.title}`));
  }
  if (r.execution?.data.failure) out.push(`- **Execution failure:** ${r.execution.data.failure.step}: ${r.execution.data.failure.message}`);
  if (r.verification && r.verification.data.verdict !== 'VERIFIED') out.push(`- **Verification:** ${r.verification.data.verdict}: ${r.verification.data.reasons.slice(0, 4).join('; ')}`);
  if (r.rollback) out.push(`- **Rollback:** ${r.rollback.data.outcome}${r.rollback.data.failure ? `: ${r.rollback.data.failure.message}` : `, ${r.rollback.data.releaseId} restored`}`);
  out.push('');
  return out;
}

export function renderFleetMarkdown(rep: FleetReport): string {
  const d = rep.data;
  const out = [`## Fleet deploy of \`${d.app}\` → ${d.hosts.length} hosts: **${d.outcome}**`, '', `_deckhand ${rep.tool.version} · ${rep.startedAt} · ${Math.round(rep.durationMs / 1000)} s_`, ''];
  out.push(`- **Release:** ${d.release ? `\`${d.release}\`` : 'differs per host (see the rows)'} · **strategy:** ${d.strategy}`);
  out.push(`- **Batches:** ${d.batches.map((b, i) => `${i + 1}. ${b.join(', ')}`).join(' · ')} (batch size ${d.batchSize}${d.canary > 0 ? `, canary ${d.canary} watched ${secs(d.canaryWindowMs)}` : ''}; each batch verified over ${secs(d.windowMs)} before the next; ${d.parallel} hosts at once)`);
  out.push(`- **Build:** ${d.build.shared ? `once here${d.build.durationMs === null ? '' : ` (${secs(d.build.durationMs)})`}, the same files shipped to every host${d.build.title ? `: ${d.build.title}` : ''}` : d.build.where === 'image' ? 'in the image, on each host' : 'on each host'}`);
  out.push(`- **Lock:** ${d.lock}`, '');
  if (d.failure) out.push(`**Stopped${d.failure.batch ? ` at batch ${d.failure.batch}` : ''}${d.failure.host ? ` (${d.failure.host})` : ''}, ${d.failure.stage}:** ${d.failure.message}`, '');
  out.push('| batch | host | readiness | release | previous | execution | verification | rollback | status | time |', '|---|---|---|---|---|---|---|---|---|---|');
  out.push(...d.hosts.map(row), '');
  for (const r of d.hosts) if ((r.status !== 'verified' && r.status !== 'untouched') || r.readiness?.verdict === 'NOT READY') out.push(...detail(r));
  return out.join('\n');
}
