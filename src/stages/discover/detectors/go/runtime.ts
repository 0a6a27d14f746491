// Go runtime versions: go.mod `go` (a minimum) and `toolchain` directives and .tool-versions `golang`.
import { appThenRoot, cite } from '../../evidence.js';
import type { Detector, Signal } from '../../types.js';
import { goApp } from './common.js';

const NAME = 'go-runtime';

export const goRuntimeDetector: Detector = {
  name: NAME,
  async detect(ctx) {
    const app = await goApp(ctx);
    if (!app) return [];
    const { mod } = app;
    const out: Signal[] = [];
    const sig = (range: string, file: string, text: string, index: number): Signal =>
      ({ kind: 'runtime', runtime: 'go', range, evidence: [cite(file, text, index)], source: 'build-file', confidence: 'high', detector: NAME });
    // The `go` directive is the oldest Go that builds the module (any newer toolchain does too); `toolchain` and
    // .tool-versions name the exact release the project builds with.
    if (mod.go) out.push(sig(`>=${mod.go.value}`, mod.path, mod.text, mod.go.index));
    if (mod.toolchain) out.push(sig(mod.toolchain.value, mod.path, mod.text, mod.toolchain.index));
    for (const file of appThenRoot(ctx, '.tool-versions')) {
      const text = await ctx.repo.read(file);
      if (text === null) continue;
      for (const m of text.matchAll(/^[ \t]*(?:golang|go)[ \t]+(\d+(?:\.\d+){0,2})/gm)) if (m[1]) out.push(sig(m[1], file, text, m.index));
    }
    return out;
  },
};
