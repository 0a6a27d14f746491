// ops certs: nginx -T parsing, openssl/inventory/handshake parsers, the builders run for real (temp lineage, a TLS server here), the stage under a scripted target.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Command } from '../../src/core/command.js';
import { Redactor } from '../../src/core/redact.js';
import { LocalExecutor } from '../../src/exec/local.js';
import { RecordingExecutor } from '../../src/exec/recording.js';
import { certbotDirArgs, certbotRenewCommand, certInventoryCommand, handshakesCommand } from '../../src/commands/ops-certs.js';
import { exactNames, parseListen, parseNginxDump, tlsListen, connectHost } from '../../src/stages/operate/certs/nginx-config.js';
import { opensslDate, parseCertLines, parseHandshakes, parseInventory, parseRenew } from '../../src/stages/operate/certs/inventory.js';
import { covers, opsCerts, type CertsRequest } from '../../src/stages/operate/certs/index.js';
import { OperationsReportSchema } from '../../src/report/operations.js';
import { renderOperationsMarkdown } from '../../src/report/markdown-operations.js';

const DUMP = `nginx: the configuration file /etc/nginx/nginx.conf syntax is ok
nginx: configuration file /etc/nginx/nginx.conf test is successful
# configuration file /etc/nginx/nginx.conf:
http {
    ssl_certificate /etc/ssl/default.pem; # inherited by servers without their own
    include /etc/nginx/sites-enabled/*;
}
stream {
    server { listen 993 ssl; ssl_certificate /etc/ssl/imap.pem; }
}

# configuration file /etc/nginx/sites-enabled/app:
server {
    listen 80;
    server_name app.example.com;
}
server {
    listen 443 ssl http2;
    listen [::]:443 ssl http2;
    server_name app.example.com www.example.com *.example.com ~^api\\d+ _;
    ssl_certificate "/etc/letsencrypt/live/app.example.com/fullchain.pem";
    ssl_certificate_key /etc/letsencrypt/live/app.example.com/privkey.pem;
    location / { return 200 "a } in a string; and a # too"; }
}
server {
    listen 127.0.0.1:8443;
    ssl on;
    server_name legacy.test;
}
`;

describe('nginx -T parsing', () => {
  it('finds the HTTPS servers with their listeners, names, certificate files and where they are', () => {
    const servers = parseNginxDump(DUMP);
    assert.deepEqual(servers.map((s) => [s.file, s.line, s.serverNames, s.certificates, s.listens.map((l) => `${l.host}:${l.port}${l.ssl ? ' ssl' : ''}`)]), [
      ['/etc/nginx/sites-enabled/app', 5, ['app.example.com', 'www.example.com', '*.example.com', '~^api\\d+', '_'], ['/etc/letsencrypt/live/app.example.com/fullchain.pem'], ['*:443 ssl', '[::]:443 ssl']],
      ['/etc/nginx/sites-enabled/app', 13, ['legacy.test'], ['/etc/ssl/default.pem'], ['127.0.0.1:8443 ssl']],
    ]);
    const first = servers[0];
    assert.ok(first);
    assert.deepEqual(exactNames(first), ['app.example.com', 'www.example.com']);
    const l = tlsListen(first);
    assert.ok(l);
    assert.equal(connectHost(l), '127.0.0.1');
  });

  it('listen forms: port, address:port, [v6]:port, unix sockets ignored', () => {
    assert.deepEqual(parseListen(['443', 'ssl']), { host: '*', port: 443, ssl: true, raw: '443 ssl' });
    assert.deepEqual(parseListen(['10.0.0.5:8443', 'ssl', 'default_server']), { host: '10.0.0.5', port: 8443, ssl: true, raw: '10.0.0.5:8443 ssl default_server' });
    assert.deepEqual(parseListen(['[::1]:443', 'ssl']), { host: '[::1]', port: 443, ssl: true, raw: '[::1]:443 ssl' });
    assert.deepEqual(parseListen(['localhost']), { host: 'localhost', port: 80, ssl: false, raw: 'localhost' });
    assert.equal(parseListen(['unix:/run/app.sock', 'ssl']), null);
    assert.equal(connectHost({ host: '[::]', port: 443, ssl: true, raw: '' }), '[::1]');
  });

  it('wildcard SANs cover one label only', () => {
    assert.equal(covers('*.example.com', 'a.example.com'), true);
    assert.equal(covers('*.example.com', 'a.b.example.com'), false);
    assert.equal(covers('App.Example.com', 'app.example.com'), true);
  });
});

describe('openssl and script output parsers', () => {
  it('dates, certificate lines and an unreadable file', () => {
    assert.equal(opensslDate('Dec  6 16:47:52 2026 GMT'), '2026-12-06T16:47:52.000Z');
    assert.equal(opensslDate('2026-12-06'), null);
    assert.deepEqual(parseCertLines([
      'subject=CN=a.test', 'issuer=CN=Pebble Intermediate CA 1d3b0e', 'notBefore=Dec  1 16:47:52 2026 GMT', 'notAfter=Dec  8 16:47:52 2026 GMT',
      'sha256 Fingerprint=3a:9f:DA', 'rc=0', 'san=DNS:a.test,DNS:www.a.test,IPAddress:127.0.0.1',
    ]), {
      subject: 'CN=a.test', issuer: 'CN=Pebble Intermediate CA 1d3b0e', notBefore: '2026-12-01T16:47:52.000Z', notAfter: '2026-12-08T16:47:52.000Z',
      fingerprint: '3A:9F:DA', sans: ['a.test', 'www.a.test', 'IP:127.0.0.1'], error: null,
    });
    assert.equal(parseCertLines(['Could not open file or uri for loading certificate from /x.pem', 'rc=1']).error, 'Could not open file or uri for loading certificate from /x.pem');
  });

  it('inventory sections: tools, nginx dump and exit, lineages, files (a variable path is not read)', () => {
    const inv = parseInventory([
      'priv=sudo', 'now=1796100000', 'tool.openssl=1', 'tool.certbot=0', 'tool.nginx=1', '@@nginx 0', 'nginx: ok', '# configuration file /etc/nginx/nginx.conf:', 'http { }',
      '@@lineage app.test', 'path=/etc/letsencrypt/live/app.test/fullchain.pem', 'real=/etc/letsencrypt/archive/app.test/fullchain3.pem', 'renewal=1',
      'subject=CN=app.test', 'notAfter=Dec  8 16:47:52 2026 GMT', 'sha256 Fingerprint=AA:BB', 'rc=0',
      '@@file /etc/nginx/certs/$ssl_server_name.pem', 'real=', 'variable=1', '@@end',
    ].join('\n'));
    assert.equal(inv.complete, true);
    assert.deepEqual([inv.priv, inv.now, inv.tools], ['sudo', 1796100000, { openssl: true, certbot: false, nginx: true }]);
    assert.deepEqual(inv.nginx, { exitCode: 0, dump: 'nginx: ok\n# configuration file /etc/nginx/nginx.conf:\nhttp { }' });
    assert.deepEqual(inv.lineages.map((l) => [l.name, l.path, l.realPath, l.renewable, l.cert.fingerprint]), [
      ['app.test', '/etc/letsencrypt/live/app.test/fullchain.pem', '/etc/letsencrypt/archive/app.test/fullchain3.pem', true, 'AA:BB'],
    ]);
    assert.deepEqual(inv.files, [{ path: '/etc/nginx/certs/$ssl_server_name.pem', realPath: null, variable: true, cert: null }]);
    assert.equal(parseInventory('priv=root\nnow=1').complete, false);
  });

  it('handshakes: a served certificate, and a refused connection', () => {
    const hs = parseHandshakes([
      '@@served app.test 127.0.0.1 443', 'attempts=3', 'sha256 Fingerprint=AA:BB', 'notAfter=Dec  8 16:47:52 2026 GMT', 'subject=CN=app.test', 'issuer=CN=CA',
      '@@served down.test 127.0.0.1 8443', 'attempts=1', 'error=connect:errno=111', '@@end',
    ].join('\n'));
    assert.deepEqual(hs.map((h) => [h.domain, h.port, h.attempts, h.fingerprint, h.error]), [['app.test', 443, 3, 'AA:BB', null], ['down.test', 8443, 1, null, 'connect:errno=111']]);
  });

  it('renewal: certbot\'s output and exit, then the lineage as it is now', () => {
    const r = parseRenew(['Renewing an existing certificate for app.test', 'Congratulations, all renewals succeeded', '@@certbot 0', '@@after',
      'real=/etc/letsencrypt/archive/app.test/fullchain4.pem', 'sha256 Fingerprint=CC:DD', 'rc=0', '@@end'].join('\n'));
    assert.equal(r.certbotExit, 0);
    assert.equal(r.certbotOutput, 'Renewing an existing certificate for app.test\nCongratulations, all renewals succeeded');
    assert.equal(r.realPath, '/etc/letsencrypt/archive/app.test/fullchain4.pem');
    assert.equal(r.after?.fingerprint, 'CC:DD');
  });
});

describe('ops certs builders', () => {
  it('certbot renew: forced, no random sleep, the lineage\'s own settings unless an ACME server is given; private dirs for a non-default config dir', () => {
    assert.deepEqual(certbotRenewCommand({ certName: 'app.test', letsencryptDir: '/etc/letsencrypt', server: null, caBundle: null }).argv.slice(3), [
      'deckhand-certs-renew', '/etc/letsencrypt', 'app.test', 'certbot', 'renew', '--cert-name', 'app.test', '--force-renewal', '--non-interactive', '--no-random-sleep-on-renew',
    ]);
    const c = certbotRenewCommand({ certName: 'app.test', letsencryptDir: '/srv/le', server: 'https://127.0.0.1:14000/dir', caBundle: '/tmp/ca.pem' });
    assert.deepEqual(c.argv.slice(6), [
      'env', 'REQUESTS_CA_BUNDLE=/tmp/ca.pem', 'certbot', 'renew', '--cert-name', 'app.test', '--force-renewal', '--non-interactive', '--no-random-sleep-on-renew',
      '--config-dir', '/srv/le', '--work-dir', '/srv/le/work', '--logs-dir', '/srv/le/logs', '--server', 'https://127.0.0.1:14000/dir',
    ]);
    assert.equal(c.mutates, true);
    assert.deepEqual(certbotDirArgs('/etc/letsencrypt'), []);
  });

  it('handshakes: one argument per name (domain|host|port|expected fingerprint), bounded by attempts', () => {
    const c = handshakesCommand([{ domain: 'a.test', host: '127.0.0.1', port: 443, expect: '' }, { domain: 'b.test', host: '[::1]', port: 8443, expect: 'AA:BB' }], 5);
    assert.deepEqual(c.argv.slice(3), ['deckhand-certs-served', '5', 'a.test|127.0.0.1|443|', 'b.test|[::1]|8443|AA:BB']);
    assert.equal(c.timeoutMs, 30_000 + 2 * 5 * 17_000);
    for (const cmd of [c, certInventoryCommand('/etc/letsencrypt', null), certbotRenewCommand({ certName: 'x', letsencryptDir: '/etc/letsencrypt', server: null, caBundle: null })]) {
      const script = cmd.argv[2] ?? '';
      assert.equal(spawnSync('sh', ['-n', '-c', script]).status, 0, cmd.description);
    }
    const inv = certInventoryCommand('/etc/letsencrypt', '/srv/nginx/nginx.conf');
    // The inventory's own script is the wrapper's first argument.
    assert.equal(spawnSync('sh', ['-n', '-c', inv.argv[4] ?? '']).status, 0);
    assert.deepEqual(inv.argv.slice(3).filter((_, i) => i !== 1), ['deckhand-certs-inventory', '/etc/letsencrypt', '/srv/nginx/nginx.conf']);
  });
});

describe('the builders run for real: a lineage made with openssl, a TLS server with SNI here', () => {
  let dir = '';
  let server: Server | null = null;
  let port = 0;
  const fingerprint = (pem: string): string => execFileSync('openssl', ['x509', '-noout', '-fingerprint', '-sha256'], { input: pem }).toString().trim().replace(/^sha256 Fingerprint=/i, '');

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dh-certs-unit-'));
    await mkdir(join(dir, 'le', 'live', 'site.test'), { recursive: true });
    await mkdir(join(dir, 'le', 'renewal'), { recursive: true });
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', join(dir, 'le', 'live', 'site.test', 'privkey.pem'),
      '-out', join(dir, 'le', 'live', 'site.test', 'fullchain.pem'), '-days', '3', '-subj', '/CN=site.test', '-addext', 'subjectAltName=DNS:site.test,DNS:www.site.test'], { stdio: 'ignore' });
    await writeFile(join(dir, 'le', 'renewal', 'site.test.conf'), 'version = 2.1.0\n');
    const cert = await readFile(join(dir, 'le', 'live', 'site.test', 'fullchain.pem'));
    const key = await readFile(join(dir, 'le', 'live', 'site.test', 'privkey.pem'));
    server = createServer({ cert, key }, (s) => s.end());
    await new Promise<void>((res) => server?.listen(0, '127.0.0.1', () => res()));
    const a = server.address();
    port = typeof a === 'object' && a ? a.port : 0;
  });

  after(async () => {
    await new Promise<void>((res) => (server ? server.close(() => res()) : res()));
    await rm(dir, { recursive: true, force: true });
  });

  const local = (): LocalExecutor => new LocalExecutor(new Redactor());

  it('the inventory reads the lineage: path, renewal config, SANs, expiry, fingerprint', async () => {
    const r = await local().run(certInventoryCommand(join(dir, 'le'), null));
    const inv = parseInventory(r.stdout);
    assert.equal(inv.complete, true, r.stdout + r.stderr);
    assert.equal(inv.tools.openssl, true);
    const l = inv.lineages.find((x) => x.name === 'site.test');
    assert.ok(l, r.stdout);
    assert.equal(l.path, join(dir, 'le', 'live', 'site.test', 'fullchain.pem'));
    assert.equal(l.renewable, true);
    assert.deepEqual(l.cert.sans, ['site.test', 'www.site.test']);
    assert.equal(l.cert.fingerprint, fingerprint(await readFile(l.path, 'utf8')));
    const days = (Date.parse(l.cert.notAfter ?? '') / 1000 - (inv.now ?? 0)) / 86_400;
    assert.ok(days > 2.9 && days <= 3, String(days));
  });

  it('a handshake with SNI reports the served fingerprint; a closed port reports the error', async () => {
    const closed = await new Promise<number>((res) => { const s = createServer(); s.listen(0, '127.0.0.1', () => { const a = s.address(); s.close(() => res(typeof a === 'object' && a ? a.port : 1)); }); });
    const r = await local().run(handshakesCommand([{ domain: 'site.test', host: '127.0.0.1', port, expect: '' }, { domain: 'site.test', host: '127.0.0.1', port: closed, expect: '' }], 1));
    const hs = parseHandshakes(r.stdout);
    assert.equal(hs[0]?.fingerprint, fingerprint(await readFile(join(dir, 'le', 'live', 'site.test', 'fullchain.pem'), 'utf8')));
    assert.equal(hs[0]?.subject, 'CN=site.test');
    assert.equal(hs[1]?.fingerprint, null);
    assert.match(hs[1]?.error ?? '', /errno|refused|connect/i);
  });
});

describe('the stage under a scripted target', () => {
  const NOW = Date.parse('2026-12-01T12:00:00Z') / 1000;
  const lineagePath = '/etc/letsencrypt/live/app.test/fullchain.pem';
  const inventory = (fp: string): string => [
    'priv=root', `now=${NOW}`, 'tool.openssl=1', 'tool.certbot=1', 'tool.nginx=1',
    '@@nginx 0', '# configuration file /etc/nginx/sites-enabled/app:', 'server {', '  listen 443 ssl;', '  server_name app.test;', `  ssl_certificate ${lineagePath};`, '}',
    '@@lineage app.test', `path=${lineagePath}`, 'real=/etc/letsencrypt/archive/app.test/fullchain1.pem', 'renewal=1',
    'subject=CN=app.test', 'issuer=CN=R3', 'notAfter=Dec  6 12:00:00 2026 GMT', `sha256 Fingerprint=${fp}`, 'rc=0', 'san=DNS:app.test',
    `@@file ${lineagePath}`, 'real=/etc/letsencrypt/archive/app.test/fullchain1.pem', 'subject=CN=app.test', 'issuer=CN=R3', 'notAfter=Dec  6 12:00:00 2026 GMT', `sha256 Fingerprint=${fp}`, 'rc=0',
    '@@end',
  ].join('\n');
  const served = (fp: string, attempts = 1): string => `@@served app.test 127.0.0.1 443\nattempts=${attempts}\nsha256 Fingerprint=${fp}\nnotAfter=Dec  6 12:00:00 2026 GMT\n@@end\n`;
  const req = (over: Partial<CertsRequest> = {}): CertsRequest => ({
    app: 'api', renewWithinDays: 15, renew: false, certName: null, letsencryptDir: '/etc/letsencrypt', nginxConf: null, acmeServer: null, caBundlePem: null, caBundlePath: null, ...over,
  });
  const handshake = (expect: string) => (c: Command): boolean => c.argv[3] === 'deckhand-certs-served' && (c.argv[5] ?? '').endsWith(`|${expect}`);

  it('without --yes: the certificate due is a warning with the renew command; what is served matches the file', async () => {
    const ex = new RecordingExecutor([
      { match: 'deckhand-certs-inventory', stdout: inventory('AA:AA') },
      { match: handshake(''), stdout: served('AA:AA') },
    ]);
    const rep = await opsCerts({ executor: ex, redactor: new Redactor(), now: () => new Date(NOW * 1000) }, req());
    OperationsReportSchema.parse(rep);
    assert.equal(rep.status, 'attention');
    assert.deepEqual(rep.findings.map((f) => `${f.status} ${f.id}`), [`warn cert.${lineagePath}`, 'pass served.app.test@127.0.0.1:443']);
    assert.equal(rep.findings[0]?.summary, 'expires in 5 day(s) (2026-12-06T12:00:00.000Z), within the 15-day renewal window');
    assert.equal(rep.findings[0]?.remedy, 'renew it: deckhand ops certs --renew-within 15d --cert-name app.test --yes');
    assert.ok(!ex.calls.some((c) => c.mutates), 'nothing changed without --yes');
    const md = renderOperationsMarkdown(rep);
    assert.match(md, /## Certificate Status\n\n- \*\*Domain:\*\* `app\.test`\n {2}- \*\*Issuer:\*\* CN=R3\n {2}- \*\*Expires In:\*\* 5 days \(\*\*renewal due\*\*, window 15 days\)/);
  });

  it('--yes: renewed on disk, reload, but nginx keeps serving the old fingerprint → FAILED with the reason', async () => {
    const ex = new RecordingExecutor([
      { match: 'deckhand-certs-inventory', stdout: inventory('AA:AA') },
      { match: handshake(''), stdout: served('AA:AA') },
      { match: 'deckhand-certs-renew', stdout: 'Congratulations\n@@certbot 0\n@@after\nreal=/etc/letsencrypt/archive/app.test/fullchain2.pem\nnotAfter=Mar  1 12:00:00 2027 GMT\nsha256 Fingerprint=BB:BB\nrc=0\n@@end\n' },
      { match: 'deckhand-proxy-reload', stdout: 'reload=systemctl reload nginx.service\n' },
      { match: handshake('BB:BB'), stdout: served('AA:AA', 15) },
    ]);
    const rep = await opsCerts({ executor: ex, redactor: new Redactor(), now: () => new Date(NOW * 1000) }, req({ renew: true }));
    OperationsReportSchema.parse(rep);
    assert.equal(rep.status, 'failed');
    const f = rep.findings.find((x) => x.id === 'renew.app.test');
    assert.equal(f?.status, 'fail');
    assert.equal(f?.summary, 'renewed on disk but NOT served: app.test at 127.0.0.1:443 still presents AA:AA');
    assert.match(f?.detail ?? '', /nginx names \/etc\/letsencrypt\/live\/app\.test\/fullchain\.pem, but it still serves the old certificate after the reload\./);
    assert.equal(rep.data.task === 'certs' ? rep.data.renewals[0]?.outcome : null, 'renewed-not-served');
    // The renewed certificate itself is no longer due.
    assert.equal(rep.findings.find((x) => x.id === `cert.${lineagePath}`)?.status, 'pass');
  });

  it('--yes where certbot is missing: UNKNOWN with the remedy, nothing run', async () => {
    const ex = new RecordingExecutor([
      { match: 'deckhand-certs-inventory', stdout: inventory('AA:AA').replace('tool.certbot=1', 'tool.certbot=0') },
      { match: handshake(''), stdout: served('AA:AA') },
    ]);
    const rep = await opsCerts({ executor: ex, redactor: new Redactor(), now: () => new Date(NOW * 1000) }, req({ renew: true }));
    assert.equal(rep.status, 'unknown');
    assert.equal(rep.findings.find((x) => x.id === 'renew.app.test')?.remedy, 'install certbot (apt-get install certbot), then run again');
    assert.ok(!ex.calls.some((c) => c.mutates));
  });
});
