// `deckhand proxy setup` for real: plain HTTP on a lab host's systemd nginx, and --tls against pebble with certbot and a private nginx here.
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test, type TestContext } from 'node:test';
import type { TLSSocket } from 'node:tls';
import { promisify } from 'node:util';
import { freeLocalPort } from '../../src/exec/free-port.js';
import { ProxyReportSchema } from '../../src/report/proxy.js';
import { labOrSkip, sshExec, type LabState } from '../lab/lab.js';
import { labSshFlags, runCli, type CliResult } from '../helpers/cli.js';

const run = promisify(execFile);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Report {
  status: string;
  data: {
    outcome: string; site: string; siteFile: string | null; enabledLink: string | null; layout: string | null;
    nginxTest: { passed: boolean | null; output: string }; reload: { done: boolean; how: string | null; reason: string };
    tls: null | { certificate: string; certFile: string | null; certDir: string };
    commands: { step: string; command: string; exitCode: number | null }[]; failure: { step: string; message: string } | null;
  };
}

/** The --json report, checked against the published schema (`deckhand schema proxy`) every time. */
function report(r: CliResult): Report {
  let raw: unknown;
  try { raw = JSON.parse(r.stdout); } catch { return assert.fail(`no JSON report (exit ${r.code}):\n${r.stdout}\n${r.stderr}`); }
  const parsed = ProxyReportSchema.safeParse(raw);
  assert.ok(parsed.success, `the report does not match its schema: ${parsed.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return raw as Report;
}

describe('proxy setup: usage errors exit 2 before touching any host', () => {
  test('missing or malformed flags', async () => {
    const cases: [string[], RegExp][] = [
      [['--domain', 'a.test'], /--port is required/],
      [['--port', '3000'], /--domain is required/],
      [['--domain', 'a;b', '--port', '3000'], /"a;b" is not a DNS name/],
      [['--domain', 'a.test', '--port', '0'], /--port must be a port from 1 to 65535/],
      [['--domain', 'a.test', '--port', '3000', '--listen', 'x:80'], /--listen must be a port/],
      [['--domain', 'a.test', '--port', '3000', '--email', 'ops@example.com'], /--email applies only with --tls/],
      [['--domain', 'a.test', '--port', '3000', '--tls', '--https-listen', '80'], /--https-listen and --listen must differ/],
      [['--domain', 'a.test', '--port', '3000', '--tls', '--acme-server', 'http://x/dir'], /--acme-server must be an https:\/\/ URL/],
      [['--domain', 'a.test', '--port', '3000', '--tls', '--challenge', 'dns'], /--challenge must be webroot or standalone/],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(['proxy', 'setup', 'local', ...args]);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
    }
  });
});

describe('proxy setup on a lab host (systemd nginx, deploy user with sudo)', { concurrency: false }, () => {
  let lab: LabState | null = null;
  let target = '';
  const DOMAIN = 'proxy-lab.test';
  const BACKEND = 3455;
  const UNIT = 'deckhand-proxy-test-backend';
  const cli = (extra: string[] = []): Promise<CliResult> => runCli(['proxy', 'setup', target, ...labSshFlags(lab as LabState), '--domain', DOMAIN, '--port', String(BACKEND), '--json', ...extra], { timeoutMs: 120_000 });
  const viaNginx = async (): Promise<string> => (await sshExec('node20', 'deploy', `curl -s -m 5 -H 'Host: ${DOMAIN}' http://127.0.0.1/`)).stdout;

  after(async () => {
    if (!lab) return;
    await sshExec('node20', 'deploy', `sudo -n systemctl stop ${UNIT}.service; sudo -n rm -f /etc/nginx/sites-enabled/${DOMAIN} /etc/nginx/sites-available/${DOMAIN}; `
      + 'sudo -n rm -rf /tmp/deckhand-proxy-test; sudo -n nginx -t && sudo -n systemctl reload nginx').catch(() => undefined);
  });

  test('a new site proxies Host: <domain> to the backend; a second run is unchanged; a rejected file leaves the old site serving', async (t) => {
    lab = labOrSkip(t); if (!lab) return;
    const h = lab.hosts.node20;
    target = `ssh://deploy@${h.host}:${h.port}`;
    // Leftovers of an interrupted earlier run would turn CREATED into UPDATED.
    await sshExec('node20', 'deploy', `sudo -n systemctl stop ${UNIT}.service; sudo -n systemctl reset-failed ${UNIT}.service; `
      + `sudo -n rm -f /etc/nginx/sites-enabled/${DOMAIN} /etc/nginx/sites-available/${DOMAIN}`);
    // The backend: python's http.server as a transient systemd unit, serving one marker file.
    const start = await sshExec('node20', 'deploy', `mkdir -p /tmp/deckhand-proxy-test && echo proxied-backend-ok > /tmp/deckhand-proxy-test/index.html && `
      + `sudo -n systemd-run --unit ${UNIT} --working-directory /tmp/deckhand-proxy-test python3 -m http.server ${BACKEND} --bind 127.0.0.1`);
    assert.equal(start.code, 0, start.stderr);
    for (let i = 0; i < 50; i++) {
      if ((await sshExec('node20', 'deploy', `curl -s -m 2 http://127.0.0.1:${BACKEND}/`)).stdout.includes('proxied-backend-ok')) break;
      await sleep(100);
    }

    const first = await cli(['--out', join(tmpdir(), `dh-proxy-lab-reports-${process.pid}`)]);
    assert.equal(first.code, 0, first.stderr + first.stdout);
    const r1 = report(first);
    assert.equal(r1.data.outcome, 'CREATED');
    assert.equal(r1.data.layout, 'sites');
    assert.equal(r1.data.siteFile, `/etc/nginx/sites-available/${DOMAIN}`);
    assert.equal(r1.data.enabledLink, `/etc/nginx/sites-enabled/${DOMAIN}`);
    assert.equal(r1.data.nginxTest.passed, true);
    assert.deepEqual(r1.data.reload, { done: true, how: 'systemctl reload nginx.service', reason: 'site file changed' });
    assert.ok(r1.data.commands.every((c) => c.exitCode === 0));
    let body = await viaNginx();
    for (let i = 0; i < 50 && !body.includes('proxied-backend-ok'); i++) { await sleep(100); body = await viaNginx(); }
    assert.match(body, /proxied-backend-ok/);
    await rm(join(tmpdir(), `dh-proxy-lab-reports-${process.pid}`), { recursive: true, force: true });

    const second = await cli();
    assert.equal(second.code, 0, second.stderr);
    const r2 = report(second);
    assert.equal(r2.data.outcome, 'UNCHANGED');
    assert.equal(r2.data.reload.done, false);
    assert.ok(!r2.data.commands.some((c) => c.command.includes('deckhand-proxy-reload')), 'no reload when nothing changed');

    // An address this host does not have, on a port no wildcard listener covers (nginx binds those itself): nginx -t
    // fails at bind(); the previous file is put back.
    const bad = await cli(['--listen', '203.0.113.7:8089']);
    assert.equal(bad.code, 1, bad.stderr + bad.stdout);
    const r3 = report(bad);
    assert.equal(r3.data.outcome, 'FAILED');
    assert.equal(r3.data.site, 'rejected');
    assert.match(r3.data.failure?.message ?? '', /nginx -t rejected the new site file; the previous site file is back in place[\s\S]*bind\(\) to 203\.0\.113\.7:8089 failed \(99: Cannot assign requested address\)/);
    assert.equal((await sshExec('node20', 'deploy', `grep -c 'listen 80;' /etc/nginx/sites-available/${DOMAIN}`)).stdout.trim(), '1', 'the previous file is in place');
    assert.match(await viaNginx(), /proxied-backend-ok/, 'the previous site still serves');
    assert.equal((await sshExec('node20', 'deploy', `ls /etc/nginx/sites-available/ | grep -c deckhand || true`)).stdout.trim(), '0', 'no temp or backup files left');
  });
});

function onPath(cmd: string): boolean {
  return ['/usr/sbin', '/sbin', ...(process.env.PATH ?? '').split(':')].some((d) => d !== '' && existsSync(join(d, cmd)));
}

/** Skips (or, under CI=true, fails) without root and Debian's pebble, certbot, nginx and openssl. */
function pebbleOrSkip(t: TestContext): boolean {
  const missing = ['pebble', 'pebble-challtestsrv', 'certbot', 'nginx', 'openssl'].filter((c) => !onPath(c));
  const why = process.getuid?.() !== 0 ? 'not root (certbot writes /etc/letsencrypt)'
    : missing.length > 0 ? `${missing.join(', ')} not installed (apt-get install -y pebble certbot nginx-light openssl)` : null;
  if (why === null) return true;
  if (process.env.CI === 'true') throw new Error(why);
  t.skip(why);
  return false;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}

/** pebble's root CA (generated at each start), from its management interface. */
function pebbleRoot(mgmtPort: number, listenerCa: string): Promise<string> {
  return readFile(listenerCa, 'utf8').then((ca) => new Promise((resolve, reject) => {
    const req = httpsRequest({ host: '127.0.0.1', port: mgmtPort, path: '/roots/0', ca, servername: 'localhost', timeout: 10_000 }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => { body += d.toString(); });
      res.on('end', () => (res.statusCode === 200 && body.includes('BEGIN CERTIFICATE') ? resolve(body) : reject(new Error(`pebble /roots/0: ${res.statusCode} ${body.slice(0, 200)}`))));
    });
    req.on('timeout', () => req.destroy(new Error('pebble /roots/0: timeout')));
    req.on('error', reject);
    req.end();
  }));
}

function alive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch { return false; }
}

async function stop(pid: number, signal: NodeJS.Signals): Promise<void> {
  try { process.kill(pid, signal); } catch { return; }
  for (let i = 0; i < 100 && alive(pid); i++) await sleep(100);
  if (alive(pid)) process.kill(pid, 'SIGKILL');
}

describe('proxy setup --tls against pebble (certbot webroot and standalone, a private nginx on this machine)', { concurrency: false }, () => {
  let dir = '';
  const DOMAIN = `dh-proxy-${randomBytes(3).toString('hex')}.test`;
  const STANDALONE_DOMAIN = `dh-proxy-sa-${randomBytes(3).toString('hex')}.test`;
  // Two pebbles: one validates http-01 on nginx's HTTP port (webroot), the other on a port certbot --standalone takes itself.
  const ports = { backend: 0, http: 0, https: 0, acme: 0, acmeMgmt: 0, tlsAlpn: 0, dns: 0, dnsMgmt: 0, acme2: 0, acme2Mgmt: 0, standalone: 0, http2: 0, https2: 0 };
  const children: ChildProcess[] = [];
  let nginxPid: number | null = null;
  let backend: Server | null = null;
  let ready = false;
  let letsencryptBefore: Set<string> | null = null;
  const letsencryptTree = async (): Promise<string[]> => (await run('find', ['/etc/letsencrypt'], { timeout: 30_000 }).catch(() => ({ stdout: '' }))).stdout.split('\n').filter(Boolean);

  before(async () => {
    if (process.getuid?.() !== 0 || !['pebble', 'pebble-challtestsrv', 'certbot', 'nginx', 'openssl'].every(onPath)) return;
    dir = await mkdtemp(join(tmpdir(), 'dh-proxy-tls-'));
    letsencryptBefore = new Set(await letsencryptTree());
    // nginx workers run as nobody and must read the challenge files certbot writes under the webroot.
    await chmod(dir, 0o755);
    for (const k of Object.keys(ports) as (keyof typeof ports)[]) ports[k] = await freeLocalPort();
    backend = createServer((_req, res) => { res.writeHead(200, { 'content-type': 'text/plain' }); res.end('tls-backend-ok\n'); });
    await new Promise<void>((res) => backend?.listen(ports.backend, '127.0.0.1', res));

    // pebble ships no listener certificate: one for 127.0.0.1, which certbot trusts through the CA bundle.
    await run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', join(dir, 'pebble.key'),
      '-out', join(dir, 'pebble.crt'), '-days', '2', '-subj', '/CN=pebble', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'], { timeout: 30_000 });
    // http-01 is validated on the nginx HTTP port, where the site's challenge location serves certbot's webroot.
    const pebbleConfig = (listen: number, mgmt: number, httpPort: number): string => JSON.stringify({ pebble: {
      listenAddress: `127.0.0.1:${listen}`, managementListenAddress: `127.0.0.1:${mgmt}`, certificate: join(dir, 'pebble.crt'),
      privateKey: join(dir, 'pebble.key'), httpPort, tlsPort: ports.tlsAlpn, ocspResponderURL: '', externalAccountBindingRequired: false,
    } });
    await writeFile(join(dir, 'pebble.json'), pebbleConfig(ports.acme, ports.acmeMgmt, ports.http));
    await writeFile(join(dir, 'pebble2.json'), pebbleConfig(ports.acme2, ports.acme2Mgmt, ports.standalone));
    // The DNS pebble asks: every name is 127.0.0.1.
    children.push(spawn('pebble-challtestsrv', ['-defaultIPv4', '127.0.0.1', '-defaultIPv6', '', '-dns01', `127.0.0.1:${ports.dns}`, '-http01', '', '-https01', '',
      '-tlsalpn01', '', '-management', `127.0.0.1:${ports.dnsMgmt}`], { stdio: 'ignore' }));
    for (const cfg of ['pebble.json', 'pebble2.json']) {
      children.push(spawn('pebble', ['-config', join(dir, cfg), '-dnsserver', `127.0.0.1:${ports.dns}`], {
        stdio: 'ignore', env: { ...process.env, PEBBLE_VA_NOSLEEP: '1', PEBBLE_WFE_NONCEREJECT: '0' },
      }));
    }

    // A private nginx (own main config, pid, logs, temp dirs; loopback only) whose conf.d the command writes into.
    await mkdir(join(dir, 'nginx', 'conf.d'), { recursive: true });
    const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((k) => `${k}_temp_path ${join(dir, `${k}-temp`)};`).join(' ');
    await writeFile(join(dir, 'nginx', 'nginx.conf'), [
      `pid ${join(dir, 'nginx.pid')};`, `error_log ${join(dir, 'error.log')};`, 'daemon on;', 'worker_processes 1;', 'events { worker_connections 64; }',
      'http {', `  access_log ${join(dir, 'access.log')};`, `  ${temp}`, `  include ${join(dir, 'nginx', 'conf.d')}/*.conf;`, '}', '',
    ].join('\n'));
    await run(existsSync('/usr/sbin/nginx') ? '/usr/sbin/nginx' : 'nginx', ['-c', join(dir, 'nginx', 'nginx.conf'), '-e', join(dir, 'error.log')], { timeout: 30_000 });
    for (let i = 0; i < 50 && nginxPid === null; i++) {
      const pid = Number((await readFile(join(dir, 'nginx.pid'), 'utf8').catch(() => '')).trim());
      if (pid > 0) nginxPid = pid; else await sleep(100);
    }
    for (let i = 0; i < 100 && !((await accepts(ports.acme)) && (await accepts(ports.acme2))); i++) await sleep(100);
    ready = nginxPid !== null && (await accepts(ports.acme)) && (await accepts(ports.acme2));
  });

  after(async () => {
    if (dir) {
      // The certificate lineage and the ACME account certbot made for this pebble.
      for (const d of [DOMAIN, STANDALONE_DOMAIN]) await run('certbot', ['delete', '--non-interactive', '--cert-name', d], { timeout: 60_000 }).catch(() => undefined);
      // Then whatever else certbot created (account, keys, CSRs, its skeleton): the machine is left as it was.
      const before = letsencryptBefore ?? new Set<string>();
      for (const p of (await letsencryptTree()).filter((x) => !before.has(x)).sort().reverse()) await rm(p, { recursive: true, force: true });
    }
    if (nginxPid !== null) await stop(nginxPid, 'SIGQUIT');
    for (const c of children) if (c.pid !== undefined) await stop(c.pid, 'SIGTERM');
    await new Promise<void>((res) => (backend ? backend.close(() => res()) : res()));
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const cli = (): Promise<CliResult> => runCli([
    'proxy', 'setup', 'local', '--domain', DOMAIN, '--port', String(ports.backend), '--listen', `127.0.0.1:${ports.http}`,
    '--tls', '--https-listen', `127.0.0.1:${ports.https}`, '--acme-server', `https://127.0.0.1:${ports.acme}/dir`, '--ca-bundle', join(dir, 'pebble.crt'),
    '--webroot', join(dir, 'acme'), '--nginx-conf', join(dir, 'nginx', 'nginx.conf'), '--json',
  ], { timeoutMs: 180_000 });

  test('issues a certificate, serves HTTPS with it, redirects HTTP; a second run keeps it and does not reload', async (t) => {
    if (!pebbleOrSkip(t)) return;
    assert.ok(ready, `pebble or the private nginx did not start: ${await readFile(join(dir, 'error.log'), 'utf8').catch(() => '')}`);
    const first = await cli();
    assert.equal(first.code, 0, first.stderr + first.stdout);
    const r1 = report(first);
    assert.equal(r1.data.outcome, 'CREATED');
    assert.equal(r1.data.layout, 'conf.d');
    assert.equal(r1.data.siteFile, join(dir, 'nginx', 'conf.d', `${DOMAIN}.conf`));
    assert.equal(r1.data.tls?.certificate, 'issued');
    assert.equal(r1.data.tls?.certDir, `/etc/letsencrypt/live/${DOMAIN}`);
    assert.deepEqual(r1.data.commands.map((c) => c.step), ['probe', 'tls.state', 'site.http', 'site.http', 'site.http', 'tls.certbot', 'tls.certbot', 'site', 'reload']);
    assert.equal(r1.data.reload.how, 'nginx -s reload');

    // HTTPS through nginx: pebble's certificate for the domain, the backend's answer.
    const https = await new Promise<{ body: string; issuer: string; names: string }>((resolve, reject) => {
      const req = httpsRequest({ host: '127.0.0.1', port: ports.https, servername: DOMAIN, headers: { host: DOMAIN }, rejectUnauthorized: false, path: '/' }, (res) => {
        const cert = (res.socket as TLSSocket).getPeerCertificate();
        let body = '';
        res.on('data', (d: Buffer) => { body += d.toString(); });
        res.on('end', () => resolve({ body, issuer: String(cert.issuer?.CN ?? ''), names: String(cert.subjectaltname ?? '') }));
      });
      req.on('error', reject);
      req.end();
    });
    assert.equal(https.body, 'tls-backend-ok\n');
    assert.match(https.issuer, /^Pebble Intermediate CA/);
    assert.equal(https.names, `DNS:${DOMAIN}`);
    // HTTP redirects to the HTTPS port. A reload is asynchronous: an old worker may take a connection for a moment longer.
    const get = (): Promise<{ status: number; location: string }> => new Promise((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port: ports.http, headers: { host: DOMAIN }, path: '/x?y=1', agent: false }, (res) => {
        res.resume();
        resolve({ status: res.statusCode ?? 0, location: String(res.headers.location) });
      });
      req.on('error', reject);
      req.end();
    });
    let redirect = await get();
    for (let i = 0; i < 50 && redirect.status !== 301; i++) { await sleep(100); redirect = await get(); }
    assert.deepEqual(redirect, { status: 301, location: `https://${DOMAIN}:${ports.https}/x?y=1` });

    // deckhand verify through the domain (reached at 127.0.0.1, Host and SNI the domain) trusts pebble's root and passes.
    const root = await pebbleRoot(ports.acmeMgmt, join(dir, 'pebble.crt'));
    await writeFile(join(dir, 'pebble-root.pem'), root);
    const url = `https://${DOMAIN}:${ports.https}/`;
    const v = await runCli(['verify', url, '--resolve', `${DOMAIN}:${ports.https}:127.0.0.1`, '--ca-file', join(dir, 'pebble-root.pem'), '--json'], { timeoutMs: 120_000 });
    const vr = JSON.parse(v.stdout) as { data: { verdict: string }; findings: { id: string; status: string; summary: string }[] };
    assert.equal(v.code, 0, v.stdout + v.stderr);
    assert.equal(vr.data.verdict, 'VERIFIED');
    const tls = vr.findings.filter((f) => f.id.startsWith('tls.'));
    assert.ok(tls.length >= 3 && tls.every((f) => f.status === 'pass'), JSON.stringify(tls));
    // Without pebble's root the chain is not trusted: the same check fails, so the pass above is the CA's doing.
    const untrusted = await runCli(['verify', url, '--resolve', `${DOMAIN}:${ports.https}:127.0.0.1`, '--json'], { timeoutMs: 120_000 });
    assert.equal(untrusted.code, 1, untrusted.stdout + untrusted.stderr);
    assert.ok((JSON.parse(untrusted.stdout) as typeof vr).findings.some((f) => f.id.startsWith('tls.') && f.status === 'fail'));

    const second = await cli();
    assert.equal(second.code, 0, second.stderr + second.stdout);
    const r2 = report(second);
    assert.equal(r2.data.outcome, 'UNCHANGED');
    assert.equal(r2.data.tls?.certificate, 'kept');
    assert.equal(r2.data.reload.done, false);
  });

  test('--challenge standalone: certbot answers http-01 on its own port; nginx is only reloaded with the HTTPS site', async (t) => {
    if (!pebbleOrSkip(t)) return;
    assert.ok(ready, 'pebble or the private nginx did not start');
    const r = await runCli([
      'proxy', 'setup', 'local', '--domain', STANDALONE_DOMAIN, '--port', String(ports.backend), '--listen', `127.0.0.1:${ports.http2}`,
      '--tls', '--https-listen', `127.0.0.1:${ports.https2}`, '--acme-server', `https://127.0.0.1:${ports.acme2}/dir`, '--ca-bundle', join(dir, 'pebble.crt'),
      '--challenge', 'standalone', '--http-01-port', String(ports.standalone), '--email', 'ops@example.com', '--nginx-conf', join(dir, 'nginx', 'nginx.conf'), '--json',
    ], { timeoutMs: 180_000 });
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const rep = report(r);
    assert.equal(rep.data.outcome, 'CREATED');
    assert.equal(rep.data.tls?.certificate, 'issued');
    assert.deepEqual(rep.data.commands.map((c) => c.step), ['probe', 'tls.state', 'tls.certbot', 'tls.certbot', 'site', 'reload']);
    assert.match(rep.data.commands[2]?.command ?? '', / --standalone --http-01-port \d+ --server https:\/\/127\.0\.0\.1:\d+\/dir$/);
    let body = '';
    for (let i = 0; i < 50 && body !== 'tls-backend-ok\n'; i++) {
      body = await new Promise<string>((resolve) => {
        const req = httpsRequest({ host: '127.0.0.1', port: ports.https2, servername: STANDALONE_DOMAIN, headers: { host: STANDALONE_DOMAIN }, rejectUnauthorized: false, agent: false }, (res) => {
          let b = '';
          res.on('data', (d: Buffer) => { b += d.toString(); });
          res.on('end', () => resolve(b));
        });
        req.on('error', () => resolve(''));
        req.end();
      });
      if (body !== 'tls-backend-ok\n') await sleep(100);
    }
    assert.equal(body, 'tls-backend-ok\n');
  });
});
