// TLS layer against loopback HTTPS servers with certificates made by openssl: trusted, self-signed, expired, expiring, wrong name.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redactor } from '../../src/core/redact.js';
import { LocalExecutor } from '../../src/exec/local.js';
import { freeLocalPort } from '../../src/exec/free-port.js';
import type { Finding } from '../../src/report/common.js';
import { checkTls, inspectTls } from '../../src/stages/verify/checks/tls.js';
import type { LayerInput, VerifyTarget } from '../../src/stages/verify/types.js';

const hasOpenssl = spawnSync('openssl', ['version'], { stdio: 'ignore' }).status === 0;
const dir = mkdtempSync(join(tmpdir(), 'dh-tls-'));
const servers: Server[] = [];
const ports: Record<string, number> = {};

const ossl = (...args: string[]): void => {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
};
const key = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/** A leaf for `name` signed by the test CA, valid `days` days, with the given subjectAltName. */
function leaf(name: string, days: number, san: string): void {
  ossl('req', ...key, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`);
  writeFileSync(join(dir, `${name}.ext`), `subjectAltName=${san}\n`);
  ossl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-set_serial', String(Math.floor(Math.random() * 1e9)), '-days', String(days), '-extfile', `${name}.ext`, '-out', `${name}.pem`);
}

async function serveTls(name: string): Promise<number> {
  const s = createHttpsServer({ key: readFileSync(join(dir, `${name}.key`)), cert: readFileSync(join(dir, `${name}.pem`)) }, (_req, res) => res.end('ok'));
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  return (s.address() as AddressInfo).port;
}

before(async () => {
  if (!hasOpenssl) return;
  ossl('req', '-x509', ...key, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '3650', '-subj', '/CN=Deckhand Test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  leaf('good', 365, 'IP:127.0.0.1,DNS:localhost');
  leaf('soon', 5, 'IP:127.0.0.1');
  leaf('other', 365, 'DNS:other.example');
  ossl('req', '-x509', ...key, '-keyout', 'self.key', '-out', 'self.pem', '-days', '365', '-subj', '/CN=self', '-addext', 'subjectAltName=IP:127.0.0.1');
  // openssl 3.0 x509 cannot backdate; `openssl ca` takes explicit start and end dates.
  writeFileSync(join(dir, 'ca.cnf'), [
    '[ ca ]', 'default_ca = CA_default', '[ CA_default ]', `dir = ${dir}`, 'database = $dir/index.txt', 'new_certs_dir = $dir', 'serial = $dir/serial',
    'default_md = sha256', 'policy = policy_any', 'copy_extensions = copy', 'unique_subject = no', '[ policy_any ]', 'commonName = supplied', '',
  ].join('\n'));
  writeFileSync(join(dir, 'index.txt'), '');
  writeFileSync(join(dir, 'serial'), '1000\n');
  ossl('req', ...key, '-keyout', 'expired.key', '-out', 'expired.csr', '-subj', '/CN=expired');
  writeFileSync(join(dir, 'expired.ext'), 'subjectAltName=IP:127.0.0.1\n');
  ossl('ca', '-batch', '-config', 'ca.cnf', '-cert', 'ca.pem', '-keyfile', 'ca.key', '-in', 'expired.csr', '-out', 'expired.pem', '-notext',
    '-startdate', '20200101000000Z', '-enddate', '20200102000000Z', '-extfile', 'expired.ext');
  for (const n of ['good', 'soon', 'other', 'self', 'expired']) ports[n] = await serveTls(n);
});

after(async () => {
  for (const s of servers) {
    s.closeAllConnections();
    await new Promise<void>((r) => s.close(() => r()));
  }
  rmSync(dir, { recursive: true, force: true });
});

const ca = (): Buffer => readFileSync(join(dir, 'ca.pem'));
const url = (name: string): string => `https://127.0.0.1:${ports[name] ?? 0}/`;
const byId = (fs: Finding[], id: string): Finding => {
  const f = fs.find((x) => x.id === id);
  assert.ok(f, `${id} in ${fs.map((x) => x.id).join(', ')}`);
  return f;
};
const opts = { timeoutMs: 3000, warnDays: 14, now: new Date() };

function input(target: Partial<VerifyTarget>): LayerInput {
  const redactor = new Redactor();
  return {
    ctx: { executor: new LocalExecutor(redactor), redactor },
    target: { app: null, strategy: null, port: null, healthPath: null, release: null, base: null, since: null, url: null, serverName: null, ...target },
    options: { windowMs: 1000, intervalMs: 100, requestTimeoutMs: 3000, successes: 1, checks: [], proxyUrl: null, tlsWarnDays: 14 },
    envFileText: null,
  };
}

describe('TLS layer', { skip: hasOpenssl ? false : 'openssl is not installed' }, () => {
  test('a trusted chain, the right name and a distant expiry pass; the leaf fingerprint is reported', async () => {
    const fs = await inspectTls(url('good'), { ...opts, ca: ca() });
    assert.deepEqual(fs.map((f) => [f.id, f.status]), [['tls.chain', 'pass'], ['tls.hostname', 'pass'], ['tls.expiry', 'pass']]);
    const fp = new X509Certificate(readFileSync(join(dir, 'good.pem'))).fingerprint256;
    assert.match(byId(fs, 'tls.chain').summary, new RegExp(`trusted chain to Deckhand Test CA; leaf SHA-256 ${fp}`));
    assert.match(byId(fs, 'tls.expiry').summary, /expires in 36[45] days \(\d{4}-\d\d-\d\d\)/);
    assert.match(byId(fs, 'tls.hostname').summary, /the certificate covers 127\.0\.0\.1/);
    assert.ok(fs.every((f) => f.section === 'tls'));
  });

  test('self-signed fails the chain, required, with its own wording', async () => {
    const fs = await checkTls(input({ url: url('self') }));
    const f = byId(fs, 'tls.chain');
    assert.equal(f.status, 'fail');
    assert.equal(f.required, true);
    assert.match(f.summary, /self-signed: no trusted CA issued it \(DEPTH_ZERO_SELF_SIGNED_CERT\)/);
    assert.match(f.detail ?? '', /SHA-256 [0-9A-F:]{95}/);
  });

  test('a chain from an unknown CA fails against the system CAs', async () => {
    const f = byId(await checkTls(input({ url: url('good') })), 'tls.chain');
    assert.equal(f.status, 'fail');
    assert.match(f.summary, /issuer|chain is incomplete/);
  });

  test('an expired certificate fails the expiry and the chain', async () => {
    const fs = await inspectTls(url('expired'), { ...opts, ca: ca() });
    const e = byId(fs, 'tls.expiry');
    assert.equal(e.status, 'fail');
    assert.match(e.summary, /the certificate \(expired\) expired on 2020-01-02/);
    assert.match(e.evidence ?? '', /EXPIRED/);
    assert.match(byId(fs, 'tls.chain').summary, /has expired \(CERT_HAS_EXPIRED\)/);
  });

  test('a certificate expiring within the warning days is a warning', async () => {
    const fs = await inspectTls(url('soon'), { ...opts, ca: ca() });
    const e = byId(fs, 'tls.expiry');
    assert.equal(e.status, 'warn');
    assert.match(e.summary, /the certificate \(soon\) expires in [45] days \(\d{4}-\d\d-\d\d\), under 14/);
    assert.equal(byId(fs, 'tls.chain').status, 'pass');
  });

  test('expiry is judged against the run clock (years later, everything has expired)', async () => {
    const later = new Date(Date.now() + 3000 * 86_400_000);
    const e = byId(await inspectTls(url('good'), { ...opts, ca: ca(), now: later }), 'tls.expiry');
    assert.equal(e.status, 'fail');
  });

  test('a certificate for another name fails the hostname check, the chain still verifies', async () => {
    const fs = await inspectTls(url('other'), { ...opts, ca: ca() });
    const h = byId(fs, 'tls.hostname');
    assert.equal(h.status, 'fail');
    assert.match(h.summary, /hostname mismatch: the certificate is for other\.example, not 127\.0\.0\.1/);
    assert.equal(byId(fs, 'tls.chain').status, 'pass');
  });

  test('plain http is skipped', async () => {
    const fs = await checkTls(input({ url: 'http://127.0.0.1:1/' }));
    assert.deepEqual(fs.map((f) => f.status), ['skipped']);
  });

  test('nothing listening is unknown, not pass', async () => {
    const port = await freeLocalPort();
    const f = byId(await checkTls(input({ url: `https://127.0.0.1:${port}/` })), 'tls.connect');
    assert.equal(f.status, 'unknown');
    assert.equal(f.required, true);
  });

  test('a port that speaks plain HTTP fails the handshake', async () => {
    const s = createHttpServer((_req, res) => res.end('plain'));
    servers.push(s);
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
    const f = byId(await checkTls(input({ url: `https://127.0.0.1:${(s.address() as AddressInfo).port}/` })), 'tls.connect');
    assert.equal(f.status, 'fail');
    assert.match(f.summary, /TLS handshake failed/);
  });
});
