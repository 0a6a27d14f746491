// Plain static site detector: an index.html that a dependency-light build copies into dist/ (or public/, build/, _site/), with no server to run.
import { cite, inApp } from '../../evidence.js';
import { NODE_SERVER_DEPS } from '../../apps.js';
import type { DetectContext, Detector, Evidence, Signal } from '../../types.js';
import { maker } from './shared.js';

const NAME = 'artifacts-static-site';
const make = maker(NAME, 'build-file');

/** Where the page sources live, in the order a build usually reads them. */
const SOURCE_DIRS = ['src', 'public', 'static', 'site', ''];
const OUT_DIRS = ['dist', 'public', 'build', '_site', 'out', 'www'];
/** Bundlers and site generators have detectors (or frameworks) of their own; this one is for hand-written pages. */
const TOOLING = /\b(vite|webpack|parcel|rollup|esbuild|rsbuild|rspack|next|nuxt|astro|gatsby|eleventy|hugo|jekyll|react-scripts|ng\s+build|svelte-kit)\b/;
/** Files a liveness check can fetch from the published site. */
const HEALTH_FILES: [string, string][] = [['health', '/health'], ['healthz', '/healthz'], ['health.txt', '/health.txt'], ['health.html', '/health.html']];

const OTHER_MANIFESTS = ['requirements.txt', 'pyproject.toml', 'go.mod', 'Gemfile', 'composer.json', 'Cargo.toml', 'pom.xml', 'build.gradle', 'build.gradle.kts', 'Dockerfile', 'deno.json'];

const record = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

export const staticSiteDetector: Detector = {
  name: NAME,
  async detect(ctx: DetectContext): Promise<Signal[]> {
    const srcDir = SOURCE_DIRS.find((d) => ctx.repo.has(inApp(ctx.appDir, d === '' ? 'index.html' : `${d}/index.html`)));
    if (srcDir === undefined) return [];
    const pkgPath = inApp(ctx.appDir, 'package.json');
    const pkgText = ctx.repo.has(pkgPath) ? await ctx.repo.read(pkgPath) : null;
    let outDir: string | null = null;
    const evidence: Evidence[] = [];
    if (pkgText !== null) {
      let pkg: Record<string, unknown>;
      try { pkg = record(JSON.parse(pkgText)); } catch { return []; }
      const scripts = record(pkg.scripts);
      const deps = { ...record(pkg.dependencies), ...record(pkg.devDependencies) };
      const build = typeof scripts.build === 'string' ? scripts.build : null;
      // A start script or a server dependency means a process serves the pages: not a plain static site.
      if (!build || typeof scripts.start === 'string' || typeof scripts.serve === 'string' || NODE_SERVER_DEPS.some((d) => d in deps)) return [];
      if (TOOLING.test(build) || Object.keys(deps).some((d) => TOOLING.test(d))) return [];
      // The build script (or the file it runs) names the folder it writes.
      const script = /\bnode\s+(\S+\.[cm]?js)\b/.exec(build)?.[1];
      const scriptText = script ? await ctx.repo.read(inApp(ctx.appDir, script.replace(/^\.\//, ''))) : null;
      const text = `${build}\n${scriptText ?? ''}`;
      outDir = OUT_DIRS.find((d) => d !== srcDir && new RegExp(String.raw`(?:^|[\s'"\`/{}])${d}(?:[/'"\`\s]|$)`, 'm').test(text)) ?? null;
      if (!outDir) return [];
      evidence.push(cite(pkgPath, pkgText, Math.max(0, pkgText.indexOf('"build"'))));
    } else if (srcDir !== '' || OTHER_MANIFESTS.some((f) => ctx.repo.has(inApp(ctx.appDir, f)))) {
      // Without a build, only pages at the root of an app with no other stack are what gets published.
      return [];
    }
    const indexPath = inApp(ctx.appDir, srcDir === '' ? 'index.html' : `${srcDir}/index.html`);
    evidence.push({ file: indexPath, line: null });
    const out: Signal[] = [make({ kind: 'framework', value: 'static-html', detail: { output: 'static', outDir: outDir ?? '.', source: srcDir || '.' } }, evidence, outDir ? 'high' : 'medium')];
    for (const [file, path] of HEALTH_FILES) {
      const p = inApp(ctx.appDir, srcDir === '' ? file : `${srcDir}/${file}`);
      if (ctx.repo.has(p)) out.push(make({ kind: 'health', path }, [{ file: p, line: null }], 'medium'));
    }
    return out;
  },
};
