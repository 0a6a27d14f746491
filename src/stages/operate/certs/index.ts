// `deckhand ops certs`: certificates on disk and as served, renewal of those due with certbot, and proof that nginx serves the new one.
import { randomBytes } from 'node:crypto';
import type { RunContext } from '../../../core/context.js';
import { DeckhandError, tail } from '../../../core/errors.js';
import { asRoot } from '../../../commands/sudo.js';
import { reloadProxyNginxCommand } from '../../../commands/proxy-nginx.js';
import { certbotRenewCommand, certInventoryCommand, handshakesCommand, type HandshakeSpec } from '../../../commands/ops-certs.js';
import type { Finding } from '../../../report/common.js';
import type { OperationsReport } from '../../../report/operations.js';
import type { Certificate, OpsCertsData, Renewal, Served } from '../../../report/ops/certs.js';
import { opsEvidence, opsFinding, startTask } from '../task-report.js';
import { parseHandshakes, parseInventory, parseRenew, type CertRead, type Inventory } from './inventory.js';
import { connectHost, exactNames, parseNginxDump, tlsListen, type NginxServer } from './nginx-config.js';
import { certificateFindings, servedFinding, toolFindings } from './judge.js';

export interface CertsRequest {
  app: string;
  renewWithinDays: number;
  /** --yes: renew the certbot lineages due within the window. */
  renew: boolean;
  /** Only this lineage is renewed (others are still listed). */
  certName: string | null;
  letsencryptDir: string;
  nginxConf: string | null;
  /** ACME directory URL for the renewal; null keeps the lineage's own. */
  acmeServer: string | null;
  /** PEM of the CA the ACME server's certificate chains to, copied to the target for the renewal. */
  caBundlePem: string | null;
  /** A CA bundle already on the target. */
  caBundlePath: string | null;
}

/** Handshakes a renewed certificate may need after nginx's reload: 1 s apart. */
const AFTER_RELOAD_ATTEMPTS = 15;

/** A server block's domain to shake hands with, and the file it names. */
interface ServedTarget { spec: HandshakeSpec; server: NginxServer }

function daysLeft(notAfter: string | null, now: number): number | null {
  if (notAfter === null) return null;
  return Math.floor((Date.parse(notAfter) / 1000 - now) / 86_400);
}

function certRecord(path: string, realPath: string | null, source: string, c: CertRead | null, now: number, variable = false): Certificate {
  return {
    path, realPath, sources: [source], subject: c?.subject ?? null, issuer: c?.issuer ?? null, sans: c?.sans ?? [], notBefore: c?.notBefore ?? null,
    notAfter: c?.notAfter ?? null, daysLeft: daysLeft(c?.notAfter ?? null, now), fingerprint: c?.fingerprint ?? null,
    error: variable ? 'the path holds an nginx variable: the file is chosen per request' : c?.error ?? null,
  };
}

/** One record per file: certbot lineages first, then the files nginx names (a lineage file nginx uses gets both sources). */
function certificatesOf(inv: Inventory, servers: readonly NginxServer[], now: number): Certificate[] {
  const byPath = new Map<string, Certificate>();
  for (const l of inv.lineages) byPath.set(l.path, certRecord(l.path, l.realPath, `certbot lineage ${l.name}`, l.cert, now));
  for (const f of inv.files) {
    const where = servers.filter((s) => s.certificates.includes(f.path)).map((s) => `nginx ${s.file}:${s.line}`);
    const source = where.length > 0 ? where.join(', ') : 'nginx ssl_certificate';
    const known = byPath.get(f.path);
    if (known) known.sources.push(source);
    else byPath.set(f.path, certRecord(f.path, f.realPath, source, f.cert, now, f.variable));
  }
  return [...byPath.values()];
}

/** Every exact server name of every HTTPS server, with the listener to reach it on (deduplicated). */
function servedTargets(servers: readonly NginxServer[]): ServedTarget[] {
  const out: ServedTarget[] = [];
  const seen = new Set<string>();
  for (const s of servers) {
    const l = tlsListen(s);
    if (!l) continue;
    for (const domain of exactNames(s)) {
      const spec = { domain, host: connectHost(l), port: l.port, expect: '' };
      const key = `${domain}|${spec.host}|${spec.port}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ spec, server: s });
    }
  }
  return out;
}

/** A SAN (possibly a wildcard) covers a name. */
export function covers(san: string, name: string): boolean {
  if (san.toLowerCase() === name.toLowerCase()) return true;
  if (!san.startsWith('*.')) return false;
  const rest = name.toLowerCase().split('.').slice(1).join('.');
  return rest === san.slice(2).toLowerCase();
}

export async function opsCerts(ctx: RunContext, req: CertsRequest): Promise<OperationsReport> {
  const { log, finish } = startTask(ctx, req.app);
  const findings: Finding[] = [];
  const data: OpsCertsData = {
    task: 'certs', renewWithinDays: req.renewWithinDays, renewRequested: req.renew, letsencryptDir: req.letsencryptDir, nginxConf: req.nginxConf,
    tools: { openssl: null, certbot: null, nginx: null }, nginxTest: null, certificates: [], lineages: [], served: [], renewals: [], reload: null,
  };

  log.begin('inventory', `List certificates: ${req.letsencryptDir}/live/*, nginx ssl_certificate files`);
  const invCmd = certInventoryCommand(req.letsencryptDir, req.nginxConf);
  const invRun = await ctx.executor.run(invCmd);
  const inv = parseInventory(invRun.rawStdout ?? invRun.stdout);
  if (!inv.complete || inv.now === null) {
    const why = invRun.timedOut ? 'timed out' : `exit ${String(invRun.exitCode)}`;
    log.end('unknown', why);
    findings.push(opsFinding('certs.inventory', 'certificates', 'Certificate inventory', 'unknown', `could not list the certificates (${why})`, {
      evidence: opsEvidence(ctx, invCmd.description ?? 'inventory', tail(`${invRun.stdout}\n${invRun.stderr}`, 10)),
      remedy: 'check the connection and that the user can run sh, openssl and nginx -T on the target',
    }));
    return finish(findings, data);
  }
  const now = inv.now;
  data.tools = inv.tools;
  if (inv.nginx) data.nginxTest = { exitCode: inv.nginx.exitCode, output: tail(inv.nginx.dump.split('\n').filter((l) => l.startsWith('nginx: ')).join('\n'), 5) };
  const servers = inv.nginx && inv.nginx.exitCode === 0 ? parseNginxDump(inv.nginx.dump) : [];
  data.certificates = certificatesOf(inv, servers, now);
  const targets = servedTargets(servers);
  data.lineages = inv.lineages.map((l) => ({
    name: l.name, path: l.path, renewable: l.renewable,
    servedBy: targets.filter((t) => t.server.certificates.includes(l.path) || l.cert.sans.some((san) => covers(san, t.spec.domain))).map((t) => t.spec.domain),
  }));
  findings.push(...toolFindings(ctx, inv, invCmd.description ?? ''));
  log.end('pass', `${inv.lineages.length} certbot lineage(s), ${inv.files.length} nginx certificate file(s), ${targets.length} served name(s)`);

  if (req.certName !== null && !inv.lineages.some((l) => l.name === req.certName)) {
    throw new DeckhandError('usage', `no certbot lineage named ${req.certName} in ${req.letsencryptDir}/live on ${ctx.executor.host.display}`, {
      hint: inv.lineages.length > 0 ? `lineages there: ${inv.lineages.map((l) => l.name).join(', ')}` : 'run without --cert-name to list what is there',
    });
  }

  // What nginx serves now, per name, against the file its configuration names.
  const fpOf = (path: string): string | null => data.certificates.find((c) => c.path === path)?.fingerprint ?? null;
  const servedRecord = (t: ServedTarget, phase: Served['phase'], h: ReturnType<typeof parseHandshakes>[number] | undefined): Served => {
    const configuredFps = t.server.certificates.map(fpOf);
    const fp = h?.fingerprint ?? null;
    return {
      domain: t.spec.domain, address: `${t.spec.host}:${t.spec.port}`, phase, configured: t.server.certificates[0] ?? null, configuredAt: `${t.server.file}:${t.server.line}`,
      fingerprint: fp, notAfter: h?.notAfter ?? null, issuer: h?.issuer ?? null, subject: h?.subject ?? null,
      matchesConfigured: fp === null || configuredFps.every((x) => x === null) ? null : configuredFps.includes(fp),
      error: h ? h.error : 'no handshake result',
    };
  };
  const handshake = async (list: readonly ServedTarget[], phase: Served['phase'], attempts: number): Promise<{ records: Served[]; evidence: string }> => {
    const cmd = handshakesCommand(list.map((t) => t.spec), attempts);
    const r = await ctx.executor.run(cmd);
    const parsed = parseHandshakes(r.rawStdout ?? r.stdout);
    const records = list.map((t) => servedRecord(t, phase, parsed.find((h) => h.domain === t.spec.domain && h.host === t.spec.host && h.port === t.spec.port)));
    return { records, evidence: opsEvidence(ctx, cmd.description ?? 'handshakes', tail(r.stdout || r.stderr, 40)) };
  };

  if (targets.length > 0 && inv.tools.openssl) {
    log.begin('served', `TLS handshakes with SNI on ${ctx.executor.host.display}: ${targets.length} name(s)`);
    const before = await handshake(targets, 'before', 1);
    data.served.push(...before.records);
    for (const s of before.records) findings.push(servedFinding(s, before.evidence));
    log.end(before.records.every((s) => s.fingerprint !== null) ? 'pass' : 'unknown', `${before.records.filter((s) => s.fingerprint !== null).length}/${targets.length} answered`);
  }

  const due = inv.lineages.filter((l) => {
    const days = daysLeft(l.cert.notAfter, now);
    return l.renewable && days !== null && days <= req.renewWithinDays && (req.certName === null || l.name === req.certName);
  });
  if (req.renew && due.length > 0) await renewDue(ctx, req, inv, due, targets, data, findings, log, handshake, now);
  findings.unshift(...certificateFindings(data, req, inv.priv));
  if (data.certificates.length === 0) {
    // Looked and found none: nothing to renew, which is not the same as not having looked.
    findings.unshift(opsFinding('certs.none', 'certificates', 'Certificates', 'skipped', `no certificate on ${ctx.executor.host.display}: no certbot lineage in ${req.letsencryptDir}/live, no ssl_certificate line in nginx's configuration`, {
      required: false, evidence: opsEvidence(ctx, invCmd.description ?? 'inventory', `${inv.lineages.length} lineage(s), nginx -T exit ${String(inv.nginx?.exitCode ?? 'n/a')}`),
    }));
  }
  return finish(findings, data);
}

type HandshakeFn = (list: readonly ServedTarget[], phase: Served['phase'], attempts: number) => Promise<{ records: Served[]; evidence: string }>;

/** Renews each due lineage, reloads nginx once, then checks that every name it covers serves the new fingerprint. */
async function renewDue(
  ctx: RunContext, req: CertsRequest, inv: Inventory, due: Inventory['lineages'], targets: readonly ServedTarget[], data: OpsCertsData, findings: Finding[],
  log: ReturnType<typeof startTask>['log'], handshake: HandshakeFn, now: number,
): Promise<void> {
  const id = (name: string): string => `renew.${name}`;
  const title = (name: string): string => `Renewal of ${name}`;
  if (!inv.tools.certbot || inv.priv === 'none') {
    const why = !inv.tools.certbot ? 'certbot is not installed on the target' : 'the connecting user is not root and has no passwordless sudo (certbot writes /etc/letsencrypt)';
    for (const l of due) {
      findings.push(opsFinding(id(l.name), 'renewal', title(l.name), 'unknown', `could not renew: ${why}`, {
        remedy: !inv.tools.certbot ? 'install certbot (apt-get install certbot), then run again' : 'connect as root or as a user with passwordless sudo',
      }));
    }
    return;
  }
  const sudo = inv.priv === 'sudo';
  let caPath = req.caBundlePath;
  let uploaded: string | null = null;
  if (req.caBundlePem !== null) {
    uploaded = `/tmp/deckhand-acme-ca-${randomBytes(6).toString('hex')}.pem`;
    const up = await ctx.executor.upload(req.caBundlePem, uploaded, '0644');
    if (up.failed) throw new DeckhandError('unreachable', `could not copy the CA bundle to ${ctx.executor.host.display}: ${tail(up.stderr, 3)}`, { hint: 'check that /tmp is writable on the target' });
    caPath = uploaded;
  }
  const renewed: { lineage: Inventory['lineages'][number]; record: Renewal }[] = [];
  try {
    for (const l of due) {
      log.begin(id(l.name), `Renew ${l.name} with certbot (expires ${l.cert.notAfter ?? '?'})`);
      const cmd = asRoot(certbotRenewCommand({ certName: l.name, letsencryptDir: req.letsencryptDir, server: req.acmeServer, caBundle: caPath }), sudo);
      const r = await ctx.executor.run(cmd);
      const p = parseRenew(r.rawStdout ?? r.stdout);
      const after = p.after?.fingerprint ? p.after : null;
      const changed = after !== null && after.fingerprint !== l.cert.fingerprint;
      const record: Renewal = {
        certName: l.name, command: r.command, exitCode: p.certbotExit ?? r.exitCode,
        outcome: p.certbotExit === 0 && changed ? 'renewed' : p.certbotExit === 0 ? 'unchanged' : 'failed',
        before: { fingerprint: l.cert.fingerprint, notAfter: l.cert.notAfter },
        after: { fingerprint: after?.fingerprint ?? null, notAfter: after?.notAfter ?? null },
        output: ctx.redactor.mask(tail(p.certbotOutput || r.stderr, 12)),
      };
      data.renewals.push(record);
      const evidence = opsEvidence(ctx, r.command, `${record.output}\nexit ${String(record.exitCode)}\nbefore: ${l.cert.fingerprint ?? '?'} (until ${l.cert.notAfter ?? '?'})\nafter:  ${after?.fingerprint ?? '?'} (until ${after?.notAfter ?? '?'})`);
      if (record.outcome === 'renewed') {
        const cert = data.certificates.find((c) => c.path === l.path);
        if (cert && after) Object.assign(cert, { realPath: p.realPath, fingerprint: after.fingerprint, notAfter: after.notAfter, notBefore: after.notBefore, sans: after.sans, issuer: after.issuer, subject: after.subject, daysLeft: daysLeft(after.notAfter, now), error: null });
        renewed.push({ lineage: l, record });
        log.end('pass', `new certificate until ${after?.notAfter ?? '?'}`);
        findings.push(opsFinding(id(l.name), 'renewal', title(l.name), 'pass', `renewed on disk: valid until ${after?.notAfter ?? '?'} (checking what nginx serves next)`, { evidence }));
      } else {
        const summary = record.outcome === 'unchanged'
          ? 'certbot exited 0 but the lineage still holds the same certificate'
          : `certbot failed (exit ${String(record.exitCode)}): ${tail(record.output, 2).replace(/\n/g, ' ')}`;
        log.end('fail', summary);
        findings.push(opsFinding(id(l.name), 'renewal', title(l.name), 'fail', summary, {
          evidence, remedy: `read certbot's log (${req.letsencryptDir === '/etc/letsencrypt' ? '/var/log/letsencrypt/letsencrypt.log' : `${req.letsencryptDir}/logs/letsencrypt.log`}); the certificate in force was not changed`,
        }));
      }
    }
  } finally {
    if (uploaded) await ctx.executor.run({ argv: ['rm', '-f', uploaded], mutates: true, timeoutMs: 30_000, description: 'remove the copied CA bundle' });
  }
  if (renewed.length === 0) return;
  await reloadAndProve(ctx, req, inv, renewed, targets, data, findings, log, handshake);
}

async function reloadAndProve(
  ctx: RunContext, req: CertsRequest, inv: Inventory, renewed: { lineage: Inventory['lineages'][number]; record: Renewal }[], targets: readonly ServedTarget[],
  data: OpsCertsData, findings: Finding[], log: ReturnType<typeof startTask>['log'], handshake: HandshakeFn,
): Promise<void> {
  const sudo = inv.priv === 'sudo';
  if (inv.tools.nginx) {
    log.begin('reload', 'Reload nginx gracefully');
    const r = await ctx.executor.run(asRoot(reloadProxyNginxCommand(req.nginxConf), sudo));
    const how = /^reload=(.*)$/m.exec(r.rawStdout ?? r.stdout)?.[1] ?? null;
    data.reload = { done: !r.failed, how, output: ctx.redactor.mask(tail(`${r.stdout}\n${r.stderr}`, 6)) };
    log.end(r.failed ? 'fail' : 'pass', how ?? tail(r.stderr, 2));
    if (r.failed) {
      findings.push(opsFinding('renew.reload', 'renewal', 'nginx reload', 'fail', `the nginx reload failed: ${tail(r.stderr, 2).replace(/\n/g, ' ')}`, {
        evidence: opsEvidence(ctx, r.command, data.reload.output), remedy: 'run nginx -t to see why, fix the configuration, then reload nginx',
      }));
    }
  }
  for (const { lineage, record } of renewed) {
    const mine = targets.filter((t) => t.server.certificates.includes(lineage.path) || (record.before.fingerprint !== null
      && data.served.some((s) => s.phase === 'before' && s.domain === t.spec.domain && s.fingerprint === record.before.fingerprint)));
    const f = findings.find((x) => x.id === `renew.${lineage.name}`);
    if (mine.length === 0 || !inv.tools.openssl) {
      if (f) f.summary = `renewed on disk: valid until ${record.after.notAfter ?? '?'}; nginx here serves no name with it, so there was nothing to prove`;
      continue;
    }
    log.begin(`served.${lineage.name}`, `Check that nginx serves the new certificate of ${lineage.name}`);
    const after = await handshake(mine.map((t) => ({ ...t, spec: { ...t.spec, expect: record.after.fingerprint ?? '' } })), 'after-renewal', AFTER_RELOAD_ATTEMPTS);
    data.served.push(...after.records);
    const stale = after.records.filter((s) => s.fingerprint !== record.after.fingerprint);
    record.outcome = stale.length === 0 ? 'renewed-and-served' : 'renewed-not-served';
    log.end(stale.length === 0 ? 'pass' : 'fail', stale.length === 0 ? 'served' : `${stale.length} name(s) still serve the old certificate`);
    if (!f) continue;
    f.evidence = `${f.evidence ?? ''}\n${after.evidence}`;
    if (stale.length === 0) {
      f.summary = `renewed and served: ${after.records.map((s) => `${s.domain} at ${s.address}`).join(', ')} now present ${record.after.fingerprint ?? '?'} (was ${record.before.fingerprint ?? '?'})`;
      continue;
    }
    f.status = 'fail';
    f.summary = `renewed on disk but NOT served: ${stale.map((s) => `${s.domain} at ${s.address} still presents ${s.fingerprint ?? `nothing (${s.error ?? '?'})`}`).join('; ')}`;
    const elsewhere = stale.map((s) => s.configured).filter((c): c is string => c !== null && c !== lineage.path);
    f.detail = elsewhere.length > 0
      ? `nginx names ${[...new Set(elsewhere)].join(', ')} for these names, not the lineage's ${lineage.path}: a copy does not follow certbot's renewals.`
      : `nginx names ${lineage.path}, but it still serves the old certificate after the reload${data.reload?.done ? '' : ' (the reload did not run)'}.`;
    f.remedy = elsewhere.length > 0
      ? `point ssl_certificate and ssl_certificate_key at ${lineage.path.replace(/fullchain\.pem$/, '')}{fullchain,privkey}.pem, then nginx -t and reload`
      : 'check which nginx serves these names (nginx -T, the master\'s pid file) and reload that one';
  }
}
