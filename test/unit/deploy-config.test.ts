// deckhand.yml from a brief (`deckhand init`): explicit settings that validate, no secret values, production install left to deploy.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { configFromBrief, renderConfig } from '../../src/config/from-brief.js';
import { parseConfig } from '../../src/config/load.js';
import type { BriefData } from '../../src/report/brief.js';

const fact = <T>(value: T) => ({ value, source: 'build-file' as const, confidence: 'high' as const, evidence: [], detector: 't' });

test('init: name, strategy, port, health, build/start; required env only named in a comment', () => {
  const brief = {
    app: '@acme/Orders', root: '.', appDir: '', strategy: 'systemd', port: fact(8080), health: [fact('/healthz')],
    commands: { install: fact({ command: 'npm ci', production: true }), build: fact({ command: 'npm run build', production: true }), start: fact({ command: 'node dist/server.js', production: true }), dev: null, test: null, migrate: null, release: null },
    envVars: [{ name: 'DATABASE_URL', required: true, secret: false, buildTime: false, hasExample: false, sources: [], evidence: [] }],
  } as unknown as BriefData;
  const cfg = configFromBrief(brief);
  assert.deepEqual(cfg, { app: 'orders', strategy: 'systemd', port: 8080, health: '/healthz', commands: { build: 'npm run build', start: 'node dist/server.js' }, keep: 5 });
  const text = renderConfig(cfg, brief);
  assert.deepEqual(parseConfig(text, 'deckhand.yml'), cfg, 'what init writes is what deploy reads');
  assert.match(text, /# The app reads DATABASE_URL with no default/);
});

test('a dev-only start is not written as the production start', () => {
  const brief = { app: 'web', root: '.', appDir: '', strategy: null, port: null, health: [], envVars: [],
    commands: { install: null, build: null, start: fact({ command: 'next dev', production: false }), dev: null, test: null, migrate: null, release: null } } as unknown as BriefData;
  assert.deepEqual(configFromBrief(brief), { app: 'web', keep: 5 });
});
