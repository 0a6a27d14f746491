'use strict';

const express = require('express');
const { Pool } = require('pg');
const pkg = require('./package.json');

const SHUTDOWN_TIMEOUT_MS = 10_000;
const CLUSTER_LINGER_MS = 500;

function createApp({ pool } = {}) {
  const app = express();
  app.disable('x-powered-by');

  function requirePool(res) {
    if (pool) return pool;
    res.status(503).json({ status: 'unavailable', error: 'DATABASE_URL is not set' });
    return null;
  }

  // Liveness: never touches the database.
  app.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });

  // Readiness: the database must answer.
  app.get('/ready', async (_req, res) => {
    const db = requirePool(res);
    if (!db) return;
    try {
      await db.query('SELECT 1');
      res.json({ status: 'ready' });
    } catch (err) {
      // Logged, not only answered: the operator reading the logs must see why the app is not ready.
      console.error(`ready check failed: ${err.message}`);
      res.status(503).json({ status: 'unavailable', error: err.message });
    }
  });

  app.get('/version', (_req, res) => {
    res.json({
      version: process.env.APP_VERSION || pkg.version,
      commit: process.env.GIT_COMMIT || null,
    });
  });

  app.get('/api/items', async (_req, res) => {
    const db = requirePool(res);
    if (!db) return;
    try {
      await db.query(
        'CREATE TABLE IF NOT EXISTS items (id serial PRIMARY KEY, name text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())',
      );
      const { rows } = await db.query('SELECT id, name, created_at FROM items ORDER BY id');
      res.json({ items: rows });
    } catch (err) {
      res.status(503).json({ error: err.message });
    }
  });

  return app;
}

function start({ port = process.env.PORT || 3000, host } = {}) {
  const databaseUrl = process.env.DATABASE_URL;
  let pool = null;
  if (databaseUrl) {
    pool = new Pool({ connectionString: databaseUrl, connectionTimeoutMillis: 5_000 });
    // An idle client losing its connection must not crash the process.
    pool.on('error', (err) => console.error(`postgres pool error: ${err.message}`));
  } else {
    console.warn('warning: DATABASE_URL is not set; /ready and /api/items will answer 503');
  }

  const app = createApp({ pool });
  const server = app.listen(Number(port), host);
  server.on('listening', () => {
    const addr = server.address();
    console.log(`node-api ${process.env.APP_VERSION || pkg.version} listening on port ${addr.port}`);
  });

  let closing = null;
  // While closing, answers carry `Connection: close`: a keep-alive client moves to another instance instead of
  // sending its next request on a socket that is about to close.
  server.prependListener('request', (_req, res) => {
    if (closing) res.setHeader('Connection', 'close');
  });
  function close() {
    if (closing) return closing;
    closing = new Promise((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections?.();
    }).then(() => (pool ? pool.end() : undefined));
    return closing;
  }

  return { app, server, pool, close };
}

if (require.main === module) {
  const { server, close } = start();
  // Readiness for a process manager (pm2 wait_ready): sent once the server listens; a reload stops the old
  // instance only after this.
  server.once('listening', () => {
    if (process.send) process.send('ready');
  });
  for (const signal of ['SIGTERM', 'SIGINT']) {
    process.once(signal, () => {
      console.log(`${signal} received, shutting down`);
      const timer = setTimeout(() => {
        console.error('shutdown took longer than 10 s, exiting');
        process.exit(1);
      }, SHUTDOWN_TIMEOUT_MS);
      timer.unref();
      close().then(
        // A cluster worker (pm2 cluster mode) stays a moment after its server closed: the primary may have handed
        // it a connection just before it saw the close, and only a live worker can hand that back to be given to
        // another worker (exiting at once would leave the client waiting on a connection nobody serves).
        () => setTimeout(() => process.exit(0), require('node:cluster').isWorker ? CLUSTER_LINGER_MS : 0),
        (err) => {
          console.error(`shutdown error: ${err.message}`);
          process.exit(1);
        },
      );
    });
  }
}

module.exports = { createApp, start };
