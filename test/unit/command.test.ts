// Shell quoting (shQuote, shJoin, remoteCommandLine): exact outputs, and real round trips through sh with hostile words.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { command, remoteCommandLine, shJoin, shQuote } from '../../src/core/command.js';

describe('shQuote', () => {
  test('leaves safe words bare', () => {
    assert.equal(shQuote('abc'), 'abc');
    assert.equal(shQuote('/usr/bin/node'), '/usr/bin/node');
    assert.equal(shQuote('--port=3000'), '--port=3000');
    assert.equal(shQuote('user@host:22,a%b+c'), 'user@host:22,a%b+c');
  });

  test('quotes everything else in single quotes', () => {
    assert.equal(shQuote(''), "''");
    assert.equal(shQuote('a b'), "'a b'");
    assert.equal(shQuote('22;reboot'), "'22;reboot'");
    assert.equal(shQuote('$(touch /tmp/x)'), "'$(touch /tmp/x)'");
    assert.equal(shQuote('`id`'), "'`id`'");
    assert.equal(shQuote('a\nb'), "'a\nb'");
    assert.equal(shQuote('~'), "'~'");
    assert.equal(shQuote('*.txt'), "'*.txt'");
    assert.equal(shQuote('$HOME'), "'$HOME'");
    assert.equal(shQuote('a"b'), `'a"b'`);
    assert.equal(shQuote('back\\slash'), "'back\\slash'");
  });

  test("closes, escapes and reopens around a single quote", () => {
    assert.equal(shQuote("a'b"), "'a'\\''b'");
    assert.equal(shQuote("'"), "''\\'''");
    assert.equal(shQuote("it's $(x)"), "'it'\\''s $(x)'");
  });
});

describe('shJoin', () => {
  test('joins quoted words with single spaces', () => {
    assert.equal(shJoin(['ls', '-la', 'a b', '']), "ls -la 'a b' ''");
    assert.equal(shJoin(['echo', "a'b", '22;reboot']), "echo 'a'\\''b' '22;reboot'");
    assert.equal(shJoin([]), '');
  });
});

describe('remoteCommandLine', () => {
  test('is the joined argv when there is no environment', () => {
    assert.equal(remoteCommandLine({ argv: ['sh', '-s'], mutates: false }), 'sh -s');
    assert.equal(remoteCommandLine({ argv: ['cat', '/etc/my file'], mutates: false, env: {} }), "cat '/etc/my file'");
  });

  test('prefixes env assignments through env, each quoted as one word', () => {
    assert.equal(remoteCommandLine({ argv: ['sh', '-s'], env: { LC_ALL: 'C' }, mutates: false }), 'env LC_ALL=C sh -s');
    assert.equal(
      remoteCommandLine({ argv: ['printenv', 'A'], env: { A: 'x y', B: "it's" }, mutates: false }),
      "env 'A=x y' 'B=it'\\''s' printenv A",
    );
  });
});

describe('command()', () => {
  test('defaults to read-only and rejects an empty argv', () => {
    assert.deepEqual(command(['true']), { argv: ['true'], mutates: false });
    assert.deepEqual(command(['rm', 'x'], { mutates: true, description: 'remove x' }), { argv: ['rm', 'x'], mutates: true, description: 'remove x' });
    assert.throws(() => command([]), /argv must not be empty/);
  });
});

describe('round trip through a real sh', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dh-quote-'));
  const marker = join(dir, 'MARKER');
  const hostile = [
    '22;reboot', `$(touch ${marker})`, `\`touch ${marker}\``, "a'b", "''", 'two words', '  padded  ', '', 'line1\nline2',
    '*', '~', '$HOME', '"dq"', 'back\\slash', '!x', 'a=b', `|touch ${marker}`, `>${marker}`, '&', '--', '-n', '%s\\n', 'tab\there',
  ];

  after(() => rmSync(dir, { recursive: true, force: true }));

  test('every word comes back unchanged and nothing runs', () => {
    // NUL-separated so that empty words and newlines inside words are visible exactly.
    const line = shJoin(['sh', '-c', 'printf "%s\\0" "$@"', 'sh', ...hostile]);
    const out = execFileSync('sh', ['-c', line], { cwd: dir });
    const words = out.toString('utf8').split('\0');
    assert.equal(words.pop(), '', 'output ends with a NUL');
    assert.deepEqual(words, hostile);
    assert.equal(existsSync(marker), false, 'no command substitution or redirection ran');
    assert.deepEqual(readdirSync(dir), [], 'no file was created in the working directory');
  });

  test('env values reach the command literally through remoteCommandLine', () => {
    const value = `a'b $(touch ${marker}) "c" \\ \n end`;
    const line = remoteCommandLine({ argv: ['sh', '-c', 'printf "%s" "$DH_VALUE"'], env: { DH_VALUE: value }, mutates: false });
    const out = execFileSync('sh', ['-c', line], { cwd: dir, encoding: 'utf8' });
    assert.equal(out, value);
    assert.equal(existsSync(marker), false);
  });
});
