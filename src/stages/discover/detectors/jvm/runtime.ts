// Java runtime version: pom java.version / maven.compiler.release|source and Gradle toolchains/compatibility (minimums), .tool-versions, .sdkmanrc (exact).
import { appThenRoot } from '../../evidence.js';
import type { Detector, Signal } from '../../types.js';
import { codeMatches, isJvmApp, jvmBuild, pomIndex, pomValue, safeCite } from './common.js';

const NAME = 'jvm-runtime';

/** "1.8" → "8", "17" → "17", "21.0.2" → "21.0.2". */
function norm(v: string): string | null {
  const m = /^(?:1\.)?(\d+(?:\.\d+){0,2})$/.exec(v.trim());
  if (!m?.[1]) return null;
  return /^1\.\d/.test(v.trim()) ? (v.trim().split('.')[1] ?? null) : m[1];
}

export const jvmRuntimeDetector: Detector = {
  name: NAME,
  async detect(ctx) {
    if (!isJvmApp(ctx)) return [];
    const b = await jvmBuild(ctx);
    const out: Signal[] = [];
    const push = (range: string | null, ev: Signal['evidence'][number], confidence: 'high' | 'medium' = 'high'): void => {
      if (range) out.push({ kind: 'runtime', runtime: 'java', range, evidence: [ev], source: 'build-file', confidence, detector: NAME });
    };
    // What the build compiles for is a minimum: bytecode for 17 runs on any newer JDK. Version-manager files pin one.
    const atLeast = (v: string | null): string | null => (v ? `>=${v}` : null);
    if (b.pom) {
      // The first of these that is set and literal is what the compiler targets.
      for (const key of ['maven.compiler.release', 'java.version', 'maven.compiler.source']) {
        const v = pomValue(b.pom, 'properties', key);
        if (v && !v.includes('${')) { push(atLeast(norm(v)), safeCite(b.pom.path, b.pom.text, Math.max(0, pomIndex(b.pom, key)))); break; }
      }
    }
    if (b.gradle) {
      const g = b.gradle;
      const toolchain = [...codeMatches(g.text, /languageVersion(?:\.set\(|\s*=\s*|\s*\.\s*set\s*\()\s*JavaLanguageVersion\.of\(\s*["']?(\d+)["']?\s*\)/g)][0];
      const jv = [...codeMatches(g.text, /\b(?:source|target)Compatibility\s*=\s*(?:JavaVersion\.VERSION_(\d+(?:_\d+)?)|["']?(\d+(?:\.\d+)?)["']?)/g)][0]
        ?? [...codeMatches(g.text, /JavaVersion\.VERSION_(\d+(?:_\d+)?)/g)][0];
      const kt = [...codeMatches(g.text, /\bjvmToolchain\(\s*(\d+)\s*\)/g)][0];
      if (toolchain?.[1]) push(atLeast(toolchain[1]), safeCite(g.path, g.text, toolchain.index));
      else if (kt?.[1]) push(atLeast(kt[1]), safeCite(g.path, g.text, kt.index));
      else if (jv) push(atLeast(norm((jv[1] ?? jv[2] ?? '').replace('_', '.'))), safeCite(g.path, g.text, jv.index));
    }
    for (const file of appThenRoot(ctx, '.tool-versions')) {
      const text = await ctx.repo.read(file);
      if (text === null) continue;
      for (const m of text.matchAll(/^[ \t]*java[ \t]+(?:[a-z]+[a-z0-9]*-)*?(\d+)(?:[.\d+]*)/gm)) if (m[1]) push(m[1], safeCite(file, text, m.index));
    }
    for (const file of appThenRoot(ctx, '.sdkmanrc')) {
      const text = await ctx.repo.read(file);
      if (text === null) continue;
      for (const m of text.matchAll(/^[ \t]*java[ \t]*=[ \t]*(\d+)/gm)) if (m[1]) push(m[1], safeCite(file, text, m.index));
    }
    return out;
  },
};
