// PHP ecosystem, language, package manager (Composer) and its production install command; reports an unparsable composer.json.
import type { Confidence, Detector, Evidence, Signal } from '../../types.js';
import { appThenRoot, inApp, isPhpApp } from './common.js';
import { phpProject } from './project.js';

const NAME = 'php-ecosystem';

export const phpEcosystemDetector: Detector = {
  name: NAME,
  async detect(ctx) {
    if (!isPhpApp(ctx)) return [];
    const { composer: c } = await phpProject(ctx);
    const out: Signal[] = [];
    const base = { source: 'build-file' as const, detector: NAME };
    if (c?.error) out.push({ kind: 'problem', message: c.error.message, evidence: [{ file: c.path, line: c.error.line }], confidence: 'high', ...base });
    const marker = ['composer.json', 'composer.lock', 'artisan'].map((f) => inApp(ctx.appDir, f)).find((p) => ctx.repo.has(p));
    const evidence: Evidence[] = marker ? [{ file: marker, line: null }] : [];
    const confidence: Confidence = c?.error ? 'medium' : 'high';
    out.push({ kind: 'ecosystem', value: 'php', evidence, confidence, ...base });
    out.push({ kind: 'language', value: 'php', evidence, confidence, ...base });
    // The lockfile pins what production installs; without one, composer resolves afresh (still Composer, less sure).
    const lock = appThenRoot(ctx, 'composer.lock')[0];
    if (lock || c) {
      const pmEvidence: Evidence[] = [{ file: lock ?? c?.path ?? inApp(ctx.appDir, 'composer.json'), line: null }];
      const pmConfidence: Confidence = lock ? 'high' : 'medium';
      out.push({ kind: 'package-manager', value: 'composer', evidence: pmEvidence, confidence: pmConfidence, ...base });
      // --no-dev keeps test tools off the server; an optimized classmap saves a filesystem lookup per class.
      out.push({ kind: 'command', role: 'install', command: 'composer install --no-dev --optimize-autoloader', production: true, evidence: pmEvidence, confidence: pmConfidence, ...base });
    }
    return out;
  },
};
