// Ecosystem (node / bun / deno), language (typescript / javascript) and package manager of a JS app.
import { inApp } from '../../evidence.js';
import type { Detector, Evidence, Signal } from '../../types.js';
import { appThenRoot, depEvidence, loadPackageJson, packageManager } from './common.js';

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
    const pkg = loaded?.pkg ?? null;
    const denoFile = ['deno.json', 'deno.jsonc'].map((f) => inApp(ctx.appDir, f)).find((p) => ctx.repo.has(p));

    if (!pkg) {
      // Deno apps need no package.json; deno.json(c) is their manifest.
      if (!denoFile) return out;
      out.push({ kind: 'ecosystem', value: 'deno', evidence: [{ file: denoFile, line: 1 }], source: 'build-file', confidence: 'high', detector: NAME });
      const hasTs = ctx.repo.under(ctx.appDir).some((f) => /\.tsx?$/.test(f.path));
      out.push({ kind: 'language', value: hasTs ? 'typescript' : 'javascript', evidence: [{ file: denoFile, line: 1 }], source: 'build-file', confidence: 'medium', detector: NAME });
      return out;
    }

    const pm = packageManager(ctx, pkg);
    const bunLock = [...appThenRoot(ctx, 'bun.lockb'), ...appThenRoot(ctx, 'bun.lock')];
    if (pm?.value === 'bun' || bunLock.length > 0) {
      const evidence: Evidence[] = pm?.value === 'bun' ? pm.evidence : bunLock.map((file) => ({ file, line: null }));
      out.push({ kind: 'ecosystem', value: 'bun', evidence, source: 'build-file', confidence: 'high', detector: NAME });
    } else {
      out.push({ kind: 'ecosystem', value: 'node', evidence: [{ file: pkg.path, line: 1 }], source: 'build-file', confidence: 'high', detector: NAME });
    }

    const tsconfig = appThenRoot(ctx, 'tsconfig.json')[0];
    if (tsconfig) {
      out.push({ kind: 'language', value: 'typescript', evidence: [{ file: tsconfig, line: 1 }], source: 'build-file', confidence: 'high', detector: NAME });
    } else if (pkg.deps.has('typescript')) {
      out.push({ kind: 'language', value: 'typescript', evidence: [depEvidence(pkg, 'typescript')], source: 'build-file', confidence: 'medium', detector: NAME });
    } else {
      out.push({ kind: 'language', value: 'javascript', evidence: [{ file: pkg.path, line: 1 }], source: 'build-file', confidence: 'high', detector: NAME });
    }

    if (pm) {
      const s: Signal = { kind: 'package-manager', value: pm.value, evidence: pm.evidence, source: 'build-file', confidence: pm.confidence, detector: NAME };
      if (pm.version) s.version = pm.version;
      out.push(s);
    }
    return out;
  },
};

