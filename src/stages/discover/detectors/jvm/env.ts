// Environment variable names a JVM service reads: System.getenv, @Value("${X}") and ${X}/${X:default} placeholders in application config (names only).
import type { Detector, Evidence, Signal } from '../../types.js';
import { codeMatches, isJvmApp, jvmBuild, propEvidence, safeCite } from './common.js';

const NAME = 'jvm-env';

/** Placeholder names that are env vars (UPPER_SNAKE), not property references like ${spring.application.name}. */
const ENV_NAME = /^[A-Z][A-Z0-9_]*$/;

interface Found { name: string; required: boolean | null; evidence: Evidence; source: 'code' | 'build-file' }

/** true (no default somewhere) beats false (defaulted) beats null (unknown). */
function merge(a: boolean | null, b: boolean | null): boolean | null {
  if (a === true || b === true) return true;
  if (a === false || b === false) return false;
  return null;
}

function placeholders(value: string): { name: string; required: boolean }[] {
  const out: { name: string; required: boolean }[] = [];
  for (const m of value.matchAll(/\$\{([^}:\s]+)(:[^}]*)?\}/g)) if (m[1] && ENV_NAME.test(m[1])) out.push({ name: m[1], required: m[2] === undefined });
  return out;
}

export const jvmEnvDetector: Detector = {
  name: NAME,
  async detect(ctx) {
    if (!isJvmApp(ctx)) return [];
    const b = await jvmBuild(ctx);
    const found: Found[] = [];
    for (const p of b.props) for (const ph of placeholders(p.value)) found.push({ name: ph.name, required: ph.required, evidence: propEvidence(p), source: 'code' });
    for (const s of b.sources) {
      for (const m of codeMatches(s.text, /\bSystem\.getenv\(\s*"([A-Za-z_][A-Za-z0-9_]*)"\s*\)/g)) {
        found.push({ name: m[1] ?? '', required: null, evidence: safeCite(s.path, s.text, m.index), source: 'code' });
      }
      for (const m of codeMatches(s.text, /\bSystem\.getenv\(\)\s*\.\s*getOrDefault\(\s*"([A-Za-z_][A-Za-z0-9_]*)"/g)) {
        found.push({ name: m[1] ?? '', required: false, evidence: safeCite(s.path, s.text, m.index), source: 'code' });
      }
      for (const m of codeMatches(s.text, /@(?:Value|ConfigProperty|Property)\s*\(([^)]*)\)/g)) {
        const args = m[1] ?? '';
        for (const ph of placeholders(args.replace(/\\\$/g, '$'))) found.push({ name: ph.name, required: ph.required, evidence: safeCite(s.path, s.text, m.index), source: 'code' });
        // Quarkus @ConfigProperty(name = "X", defaultValue = "…") with an env-style name.
        const cp = /\bname\s*=\s*"([A-Z][A-Z0-9_]*)"/.exec(args);
        if (cp?.[1]) found.push({ name: cp[1], required: !/\bdefaultValue\s*=/.test(args), evidence: safeCite(s.path, s.text, m.index), source: 'code' });
      }
    }
    const byName = new Map<string, { required: boolean | null; evidence: Evidence[] }>();
    for (const f of found) {
      if (!f.name) continue;
      const cur = byName.get(f.name);
      if (!cur) byName.set(f.name, { required: f.required, evidence: [f.evidence] });
      else {
        cur.required = merge(cur.required, f.required);
        if (!cur.evidence.some((e) => e.file === f.evidence.file && e.line === f.evidence.line)) cur.evidence.push(f.evidence);
      }
    }
    const out: Signal[] = [];
    for (const [name, v] of byName) out.push({ kind: 'env', name, required: v.required, evidence: v.evidence, source: 'code', confidence: 'high', detector: NAME });
    return out;
  },
};
