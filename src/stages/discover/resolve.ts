// Merges detector signals into brief fields: the guide's signal priority decides, disagreements become conflicts.
import type { BriefData } from '../../report/brief.js';
import { looksSecret } from './evidence.js';
import { SOURCE_RANK, type CommandRole, type Confidence, type Evidence, type Signal, type SourceClass } from './types.js';

type Of<K extends Signal['kind']> = Extract<Signal, { kind: K }>;
type Fact<T> = { value: T; source: SourceClass; confidence: Confidence; evidence: Evidence[]; detector: string };
type Conflict = BriefData['conflicts'][number];

const CONF_RANK: Record<Confidence, number> = { high: 3, medium: 2, low: 1 };
const MAX_EVIDENCE = 5;

export function ofKind<K extends Signal['kind']>(signals: readonly Signal[], kind: K): Of<K>[] {
  return signals.filter((s): s is Of<K> => s.kind === kind);
}

/** Higher source class first, then confidence, then detector order. */
export function rankSignals<S extends Signal>(list: readonly S[]): S[] {
  return list.map((s, i) => ({ s, i }))
    .sort((a, b) => SOURCE_RANK[b.s.source] - SOURCE_RANK[a.s.source] || CONF_RANK[b.s.confidence] - CONF_RANK[a.s.confidence] || a.i - b.i)
    .map((x) => x.s);
}

function toFact<S extends Signal, T>(s: S, value: T): Fact<T> {
  return { value, source: s.source, confidence: s.confidence, evidence: s.evidence.slice(0, MAX_EVIDENCE), detector: s.detector };
}

/**
 * Picks the best signal for a single-valued field. Distinct values from sources above "fallback" are a conflict,
 * unless `compatible` says they agree (e.g. runtime ranges that intersect).
 */
export function pick<S extends Signal, T>(
  field: string, list: readonly S[], value: (s: S) => T, show: (v: T) => string,
  conflicts: Conflict[], compatible: (a: T, b: T) => boolean = (a, b) => show(a) === show(b),
): Fact<T> | null {
  const ranked = rankSignals(list);
  const best = ranked[0];
  if (!best) return null;
  const chosen = value(best);
  const disagreeing = ranked.filter((s) => s.source !== 'fallback' && !compatible(chosen, value(s)));
  if (disagreeing.length > 0) {
    const seen = new Map<string, Conflict['values'][number]>();
    for (const s of [best, ...ranked.filter((x) => x.source !== 'fallback' && x !== best)]) {
      const v = show(value(s));
      if (!seen.has(`${v}|${s.source}`)) seen.set(`${v}|${s.source}`, { value: v, source: s.source, evidence: s.evidence.slice(0, 2) });
    }
    conflicts.push({ field, chosen: show(chosen), values: [...seen.values()] });
  }
  return toFact(best, chosen);
}

export function resolveCommands(signals: readonly Signal[], conflicts: Conflict[]): BriefData['commands'] {
  const roles: CommandRole[] = ['install', 'build', 'start', 'dev', 'test', 'migrate', 'release'];
  const out = {} as BriefData['commands'];
  for (const role of roles) {
    const list = ofKind(signals, 'command').filter((c) => c.role === role);
    // A production start command beats a dev one whatever its source: a dev server is never presented as production.
    // Likewise a build that only checks (tests, race detector) yields to any production build.
    const prod = role === 'start' || role === 'build' ? list.filter((c) => c.production) : list;
    const pool = prod.length > 0 ? prod : list;
    out[role] = pick(`commands.${role}`, pool, (c) => ({ command: c.command, production: c.production }), (v) => v.command, role === 'start' ? conflicts : [], () => true);
  }
  return out;
}

export function resolveEnv(signals: readonly Signal[]): BriefData['envVars'] {
  const byName = new Map<string, BriefData['envVars'][number]>();
  // Per name: read with no default anywhere (hard), only through a bare compose `${X}` (soft), given a default (def).
  const seen = new Map<string, { hard: boolean; soft: boolean; def: boolean }>();
  for (const s of ofKind(signals, 'env')) {
    const cur = byName.get(s.name) ?? { name: s.name, required: null, secret: looksSecret(s.name), buildTime: false, hasExample: false, sources: [], evidence: [] };
    const f = seen.get(s.name) ?? { hard: false, soft: false, def: false };
    if (s.required === true && s.softRequired === true) f.soft = true;
    else if (s.required === true) f.hard = true;
    else if (s.required === false) f.def = true;
    seen.set(s.name, f);
    // Required wins: one read without a default is enough to fail at start. A bare compose `${X}` is weaker: compose
    // only warns and passes an empty value when X is unset, so when the code gives X a default the code decides.
    cur.required = f.hard ? true : f.def ? false : f.soft ? true : null;
    cur.buildTime ||= s.buildTime === true;
    cur.hasExample ||= s.hasExample === true;
    if (!cur.sources.includes(s.source)) cur.sources.push(s.source);
    for (const e of s.evidence) if (cur.evidence.length < MAX_EVIDENCE) cur.evidence.push(e);
    byName.set(s.name, cur);
  }
  return [...byName.values()].sort((a, b) => Number(b.required === true) - Number(a.required === true) || a.name.localeCompare(b.name));
}

export function resolveDatastores(signals: readonly Signal[]): BriefData['datastores'] {
  const by = new Map<string, BriefData['datastores'][number]>();
  for (const s of ofKind(signals, 'datastore')) {
    const cur = by.get(s.value) ?? { kind: s.value, required: null, evidence: [] };
    if (s.required === true) cur.required = true;
    else if (s.required === false && cur.required !== true) cur.required = false;
    for (const e of s.evidence) if (cur.evidence.length < MAX_EVIDENCE) cur.evidence.push(e);
    by.set(s.value, cur);
  }
  return [...by.values()];
}

export function resolveHealth(signals: readonly Signal[]): Fact<string>[] {
  const seen = new Set<string>();
  const out: Fact<string>[] = [];
  for (const s of rankSignals(ofKind(signals, 'health'))) {
    if (seen.has(s.path)) continue;
    seen.add(s.path);
    out.push(toFact(s, s.path));
  }
  return out;
}

export function resolveFrameworks(signals: readonly Signal[]): BriefData['stack']['frameworks'] {
  const seen = new Set<string>();
  const out: BriefData['stack']['frameworks'] = [];
  for (const s of rankSignals(ofKind(signals, 'framework'))) {
    if (seen.has(s.value)) continue;
    seen.add(s.value);
    out.push(toFact(s, { name: s.value, detail: s.detail ?? {} }));
  }
  return out;
}
