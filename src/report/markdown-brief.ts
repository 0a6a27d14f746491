// Markdown rendering of the Deployment Brief, in the section layout of the guide's example.
import type { DeploymentBrief } from './brief.js';

type Ev = { file: string; line: number | null }[];
const at = (e: Ev): string => (e.length > 0 ? ` _(${e.slice(0, 2).map((x) => `${x.file}${x.line ? `:${x.line}` : ''}`).join(', ')})_` : '');

const LANG: Record<string, string> = { typescript: 'TypeScript', javascript: 'JavaScript', python: 'Python', go: 'Go', java: 'Java', kotlin: 'Kotlin', rust: 'Rust', ruby: 'Ruby', php: 'PHP' };
const ECO: Record<string, string> = { node: 'Node.js', bun: 'Bun', deno: 'Deno', python: 'Python', go: 'Go', jvm: 'JVM', rust: 'Rust', ruby: 'Ruby', php: 'PHP', static: 'static site' };

export function renderBriefMarkdown(b: DeploymentBrief): string {
  const d = b.data;
  const s = d.stack;
  const out: string[] = [`## Deployment Brief: \`${d.app}\``, ''];
  out.push(`_deckhand ${b.tool.version} · ${d.root}${d.appDir ? ` · app ${d.appDir}` : ''}${d.commit ? ` · commit ${d.commit.slice(0, 12)}` : ''} · ${d.stats.files} files · ${b.durationMs} ms_`, '');
  if (d.apps.length > 1) {
    out.push('### Apps in this repository', ...d.apps.map((a) => `- \`${a.dir || '.'}\` — ${a.name} (${a.ecosystem}): ${a.reason}`), '');
  }
  out.push('### Tech Stack');
  const lang = s.language ? (LANG[s.language.value] ?? s.language.value) : 'unknown';
  const eco = s.ecosystem ? (ECO[s.ecosystem.value] ?? s.ecosystem.value) : 'unknown';
  const rt = s.runtime ? ` (${s.runtime.value.range})` : '';
  out.push(`- **Language:** ${lang} / ${eco}${rt}${s.runtime ? at(s.runtime.evidence) : ''}`);
  out.push(`- **Framework:** ${s.frameworks.length > 0 ? s.frameworks.map((f) => `${f.value.name}${Object.keys(f.value.detail).length ? ` (${Object.entries(f.value.detail).map(([k, v]) => `${k}: ${v}`).join(', ')})` : ''}`).join(', ') : 'none recognised'}`);
  if (s.packageManager) out.push(`- **Package manager:** ${s.packageManager.value}${at(s.packageManager.evidence)}`);
  out.push(`- **Database:** ${d.datastores.length > 0 ? d.datastores.map((x) => x.kind).join(', ') : 'none found'}`, '');

  out.push('### Entry Points');
  const cmd = (label: string, c: DeploymentBrief['data']['commands']['build']): void => {
    if (c) out.push(`- **${label}:** \`${c.value.command}\`${c.value.production || label !== 'Run' ? '' : ' — dev only, not for production'}${at(c.evidence)}`);
  };
  cmd('Install', d.commands.install); cmd('Build', d.commands.build); cmd('Run', d.commands.start); cmd('Dev', d.commands.dev);
  cmd('Migrate', d.commands.migrate); cmd('Release', d.commands.release); cmd('Test', d.commands.test);
  if (!d.commands.start) out.push('- **Run:** unknown — no start command found');
  out.push('');

  out.push('### Dependencies & Configuration');
  for (const x of d.datastores) out.push(`- **Database:** requires ${x.kind}${x.required === false ? ' (optional)' : ''}${at(x.evidence)}`);
  out.push(`- **Port:** ${d.port ? `${d.port.value} (${d.port.source})${at(d.port.evidence)}` : 'unknown (no evidence in the repo)'}`);
  const req = d.envVars.filter((e) => e.required === true);
  const opt = d.envVars.filter((e) => e.required !== true);
  if (req.length > 0) {
    out.push('- **Environment Variables Required:**', ...req.map((e) => `  - \`${e.name}\`${e.secret ? ' (secret)' : ''}${e.hasExample ? '' : ' (no example)'}${e.buildTime ? ' (build time)' : ''}${at(e.evidence)}`));
  }
  if (opt.length > 0) {
    out.push('- **Environment Variables Optional / unknown:**', ...opt.map((e) => `  - \`${e.name}\`${e.required === false ? ' (has a default)' : ' (requirement unknown)'}${at(e.evidence)}`));
  }
  out.push('');

  out.push('### Health Endpoints', ...(d.health.length > 0 ? d.health.map((h) => `- \`${h.value}\`${at(h.evidence)}`) : ['- none found']), '');
  out.push('### Deployment Signals', ...(d.artifacts.length > 0 ? d.artifacts.map((a) => `- ${a.type}: \`${a.path}\``) : ['- none (no Dockerfile, compose, Procfile, units or manifests)']), '');

  out.push('### Proposed Deployment Strategy');
  if (d.strategies.length === 0) out.push('No strategy can be proposed from the evidence.');
  d.strategies.forEach((st, i) => {
    out.push(`${i + 1}. **${st.name}** (score ${st.score}) — ${st.reasons.join('; ')}. Needs: ${st.needs.join(', ')}.`);
  });
  out.push('');

  out.push('### Risks / Blockers', ...(d.risks.length > 0 ? d.risks.map((r) => `- **${r.severity === 'blocker' ? 'BLOCKER' : 'WARNING'}:** ${r.message}${at(r.evidence)}`) : ['- none found']), '');
  if (d.problems.length > 0) out.push('### Problems Met', ...d.problems.slice(0, 30).map((p) => `- ${p.path}: ${p.message}`), '');
  return out.join('\n');
}
