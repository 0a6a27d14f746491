// Redactor: every registered secret masked everywhere (longest first, deep in objects, in quoted forms); short values refused.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { shJoin } from '../../src/core/command.js';
import { MASK, Redactor } from '../../src/core/redact.js';

describe('Redactor.add', () => {
  test('refuses values shorter than 4 characters and undefined', () => {
    const r = new Redactor();
    r.add('abc', '', undefined, '  ab  ');
    assert.equal(r.size, 1, 'only the padded value itself is long enough');
    assert.equal(r.mask('abc ab x'), 'abc ab x');
  });

  test('registers the trimmed value too', () => {
    const r = new Redactor();
    r.add('  hunter22\n');
    assert.equal(r.mask('password=hunter22;'), `password=${MASK};`);
  });
});

describe('Redactor.mask', () => {
  test('returns text unchanged with no secrets', () => {
    assert.equal(new Redactor().mask('nothing to hide'), 'nothing to hide');
  });

  test('masks every occurrence', () => {
    const r = new Redactor();
    r.add('s3cr3t');
    assert.equal(r.mask('s3cr3t and s3cr3ts3cr3t, again s3cr3t'), '*** and ******, again ***');
  });

  test('masks the longest secret first so a secret containing another is masked whole', () => {
    const r = new Redactor();
    r.add('abcd', 'abcdefgh');
    assert.equal(r.mask('abcdefgh|abcd'), '***|***');
    const r2 = new Redactor();
    r2.add('abcdefgh', 'abcd');
    assert.equal(r2.mask('xabcdefghx'), 'x***x', 'registration order does not matter');
  });

  test('per-call extra values are masked, short ones ignored', () => {
    const r = new Redactor();
    assert.equal(r.mask('tok=one-time-token x=ab', ['one-time-token', 'ab']), 'tok=*** x=ab');
  });

  test('masks a secret with a single quote inside a shell-quoted command line', () => {
    const r = new Redactor();
    r.add("it's-a-secret");
    const line = shJoin(['mysql', "--password=it's-a-secret"]);
    assert.ok(!line.includes("it's-a-secret"), 'quoting changes the secret text');
    assert.equal(r.mask(line), `mysql '--password=${MASK}'`);
  });
});

describe('Redactor.maskDeep', () => {
  test('masks strings at any depth and keeps everything else', () => {
    const r = new Redactor();
    r.add('canary-1234');
    const value = {
      a: 'x canary-1234 y',
      nested: { list: ['canary-1234', 42, null, true, { deep: 'pre-canary-1234-post' }], n: 7 },
      untouched: 'plain',
    };
    const masked = r.maskDeep(value);
    assert.deepEqual(masked, {
      a: `x ${MASK} y`,
      nested: { list: [MASK, 42, null, true, { deep: `pre-${MASK}-post` }], n: 7 },
      untouched: 'plain',
    });
    assert.equal(value.a, 'x canary-1234 y', 'the input is not mutated');
  });

  test('masks object keys too', () => {
    const r = new Redactor();
    r.add('canary-key');
    assert.deepEqual(r.maskDeep({ 'canary-key': 1 }), { [MASK]: 1 });
  });

  test('with no secrets returns the value as is', () => {
    const v = { a: 'b' };
    assert.equal(new Redactor().maskDeep(v), v);
  });

  test('masks secrets with quotes and backslashes (characters JSON escapes)', () => {
    const r = new Redactor();
    const secret = 'pa"ss\\wo\nrd';
    r.add(secret);
    const masked = r.maskDeep({ s: `before ${secret} after`, list: [secret] });
    assert.deepEqual(masked, { s: `before ${MASK} after`, list: [MASK] });
    assert.ok(!JSON.stringify(masked).includes(JSON.stringify(secret).slice(1, -1)));
  });

  test('a secret that looks like JSON syntax or a number neither corrupts nor throws', () => {
    const r = new Redactor();
    r.add('1234', 'null', '":"x');
    const masked = r.maskDeep({ port: 1234, value: null, s: 'pin 1234, null', q: 'a":"xb' });
    assert.deepEqual(masked, { port: 1234, value: null, s: `pin ${MASK}, ${MASK}`, q: `a${MASK}b` });
  });
});
