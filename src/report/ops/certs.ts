// The data of `deckhand ops certs` in the Operations Report, and its Markdown section (the guide's "Certificate Status").
import { z } from 'zod';

export const CertificateSchema = z.object({
  path: z.string().describe('the file as certbot or nginx names it'),
  realPath: z.string().nullable().describe('the file it resolves to (certbot: the archive version in force)'),
  sources: z.array(z.string()).describe('who uses it: "certbot lineage NAME", "nginx FILE:LINE"'),
  subject: z.string().nullable(),
  issuer: z.string().nullable(),
  sans: z.array(z.string()),
  notBefore: z.string().nullable(),
  notAfter: z.string().nullable(),
  daysLeft: z.number().int().nullable().describe('whole days until notAfter on the target\'s clock; negative when expired'),
  fingerprint: z.string().nullable().describe('SHA-256 of the first certificate in the file'),
  error: z.string().nullable().describe('why the file could not be read'),
});
export type Certificate = z.infer<typeof CertificateSchema>;

export const LineageSchema = z.object({
  name: z.string(),
  path: z.string(),
  renewable: z.boolean().describe('certbot has a renewal configuration for it'),
  servedBy: z.array(z.string()).describe('server names nginx serves it for'),
});

export const ServedSchema = z.object({
  domain: z.string(),
  address: z.string().describe('host:port the handshake went to (the target\'s own listener)'),
  phase: z.enum(['before', 'after-renewal']),
  configured: z.string().nullable().describe('the ssl_certificate file nginx names for this server'),
  configuredAt: z.string().describe('nginx FILE:LINE of the server block'),
  fingerprint: z.string().nullable(),
  notAfter: z.string().nullable(),
  issuer: z.string().nullable(),
  subject: z.string().nullable(),
  matchesConfigured: z.boolean().nullable().describe('served fingerprint = the configured file on disk; null when either is unknown'),
  error: z.string().nullable(),
});
export type Served = z.infer<typeof ServedSchema>;

export const RenewalSchema = z.object({
  certName: z.string(),
  command: z.string(),
  exitCode: z.number().int().nullable(),
  outcome: z.enum(['renewed-and-served', 'renewed-not-served', 'renewed', 'unchanged', 'failed']),
  before: z.object({ fingerprint: z.string().nullable(), notAfter: z.string().nullable() }),
  after: z.object({ fingerprint: z.string().nullable(), notAfter: z.string().nullable() }),
  output: z.string().describe('the tail of certbot\'s output'),
});
export type Renewal = z.infer<typeof RenewalSchema>;

export const OpsCertsDataSchema = z.object({
  task: z.literal('certs'),
  renewWithinDays: z.number().int().nonnegative(),
  renewRequested: z.boolean().describe('--yes: renew what is due'),
  letsencryptDir: z.string(),
  nginxConf: z.string().nullable(),
  tools: z.object({ openssl: z.boolean().nullable(), certbot: z.boolean().nullable(), nginx: z.boolean().nullable() }),
  nginxTest: z.object({ exitCode: z.number().int().nullable(), output: z.string() }).nullable(),
  certificates: z.array(CertificateSchema),
  lineages: z.array(LineageSchema),
  served: z.array(ServedSchema),
  renewals: z.array(RenewalSchema),
  reload: z.object({ done: z.boolean(), how: z.string().nullable(), output: z.string() }).nullable(),
});
export type OpsCertsData = z.infer<typeof OpsCertsDataSchema>;

function cell(s: string | null | undefined): string {
  return (s ?? '—').replace(/\|/g, '\\|');
}

function expiry(c: Certificate, window: number): string {
  if (c.daysLeft === null) return 'unknown';
  if (c.daysLeft < 0) return `**EXPIRED** ${-c.daysLeft} day(s) ago`;
  return c.daysLeft <= window ? `${c.daysLeft} days (**renewal due**, window ${window} days)` : `${c.daysLeft} days (renewal not yet required)`;
}

function short(fp: string | null): string {
  return fp ? `\`${fp.slice(0, 23)}…\`` : '—';
}

export function renderCertsMarkdown(d: OpsCertsData): string[] {
  const out = ['## Certificate Status', ''];
  if (d.certificates.length === 0) out.push(`- No certificate found (certbot lineages in ${d.letsencryptDir}/live, nginx ssl_certificate lines).`);
  for (const c of d.certificates) {
    const names = c.sans.length > 0 ? c.sans.join(', ') : c.subject ?? c.path;
    out.push(`- **Domain:** \`${names}\``);
    out.push(`  - **Issuer:** ${c.issuer ?? 'unknown'}`);
    out.push(`  - **Expires In:** ${expiry(c, d.renewWithinDays)}${c.notAfter ? ` — ${c.notAfter}` : ''}`);
    out.push(`  - **File:** \`${c.path}\`${c.realPath && c.realPath !== c.path ? ` → \`${c.realPath}\`` : ''} (${c.sources.join('; ')})`);
    out.push(`  - **SHA-256:** ${c.fingerprint ? `\`${c.fingerprint}\`` : '—'}${c.error ? ` — could not read: ${c.error}` : ''}`);
  }
  if (d.served.length > 0) {
    out.push('', '### Served certificates (TLS handshake with SNI on the target)', '', '| Domain | Address | When | Served SHA-256 | Configured file | Matches the file |', '|---|---|---|---|---|---|');
    for (const s of d.served) {
      const match = s.error ? `handshake failed: ${cell(s.error)}` : s.matchesConfigured === null ? 'unknown' : s.matchesConfigured ? 'yes' : '**no**';
      out.push(`| ${s.domain} | ${s.address} | ${s.phase} | ${short(s.fingerprint)} | ${cell(s.configured)} | ${match} |`);
    }
  }
  if (d.renewals.length > 0) {
    out.push('', '### Renewals', '', '| Certificate | Outcome | Before | After |', '|---|---|---|---|');
    for (const r of d.renewals) {
      out.push(`| ${r.certName} | ${r.outcome} | ${short(r.before.fingerprint)} until ${cell(r.before.notAfter)} | ${short(r.after.fingerprint)} until ${cell(r.after.notAfter)} |`);
    }
  }
  if (d.reload) out.push('', `- nginx reload: ${d.reload.done ? d.reload.how ?? 'done' : `not done${d.reload.output ? `: ${d.reload.output}` : ''}`}`);
  return out;
}
