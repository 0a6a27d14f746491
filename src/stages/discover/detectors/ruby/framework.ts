// Ruby web frameworks (rails, sinatra, hanami, roda, grape) and the puma app server, from the Gemfile and the app's own code.
import type { Detector, Evidence, Signal } from '../../types.js';
import { cite, isRubyApp, rubyApp, type RubyApp } from './common.js';

const NAME = 'ruby-framework';

/** Gem → framework id, with the code that proves the app really uses it (a `require` or a subclass). */
const FRAMEWORKS: [string, string, RegExp][] = [
  ['sinatra', 'sinatra', /^\s*require\s+["']sinatra(?:\/base)?["']|<\s*Sinatra::(?:Base|Application)\b/m],
  ['hanami', 'hanami', /^\s*require\s+["']hanami["']|<\s*Hanami::App\b/m],
  ['roda', 'roda', /^\s*require\s+["']roda["']|<\s*Roda\b/m],
  ['grape', 'grape', /^\s*require\s+["']grape["']|<\s*Grape::API\b/m],
];

function codeEvidence(a: RubyApp, re: RegExp): Evidence | null {
  for (const s of a.sources) {
    if (s.kind !== 'ruby') continue;
    const m = re.exec(s.code);
    if (m) return cite(s.path, s.text, m.index + (m[0].length - m[0].trimStart().length));
  }
  return null;
}

export const rubyFrameworkDetector: Detector = {
  name: NAME,
  async detect(ctx) {
    if (!isRubyApp(ctx)) return [];
    const a = await rubyApp(ctx);
    const out: Signal[] = [];
    const base = { source: 'build-file' as const, detector: NAME };
    if (a.rails) {
      const detail: Record<string, string> = {};
      if (a.rails.version) detail.version = a.rails.version;
      if (a.rails.apiOnly) detail.apiOnly = 'true';
      out.push({ kind: 'framework', value: 'rails', detail, evidence: a.rails.evidence, confidence: a.gem('rails') || a.gem('railties') ? 'high' : 'medium', ...base });
    }
    for (const [gemName, id, re] of FRAMEWORKS) {
      const g = a.gem(gemName);
      const code = codeEvidence(a, re);
      if (!g && !code) continue;
      const evidence = [g?.evidence, code].filter((e): e is Evidence => e !== undefined && e !== null);
      const version = a.lock?.versions.get(gemName);
      out.push({ kind: 'framework', value: id, ...(version ? { detail: { version } } : {}), evidence, confidence: g && code ? 'high' : 'medium', ...base });
    }
    const puma = a.gem('puma');
    if (puma) {
      const version = a.lock?.versions.get('puma');
      out.push({ kind: 'framework', value: 'puma', detail: { role: 'server', ...(version ? { version } : {}) }, evidence: [puma.evidence], confidence: 'medium', ...base });
    }
    return out;
  },
};
