// Findings of `deckhand ops certs`: tools, each certificate's expiry against the window, and what each name serves.
import type { RunContext } from '../../../core/context.js';
import type { Finding } from '../../../report/common.js';
import type { Certificate, OpsCertsData, Served } from '../../../report/ops/certs.js';
import { opsEvidence, opsFinding } from '../task-report.js';
import type { Inventory } from './inventory.js';

export function toolFindings(ctx: RunContext, inv: Inventory, command: string): Finding[] {
  const out: Finding[] = [];
  const ev = (what: string): string => opsEvidence(ctx, command, what);
  if (inv.priv === 'none') {
    out.push(opsFinding('certs.privilege', 'certificates', 'Privilege to read certificates', 'unknown',
      'the connecting user is not root and has no passwordless sudo: certbot\'s lineages and the files nginx names may be unreadable', {
        evidence: ev('priv=none'), remedy: 'connect as root or as a user with passwordless sudo',
      }));
  }
  if (inv.tools.openssl === false) {
    out.push(opsFinding('certs.openssl', 'certificates', 'openssl', 'unknown', 'openssl is not installed on the target: no certificate could be read or fetched', {
      evidence: ev('tool.openssl=0'), remedy: 'install openssl (apt-get install openssl), then run again',
    }));
  }
  if (inv.tools.certbot === false) {
    // Without lineages on disk, a host that manages its certificates by hand loses nothing: not a blocking unknown.
    out.push(opsFinding('certs.certbot', 'certificates', 'certbot', 'unknown', 'certbot is not installed on the target: certbot certificates cannot be renewed here', {
      required: inv.lineages.length > 0 || inv.files.length === 0, evidence: ev(`tool.certbot=0; ${inv.lineages.length} lineage(s) on disk`),
      remedy: 'install certbot (apt-get install certbot) to renew Let\'s Encrypt certificates',
    }));
  }
  if (inv.tools.nginx === false) {
    out.push(opsFinding('certs.nginx', 'certificates', 'nginx', 'skipped', 'nginx is not installed on the target: no served certificate to check', { required: false, evidence: ev('tool.nginx=0') }));
  } else if (inv.nginx && inv.nginx.exitCode !== 0) {
    const said = inv.nginx.dump.split('\n').slice(0, 6).join('\n');
    out.push(inv.priv === 'none'
      ? opsFinding('certs.nginx', 'certificates', 'nginx configuration', 'unknown', 'nginx -T could not read the configuration as this user', { evidence: ev(said), remedy: 'connect as root or as a user with passwordless sudo' })
      : opsFinding('certs.nginx', 'certificates', 'nginx configuration', 'warn', `nginx -T failed (exit ${String(inv.nginx.exitCode)}): the configuration does not pass nginx's test, so the served names are not known and a reload would fail`, {
        evidence: ev(said), remedy: 'fix the configuration (nginx -t shows the line), then run again',
      }));
  }
  return out;
}

function names(c: Certificate): string {
  return c.sans.length > 0 ? c.sans.join(', ') : c.subject ?? c.path;
}

function certEvidence(c: Certificate): string {
  return [
    `$ openssl x509 -in ${c.path} -noout -subject -issuer -enddate -fingerprint -sha256 -ext subjectAltName`,
    `file: ${c.path}${c.realPath && c.realPath !== c.path ? ` -> ${c.realPath}` : ''} (${c.sources.join('; ')})`,
    `subject=${c.subject ?? '?'}`, `issuer=${c.issuer ?? '?'}`, `notAfter=${c.notAfter ?? '?'}`, `sha256 Fingerprint=${c.fingerprint ?? '?'}`,
    ...(c.error ? [`error: ${c.error}`] : []),
  ].join('\n');
}

function renewRemedy(c: Certificate, d: OpsCertsData): string {
  const lineage = d.lineages.find((l) => l.path === c.path);
  if (lineage?.renewable) return `renew it: deckhand ops certs --renew-within ${d.renewWithinDays}d --cert-name ${lineage.name} --yes`;
  if (lineage) return `certbot has no renewal configuration for ${lineage.name}: obtain it again with certbot certonly`;
  return 'this file is not a certbot lineage: replace it with a renewed certificate, then nginx -t and reload';
}

/** One finding per certificate: expired fails, within the window warns, otherwise passes; unreadable is unknown. */
export function certificateFindings(d: OpsCertsData, req: { renewWithinDays: number }, priv: Inventory['priv']): Finding[] {
  return d.certificates.map((c) => {
    const id = `cert.${c.path}`;
    const title = `Certificate ${names(c)}`;
    const evidence = certEvidence(c);
    if (c.error !== null || c.daysLeft === null) {
      return opsFinding(id, 'certificates', title, 'unknown', `could not read ${c.path}: ${c.error ?? 'no expiry date'}`, {
        evidence, remedy: priv === 'none' ? 'connect as root or as a user with passwordless sudo' : `check that ${c.path} exists and holds a PEM certificate`,
      });
    }
    if (c.daysLeft < 0) {
      return opsFinding(id, 'certificates', title, 'fail', `EXPIRED ${-c.daysLeft} day(s) ago (${c.notAfter ?? '?'})`, { evidence, remedy: renewRemedy(c, d) });
    }
    if (c.daysLeft <= req.renewWithinDays) {
      return opsFinding(id, 'certificates', title, 'warn', `expires in ${c.daysLeft} day(s) (${c.notAfter ?? '?'}), within the ${req.renewWithinDays}-day renewal window`, { evidence, remedy: renewRemedy(c, d) });
    }
    return opsFinding(id, 'certificates', title, 'pass', `valid for ${c.daysLeft} more days (until ${c.notAfter ?? '?'}); renewal not yet required`, { evidence });
  });
}

/** What a name serves before any renewal: the configured file, another certificate (nginx not reloaded), or no answer. */
export function servedFinding(s: Served, evidence: string): Finding {
  const id = `served.${s.domain}@${s.address}`;
  const title = `Served certificate of ${s.domain}`;
  if (s.fingerprint === null) {
    return opsFinding(id, 'served', title, 'unknown', `the TLS handshake with SNI ${s.domain} at ${s.address} failed: ${s.error ?? 'no certificate'}`, {
      evidence, remedy: `check that nginx listens on ${s.address} (its server block is at ${s.configuredAt})`,
    });
  }
  if (s.matchesConfigured === false) {
    return opsFinding(id, 'served', title, 'warn', `${s.address} serves ${s.fingerprint} for ${s.domain}, not the certificate in ${s.configured ?? '?'}: nginx has not been reloaded since the file changed`, {
      evidence, remedy: 'nginx -t, then reload nginx gracefully (systemctl reload nginx)',
    });
  }
  if (s.matchesConfigured === null) {
    return opsFinding(id, 'served', title, 'unknown', `${s.address} serves ${s.fingerprint} for ${s.domain}; the configured file could not be read to compare`, { required: false, evidence });
  }
  return opsFinding(id, 'served', title, 'pass', `${s.address} serves the certificate in ${s.configured ?? '?'} (${s.fingerprint.slice(0, 23)}…, until ${s.notAfter ?? '?'})`, { evidence });
}
