// The production start command for a JVM service: `java -Xmx512m -jar <jar>` on the jar its framework's build produces.
import type { Detector, Signal } from '../../types.js';
import { isJvmApp } from './common.js';
import { jvmFrameworks, uniq } from './framework.js';

const NAME = 'jvm-commands';

/** A heap cap is always set: without one the JVM sizes its heap from the host's RAM, not the container's share. */
export const JAVA_MEMORY_FLAG = '-Xmx512m';

export const jvmCommandsDetector: Detector = {
  name: NAME,
  async detect(ctx) {
    if (!isJvmApp(ctx)) return [];
    const out: Signal[] = [];
    const seen = new Set<string>();
    for (const f of await jvmFrameworks(ctx)) {
      if (!f.jar || seen.has(f.jar.path)) continue;
      seen.add(f.jar.path);
      out.push({
        kind: 'command', role: 'start', command: `java ${JAVA_MEMORY_FLAG} -jar ${f.jar.path}`, production: true,
        evidence: uniq([...f.evidence, ...f.jar.evidence]), source: 'build-file', confidence: 'medium', detector: NAME,
      });
    }
    return out;
  },
};
