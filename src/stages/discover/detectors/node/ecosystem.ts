// Ecosystem (node / bun / deno), language (typescript / javascript) and package manager of a JS app.
import { inApp } from '../../evidence.js';
import type { Detector, Signal } from '../../types.js';
import { appThenRoot, depEvidence, keyEvidence, loadPackageJson } from './common.js';
import { loadDenoConfig } from './deno-config.js';
import { jsApp } from './js-app.js';

const NAME = 'node-ecosystem';

export const nodeEcosystemDetector: Detector = {
  name: NAME,
  async detect(ctx) {
    const out: Signal[] = [];
    const loaded = await loadPackageJson(ctx);
    if (loaded && !loaded.ok) {
      // An unparsable manifest is still a Node app; the problem is reported, nothing is guessed from it.
      out.push({ kind: 'ecosystem', value: 'node', evidence: [{ file: loaded.path, line: null }], source: 'build-file', confidence: 'medium', detector: NAME });
      out.push({ kind: 'problem', message: loaded.message, evidence: [{ file: loaded.path, line: null }], source: 'build-file', confidence: 'high', detector: NAME });
      return out;
    }
    const deno = await loadDenoConfig(ctx);
    if (deno && !deno.ok) {
      // A broken deno.json(c) is reported once, here; the other detectors go on from the source files.
      out.push({ kind: 'problem', message: deno.message, evidence: [{ file: deno.path, line: deno.line }], source: 'build-file', confidence: 'high', detector: NAME });
    }
    const app = await jsApp(ctx);
    if (!app) return out;
    out.push({ kind: 'ecosystem', value: app.runtime, evidence: app.evidence, source: 'build-file', confidence: app.confidence, detector: NAME });

    const pkg = app.pkg;
    const tsconfig = appThenRoot(ctx, 'tsconfig.json')[0];
    if (!pkg) {
      // Deno runs TypeScript natively: the source files say which language the app is written in.
      const first = app.evidence[0] ?? { file: inApp(ctx.appDir, 'deno.json'), line: 1 };
      // The conventional entry when it is TypeScript, else any TypeScript file.
      const ts = ['main.ts', 'main.tsx', 'mod.ts', 'server.ts'].map((f) => inApp(ctx.appDir, f)).find((p) => ctx.repo.has(p))
        ?? ctx.repo.under(ctx.appDir).find((f) => /\.[cm]?tsx?$/.test(f.path) && !f.path.endsWith('.d.ts'))?.path;
      out.push({ kind: 'language', value: ts ? 'typescript' : 'javascript', evidence: [ts ? { file: ts, line: null } : first], source: 'build-file', confidence: 'medium', detector: NAME });
    } else if (tsconfig) {
      out.push({ kind: 'language', value: 'typescript', evidence: [{ file: tsconfig, line: 1 }], source: 'build-file', confidence: 'high', detector: NAME });
    } else if (pkg.deps.has('typescript')) {
      out.push({ kind: 'language', value: 'typescript', evidence: [depEvidence(pkg, 'typescript')], source: 'build-file', confidence: 'medium', detector: NAME });
    } else if (/(?:^|[\s;&|(])tsc(?:\s|$)/.test(pkg.scripts.build ?? '')) {
      // A build that runs the TypeScript compiler (its package maybe hoisted to the workspace root): written in TypeScript.
      out.push({ kind: 'language', value: 'typescript', evidence: [keyEvidence(pkg, 'build', 'scripts')], source: 'build-file', confidence: 'medium', detector: NAME });
    } else if (app.runtime !== 'node' && ctx.repo.under(ctx.appDir).some((f) => /\.[cm]?tsx?$/.test(f.path) && !f.path.endsWith('.d.ts'))) {
      // Bun and Deno run .ts files directly: no tsconfig or typescript dependency is needed.
      const ts = ctx.repo.under(ctx.appDir).find((f) => /\.[cm]?tsx?$/.test(f.path) && !f.path.endsWith('.d.ts'));
      out.push({ kind: 'language', value: 'typescript', evidence: [{ file: ts?.path ?? pkg.path, line: null }], source: 'build-file', confidence: 'medium', detector: NAME });
    } else {
      out.push({ kind: 'language', value: 'javascript', evidence: [{ file: pkg.path, line: 1 }], source: 'build-file', confidence: 'high', detector: NAME });
    }

    if (app.runtime === 'deno') {
      // Deno resolves and caches its own imports: it is the package manager, pinned by deno.lock when present.
      const lock = appThenRoot(ctx, 'deno.lock')[0];
      const evidence = lock ? [{ file: lock, line: null }] : app.evidence.slice(0, 1);
      out.push({ kind: 'package-manager', value: 'deno', evidence, source: 'build-file', confidence: lock ? 'high' : 'medium', detector: NAME });
      return out;
    }
    const pm = app.pm;
    if (pm) {
      const s: Signal = { kind: 'package-manager', value: pm.value, evidence: pm.evidence, source: 'build-file', confidence: pm.confidence, detector: NAME };
      if (pm.version) s.version = pm.version;
      out.push(s);
    } else if (app.runtime === 'bun') {
      // bunfig.toml with no lockfile yet: bun installs, there is just no lockfile to freeze.
      out.push({ kind: 'package-manager', value: 'bun', evidence: app.evidence, source: 'build-file', confidence: 'medium', detector: NAME });
    } else {
      // package.json with no lockfile and no packageManager field: npm, the manager that ships with Node, is what runs it.
      out.push({ kind: 'package-manager', value: 'npm', evidence: app.evidence.slice(0, 1), source: 'fallback', confidence: 'low', detector: NAME });
    }
    return out;
  },
};
