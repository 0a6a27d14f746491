// Health endpoints of a JVM service: Spring actuator / SmallRye Health from dependencies, and health-like controller mappings in code.
import type { Detector, Evidence, Signal } from '../../types.js';
import { HEALTHY } from '../../health-names.js';
import { codeMatches, findDep, isJvmApp, jvmBuild, prop, propEvidence, safeCite, type TextFile } from './common.js';

const NAME = 'jvm-health';

function joinPath(prefix: string, path: string): string {
  const p = `${prefix.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`.replace(/\/+$/, '');
  return p.startsWith('/') ? p || '/' : `/${p}`;
}

/** The first string path in an annotation's arguments: ("/x"), (value = "/x"), (path = ["/x"]), ({"/x"}). */
function annotationPath(args: string): string | null {
  const m = /^\s*(?:(?:value|path)\s*=\s*)?[{[]?\s*"([^"]*)"/.exec(args) ?? /\b(?:value|path)\s*=\s*[{[]?\s*"([^"]*)"/.exec(args);
  return m?.[1] ?? null;
}

/** Controller mappings: a class-level @RequestMapping / @Path / @Controller prefix joined with GET-ish method mappings. */
function controllerHealth(s: TextFile): { path: string; evidence: Evidence }[] {
  const out: { path: string; evidence: Evidence }[] = [];
  const classRe = /\bclass\s+\w+/g;
  const classes = [...codeMatches(s.text, classRe)].map((m) => m.index);
  for (let ci = 0; ci < classes.length; ci++) {
    const start = classes[ci] ?? 0;
    const end = classes[ci + 1] ?? s.text.length;
    // Class-level prefix: a mapping annotation in the annotation block directly before `class` (not a method of the class above).
    const head = /((?:@[\w.]+(?:\s*\([^)]*\))?\s*)+)(?:(?:public|final|abstract|open|internal|data)\s+)*$/.exec(s.text.slice(Math.max(0, start - 2000), start))?.[1] ?? '';
    const prefixes = [...head.matchAll(/@(?:RequestMapping|Path|Controller)\s*\(([^)]*)\)/g)];
    const last = prefixes[prefixes.length - 1];
    const prefix = last ? annotationPath(last[1] ?? '') ?? '' : '';
    const body = s.text.slice(start, end);
    for (const m of codeMatches(body, /@(GetMapping|RequestMapping|Path|Get)\s*\(([^)]*)\)/g)) {
      const args = m[2] ?? '';
      if (m[1] === 'RequestMapping' && /method\s*=/.test(args) && !/GET/.test(args)) continue;
      const path = annotationPath(args);
      if (path === null) continue;
      const full = joinPath(prefix, path);
      if (!HEALTHY.test(path) && !HEALTHY.test(full)) continue;
      out.push({ path: full, evidence: safeCite(s.path, s.text, start + m.index) });
    }
  }
  return out;
}

export const jvmHealthDetector: Detector = {
  name: NAME,
  async detect(ctx) {
    if (!isJvmApp(ctx)) return [];
    const b = await jvmBuild(ctx);
    const out: Signal[] = [];
    const seen = new Set<string>();
    const push = (path: string, evidence: Evidence[], source: 'build-file' | 'code', confidence: 'high' | 'medium'): void => {
      if (seen.has(path)) return;
      seen.add(path);
      out.push({ kind: 'health', path, evidence, source, confidence, detector: NAME });
    };
    const actuator = findDep(b, 'org.springframework.boot', 'spring-boot-starter-actuator');
    if (actuator) {
      const base = prop(b, 'management.endpoints.web.base-path');
      const path = joinPath(base && !base.value.includes('${') ? base.value : '/actuator', 'health');
      push(path, [actuator.evidence, ...(base ? [propEvidence(base)] : [])], 'build-file', 'medium');
    }
    const smallrye = findDep(b, 'io.quarkus', /^quarkus-smallrye-health$/);
    if (smallrye) {
      const root = prop(b, 'quarkus.smallrye-health.root-path');
      const path = root && root.value.startsWith('/') && !root.value.includes('${') ? root.value : '/q/health';
      push(path, [smallrye.evidence, ...(root ? [propEvidence(root)] : [])], 'build-file', 'medium');
    }
    const mnMgmt = findDep(b, 'io.micronaut', 'micronaut-management');
    if (mnMgmt) push('/health', [mnMgmt.evidence], 'build-file', 'medium');
    for (const s of b.sources) for (const h of controllerHealth(s)) push(h.path, [h.evidence], 'code', 'high');
    // A servlet context path (Spring) or HTTP root path (Quarkus) prefixes every endpoint, health included.
    const root = prop(b, 'server.servlet.context-path') ?? prop(b, 'quarkus.http.root-path');
    if (root && root.value.startsWith('/') && !root.value.includes('${') && joinPath(root.value, '') !== '/') {
      for (const sig of out) if (sig.kind === 'health') { sig.path = joinPath(root.value, sig.path); sig.evidence.push(propEvidence(root)); }
    }
    return out;
  },
};
