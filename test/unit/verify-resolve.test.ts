// verify --resolve: parsing HOST:PORT:ADDRESS, and which URLs it redirects (host and port must both match).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { connectAddress, parseResolve, resolveVia } from '../../src/stages/verify/resolve.js';

describe('--resolve', () => {
  it('parses curl\'s form, IPv4 and IPv6, and refuses names, bad ports and missing parts', () => {
    assert.deepEqual(parseResolve('App.Example.com:443:127.0.0.1'), { host: 'app.example.com', port: 443, address: '127.0.0.1' });
    assert.deepEqual(parseResolve('a.test:8443:[::1]'), { host: 'a.test', port: 8443, address: '::1' });
    for (const bad of ['a.test:443', 'a.test:443:example.org', 'a.test:0:127.0.0.1', 'a.test:70000:127.0.0.1', ':443:127.0.0.1', 'a test:443:127.0.0.1']) {
      assert.equal(parseResolve(bad), null, bad);
    }
  });
  it('applies only to the URL\'s own host and port (the scheme\'s default port counts)', () => {
    const r = parseResolve('a.test:443:10.0.0.7');
    assert.deepEqual(connectAddress('https://a.test/health', r), { host: '10.0.0.7', port: 443 });
    assert.deepEqual(connectAddress('https://A.TEST:443/', r), { host: '10.0.0.7', port: 443 });
    assert.equal(connectAddress('http://a.test/', r), null, 'port 80 is not 443');
    assert.equal(connectAddress('https://b.test/', r), null);
    assert.equal(connectAddress('https://a.test/', null), null);
    assert.deepEqual(resolveVia('https://a.test/x', r), { origin: 'https://a.test', host: '10.0.0.7', port: 443 });
  });
});
