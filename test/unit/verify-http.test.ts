// HTTP health and smoke layers against real loopback servers: healthy, failing, slow, redirect loops, huge and binary bodies.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redactor } from '../../src/core/redact.js';
import { LocalExecutor } from '../../src/exec/local.js';
import { freeLocalPort } from '../../src/exec/free-port.js';
import type { Finding } from '../../src/report/common.js';
import { checkHttp } from '../../src/stages/verify/checks/http.js';
import { ChecksFileError, checkSmoke, parseChecksFile } from '../../src/stages/verify/checks/smoke.js';
import { httpRequest, joinUrl } from '../../src/stages/verify/http-client.js';
import type { LayerInput, SmokeCheck, VerifyOptions, VerifyTarget } from '../../src/stages/verify/types.js';

const servers: Server[] = [];
after(async () => {
  for (const s of servers) {
    s.closeAllConnections();
    await new Promise<void>((r) => s.close(() => r()));
  }
});

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

async function serve(handler: Handler): Promise<number> {
  const s = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => handler(req, res, body));
  });
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  return (s.address() as AddressInfo).port;
}

const json = (res: ServerResponse, status: number, value: unknown): void => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(value));
};

function input(over: { target?: Partial<VerifyTarget>; options?: Partial<VerifyOptions>; redactor?: Redactor; executor?: LocalExecutor } = {}): LayerInput {
  const redactor = over.redactor ?? new Redactor();
  return {
    ctx: { executor: over.executor ?? new LocalExecutor(redactor), redactor },
    target: { app: 'api', strategy: 'systemd', port: null, healthPath: '/health', release: 'r1', base: '/srv/api', since: null, url: null, serverName: null, ...over.target },
    options: { windowMs: 1500, intervalMs: 40, requestTimeoutMs: 300, successes: 3, checks: [], proxyUrl: null, tlsWarnDays: 14, ...over.options },
    envFileText: null,
  };
}

const one = (fs: Finding[]): Finding => {
  assert.equal(fs.length, 1, JSON.stringify(fs));
  return fs[0] as Finding;
};

describe('HTTP health layer', () => {
  test('a healthy app passes with N consecutive 2xx, reached through the port on the target', async () => {
    const port = await serve((_req, res) => json(res, 200, { status: 'ok' }));
    const f = one(await checkHttp(input({ target: { port } })));
    assert.equal(f.status, 'pass');
    assert.equal(f.section, 'http');
    assert.equal(f.id, 'http.health');
    assert.match(f.summary, /^healthy: 3 consecutive 2xx \(200 in \d+ms\)$/);
    assert.equal(f.title, `Health GET http://127.0.0.1:${port}/health`);
    assert.equal(f.evidence?.split('\n').length, 3);
  });

  test('a pass that needed retries says how many attempts', async () => {
    let n = 0;
    const port = await serve((_req, res) => (++n <= 2 ? json(res, 503, { starting: true }) : json(res, 200, {})));
    const f = one(await checkHttp(input({ target: { port } })));
    assert.equal(f.status, 'pass');
    assert.match(f.summary, /^healthy after 3 attempts \(HTTP 503 ×2 first; then 3 consecutive 2xx/);
  });

  test('500 on the health path: never came up, with the status and the body excerpt', async () => {
    const port = await serve((req, res) => (req.url === '/health' ? json(res, 500, { error: 'db down' }) : json(res, 200, {})));
    const f = one(await checkHttp(input({ target: { port }, options: { windowMs: 300 } })));
    assert.equal(f.status, 'fail');
    assert.equal(f.required, true);
    assert.match(f.summary, /^never came up in 0\.3s: HTTP 500 on all \d+ attempts$/);
    assert.match(f.detail ?? '', /500 Internal Server Error.*db down/);
    assert.match(f.remedy ?? '', /answers 500/);
  });

  test('connection refused: never came up, and says so', async () => {
    const port = await freeLocalPort();
    const f = one(await checkHttp(input({ target: { port }, options: { windowMs: 200 } })));
    assert.equal(f.status, 'fail');
    assert.match(f.summary, /never came up in 0\.2s: connection refused on all \d+ attempts/);
    assert.match(f.remedy ?? '', /nothing accepts connections on port \d+ on the target/);
  });

  test('a slow app times out per request', async () => {
    const port = await serve((_req, res) => setTimeout(() => json(res, 200, {}), 1000));
    const t = performance.now();
    const f = one(await checkHttp(input({ target: { port }, options: { windowMs: 500, requestTimeoutMs: 150 } })));
    assert.ok(performance.now() - t < 2000);
    assert.equal(f.status, 'fail');
    assert.match(f.summary, /never came up in 0\.5s: timed out on all \d+ attempts/);
    assert.match(f.evidence ?? '', /no answer within 150ms/);
  });

  test('came up, then failed', async () => {
    let n = 0;
    const port = await serve((_req, res) => (++n <= 2 ? json(res, 200, {}) : json(res, 500, { error: 'crashed' })));
    const f = one(await checkHttp(input({ target: { port }, options: { windowMs: 400 } })));
    assert.equal(f.status, 'fail');
    assert.match(f.summary, /^came up, then failed: HTTP 200 ×2, then HTTP 500 ×\d+$/);
    assert.match(f.detail ?? '', /crashed/);
  });

  test('a flap inside the window is a warning even when it ends healthy', async () => {
    let n = 0;
    const port = await serve((_req, res) => (++n === 2 ? json(res, 500, {}) : json(res, 200, {})));
    const f = one(await checkHttp(input({ target: { port } })));
    assert.equal(f.status, 'warn');
    assert.match(f.summary, /failed 1 time after first answering \(HTTP 500\)/);
  });

  test('too few successes before the window ends: came up late', async () => {
    let n = 0;
    const port = await serve((_req, res) => (++n <= 3 ? json(res, 503, {}) : json(res, 200, {})));
    const f = one(await checkHttp(input({ target: { port }, options: { windowMs: 200, intervalMs: 40, successes: 10 } })));
    assert.equal(f.status, 'fail');
    assert.match(f.summary, /^came up late: only \d+ of 10 consecutive 2xx/);
  });

  test('a redirect loop is reported as a loop', async () => {
    const port = await serve((req, res) => {
      res.writeHead(302, { location: req.url === '/health' ? '/b' : '/health' });
      res.end();
    });
    const f = one(await checkHttp(input({ target: { port }, options: { windowMs: 100 } })));
    assert.equal(f.status, 'fail');
    assert.match(f.summary, /never came up in 0\.1s: redirect loop/);
    assert.match(f.evidence ?? '', /redirect loop: \/health → \/b → \/health/);
  });

  test('more than 5 redirects stops', async () => {
    const port = await serve((req, res) => {
      const n = Number(/\d+/.exec(req.url ?? '')?.[0] ?? 0);
      res.writeHead(301, { location: `/r${n + 1}` });
      res.end();
    });
    const out = await httpRequest({ method: 'GET', url: `http://127.0.0.1:${port}/r0`, timeoutMs: 1000 });
    assert.ok(!out.ok);
    assert.equal(out.failure.kind, 'too-many-redirects');
    assert.match(out.failure.message, /more than 5 redirects: \/r0 → \/r1 → .* → \/r6/);
  });

  test('redirects within the limit are followed and noted', async () => {
    const port = await serve((req, res) => {
      if (req.url === '/health') { res.writeHead(301, { location: '/healthz' }); res.end(); } else json(res, 200, {});
    });
    const f = one(await checkHttp(input({ target: { port } })));
    assert.equal(f.status, 'pass');
    assert.match(f.evidence ?? '', /after 1 redirect/);
  });

  test('a huge body is read up to 1 MiB and said to be cut', async () => {
    const port = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('x'.repeat(3 * 1024 * 1024));
    });
    const f = one(await checkHttp(input({ target: { port } })));
    assert.equal(f.status, 'pass');
    assert.match(f.detail ?? '', /larger than 1 MiB; only the first 1 MiB was read/);
    const out = await httpRequest({ method: 'GET', url: `http://127.0.0.1:${port}/`, timeoutMs: 2000 });
    assert.ok(out.ok && out.response.truncated && out.response.bodyBytes === 1024 * 1024);
  });

  test('a body that is not UTF-8 is shown as a byte count', async () => {
    const port = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.end(Buffer.from([0xff, 0xfe, 0x00, 0xc3, 0x28, 0x80]));
    });
    const f = one(await checkHttp(input({ target: { port } })));
    assert.equal(f.status, 'pass');
    assert.match(f.detail ?? '', /the body \(6 bytes\) is not UTF-8 text/);
    const out = await httpRequest({ method: 'GET', url: `http://127.0.0.1:${port}/`, timeoutMs: 2000 });
    assert.ok(out.ok && out.response.body === null);
  });

  test('a URL wins over the port, and its path prefix is kept', async () => {
    const seen: string[] = [];
    const port = await serve((req, res) => { seen.push(req.url ?? ''); json(res, 200, {}); });
    const f = one(await checkHttp(input({ target: { url: `http://127.0.0.1:${port}/app/`, port: 1 }, options: { successes: 1 } })));
    assert.equal(f.status, 'pass');
    assert.deepEqual(seen, ['/app/health']);
    assert.equal(joinUrl('https://x.test/app', '/h?x=1'), 'https://x.test/app/h?x=1');
    assert.equal(joinUrl('https://x.test', 'https://y.test/z'), 'https://y.test/z');
  });

  test('through a tunnel: the bytes go to the local end, the Host header is the target\'s view, the tunnel is closed', async () => {
    const hosts: string[] = [];
    const port = await serve((req, res) => { hosts.push(req.headers.host ?? ''); json(res, 200, {}); });
    const redactor = new Redactor();
    let closed = 0;
    const forwarded: string[] = [];
    const executor = new LocalExecutor(redactor);
    executor.forward = async (host: string, p: number) => {
      forwarded.push(`${host}:${p}`);
      return { host: '127.0.0.1', port, close: async () => { closed++; } };
    };
    const f = one(await checkHttp(input({ target: { port: 3999 }, options: { successes: 1 }, executor, redactor })));
    assert.equal(f.status, 'pass');
    assert.deepEqual(forwarded, ['127.0.0.1:3999']);
    assert.deepEqual(hosts, ['127.0.0.1:3999']);
    assert.equal(closed, 1);
    assert.equal(f.title, 'Health GET http://127.0.0.1:3999/health');
  });

  test('a tunnel that cannot be opened is unknown, never pass', async () => {
    const redactor = new Redactor();
    const executor = new LocalExecutor(redactor);
    executor.forward = async () => { throw new Error('ssh: port forwarding refused'); };
    const f = one(await checkHttp(input({ target: { port: 3000 }, executor, redactor })));
    assert.equal(f.status, 'unknown');
    assert.equal(f.required, true);
    assert.match(f.summary, /could not open a path to 127\.0\.0\.1:3000 on local: ssh: port forwarding refused/);
  });

  test('no URL and no port: skipped with the reason', async () => {
    const f = one(await checkHttp(input({ target: { port: null } })));
    assert.equal(f.status, 'skipped');
    assert.match(f.summary, /no URL given and no port known/);
  });

  test('a cancelled run stops polling and is unknown', async () => {
    const port = await freeLocalPort();
    const ac = new AbortController();
    const i = input({ target: { port }, options: { windowMs: 10_000, intervalMs: 100 } });
    i.ctx.signal = ac.signal;
    setTimeout(() => ac.abort(), 150);
    const t = performance.now();
    const f = one(await checkHttp(i));
    assert.ok(performance.now() - t < 2000);
    assert.equal(f.status, 'unknown');
  });
});

describe('smoke layer', () => {
  const app = (): Promise<number> => serve((req, res, body) => {
    if (req.url === '/health') return json(res, 200, { status: 'ok', token: 'tok-s3cr3t-value' });
    if (req.url === '/') return json(res, 200, { hello: 'world' });
    if (req.url === '/orders' && req.method === 'POST') return json(res, 201, { created: JSON.parse(body || '{}') as unknown });
    if (req.url === '/broken') return json(res, 502, { error: 'upstream tok-s3cr3t-value failed', detail: 'y'.repeat(1000) });
    json(res, 404, { error: 'not found' });
  });

  test('with no checks configured, the defaults run: health < 400 and / < 500', async () => {
    const port = await app();
    const fs = await checkSmoke(input({ target: { port } }));
    assert.deepEqual(fs.map((f) => [f.id, f.status]), [['smoke.health', 'pass'], ['smoke.root', 'pass']]);
    assert.equal(fs[0]?.title, 'Smoke: health (GET /health)');
    assert.match(fs[0]?.summary ?? '', /GET \/health: 200, 1 condition held/);
  });

  test('a failing check shows the resolved values and a masked excerpt of the body', async () => {
    const port = await app();
    const redactor = new Redactor();
    redactor.add('tok-s3cr3t-value');
    const checks: SmokeCheck[] = [{ name: 'broken page', method: 'GET', path: '/broken', conditions: ['[STATUS] == 200', '[BODY].error contains "upstream"'] }];
    const f = one(await checkSmoke(input({ target: { port }, options: { checks }, redactor })));
    assert.equal(f.status, 'fail');
    assert.equal(f.id, 'smoke.broken-page');
    assert.equal(f.summary, 'GET /broken: [STATUS] (502) == 200');
    assert.match(f.detail ?? '', /^body: \{"error":"upstream \*\*\* failed"/);
    assert.ok((f.detail ?? '').length < 340, `excerpt is capped: ${(f.detail ?? '').length}`);
    assert.doesNotMatch(JSON.stringify(f), /s3cr3t/);
  });

  test('requests with side effects run only when the check opts in', async () => {
    const port = await app();
    const checks: SmokeCheck[] = [
      { name: 'create order', method: 'POST', path: '/orders', body: '{"n":1}', headers: { 'content-type': 'application/json' }, conditions: ['[STATUS] == 201'] },
      { name: 'create order', method: 'POST', path: '/orders', body: '{"n":2}', conditions: ['[STATUS] == 201', '[BODY].created.n == 2'], mutates: true },
    ];
    const fs = await checkSmoke(input({ target: { port }, options: { checks } }));
    assert.deepEqual(fs.map((f) => [f.id, f.status]), [['smoke.create-order', 'skipped'], ['smoke.create-order-2', 'pass']]);
    assert.match(fs[0]?.summary ?? '', /not run: POST may change data, and the check does not set mutates: true/);
  });

  test('a malformed condition is a config-error fail naming the check and the column', async () => {
    const port = await app();
    const checks: SmokeCheck[] = [{ name: 'typo', method: 'GET', path: '/health', conditions: ['[STATUS] == 200', '[STATUS] = 200'] }];
    const f = one(await checkSmoke(input({ target: { port }, options: { checks } })));
    assert.equal(f.status, 'fail');
    assert.match(f.summary, /check "typo", condition 2 is malformed at column 10: expected an operator/);
    assert.equal(f.detail, '[STATUS] = 200\n         ^');
  });

  test('a check without conditions is a configuration error', async () => {
    const port = await app();
    const f = one(await checkSmoke(input({ target: { port }, options: { checks: [{ name: 'empty', method: 'GET', path: '/', conditions: [] }] } })));
    assert.equal(f.status, 'fail');
    assert.match(f.summary, /has no conditions/);
  });

  test('a type error in a condition fails as a configuration problem', async () => {
    const port = await app();
    const f = one(await checkSmoke(input({ target: { port }, options: { checks: [{ name: 'types', method: 'GET', path: '/health', conditions: ['[BODY].status > 1'] }] } })));
    assert.equal(f.status, 'fail');
    assert.match(f.summary, /condition cannot be evaluated: ">" needs numbers, but \[BODY\]\.status is a string \("ok"\)/);
  });

  test('an app that does not answer fails each check with the reason', async () => {
    const port = await freeLocalPort();
    const f = one(await checkSmoke(input({ target: { port, healthPath: null } })));
    assert.equal(f.status, 'fail');
    assert.match(f.summary, /GET \/: connection refused/);
  });

  test('a binary body is shown as its size in the excerpt', async () => {
    const port = await serve((_req, res) => { res.writeHead(500); res.end(Buffer.from([0xff, 0xfe, 0xfd])); });
    const f = one(await checkSmoke(input({ target: { port, healthPath: null } })));
    assert.equal(f.detail, 'body: <3 bytes, not UTF-8 text>');
  });
});

describe('checks files', () => {
  test('YAML: defaults filled, methods upper-cased, object bodies sent as JSON', () => {
    const checks = parseChecksFile([
      'checks:',
      '  - name: health',
      '    path: /health',
      '    conditions: ["[STATUS] == 200", "[BODY].status == \\"ok\\""]',
      '  - name: create',
      '    method: post',
      '    path: /orders',
      '    headers: { x-retries: 3 }',
      '    body: { item: 42 }',
      '    mutates: true',
      '    conditions:',
      '      - "[STATUS] == 201"',
    ].join('\n'), 'checks.yml');
    assert.deepEqual(checks, [
      { name: 'health', method: 'GET', path: '/health', conditions: ['[STATUS] == 200', '[BODY].status == "ok"'] },
      { name: 'create', method: 'POST', path: '/orders', headers: { 'x-retries': '3', 'content-type': 'application/json' }, body: '{"item":42}', mutates: true, conditions: ['[STATUS] == 201'] },
    ]);
  });

  test('JSON works too', () => {
    const checks = parseChecksFile('{"checks":[{"name":"a","path":"/","conditions":["[STATUS] < 500"]}]}', 'checks.json');
    assert.equal(checks.length, 1);
  });

  const bad: [string, string, RegExp][] = [
    ['missing conditions', 'checks:\n  - name: a\n    path: /', /checks\.yml: checks\[0\]\.conditions: /],
    ['empty conditions', 'checks:\n  - name: a\n    path: /\n    conditions: []', /checks\[0\]\.conditions: at least one condition is needed/],
    ['empty check set', 'checks: []', /checks: at least one check is needed/],
    ['unknown key', 'checks:\n  - name: a\n    path: /\n    condition: ["[STATUS] == 200"]\n    conditions: ["[STATUS] == 200"]', /checks\[0\]: .*condition/],
    ['wrong type', 'checks:\n  - name: a\n    path: /\n    conditions: ["[STATUS] == 200"]\n    mutates: "yes"', /checks\[0\]\.mutates: /],
    ['not an object', '- a\n- b', /\(top level\): /],
    ['bad condition', 'checks:\n  - name: a\n    path: /\n    conditions: ["[STATUS] == 200", "[STATUS] =="]', /checks\[0\]\.conditions\[1\]: column 12: expected a value/],
    ['duplicate names', 'checks:\n  - {name: a, path: /, conditions: ["[STATUS] == 200"]}\n  - {name: a, path: /x, conditions: ["[STATUS] == 200"]}', /checks\[1\]\.name: "a" is already the name of checks\[0\]/],
    ['bad YAML', 'checks: [\n', /not valid YAML\/JSON/],
    ['bad method', 'checks:\n  - {name: a, method: "GE T", path: /, conditions: ["[STATUS] == 200"]}', /checks\[0\]\.method: an HTTP method/],
  ];
  for (const [what, text, re] of bad) {
    test(`${what} → an error naming the key path`, () => {
      assert.throws(() => parseChecksFile(text, 'checks.yml'), (e: unknown) => {
        assert.ok(e instanceof ChecksFileError, String(e));
        assert.match(e.message, re);
        return true;
      });
    });
  }
});
