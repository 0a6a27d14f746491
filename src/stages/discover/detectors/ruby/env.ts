// Environment variable names a Ruby app reads: ENV[...] / ENV.fetch in code and ERB config, plus the Rails master key and secret_key_base (names only; defaults masked).
import { envSignals, type EnvRead } from '../../env-reads.js';
import type { Detector, Evidence, Signal, SourceClass } from '../../types.js';
import { cite, inApp, isRubyApp, rubyApp, safeCite, type RbSource } from './common.js';

const NAME = 'ruby-env';

const VAR = '([A-Za-z_][A-Za-z0-9_]*)';
/** ENV["X"]: nil when unset, so the app may cope; `ENV["X"] || …` and `.presence || …` make it optional. */
const INDEX = new RegExp(String.raw`\bENV\s*\[\s*["']${VAR}["']\s*\]`, 'g');
/** ENV.fetch("X") raises KeyError when unset; a second argument or a block is the default. */
const FETCH = new RegExp(String.raw`\bENV\.fetch\s*\(\s*["']${VAR}["']\s*(,|\))`, 'g');
const PRESENCE = new RegExp(String.raw`\bENV\.(?:key\?|has_key\?|include\?|member\?)\s*\(\s*["']${VAR}["']`, 'g');

/** The top-level YAML key whose block holds `index` (development:, production: …), or null. */
function yamlSection(text: string, index: number): string | null {
  const before = text.slice(0, index);
  const all = [...before.matchAll(/^([A-Za-z_][\w-]*)[ \t]*:/gm)];
  return all[all.length - 1]?.[1] ?? null;
}

function reads(s: RbSource, out: EnvRead[]): void {
  const ev = (index: number, name: string): Evidence => safeCite(s.path, s.text, index, [name], true);
  const skip = (index: number): boolean => {
    if (s.kind !== 'yaml') return false;
    // ERB config is per environment: what development and test read is not the deployment's concern.
    const sec = yamlSection(s.code, index);
    return sec === 'development' || sec === 'test';
  };
  // The production connection URL in database.yml: when it is the only way the section names its database, it must be set.
  const requiredUrl = (index: number): boolean => {
    if (s.kind !== 'yaml' || !/(?:^|\/)database\.ya?ml$/.test(s.rel) || yamlSection(s.code, index) !== 'production') return false;
    const start = s.code.lastIndexOf('\n', index - 1) + 1;
    return /^\s*url\s*:/.test(s.code.slice(start, index));
  };
  for (const m of s.code.matchAll(INDEX)) {
    const name = m[1] ?? '';
    const after = s.code.slice(m.index + m[0].length, m.index + m[0].length + 40);
    if (/^\s*(?:\|\|)?=(?![=~])/.test(after) || skip(m.index)) continue; // an assignment, not a read
    // A fallback, a presence test or a comparison: the code copes with the variable being unset.
    const optional = /^\s*(?:\.presence\s*)?(?:\|\||\bor\b)/.test(after) || /^\s*\.(?:present\?|blank\?|nil\?|to_s\b)/.test(after) || /^\s*(?:==|!=|=~)/.test(after);
    out.push({ name, required: requiredUrl(m.index) ? true : optional ? false : null, evidence: ev(m.index, name) });
  }
  for (const m of s.code.matchAll(FETCH)) {
    const name = m[1] ?? '';
    if (skip(m.index)) continue;
    const after = s.code.slice(m.index + m[0].length, m.index + m[0].length + 12);
    const defaulted = m[2] === ',' || /^\s*(?:\{|do\b)/.test(after);
    out.push({ name, required: !defaulted, evidence: ev(m.index, name) });
  }
  for (const m of s.code.matchAll(PRESENCE)) if (!skip(m.index)) out.push({ name: m[1] ?? '', required: false, evidence: ev(m.index, m[1] ?? '') });
}

export const rubyEnvDetector: Detector = {
  name: NAME,
  async detect(ctx) {
    if (!isRubyApp(ctx)) return [];
    const a = await rubyApp(ctx);
    const found: EnvRead[] = [];
    for (const s of a.sources) reads(s, found);
    const signals = envSignals(found, NAME);

    // Rails reads these itself, so no line of the app's code names them.
    const implied: { name: string; required: boolean; evidence: Evidence[]; source: SourceClass }[] = [];
    if (a.rails) {
      const creds = ['config/credentials.yml.enc', 'config/credentials/production.yml.enc'].map((r) => inApp(ctx.appDir, r)).filter((p) => ctx.repo.has(p));
      const prod = a.sources.find((s) => s.rel === 'config/environments/production.rb');
      const requireKey = prod ? /^\s*config\.require_master_key\s*=\s*true\b/m.exec(prod.code) : null;
      if (creds.length > 0 || requireKey) {
        const evidence: Evidence[] = creds.map((file) => ({ file, line: null }));
        if (prod && requireKey) evidence.push(cite(prod.path, prod.text, requireKey.index + (requireKey[0].length - requireKey[0].trimStart().length)));
        // The encrypted credentials are unreadable without the key; secret_key_base then comes from them (or from the variable).
        implied.push({ name: 'RAILS_MASTER_KEY', required: true, evidence, source: 'build-file' });
        implied.push({ name: 'SECRET_KEY_BASE', required: false, evidence: evidence.slice(0, 1), source: 'build-file' });
      } else {
        implied.push({ name: 'SECRET_KEY_BASE', required: true, evidence: a.rails.evidence.slice(-1), source: 'fallback' });
      }
    }
    const rank = (r: boolean | null): number => (r === true ? 2 : r === null ? 1 : 0);
    const out: Signal[] = [...signals];
    for (const i of implied) {
      const at = out.findIndex((s) => s.kind === 'env' && s.name === i.name);
      const cur = at >= 0 ? out[at] : undefined;
      if (cur && cur.kind === 'env' && rank(cur.required) >= rank(i.required)) continue;
      const sig: Signal = { kind: 'env', name: i.name, required: i.required, evidence: i.evidence, source: i.source, confidence: i.source === 'fallback' ? 'medium' : 'high', detector: NAME };
      if (at >= 0) out[at] = sig; else out.push(sig);
    }
    return out;
  },
};
