// Shared JVM reading: pom.xml / Gradle build files, dependencies, application properties/yml and sources, parsed once per app and cached.
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { parse as parseToml } from 'smol-toml';
import { lineAt } from '../../evidence.js';
import { inApp } from '../../evidence.js';
import type { DetectContext, Evidence, RepoIndex } from '../../types.js';

export interface TextFile { path: string; text: string }

export interface Dep {
  group: string;
  artifact: string;
  /** test-scoped (maven <scope>test</scope>, gradle test*) */
  test: boolean;
  evidence: Evidence;
}

export interface Prop {
  key: string;
  value: string;
  file: string;
  line: number;
  /** The raw line, for evidence (redact before printing). */
  raw: string;
}

export interface Pom {
  path: string;
  text: string;
  /** Parsed `project` element, or null when the XML is invalid. */
  project: Record<string, unknown> | null;
  error: { message: string; line: number | null } | null;
}

export interface JvmBuild {
  pom: Pom | null;
  gradle: TextFile | null;
  settings: TextFile | null;
  gradleProps: TextFile | null;
  /** For an app in a subdirectory: the repo root's build.gradle(.kts) and gradle.properties (shared versions). */
  rootGradle: TextFile | null;
  rootGradleProps: TextFile | null;
  deps: Dep[];
  /** Gradle plugin ids (`id 'x'`, `id("x")`, `kotlin("jvm")` → org.jetbrains.kotlin.jvm) with evidence. */
  plugins: Map<string, Evidence>;
  props: Prop[];
  sources: TextFile[];
}

export function isJvmApp(ctx: DetectContext): boolean {
  return ['pom.xml', 'build.gradle', 'build.gradle.kts'].some((f) => ctx.repo.has(inApp(ctx.appDir, f)));
}

export function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Evidence for offset `index` with the line made safe: placeholder defaults, URLs and secret-looking values masked. */
export function safeCite(file: string, text: string, index: number): Evidence {
  const start = text.lastIndexOf('\n', index - 1) + 1;
  const endRaw = text.indexOf('\n', index);
  const t = redact(text.slice(start, endRaw < 0 ? text.length : endRaw).trim());
  return { file, line: lineAt(text, index), text: t.length > 160 ? `${t.slice(0, 157)}...` : t };
}

const SECRETISH = /(secret|token|password|passwd|private|api[-_.]?key|access[-_.]?key|credential|\bkey\b|auth)/i;

/** Masks `${X:default}` defaults, everything after a URL/JDBC scheme, and values of secret-looking keys or string literals. */
export function redact(line: string): string {
  let out = line.replace(/\$\{([^}:]+):[^}]*\}/g, '${$1:…}');
  // literal defaults in code: @ConfigProperty(defaultValue = "…"), getOrDefault("X", "…"), getProperty("x", "…")
  out = out.replace(/(\bdefaultValue\s*=\s*)"(?:[^"\\\n]|\\.)*"/g, '$1"…"');
  out = out.replace(/(\b(?:getOrDefault|getProperty|getenv)\(\s*"[^"]*"\s*,\s*)"(?:[^"\\\n]|\\.)*"/g, '$1"…"');
  out = out.replace(/\b(jdbc:[a-z0-9]+:|[a-z][a-z0-9+.-]*:\/\/)[^\s'"<]*/gi, '$1…');
  if (SECRETISH.test(out)) {
    // properties/yml `key = value` / `key: value`: keep placeholders only.
    out = out.replace(/^([\w.\-%"']+\s*[=:]\s*)(.+)$/, (_all, k: string, v: string) => `${k}${/^\$\{[^}]*\}$/.test(v.trim()) ? v : '***'}`);
    // string literals in code, except ones that are env-var names or placeholders
    out = out.replace(/"([^"\\\n]*)"/g, (all, body: string) => (/^[A-Z][A-Z0-9_]*$/.test(body) || /^\$\{[^}]*\}$/.test(body) ? all : '"***"'));
    // XML element text
    out = out.replace(/>([^<]+)</g, (all, body: string) => (/^\$\{[^}]*\}$/.test(body.trim()) ? all : '>***<'));
  }
  return out;
}

/** Offset of the first regex match in text, or -1. */
export function indexOf(text: string, re: RegExp): number {
  const m = re.exec(text);
  return m ? m.index : -1;
}

/** Whether offset `index` sits inside a // or /* comment (best effort, string-unaware). */
export function inComment(text: string, index: number): boolean {
  const lineStart = text.lastIndexOf('\n', index - 1) + 1;
  const before = text.slice(lineStart, index);
  if (/\/\/|^\s*\*|^\s*#/.test(before)) return true;
  const open = text.lastIndexOf('/*', index);
  return open >= 0 && text.lastIndexOf('*/', index) < open;
}

export function* codeMatches(text: string, re: RegExp): Generator<RegExpExecArray> {
  for (const m of text.matchAll(re)) if (!inComment(text, m.index)) yield m as RegExpExecArray;
}

// ---- pom.xml ----

const xml = new XMLParser({ ignoreAttributes: true, parseTagValue: false, trimValues: true, isArray: (name) => ['dependency', 'plugin', 'module'].includes(name) });

function readPom(path: string, text: string): Pom {
  const v = XMLValidator.validate(text);
  if (v !== true) return { path, text, project: null, error: { message: `invalid pom.xml: ${v.err.msg}`, line: typeof v.err.line === 'number' ? v.err.line : null } };
  try {
    const doc = xml.parse(text) as Record<string, unknown>;
    const project = doc['project'];
    return { path, text, project: project && typeof project === 'object' ? (project as Record<string, unknown>) : null, error: null };
  } catch (e) {
    return { path, text, project: null, error: { message: `invalid pom.xml: ${e instanceof Error ? e.message : String(e)}`, line: null } };
  }
}

function obj(v: unknown): Record<string, unknown> | undefined {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}
function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v.trim() : typeof v === 'number' ? String(v) : undefined;
}

/** A value of the pom, by element path (parsed, or by regex when the XML is invalid). */
export function pomValue(pom: Pom, ...path: string[]): string | undefined {
  if (pom.project) {
    let cur: unknown = pom.project;
    for (const p of path) cur = obj(cur)?.[p];
    return str(cur);
  }
  const last = path[path.length - 1] ?? '';
  // Fallback: properties anywhere; project-level coordinates outside <parent>/<dependencies>.
  const body = path[0] === 'parent' ? (/<parent>([\s\S]*?)<\/parent>/.exec(pom.text)?.[1] ?? '') : stripBlocks(pom.text);
  return new RegExp(`<${escapeRe(last)}>\\s*([^<]*?)\\s*</${escapeRe(last)}>`).exec(body)?.[1];
}

function stripBlocks(text: string): string {
  return text.replace(/<(parent|dependencies|dependencyManagement|build|profiles|plugins)>[\s\S]*?<\/\1>/g, (m) => m.replace(/[^\n]/g, ' '));
}

/** Offset of `<tag>value</tag>` in the pom, or of `<tag>`, or -1. */
export function pomIndex(pom: Pom, tag: string, value?: string): number {
  if (value !== undefined) {
    const i = indexOf(pom.text, new RegExp(`<${escapeRe(tag)}>\\s*${escapeRe(value)}\\s*</${escapeRe(tag)}>`));
    if (i >= 0) return i;
  }
  return indexOf(pom.text, new RegExp(`<${escapeRe(tag)}>`));
}

/** Resolves ${project.version}, ${project.artifactId} and <properties> references; undefined when something stays unresolved. */
export function pomResolve(pom: Pom, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  let out = value;
  for (let i = 0; i < 5 && out.includes('${'); i++) {
    out = out.replace(/\$\{([^}]+)\}/g, (all, k: string) => {
      if (k === 'project.artifactId' || k === 'artifactId') return pomValue(pom, 'artifactId') ?? all;
      if (k === 'project.version' || k === 'version') return pomVersion(pom) ?? all;
      return pomValue(pom, 'properties', k) ?? all;
    });
  }
  return out.includes('${') ? undefined : out;
}

/** The project's version: its own <version>, else the parent's (Maven inherits it). */
export function pomVersion(pom: Pom): string | undefined {
  return pomValue(pom, 'version') ?? pomValue(pom, 'parent', 'version');
}

function pomDeps(pom: Pom): Dep[] {
  const out: Dep[] = [];
  const cite = (group: string, artifact: string): Evidence => {
    const i = pomIndex(pom, 'artifactId', artifact);
    return i >= 0 ? safeCite(pom.path, pom.text, i) : { file: pom.path, line: null };
  };
  if (pom.project) {
    const lists: unknown[] = [obj(pom.project['dependencies'])?.['dependency']];
    for (const p of [obj(obj(pom.project['build'])?.['plugins'])?.['plugin']]) lists.push(p);
    for (const list of lists) {
      if (!Array.isArray(list)) continue;
      for (const d of list) {
        const o = obj(d);
        const artifact = str(o?.['artifactId']);
        if (!o || !artifact) continue;
        const group = str(o['groupId']) ?? '';
        out.push({ group, artifact, test: str(o['scope']) === 'test', evidence: cite(group, artifact) });
      }
    }
    return out;
  }
  // Regex fallback over <dependency> and <plugin> blocks.
  for (const m of pom.text.matchAll(/<(dependency|plugin)>([\s\S]*?)<\/\1>/g)) {
    const artifact = /<artifactId>\s*([^<]*?)\s*<\/artifactId>/.exec(m[2] ?? '')?.[1];
    if (!artifact) continue;
    const group = /<groupId>\s*([^<]*?)\s*<\/groupId>/.exec(m[2] ?? '')?.[1] ?? '';
    const test = /<scope>\s*test\s*<\/scope>/.test(m[2] ?? '');
    const off = m.index + (m[0].indexOf('<artifactId>') >= 0 ? m[0].indexOf('<artifactId>') : 0);
    out.push({ group, artifact, test, evidence: safeCite(pom.path, pom.text, off) });
  }
  return out;
}

// ---- Gradle ----

function gradleDeps(g: TextFile): Dep[] {
  const out: Dep[] = [];
  for (const m of codeMatches(g.text, /^[ \t]*(\w+)[ \t]*\(?[ \t]*(?:(?:platform|enforcedPlatform)\()?["']([\w.\-${}]+):([\w.\-]+)(?::[^"'\n]*)?["']/gm)) {
    const conf = m[1] ?? '';
    if (conf === 'id' || conf === 'classpath') continue;
    const i = m.index + (m[0].length - m[0].trimStart().length);
    out.push({ group: m[2] ?? '', artifact: m[3] ?? '', test: /^test/i.test(conf), evidence: safeCite(g.path, g.text, i) });
  }
  // Map notation: implementation group: 'g', name: 'a' (Groovy) / implementation(group = "g", name = "a") (Kotlin).
  for (const m of codeMatches(g.text, /^[ \t]*(\w+)[ \t]*\(?[ \t]*group[ \t]*[:=][ \t]*["']([\w.\-]+)["'][ \t]*,[ \t]*name[ \t]*[:=][ \t]*["']([\w.\-]+)["']/gm)) {
    const i = m.index + (m[0].length - m[0].trimStart().length);
    out.push({ group: m[2] ?? '', artifact: m[3] ?? '', test: /^test/i.test(m[1] ?? ''), evidence: safeCite(g.path, g.text, i) });
  }
  return out;
}

/** A Gradle version catalog (gradle/libs.versions.toml): accessor (dotted) → library coordinates / plugin id. */
export interface Catalog { libraries: Map<string, { group: string; artifact: string }>; plugins: Map<string, string> }

const accessor = (alias: string): string => alias.replace(/[-_]/g, '.');

function readCatalog(text: string): Catalog | null {
  let doc: Record<string, unknown>;
  try { doc = parseToml(text) as Record<string, unknown>; } catch { return null; }
  const libraries = new Map<string, { group: string; artifact: string }>();
  const plugins = new Map<string, string>();
  for (const [alias, v] of Object.entries(obj(doc['libraries']) ?? {})) {
    let group: string | undefined; let artifact: string | undefined;
    const o = obj(v);
    const module = typeof v === 'string' ? v : str(o?.['module']);
    if (module) [group, artifact] = module.split(':');
    else { group = str(o?.['group']); artifact = str(o?.['name']); }
    if (group && artifact) libraries.set(accessor(alias), { group, artifact });
  }
  for (const [alias, v] of Object.entries(obj(doc['plugins']) ?? {})) {
    const id = typeof v === 'string' ? v.split(':')[0] : str(obj(v)?.['id']);
    if (id) plugins.set(accessor(alias), id);
  }
  return { libraries, plugins };
}

/** Dependencies and plugins referenced through a version catalog: `implementation(libs.x.y)`, `alias(libs.plugins.z)`. */
function catalogRefs(g: TextFile, c: Catalog, deps: Dep[], plugins: Map<string, Evidence>): void {
  for (const m of codeMatches(g.text, /^[ \t]*(\w+)[ \t]*\(?[ \t]*(?:(?:platform|enforcedPlatform)\()?libs\.((?!plugins\.|versions\.|bundles\.)[\w.]+?)(?:\.get\(\))?[ \t]*[)\n]/gm)) {
    const lib = c.libraries.get(m[2] ?? '');
    if (!lib || m[1] === 'alias' || m[1] === 'id') continue;
    deps.push({ ...lib, test: /^test/i.test(m[1] ?? ''), evidence: safeCite(g.path, g.text, m.index + (m[0].length - m[0].trimStart().length)) });
  }
  for (const m of codeMatches(g.text, /\balias\(\s*libs\.plugins\.([\w.]+)\s*\)/g)) {
    const id = c.plugins.get(m[1] ?? '');
    if (id && !plugins.has(id)) plugins.set(id, safeCite(g.path, g.text, m.index));
  }
}

function gradlePlugins(g: TextFile): Map<string, Evidence> {
  const out = new Map<string, Evidence>();
  for (const m of codeMatches(g.text, /\bid[ \t]*\(?[ \t]*["']([\w.\-]+)["']/g)) if (m[1] && !out.has(m[1])) out.set(m[1], safeCite(g.path, g.text, m.index));
  for (const m of codeMatches(g.text, /\bkotlin\(\s*["']([\w.\-]+)["']\s*\)/g)) {
    const id = `org.jetbrains.kotlin.${m[1] ?? ''}`;
    if (!out.has(id)) out.set(id, safeCite(g.path, g.text, m.index));
  }
  for (const m of codeMatches(g.text, /\bapply[ \t]+plugin:[ \t]*["']([\w.\-]+)["']/g)) if (m[1] && !out.has(m[1])) out.set(m[1], safeCite(g.path, g.text, m.index));
  return out;
}

// ---- application.properties / application.yml ----

function parseProperties(path: string, text: string): Prop[] {
  const out: Prop[] = [];
  text.split('\n').forEach((raw, i) => {
    const m = /^\s*([^=:\s#!][^=:\s]*)\s*[=:]\s*(.*?)\s*$/.exec(raw);
    if (m?.[1] === undefined) return;
    out.push({ key: m[1], value: m[2] ?? '', file: path, line: i + 1, raw: raw.trim() });
  });
  return out;
}

/** An indentation-based YAML flattener: nested maps become dotted keys (lists and multi-line scalars ignored). */
function parseYaml(path: string, text: string): Prop[] {
  const out: Prop[] = [];
  let stack: { indent: number; key: string }[] = [];
  text.split('\n').forEach((raw, i) => {
    if (/^---/.test(raw)) { stack = []; return; }
    if (/^\s*(#|$)/.test(raw)) return;
    const m = /^(\s*)(["']?)([\w.\-%\[\]]+)\2\s*:(?:\s+(.*?))?\s*$/.exec(raw);
    if (!m) return;
    const indent = (m[1] ?? '').length;
    while (stack.length > 0 && (stack[stack.length - 1]?.indent ?? 0) >= indent) stack.pop();
    const key = [...stack.map((s) => s.key), m[3] ?? ''].join('.');
    let value = (m[4] ?? '').replace(/\s+#.*$/, '');
    if (value === '' || value === '|' || value === '>') { stack.push({ indent, key: m[3] ?? '' }); return; }
    const q = /^(["'])(.*)\1$/.exec(value);
    if (q) value = q[2] ?? '';
    out.push({ key, value, file: path, line: i + 1, raw: raw.trim() });
  });
  return out;
}

/** Properties with Quarkus `%prod.` profiles folded in and `%dev.`/`%test.` ones dropped. */
function normalizeProps(props: Prop[]): Prop[] {
  const out: Prop[] = [];
  for (const p of props) {
    const m = /^%([\w-]+)\.(.+)$/.exec(p.key);
    if (!m) out.push(p);
    else if (m[1] === 'prod') out.push({ ...p, key: m[2] ?? '' });
  }
  return out;
}

const cache = new WeakMap<RepoIndex, Map<string, Promise<JvmBuild>>>();

async function readText(repo: RepoIndex, path: string): Promise<TextFile | null> {
  if (!repo.has(path)) return null;
  const text = await repo.read(path);
  return text === null ? null : { path, text };
}

async function load(ctx: DetectContext): Promise<JvmBuild> {
  const at = (rel: string): string => inApp(ctx.appDir, rel);
  const pomFile = await readText(ctx.repo, at('pom.xml'));
  const pom = pomFile ? readPom(pomFile.path, pomFile.text) : null;
  const gradle = (await readText(ctx.repo, at('build.gradle.kts'))) ?? (await readText(ctx.repo, at('build.gradle')));
  const settings = (await readText(ctx.repo, at('settings.gradle.kts'))) ?? (await readText(ctx.repo, at('settings.gradle')));
  const gradleProps = await readText(ctx.repo, at('gradle.properties'));
  const sub = ctx.appDir !== '' && gradle !== null;
  const rootGradle = sub ? (await readText(ctx.repo, 'build.gradle.kts')) ?? (await readText(ctx.repo, 'build.gradle')) : null;
  const rootGradleProps = sub ? await readText(ctx.repo, 'gradle.properties') : null;
  const deps = [...(pom ? pomDeps(pom) : []), ...(gradle ? gradleDeps(gradle) : [])];
  const plugins = gradle ? gradlePlugins(gradle) : new Map<string, Evidence>();
  if (gradle) {
    const catFile = (await readText(ctx.repo, at('gradle/libs.versions.toml'))) ?? (ctx.appDir !== '' ? await readText(ctx.repo, 'gradle/libs.versions.toml') : null);
    const cat = catFile ? readCatalog(catFile.text) : null;
    if (cat) catalogRefs(gradle, cat, deps, plugins);
  }
  const props: Prop[] = [];
  for (const name of ['application.properties', 'application.yml', 'application.yaml']) {
    const f = await readText(ctx.repo, at(`src/main/resources/${name}`));
    if (f) props.push(...(name.endsWith('.properties') ? parseProperties(f.path, f.text) : parseYaml(f.path, f.text)));
  }
  const sources: TextFile[] = [];
  for (const f of ctx.repo.under(at('src/main')).filter((x) => /\.(java|kt)$/.test(x.path)).slice(0, 500)) {
    const text = await ctx.repo.read(f.path);
    if (text !== null) sources.push({ path: f.path, text });
  }
  return { pom, gradle, settings, gradleProps, rootGradle, rootGradleProps, deps, plugins, props: normalizeProps(props), sources };
}

export function jvmBuild(ctx: DetectContext): Promise<JvmBuild> {
  let m = cache.get(ctx.repo);
  if (!m) { m = new Map(); cache.set(ctx.repo, m); }
  let p = m.get(ctx.appDir);
  if (!p) { p = load(ctx); m.set(ctx.appDir, p); }
  return p;
}

/** Runtime (non-test) dependency by group (exact or prefix ending in '.') and artifact (exact or RegExp). */
export function findDep(b: JvmBuild, group: string | null, artifact: string | RegExp): Dep | undefined {
  return b.deps.find((d) => !d.test
    && (group === null || d.group === group || (group.endsWith('.') && d.group.startsWith(group)))
    && (typeof artifact === 'string' ? d.artifact === artifact : artifact.test(d.artifact)));
}

export function prop(b: JvmBuild, key: string): Prop | undefined {
  return b.props.find((p) => p.key === key);
}

export function propEvidence(p: Prop): Evidence {
  const t = redact(p.raw);
  return { file: p.file, line: p.line, text: t.length > 160 ? `${t.slice(0, 157)}...` : t };
}
