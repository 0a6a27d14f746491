// `proxy setup`: an nginx reverse proxy for one domain, checked with nginx -t, reloaded only when it changed; TLS through certbot.
import { randomBytes } from 'node:crypto';
import type { Command } from '../../core/command.js';
import type { RunContext } from '../../core/context.js';
import { tail, usageError } from '../../core/errors.js';
import { VERSION } from '../../core/version.js';
import { asRoot } from '../../commands/sudo.js';
import {
  certbotCommand, certDirFor, validDomain, certStateCommand, DEFAULT_ACME_WEBROOT, ensureDirCommand, installProxySiteCommand, proxyProbeCommand,
  reloadProxyNginxCommand, renderProxySite, type ListenAddr, type ProxySiteSpec,
} from '../../commands/proxy-nginx.js';
import type { ExecResult } from '../../exec/types.js';
import type { StepResult } from '../../report/common.js';
import type { ProxyReport, ProxySetupRequest, SiteResult } from './types.js';

export function listenText(l: ListenAddr): string {
  return l.address === null ? String(l.port) : `${l.address}:${l.port}`;
}

/** key=value lines printed by the probe and install scripts. */
function keyValues(text: string): Map<string, string> {
  const kv = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^([a-z-]+)=(.*)$/.exec(line.trim());
    if (m?.[1] && m[2] !== undefined) kv.set(m[1], m[2]);
  }
  return kv;
}

/** Output lines that are not the scripts' own key=value bookkeeping: what nginx or certbot said. */
function said(text: string): string {
  return text.split('\n').filter((l) => !/^(?:file|link|result|reload)=/.test(l.trim()) && !l.startsWith('nginx -t failed: the previous site file was restored')).join('\n').trim();
}

export async function setupProxy(ctx: RunContext, req: ProxySetupRequest): Promise<ProxyReport> {
  // The domain and ports end up in nginx syntax and file names: the CLI checks them, library callers get the same refusal.
  if (!validDomain(req.domain)) throw usageError(`"${req.domain}" is not a DNS name`);
  if (!Number.isInteger(req.port) || req.port < 1 || req.port > 65535) throw usageError(`port ${req.port} is outside 1-65535`);
  const now = ctx.now ?? (() => new Date());
  const startedAt = now();
  const t0 = performance.now();
  const confDir = req.confDir ?? '/etc/nginx';
  const mainConf = req.nginxConf ?? null;
  const certDir = req.tls ? certDirFor(req.domain, req.tls.letsencryptDir) : null;
  const steps: StepResult[] = [];
  const report: ProxyReport = {
    schemaVersion: 1, tool: { name: 'deckhand', version: VERSION }, stage: 'proxy', status: 'ok',
    target: { kind: ctx.executor.host.kind, display: ctx.executor.host.display }, startedAt: startedAt.toISOString(), durationMs: 0, steps,
    data: {
      outcome: 'FAILED', domain: req.domain, upstream: `http://127.0.0.1:${req.port}`, listen: listenText(req.listen), layout: null,
      siteFile: null, enabledLink: null, site: 'not-run', siteContent: null, nginxTest: { passed: null, output: '' },
      reload: { done: false, how: null, reason: 'not reached' },
      tls: req.tls && certDir ? {
        listen: listenText(req.tls.listen), certDir, certificate: 'not-run', certFile: null,
        acmeServer: req.tls.acmeServer ?? 'certbot default (Let\'s Encrypt)',
        challenge: req.tls.challenge.kind === 'webroot' ? `http-01 webroot ${req.tls.challenge.root}` : `http-01 standalone on port ${req.tls.challenge.port}`,
      } : null,
      commands: [], filesTouched: [], failure: null, warnings: [],
    },
  };
  const d = report.data;
  const finish = (): ProxyReport => {
    report.durationMs = Math.max(0, Math.round(performance.now() - t0));
    report.status = d.failure ? 'failed' : 'ok';
    if (d.failure) d.outcome = 'FAILED';
    return report;
  };

  let current = { id: '', title: '', t: 0 };
  const begin = (id: string, title: string): void => {
    current = { id, title, t: performance.now() };
    ctx.onProgress?.({ type: 'step-start', id, title });
  };
  const end = (status: StepResult['status'], detail?: string): void => {
    const durationMs = Math.max(0, Math.round(performance.now() - current.t));
    steps.push({ id: current.id, title: current.title, status, durationMs, ...(detail ? { detail } : {}) });
    ctx.onProgress?.({ type: 'step-end', id: current.id, title: current.title, status: status === 'block' ? 'fail' : status, durationMs, ...(detail ? { detail } : {}) });
  };
  const fail = (message: string): ProxyReport => {
    end('fail', message);
    d.failure = { step: current.id, message };
    return finish();
  };
  const run = async (cmd: Command): Promise<ExecResult> => {
    const r = await ctx.executor.run(cmd);
    d.commands.push({
      step: current.id, command: r.command, exitCode: r.exitCode, durationMs: Math.round(r.durationMs), timedOut: r.timedOut,
      output: tail([r.stdout, r.stderr].filter((s) => s.trim() !== '').join('\n'), 12),
    });
    return r;
  };

  begin('probe', `Probe ${ctx.executor.host.display}: user, sudo, nginx${req.tls ? ', certbot' : ''}, site layout`);
  const probe = await run(proxyProbeCommand(confDir));
  if (probe.failed) return fail(`the probe failed: ${tail(probe.stderr, 3) || `exit ${probe.exitCode}`}`);
  const kv = keyValues(probe.rawStdout ?? probe.stdout);
  const root = kv.get('uid') === '0';
  if (!root && kv.get('sudo') !== 'yes') return fail('the connecting user is not root and has no passwordless sudo (needed to write nginx\'s configuration)');
  if (kv.get('nginx') !== 'yes') return fail('nginx is not installed on the target (apt-get install nginx)');
  if (req.tls && kv.get('certbot') !== 'yes') return fail('certbot is not installed on the target (apt-get install certbot)');
  d.layout = kv.get('layout') === 'sites' ? 'sites' : 'conf.d';
  end('pass', `${root ? 'root' : 'sudo'}, ${d.layout === 'sites' ? 'sites-available + sites-enabled' : 'conf.d'}${kv.get('systemd') === 'yes' ? ', systemd' : ', no systemd'}`);
  const sudo = (c: Command): Command => asRoot(c, !root);

  const spec = (tls: boolean): ProxySiteSpec => ({
    domain: req.domain, upstreamPort: req.port, listen: req.listen, acmeWebroot: req.tls?.challenge.kind === 'webroot' ? req.tls.challenge.root : DEFAULT_ACME_WEBROOT,
    tls: tls && req.tls && certDir ? { listen: req.tls.listen, certDir } : null,
  });
  // The first install's result: a TLS run writes the file twice, and "created" must survive the second write.
  const first: { result: SiteResult | null } = { result: null };
  /** Installs one version of the site file; false when nginx -t rejected it (the report then says why). */
  const install = async (content: string): Promise<boolean> => {
    const r = await run({ ...sudo(installProxySiteCommand(confDir, req.domain, mainConf)), stdin: content });
    const out = keyValues(r.rawStdout ?? r.stdout);
    d.siteFile = out.get('file') ?? d.siteFile;
    const link = out.get('link');
    d.enabledLink = link && link !== '-' ? link : null;
    const result = out.get('result');
    if (result === 'rejected') {
      d.site = 'rejected';
      d.nginxTest = { passed: false, output: said(r.stderr) };
      return false;
    }
    if (r.failed || (result !== 'created' && result !== 'updated' && result !== 'unchanged')) {
      d.nginxTest = { passed: null, output: said(r.stderr) };
      return false;
    }
    d.site = result;
    first.result ??= result;
    d.siteContent = content;
    if (result !== 'unchanged') {
      d.nginxTest = { passed: true, output: said(r.stdout) };
      for (const f of [d.siteFile, d.enabledLink]) if (f && !d.filesTouched.includes(f)) d.filesTouched.push(f);
    }
    return true;
  };
  const reload = async (why: string): Promise<boolean> => {
    const r = await run(sudo(reloadProxyNginxCommand(mainConf)));
    if (r.failed) return false;
    d.reload = { done: true, how: keyValues(r.rawStdout ?? r.stdout).get('reload') ?? 'reloaded', reason: why };
    return true;
  };
  const rejected = (what: string): ProxyReport => fail(`nginx -t rejected ${what}; the previous site file is back in place and nginx was not reloaded${d.nginxTest.output ? `:\n${d.nginxTest.output}` : ''}`);

  if (req.tls?.challenge.kind === 'webroot' && req.tls.acmeServer === null && req.listen.port !== 80) {
    d.warnings.push(`Let's Encrypt checks http-01 challenges on port 80, but the site listens on ${req.listen.port}: issuance fails unless port 80 reaches this listener`);
  }
  let certChanged = false;
  if (req.tls && certDir && d.tls) {
    const tls = req.tls;
    begin('tls.state', `Look for a certificate in ${certDir}`);
    const before = await run(sudo(certStateCommand(certDir)));
    const beforeFile = before.failed ? null : (before.rawStdout ?? before.stdout).trim().split('\n')[0] ?? null;
    end('pass', beforeFile ? `present: ${beforeFile}` : 'none yet');

    if (!beforeFile && tls.challenge.kind === 'webroot') {
      // The ACME server fetches the challenge through nginx, so the HTTP site must be live before certbot runs.
      begin('site.http', `Serve ${req.domain} over HTTP with the ACME challenge directory ${tls.challenge.root}, nginx -t`);
      const mk = await run(sudo(ensureDirCommand(tls.challenge.root)));
      if (mk.failed) return fail(`could not create ${tls.challenge.root}: ${tail(mk.stderr, 3)}`);
      if (!(await install(renderProxySite(spec(false))))) return d.site === 'rejected' ? rejected('the HTTP site file') : fail(`installing the HTTP site file failed: ${tail(d.nginxTest.output, 5)}`);
      if (d.site !== 'unchanged' && !(await reload('HTTP site for the ACME challenge written'))) return fail('the nginx reload failed (see the commands)');
      end('pass', d.site);
    }

    begin('tls.certbot', `Obtain a certificate for ${req.domain} with certbot (${d.tls.challenge})`);
    let caPath = tls.caBundlePath;
    let uploaded: string | null = null;
    if (tls.caBundlePem !== null) {
      uploaded = `/tmp/deckhand-acme-ca-${randomBytes(6).toString('hex')}.pem`;
      const up = await ctx.executor.upload(tls.caBundlePem, uploaded, '0644');
      d.commands.push({ step: current.id, command: up.command, exitCode: up.exitCode, durationMs: Math.round(up.durationMs), timedOut: up.timedOut, output: tail(up.stderr, 5) });
      if (up.failed) return fail(`could not copy the CA bundle to the target: ${tail(up.stderr, 3)}`);
      caPath = uploaded;
    }
    const cb = await run(sudo(certbotCommand({ domain: req.domain, email: tls.email, server: tls.acmeServer, caBundle: caPath, challenge: tls.challenge })));
    if (uploaded) await run({ argv: ['rm', '-f', uploaded], mutates: true, timeoutMs: 30_000, description: 'remove the copied CA bundle' });
    if (cb.failed) {
      d.tls.certificate = 'failed';
      const kept = d.site === 'not-run' ? 'the site file was not changed' : 'the HTTP site stays in place';
      return fail(`certbot could not obtain a certificate (${kept}):\n${tail(cb.stderr || cb.stdout, 8)}`);
    }
    const after = await run(sudo(certStateCommand(certDir)));
    const afterFile = after.failed ? null : (after.rawStdout ?? after.stdout).trim().split('\n')[0] ?? null;
    if (!afterFile) return fail(`certbot succeeded but ${certDir}/fullchain.pem and privkey.pem are not there`);
    d.tls.certFile = afterFile;
    d.tls.certificate = beforeFile === null ? 'issued' : beforeFile !== afterFile ? 'renewed' : 'kept';
    certChanged = d.tls.certificate !== 'kept';
    if (certChanged) d.filesTouched.push(certDir);
    end('pass', `${d.tls.certificate}: ${afterFile}`);
  }

  begin('site', req.tls ? `Install the HTTPS site of ${req.domain} (HTTP redirects), nginx -t` : `Install the site of ${req.domain} → ${d.upstream}, nginx -t`);
  if (!(await install(renderProxySite(spec(req.tls !== null))))) return d.site === 'rejected' ? rejected('the new site file') : fail(`installing the site file failed: ${tail(d.nginxTest.output, 5)}`);
  end('pass', `${d.site}: ${d.siteFile ?? '?'}`);

  begin('reload', 'Reload nginx gracefully');
  const why = d.site !== 'unchanged' ? 'site file changed' : certChanged ? `certificate ${d.tls?.certificate ?? 'changed'}` : null;
  if (why === null) {
    if (!d.reload.done) d.reload.reason = 'nothing changed: no reload';
    end('skipped', 'nothing changed: no reload');
  } else {
    if (!(await reload(why))) return fail('the nginx reload failed (see the commands); the site file is in place and passed nginx -t');
    end('pass', d.reload.how ?? undefined);
  }
  d.outcome = first.result === 'created' ? 'CREATED' : first.result === 'unchanged' && d.site === 'unchanged' ? 'UNCHANGED' : 'UPDATED';
  return finish();
}
