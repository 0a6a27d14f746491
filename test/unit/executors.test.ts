// Executors: LocalExecutor real runs (argv, stdin, exit codes, timeout, missing binary, redaction, atomic upload), DryRun and Recording.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { shQuote, type Command } from '../../src/core/command.js';
import { MASK, Redactor } from '../../src/core/redact.js';
import { writeFileCommand } from '../../src/commands/fs.js';
import { DryRunExecutor } from '../../src/exec/dry-run.js';
import { LocalExecutor } from '../../src/exec/local.js';
import { RecordingExecutor } from '../../src/exec/recording.js';

const dir = mkdtempSync(join(tmpdir(), 'dh-exec-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const ro = (argv: string[], extra: Partial<Command> = {}): Command => ({ argv, mutates: false, ...extra });

describe('LocalExecutor', () => {
  const local = new LocalExecutor(new Redactor());

  test('runs argv directly: no shell interprets the words', async () => {
    const marker = join(dir, 'not-created');
    const res = await local.run(ro(['echo', 'hello world', `$(touch ${marker})`]));
    assert.equal(res.stdout, `hello world $(touch ${marker})\n`);
    assert.equal(res.stderr, '');
    assert.equal(res.exitCode, 0);
    assert.equal(res.failed, false);
    assert.equal(res.timedOut, false);
    assert.equal(res.host, 'local');
    assert.equal(res.command, `echo 'hello world' ${shQuote(`$(touch ${marker})`)}`);
    assert.equal(existsSync(marker), false);
    assert.deepEqual(local.host, { kind: 'local', display: 'local' });
  });

  test('passes stdin, as a string or bytes', async () => {
    assert.equal((await local.run(ro(['cat'], { stdin: 'line1\nline2\n' }))).stdout, 'line1\nline2\n');
    assert.equal((await local.run(ro(['cat'], { stdin: new TextEncoder().encode('bytes') }))).stdout, 'bytes');
  });

  test('without stdin the command reads EOF at once', async () => {
    const res = await local.run(ro(['cat'], { timeoutMs: 5000 }));
    assert.equal(res.timedOut, false);
    assert.equal(res.stdout, '');
  });

  test('passes extra environment variables', async () => {
    assert.equal((await local.run(ro(['sh', '-c', 'printf %s "$DH_TEST_VAR"'], { env: { DH_TEST_VAR: 'a b' } }))).stdout, 'a b');
  });

  test('a non-zero exit is failed with its exit code and stderr', async () => {
    const res = await local.run(ro(['sh', '-c', 'echo oops >&2; exit 3']));
    assert.equal(res.failed, true);
    assert.equal(res.exitCode, 3);
    assert.equal(res.stderr, 'oops\n');
    assert.equal(res.timedOut, false);
  });

  test('a command past its timeout is killed and reported as timed out', async () => {
    const res = await local.run(ro(['sleep', '5'], { timeoutMs: 300 }));
    assert.equal(res.timedOut, true);
    assert.equal(res.failed, true);
    assert.equal(res.exitCode, null);
    assert.equal(res.signal, 'SIGKILL');
  });

  test('a missing binary fails with no exit code and says why', async () => {
    const res = await local.run(ro(['deckhand-no-such-binary-xyz', '--version']));
    assert.equal(res.failed, true);
    assert.equal(res.exitCode, null);
    assert.equal(res.timedOut, false);
    assert.match(res.stderr, /deckhand-no-such-binary-xyz/);
    assert.match(res.stderr, /ENOENT/);
  });

  test('masks registered secrets in stdout, stderr and the command string', async () => {
    const r = new Redactor();
    r.add('canary-s3cr3t');
    const ex = new LocalExecutor(r);
    const res = await ex.run(ro(['sh', '-c', 'echo "token=$1"; echo "err $1" >&2', 'sh', 'canary-s3cr3t']));
    assert.equal(res.stdout, `token=${MASK}\n`);
    assert.equal(res.stderr, `err ${MASK}\n`);
    assert.ok(!res.command.includes('canary-s3cr3t'));
    assert.ok(res.command.endsWith(` sh ${MASK}`), res.command);
  });

  test('masks per-command redact values', async () => {
    const res = await local.run(ro(['echo', 'one-off-value'], { redact: ['one-off-value'] }));
    assert.equal(res.stdout, `${MASK}\n`);
    assert.equal(res.command, `echo ${MASK}`);
  });

  test('masks a secret with a single quote in the (shell-quoted) command string', async () => {
    const r = new Redactor();
    r.add("it's-s3cr3t");
    const res = await new LocalExecutor(r).run(ro(['echo', "it's-s3cr3t"]));
    assert.equal(res.stdout, `${MASK}\n`);
    assert.equal(res.command, `echo '${MASK}'`);
  });

  test('upload writes the content with the requested mode, atomically', async () => {
    const target = join(dir, "up dir 'x'", 'app config.env');
    await local.run(ro(['mkdir', '-p', join(dir, "up dir 'x'")]));
    const res = await local.upload('KEY=value\n', target, '0640');
    assert.equal(res.exitCode, 0, res.stderr);
    assert.equal(readFileSync(target, 'utf8'), 'KEY=value\n');
    assert.equal(statSync(target).mode & 0o777, 0o640);
    assert.deepEqual(readdirSync(join(dir, "up dir 'x'")), ['app config.env'], 'no temp file left behind');
  });

  test('upload replaces an existing file and its mode, default 0644', async () => {
    const target = join(dir, 'replace.txt');
    writeFileSync(target, 'old content that is longer', { mode: 0o600 });
    const res = await local.upload(new TextEncoder().encode('new'), target);
    assert.equal(res.exitCode, 0, res.stderr);
    assert.equal(readFileSync(target, 'utf8'), 'new');
    assert.equal(statSync(target).mode & 0o777, 0o644);
  });

  test('upload into a missing directory fails and creates nothing', async () => {
    const res = await local.upload('x', join(dir, 'missing-dir', 'f'));
    assert.equal(res.failed, true);
    assert.equal(existsSync(join(dir, 'missing-dir')), false);
  });
});

describe('writeFileCommand', () => {
  test('exact argv: path and mode as positional parameters, marked mutating', () => {
    assert.deepEqual(writeFileCommand('/etc/app/a b.env', '0600'), {
      argv: ['sh', '-c', 'set -e; t="$1.deckhand-tmp.$$"; umask 077; cat > "$t"; chmod "$2" "$t"; mv -f "$t" "$1"', 'deckhand-write', '/etc/app/a b.env', '0600'],
      mutates: true,
      description: 'write /etc/app/a b.env (mode 0600)',
    });
  });

  test('rejects a mode that is not octal', () => {
    for (const m of ['rwx', '644; reboot', '999', '12', '07777']) assert.throws(() => writeFileCommand('/x', m), /invalid file mode/);
  });
});

describe('DryRunExecutor', () => {
  test('does not run mutating commands but records what it would run', async () => {
    const lines: string[] = [];
    const dry = new DryRunExecutor(new LocalExecutor(new Redactor()), (l) => lines.push(l));
    const marker = join(dir, 'dry run marker');
    const res = await dry.run({ argv: ['touch', marker], mutates: true, description: 'create marker' });
    assert.equal(existsSync(marker), false);
    assert.equal(res.exitCode, 0);
    assert.equal(res.failed, false);
    assert.equal(res.command, `touch ${shQuote(marker)}`);
    const expected = `would run: create marker: touch ${shQuote(marker)}`;
    assert.deepEqual(dry.skipped, [expected]);
    assert.deepEqual(lines, [expected]);
  });

  test('runs read-only commands for real', async () => {
    const file = join(dir, 'readable.txt');
    writeFileSync(file, 'real content');
    const dry = new DryRunExecutor(new LocalExecutor(new Redactor()));
    const res = await dry.run(ro(['cat', file]));
    assert.equal(res.stdout, 'real content');
    assert.deepEqual(dry.skipped, []);
  });

  test('upload is described, not written', async () => {
    const dry = new DryRunExecutor(new LocalExecutor(new Redactor()));
    const target = join(dir, 'dry-upload.txt');
    const res = await dry.upload('hello!', target, '0600');
    assert.equal(res.exitCode, 0);
    assert.equal(existsSync(target), false);
    assert.deepEqual(dry.skipped, [`would run: write ${target}: upload ${target} 0600 '6 bytes'`]);
  });

  test('reports the inner host', () => {
    const inner = new RecordingExecutor([], { kind: 'ssh', display: 'deploy@web1', host: 'web1', user: 'deploy' });
    assert.equal(new DryRunExecutor(inner).host.display, 'deploy@web1');
  });
});

describe('RecordingExecutor', () => {
  test('answers by string, RegExp or predicate (first match wins) and records every call', async () => {
    const rec = new RecordingExecutor([
      { match: 'uname', stdout: 'Linux\n' },
      { match: /^cat \/etc\/os-release$/, stdout: 'ID=debian\n' },
      { match: (c) => c.argv[0] === 'false', exitCode: 1, stderr: 'nope' },
      { match: 'uname -a', stdout: 'never: the first match wins' },
      { match: 'sleep', exitCode: null, timedOut: true },
    ]);
    const a = await rec.run(ro(['uname', '-a']));
    assert.deepEqual(a, { command: 'uname -a', host: 'local', exitCode: 0, stdout: 'Linux\n', stderr: '', durationMs: 0, failed: false, timedOut: false });
    assert.equal((await rec.run(ro(['cat', '/etc/os-release']))).stdout, 'ID=debian\n');
    const f = await rec.run(ro(['false']));
    assert.equal(f.failed, true);
    assert.equal(f.exitCode, 1);
    assert.equal(f.stderr, 'nope');
    const s = await rec.run(ro(['sleep', '9']));
    assert.equal(s.timedOut, true);
    assert.equal(s.exitCode, null);
    assert.equal(s.failed, true);
    assert.deepEqual(rec.calls.map((c) => c.argv.join(' ')), ['uname -a', 'cat /etc/os-release', 'false', 'sleep 9']);
  });

  test('an unscripted command exits 127 and says so', async () => {
    const rec = new RecordingExecutor([], { kind: 'ssh', display: 'web1', host: 'web1' });
    const res = await rec.run(ro(['rm', '-rf', 'a b']));
    assert.equal(res.exitCode, 127);
    assert.equal(res.failed, true);
    assert.equal(res.host, 'web1');
    assert.equal(res.stderr, "recording executor: no scripted answer for: rm -rf 'a b'");
  });

  test('records uploads, decoding bytes', async () => {
    const rec = new RecordingExecutor();
    await rec.upload('text', '/etc/a', '0600');
    await rec.upload(new TextEncoder().encode('bytes'), '/etc/b');
    assert.deepEqual(rec.uploads, [{ remotePath: '/etc/a', mode: '0600', content: 'text' }, { remotePath: '/etc/b', mode: '0644', content: 'bytes' }]);
    assert.equal(rec.calls.length, 0);
  });
});

describe('timeouts kill the whole process tree', () => {
  test('a grandchild holding the output pipes is killed with its parent', async () => {
    const marker = join(dir, 'grandchild-survived');
    const ex = new LocalExecutor(new Redactor());
    // sh forks sleep (a grandchild of ours) that would write the marker after 2 s.
    const r = await ex.run(ro(['sh', '-c', `sleep 2; touch ${shQuote(marker)}; echo done`], { timeoutMs: 200 }));
    assert.equal(r.timedOut, true);
    assert.equal(r.failed, true);
    assert.ok(!r.stdout.includes('done'));
    await new Promise((res) => setTimeout(res, 2500));
    assert.equal(existsSync(marker), false, 'the grandchild kept running after the timeout');
  });
});
