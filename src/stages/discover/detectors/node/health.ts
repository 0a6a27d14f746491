// Health-check endpoints: express/koa/hono/fastify/elysia/oak routes, NestJS controllers, Bun.serve routes and pathname checks, and file-based routes (Next, Nuxt, SvelteKit, Remix, Fresh).
import { cite, citeMatch } from '../../evidence.js';
import type { Confidence, Detector, Evidence, Signal } from '../../types.js';
import { inLineComment, sourceFiles } from './common.js';
import { appFrameworks } from './framework.js';
import { jsApp } from './js-app.js';

const NAME = 'node-health';

export const HEALTH_PATH = /(?:^|\/)(?:health|healthz|healthcheck|ready|readyz|readiness|live|livez|liveness|ping|status|up|heartbeat)$/i;

/** Route registration with a literal path: app.get('/health', …), router.all("/ping"), fastify.head(`/up`). */
const ROUTE = /\b([A-Za-z_$][\w$]*)\s*\.\s*(?:get|all|head)\s*\(\s*(['"`])(\/[^'"`\s]*)\2/g;
/** A route on a chain, where no name precedes the dot: `new Elysia()\n  .get('/health', …)`, `new Hono().get(…)`. */
const CHAIN_ROUTE = /\)\s*\.\s*(?:get|all|head)\s*\(\s*(['"`])(\/[^'"`\s]*)\1/g;
/** A fetch handler comparing the path: `if (url.pathname === "/health")` (Bun.serve, Deno.serve). */
const PATHNAME = /\bpathname\s*={2,3}\s*(['"`])(\/[^'"`\s]*)\1|(['"`])(\/[^'"`\s]*)\3\s*={2,3}\s*[^;\n&|]{0,60}?\bpathname\b/g;
/** fastify.route({ method: 'GET', url: '/health' }) and hono-style route objects. */
const ROUTE_OBJ = /\.route\(\s*\{[^}]*?\b(?:url|path)\s*:\s*(['"`])(\/[^'"`\s]*)\1/g;

const ROUTE_LIBS = new Set(['express', 'fastify', 'koa', 'koa-router', 'hono', 'restify', 'polka', 'elysia', 'itty-router', 'h3', 'micro', '@nestjs/core', 'next', 'nuxt']);
const HTTP_CLIENTS = /^(?:axios|http|https|httpClient|client|request|supertest|agent|ky|got|fetcher|\$http|superagent|needle)$/i;

function normalize(path: string): string {
  const p = `/${path}`.replace(/\/{2,}/g, '/').replace(/\/$/, '');
  return p === '' ? '/' : p;
}

/** A route file's URL path: (groups) dropped, index segments removed. */
function fileRoute(rel: string): string | null {
  let m = /^(?:src\/)?app\/(.*?)\/?route\.[cm]?[jt]sx?$/.exec(rel);
  if (m) return normalize((m[1] ?? '').split('/').filter((s) => !/^\(.*\)$/.test(s) && !s.startsWith('@')).join('/'));
  m = /^(?:src\/)?pages\/(api\/.*?)(?:\/index)?\.[cm]?[jt]sx?$/.exec(rel);
  if (m) return normalize(m[1] ?? '');
  m = /^server\/(api|routes)\/(.*?)(?:\/index)?(?:\.(?:get|head))?\.[cm]?[jt]s$/.exec(rel);
  if (m) return normalize(m[1] === 'api' ? `api/${m[2] ?? ''}` : m[2] ?? '');
  m = /^src\/routes\/(.*?)\/?\+server\.[jt]s$/.exec(rel);
  if (m) return normalize((m[1] ?? '').split('/').filter((s) => !/^\(.*\)$/.test(s)).join('/'));
  // Remix flat routes: app/routes/api.health.ts → /api/health (resource routes export a loader).
  m = /^app\/routes\/([^/]+?)(?:\/route)?\.[jt]sx?$/.exec(rel);
  if (m) return normalize((m[1] ?? '').replace(/\./g, '/').replace(/^_index$/, ''));
  return null;
}

/** A Fresh route file's URL path: routes/api/health.ts → /api/health; _app, _middleware and (groups) are no routes. */
function freshRoute(rel: string): string | null {
  const m = /^(?:src\/)?routes\/(.*?)(?:\/index)?\.[jt]sx?$/.exec(rel);
  if (!m) return null;
  const segs = (m[1] ?? '').split('/');
  if (segs.some((s) => s.startsWith('_'))) return null;
  return normalize(segs.filter((s) => !/^\(.*\)$/.test(s) && s !== 'index').join('/'));
}

/** The `{ … }` starting at `open`, by brace depth (strings are not parsed: good enough for a routes table). */
function objectAt(text: string, open: number): string {
  let depth = 0;
  for (let i = open; i < text.length && i < open + 8000; i++) {
    if (text[i] === '{') depth++;
    else if (text[i] === '}' && --depth === 0) return text.slice(open, i + 1);
  }
  return text.slice(open, open + 8000);
}

export const nodeHealthDetector: Detector = {
  name: NAME,
  async detect(ctx) {
    const app = await jsApp(ctx);
    if (!app) return [];
    const pkg = app.pkg;
    const found = new Map<string, { evidence: Evidence[]; confidence: Confidence }>();
    const add = (path: string, ev: Evidence, confidence: Confidence) => {
      const cur = found.get(path);
      if (!cur) found.set(path, { evidence: [ev], confidence });
      else if (cur.evidence.length < 5) cur.evidence.push(ev);
    };
    const files = sourceFiles(ctx);
    // Code routes only count when a server library is a dependency: a browser bundle's api.get('/status') is a client call.
    // A Deno app declares its server library by importing it (oak, hono, fresh …), not in package.json.
    const frameworks = app.runtime === 'deno' ? await appFrameworks(ctx, app) : [];
    const routeLib = (pkg !== null && [...pkg.deps.keys()].some((d) => ROUTE_LIBS.has(d) || d.startsWith('@koa/') || d.startsWith('@hapi/'))) || frameworks.length > 0;
    const fresh = frameworks.some((f) => f.id === 'fresh');
    // Bun and Deno serve fetch handlers with no framework: their path checks and Bun.serve routes are the routes.
    const fetchRuntime = app.runtime !== 'node';
    const prefixLen = ctx.appDir === '' ? 0 : ctx.appDir.length + 1;
    let globalPrefix: string | null = null;
    const nestControllers: { file: string; text: string }[] = [];

    for (const file of files) {
      const route = fileRoute(file.slice(prefixLen));
      if (route && HEALTH_PATH.test(route)) {
        const text = (await ctx.repo.read(file)) ?? '';
        const ev = citeMatch(file, text, /export\s+(?:async\s+)?(?:function\s+(?:GET|HEAD|loader|handler)\b|const\s+(?:GET|HEAD|loader)\b|default\b)/) ?? { file, line: 1 };
        add(route, ev, 'high');
      }
      const fr = fresh ? freshRoute(file.slice(prefixLen)) : null;
      if (fr && HEALTH_PATH.test(fr)) {
        const text = (await ctx.repo.read(file)) ?? '';
        const ev = citeMatch(file, text, /export\s+(?:const\s+handler\b|(?:async\s+)?function\s+(?:handler|GET)\b|default\b)/) ?? { file, line: 1 };
        add(fr, ev, 'high');
      }
      const text = await ctx.repo.read(file);
      if (text === null) continue;
      // A chain starting at a bare `new Elysia()` / `new Hono()` serves at the root; a prefix, a basePath or a
      // chained router (`Router().get(…)`, mounted later) may move it.
      const chainAtRoot = /\bnew\s+(?:Elysia|Hono)\s*\(\s*\)/.test(text) && !/\bprefix\s*:|\.basePath\(|\bRouter\s*\(/.test(text);
      for (const m of routeLib ? text.matchAll(CHAIN_ROUTE) : []) {
        const path = normalize(m[2] ?? '');
        const at = m.index + m[0].indexOf('.');
        if (!HEALTH_PATH.test(path) || inLineComment(text, at) || !/^\s*,/.test(text.slice(m.index + m[0].length))) continue;
        add(path, cite(file, text, at), chainAtRoot ? 'high' : 'medium');
      }
      if (fetchRuntime) {
        for (const m of text.matchAll(PATHNAME)) {
          const path = normalize(m[2] ?? m[4] ?? '');
          // location.pathname is the browser's address bar, not a request being served.
          const browser = /location\.$/.test(text.slice(Math.max(0, m.index - 9), m.index)) || /location\.pathname/.test(m[0]);
          if (HEALTH_PATH.test(path) && !browser && !inLineComment(text, m.index)) add(path, cite(file, text, m.index), 'medium');
        }
        // Bun.serve({ routes: { "/health": … } }) (Bun 1.2.3+).
        for (const serve of text.matchAll(/\bBun\.serve\(\s*\{/g)) {
          const body = objectAt(text, serve.index + serve[0].length - 1);
          const routes = /\broutes\s*:\s*\{/.exec(body);
          if (!routes) continue;
          const start = serve.index + serve[0].length - 1 + routes.index + routes[0].length - 1;
          const table = objectAt(text, start);
          for (const k of table.matchAll(/(['"`])(\/[^'"`\s]*)\1\s*:/g)) {
            const path = normalize(k[2] ?? '');
            if (HEALTH_PATH.test(path)) add(path, cite(file, text, start + k.index), 'high');
          }
        }
      }
      for (const m of routeLib ? text.matchAll(ROUTE) : []) {
        const path = m[3] ?? '';
        if (!HEALTH_PATH.test(normalize(path)) || inLineComment(text, m.index)) continue;
        // axios.get('/status') and friends fetch a route; they do not serve one.
        if (HTTP_CLIENTS.test(m[1] ?? '') || !/^\s*,/.test(text.slice(m.index + m[0].length))) continue;
        // Routes on a router may be mounted under a prefix we cannot see without running the app.
        const onApp = /^(?:app|server|fastify|instance|hono)$/i.test(m[1] ?? '');
        add(normalize(path), cite(file, text, m.index), onApp ? 'high' : 'medium');
      }
      for (const m of routeLib ? text.matchAll(ROUTE_OBJ) : []) {
        const path = m[2] ?? '';
        if (HEALTH_PATH.test(normalize(path)) && !inLineComment(text, m.index)) add(normalize(path), cite(file, text, m.index), 'high');
      }
      const gp = /\.setGlobalPrefix\(\s*['"`]([^'"`]+)['"`]([^)]*)\)/.exec(text);
      if (gp?.[1]) globalPrefix = `${gp[1]}\u0000${gp[2] ?? ''}`;
      if (/@Controller\s*\(/.test(text)) nestControllers.push({ file, text });
    }

    for (const { file, text } of nestControllers) {
      const ctrl = /@Controller\s*\(\s*(?:(['"`])([^'"`]*)\1|\{[^}]*?\bpath\s*:\s*(['"`])([^'"`]*)\3[^}]*\})?\s*\)/.exec(text);
      if (!ctrl) continue;
      const base = ctrl[2] ?? ctrl[4] ?? '';
      for (const m of text.matchAll(/@(?:Get|All|Head)\s*\(\s*(?:(['"`])([^'"`]*)\1)?\s*\)/g)) {
        let path = normalize(`${base}/${m[2] ?? ''}`);
        if (!HEALTH_PATH.test(path)) continue;
        if (globalPrefix) {
          const [prefix, opts] = globalPrefix.split('\u0000') as [string, string];
          // setGlobalPrefix('api', { exclude: ['health'] }) keeps health at the root.
          const excluded = opts.includes('exclude') && opts.includes(base.replace(/^\//, '') || path.slice(1));
          if (!excluded) path = normalize(`${prefix}/${path}`);
        }
        add(path, cite(file, text, m.index), 'high');
      }
    }

    return [...found].map(([path, f]): Signal => ({ kind: 'health', path, evidence: f.evidence, source: 'code', confidence: f.confidence, detector: NAME }));
  },
};
