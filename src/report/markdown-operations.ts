// Markdown of the Operations Report: the shared header and findings, then the task's own section.
import type { OperationsReport } from './operations.js';
import { renderInspectMarkdown } from './ops/inspect.js';
import { renderBaselineMarkdown } from './ops/baseline.js';
import { renderLogrotateMarkdown } from './ops/logrotate.js';
import { renderCleanupMarkdown } from './ops/cleanup.js';
import { renderCertsMarkdown } from './ops/certs.js';
import { renderScaleMarkdown } from './ops/scale.js';
import { renderResourcesMarkdown } from './ops/resources.js';
import { renderUpgradePrepMarkdown } from './ops/upgrade-prep.js';
import { renderBackupVerifyMarkdown } from './ops/backup-verify.js';

function taskSection(r: OperationsReport): string[] {
  const d = r.data;
  switch (d.task) {
    case 'inspect': return renderInspectMarkdown(d);
    case 'baseline': return renderBaselineMarkdown(d);
    case 'logrotate': return renderLogrotateMarkdown(d);
    case 'cleanup': return renderCleanupMarkdown(d);
    case 'certs': return renderCertsMarkdown(d);
    case 'scale': return renderScaleMarkdown(d);
    case 'resources': return renderResourcesMarkdown(d);
    case 'upgrade-prep': return renderUpgradePrepMarkdown(d);
    case 'backup-verify': return renderBackupVerifyMarkdown(d);
  }
}

export function renderOperationsMarkdown(r: OperationsReport): string {
  const title = r.data.task === 'inspect' ? 'Operations Inspection Report' : `Operations Report: ${r.data.task}`;
  const lines = [
    `# ${title}`,
    '',
    `- App: ${r.app}`,
    `- Target: ${r.target.display}`,
    `- Status: ${r.status.toUpperCase()}`,
    `- Time: ${r.startedAt} (${r.durationMs} ms)`,
    '',
    ...taskSection(r),
  ];
  if (r.findings.length > 0) {
    lines.push('', '## Findings', '', '| Status | Check | Result | Evidence |', '|---|---|---|---|');
    for (const f of r.findings) lines.push(`| ${f.status.toUpperCase()} | ${f.title} | ${f.summary} | ${(f.evidence ?? '').replace(/\|/g, '\\|').replace(/\n/g, ' ')} |`);
  }
  return `${lines.join('\n')}\n`;
}
