// Shared reading helpers for the Ruby detectors: app gating, Gemfile and Gemfile.lock parsing, source files with comments blanked, redacted citations.
import { cite, inApp, lineAt, looksSecret } from '../../evidence.js';
import type { DetectContext, Evidence } from '../../types.js';

export { appThenRoot } from '../../evidence.js';
export { cite, inApp, lineAt };

/** The app's Gemfile (or Bundler's alternative gems.rb), or null. */
export function gemfilePath(ctx: DetectContext): string | null {
  for (const rel of ['Gemfile', 'gems.rb']) if (ctx.repo.has(inApp(ctx.appDir, rel))) return inApp(ctx.appDir, rel);
  return null;
}

/** The lockfile next to the Gemfile (Bundler always writes it there), or null. */
export function lockPath(ctx: DetectContext): string | null {
  for (const rel of ['Gemfile.lock', 'gems.locked']) {
    const p = inApp(ctx.appDir, rel);
    if (ctx.repo.has(p)) return p;
  }
  return null;
}

/** Whether the app dir holds a Ruby app: a Gemfile, a lockfile or a Rack config, judged from file names only. */
export function isRubyApp(ctx: DetectContext): boolean {
  return ['Gemfile', 'gems.rb', 'Gemfile.lock', 'gems.locked', 'config.ru'].some((m) => ctx.repo.has(inApp(ctx.appDir, m)));
}

export function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/**
 * Blanks Ruby comments (same length, newlines kept) so offsets still map to the original text: `#` to the end
 * of the line outside string literals, `=begin`/`=end` blocks and everything after `__END__`.
 */
export function blankRubyComments(text: string): string {
  const out = text.split('');
  const n = text.length;
  let i = 0;
  let lineStart = true;
  while (i < n) {
    const c = text[i];
    if (lineStart && text.startsWith('=begin', i) && /^=begin\b/.test(text.slice(i, i + 7))) {
      const end = text.indexOf('\n=end', i);
      const stop = end < 0 ? n : (text.indexOf('\n', end + 1) < 0 ? n : text.indexOf('\n', end + 1));
      for (; i < stop; i++) if (text[i] !== '\n') out[i] = ' ';
      continue;
    }
    if (lineStart && text.startsWith('__END__', i) && (text[i + 7] === '\n' || i + 7 === n)) {
      for (; i < n; i++) if (text[i] !== '\n') out[i] = ' ';
      break;
    }
    lineStart = false;
    if (c === '\n') { lineStart = true; i++; continue; }
    if (c === '#') {
      while (i < n && text[i] !== '\n') out[i++] = ' ';
      continue;
    }
    if (c === '"' || c === "'" || c === '`') {
      // `?"` is a character literal, not the start of a string.
      if (text[i - 1] === '?' && /[\s(,=]/.test(text[i - 2] ?? ' ')) { i++; continue; }
      i++;
      let depth = 0;
      while (i < n && text[i] !== '\n') {
        if (text[i] === '\\') { i += 2; continue; }
        if (c === '"' && text[i] === '#' && text[i + 1] === '{') { depth++; i += 2; continue; }
        if (depth > 0 && text[i] === '}') { depth--; i++; continue; }
        if (depth === 0 && text[i] === c) break;
        i++;
      }
      i++;
      continue;
    }
    i++;
  }
  return out.join('');
}

/** Blanks YAML comments (whole-line `#` comments and ` #` tails) and ERB comment tags `<%# … %>`, keeping offsets. */
export function blankYamlComments(text: string): string {
  let out = text.replace(/<%#[\s\S]*?%>/g, (m) => m.replace(/[^\n]/g, ' '));
  out = out.replace(/(^|[ \t])#[^\n]*/gm, (m, lead: string) => lead + ' '.repeat(m.length - lead.length));
  return out;
}

export interface Gem {
  name: string;
  /** Declared only in development/test groups. */
  dev: boolean;
  evidence: Evidence;
  /** Version requirements as written (`'4.2.6'`, `'~> 7.1'`), when the declaration gives any. */
  requirements?: string[];
}

/** The version a Gemfile requirement list pins exactly (`'4.2.6'`, `'= 4.2.6'`), or null. */
export function pinnedVersion(requirements: readonly string[] | undefined): string | null {
  for (const r of requirements ?? []) {
    const m = /^\s*=?\s*(\d+(?:\.\d+)*)\s*$/.exec(r);
    if (m?.[1]) return m[1];
  }
  return null;
}

/** The major version a requirement list fixes: an exact pin, or a pessimistic one (`'~> 4.2'` stays on 4). */
export function pinnedMajor(requirements: readonly string[] | undefined): number | null {
  for (const r of requirements ?? []) {
    const m = /^\s*(?:=|~>)?\s*(\d+)(\.\d+)?(?:\.\d+)*\s*$/.exec(r);
    if (m?.[1]) return Number(m[1]);
  }
  return null;
}

export interface Gemfile {
  path: string;
  text: string;
  gems: Map<string, Gem>;
  /** `ruby "3.3.0"` / `ruby "~> 3.2"` as written, or `ruby file: ".ruby-version"`. */
  ruby: { value: string | null; file: string | null; evidence: Evidence } | null;
}

const DEV_GROUPS = new Set(['development', 'test']);

/** Group names in `group :development, :test do` or `group: [:development]` / `groups: %i[test]`. */
function groupNames(s: string): string[] {
  return [...s.matchAll(/:(\w+)|["'](\w+)["']|\b(\w+)\b/g)].map((m) => m[1] ?? m[2] ?? m[3] ?? '').filter((g) => g !== '' && !/^(?:do|group|groups|i|w|optional|true|false)$/.test(g));
}

/** Parses a Gemfile line by line: gem declarations with their groups, and the `ruby` directive. Never evaluates it. */
export function parseGemfile(path: string, text: string): Gemfile {
  const code = blankRubyComments(text);
  const gems = new Map<string, Gem>();
  let ruby: Gemfile['ruby'] = null;
  // A stack of open `do` blocks; each entry is the groups it restricts to, or null for blocks that do not (source, platforms …).
  const stack: (string[] | null)[] = [];
  let offset = 0;
  for (const raw of code.split('\n')) {
    const at = offset;
    offset += raw.length + 1;
    const line = raw.trim();
    if (!line) continue;
    const group = /^group\s*\(?\s*(.*?)\)?\s*do\b/.exec(line);
    if (group) { stack.push(groupNames(group[1] ?? '')); continue; }
    // Other blocks (source/platforms/git … do) and conditionals (if ENV[…]) close with `end` too.
    if (/^\w+\b.*\bdo\s*(?:\|[^|]*\|)?$/.test(line) || /^(?:if|unless|case|begin|while|until)\b/.test(line)) { stack.push(null); continue; }
    if (/^end\b/.test(line)) { stack.pop(); continue; }
    const lead = raw.length - raw.trimStart().length;
    const g = /^gem\s*\(?\s*["']([^"']+)["'](.*)$/.exec(line);
    if (g?.[1]) {
      const inline = /\bgroups?\s*(?::|=>)\s*(\[[^\]]*\]|%i\[[^\]]*\]|:\w+|["']\w+["'])/.exec(g[2] ?? '');
      const groups = inline ? groupNames(inline[1] ?? '') : [];
      const scoped = stack.filter((s): s is string[] => s !== null);
      const all = [...scoped.flat(), ...groups];
      const dev = all.length > 0 && all.every((x) => DEV_GROUPS.has(x));
      const cur = gems.get(g[1]);
      // Requirements are the plain strings right after the name, before any option (`require:`, `group:` …).
      const requirements = [...(/^((?:\s*,\s*["'][^"']*["'])*)/.exec(g[2] ?? '')?.[1] ?? '').matchAll(/["']([^"']*)["']/g)].map((x) => x[1] ?? '');
      if (!cur || (cur.dev && !dev)) gems.set(g[1], { name: g[1], dev, evidence: cite(path, text, at + lead), ...(requirements.length ? { requirements } : {}) });
      continue;
    }
    const r = /^ruby\s*\(?\s*(?:["']([^"']+)["']|file:\s*["']([^"']+)["'])/.exec(line);
    if (r && !ruby) ruby = { value: r[1] ?? null, file: r[2] ?? null, evidence: cite(path, text, at + lead) };
  }
  return { path, text, gems, ruby };
}

export interface Lockfile {
  path: string;
  text: string;
  /** Resolved gem versions from the GEM/GIT/PATH specs. */
  versions: Map<string, string>;
  ruby: { value: string; index: number } | null;
  bundler: { value: string; index: number } | null;
}

/** Parses Gemfile.lock sections: top-level specs (4-space indent), RUBY VERSION and BUNDLED WITH. */
export function parseLockfile(path: string, text: string): Lockfile {
  const versions = new Map<string, string>();
  let ruby: Lockfile['ruby'] = null;
  let bundler: Lockfile['bundler'] = null;
  let section = '';
  let offset = 0;
  for (const raw of text.split('\n')) {
    const at = offset;
    offset += raw.length + 1;
    if (/^[A-Z]/.test(raw)) { section = raw.trim(); continue; }
    const lead = raw.length - raw.trimStart().length;
    if (section === 'RUBY VERSION') {
      const m = /^\s*ruby\s+(\d+(?:\.\d+){0,2})/.exec(raw);
      if (m?.[1]) ruby = { value: m[1], index: at + lead };
    } else if (section === 'BUNDLED WITH') {
      const m = /^\s*(\d+(?:\.\d+)*)/.exec(raw);
      if (m?.[1]) bundler = { value: m[1], index: at + lead };
    } else if (/^(?:GEM|GIT|PATH)$/.test(section)) {
      const m = /^ {4}([A-Za-z0-9_.-]+) \(([^)]+)\)\s*$/.exec(raw);
      if (m?.[1] && m[2]) versions.set(m[1], m[2].replace(/-[a-z].*$/, ''));
    }
  }
  return { path, text, versions, ruby, bundler };
}

/** Files the app's code lives in. Tests, dependencies and dev/test-only environment files are left out. */
const SOURCE_DIR = /^(?:app|config|lib)\//;
const SKIP = /(?:^|\/)(?:spec|test|tests|vendor|node_modules|tmp|log|coverage|db|public)\//;
const DEV_ENV_FILE = /^config\/environments\/(?:development|test)\.rb$/;
export const MAX_SOURCE_FILES = 2000;

export interface RbSource {
  path: string;
  /** path relative to the app dir */
  rel: string;
  text: string;
  /** text with comments blanked (same offsets) */
  code: string;
  kind: 'ruby' | 'yaml';
}

/** The app's Ruby sources and ERB-YAML config, shallowest first. */
export function sourceFiles(ctx: DetectContext): string[] {
  const prefixLen = ctx.appDir === '' ? 0 : ctx.appDir.length + 1;
  const out: string[] = [];
  for (const f of ctx.repo.under(ctx.appDir)) {
    const rel = f.path.slice(prefixLen);
    if (SKIP.test(rel) || DEV_ENV_FILE.test(rel) || /_spec\.rb$|_test\.rb$/.test(rel)) continue;
    const ruby = rel.endsWith('.rb') && (SOURCE_DIR.test(rel) || !rel.includes('/'));
    const yaml = /^config\/[^/]+\.ya?ml$/.test(rel);
    if (ruby || yaml || rel === 'config.ru') out.push(f.path);
  }
  const depth = (p: string): number => p.split('/').length;
  return out.sort((a, b) => depth(a) - depth(b) || a.localeCompare(b)).slice(0, MAX_SOURCE_FILES);
}

export interface RubyApp {
  gemfile: Gemfile | null;
  lock: Lockfile | null;
  sources: RbSource[];
  /** Runtime (non-dev) declaration of a gem in the Gemfile, or its presence in the lockfile. */
  gem(name: string): Gem | undefined;
  /** Whether the gem is declared or resolved at all, dev or not. */
  uses(name: string): boolean;
  /** A Rails app: rails/railties in the Gemfile plus config/application.rb, with its evidence. */
  /** `major`: from the resolved version, else from the Gemfile requirement (an exact or `~>` pin). */
  rails: { evidence: Evidence[]; version: string | null; major: number | null; apiOnly: boolean } | null;
  /** config.ru, when present (a Rack app). */
  rackup: string | null;
}

const CACHE = new WeakMap<object, Map<string, Promise<RubyApp>>>();

/** Gemfile, lockfile and sources of the app, read once per repo index and app dir. */
export function rubyApp(ctx: DetectContext): Promise<RubyApp> {
  let per = CACHE.get(ctx.repo);
  if (!per) { per = new Map(); CACHE.set(ctx.repo, per); }
  const hit = per.get(ctx.appDir);
  if (hit) return hit;
  const p = (async (): Promise<RubyApp> => {
    const gp = gemfilePath(ctx);
    const gtext = gp ? await ctx.repo.read(gp) : null;
    const gemfile = gp && gtext !== null ? parseGemfile(gp, gtext) : null;
    const lp = lockPath(ctx);
    const ltext = lp ? await ctx.repo.read(lp) : null;
    const lock = lp && ltext !== null ? parseLockfile(lp, ltext) : null;
    const files = sourceFiles(ctx);
    const texts = await Promise.all(files.map((f) => ctx.repo.read(f)));
    const prefixLen = ctx.appDir === '' ? 0 : ctx.appDir.length + 1;
    const sources: RbSource[] = [];
    files.forEach((f, i) => {
      const t = texts[i];
      if (typeof t !== 'string') return;
      const kind = /\.ya?ml$/.test(f) ? 'yaml' : 'ruby';
      sources.push({ path: f, rel: f.slice(prefixLen), text: t, code: kind === 'yaml' ? blankYamlComments(t) : blankRubyComments(t), kind });
    });
    const gem = (name: string): Gem | undefined => {
      const g = gemfile?.gems.get(name);
      if (g) return g.dev ? undefined : g;
      // Only the lockfile: a transitive or a Gemfile we could not read; cite the spec line.
      if (!gemfile && lock?.versions.has(name)) {
        const m = new RegExp(`^ {4}${escapeRe(name)} \\(`, 'm').exec(lock.text);
        return { name, dev: false, evidence: m ? cite(lock.path, lock.text, m.index + 4) : { file: lock.path, line: null } };
      }
      return undefined;
    };
    const uses = (name: string): boolean => gemfile?.gems.has(name) === true || lock?.versions.has(name) === true;
    let rails: RubyApp['rails'] = null;
    const appRb = sources.find((s) => s.rel === 'config/application.rb');
    const railsGem = gem('rails') ?? gem('railties');
    const appClass = appRb ? /^\s*class\s+Application\s*<\s*Rails::Application\b/m.exec(appRb.code) : null;
    if (railsGem || appClass) {
      const evidence: Evidence[] = [];
      if (railsGem) evidence.push(railsGem.evidence);
      if (appRb && appClass) evidence.push(cite(appRb.path, appRb.text, appClass.index + (appClass[0].length - appClass[0].trimStart().length)));
      // A rails gem without config/application.rb is a library using ActiveSupport & co, not an app.
      if (appClass) {
        // The lockfile's resolved version first; else the Gemfile's own pin (`gem 'rails', '4.2.6'`).
        const requirements = gemfile?.gems.get('rails')?.requirements ?? gemfile?.gems.get('railties')?.requirements;
        const version = lock?.versions.get('rails') ?? lock?.versions.get('railties') ?? pinnedVersion(requirements);
        const major = version ? Number(/^(\d+)/.exec(version)?.[1] ?? NaN) : pinnedMajor(requirements);
        rails = { evidence, version, major: major !== null && Number.isFinite(major) ? major : null, apiOnly: appRb ? /^\s*config\.api_only\s*=\s*true\b/m.test(appRb.code) : false };
      }
    }
    const ru = inApp(ctx.appDir, 'config.ru');
    return { gemfile, lock, sources, gem, uses, rails, rackup: ctx.repo.has(ru) ? ru : null };
  })();
  per.set(ctx.appDir, p);
  return p;
}

const RB_STRING = /(["'])((?:\\.|(?!\1)[^\\\n])*)\1/g;

/**
 * Makes a Ruby or YAML line safe to print: credentials in URLs are masked, and on a line that mentions a
 * secret-looking name (or any line, with `all`) every string literal except the names in `keep` becomes "***".
 */
export function scrubRuby(line: string, keep: readonly string[] = [], all = false): string {
  let out = line.replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^\s'"@/]*@/gi, '$1***@');
  const words = out.match(/[A-Za-z_][A-Za-z0-9_]*/g) ?? [];
  if (all || words.some((w) => looksSecret(w))) {
    out = out.replace(RB_STRING, (lit, q: string, body: string) => (keep.includes(body) ? lit : `${q}***${q}`));
  }
  return out;
}

/** Evidence for offset `index` of a file, the line scrubbed before truncation so a cut never leaves a secret unmasked. */
export function safeCite(file: string, text: string, index: number, keep: readonly string[] = [], all = false): Evidence {
  const start = text.lastIndexOf('\n', index - 1) + 1;
  const endRaw = text.indexOf('\n', index);
  const t = scrubRuby(text.slice(start, endRaw < 0 ? text.length : endRaw).trim(), keep, all);
  return { file, line: lineAt(text, index), text: t.length > 160 ? `${t.slice(0, 157)}...` : t };
}

export interface DbSection { name: string; adapter: string | null; /** offset of the adapter line (own or inherited), for evidence */ index: number | null }

/**
 * The top-level sections of config/database.yml with their ActiveRecord adapter, following `<<: *anchor`
 * merges one level deep (the stock layout: `default: &default` holding the adapter, environments merging it).
 */
export function databaseSections(code: string): DbSection[] {
  const raw: { name: string; anchor: string | null; merges: string[]; adapter: string | null; index: number | null }[] = [];
  // [ \t] rather than \s: a match must not run into the next line and swallow its indentation.
  for (const m of code.matchAll(/^([A-Za-z_][\w-]*)[ \t]*:[ \t]*(?:&([\w-]+))?|^[ \t]+<<[ \t]*:[ \t]*\*([\w-]+)|^[ \t]+adapter[ \t]*:[ \t]*["']?([\w-]+)/gm)) {
    if (m[1]) { raw.push({ name: m[1], anchor: m[2] ?? null, merges: [], adapter: null, index: null }); continue; }
    const cur = raw[raw.length - 1];
    if (!cur) continue;
    if (m[3]) cur.merges.push(m[3]);
    else if (m[4] && cur.adapter === null) { cur.adapter = m[4]; cur.index = m.index + (m[0].length - m[0].trimStart().length); }
  }
  return raw.map((r) => {
    if (r.adapter !== null) return { name: r.name, adapter: r.adapter, index: r.index };
    const base = r.merges.map((a) => raw.find((x) => x.anchor === a)).find((x) => x?.adapter);
    return { name: r.name, adapter: base?.adapter ?? null, index: base?.index ?? null };
  });
}

/** Every `scheme://…` reduced to its scheme (connection URLs in evidence). */
export function scrubUrls(line: string): string {
  return line.replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^\s'"]*/gi, '$1…');
}

/** Offset of the first non-blank character of the line holding `index`. */
export function lineStart(text: string, index: number): number {
  const start = text.lastIndexOf('\n', index - 1) + 1;
  const m = /^[ \t]*/.exec(text.slice(start));
  return start + (m?.[0].length ?? 0);
}
