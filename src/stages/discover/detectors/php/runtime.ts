// PHP runtime versions: composer.json require.php and config.platform.php, .php-version and .tool-versions (Docker images are the artifacts group's).
import { cite } from '../../evidence.js';
import type { Confidence, Detector, Evidence, Signal } from '../../types.js';
import { appThenRoot, isPhpApp, isRecord, jsonKeyEvidence } from './common.js';
import { phpProject } from './project.js';

const NAME = 'php-runtime';

/** A Composer constraint as a semver range: `|`/`||` = or, `,` = and; `^8.2`, `>=8.1 <8.4`, `8.3.*` stay as written. */
export function composerRange(constraint: string): string {
  return constraint.split(/\s*\|\|?\s*/).map((part) => part.replace(/\s*,\s*/g, ' ').trim()).filter(Boolean).join(' || ');
}

function sig(range: string, evidence: Evidence, confidence: Confidence = 'high'): Signal {
  return { kind: 'runtime', runtime: 'php', range, evidence: [evidence], source: 'build-file', confidence, detector: NAME };
}

export const phpRuntimeDetector: Detector = {
  name: NAME,
  async detect(ctx) {
    if (!isPhpApp(ctx)) return [];
    const out: Signal[] = [];
    const { composer: c } = await phpProject(ctx);
    const php = c?.deps.get('php');
    if (c && php && php.constraint.trim()) out.push(sig(composerRange(php.constraint), php.evidence));
    // config.platform.php is the version Composer resolves for: the target runtime, stated less directly.
    const platform = c?.json && isRecord(c.json.config) && isRecord(c.json.config.platform) ? c.json.config.platform.php : undefined;
    if (c && typeof platform === 'string' && platform.trim()) out.push(sig(composerRange(platform), jsonKeyEvidence(c.path, c.text, 'php', 'platform'), 'medium'));
    for (const file of appThenRoot(ctx, '.php-version')) {
      const text = await ctx.repo.read(file);
      const m = text === null ? null : /^[ \t]*(?:php-?)?(\d+(?:\.\d+){0,2})\b/m.exec(text);
      if (text !== null && m?.[1]) out.push(sig(m[1], cite(file, text, m.index)));
    }
    for (const file of appThenRoot(ctx, '.tool-versions')) {
      const text = await ctx.repo.read(file);
      if (text === null) continue;
      for (const m of text.matchAll(/^[ \t]*php[ \t]+(\d+(?:\.\d+){0,2})/gm)) if (m[1]) out.push(sig(m[1], cite(file, text, m.index)));
    }
    return out;
  },
};
