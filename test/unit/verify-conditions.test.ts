// The smoke-check condition language: parsing (with column-accurate errors) and typed evaluation with shown values.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ConditionSyntaxError, evaluateCondition, parseCondition, type ConditionResponse } from '../../src/stages/verify/conditions/index.js';
import { Redactor } from '../../src/core/redact.js';

const body = {
  status: 'ok', items: [1, 2, 3], empty: [], nothing: null, blank: '', count: 7, flag: true, text: '12',
  a: { b: [{ c: 'deep' }, { c: null }] }, 'odd key': 'x', db: { ok: true, latency: 4.5 }, tags: ['blue', 'green'],
};
const res = (over: Partial<ConditionResponse> = {}): ConditionResponse => ({
  status: 200, headers: { 'content-type': 'application/json; charset=utf-8', 'content-length': '120', 'x-version': 'v1.2.3' },
  body: JSON.stringify(body), bodyBytes: 120, responseTimeMs: 42, ...over,
});

const evalOn = (src: string, r: ConditionResponse = res()) => evaluateCondition(parseCondition(src), r);

describe('conditions that hold / fail', () => {
  const cases: [string, boolean, ConditionResponse?][] = [
    ['[STATUS] == 200', true],
    ['[STATUS] != 200', false],
    ['[STATUS] < 400', true],
    ['[STATUS] >= 500', false],
    ['[STATUS] == 502', true, res({ status: 502 })],
    ['[BODY].status == "ok"', true],
    ["[BODY].status == 'ok'", true],
    ['[BODY].status != "down"', true],
    ['[BODY].items | len > 0', true],
    ['[BODY].items | len == 3', true],
    ['[BODY].empty | len == 0', true],
    ['[BODY].status | len == 2', true],
    ['[BODY].db | len == 2', true],
    ['[HEADER].content-type contains "json"', true],
    ['[HEADER].Content-Type contains "json"', true],
    ['[HEADER].content-type contains "xml"', false],
    ['[HEADER].content-length > 100', true],
    ['[HEADER].content-length == 120', true],
    ['[HEADER].x-version matches /^v1\\./', true],
    ['[RESPONSE_TIME] < 300ms', true],
    ['[RESPONSE_TIME] < 1s', true],
    ['[RESPONSE_TIME] > 40ms', true],
    ['[RESPONSE_TIME] < 10ms', false],
    ['[RESPONSE_TIME] < 300', true],
    ['[BODY] matches /ok/', true],
    ['[BODY] matches /"STATUS"/i', true],
    ['[BODY] contains "deep"', true],
    ['[BODY] matches "st.tus"', true],
    ['[BODY].a.b[0].c == "deep"', true],
    ['[BODY].a.b[1].c == null', true],
    ['[BODY].nothing == null', true],
    ['[BODY].blank == ""', true],
    ['[BODY].blank == null', false],
    ['[BODY].nothing == ""', false],
    ['[BODY].count == 7', true],
    ['[BODY].count == "7"', false],
    ['[BODY].text == 12', false],
    ['[BODY].flag == true', true],
    ['[BODY].flag == false', false],
    ['[BODY].db.ok == true and [BODY].db.latency < 10', true],
    ['[BODY]."odd key" == "x"', true],
    ['[BODY].tags contains "green"', true],
    ['[BODY].tags contains "red"', false],
    ['[BODY].items contains 2', true],
    ['[BODY].db contains "ok"', true],
    ['[BODY].db contains "nope"', false],
    ['[BODY].a == [BODY].a', true],
    ['[STATUS] == 200 and [BODY].status == "ok"', true],
    ['[STATUS] == 500 or [BODY].status == "ok"', true],
    ['[STATUS] == 500 or [BODY].status == "down"', false],
    ['not [STATUS] == 500', true],
    ['not not [STATUS] == 200', true],
    ['not ([STATUS] == 200 and [BODY].count > 100)', true],
    ['([STATUS] == 500 or [STATUS] == 200) and [BODY].count >= 7', true],
    ['[STATUS] == 500 or [STATUS] == 404 and [STATUS] == 200', false],
    ['[STATUS] == 200 or [STATUS] == 404 and [STATUS] == 500', true],
    ['[STATUS]==200', true],
    ['[STATUS] == 200 AND [BODY].count == 7', true],
    ['-1 < [BODY].count', true],
    ['[BODY].db.latency == 4.5', true],
  ];
  for (const [src, ok, r] of cases) {
    test(`${src} → ${ok ? 'holds' : 'fails'}`, () => {
      const out = evalOn(src, r);
      assert.equal(out.error, undefined, out.error);
      assert.equal(out.ok, ok, out.shown);
    });
  }
});

describe('shown values', () => {
  test('a failed status condition shows the resolved status', () => {
    assert.equal(evalOn('[STATUS] == 200', res({ status: 502 })).shown, '[STATUS] (502) == 200');
  });
  test('JSON values, lengths, headers and durations are shown in place', () => {
    assert.equal(evalOn('[BODY].status == "down"').shown, '[BODY].status ("ok") == "down"');
    assert.equal(evalOn('[BODY].items | len > 5').shown, '[BODY].items | len (3) > 5');
    assert.equal(evalOn('[HEADER].content-type contains "xml"').shown, '[HEADER].content-type ("application/json; charset=utf-8") contains "xml"');
    assert.equal(evalOn('[RESPONSE_TIME] < 10ms').shown, '[RESPONSE_TIME] (42ms) < 10ms');
  });
  test('combined conditions show each side, with parentheses where precedence needs them', () => {
    assert.equal(evalOn('([STATUS] == 500 or [STATUS] == 404) and [BODY].count > 1').shown, '([STATUS] (200) == 500 or [STATUS] (200) == 404) and [BODY].count (7) > 1');
    assert.equal(evalOn('not ([STATUS] == 200 and [BODY].count == 7)').shown, 'not ([STATUS] (200) == 200 and [BODY].count (7) == 7)');
  });
  test('long values are cut', () => {
    const out = evalOn('[BODY] == "x"', res({ body: 'y'.repeat(500) }));
    assert.ok(out.shown.length < 120, out.shown);
    assert.match(out.shown, /…/);
  });
  test('secrets in resolved values are masked', () => {
    const red = new Redactor();
    red.add('s3cr3t-token');
    const r = res({ body: JSON.stringify({ token: 's3cr3t-token' }), headers: { 'x-auth': 'Bearer s3cr3t-token' } });
    const a = evaluateCondition(parseCondition('[BODY].token == "other"'), r, (s) => red.mask(s));
    assert.equal(a.shown, '[BODY].token ("***") == "other"');
    const b = evaluateCondition(parseCondition('[HEADER].x-auth contains "nope"'), r, (s) => red.mask(s));
    assert.doesNotMatch(b.shown, /s3cr3t/);
    const c = evaluateCondition(parseCondition('[BODY].token > 1'), r, (s) => red.mask(s));
    assert.doesNotMatch(c.error ?? '', /s3cr3t/);
  });
});

describe('missing paths, null and empty are different', () => {
  const missing: [string, RegExp][] = [
    ['[BODY].x == 1', /path \.x not found/],
    ['[BODY].a.x == 1', /path \.a\.x not found/],
    ['[BODY].items[5] == 1', /path \.items\[5\] not found \(\.items has 3 items\)/],
    ['[BODY].status.x == 1', /path \.status\.x not found \(\.status is a string\)/],
    ['[BODY].nothing.x == 1', /path \.nothing\.x not found \(\.nothing is null\)/],
    ['[BODY].a[0] == 1', /path \.a\[0\] not found \(\.a is an object, not a list\)/],
    ['[HEADER].x-missing contains "a"', /header x-missing not present/],
    ['[BODY].x | len > 0', /path \.x not found/],
  ];
  for (const [src, re] of missing) {
    test(`${src} fails (not an error) with the path named`, () => {
      const out = evalOn(src);
      assert.equal(out.ok, false);
      assert.equal(out.error, undefined);
      assert.match(out.shown, re);
    });
  }
  test('not cannot turn a missing path into a pass', () => {
    const out = evalOn('not [BODY].x == 1');
    assert.equal(out.ok, false);
    assert.match(out.shown, /path \.x not found/);
  });
  test('or with a missing side still holds when the other side holds', () => {
    assert.equal(evalOn('[BODY].x == 1 or [STATUS] == 200').ok, true);
    assert.equal(evalOn('[BODY].x == 1 and [STATUS] == 200').ok, false);
  });
  test('a body that is not JSON fails JSON paths with that reason', () => {
    const out = evalOn('[BODY].status == "ok"', res({ body: '<html>ok</html>' }));
    assert.equal(out.ok, false);
    assert.match(out.shown, /body is not JSON/);
    assert.match(evalOn('[BODY].a == 1', res({ body: '{"a":', truncated: true })).shown, /cut at the read limit/);
  });
  test('a body that is not UTF-8 is named by its size', () => {
    const out = evalOn('[BODY] contains "x"', res({ body: null, bodyBytes: 2048 }));
    assert.equal(out.ok, false);
    assert.match(out.shown, /not UTF-8 text \(2048 bytes\)/);
  });
});

describe('type errors are errors, never coercions', () => {
  const errors: [string, RegExp][] = [
    ['[BODY].status > 3', /">" needs numbers, but \[BODY\]\.status is a string \("ok"\)/],
    ['[BODY].nothing < 3', /"<" needs numbers, but \[BODY\]\.nothing is null/],
    ['[BODY].blank >= 0', /">=" needs numbers, but \[BODY\]\.blank is a string/],
    ['[BODY].text > 3', /needs numbers/],
    ['[STATUS] < "400"', /needs numbers, but "400" \(a string\)/],
    ['[BODY].flag > 0', /is a boolean/],
    ['[HEADER].x-version > 1', /needs numbers, but \[HEADER\]\.x-version is a string \("v1\.2\.3"\)/],
    ['[BODY].count | len > 0', /"\| len" needs text, a list or an object, but \[BODY\]\.count is a number \(7\)/],
    ['[STATUS] contains "2"', /"contains" needs text, a list or an object on the left, not \[STATUS\] is a number/],
    ['[BODY].status contains 1', /"contains" on text needs a "string" on the right/],
    ['[STATUS] matches /2../', /"matches" needs text on the left/],
    ['[BODY] matches "("', /invalid pattern/],
    ['[BODY].status == /ok/', /a \/regex\/ goes with "matches"/],
  ];
  for (const [src, re] of errors) {
    test(`${src} → error`, () => {
      const out = evalOn(src);
      assert.equal(out.ok, false);
      assert.match(out.error ?? '(no error)', re);
    });
  }
  test('an error wins over a passing other side (a broken check must surface)', () => {
    const out = evalOn('[STATUS] == 200 or [BODY].status > 1');
    assert.equal(out.ok, false);
    assert.ok(out.error);
  });
});

describe('malformed conditions name the column and what was expected', () => {
  const bad: [string, number, RegExp][] = [
    ['', 1, /expected a condition/],
    ['   ', 1, /expected a condition/],
    ['[STATUS]', 9, /expected an operator \(==, !=, <, <=, >, >=, contains or matches\), found the end/],
    ['[STATUS] ==', 12, /expected a value .* found the end of the condition/],
    ['[STATUS] = 200', 10, /single "=" is not an operator/],
    ['[STATUS] === 200', 12, /expected a value .* found "="|single "="/],
    ['STATUS == 200', 1, /placeholders are written in brackets: \[STATUS\]/],
    ['[BODY].status == ok', 18, /strings are quoted/],
    ['[STATS] == 200', 1, /expected a placeholder: \[STATUS\], \[BODY\], \[HEADER\]\.name or \[RESPONSE_TIME\], found \[STATS\]/],
    ['([STATUS] == 200', 17, /expected "\)" to close the "\(" at column 1/],
    ['[STATUS] == 200)', 16, /this "\)" has no matching "\("/],
    ['()', 2, /a condition inside "\( \)"/],
    ['[STATUS] == 200 and', 20, /expected a value/],
    ['[STATUS] == 200 [BODY] == 1', 17, /expected "and", "or" or the end/],
    ['[STATUS] == 200 && [BODY] == 1', 17, /"&&" is not part of the language/],
    ['[STATUS] == 200 || [BODY] == 1', 17, /"\|\|" is not part of the language/],
    ['[BODY] matches /(/', 16, /expected a valid regular expression, found \/\(\/ \(Unterminated group\)/],
    ['[BODY] matches /ok', 16, /unclosed regex/],
    ['[BODY] matches /ok/gx', 20, /regex flags among i, m, s, u/],
    ['[BODY] matches 200', 16, /a \/regex\/ \(or a "string" pattern\) after matches/],
    ['[BODY].status == "ok', 18, /unclosed string/],
    ['[BODY]. == 1', 9, /a key after "\."/],
    ['[BODY].items | length > 0', 16, /"length"/],
    ['[BODY].items | > 0', 16, /"len" after "\|"/],
    ['[RESPONSE_TIME] < 300sec', 22, /a duration unit \(ms, s, m\)/],
    ['[STATUS].code == 1', 9, /\[STATUS\] has no fields/],
    ['[HEADER] == "x"', 10, /"\.name" after \[HEADER\]/],
    ['[BODY][x] == 1', 7, /an array index like \[0\]/],
    ['[BODY == 1', 1, /\[BODY == 1\]|placeholder|closing/],
    ['[STATUS] == 200 and not', 24, /expected a value/],
    ['"a\\q" == "a"', 3, /an escape among/],
    ['[STATUS] ! 200', 10, /"!="/],
    ['[STATUS] @ 200', 10, /expected a value, an operator/],
  ];
  for (const [src, col, re] of bad) {
    test(`${JSON.stringify(src)} → column ${col}`, () => {
      assert.throws(() => parseCondition(src), (e: unknown) => {
        assert.ok(e instanceof ConditionSyntaxError, String(e));
        assert.match(e.message, re);
        assert.equal(e.position, col, e.message);
        assert.match(e.message, new RegExp(`^column ${col}: expected `));
        return true;
      });
    });
  }
});

describe('parse tree', () => {
  test('and binds tighter than or; not binds tighter than and', () => {
    const ast = parseCondition('not [STATUS] == 1 or [STATUS] == 2 and [STATUS] == 3');
    assert.equal(ast.type, 'or');
    if (ast.type !== 'or') return;
    assert.equal(ast.left.type, 'not');
    assert.equal(ast.right.type, 'and');
  });
  test('paths, headers and len are read into the operand', () => {
    const ast = parseCondition('[BODY].a.b[0]."c d" | len > 0');
    assert.equal(ast.type, 'compare');
    if (ast.type !== 'compare' || ast.left.type !== 'ref') return assert.fail('expected a comparison of a ref');
    assert.deepEqual(ast.left.path, [{ key: 'a' }, { key: 'b' }, { index: 0 }, { key: 'c d' }]);
    assert.equal(ast.left.len, true);
    assert.equal(ast.left.text, '[BODY].a.b[0]."c d" | len');
    const h = parseCondition('[HEADER].X-Request-Id != ""');
    assert.ok(h.type === 'compare' && h.left.type === 'ref' && h.left.header === 'x-request-id');
  });
  test('keys that look like words or numbers are keys after a dot', () => {
    assert.equal(evalOn('[BODY].len == 1', res({ body: '{"len":1}' })).ok, true);
    assert.equal(evalOn('[BODY].0 == "z"', res({ body: '{"0":"z"}' })).ok, true);
    assert.equal(evalOn('[BODY].and.or == true', res({ body: '{"and":{"or":true}}' })).ok, true);
  });
  test('durations are in milliseconds', () => {
    const ast = parseCondition('[RESPONSE_TIME] < 2s');
    assert.ok(ast.type === 'compare' && ast.right.type === 'literal' && ast.right.literal.kind === 'duration' && ast.right.literal.ms === 2000);
  });
});
