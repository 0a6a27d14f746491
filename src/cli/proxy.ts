// `deckhand proxy setup [target]`: an nginx reverse proxy for a domain in front of a local port, optionally with a certbot certificate.
import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { Command as Cmd } from 'commander';
import {
  DEFAULT_ACME_WEBROOT, EXIT, nginxSafe, parseListen, renderProxyMarkdown, setupProxy, usageError, validDomain,
  type AcmeChallenge, type ProxySetupRequest,
} from '../index.js';
import { emitReport, withExecutor } from './command-run.js';
import { addCommonOptions, executorFor, type GlobalOpts } from './shared.js';

interface ProxyFlags extends GlobalOpts {
  domain?: string; port?: string; listen: string; tls?: boolean; httpsListen: string; email?: string; acmeServer?: string; caBundle?: string;
  challenge?: string; http01Port?: string; webroot?: string; nginxConf?: string;
}

type Run = (fn: () => Promise<number>, o: GlobalOpts) => Promise<void>;

function listenFlag(flag: string, v: string) {
  const l = parseListen(v);
  if (!l) throw usageError(`${flag} must be a port (1-65535) or ADDRESS:PORT (got "${v}")`);
  return l;
}

function portFlag(flag: string, v: string | undefined): number {
  if (v === undefined) throw usageError(`${flag} is required`);
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < 1 || n > 65535) throw usageError(`${flag} must be a port from 1 to 65535 (got "${v}")`);
  return n;
}

/** Reads the CA bundle: its PEM for a remote target, its absolute path for the local one (certbot reads it there). */
export async function caBundle(file: string, local: boolean, flag: string): Promise<{ pem: string | null; path: string | null }> {
  const pem = await readFile(file, 'utf8').catch((e: Error) => { throw usageError(`cannot read ${flag} ${file}: ${e.message}`); });
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw usageError(`${flag} ${file} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
  return local ? { pem: null, path: resolve(file) } : { pem, path: null };
}

function setupCommand(run: Run): Cmd {
  const c = new Cmd('setup')
    .description('write an nginx server block for a domain proxying to 127.0.0.1:PORT, check it with nginx -t and reload gracefully; --tls adds a certbot certificate and an HTTP→HTTPS redirect')
    .argument('[target]', 'local, user@host, user@host:port, ssh://user@host:port, or an ~/.ssh/config alias', 'local')
    .option('--domain <name>', 'the domain nginx answers for (server_name)')
    .option('--port <n>', 'the app\'s port on the target\'s loopback')
    .option('--listen <port>', 'HTTP listener: PORT or ADDRESS:PORT', '80')
    .option('--tls', 'obtain a certificate with certbot and serve HTTPS (HTTP redirects)')
    .option('--https-listen <port>', 'HTTPS listener with --tls: PORT or ADDRESS:PORT', '443')
    .option('--email <address>', 'ACME account e-mail (default: register without one)')
    .option('--acme-server <url>', 'ACME directory URL (default: certbot\'s, Let\'s Encrypt)')
    .option('--ca-bundle <file>', 'PEM CA the ACME server\'s certificate chains to (private ACME servers); default: $REQUESTS_CA_BUNDLE when set')
    .option('--challenge <kind>', 'http-01 through nginx (webroot) or certbot\'s own listener (standalone)', 'webroot')
    .option('--http-01-port <n>', 'port certbot --standalone listens on for the challenge (default 80)')
    .option('--webroot <dir>', `challenge directory nginx serves /.well-known/acme-challenge/ from (default ${DEFAULT_ACME_WEBROOT})`)
    .option('--nginx-conf <file>', 'nginx main config for an nginx outside /etc/nginx: sites go beside it, tested with nginx -t -c FILE, reloaded with nginx -s reload')
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)');
  addCommonOptions(c);
  c.action(async (target: string, o: ProxyFlags) => {
    await run(async () => {
      const domain = o.domain;
      if (domain === undefined) throw usageError('--domain is required', 'deckhand proxy setup [target] --domain app.example.com --port 3000');
      if (!validDomain(domain)) throw usageError(`--domain "${domain}" is not a DNS name`, 'letters, digits, hyphens and dots; no wildcard');
      const port = portFlag('--port', o.port);
      const listen = listenFlag('--listen', o.listen);
      const tlsOnly = ([['--email', o.email], ['--acme-server', o.acmeServer], ['--ca-bundle', o.caBundle], ['--http-01-port', o.http01Port], ['--webroot', o.webroot]] as const)
        .filter(([, v]) => v !== undefined).map(([k]) => k);
      if (!o.tls && tlsOnly.length > 0) throw usageError(`${tlsOnly.join(', ')} ${tlsOnly.length === 1 ? 'applies' : 'apply'} only with --tls`);
      if (o.email !== undefined && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(o.email)) throw usageError(`--email "${o.email}" is not an e-mail address`);
      if (o.acmeServer !== undefined && !/^https:\/\/\S+$/i.test(o.acmeServer)) throw usageError(`--acme-server must be an https:// URL (got "${o.acmeServer}")`);
      if (o.nginxConf !== undefined && !(isAbsolute(o.nginxConf) && nginxSafe(o.nginxConf))) throw usageError(`--nginx-conf must be an absolute path without spaces or quotes (got "${o.nginxConf}")`);
      if (o.challenge !== 'webroot' && o.challenge !== 'standalone') throw usageError(`--challenge must be webroot or standalone (got "${o.challenge}")`);
      if (o.challenge === 'webroot' && o.http01Port !== undefined) throw usageError('--http-01-port applies to --challenge standalone (webroot answers on the --listen port)');
      if (o.challenge === 'standalone' && o.webroot !== undefined) throw usageError('--webroot applies to --challenge webroot');
      if (o.webroot !== undefined && !(isAbsolute(o.webroot) && nginxSafe(o.webroot))) throw usageError(`--webroot must be an absolute path without spaces or quotes (got "${o.webroot}")`);

      return withExecutor(o, (redactor) => executorFor(target, o, redactor), async (r) => {
        const local = r.executor.host.kind === 'local';
        const req: ProxySetupRequest = { domain, port, listen, tls: null, nginxConf: o.nginxConf ?? null };
        if (o.nginxConf) req.confDir = o.nginxConf.replace(/\/[^/]+$/, '') || '/';
        if (o.tls) {
          const httpsListen = listenFlag('--https-listen', o.httpsListen);
          if (httpsListen.port === listen.port) throw usageError(`--https-listen and --listen must differ (both ${listen.port})`);
          const challenge: AcmeChallenge = o.challenge === 'standalone'
            ? { kind: 'standalone', port: o.http01Port === undefined ? 80 : portFlag('--http-01-port', o.http01Port) }
            : { kind: 'webroot', root: o.webroot ?? DEFAULT_ACME_WEBROOT };
          if (challenge.kind === 'standalone' && challenge.port === listen.port) throw usageError(`certbot --standalone needs port ${challenge.port} for itself, where nginx listens (--listen): use --challenge webroot`);
          const envBundle = process.env.REQUESTS_CA_BUNDLE;
          const ca = o.caBundle !== undefined ? await caBundle(o.caBundle, local, '--ca-bundle')
            : envBundle ? await caBundle(envBundle, local, 'REQUESTS_CA_BUNDLE') : { pem: null, path: null };
          req.tls = { listen: httpsListen, email: o.email ?? null, acmeServer: o.acmeServer ?? null, caBundlePem: ca.pem, caBundlePath: ca.path, challenge };
        }
        const report = await setupProxy(r.ctx, req);
        await emitReport(o, r, report, { stage: 'proxy', markdown: renderProxyMarkdown(report) });
        return report.status === 'ok' ? EXIT.ok : EXIT.checksFailed;
      });
    }, o);
  });
  return c;
}

export function proxyCommand(run: Run): Cmd {
  return new Cmd('proxy')
    .description('reverse proxy in front of an app: nginx server block, nginx -t, graceful reload, optional TLS certificate')
    .exitOverride()
    .addCommand(setupCommand(run));
}
