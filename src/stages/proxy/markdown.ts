// The proxy setup report as Markdown: outcome, site file, nginx -t, reload, certificate, and every command run.
import type { ProxyReport } from './types.js';

const fence = (text: string): string[] => ['```', ...text.replace(/```/g, "'''").split('\n'), '```'];

export function renderProxyMarkdown(r: ProxyReport): string {
  const d = r.data;
  const out: string[] = [
    `# Proxy Setup Report: ${d.domain} on ${r.target.display}`,
    '',
    `**Outcome: ${d.outcome}** — ${r.startedAt}, ${r.durationMs} ms`,
    '',
    '## Site',
    '',
    `- Domain: ${d.domain} → ${d.upstream}`,
    `- HTTP listen: ${d.listen}${d.tls ? ` (redirects to HTTPS on ${d.tls.listen})` : ''}`,
    `- Layout: ${d.layout ?? 'unknown'}`,
    `- Site file: ${d.siteFile ?? 'not written'} (${d.site})`,
    `- Enabled link: ${d.enabledLink ?? (d.layout === 'conf.d' ? 'none (conf.d is included directly)' : 'none')}`,
    '',
    '## nginx -t',
    '',
    d.nginxTest.passed === null ? '- not run (nothing new to test)' : d.nginxTest.passed ? '- passed' : '- FAILED: the previous site file was restored',
  ];
  if (d.nginxTest.output) out.push('', ...fence(d.nginxTest.output));
  out.push('', '## Reload', '', d.reload.done ? `- ${d.reload.how ?? 'reloaded'} (${d.reload.reason})` : `- not reloaded: ${d.reload.reason}`);
  if (d.tls) {
    out.push('', '## Certificate', '',
      `- ${d.tls.certificate}${d.tls.certFile ? `: ${d.tls.certFile}` : ''}`,
      `- Directory: ${d.tls.certDir}`,
      `- ACME server: ${d.tls.acmeServer}`,
      `- Challenge: ${d.tls.challenge}`);
  }
  if (d.failure) out.push('', '## Failure', '', `Step \`${d.failure.step}\`:`, '', ...fence(d.failure.message));
  if (d.warnings.length > 0) out.push('', '## Warnings', '', ...d.warnings.map((w) => `- ${w}`));
  out.push('', '## Files touched', '', ...(d.filesTouched.length > 0 ? d.filesTouched.map((f) => `- ${f}`) : ['- none']));
  out.push('', '## Commands executed', '');
  d.commands.forEach((c, i) => {
    out.push(`${i + 1}. [${c.step}] exit ${c.exitCode === null ? 'none' : c.exitCode}${c.timedOut ? ' (timed out)' : ''}, ${c.durationMs} ms`, '', ...fence(c.command).map((l) => `   ${l}`));
    if (c.output) out.push('', '   Output:', '', ...fence(c.output).map((l) => `   ${l}`));
    out.push('');
  });
  if (d.siteContent) out.push('## Site file in force', '', ...fence(d.siteContent.trimEnd()), '');
  return out.join('\n');
}
