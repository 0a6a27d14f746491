// `deckhand verify [target | URL]`: prove the deployed service works (VERIFIED / FAILED), or check a public URL on its own.
import { readFile } from 'node:fs/promises';
import { Command as Cmd } from 'commander';
import {
  connectAddress, DeckhandError, EXIT, parseChecksFile, parseDuration, parseResolve, renderVerificationMarkdown, usageError, verify, type VerifyRequest,
} from '../index.js';
import { resolveAppName } from './app-name.js';
import { emitReport, withExecutor } from './command-run.js';
import { addCommonOptions, executorFor, type GlobalOpts } from './shared.js';

interface VerifyFlags extends GlobalOpts {
  name?: string; repo?: string; baseDir?: string; url?: string; checks?: string; window?: string; since?: string; proxyUrl?: string; serverName?: string; port?: string; health?: string; caFile?: string; resolve?: string;
}

/** A window flag: a duration (a bare number is seconds) from 1s to 10m. */
function windowMs(flag: string, v: string): number {
  const ms = parseDuration(v, flag, 's');
  if (ms < 1000 || ms > 600_000) throw usageError(`${flag} must be between 1s and 10m (got "${v}")`);
  return ms;
}

export function verifyCommand(run: (fn: () => Promise<number>, o: GlobalOpts) => Promise<void>): Cmd {
  const c = new Cmd('verify')
    .description('deployment-verifier: process, port, HTTP health, smoke tests, TLS, logs, dependencies, proxy, served version → VERIFIED / FAILED')
    .argument('[target]', 'where the app runs (local, user@host, …), or a URL to verify on its own', 'local')
    .option('--name <app>', 'app deployed by deckhand (default: deckhand.yml or discovery of --repo)')
    .option('--repo <dir>', 'repository used to find the app name', '.')
    .option('--base-dir <path>', 'base directory on the target')
    .option('--url <url>', 'the app\'s public URL, checked from here (HTTP, smoke, TLS)')
    .option('--checks <file>', 'smoke checks (YAML or JSON): checks: [{ name, path, conditions: ["[STATUS] == 200"] }]')
    .option('--window <duration>', 'how long to watch restart counters and wait for health (default 10s)')
    .option('--since <time>', 'read logs from this ISO 8601 time on (default: when the serving release started serving, from the ledger: its deploy or the rollback that restored it)')
    .option('--proxy-url <url>', 'the reverse proxy in front of the app (nginx), compared with the direct answer')
    .option('--server-name <name>', 'Host header of the app\'s nginx site, for the proxy check')
    .option('--port <n>', 'port the app listens on (overrides the ledger)')
    .option('--health <path>', 'health path (overrides the ledger)')
    .option('--resolve <host:port:address>', 'reach HOST:PORT of the URL at ADDRESS (curl\'s --resolve): check a domain before its DNS points at the server; Host and SNI stay the domain')
    .option('--ca-file <file>', 'PEM CA certificate(s) the TLS check trusts besides the system store (an internal CA)');
  addCommonOptions(c);
  c.action(async (targetArg: string, o: VerifyFlags) => {
    const standalone = /^https?:\/\//i.test(targetArg);
    await run(() => withExecutor(o, (redactor) => executorFor(standalone ? 'local' : targetArg, o, redactor), async (r) => {
      const req: VerifyRequest = {};
      if (standalone) req.url = targetArg;
      else {
        req.app = await resolveAppName(o, r.redactor);
        if (o.url) req.url = o.url;
      }
      if (o.url && standalone) throw usageError('give the URL once: as the argument or with --url');
      if (req.url) { try { new URL(req.url); } catch { throw usageError(`"${req.url}" is not a URL`); } }
      if (o.baseDir) req.baseDir = o.baseDir;
      if (o.window) req.windowMs = windowMs('--window', o.window);
      if (o.since !== undefined) {
        // A date with a time: a bare date or free text would silently move the window.
        if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(o.since) || Number.isNaN(Date.parse(o.since))) throw usageError(`--since takes an ISO 8601 time (got "${o.since}")`, 'e.g. --since 2026-12-01T14:00:00Z');
        req.since = new Date(o.since).toISOString();
      }
      if (o.proxyUrl) req.proxyUrl = o.proxyUrl;
      if (o.serverName) req.serverName = o.serverName;
      if (o.health) req.healthPath = o.health;
      if (o.port) {
        const p = Number(o.port);
        if (!Number.isInteger(p) || p < 1 || p > 65535) throw usageError(`--port must be 1-65535 (got "${o.port}")`);
        req.port = p;
      }
      if (o.resolve) {
        const pinned = parseResolve(o.resolve);
        if (!pinned) throw usageError(`--resolve must be HOST:PORT:ADDRESS with an IP address (got "${o.resolve}")`, 'e.g. --resolve app.example.com:443:203.0.113.7');
        if (!req.url) throw usageError('--resolve applies to a URL: give one as the argument or with --url');
        if (!connectAddress(req.url, pinned)) throw usageError(`--resolve ${o.resolve} does not match the URL ${req.url} (host and port must be the URL's)`);
        req.resolve = pinned;
      }
      if (o.caFile) {
        const pem = await readFile(o.caFile, 'utf8').catch((e: Error) => { throw usageError(`cannot read ${o.caFile}: ${e.message}`); });
        if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw usageError(`${o.caFile} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
        req.tlsCa = pem;
      }
      if (o.checks) {
        const text = await readFile(o.checks, 'utf8').catch((e: Error) => { throw usageError(`cannot read ${o.checks}: ${e.message}`); });
        try {
          req.checks = parseChecksFile(text, o.checks);
        } catch (e) {
          const issues = (e as { issues?: string[] }).issues;
          throw new DeckhandError('config', `${o.checks}: ${issues?.length ? issues.join('; ') : (e as Error).message}`, { hint: 'checks: [{ name, path, conditions: ["[STATUS] == 200"] }] (see `deckhand verify --help`)' });
        }
      }
      const report = await verify(r.ctx, req);
      await emitReport(o, r, report, { stage: 'verification', markdown: renderVerificationMarkdown(report) });
      return report.data.verdict === 'VERIFIED' ? EXIT.ok : EXIT.checksFailed;
    }), o);
  });
  return c;
}
