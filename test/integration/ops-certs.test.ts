// `deckhand ops certs` for real: pebble issues short-lived certificates, a private nginx serves them; renewal is proven by the
// served fingerprint, and a renewal nginx does not pick up (it serves a copied file) is a failure. certbot missing on a lab host is UNKNOWN.
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test, type TestContext } from 'node:test';
import { connect as tlsConnect } from 'node:tls';
import { promisify } from 'node:util';
import { freeLocalPort } from '../../src/exec/free-port.js';
import { labOrSkip, type LabState } from '../lab/lab.js';
import { labSshFlags, runCli, type CliResult } from '../helpers/cli.js';
import { accepts, onPath, sleep, stopPid } from '../helpers/processes.js';
import { startPrivateNginx } from '../helpers/private-nginx.js';

const run = promisify(execFile);
const TOOLS = ['pebble', 'pebble-challtestsrv', 'certbot', 'nginx', 'openssl'];

interface Finding { id: string; status: string; summary: string; detail?: string; evidence?: string; remedy?: string; required: boolean }
interface Report {
  status: string;
  findings: Finding[];
  data: {
    task: string;
    tools: Record<string, boolean | null>;
    certificates: { path: string; fingerprint: string | null; daysLeft: number | null; sources: string[]; sans: string[]; issuer: string | null }[];
    lineages: { name: string; renewable: boolean; servedBy: string[] }[];
    served: { domain: string; phase: string; fingerprint: string | null; configured: string | null; matchesConfigured: boolean | null }[];
    renewals: { certName: string; outcome: string; before: { fingerprint: string | null }; after: { fingerprint: string | null } }[];
    reload: { done: boolean; how: string | null } | null;
  };
}

function report(r: CliResult): Report {
  try { return JSON.parse(r.stdout) as Report; } catch { return assert.fail(`no JSON report (exit ${r.code}):\n${r.stdout}\n${r.stderr}`); }
}

function show(rep: Report): string {
  return rep.findings.map((f) => `${f.status} ${f.id}: ${f.summary}`).join('\n');
}

function toolsOrSkip(t: TestContext): boolean {
  const missing = TOOLS.filter((c) => !onPath(c));
  const why = process.getuid?.() !== 0 ? 'not root (nginx and certbot here run as root)' : missing.length > 0 ? `${missing.join(', ')} not installed (apt-get install -y pebble certbot nginx-light openssl)` : null;
  if (why === null) return true;
  if (process.env.CI === 'true') throw new Error(why);
  t.skip(why);
  return false;
}

/** The SHA-256 fingerprint this machine sees in a TLS handshake with SNI (an independent reading of what nginx serves). */
function servedFingerprint(port: number, servername: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = tlsConnect({ host: '127.0.0.1', port, servername, rejectUnauthorized: false }, () => {
      const fp = s.getPeerCertificate().fingerprint256;
      s.destroy();
      resolve(fp);
    });
    s.once('error', reject);
  });
}

describe('ops certs against pebble and a private nginx (certbot standalone, own letsencrypt dir)', { concurrency: false }, () => {
  let dir = '';
  let le = '';
  const D1 = `dh-opscerts-${randomBytes(3).toString('hex')}.test`;
  const D2 = `dh-opscerts-copy-${randomBytes(3).toString('hex')}.test`;
  const ports = { acme: 0, acmeMgmt: 0, tlsAlpn: 0, dns: 0, dnsMgmt: 0, http01: 0, https: 0 };
  const children: ChildProcess[] = [];
  let nginxPid: number | null = null;
  let ready = '';

  const certbot = (domain: string): Promise<unknown> => run('certbot', [
    'certonly', '--non-interactive', '--agree-tos', '--register-unsafely-without-email', '--standalone', '--http-01-port', String(ports.http01),
    '--server', `https://127.0.0.1:${ports.acme}/dir`, '--cert-name', domain, '-d', domain,
    '--config-dir', le, '--work-dir', join(le, 'work'), '--logs-dir', join(le, 'logs'),
  ], { timeout: 120_000, env: { ...process.env, REQUESTS_CA_BUNDLE: join(dir, 'pebble.crt') } });

  const cli = (extra: string[]): Promise<CliResult> => runCli([
    'ops', 'certs', 'local', '--name', 'opscerts-test', '--letsencrypt-dir', le, '--nginx-conf', join(dir, 'nginx', 'nginx.conf'), '--json', ...extra,
  ], { timeoutMs: 300_000 });
  const renew = (name: string): Promise<CliResult> => cli(['--renew-within', '15d', '--yes', '--cert-name', name,
    '--acme-server', `https://127.0.0.1:${ports.acme}/dir`, '--ca-bundle', join(dir, 'pebble.crt')]);

  before(async () => {
    if (process.getuid?.() !== 0 || !TOOLS.every(onPath)) return;
    dir = await mkdtemp(join(tmpdir(), 'dh-ops-certs-'));
    await chmod(dir, 0o755);
    le = join(dir, 'le');
    for (const k of Object.keys(ports) as (keyof typeof ports)[]) ports[k] = await freeLocalPort();
    await run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', join(dir, 'pebble.key'),
      '-out', join(dir, 'pebble.crt'), '-days', '2', '-subj', '/CN=pebble', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'], { timeout: 30_000 });
    // Certificates valid for 7 days: inside a 15-day renewal window from the moment they are issued.
    await writeFile(join(dir, 'pebble.json'), JSON.stringify({ pebble: {
      listenAddress: `127.0.0.1:${ports.acme}`, managementListenAddress: `127.0.0.1:${ports.acmeMgmt}`, certificate: join(dir, 'pebble.crt'),
      privateKey: join(dir, 'pebble.key'), httpPort: ports.http01, tlsPort: ports.tlsAlpn, ocspResponderURL: '', externalAccountBindingRequired: false,
      certificateValidityPeriod: 7 * 86_400,
    } }));
    children.push(spawn('pebble-challtestsrv', ['-defaultIPv4', '127.0.0.1', '-defaultIPv6', '', '-dns01', `127.0.0.1:${ports.dns}`, '-http01', '', '-https01', '',
      '-tlsalpn01', '', '-management', `127.0.0.1:${ports.dnsMgmt}`], { stdio: 'ignore' }));
    children.push(spawn('pebble', ['-config', join(dir, 'pebble.json'), '-dnsserver', `127.0.0.1:${ports.dns}`], {
      stdio: 'ignore', env: { ...process.env, PEBBLE_VA_NOSLEEP: '1', PEBBLE_WFE_NONCEREJECT: '0' },
    }));
    for (let i = 0; i < 100 && !(await accepts(ports.acme)); i++) await sleep(100);
    await certbot(D1);
    await certbot(D2);
    // D2 is served from a copy of its lineage's files: a renewal on disk never reaches what nginx reads.
    await mkdir(join(dir, 'copy'));
    await copyFile(join(le, 'live', D2, 'fullchain.pem'), join(dir, 'copy', 'fullchain.pem'));
    await copyFile(join(le, 'live', D2, 'privkey.pem'), join(dir, 'copy', 'privkey.pem'));

    const site = (domain: string, cert: string, key: string): string => [
      'server {', `  listen 127.0.0.1:${ports.https} ssl;`, `  server_name ${domain};`, `  ssl_certificate ${cert};`, `  ssl_certificate_key ${key};`,
      '  location / { return 200 "ok\\n"; }', '}', '',
    ].join('\n');
    await mkdir(join(dir, 'nginx', 'conf.d'), { recursive: true });
    await writeFile(join(dir, 'nginx', 'conf.d', 'sites.conf'), site(D1, join(le, 'live', D1, 'fullchain.pem'), join(le, 'live', D1, 'privkey.pem'))
      + site(D2, join(dir, 'copy', 'fullchain.pem'), join(dir, 'copy', 'privkey.pem')));
    nginxPid = (await startPrivateNginx(dir)).pid;
    for (let i = 0; i < 50 && !(await accepts(ports.https)); i++) await sleep(100);
    ready = nginxPid !== null && (await accepts(ports.https)) ? 'yes' : `nginx did not start: ${await readFile(join(dir, 'error.log'), 'utf8').catch(() => '')}`;
  });

  after(async () => {
    if (nginxPid !== null) await stopPid(nginxPid, 'SIGQUIT');
    for (const c of children) if (c.pid !== undefined) await stopPid(c.pid, 'SIGTERM');
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('lists both lineages and what each name serves; both are due within 15 days', async (t) => {
    if (!toolsOrSkip(t)) return;
    assert.equal(ready, 'yes');
    const r = await cli(['--renew-within', '15d']);
    const rep = report(r);
    t.diagnostic(show(rep));
    assert.equal(r.code, 1, r.stderr);
    assert.equal(rep.status, 'attention');
    assert.deepEqual(rep.data.tools, { openssl: true, certbot: true, nginx: true });
    assert.deepEqual(rep.data.lineages.map((l) => [l.name, l.renewable, l.servedBy]).sort(), [[D1, true, [D1]], [D2, true, [D2]]].sort());
    const c1 = rep.data.certificates.find((c) => c.path === join(le, 'live', D1, 'fullchain.pem'));
    assert.ok(c1, JSON.stringify(rep.data.certificates.map((c) => c.path)));
    assert.deepEqual(c1.sans, [D1]);
    assert.match(c1.issuer ?? '', /Pebble Intermediate CA/);
    assert.ok(c1.daysLeft !== null && c1.daysLeft >= 5 && c1.daysLeft <= 7, `days left ${c1.daysLeft}`);
    assert.deepEqual(c1.sources, [`certbot lineage ${D1}`, `nginx ${join(dir, 'nginx', 'conf.d', 'sites.conf')}:1`]);
    const f1 = rep.findings.find((f) => f.id === `cert.${c1.path}`);
    assert.equal(f1?.status, 'warn');
    assert.match(f1?.summary ?? '', /within the 15-day renewal window/);
    assert.match(f1?.remedy ?? '', new RegExp(`--cert-name ${D1} --yes`));
    // The copy is listed as a file nginx names, not a lineage: replacing it is the remedy.
    const copy = rep.findings.find((f) => f.id === `cert.${join(dir, 'copy', 'fullchain.pem')}`);
    assert.match(copy?.remedy ?? '', /not a certbot lineage/);
    // Served, by an independent handshake from here: the same fingerprints the report shows.
    for (const d of [D1, D2]) {
      const s = rep.data.served.find((x) => x.domain === d);
      assert.equal(s?.fingerprint, await servedFingerprint(ports.https, d));
      assert.equal(s?.matchesConfigured, true);
      assert.equal(rep.findings.find((f) => f.id === `served.${d}@127.0.0.1:${ports.https}`)?.status, 'pass');
    }
    // A wide window and a narrow one: nothing due → ok, exit 0.
    const calm = await cli(['--renew-within', '2d']);
    assert.equal(calm.code, 0, show(report(calm)));
    assert.equal(report(calm).status, 'ok');
  });

  test('--yes renews the lineage nginx reads; after the reload the served fingerprint is the new one', async (t) => {
    if (!toolsOrSkip(t)) return;
    assert.equal(ready, 'yes');
    const before = await servedFingerprint(ports.https, D1);
    const r = await renew(D1);
    const rep = report(r);
    t.diagnostic(show(rep));
    const rn = rep.data.renewals.find((x) => x.certName === D1);
    assert.equal(rn?.outcome, 'renewed-and-served', show(rep));
    assert.equal(rn.before.fingerprint, before);
    assert.notEqual(rn.after.fingerprint, before);
    assert.equal(await servedFingerprint(ports.https, D1), rn.after.fingerprint, 'nginx serves the renewed certificate');
    assert.equal(rep.data.reload?.done, true);
    assert.equal(rep.data.reload?.how, 'nginx -s reload');
    const f = rep.findings.find((x) => x.id === `renew.${D1}`);
    assert.equal(f?.status, 'pass');
    assert.match(f?.summary ?? '', /renewed and served/);
    assert.match(f?.evidence ?? '', /certbot renew --cert-name/);
    assert.deepEqual(rep.data.renewals.map((x) => x.certName), [D1], 'only the named lineage was renewed');
    // D2 is still due: the report asks for attention, and the exit code says so.
    assert.equal(rep.status, 'attention');
    assert.equal(r.code, 1);
  });

  test('a renewal nginx does not serve (it reads a copy) is reported as a failure', async (t) => {
    if (!toolsOrSkip(t)) return;
    assert.equal(ready, 'yes');
    const before = await servedFingerprint(ports.https, D2);
    const r = await renew(D2);
    const rep = report(r);
    t.diagnostic(show(rep));
    assert.equal(r.code, 1, r.stderr);
    assert.equal(rep.status, 'failed');
    const rn = rep.data.renewals.find((x) => x.certName === D2);
    assert.equal(rn?.outcome, 'renewed-not-served');
    assert.notEqual(rn.after.fingerprint, before, 'certbot did renew on disk');
    assert.equal(await servedFingerprint(ports.https, D2), before, 'nginx still serves the copy');
    const f = rep.findings.find((x) => x.id === `renew.${D2}`);
    assert.equal(f?.status, 'fail');
    assert.match(f?.summary ?? '', new RegExp(`renewed on disk but NOT served: ${D2.replace(/\./g, '\\.')} at 127\\.0\\.0\\.1:${ports.https} still presents ${before}`));
    assert.match(f?.detail ?? '', new RegExp(`nginx names ${join(dir, 'copy', 'fullchain.pem')} for these names`));
    assert.match(f?.remedy ?? '', /point ssl_certificate and ssl_certificate_key at /);
  });

  test('usage errors: an unknown lineage, a bad window', async (t) => {
    if (!toolsOrSkip(t)) return;
    const unknown = await cli(['--cert-name', 'no-such-lineage']);
    assert.equal(unknown.code, 2, unknown.stderr);
    assert.match(unknown.stderr, /no certbot lineage named no-such-lineage in .*\/live/);
    const bad = await cli(['--renew-within', 'soon']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /invalid --renew-within "soon"/);
  });
});

describe('ops certs on a lab host without certbot', () => {
  test('certbot missing is UNKNOWN with the remedy, never a pass', async (t) => {
    const lab: LabState | null = labOrSkip(t);
    if (!lab) return;
    const h = lab.hosts.node20;
    const r = await runCli(['ops', 'certs', `ssh://deploy@${h.host}:${h.port}`, ...labSshFlags(lab), '--name', 'lab-opscerts', '--json'], { timeoutMs: 120_000 });
    const rep = report(r);
    t.diagnostic(show(rep));
    assert.equal(r.code, 3, r.stderr);
    assert.equal(rep.status, 'unknown');
    assert.equal(rep.data.tools.certbot, false);
    const f = rep.findings.find((x) => x.id === 'certs.certbot');
    assert.equal(f?.status, 'unknown');
    assert.match(f?.remedy ?? '', /apt-get install certbot/);
    assert.ok(!rep.findings.some((x) => x.status === 'pass' && x.id.startsWith('certs.')));
  });
});
