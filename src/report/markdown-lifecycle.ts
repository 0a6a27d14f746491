// Markdown rendering of the Lifecycle Report: one line per stage, then the deployment summary people act on.
import type { LifecycleReport } from './lifecycle.js';

export function renderLifecycleMarkdown(r: LifecycleReport): string {
  const d = r.data;
  const s = d.summary;
  const out = [`## Deployment: \`${s.app}\` → \`${s.target}\`: **${d.outcome}**`, '', `_deckhand ${r.tool.version} · ${r.startedAt} · ${Math.round(r.durationMs / 1000)} s_`, '', '### Stages'];
  for (const st of d.stages) out.push(`- **${st.stage}:** ${st.status}: ${st.summary}${st.report ? ` (\`${st.report}\`)` : ''}`);
  out.push('');
  if (d.requiredActions.length > 0) out.push('### Required actions', ...d.requiredActions.map((a, i) => `${i + 1}. ${a}`), '');
  out.push('### Summary');
  if (s.url) out.push(`- **URL:** ${s.url} (port ${s.port})`);
  if (s.release) out.push(`- **Release:** \`${s.release}\`${s.commit ? ` (commit \`${s.commit.slice(0, 8)}\`)` : ''}, strategy ${s.strategy ?? '?'}`);
  if (s.logs) out.push(`- **Logs:** \`${s.logs}\``);
  if (s.rollback) out.push(`- **Roll back:** \`${s.rollback}\``);
  if (s.baseline) out.push(`- **Ops baseline:** \`${s.baseline}\``);
  if (s.incident) out.push(`- **Incident record:** \`${s.incident}\``);
  out.push(`- **Reports:** \`${s.reportsDir}\``, '');
  return out.join('\n');
}
