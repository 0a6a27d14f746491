// OpenSSH argv builders (exact argv) and the classification of real OpenSSH client failures.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DeckhandError } from '../../src/core/errors.js';
import { classifySshFailure, sshBaseArgs, sshExitArgs, sshMasterArgs, sshRunArgs } from '../../src/commands/ssh.js';

const DEFAULTS = ['-o', 'ConnectTimeout=10', '-o', 'StrictHostKeyChecking=yes', '-o', 'ServerAliveInterval=5', '-o', 'ServerAliveCountMax=3', '-o', 'LogLevel=ERROR'];
const CP = '/tmp/dh-abc123/cm';

describe('sshBaseArgs', () => {
  test('bare target: BatchMode then the defaults, no -i/-p/-l', () => {
    assert.deepEqual(sshBaseArgs({ host: 'web1' }, {}), ['-o', 'BatchMode=yes', ...DEFAULTS]);
  });

  test('identity, port, user and user options', () => {
    const args = sshBaseArgs(
      { host: 'web1', user: 'deploy', port: 2222 },
      { identityFile: '/home/me/.ssh/id ed25519', options: ['ServerAliveInterval=10', 'ProxyJump=bastion'], acceptNewHostKey: true, connectTimeoutSec: 30 },
    );
    assert.deepEqual(args, [
      '-o', 'BatchMode=yes',
      '-o', 'ServerAliveInterval=10', '-o', 'ProxyJump=bastion',
      '-o', 'ConnectTimeout=30', '-o', 'StrictHostKeyChecking=accept-new', '-o', 'ServerAliveInterval=5', '-o', 'ServerAliveCountMax=3', '-o', 'LogLevel=ERROR',
      '-i', '/home/me/.ssh/id ed25519', '-o', 'IdentitiesOnly=yes',
      '-p', '2222',
      '-l', 'deploy',
    ]);
  });

  test('acceptNewHostKey false keeps strict checking', () => {
    assert.ok(sshBaseArgs({ host: 'h' }, { acceptNewHostKey: false }).includes('StrictHostKeyChecking=yes'));
  });

  test('BatchMode=yes is always first, before a user BatchMode=no (OpenSSH keeps the first value)', () => {
    const args = sshBaseArgs({ host: 'h' }, { options: ['BatchMode=no', 'ConnectTimeout=99'] });
    assert.deepEqual(args.slice(0, 2), ['-o', 'BatchMode=yes']);
    assert.ok(args.indexOf('BatchMode=no') > 1);
    assert.ok(args.indexOf('ConnectTimeout=99') < args.indexOf('ConnectTimeout=10'), 'user options precede deckhand defaults');
  });

  for (const bad of ['NoEquals', 'Bad Key=1', '=value', '1Key=x', '-oProxyCommand=x', 'ProxyCommand=x\nBatchMode=no', 'Key=a\rb']) {
    test(`invalid --ssh-option ${JSON.stringify(bad)} is a usage error`, () => {
      assert.throws(() => sshBaseArgs({ host: 'h' }, { options: [bad] }), (e: unknown) => {
        assert.ok(e instanceof DeckhandError);
        assert.equal(e.kind, 'usage');
        assert.equal(e.exitCode, 2);
        assert.match(e.message, /invalid --ssh-option/);
        return true;
      });
    });
  }
});

describe('master, run and exit argv', () => {
  const t = { host: 'web1', user: 'deploy', port: 2222 };
  const base = ['-o', 'BatchMode=yes', ...DEFAULTS, '-p', '2222', '-l', 'deploy'];

  test('sshMasterArgs', () => {
    assert.deepEqual(sshMasterArgs(t, {}, CP), [...base, '-o', 'ControlMaster=yes', '-o', `ControlPath=${CP}`, '-o', 'ControlPersist=120', '-N', '-f', '--', 'web1']);
  });

  test('sshRunArgs keeps the remote line one argv element after the host', () => {
    const line = "env LC_ALL=C sh -s; echo '$(reboot)'";
    assert.deepEqual(sshRunArgs(t, {}, CP, line), [...base, '-o', 'ControlMaster=no', '-o', `ControlPath=${CP}`, '-T', '--', 'web1', line]);
  });

  test('sshExitArgs', () => {
    assert.deepEqual(sshExitArgs(t, {}, CP), [...base, '-o', `ControlPath=${CP}`, '-O', 'exit', '--', 'web1']);
  });

  test('bare host without user or port', () => {
    assert.deepEqual(sshExitArgs({ host: 'h' }, {}, CP), ['-o', 'BatchMode=yes', ...DEFAULTS, '-o', `ControlPath=${CP}`, '-O', 'exit', '--', 'h']);
  });

  test('an invalid option fails every builder', () => {
    assert.throws(() => sshMasterArgs(t, { options: ['nope'] }, CP), DeckhandError);
    assert.throws(() => sshRunArgs(t, { options: ['nope'] }, CP, 'true'), DeckhandError);
    assert.throws(() => sshExitArgs(t, { options: ['nope'] }, CP), DeckhandError);
  });
});

describe('classifySshFailure', () => {
  const D = 'deploy@127.0.0.1:2218';
  const classify = (stderr: string): DeckhandError => {
    const e = classifySshFailure(stderr, D);
    assert.ok(e, `classified: ${stderr}`);
    return e;
  };

  test('connection refused', () => {
    const e = classify('ssh: connect to host 127.0.0.1 port 2218: Connection refused\r\n');
    assert.equal(e.kind, 'unreachable');
    assert.equal(e.exitCode, 3);
    assert.match(e.message, /refused/);
    assert.deepEqual(e.details, { host: D, exitCode: 255, stderrTail: 'ssh: connect to host 127.0.0.1 port 2218: Connection refused' });
  });

  test('timed out', () => {
    const e = classify('ssh: connect to host 10.255.255.1 port 22: Connection timed out\r\n');
    assert.equal(e.kind, 'unreachable');
    assert.match(e.message, /timed out/);
    assert.match(e.hint ?? '', /ConnectTimeout/);
  });

  test('could not resolve', () => {
    const e = classify('ssh: Could not resolve hostname nosuch.invalid: Name or service not known\r\n');
    assert.equal(e.kind, 'unreachable');
    assert.match(e.message, /could not be resolved/);
  });

  test('Permission denied (publickey): key hint, no password talk', () => {
    const e = classify("Warning: Permanently added '[127.0.0.1]:2218' (ED25519) to the list of known hosts.\r\ndeploy@127.0.0.1: Permission denied (publickey).\r\n");
    assert.equal(e.kind, 'auth');
    assert.match(e.message, /server offers: publickey\)/);
    assert.doesNotMatch(e.hint ?? '', /password|ssh-copy-id/);
    assert.match(e.hint ?? '', /--identity/);
  });

  test('Permission denied (publickey,password): hint says deckhand never types passwords and names ssh-copy-id', () => {
    const e = classify('deploy@127.0.0.1: Permission denied (publickey,password).\r\n');
    assert.equal(e.kind, 'auth');
    assert.match(e.message, /publickey,password/);
    assert.match(e.hint ?? '', /password/);
    assert.match(e.hint ?? '', /ssh-copy-id/);
  });

  test('REMOTE HOST IDENTIFICATION HAS CHANGED', () => {
    const stderr = [
      '@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@',
      '@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @',
      '@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@',
      'IT IS POSSIBLE THAT SOMEONE IS DOING SOMETHING NASTY!',
      'Someone could be eavesdropping on you right now (man-in-the-middle attack)!',
      'It is also possible that a host key has just been changed.',
      'The fingerprint for the ED25519 key sent by the remote host is',
      'SHA256:Xy0sR8mF3kq1nZ3dUq8d2m0JY3mQn2k9O1uN7Lr4cE8.',
      'Please contact your system administrator.',
      'Add correct host key in /root/.ssh/known_hosts to get rid of this message.',
      'Offending ED25519 key in /root/.ssh/known_hosts:3',
      'Host key for [127.0.0.1]:2218 has changed and you have requested strict checking.',
      'Host key verification failed.',
    ].join('\r\n');
    const e = classify(stderr);
    assert.equal(e.kind, 'host-key');
    assert.match(e.message, /has changed/);
    assert.match(e.hint ?? '', /ssh-keygen -R/);
    assert.equal(e.details.stderrTail?.split('\n').length, 5);
    assert.ok(!e.details.stderrTail?.includes('\r'), 'carriage returns trimmed');
  });

  test('unknown host key with strict checking', () => {
    const e = classify('No ED25519 host key is known for [127.0.0.1]:2218 and you have requested strict checking.\r\nHost key verification failed.\r\n');
    assert.equal(e.kind, 'host-key');
    assert.match(e.message, /not in known_hosts/);
    assert.match(e.hint ?? '', /--accept-new-host-key/);
  });

  test('connection closed during key exchange', () => {
    const e = classify('kex_exchange_identification: Connection closed by remote host\r\nConnection closed by 127.0.0.1 port 2218\r\n');
    assert.equal(e.kind, 'unreachable');
    assert.match(e.message, /could not talk/);
  });

  test('a bad client option is a usage error', () => {
    const e = classify('command-line line 0: Bad configuration option: bogusoption\r\n');
    assert.equal(e.kind, 'usage');
    assert.equal(e.exitCode, 2);
  });

  test('returns null for stderr that is not a connection failure', () => {
    for (const s of [
      '',
      'bash: line 1: nosuchcmd: command not found',
      "Warning: Permanently added '[127.0.0.1]:2218' (ED25519) to the list of known hosts.\r\n",
      "rm: cannot remove '/etc/passwd': Permission denied",
      'sudo: a password is required',
    ]) {
      assert.equal(classifySshFailure(s, D), null, s);
    }
  });
});
