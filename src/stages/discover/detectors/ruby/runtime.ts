// Ruby runtime versions: .ruby-version, .tool-versions, the Gemfile's `ruby` directive and the lockfile's RUBY VERSION.
import type { Confidence, Detector, Evidence, Signal } from '../../types.js';
import { appThenRoot, cite, isRubyApp, rubyApp } from './common.js';

const NAME = 'ruby-runtime';

function sig(range: string, evidence: Evidence[], confidence: Confidence = 'high'): Signal {
  return { kind: 'runtime', runtime: 'ruby', range, evidence, source: 'build-file', confidence, detector: NAME };
}

/**
 * A Gemfile requirement as a semver-ish range: `3.3.0` stays, `~> 3.2` (pessimistic, two parts) is `^3.2`,
 * `~> 3.2.1` is `~3.2.1`, `>= 3.1` is `>=3.1`. Null when it is not a version at all.
 */
export function normalizeRubyRequirement(req: string): string | null {
  const parts = req.split(',').map((p) => p.trim()).filter(Boolean);
  const out: string[] = [];
  for (const p of parts) {
    const m = /^(~>|>=|<=|>|<|=)?\s*(\d+(?:\.\d+){0,2})(?:\.\w+)*$/.exec(p);
    if (!m?.[2]) return null;
    const op = m[1] ?? '';
    if (op === '~>') out.push(m[2].split('.').length >= 3 ? `~${m[2]}` : `^${m[2]}`);
    else out.push(`${op === '=' ? '' : op}${m[2]}`);
  }
  return out.length > 0 ? out.join(' ') : null;
}

/** A version file's value: "3.3.0", "ruby-3.3.0" or "3.3.0-p0"; names like "system" are not versions. */
function versionFileValue(text: string): { value: string; index: number } | null {
  let offset = 0;
  for (const raw of text.split('\n')) {
    const t = raw.replace(/#.*/, '').trim();
    if (t) {
      const m = /^(?:ruby-)?(\d+(?:\.\d+){0,2})/.exec(t);
      return m?.[1] ? { value: m[1], index: offset + raw.indexOf(t) } : null;
    }
    offset += raw.length + 1;
  }
  return null;
}

export const rubyRuntimeDetector: Detector = {
  name: NAME,
  async detect(ctx) {
    if (!isRubyApp(ctx)) return [];
    const a = await rubyApp(ctx);
    const out: Signal[] = [];
    const gemRuby = a.gemfile?.ruby ?? null;
    for (const file of appThenRoot(ctx, '.ruby-version')) {
      const text = await ctx.repo.read(file);
      const v = text === null ? null : versionFileValue(text);
      if (!v || text === null) continue;
      // `ruby file: ".ruby-version"` in the Gemfile points here: the same fact, both places cited.
      const pointer = gemRuby?.file && file.endsWith(gemRuby.file.replace(/^\.\//, '')) ? [gemRuby.evidence] : [];
      out.push(sig(v.value, [cite(file, text, v.index), ...pointer]));
    }
    // Exact versions first: on a tie the first one wins, and a version beats a range.
    for (const file of appThenRoot(ctx, '.tool-versions')) {
      const text = await ctx.repo.read(file);
      if (text === null) continue;
      for (const m of text.matchAll(/^[ \t]*ruby[ \t]+(\d+(?:\.\d+){0,2})/gm)) if (m[1]) out.push(sig(m[1], [cite(file, text, m.index)]));
    }
    if (gemRuby?.value) {
      const range = normalizeRubyRequirement(gemRuby.value);
      if (range) out.push(sig(range, [gemRuby.evidence]));
    }
    if (a.lock?.ruby) out.push(sig(a.lock.ruby.value, [cite(a.lock.path, a.lock.text, a.lock.ruby.index)], 'medium'));
    return out;
  },
};
