// Environment variable names read by Python code: os.environ / os.getenv, pydantic BaseSettings fields, django-environ and decouple (names only; defaults masked).
import { envSignals, type EnvRead } from '../../env-reads.js';
import type { Detector, Evidence, Signal } from '../../types.js';
import { pythonApps } from './apps.js';
import { codeMatches, isPythonApp, safeCite, type PySource } from './common.js';

const NAME = 'python-env';

type Found = EnvRead;

/** os.environ['X'] (required), os.environ.get / os.getenv with a default or an `or` fallback (false) or without (unknown). */
function osEnv(s: PySource, out: Found[]): void {
  const bare = /^\s*from\s+os\s+import\s+[^\n]*\b(?:environ|getenv)\b/m.test(s.text) ? '(?:os\\.)?' : 'os\\.';
  for (const m of codeMatches(s.text, new RegExp(`\\b${bare}environ\\[\\s*["']([A-Za-z_][A-Za-z0-9_]*)["']\\s*\\]`, 'g'))) {
    // `os.environ['X'] = …` sets it; that is not a read.
    const after = s.text.slice(m.index + m[0].length, m.index + m[0].length + 4);
    if (/^\s*=(?!=)/.test(after)) continue;
    out.push({ name: m[1] ?? '', required: true, evidence: safeCite(s.path, s.text, m.index, [m[1] ?? ''], true, true) });
  }
  for (const m of codeMatches(s.text, new RegExp(`\\b${bare}(?:environ\\.get|getenv)\\(\\s*["']([A-Za-z_][A-Za-z0-9_]*)["']\\s*(,\\s*[^)\\s])?`, 'g'))) {
    // `os.environ.get('X') or None` falls back like a default does: the app runs without X.
    const orFallback = !m[2] && /^\s*\)\s*or\b/.test(s.text.slice(m.index + m[0].length, m.index + m[0].length + 40));
    out.push({ name: m[1] ?? '', required: m[2] || orFallback ? false : null, evidence: safeCite(s.path, s.text, m.index, [m[1] ?? ''], true, true) });
  }
}

/** The body of a class: lines indented deeper than the `class` line, up to the next dedent. */
function classBody(text: string, start: number): { body: string; offset: number } {
  const lineEnd = text.indexOf('\n', start);
  if (lineEnd < 0) return { body: '', offset: text.length };
  const rest = text.slice(lineEnd + 1);
  const lines = rest.split('\n');
  let len = 0;
  for (const l of lines) {
    if (l.trim() !== '' && !/^\s/.test(l)) break;
    len += l.length + 1;
  }
  return { body: rest.slice(0, len), offset: lineEnd + 1 };
}

/** The default after a multi-line annotation whose brackets `head` leaves open, or undefined (none, or balanced). */
function defaultAfterAnnotation(body: string, from: number, head: string): string | undefined {
  let depth = (head.match(/[[(]/g) ?? []).length - (head.match(/[\])]/g) ?? []).length;
  if (depth <= 0) return undefined;
  for (let i = from; i < body.length; i++) {
    const c = body[i];
    if (c === '[' || c === '(') depth++;
    else if (c === ']' || c === ')') {
      depth--;
      if (depth === 0) return /^[ \t]*=[ \t]*([^\n]*)/.exec(body.slice(i + 1))?.[1]?.trim();
    }
  }
  return undefined;
}

/** pydantic BaseSettings subclasses: a field without a default is required; env_prefix applies when a literal. */
function pydantic(s: PySource, out: Found[]): void {
  if (!/BaseSettings\b/.test(s.text)) return;
  for (const c of s.text.matchAll(/^class\s+\w+\s*\(([^)]*\bBaseSettings\b[^)]*)\)\s*:/gm)) {
    const { body, offset } = classBody(s.text, c.index);
    const prefix = /\benv_prefix\s*=\s*["']([^"']*)["']/.exec(body)?.[1] ?? '';
    const caseSensitive = /\bcase_sensitive\s*=\s*True/.test(body);
    // Top-level fields of the class body only (its own indentation), skipping model_config and nested classes.
    const indent = /^([ \t]+)\S/m.exec(body)?.[1] ?? '    ';
    const fieldRe = new RegExp(`^${indent}([A-Za-z_][A-Za-z0-9_]*)\\s*:\\s*([^=\\n]+?)\\s*(?:=\\s*([^\\n]*))?$`, 'gm');
    for (const f of body.matchAll(fieldRe)) {
      const field = f[1] ?? '';
      if (field === 'model_config' || field.startsWith('_') || /^ClassVar\b/.test(f[2] ?? '')) continue;
      // An annotation spread over lines (`X: Annotated[\n …\n] = []`): the default follows its closing bracket.
      const dflt = f[3]?.trim() ?? defaultAfterAnnotation(body, (f.index ?? 0) + f[0].length, f[2] ?? '');
      let required = dflt === undefined;
      let name = `${prefix}${field}`;
      const fieldCall = dflt ? /^(?:\w+\.)?Field\((.*)\)?$/.exec(dflt) : null;
      if (fieldCall) {
        const args = fieldCall[1] ?? '';
        required = /^\s*(?:\.\.\.|default\s*=\s*\.\.\.)\s*(?:,|$|\))/.test(args) || (!/\bdefault(?:_factory)?\s*=/.test(args) && !/^\s*[^\s=,]+\s*(?:,|$|\))/.test(args));
        const alias = /\b(?:validation_alias|alias|env)\s*=\s*["']([^"']+)["']/.exec(args);
        if (alias?.[1]) name = alias[1];
      }
      out.push({ name: caseSensitive ? name : name.toUpperCase(), required, evidence: safeCite(s.path, s.text, offset + (f.index ?? 0) + indent.length, [field], true, true) });
    }
  }
}

/** django-environ (`env('X')`, `env.str('X', default=…)`, Env(X=(type, default)) schemes) and python-decouple `config('X')`. */
function djangoEnviron(s: PySource, out: Found[]): void {
  const environ = /^\s*import\s+environ\b|^\s*from\s+environ\s+import\b/m.test(s.text);
  const decouple = /^\s*from\s+decouple\s+import\b[^\n]*\bconfig\b/m.test(s.text);
  if (!environ && !decouple) return;
  const vars = new Set<string>();
  const schemeDefaults = new Set<string>();
  for (const m of s.text.matchAll(/^(\w+)\s*=\s*(?:environ\.)?Env\(([\s\S]*?)\)\s*$/gm)) {
    if (m[1]) vars.add(m[1]);
    for (const k of (m[2] ?? '').matchAll(/\b([A-Za-z_][A-Za-z0-9_]*)\s*=\s*\(\s*\w+\s*,/g)) if (k[1]) schemeDefaults.add(k[1]);
  }
  if (environ && vars.size === 0) vars.add('env');
  if (decouple) vars.add('config');
  for (const v of vars) {
    const re = new RegExp(`\\b${v}(?:\\.(\\w+))?\\(\\s*["']([A-Za-z_][A-Za-z0-9_]*)["']([^)\\n]*)`, 'g');
    for (const m of codeMatches(s.text, re)) {
      const method = m[1];
      if (method && /^(?:read_env|smart_cast|parse_value|ENVIRON|escape_proxy)$/.test(method)) continue;
      const name = m[2] ?? '';
      const rest = m[3] ?? '';
      const hasDefault = /\bdefault\s*=/.test(rest) || schemeDefaults.has(name) || ((method !== undefined || v === 'config') && /^\s*,\s*[^\s=,]+\s*(?:,|$)/.test(rest));
      out.push({ name, required: !hasDefault, evidence: safeCite(s.path, s.text, m.index, [name], true, true) });
    }
  }
}

export const pythonEnvDetector: Detector = {
  name: NAME,
  async detect(ctx) {
    if (!isPythonApp(ctx)) return [];
    const a = await pythonApps(ctx);
    const found: Found[] = [];
    for (const s of a.sources) { osEnv(s, found); pydantic(s, found); djangoEnviron(s, found); }
    return envSignals(found, NAME);
  },
};
