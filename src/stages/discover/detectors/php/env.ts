// Environment variable names PHP apps read: Laravel env() (required only in config/ without a default), getenv, $_ENV/$_SERVER, Symfony %env()% and its .env defaults.
import { envSignals, type EnvRead } from '../../env-reads.js';
import type { Detector, Evidence, Signal } from '../../types.js';
import { envFiles, envLineEvidence, inApp, isPhpApp, safeCite, yamlConfigs, type PhpSource } from './common.js';
import { phpProject } from './project.js';

const NAME = 'php-env';

const ENV_NAME = /^[A-Z_][A-Z0-9_]*$/;
/** $_SERVER keys the web server sets per request: not configuration. */
const SERVER_KEYS = /^(?:REQUEST_\w+|HTTP_\w+|SERVER_\w+|SCRIPT_\w+|PHP_\w+|REMOTE_\w+|DOCUMENT_ROOT|QUERY_STRING|PATH_INFO|PATH_TRANSLATED|ORIG_PATH_INFO|HTTPS|CONTENT_TYPE|CONTENT_LENGTH|GATEWAY_INTERFACE|AUTH_TYPE|ARGV|ARGC)$/;

/** What follows a read: `?:` / `??` give it a fallback. */
const FALLBACK_AFTER = /^\s*(?:\)\s*)?(?:\?:|\?\?)/;

/**
 * Laravel/Lumen env('X'[, default]) and Env::get(). In config/ (read once, then cached) a missing value without a default
 * breaks the app: required. Elsewhere the read is unknown (and after config:cache it returns null, reported as a risk).
 */
function laravelEnv(s: PhpSource, inConfig: boolean, out: EnvRead[]): void {
  for (const m of s.code.matchAll(/(?<![\w$>:])(?:\\?env|\bEnv::get)\(\s*['"]([A-Za-z_][A-Za-z0-9_]*)['"]\s*([),])/g)) {
    const name = m[1] ?? '';
    const hasDefault = m[2] === ',' || FALLBACK_AFTER.test(s.code.slice(m.index + m[0].length, m.index + m[0].length + 12));
    out.push({ name, required: hasDefault ? false : inConfig ? true : null, evidence: safeCite(s.path, s.text, m.index, [name]) });
  }
}

/** getenv('X'), $_ENV['X'], $_SERVER['X'] (upper-case names): PHP returns false/null when unset, so unknown unless guarded. */
function superglobals(s: PhpSource, out: EnvRead[]): void {
  for (const m of s.code.matchAll(/(?<![\w$>:])\\?getenv\(\s*['"]([A-Za-z_][A-Za-z0-9_]*)['"]\s*(?:,\s*\w+\s*)?\)/g)) {
    const name = m[1] ?? '';
    if (!ENV_NAME.test(name)) continue;
    const guarded = FALLBACK_AFTER.test(s.code.slice(m.index + m[0].length, m.index + m[0].length + 8));
    out.push({ name, required: guarded ? false : null, evidence: safeCite(s.path, s.text, m.index, [name]) });
  }
  for (const m of s.code.matchAll(/\$_(ENV|SERVER)\[\s*['"]([A-Za-z_][A-Za-z0-9_]*)['"]\s*\]/g)) {
    const name = m[2] ?? '';
    if (!ENV_NAME.test(name) || (m[1] === 'SERVER' && SERVER_KEYS.test(name))) continue;
    const after = s.code.slice(m.index + m[0].length, m.index + m[0].length + 8);
    if (/^\s*=(?!=)/.test(after)) continue; // an assignment sets it
    const before = s.code.slice(Math.max(0, m.index - 20), m.index);
    const guarded = FALLBACK_AFTER.test(after) || /\b(?:isset|empty|array_key_exists)\s*\([^()]*$/.test(before);
    out.push({ name, required: guarded ? false : null, evidence: safeCite(s.path, s.text, m.index, [name]) });
  }
}

/** Symfony `%env(X)%` in YAML config: required unless a `default:` processor supplies a fallback. */
function symfonyEnv(y: PhpSource, out: EnvRead[]): void {
  for (const m of y.code.matchAll(/%env\(([^)%\s]+)\)%/g)) {
    const parts = (m[1] ?? '').split(':');
    const name = parts[parts.length - 1] ?? '';
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) continue;
    const processors = parts.slice(0, -1);
    out.push({ name, required: !processors.includes('default'), evidence: safeCite(y.path, y.text, m.index, [name]) });
  }
}

export const phpEnvDetector: Detector = {
  name: NAME,
  async detect(ctx) {
    if (!isPhpApp(ctx)) return [];
    const p = await phpProject(ctx);
    const found: EnvRead[] = [];
    const laravel = p.frameworks.some((f) => f.id === 'laravel' || f.id === 'lumen');
    const symfony = p.frameworks.some((f) => f.id === 'symfony');
    for (const s of p.sources) {
      const inConfig = s.rel.startsWith('config/');
      if (laravel || inConfig) laravelEnv(s, inConfig, found);
      superglobals(s, found);
    }
    for (const y of await yamlConfigs(ctx)) symfonyEnv(y, found);
    const out: Signal[] = envSignals(found, NAME);
    const base = { detector: NAME };
    const laravelFw = p.frameworks.find((f) => f.id === 'laravel');
    // Laravel will not encrypt sessions or cookies without APP_KEY, even when no config file names it.
    if (laravelFw && !found.some((f) => f.name === 'APP_KEY' && f.required === true)) {
      out.push({ kind: 'env', name: 'APP_KEY', required: true, evidence: laravelFw.evidence.slice(0, 1), source: 'fallback', confidence: 'high', ...base });
    }
    // Symfony's committed .env holds the defaults Dotenv loads: each name there has a value to fall back on.
    const dotenv = symfony ? (await envFiles(ctx)).find((f) => f.path === inApp(ctx.appDir, '.env')) : undefined;
    if (dotenv) {
      for (const e of dotenv.entries) {
        const evidence: Evidence[] = [envLineEvidence(dotenv.path, e.name, e.line)];
        out.push({ kind: 'env', name: e.name, required: false, hasExample: true, evidence, source: 'docs', confidence: 'medium', ...base });
      }
    }
    return out;
  },
};
