// The port a JVM service listens on: server.port / quarkus.http.port / micronaut.server.port, else the framework's default.
import type { Detector, Signal } from '../../types.js';
import { isJvmApp, jvmBuild, prop, propEvidence } from './common.js';
import { jvmFrameworks } from './framework.js';

const NAME = 'jvm-ports';

const KEYS: Record<string, string> = { 'spring-boot': 'server.port', quarkus: 'quarkus.http.port', micronaut: 'micronaut.server.port' };
const DEFAULTS: Record<string, number> = { 'spring-boot': 8080, quarkus: 8080, micronaut: 8080 };

/** `8081` → 8081; `${PORT:8081}` → 8081 (the default); `${PORT}` → null. */
export function portValue(v: string): number | null {
  const m = /^(\d{1,5})$/.exec(v.trim()) ?? /^\$\{[^}:]+:(\d{1,5})\}$/.exec(v.trim());
  const n = m?.[1] ? Number(m[1]) : NaN;
  return n > 0 && n < 65536 ? n : null;
}

export const jvmPortDetector: Detector = {
  name: NAME,
  async detect(ctx) {
    if (!isJvmApp(ctx)) return [];
    const b = await jvmBuild(ctx);
    const out: Signal[] = [];
    for (const f of await jvmFrameworks(ctx)) {
      const key = KEYS[f.value];
      const p = key ? prop(b, key) : undefined;
      const n = p ? portValue(p.value) : null;
      if (p && n !== null) {
        out.push({ kind: 'port', port: n, evidence: [propEvidence(p)], source: 'code', confidence: 'high', detector: NAME });
      } else {
        const d = DEFAULTS[f.value];
        const first = f.evidence[0];
        if (d !== undefined && first) out.push({ kind: 'port', port: d, evidence: [first], source: 'fallback', confidence: 'low', detector: NAME });
      }
    }
    return out;
  },
};
