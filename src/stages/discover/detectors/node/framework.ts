// Web frameworks from package.json dependencies and Deno imports, with build-output details read from their config files.
import { cite, inApp } from '../../evidence.js';
import type { Confidence, DetectContext, Detector, Evidence, Signal } from '../../types.js';
import { depEvidence, type PackageJson } from './common.js';
import { denoImports } from './deno-imports.js';
import { jsApp, type JsApp } from './js-app.js';

const NAME = 'node-framework';

export interface FrameworkFact { id: string; detail?: Record<string, string>; evidence: Evidence[]; confidence: Confidence }

/** dependency → framework id; the first match per id wins. */
const SIMPLE: [string, string][] = [
  ['nuxt', 'nuxt'], ['@sveltejs/kit', 'sveltekit'], ['astro', 'astro'], ['@nestjs/core', 'nestjs'],
  ['express', 'express'], ['fastify', 'fastify'], ['koa', 'koa'], ['hono', 'hono'], ['elysia', 'elysia'],
];
/** Deno import (jsr/npm name or deno.land/x module) → framework id. */
const DENO_FRAMEWORKS: Record<string, string> = {
  '@fresh/core': 'fresh', 'x/fresh': 'fresh',
  '@oak/oak': 'oak', 'x/oak': 'oak', '@oakserver/oak': 'oak',
  hono: 'hono', '@hono/hono': 'hono', 'x/hono': 'hono',
  express: 'express', fastify: 'fastify', koa: 'koa',
};
/** Frameworks that build with vite themselves: vite alongside them is not a static site. */
const VITE_HOSTS = new Set(['nuxt', 'sveltekit', 'astro', 'astro-static', 'remix']);

/** First config file of `base` with any of `exts` in the app dir, with its text. */
async function configFile(ctx: DetectContext, base: string, exts: string[]): Promise<{ path: string; text: string } | null> {
  for (const ext of exts) {
    const path = inApp(ctx.appDir, `${base}.${ext}`);
    const text = await ctx.repo.read(path);
    if (text !== null) return { path, text };
  }
  return null;
}

const CONFIG_EXTS = ['ts', 'mts', 'js', 'mjs', 'cjs'];

export async function detectFrameworks(ctx: DetectContext, pkg: PackageJson): Promise<FrameworkFact[]> {
  const out: FrameworkFact[] = [];
  // A server framework listed only under devDependencies is odd (maybe tooling): lower confidence.
  const conf = (dep: string): Confidence => (pkg.deps.get(dep) === 'devDependencies' ? 'medium' : 'high');

  if (pkg.deps.has('next')) {
    const evidence = [depEvidence(pkg, 'next')];
    let output = 'server';
    const cfg = await configFile(ctx, 'next.config', ['js', 'mjs', 'ts', 'cjs', 'mts']);
    if (cfg) {
      const m = /\boutput\s*:\s*['"`](standalone|export)['"`]/.exec(cfg.text);
      if (m?.[1]) { output = m[1]; evidence.push(cite(cfg.path, cfg.text, m.index)); }
    }
    out.push({ id: 'nextjs', detail: { output }, evidence, confidence: 'high' });
  }
  const remix = [...pkg.deps.keys()].find((d) => d.startsWith('@remix-run/'));
  if (remix) out.push({ id: 'remix', evidence: [depEvidence(pkg, remix)], confidence: 'high' });
  for (const [dep, id] of SIMPLE) {
    if (!pkg.deps.has(dep)) continue;
    const fact: FrameworkFact = { id, evidence: [depEvidence(pkg, dep)], confidence: conf(dep) };
    if (id === 'sveltekit') {
      // The adapter decides whether a server runs at all (adapter-static → files only).
      const adapter = [...pkg.deps.keys()].find((d) => d.startsWith('@sveltejs/adapter-'));
      if (adapter) { fact.detail = { adapter: adapter.slice('@sveltejs/adapter-'.length) }; fact.evidence.push(depEvidence(pkg, adapter)); }
    }
    if (id === 'astro') {
      // Astro builds static files unless its config asks for a server; the strategy ranker keys on 'astro-static'.
      const cfg = await configFile(ctx, 'astro.config', CONFIG_EXTS);
      const m = cfg ? /\boutput\s*:\s*['"`](server|static|hybrid)['"`]/.exec(cfg.text) : null;
      if (cfg && m?.[1]) fact.evidence.push(cite(cfg.path, cfg.text, m.index));
      const output = m?.[1] ?? 'static';
      if (output === 'static') { fact.id = 'astro-static'; fact.detail = { output, outDir: 'dist' }; } else fact.detail = { output };
    }
    out.push(fact);
  }
  if (pkg.deps.has('vite') && !out.some((f) => VITE_HOSTS.has(f.id))) {
    const evidence = [depEvidence(pkg, 'vite')];
    let outDir = 'dist';
    const cfg = await configFile(ctx, 'vite.config', CONFIG_EXTS);
    if (cfg) {
      // build: { outDir: '...' } — the nearest outDir after `build`, without parsing the config.
      const b = /\bbuild\s*:\s*\{/.exec(cfg.text);
      const m = b ? /\boutDir\s*:\s*['"`]([^'"`]+)['"`]/.exec(cfg.text.slice(b.index)) : null;
      if (b && m?.[1]) { outDir = m[1]; evidence.push(cite(cfg.path, cfg.text, b.index + m.index)); }
    }
    out.push({ id: 'vite', detail: { output: 'static', outDir }, evidence, confidence: 'high' });
  }
  if (pkg.deps.has('gatsby')) {
    out.push({ id: 'gatsby', detail: { output: 'static', outDir: 'public' }, evidence: [depEvidence(pkg, 'gatsby')], confidence: 'high' });
  }
  if (pkg.deps.has('react-scripts')) {
    out.push({ id: 'create-react-app', detail: { output: 'static', outDir: 'build' }, evidence: [depEvidence(pkg, 'react-scripts')], confidence: 'high' });
  }
  return out;
}

/** Frameworks a Deno app imports, through its import map or directly (`jsr:@hono/hono`, `npm:hono`, deno.land/x/oak). */
export async function detectDenoFrameworks(ctx: DetectContext, app: JsApp): Promise<FrameworkFact[]> {
  const out: FrameworkFact[] = [];
  for (const imp of await denoImports(ctx, app.deno)) {
    const id = DENO_FRAMEWORKS[imp.pkg];
    if (id && !out.some((f) => f.id === id)) out.push({ id, evidence: [imp.evidence], confidence: 'high' });
  }
  return out;
}

/** Every framework of the app: package.json dependencies, and Deno imports for a Deno app. */
export async function appFrameworks(ctx: DetectContext, app: JsApp): Promise<FrameworkFact[]> {
  const out = app.pkg ? await detectFrameworks(ctx, app.pkg) : [];
  if (app.runtime === 'deno') for (const f of await detectDenoFrameworks(ctx, app)) if (!out.some((x) => x.id === f.id)) out.push(f);
  return out;
}

/** Whether the app only builds files to serve (no Node server of its own). */
export function isStaticOnly(frameworks: FrameworkFact[]): boolean {
  const staticIds = frameworks.filter((f) => f.detail?.output === 'static' || f.detail?.output === 'export' || f.detail?.adapter === 'static');
  const servers = frameworks.filter((f) => !staticIds.includes(f));
  return staticIds.length > 0 && servers.length === 0;
}

export const nodeFrameworkDetector: Detector = {
  name: NAME,
  async detect(ctx) {
    const app = await jsApp(ctx);
    if (!app) return [];
    return (await appFrameworks(ctx, app)).map((f): Signal => {
      const s: Signal = { kind: 'framework', value: f.id, evidence: f.evidence, source: 'build-file', confidence: f.confidence, detector: NAME };
      if (f.detail) s.detail = f.detail;
      return s;
    });
  },
};
