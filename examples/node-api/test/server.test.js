'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { once } = require('node:events');
const { start } = require('../server.js');
const pkg = require('../package.json');

let instance;
let base;

before(async () => {
  delete process.env.DATABASE_URL;
  delete process.env.APP_VERSION;
  delete process.env.GIT_COMMIT;
  instance = start({ port: 0, host: '127.0.0.1' });
  await once(instance.server, 'listening');
  base = `http://127.0.0.1:${instance.server.address().port}`;
});

after(async () => {
  await instance.close();
});

test('GET /health answers without a database', async () => {
  const res = await fetch(`${base}/health`);
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { status: 'ok' });
});

test('GET /version reports the package version', async () => {
  const res = await fetch(`${base}/version`);
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { version: pkg.version, commit: null });
});

test('GET /ready is 503 without a database', async () => {
  const res = await fetch(`${base}/ready`);
  assert.equal(res.status, 503);
});
