// Ruby ecosystem, language, Bundler (version from the lockfile's BUNDLED WITH) and its production install command.
import type { Detector, Evidence, Signal } from '../../types.js';
import { cite, gemfilePath, inApp, isRubyApp, lockPath, rubyApp } from './common.js';

const NAME = 'ruby-ecosystem';

export const rubyEcosystemDetector: Detector = {
  name: NAME,
  async detect(ctx) {
    if (!isRubyApp(ctx)) return [];
    const a = await rubyApp(ctx);
    const gemfile = gemfilePath(ctx);
    const lock = lockPath(ctx);
    const marker = gemfile ?? lock ?? inApp(ctx.appDir, 'config.ru');
    const evidence: Evidence[] = [{ file: marker, line: null }];
    const base = { source: 'build-file' as const, confidence: 'high' as const, detector: NAME };
    const out: Signal[] = [
      { kind: 'ecosystem', value: 'ruby', evidence, ...base },
      { kind: 'language', value: 'ruby', evidence, ...base },
    ];
    if (!gemfile && !lock) return out;
    const pmEvidence: Evidence[] = a.lock?.bundler ? [cite(a.lock.path, a.lock.text, a.lock.bundler.index)] : [{ file: lock ?? marker, line: null }];
    out.push({ kind: 'package-manager', value: 'bundler', ...(a.lock?.bundler ? { version: a.lock.bundler.value } : {}), evidence: pmEvidence, ...base, confidence: lock ? 'high' : 'medium' });
    // Deployment mode needs the lockfile (it refuses to resolve anew); without one only the groups can be left out.
    const install = lock ? 'BUNDLE_DEPLOYMENT=1 BUNDLE_WITHOUT=development:test bundle install' : 'BUNDLE_WITHOUT=development:test bundle install';
    out.push({ kind: 'command', role: 'install', command: install, production: true, evidence: [{ file: lock ?? marker, line: null }], ...base, confidence: lock ? 'high' : 'medium' });
    return out;
  },
};
