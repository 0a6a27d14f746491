// Durations from flags and deckhand.yml: the accepted forms, the bare-number rule, and the error that names the flag.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDuration } from '../../src/core/units.js';
import { configDuration } from '../../src/stages/deploy/spec.js';
import { DeckhandError } from '../../src/core/errors.js';

describe('parseDuration', () => {
  test('reads each unit', () => {
    assert.equal(parseDuration('500ms'), 500);
    assert.equal(parseDuration('30s'), 30_000);
    assert.equal(parseDuration('2m'), 120_000);
    assert.equal(parseDuration('2h'), 7_200_000);
    assert.equal(parseDuration('15d'), 1_296_000_000);
    assert.equal(parseDuration(' 1.5S '), 1500);
  });

  test('refuses a bare number unless the flag names its unit', () => {
    assert.throws(() => parseDuration('10', '--window'), (e: unknown) => e instanceof DeckhandError && e.kind === 'usage' && e.message === 'invalid --window "10"');
    assert.equal(parseDuration('10', '--window', 's'), 10_000);
    assert.equal(parseDuration('10ms', '--window', 's'), 10);
  });

  test('says what was wrong and how to write it', () => {
    assert.throws(() => parseDuration('ten seconds', '--window', 's'), (e: unknown) => e instanceof DeckhandError
      && e.message === 'invalid --window "ten seconds"' && /500ms, 30s, 5m.*a bare number is in s/.test(e.hint ?? ''));
    assert.throws(() => parseDuration('5x'), /invalid duration "5x"/);
  });
});

describe('configDuration', () => {
  test('reads the forms deckhand.yml accepts, and the default when unset', () => {
    assert.equal(configDuration('500ms', 'start_timeout', 30_000), 500);
    assert.equal(configDuration('45s', 'start_timeout', 30_000), 45_000);
    assert.equal(configDuration('2m', 'blue_green.drain', 10_000), 120_000);
    assert.equal(configDuration(undefined, 'blue_green.drain', 10_000), 10_000);
  });

  test('names the key of a value that is not a duration', () => {
    assert.throws(() => configDuration('soon', 'pm2.kill_timeout', 10_000), /invalid pm2\.kill_timeout "soon"/);
  });
});
