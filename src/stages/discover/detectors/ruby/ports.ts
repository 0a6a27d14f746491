// Ruby listen ports: config/puma.rb port/bind, Sinatra `set :port`, PORT env defaults in code, then the framework's default port.
import type { Confidence, Detector, Evidence, Signal, SourceClass } from '../../types.js';
import { inApp, isRubyApp, rubyApp, safeCite } from './common.js';

const NAME = 'ruby-port';

/** `ENV.fetch("PORT") { 3000 }`, `ENV.fetch("PORT", 3000)`, `ENV["PORT"] || 3000`, with the port as group 1. */
const ENV_DEFAULT = String.raw`ENV\s*(?:\.fetch\(\s*["']PORT["']\s*(?:,\s*["']?(\d{2,5})["']?\s*\)|\)\s*(?:\{|do)\s*["']?(\d{2,5})["']?)|\[\s*["']PORT["']\s*\]\s*(?:\|\||\bor\b)\s*["']?(\d{2,5})["']?)`;

/** [pattern, confidence, whether the line holds an env default (string literals masked in evidence, as for env reads)] */
const PUMA: [RegExp, Confidence, boolean][] = [
  [/^\s*port\s*\(?\s*(\d{2,5})\b/gm, 'high', false],
  [/^\s*bind\s*\(?\s*["']tcp:\/\/[^"':]*:(\d{2,5})["']/gm, 'high', false],
  [new RegExp(String.raw`^\s*(?:port|bind)\b[^\n]*?${ENV_DEFAULT}`, 'gm'), 'medium', true],
];

const CODE: [RegExp, Confidence, boolean][] = [
  // Sinatra: set :port, 4567 / set :port, ENV.fetch("PORT", 4567)
  [/\bset\s*\(?\s*:port\s*,\s*(\d{2,5})\b/g, 'high', false],
  [new RegExp(ENV_DEFAULT, 'g'), 'medium', true],
];

export const rubyPortDetector: Detector = {
  name: NAME,
  async detect(ctx) {
    if (!isRubyApp(ctx)) return [];
    const a = await rubyApp(ctx);
    const out: Signal[] = [];
    const seen = new Set<string>();
    const push = (port: number, ev: Evidence, source: SourceClass, confidence: Confidence): void => {
      const key = `${ev.file}|${ev.line}`;
      if (!Number.isInteger(port) || port < 1 || port > 65535 || seen.has(key)) return;
      seen.add(key);
      out.push({ kind: 'port', port, evidence: [ev], source, confidence, detector: NAME });
    };
    const portOf = (m: RegExpMatchArray): number => Number(m.slice(1).find((g) => g !== undefined));
    const pumaRb = inApp(ctx.appDir, 'config/puma.rb');
    const puma = a.sources.find((s) => s.path === pumaRb);
    if (puma) for (const [re, conf, env] of PUMA) for (const m of puma.code.matchAll(re)) push(portOf(m), safeCite(puma.path, puma.text, m.index + (m[0].length - m[0].trimStart().length), ['PORT'], env), 'code', conf);
    for (const s of a.sources) {
      if (s.kind !== 'ruby' || s.path === pumaRb || /^config\/environments\//.test(s.rel)) continue;
      for (const [re, conf, env] of CODE) for (const m of s.code.matchAll(re)) push(portOf(m), safeCite(s.path, s.text, m.index, ['PORT'], env), 'code', conf);
    }
    if (out.length === 0) {
      // What the server listens on when nothing says otherwise: rails server 3000, Sinatra's run! 4567, puma/rackup on config.ru 9292.
      const sinatra = a.gem('sinatra');
      const fw: [number, Evidence] | null = a.rails ? [3000, a.rails.evidence[a.rails.evidence.length - 1] as Evidence]
        : a.rackup ? [9292, { file: a.rackup, line: null }]
          : sinatra ? [4567, sinatra.evidence] : null;
      if (fw) push(fw[0], fw[1], 'fallback', 'low');
    }
    return out;
  },
};
