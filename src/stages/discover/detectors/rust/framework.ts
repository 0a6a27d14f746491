// Rust web frameworks from the app's dependencies (axum, actix-web, rocket, warp, poem), evidence the dependency line.
import type { Detector, Signal } from '../../types.js';
import { rustApp } from './common.js';

const NAME = 'rust-framework';

/** Framework id → crates that mean it. */
export const FRAMEWORKS: [string, string[]][] = [
  ['axum', ['axum']], ['actix', ['actix-web']], ['rocket', ['rocket']], ['warp', ['warp']], ['poem', ['poem']],
];

export const rustFrameworkDetector: Detector = {
  name: NAME,
  async detect(ctx) {
    const app = await rustApp(ctx);
    if (!app) return [];
    const out: Signal[] = [];
    for (const [value, crates] of FRAMEWORKS) {
      const d = app.deps.find((x) => crates.includes(x.crate));
      if (!d) continue;
      const own = d.evidence.file === app.manifest.path;
      out.push({
        kind: 'framework', value, detail: { crate: d.crate }, evidence: d.rootEvidence ? [d.evidence, d.rootEvidence] : [d.evidence],
        // A framework only a local library crate pulls in is likely, not certain, to be what serves.
        source: 'build-file', confidence: own ? 'high' : 'medium', detector: NAME,
      });
    }
    return out;
  },
};
