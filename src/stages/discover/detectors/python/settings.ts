// Django settings risks: a literal SECRET_KEY (or a literal fallback for it) and DEBUG = True; the key's value is never reported.
import type { Detector, Signal } from '../../types.js';
import { pythonApps } from './apps.js';
import { codeMatches, isPythonApp, safeCite } from './common.js';

const NAME = 'python-django-settings';

export const pythonDjangoSettingsDetector: Detector = {
  name: NAME,
  async detect(ctx) {
    if (!isPythonApp(ctx)) return [];
    const a = await pythonApps(ctx);
    if (!a.django) return [];
    // The settings module, plus split settings (settings/production.py …) next to it.
    const files = a.sources.filter((s) => s.path === a.django?.settingsFile || /(?:^|\/)settings(?:\/[^/]+|_\w+)?\.py$/.test(s.path));
    const out: Signal[] = [];
    const risk = (message: string, file: string, text: string, index: number): void => {
      out.push({ kind: 'risk', severity: 'warning', message, evidence: [safeCite(file, text, index, [])], source: 'code', confidence: 'high', detector: NAME });
    };
    for (const s of files) {
      const literal = [...codeMatches(s.text, /^SECRET_KEY\s*=\s*[rbu]?["']/gm)][0];
      // A literal fallback: os.environ.get('SECRET_KEY', 'django-insecure-…') / env('SECRET_KEY', default='…').
      const fallback = literal ? undefined : [...codeMatches(s.text, /^SECRET_KEY\s*=.*\(\s*["']\w+["']\s*,\s*(?:default\s*=\s*)?[rbu]?["'][^"']{8,}["']/gm)][0];
      if (literal) risk(`insecure default SECRET_KEY: a literal key is committed in ${s.path}; read it from the environment`, s.path, s.text, literal.index);
      else if (fallback) risk(`insecure default SECRET_KEY: ${s.path} falls back to a committed literal key when the variable is unset`, s.path, s.text, fallback.index);
      const debug = [...codeMatches(s.text, /^DEBUG\s*=\s*True\b/gm)][0];
      if (debug) risk(`DEBUG = True in ${s.path}: Django must not run in production with debug on`, s.path, s.text, debug.index);
    }
    return out;
  },
};
