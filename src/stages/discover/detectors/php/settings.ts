// Laravel config risks: debug on by default in config/app.php, a committed APP_KEY, and env() read outside config/ (null once config is cached).
import type { Detector, Evidence, Signal } from '../../types.js';
import { inApp, isPhpApp, safeCite } from './common.js';
import { phpProject } from './project.js';

const NAME = 'php-laravel-settings';

export const phpLaravelSettingsDetector: Detector = {
  name: NAME,
  async detect(ctx) {
    if (!isPhpApp(ctx)) return [];
    const p = await phpProject(ctx);
    if (!p.frameworks.some((f) => f.id === 'laravel')) return [];
    const out: Signal[] = [];
    const risk = (message: string, evidence: Evidence[]): void => {
      out.push({ kind: 'risk', severity: 'warning', message, evidence, source: 'code', confidence: 'high', detector: NAME });
    };
    const app = p.sources.find((s) => s.path === inApp(ctx.appDir, 'config/app.php'));
    if (app) {
      // An .env.example with APP_DEBUG=true is a local default; the config file is what production runs with.
      const debug = /['"]debug['"]\s*=>\s*(?:\(bool\)\s*)?(?:true\b|(?:\\?env|Env::get)\(\s*['"]APP_DEBUG['"]\s*,\s*(?:true|['"]true['"])\s*\))/i.exec(app.code);
      if (debug) {
        const literal = /=>\s*(?:\(bool\)\s*)?true\b/i.test(debug[0]);
        risk(literal
          ? `'debug' => true is hard-coded in ${app.path}: Laravel shows stack traces and environment details to visitors; read it from APP_DEBUG (default false)`
          : `debug defaults to on in ${app.path} when APP_DEBUG is unset: make the default false so production never runs with debug on`,
        [safeCite(app.path, app.text, debug.index)]);
      }
      const key = /['"]key['"]\s*=>\s*(?:['"][^'"]{8,}['"]|(?:\\?env|Env::get)\(\s*['"]APP_KEY['"]\s*,\s*['"][^'"]{8,}['"]\s*\))/.exec(app.code);
      if (key) {
        const fallback = /APP_KEY/.test(key[0]);
        risk(fallback
          ? `insecure default APP_KEY: ${app.path} falls back to a committed key when APP_KEY is unset`
          : `insecure default APP_KEY: a literal key is committed in ${app.path}; read it from APP_KEY`,
        [safeCite(app.path, app.text, key.index)]);
      }
    }
    // env() outside config/ works until `php artisan config:cache`, then returns null: read such values through config().
    const outside: { name: string; evidence: Evidence }[] = [];
    for (const s of p.sources) {
      if (s.rel.startsWith('config/') || s.rel.startsWith('bootstrap/') || s.rel === 'artisan' || s.rel.startsWith('public/')) continue;
      for (const m of s.code.matchAll(/(?<![\w$>:])\\?env\(\s*['"]([A-Za-z_][A-Za-z0-9_]*)['"]/g)) {
        const name = m[1] ?? '';
        if (!outside.some((o) => o.name === name)) outside.push({ name, evidence: safeCite(s.path, s.text, m.index, [name]) });
      }
    }
    if (outside.length > 0) {
      const names = outside.map((o) => o.name);
      risk(`env() is read outside config/ (${names.slice(0, 5).join(', ')}${names.length > 5 ? ', …' : ''}): it returns null once \`php artisan config:cache\` runs; move the read into a config file and use config()`,
        outside.slice(0, 3).map((o) => o.evidence));
    }
    return out;
  },
};
