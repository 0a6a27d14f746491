// The brief's findings: one line per field a deploy depends on, UNKNOWN where the repo gave no evidence.
import type { BriefData } from '../../report/brief.js';
import type { Finding } from '../../report/common.js';

const ev = (e: { file: string; line: number | null }[] | undefined): string | undefined =>
  e && e.length > 0 ? e.slice(0, 3).map((x) => `${x.file}${x.line ? `:${x.line}` : ''}`).join(', ') : undefined;

function f(id: string, title: string, status: Finding['status'], summary: string, evidence?: string, remedy?: string): Finding {
  const out: Finding = { id, section: 'brief', title, status, required: false, summary };
  if (evidence) out.evidence = evidence;
  if (remedy && status !== 'pass') out.remedy = remedy;
  return out;
}

export function briefFindings(d: BriefData): Finding[] {
  const out: Finding[] = [];
  const s = d.stack;
  out.push(s.ecosystem ? f('brief.stack', 'Tech stack', 'pass', `${s.ecosystem.value}${s.frameworks[0] ? ` / ${s.frameworks.map((x) => x.value.name).join(', ')}` : ''}`, ev(s.ecosystem.evidence))
    : f('brief.stack', 'Tech stack', 'unknown', 'no ecosystem recognised', undefined, 'point discovery at the app directory (--app) or add a manifest'));
  out.push(s.runtime ? f('brief.runtime', 'Runtime', 'pass', `${s.runtime.value.runtime} ${s.runtime.value.range} (${s.runtime.source})`, ev(s.runtime.evidence))
    : f('brief.runtime', 'Runtime', 'unknown', 'no runtime version stated in the repo', undefined, 'pin the runtime (.nvmrc, .python-version, engines, …)'));
  const start = d.commands.start;
  out.push(start ? f('brief.start', 'Start command', start.value.production ? 'pass' : 'warn', `${start.value.command}${start.value.production ? '' : ' (dev only)'}`, ev(start.evidence), 'add a production start command')
    : f('brief.start', 'Start command', 'unknown', 'no start command found', undefined, 'add a start script or a Procfile'));
  out.push(d.port ? f('brief.port', 'Port', 'pass', `${d.port.value} (${d.port.source})`, ev(d.port.evidence)) : f('brief.port', 'Port', 'unknown', 'no evidence of the listening port', undefined, 'read PORT from the environment with a default, or EXPOSE it'));
  out.push(d.health.length > 0 ? f('brief.health', 'Health endpoint', 'pass', d.health.map((h) => h.value).join(', '), ev(d.health[0]?.evidence)) : f('brief.health', 'Health endpoint', 'warn', 'none found', undefined, 'add a /health route: verification needs one'));
  const required = d.envVars.filter((e) => e.required === true);
  out.push(f('brief.env', 'Environment variables', required.some((e) => !e.hasExample) ? 'warn' : 'pass', `${d.envVars.length} found, ${required.length} required${required.length ? `: ${required.map((e) => e.name).join(', ')}` : ''}`));
  for (const r of d.risks) out.push(f(`brief.risk.${out.length}`, 'Risk', r.severity === 'blocker' ? 'block' : 'warn', r.message, ev(r.evidence)));
  for (const p of d.problems.slice(0, 20)) out.push(f(`brief.problem.${out.length}`, 'Problem', 'warn', `${p.path}: ${p.message}`));
  return out;
}
