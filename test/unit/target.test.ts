// Target syntax (parseTarget): every accepted form parsed exactly, anything ambiguous or hostile rejected as a usage error.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DeckhandError } from '../../src/core/errors.js';
import { parseTarget } from '../../src/core/target.js';

describe('parseTarget: accepted forms', () => {
  test('local is the default', () => {
    assert.deepEqual(parseTarget(undefined), { kind: 'local', display: 'local' });
    assert.deepEqual(parseTarget(''), { kind: 'local', display: 'local' });
    assert.deepEqual(parseTarget('local'), { kind: 'local', display: 'local' });
    assert.deepEqual(parseTarget('  local  '), { kind: 'local', display: 'local' });
  });

  test('user@host', () => {
    assert.deepEqual(parseTarget('deploy@web1.example.com'), { kind: 'ssh', display: 'deploy@web1.example.com', host: 'web1.example.com', user: 'deploy' });
  });

  test('user@host:port', () => {
    assert.deepEqual(parseTarget('deploy@10.0.0.5:2222'), { kind: 'ssh', display: 'deploy@10.0.0.5:2222', host: '10.0.0.5', user: 'deploy', port: 2222 });
    assert.deepEqual(parseTarget('web1:22'), { kind: 'ssh', display: 'web1:22', host: 'web1', port: 22 });
  });

  test('ssh://user@host:port, with or without a trailing slash', () => {
    assert.deepEqual(parseTarget('ssh://deploy@web1:2222'), { kind: 'ssh', display: 'deploy@web1:2222', host: 'web1', user: 'deploy', port: 2222 });
    assert.deepEqual(parseTarget('ssh://web1/'), { kind: 'ssh', display: 'web1', host: 'web1' });
    assert.deepEqual(parseTarget('ssh://root@[::1]:2218'), { kind: 'ssh', display: 'root@[::1]:2218', host: '::1', user: 'root', port: 2218 });
  });

  test('a bare name is an ~/.ssh/config alias', () => {
    assert.deepEqual(parseTarget('prod-web'), { kind: 'ssh', display: 'prod-web', host: 'prod-web' });
  });

  test('bracketed IPv6, with port and zone', () => {
    assert.deepEqual(parseTarget('[::1]:22'), { kind: 'ssh', display: '[::1]:22', host: '::1', port: 22 });
    assert.deepEqual(parseTarget('[2001:db8::7]'), { kind: 'ssh', display: '[2001:db8::7]', host: '2001:db8::7' });
    assert.deepEqual(parseTarget('admin@[fe80::1%eth0]:2200'), { kind: 'ssh', display: 'admin@[fe80::1%eth0]:2200', host: 'fe80::1%eth0', user: 'admin', port: 2200 });
  });

  test('edge ports 1 and 65535 are valid', () => {
    assert.equal((parseTarget('h:1') as { port?: number }).port, 1);
    assert.equal((parseTarget('h:65535') as { port?: number }).port, 65535);
  });
});

describe('parseTarget: rejected inputs', () => {
  const bad = [
    'root@host:22;reboot', 'host:0', 'host:99999', 'host:', 'http://x', 'ftp://user@host', '$(reboot)', '`reboot`', 'a b', 'user@',
    '@host', 'host;reboot', '-oProxyCommand=touch_x', 'user name@host', 'us;er@host', '[not-ipv6]:22', '[::1];id', 'ssh://host:22/path', 'host:22:33',
  ];
  for (const input of bad) {
    test(`"${input.replace(/\n/g, '\\n')}" is a usage error (exit 2)`, () => {
      assert.throws(() => parseTarget(input), (e: unknown) => {
        assert.ok(e instanceof DeckhandError, 'a DeckhandError');
        assert.equal(e.kind, 'usage');
        assert.equal(e.exitCode, 2);
        assert.match(e.message, /unknown target syntax/);
        assert.match(e.hint ?? '', /user@host:port/);
        return true;
      });
    });
  }
});
