// The verifier's verdict rule: VERIFIED only with no failure, no required unknown, and a real user path exercised.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Finding } from '../../src/report/common.js';
import { decide } from '../../src/stages/verify/index.js';

const f = (section: string, status: Finding['status'], required = true, summary = section): Finding => ({ id: `${section}.x`, section, title: section, status, required, summary });

test('all pass with a passing smoke check → VERIFIED', () => {
  assert.deepEqual(decide([f('process', 'pass'), f('http', 'pass'), f('smoke', 'pass'), f('tls', 'skipped', false)]), { verdict: 'VERIFIED', reasons: [], userPath: true });
});

test('health 200 but a core API fails → FAILED naming it', () => {
  const d = decide([f('http', 'pass'), f('smoke', 'pass', true, 'GET / 200'), f('smoke', 'fail', true, 'GET /api/items: [STATUS] (500) == 200')]);
  assert.equal(d.verdict, 'FAILED');
  assert.deepEqual(d.reasons, ['smoke: GET /api/items: [STATUS] (500) == 200']);
});

test('a required fact that could not be checked is not a pass; an optional unknown is', () => {
  assert.equal(decide([f('smoke', 'pass'), f('process', 'unknown', true)]).verdict, 'FAILED');
  assert.equal(decide([f('smoke', 'pass'), f('deps', 'unknown', false)]).verdict, 'VERIFIED');
});

test('no user path exercised (port listening, process up, no smoke pass) → FAILED', () => {
  const d = decide([f('process', 'pass'), f('port', 'pass'), f('smoke', 'skipped')]);
  assert.equal(d.verdict, 'FAILED');
  assert.match(d.reasons.join(), /no real user path/);
});

test('logs with a blocking error fail even when HTTP passes', () => {
  assert.equal(decide([f('http', 'pass'), f('smoke', 'pass'), f('logs', 'fail', true, 'EADDRINUSE x3')]).verdict, 'FAILED');
});
