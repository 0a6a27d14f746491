// Turns the env reads a detector found in code into one signal per name, keeping the strictest reading.
import type { Evidence, Signal } from './types.js';

export interface EnvRead { name: string; required: boolean | null; evidence: Evidence }

/** required true beats unknown beats false: one read without a default is enough to fail at start. */
export function envSignals(found: readonly EnvRead[], detector: string): Signal[] {
  const by = new Map<string, EnvRead>();
  const rank = (r: boolean | null): number => (r === true ? 2 : r === null ? 1 : 0);
  for (const f of found) {
    if (!f.name) continue;
    const cur = by.get(f.name);
    if (!cur || rank(f.required) > rank(cur.required)) by.set(f.name, f);
  }
  return [...by.values()].map((f): Signal => ({
    kind: 'env', name: f.name, required: f.required, evidence: [f.evidence], source: 'code', confidence: f.required === null ? 'medium' : 'high', detector,
  }));
}
