// Shared helpers for the artifact detectors: file scoping, signal building, YAML/JSON/TOML parsing with line-cited problems.
import { parse as parseToml, TomlError } from 'smol-toml';
import { parseAllDocuments, parseDocument, type Document } from 'yaml';
import { cite, inApp, lineAt } from '../../evidence.js';
import type { Confidence, DetectContext, Evidence, RepoFile, Runtime, Signal, SourceClass } from '../../types.js';

/** A signal body without the shared fields. */
type Body = Signal extends infer S ? S extends Signal ? Omit<S, 'evidence' | 'source' | 'confidence' | 'detector'> : never : never;

/** Builds signals for one detector with a default source class. */
export function maker(detector: string, source: SourceClass) {
  return (body: Body, evidence: Evidence[], confidence: Confidence = 'high', src: SourceClass = source): Signal =>
    ({ ...body, evidence, source: src, confidence, detector }) as Signal;
}

export function dirOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

export function baseOf(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** Files directly inside `dir` ('' = repo root) whose base name passes `test`. */
export function filesIn(ctx: DetectContext, dir: string, test: (base: string) => boolean): RepoFile[] {
  return ctx.repo.under(dir).filter((f) => dirOf(f.path) === dir && test(baseOf(f.path)));
}

/** Folders whose files are test data or samples, not the app's own deployment material. */
const NOT_DEPLOY_DIR = /(^|\/)(test|tests|__tests__|spec|specs|fixtures|__fixtures__|testdata|test-data|e2e|examples?|samples?)\//;

/** Files anywhere under the app dir (test and example folders excluded) whose path relative to the app dir passes `test`. */
export function filesDeep(ctx: DetectContext, test: (rel: string, base: string) => boolean): RepoFile[] {
  const prefix = ctx.appDir === '' ? '' : `${ctx.appDir}/`;
  return ctx.repo.under(ctx.appDir).filter((f) => {
    const rel = f.path.slice(prefix.length);
    return !NOT_DEPLOY_DIR.test(rel) && test(rel, baseOf(f.path));
  });
}

/** Line text with anything after the first `=` or `: ` replaced, so env evidence never carries a value. */
export function redactLine(text: string): string {
  const interp = text.indexOf('${');
  const sep = /=|:(\s|$)/.exec(text);
  const cut = sep ? sep.index + sep[0].length : -1;
  if (interp >= 0 && (cut < 0 || interp < cut)) return `${text.slice(0, interp)}***`;
  if (cut < 0 || text.slice(cut).trim() === '') return text;
  return `${text.slice(0, cut).trimEnd()}${sep?.[0] === '=' ? '' : ' '}***`;
}

/** Evidence for `index` in `text` with the line text redacted (for env names). */
export function citeSafe(file: string, text: string, index: number): Evidence {
  const e = cite(file, text, index);
  return { file, line: e.line, text: redactLine(e.text) };
}

/** Evidence with only a line and a caller-chosen text. */
export function citeLine(file: string, line: number | null, text?: string): Evidence {
  return text === undefined ? { file, line } : { file, line, text };
}

/** Offset of the start of 1-based `line`. */
export function offsetOfLine(text: string, line: number): number {
  let off = 0;
  for (let l = 1; l < line; l++) {
    const nl = text.indexOf('\n', off);
    if (nl < 0) return text.length;
    off = nl + 1;
  }
  return off;
}

export function firstLine(message: string): string {
  return (message.split('\n')[0] ?? message).trim();
}

export type YamlResult = { ok: true; doc: Document } | { ok: false; problem: Signal };

/** Parses one YAML document (merge keys on); an error becomes a `problem` signal cited at its line. */
export function parseYaml(path: string, text: string, detector: string): YamlResult {
  const doc = parseDocument(text, { merge: true, prettyErrors: true });
  const err = doc.errors[0];
  if (err) return { ok: false, problem: yamlProblem(path, err, detector) };
  return { ok: true, doc };
}

/** Parses every document of a multi-document YAML file. */
export function parseYamlAll(path: string, text: string, detector: string): { ok: true; docs: Document[] } | { ok: false; problem: Signal } {
  const docs = parseAllDocuments(text, { merge: true, prettyErrors: true });
  const list = Array.isArray(docs) ? docs : [];
  if (!Array.isArray(docs)) return { ok: false, problem: makeProblem(detector, `${path} is not valid YAML`, { file: path, line: null }) };
  for (const d of list) {
    const err = d.errors[0];
    if (err) return { ok: false, problem: yamlProblem(path, err, detector) };
  }
  return { ok: true, docs: list as Document[] };
}

function yamlProblem(path: string, err: { message: string; linePos?: [{ line: number; col: number }, ...unknown[]] | undefined }, detector: string): Signal {
  const line = err.linePos?.[0]?.line ?? null;
  const msg = firstLine(err.message).replace(/ at line \d+, column \d+:?$/, '');
  return makeProblem(detector, `${path} is not valid YAML${line ? ` (line ${line})` : ''}: ${msg}`, { file: path, line });
}

export function makeProblem(detector: string, message: string, evidence: Evidence): Signal {
  return { kind: 'problem', message, evidence: [evidence], source: 'deploy-material', confidence: 'high', detector };
}

/** The document as plain JS, aliases bounded. */
export function toJS(doc: Document): unknown {
  try {
    return doc.toJS({ maxAliasCount: 100 });
  } catch {
    return null;
  }
}

/** TOML → object, or a problem cited at the parser's line. */
export function parseTomlFile(path: string, text: string, detector: string): { ok: true; value: Record<string, unknown> } | { ok: false; problem: Signal } {
  try {
    return { ok: true, value: parseToml(text) as Record<string, unknown> };
  } catch (e) {
    const line = e instanceof TomlError ? e.line : null;
    const msg = firstLine((e as Error).message).replace(/^Invalid TOML document:\s*/, '');
    return { ok: false, problem: makeProblem(detector, `${path} is not valid TOML${line ? ` (line ${line})` : ''}: ${msg}`, { file: path, line }) };
  }
}

/** JSON → value, or a problem with the line (never the parser's message, which can quote the file). */
export function parseJsonFile(path: string, text: string, detector: string): { ok: true; value: unknown } | { ok: false; problem: Signal } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (e) {
    const m = (e as Error).message;
    const lc = /line (\d+)/.exec(m);
    const pos = /position (\d+)/.exec(m);
    const line = lc ? Number(lc[1]) : pos ? lineAt(text, Number(pos[1])) : null;
    return { ok: false, problem: makeProblem(detector, `${path} is not valid JSON${line ? ` (line ${line})` : ''}`, { file: path, line }) };
  }
}

type YNode = { range?: [number, number, number] | null; items?: unknown[] };
type YPair = { key: unknown; value: unknown };

/**
 * 1-based line of the node at `path` in a YAML document (a map key's line for map entries), falling back to the
 * nearest ancestor found (merged keys have no node of their own).
 */
export function yamlLine(doc: Document, text: string, path: readonly (string | number)[]): number | null {
  let node: unknown = doc.contents;
  let best: number | null = rangeLine(node, text);
  for (const seg of path) {
    const items = (node as YNode | null)?.items;
    if (!Array.isArray(items)) break;
    if (typeof seg === 'number') {
      const next = items[seg];
      if (next === undefined) break;
      node = next;
      best = rangeLine(node, text) ?? best;
      continue;
    }
    const pair = items.find((p) => {
      const k = (p as YPair).key as { value?: unknown } | null;
      return k !== null && typeof k === 'object' && String(k.value) === seg;
    }) as YPair | undefined;
    if (!pair) break;
    best = rangeLine(pair.key, text) ?? best;
    node = pair.value;
  }
  return best;
}

function rangeLine(node: unknown, text: string): number | null {
  const r = (node as YNode | null)?.range;
  return Array.isArray(r) ? lineAt(text, r[0]) : null;
}

/** Evidence at a YAML path; `safe` redacts the line text (env entries). */
export function yamlCite(file: string, doc: Document, text: string, path: readonly (string | number)[], safe = false): Evidence {
  const line = yamlLine(doc, text, path);
  if (line === null) return { file, line: null };
  const e = cite(file, text, offsetOfLine(text, line));
  return { file, line, text: safe ? redactLine(e.text) : e.text };
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;
}

export function num(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string' && /^\d+$/.test(v.trim())) return Number(v.trim());
  return undefined;
}

export function validPort(n: number | undefined): n is number {
  return n !== undefined && n > 0 && n < 65536;
}

/** A URL path in a health-check command: `curl -f http://localhost:3000/healthz` → `/healthz`. */
export function healthPath(command: string): string | null {
  const m = /\bhttps?:\/\/[^\s/'"`]+(\/[^\s'"`|;&)?#]*)?/.exec(command);
  if (!m) return null;
  return m[1] && m[1].length > 0 ? m[1] : '/';
}

export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * An env-var interpolation in a compose-like file. `bare`: a plain `${X}`/`$X`, which compose fills with an empty
 * string when X is unset (only `?` forms fail), so it is required only when nothing else gives X a default.
 */
export interface Interpolation { name: string; required: boolean; bare: boolean; index: number }

/**
 * `${X}` and `$X` (required, bare), `${X:-d}`/`${X-d}`/`${X:+a}`/`${X+a}` (optional), `${X:?e}`/`${X?e}` (required).
 * `$$` is an escaped dollar and is skipped.
 */
export function interpolations(text: string): Interpolation[] {
  const out: Interpolation[] = [];
  const re = /\$(\$|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+=])[^}]*)?\}|([A-Za-z_][A-Za-z0-9_]*))/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m[1] === '$') continue;
    const name = m[2] ?? m[4];
    if (!name) continue;
    const op = m[3];
    const required = op === undefined || op.includes('?');
    out.push({ name, required, bare: op === undefined, index: m.index });
  }
  return out;
}

/**
 * Collects env names once each (required true wins), with up to 3 evidence lines. `soft` marks a required that comes
 * only from bare references; it stays soft until a hard requirement is seen.
 */
export class EnvCollector {
  private readonly map = new Map<string, { required: boolean | null; soft: boolean; evidence: Evidence[]; buildTime?: boolean; hasExample?: boolean }>();

  add(name: string, required: boolean | null, ev: Evidence, extra: { buildTime?: boolean; hasExample?: boolean; soft?: boolean } = {}): void {
    const { soft = false, ...rest } = extra;
    const cur = this.map.get(name);
    if (!cur) { this.map.set(name, { required, soft: required === true && soft, evidence: [ev], ...rest }); return; }
    // Read somewhere with no default → required; otherwise a known default beats unknown. Within one file a value
    // that is itself a bare reference (`A=${A}`) is no default, so a soft required is kept over it.
    if (required === true) {
      if (!soft) { cur.required = true; cur.soft = false; } else if (cur.required !== true) { cur.required = true; cur.soft = true; }
    } else if (cur.required === null && required === false) cur.required = false;
    if (cur.evidence.length < 3 && !cur.evidence.some((e) => e.file === ev.file && e.line === ev.line)) cur.evidence.push(ev);
  }

  names(): string[] { return [...this.map.keys()]; }

  signals(make: ReturnType<typeof maker>, confidence: Confidence = 'high'): Signal[] {
    return [...this.map].map(([name, v]) => make({
      kind: 'env', name, required: v.required,
      ...(v.required === true && v.soft ? { softRequired: true } : {}),
      ...(v.buildTime !== undefined ? { buildTime: v.buildTime } : {}),
      ...(v.hasExample !== undefined ? { hasExample: v.hasExample } : {}),
    }, v.evidence, confidence));
  }
}

/** Image reference → repository path without registry/tag, and tag. */
export function splitImage(image: string): { repo: string; tag: string } {
  let ref = image.trim();
  const at = ref.indexOf('@');
  if (at >= 0) ref = ref.slice(0, at);
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  let repo = ref;
  let tag = '';
  if (colon > slash) { repo = ref.slice(0, colon); tag = ref.slice(colon + 1); }
  const parts = repo.split('/');
  // Registry host: first part with a dot or port, or "localhost".
  if (parts.length > 1 && /[.:]|^localhost$/.test(parts[0] ?? '')) parts.shift();
  if (parts[0] === 'library' && parts.length > 1) parts.shift();
  if (parts[0] === 'docker' && parts[1] === 'library') parts.splice(0, 2);
  return { repo: parts.join('/').toLowerCase(), tag };
}

const RUNTIME_IMAGES: [RegExp, Runtime][] = [
  [/^node$/, 'node'], [/^python$/, 'python'], [/^(golang|go)$/, 'go'],
  [/^(eclipse-temurin|openjdk|amazoncorretto|ibm-semeru-runtimes|sapmachine|azul\/zulu-openjdk(-alpine)?)$/, 'java'],
  [/^oven\/bun$/, 'bun'], [/^denoland\/deno$/, 'deno'], [/^ruby$/, 'ruby'], [/^php$/, 'php'], [/^rust$/, 'rust'],
];

/** `node:20-alpine` → node 20; `python:3.12-slim` → python 3.12; tags without a version (lts, alpine) give null. */
export function runtimeOfImage(image: string): { runtime: Runtime; range: string } | null {
  const { repo, tag } = splitImage(image);
  const hit = RUNTIME_IMAGES.find(([re]) => re.test(repo));
  if (!hit) return null;
  const m = /^v?(\d+(?:\.\d+){0,2})(?=$|[-_.a-z])/i.exec(tag);
  if (!m || !m[1]) return null;
  return { runtime: hit[1], range: m[1] };
}
