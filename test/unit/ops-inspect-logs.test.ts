// ops inspect's log anomalies: the normaliser, line splitting per source, severity from the verify catalogue, grouping with first/last seen.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { groupPatterns, normalisePattern, patternId, severityOf, splitLogLine } from '../../src/stages/operate/inspect/log-anomalies.js';
import type { LogSource } from '../../src/stages/verify/checks/logs.js';

const CANARY = 'canary-Lq8Zt3Wv9';
const same = (s: string): string => s;

function source(kind: string, name: string, lines: string[], problem: string | null = null): LogSource {
  return { kind, name, lines, rc: problem ? 1 : 0, problem };
}

describe('normalisePattern', () => {
  it('replaces numbers, hex ids, uuids, addresses, quoted values and timestamps', () => {
    assert.equal(normalisePattern('request 4711 took 35.2 ms'), 'request <n> took <n> ms');
    assert.equal(normalisePattern('user 3f2a9c1e-77b0-4d2e-9a51-0c3e5f6a7b8c not found'), 'user <uuid> not found');
    assert.equal(normalisePattern('commit deadbeef1234 and object 0x7ffd3a10'), 'commit <hex> and object <hex>');
    assert.equal(normalisePattern('connect ECONNREFUSED 10.0.3.7:5432'), 'connect ECONNREFUSED <ip>');
    assert.equal(normalisePattern('peer ::1 and fe80::1:2 left'), 'peer <ip> and <ip> left');
    assert.equal(normalisePattern('no such key "orders:2026:17" in \'cache-eu\''), 'no such key "<str>" in \'<str>\'');
    assert.equal(normalisePattern('job started at 2026-12-01T14:00:02.123Z, retry at 14:05:00'), 'job started at <time>, retry at <time>');
    assert.equal(normalisePattern('mail to ops@example.com bounced'), 'mail to <email> bounced');
    assert.equal(normalisePattern('worker-3 of node18   exited'), 'worker-<n> of node<n> exited');
  });

  it('two lines that differ only in variable parts give one pattern (and one id)', () => {
    const a = normalisePattern('GET /api/items/123 from 192.168.1.20 failed after 503 ms');
    const b = normalisePattern('GET /api/items/98765 from 10.1.1.1 failed after 12 ms');
    assert.equal(a, b);
    assert.equal(patternId(a), patternId(b));
    assert.match(patternId(a), /^[0-9a-f]{10}$/);
  });

  it('drops secret values: after secret-looking keys, in URL credentials, bearer tokens, long tokens', () => {
    const lines = [
      `login failed password=${CANARY} for bob`,
      `config: api_key: ${CANARY}`,
      `connect postgres://app:${CANARY}@db.internal:5432/app refused`,
      `Authorization: Bearer ${CANARY}.abc`,
      `session token ${CANARY}Xy7ZzQ3Wq9Lm2Nn8Pp4Rr`,
      `token="${CANARY}" rejected`,
    ];
    for (const l of lines) {
      const p = normalisePattern(l);
      assert.ok(!p.includes(CANARY) && !p.includes('Lq8Zt3Wv9'), `${l} → ${p}`);
    }
    assert.equal(normalisePattern(`login failed password=${CANARY} for bob`), 'login failed password=<secret> for bob');
    assert.equal(normalisePattern(`connect postgres://app:${CANARY}@db.internal:5432/app refused`), 'connect postgres://<user>:<secret>@db.internal:<n>/app refused');
  });

  it('bounds the pattern length', () => {
    assert.ok(normalisePattern('x'.repeat(1000)).length <= 240);
  });
});

describe('splitLogLine', () => {
  it('journal short-iso: time and the identifier (without PID) kept before the message', () => {
    const r = splitLogLine('journal', '2026-12-01T14:00:02+0000 web1 api[812]: ready check failed: boom');
    assert.equal(r.text, 'api: ready check failed: boom');
    assert.equal(r.at, Date.parse('2026-12-01T14:00:02Z'));
  });
  it('docker --timestamps and pm2 log_date_format prefixes', () => {
    assert.deepEqual(splitLogLine('container', '2026-12-01T14:00:02.123456789Z listening'), { at: Date.parse('2026-12-01T14:00:02.123Z'), text: 'listening' });
    assert.deepEqual(splitLogLine('file', '2026-12-01T14:00:02.123+01:00: listening'), { at: Date.parse('2026-12-01T13:00:02.123Z'), text: 'listening' });
    assert.deepEqual(splitLogLine('file', '    at Object.<anonymous> (/srv/x.js:1:1)'), { at: null, text: '    at Object.<anonymous> (/srv/x.js:1:1)' });
  });
});

describe('severityOf', () => {
  it('takes the verify catalogue where a specific entry matches: blocking is critical, observe is warning', () => {
    assert.deepEqual(severityOf('Error: listen EADDRINUSE: address already in use :::3000', ''), { severity: 'critical', catalogue: 'address-in-use' });
    assert.deepEqual(severityOf('connect ECONNREFUSED 127.0.0.1:5432', ''), { severity: 'warning', catalogue: 'connection-refused' });
  });
  it('else the words of the pattern: error words, warnings, the rest info', () => {
    const s = (t: string): string => severityOf(t, normalisePattern(t)).severity;
    assert.equal(s('ready check failed: Connection terminated unexpectedly'), 'error');
    assert.deepEqual(severityOf('ERROR payment 17 declined', normalisePattern('ERROR payment 17 declined')), { severity: 'error', catalogue: 'error' });
    assert.equal(s('warning: DATABASE_URL is not set'), 'warning');
    assert.equal(s('listening on port 3000'), 'info');
    // A word inside a quoted value is a value, not the line's level.
    assert.equal(s('saved note "error handling"'), 'info');
  });
});

describe('groupPatterns', () => {
  it('counts per pattern across sources, with first and last seen, worst and most frequent first', () => {
    const journal = source('journal', 'api.service', [
      '2026-12-01T14:00:00+0000 web1 api[1]: listening on port 3000',
      '2026-12-01T14:00:05+0000 web1 api[1]: ready check failed: connect ECONNREFUSED 127.0.0.1:5432',
      '2026-12-01T14:00:09+0000 web1 api[1]: ready check failed: connect ECONNREFUSED 127.0.0.1:5432',
      '2026-12-01T14:01:00+0000 web1 api[1]: Error: listen EADDRINUSE: address already in use :::3000',
    ]);
    const { patterns, lines } = groupPatterns([journal, source('journal', 'x', ['unread'], 'denied')], null, same);
    assert.equal(lines, 4);
    assert.deepEqual(patterns.map((p) => [p.severity, p.count, p.pattern]), [
      ['critical', 1, 'api: Error: listen EADDRINUSE: address already in use :::<n>'],
      ['warning', 2, 'api: ready check failed: connect ECONNREFUSED <ip>'],
      ['info', 1, 'api: listening on port <n>'],
    ]);
    const refused = patterns[1];
    assert.equal(refused?.firstSeen, '2026-12-01T14:00:05.000Z');
    assert.equal(refused?.lastSeen, '2026-12-01T14:00:09.000Z');
    assert.equal(refused?.source, 'journal api.service');
  });

  it('pm2 files (shared by releases) keep only the window; undated continuation lines take the time above', () => {
    const file = source('file', '/opt/api/shared/logs/api.err.log', [
      '2026-12-01T13:00:00.000+00:00: old failure from the previous hour',
      '2026-12-01T14:00:01.000+00:00: Error: boom 1',
      '    at handler (/opt/api/current/server.js:10:5)',
    ]);
    const { patterns } = groupPatterns([file], Date.parse('2026-12-01T13:30:00Z'), same);
    assert.deepEqual(patterns.map((p) => p.pattern).sort(), ['Error: boom <n>', 'at handler (/opt/api/current/server.js:<n>:<n>)'].sort());
    assert.equal(patterns.find((p) => p.pattern.startsWith('at '))?.firstSeen, '2026-12-01T14:00:01.000Z');
  });

  it('masks registered secrets before normalising (afterwards their digits would be <n> and no longer match)', () => {
    const mask = (s: string): string => s.split(CANARY).join('***');
    const { patterns } = groupPatterns([source('journal', 'api.service', [`2026-12-01T14:00:00+0000 web1 api[1]: upstream answered ${CANARY} with 500`])], null, mask);
    assert.deepEqual(patterns.map((p) => p.pattern), ['api: upstream answered *** with <n>']);
    const unmasked = groupPatterns([source('journal', 'api.service', [`2026-12-01T14:00:00+0000 web1 api[1]: upstream answered ${CANARY} with 500`])], null, same);
    assert.deepEqual(unmasked.patterns.map((p) => p.pattern), ['api: upstream answered canary-Lq<n>Zt<n>Wv<n> with <n>'], 'why the order matters');
  });
});
