// Markdown rendering of the Execution Plan and Execution Report, in the guide's layout (Execution Plan, then Execution Result).
import type { ExecutionReport } from './execution.js';

function code(s: string): string {
  const ticks = s.includes('`') ? '``' : '`';
  return `${ticks}${s.replace(/\n/g, ' ')}${ticks}`;
}

type PlanView = ExecutionReport['data']['plan'];

/** The numbered plan; destructive steps carry impact, undo and verification (the guide's rule). */
export function renderPlanSteps(plan: PlanView): string[] {
  const out: string[] = [];
  plan.forEach((s, i) => {
    out.push(`${i + 1}. **${s.title}**${s.destructive ? ' _(destructive)_' : ''}`);
    if (s.destructive) {
      if (s.impact) out.push(`   - impact: ${s.impact}`);
      if (s.undo) out.push(`   - undo: ${s.undo}`);
      if (s.verify) out.push(`   - verified by: ${s.verify}`);
    }
    for (const c of s.commands) out.push(`   - ${code(c.length > 300 ? `${c.slice(0, 297)}...` : c)}`);
  });
  return out;
}

export function renderExecutionMarkdown(r: ExecutionReport): string {
  const d = r.data;
  const title = d.operation === 'rollback' ? 'Rollback' : 'Execution';
  const out: string[] = [`## ${title} Plan: \`${d.app}\` → \`${r.target.display}\``, ''];
  out.push(`_deckhand ${r.tool.version} · ${r.startedAt} · plan ${d.planId} · strategy: ${d.strategy} · base: ${d.base}_`, '');
  out.push(`- **Release:** \`${d.releaseId}\``);
  out.push(`- **Commit:** ${d.commit ? `\`${d.commit.slice(0, 12)}\`${d.dirty ? ' (working tree had uncommitted changes)' : ''}` : 'none (not a git repository)'}`);
  out.push(`- **Previous release:** ${d.previousRelease ? `\`${d.previousRelease}\`` : 'none (first release)'}`);
  if (d.envNames.length > 0) out.push(`- **Env file:** ${d.envNames.map((n) => `\`${n}\``).join(', ')} (values never shown)`);
  out.push('', ...renderPlanSteps(d.plan), '');
  if (d.warnings.length > 0) out.push('**Warnings:**', ...d.warnings.map((w) => `- ${w}`), '');
  if (d.outcome === 'PLANNED') {
    out.push('_Plan only: nothing was changed. Apply it with `--yes`, or save it with `--plan-out` and apply it with `--apply`._', '');
    return out.join('\n');
  }
  out.push(`## ${title} Result`, '');
  out.push(`- **Status:** ${d.outcome}`);
  out.push(`- **Deployed Version:** ${d.commit ? `Git commit \`${d.commit.slice(0, 8)}\`` : 'no commit'} as release \`${d.releaseId}\``);
  if (d.failure) {
    out.push(`- **Failed step:** \`${d.failure.step}\`: ${d.failure.message}`);
    if (d.failure.revert) out.push(`- **Revert:** ${d.failure.revert}`);
  }
  out.push(`- **Rollback Point:** ${d.rollbackEntry === 'none: this is the first release' ? d.rollbackEntry : code(d.rollbackEntry)}`);
  out.push(`- **Runtime status:** ${d.runtime.status}: ${d.runtime.detail}`);
  if (d.lockRecovered) out.push(`- **Lock:** ${d.lockRecovered}`);
  if (d.pruned.length > 0) out.push(`- **Pruned:** ${d.pruned.join(', ')}`);
  out.push('', '### Commands executed');
  for (const c of d.commands) {
    const status = c.exitCode === 0 ? 'ok' : c.timedOut ? 'timed out' : `exit ${c.exitCode ?? 'none'}`;
    out.push(`- [${c.step}] ${code(c.command.length > 200 ? `${c.command.slice(0, 197)}...` : c.command)} → ${status}, ${c.durationMs} ms${c.attempts > 1 ? `, ${c.attempts} attempts` : ''}`);
  }
  out.push('', '### Files touched', ...d.filesTouched.map((f) => `- \`${f}\``), '');
  if (d.handoff) {
    out.push('### Verification handoff');
    out.push(`- service \`${d.handoff.service}\` (${d.handoff.strategy}) on \`${d.handoff.target}\`, port ${d.handoff.port ?? 'unknown'}, health ${d.handoff.healthPath ? `\`${d.handoff.healthPath}\`` : 'unknown'}, release \`${d.handoff.release}\``);
    out.push(`- next: \`deckhand verify ${d.handoff.target}\``, '');
  }
  if (d.journal) out.push(`_Journal on the target: \`${d.journal}\`_`, '');
  return out.join('\n');
}
