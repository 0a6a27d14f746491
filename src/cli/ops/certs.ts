// `deckhand ops certs [target]`: certbot's and nginx's certificates, what each name serves, renewal with --yes.
import { isAbsolute } from 'node:path';
import { Command as Cmd } from 'commander';
import { nginxSafe, opsCerts, parseDuration, usageError, DEFAULT_LETSENCRYPT, type CertsRequest } from '../../index.js';
import { caBundle } from '../proxy.js';
import { addOpsOptions, runOpsTask, TARGET_ARG, type OpsFlags } from './shared.js';
import type { Run } from './types.js';

interface CertsFlags extends OpsFlags {
  renewWithin: string; yes?: boolean; certName?: string; letsencryptDir: string; nginxConf?: string; acmeServer?: string; caBundle?: string;
}

function absolute(flag: string, v: string | undefined): string | null {
  if (v === undefined) return null;
  if (!isAbsolute(v) || !nginxSafe(v)) throw usageError(`${flag} must be an absolute path without spaces or quotes (got "${v}")`);
  return v;
}

export function opsCertsCommand(run: Run): Cmd {
  const c = new Cmd('certs')
    .description('certificates of certbot and nginx (subject, SANs, issuer, expiry, SHA-256), the certificate each name SERVES; --yes renews those due and proves nginx serves the new one')
    .argument(...TARGET_ARG)
    .option('--renew-within <duration>', 'renewal window: certificates expiring within it are due (e.g. 15d, 36h)', '15d')
    .option('--yes', 'renew the certbot certificates due (certbot renew --force-renewal), reload nginx, check the served fingerprint')
    .option('--cert-name <name>', 'renew only this certbot lineage (the others are still listed)')
    .option('--letsencrypt-dir <dir>', 'certbot\'s configuration directory (work and logs go beside the lineages when not the default)', DEFAULT_LETSENCRYPT)
    .option('--nginx-conf <file>', 'nginx main config for an nginx outside /etc/nginx (nginx -T -c FILE, reloaded with nginx -s reload)')
    .option('--acme-server <url>', 'ACME directory URL for the renewal (default: the one each certificate was issued from)')
    .option('--ca-bundle <file>', 'PEM CA the ACME server\'s certificate chains to (private ACME servers); default: $REQUESTS_CA_BUNDLE when set');
  addOpsOptions(c);
  c.action(async (target: string, o: CertsFlags) => {
    await run(async () => {
      const within = parseDuration(o.renewWithin, '--renew-within');
      if (within < 0 || within > 3650 * 86_400_000) throw usageError(`--renew-within must be at most 3650d (got "${o.renewWithin}")`);
      if (o.acmeServer !== undefined && !/^https:\/\/\S+$/i.test(o.acmeServer)) throw usageError(`--acme-server must be an https:// URL (got "${o.acmeServer}")`);
      if (o.certName !== undefined && !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(o.certName)) throw usageError(`--cert-name "${o.certName}" is not a certbot lineage name`);
      const letsencryptDir = absolute('--letsencrypt-dir', o.letsencryptDir) ?? DEFAULT_LETSENCRYPT;
      const nginxConf = absolute('--nginx-conf', o.nginxConf);
      return runOpsTask(target, o, async ({ ctx, executor, app }) => {
        const local = executor.host.kind === 'local';
        const envBundle = process.env.REQUESTS_CA_BUNDLE;
        const ca = o.caBundle !== undefined ? await caBundle(o.caBundle, local, '--ca-bundle')
          : o.yes && envBundle ? await caBundle(envBundle, local, 'REQUESTS_CA_BUNDLE') : { pem: null, path: null };
        const req: CertsRequest = {
          app, renewWithinDays: Math.floor(within / 86_400_000), renew: o.yes === true, certName: o.certName ?? null, letsencryptDir, nginxConf,
          acmeServer: o.acmeServer ?? null, caBundlePem: ca.pem, caBundlePath: ca.path,
        };
        return opsCerts(ctx, req);
      });
    }, o);
  });
  return c;
}
