// `deckhand verify https://…` against a real nginx serving openssl-made certificates: self-signed, expired, expiring soon, wrong name.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test, type TestContext } from 'node:test';
import { promisify } from 'node:util';
import { freeLocalPort } from '../../src/exec/free-port.js';
import { runCli, type CliResult } from '../helpers/cli.js';

const run = promisify(execFile);

/** Each site: its own port and certificate, so one nginx serves every case. */
const SITES = ['selfsigned', 'expired', 'soon', 'other'] as const;
type Site = (typeof SITES)[number];

interface Finding { id: string; status: string; summary: string; detail?: string; evidence?: string }
interface Report { data: { verdict: string; reasons: string[] }; findings: Finding[] }

function onPath(cmd: string): boolean {
  return (process.env.PATH ?? '').split(':').some((d) => d !== '' && existsSync(join(d, cmd)));
}

function nginxBin(): string | null {
  if (onPath('nginx')) return 'nginx';
  return existsSync('/usr/sbin/nginx') ? '/usr/sbin/nginx' : null;
}

/** Skips (or, under CI=true, fails) when nginx or openssl is not installed. */
function toolsOrSkip(t: TestContext): boolean {
  const missing = [nginxBin() ? null : 'nginx', onPath('openssl') ? null : 'openssl'].filter((x): x is string => x !== null);
  if (missing.length === 0) return true;
  const why = `${missing.join(' and ')} not installed (apt-get install -y nginx-light openssl)`;
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

function alive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch { return false; }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('verify a URL served by nginx: the TLS layer on real certificates', { concurrency: false }, () => {
  let dir = '';
  let nginxPid: number | null = null;
  const ports = {} as Record<Site, number>;
  const fingerprint = {} as Record<Site, string>;

  const openssl = async (...args: string[]): Promise<string> => (await run('openssl', args, { cwd: dir, timeout: 30_000 })).stdout;
  /** An EC key and CSR for the given names. */
  const request = async (name: string, cn: string, san: string): Promise<void> => {
    await openssl('req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`,
      '-subj', `/CN=${cn}`, '-addext', `subjectAltName=${san}`);
  };
  /** Signs a CSR with the test CA; `openssl ca` because OpenSSL 3.0's `x509 -req` cannot set a notAfter in the past. */
  const sign = async (name: string, validity: string[]): Promise<void> => {
    await openssl('ca', '-batch', '-config', 'ca.cnf', '-cert', 'ca.crt', '-keyfile', 'ca.key', '-in', `${name}.csr`, '-out', `${name}.crt`, '-notext', ...validity);
  };

  before(async () => {
    const nginx = nginxBin();
    if (!nginx || !onPath('openssl')) return;
    dir = await mkdtemp(join(tmpdir(), 'dh-verify-tls-'));
    await mkdir(join(dir, 'ca/newcerts'), { recursive: true });
    await writeFile(join(dir, 'ca/index.txt'), '');
    await writeFile(join(dir, 'ca/serial'), '1000\n');
    await writeFile(join(dir, 'ca.cnf'), [
      '[ ca ]', 'default_ca = test_ca', '[ test_ca ]', 'dir = ./ca', 'database = $dir/index.txt', 'new_certs_dir = $dir/newcerts', 'serial = $dir/serial',
      'default_md = sha256', 'policy = anything', 'copy_extensions = copy', 'unique_subject = no', '[ anything ]', 'commonName = supplied', '',
    ].join('\n'));
    // (a) self-signed for this address; the CA; (b) expired, (c) 5 days left, (d) for another name — all three from the CA.
    await openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'selfsigned.key', '-out', 'selfsigned.crt',
      '-days', '90', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost');
    await openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt',
      '-days', '365', '-subj', '/CN=Deckhand Test CA');
    await request('expired', 'localhost', 'IP:127.0.0.1,DNS:localhost');
    await sign('expired', ['-startdate', '20200101000000Z', '-enddate', '20200201000000Z']);
    await request('soon', 'localhost', 'IP:127.0.0.1,DNS:localhost');
    await sign('soon', ['-days', '5']);
    await request('other', 'other.test', 'DNS:other.test');
    await sign('other', ['-days', '90']);
    for (const s of SITES) {
      ports[s] = await freeLocalPort();
      fingerprint[s] = (await openssl('x509', '-in', `${s}.crt`, '-noout', '-fingerprint', '-sha256')).trim().replace(/^.*=/, '');
    }
    // A private nginx: its own config, pid file, logs and temp dirs; loopback ports only; never the system service.
    const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((k) => `${k}_temp_path ${join(dir, `${k}-temp`)};`).join(' ');
    const servers = SITES.map((s) => `  server { listen 127.0.0.1:${ports[s]} ssl; ssl_certificate ${join(dir, `${s}.crt`)}; ssl_certificate_key ${join(dir, `${s}.key`)};`
      + ' location / { default_type text/plain; return 200 "ok\\n"; } }').join('\n');
    await writeFile(join(dir, 'nginx.conf'), [
      `pid ${join(dir, 'nginx.pid')};`, `error_log ${join(dir, 'error.log')};`, 'daemon on;', 'worker_processes 1;', 'events { worker_connections 64; }',
      'http {', '  access_log off;', `  ${temp}`, servers, '}', '',
    ].join('\n'));
    await run(nginx, ['-c', join(dir, 'nginx.conf'), '-p', dir, '-e', join(dir, 'error.log')], { timeout: 30_000 });
    for (let i = 0; i < 50 && nginxPid === null; i++) {
      const pid = Number((await readFile(join(dir, 'nginx.pid'), 'utf8').catch(() => '')).trim());
      if (pid > 0) nginxPid = pid;
      else await sleep(100);
    }
    assert.ok(nginxPid, `nginx wrote no pid file: ${await readFile(join(dir, 'error.log'), 'utf8').catch(() => '')}`);
    for (const s of SITES) {
      for (let i = 0; i < 50 && !(await accepts(ports[s])); i++) await sleep(100);
    }
  });

  after(async () => {
    if (nginxPid !== null) {
      // QUIT: a graceful stop of exactly this master (its workers follow).
      try { process.kill(nginxPid, 'SIGQUIT'); } catch { /* already gone */ }
      for (let i = 0; i < 100 && alive(nginxPid); i++) await sleep(100);
      if (alive(nginxPid)) process.kill(nginxPid, 'SIGKILL');
    }
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const verify = async (site: Site, extra: string[] = []): Promise<{ r: CliResult; rep: Report; by: (id: string) => Finding }> => {
    const r = await runCli(['verify', `https://127.0.0.1:${ports[site]}`, '--window', '5s', '--json', ...extra], { timeoutMs: 60_000 });
    let rep: Report;
    try { rep = JSON.parse(r.stdout) as Report; } catch { assert.fail(`no JSON report (exit ${r.code}):\n${r.stdout}\n${r.stderr}`); }
    const by = (id: string): Finding => {
      const f = rep.findings.find((x) => x.id === id);
      assert.ok(f, `${id} in\n${rep.findings.map((x) => `${x.id} ${x.status}: ${x.summary}`).join('\n')}`);
      return f;
    };
    return { r, rep, by };
  };
  const caFile = (): string => join(dir, 'ca.crt');

  test('(a) a self-signed certificate: the chain fails as self-signed, the verdict is FAILED', async (t) => {
    if (!toolsOrSkip(t)) return;
    const { r, rep, by } = await verify('selfsigned');
    assert.equal(r.code, 1, r.stderr);
    assert.equal(rep.data.verdict, 'FAILED');
    const chain = by('tls.chain');
    assert.equal(chain.status, 'fail');
    assert.match(chain.summary, /self-signed/);
    assert.match(chain.summary, /DEPTH_ZERO_SELF_SIGNED_CERT/);
    assert.ok(rep.data.reasons.some((x) => /self-signed/.test(x)), rep.data.reasons.join('\n'));
    // The name and the dates are fine: only the trust fails, and the smoke path itself answered.
    assert.equal(by('tls.hostname').status, 'pass');
    assert.equal(by('tls.expiry').status, 'pass');
    assert.equal(by('smoke.health').status, 'pass');
    // The markdown report says the same to a person.
    const md = await runCli(['verify', `https://127.0.0.1:${ports.selfsigned}`, '--window', '5s'], { timeoutMs: 60_000 });
    assert.equal(md.code, 1);
    assert.match(md.stdout, /The deployment \*\*FAILED\*\* verification/);
    assert.match(md.stdout, /the certificate is self-signed/);
  });

  test('(b) an expired certificate from a trusted CA: the expiry check FAILs with the date', async (t) => {
    if (!toolsOrSkip(t)) return;
    const { r, rep, by } = await verify('expired', ['--ca-file', caFile()]);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(rep.data.verdict, 'FAILED');
    const exp = by('tls.expiry');
    assert.equal(exp.status, 'fail');
    assert.match(exp.summary, /^the certificate \(localhost\) expired on 2020-02-01$/);
    assert.match(exp.evidence ?? '', /EXPIRED/);
    const chain = by('tls.chain');
    assert.equal(chain.status, 'fail');
    assert.match(chain.summary, /CERT_HAS_EXPIRED/);
  });

  test('(c) 5 days left, CA trusted with --ca-file: a WARNING (not a failure), the SHA-256 fingerprint shown; VERIFIED', async (t) => {
    if (!toolsOrSkip(t)) return;
    // Without the CA the chain does not verify: the private CA is not in the system store.
    const untrusted = await verify('soon');
    assert.equal(untrusted.r.code, 1);
    const c0 = untrusted.by('tls.chain');
    assert.equal(c0.status, 'fail');
    assert.match(c0.summary, /issuer is not a trusted CA|UNABLE_TO_GET_ISSUER_CERT_LOCALLY|UNABLE_TO_VERIFY_LEAF_SIGNATURE/);

    const { r, rep, by } = await verify('soon', ['--ca-file', caFile()]);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.equal(rep.data.verdict, 'VERIFIED');
    const exp = by('tls.expiry');
    assert.equal(exp.status, 'warn');
    assert.match(exp.summary, /^the certificate \(localhost\) expires in [45] days \(\d{4}-\d{2}-\d{2}\), under 14$/);
    const chain = by('tls.chain');
    assert.equal(chain.status, 'pass');
    assert.match(chain.summary, /trusted chain to Deckhand Test CA/);
    assert.ok(chain.summary.includes(`SHA-256 ${fingerprint.soon}`), `${chain.summary} shows ${fingerprint.soon}`);
    assert.equal(by('tls.hostname').status, 'pass');
    const md = await runCli(['verify', `https://127.0.0.1:${ports.soon}`, '--window', '5s', '--ca-file', caFile()], { timeoutMs: 60_000 });
    assert.equal(md.code, 0);
    assert.match(md.stdout, /Certificate expiry 127\.0\.0\.1:\d+:\*\* the certificate \(localhost\) expires in [45] days .* - \*\*WARN/);
    assert.ok(md.stdout.includes(fingerprint.soon), 'the fingerprint is in the markdown report');
  });

  test('(d) a certificate for other.test served for 127.0.0.1: hostname mismatch FAILs, the chain itself is trusted', async (t) => {
    if (!toolsOrSkip(t)) return;
    const { r, rep, by } = await verify('other', ['--ca-file', caFile()]);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(rep.data.verdict, 'FAILED');
    const name = by('tls.hostname');
    assert.equal(name.status, 'fail');
    assert.equal(name.summary, 'hostname mismatch: the certificate is for other.test, not 127.0.0.1');
    assert.equal(by('tls.chain').status, 'pass');
    assert.equal(by('tls.expiry').status, 'pass');
  });

  test('--ca-file that is not a PEM certificate is a usage error (exit 2)', async (t) => {
    if (!toolsOrSkip(t)) return;
    const r = await runCli(['verify', `https://127.0.0.1:${ports.soon}`, '--ca-file', join(dir, 'nginx.conf')]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /holds no PEM certificate/);
    const gone = await runCli(['verify', `https://127.0.0.1:${ports.soon}`, '--ca-file', join(dir, 'absent.pem')]);
    assert.equal(gone.code, 2);
    assert.match(gone.stderr, /cannot read .*absent\.pem/);
  });
});
