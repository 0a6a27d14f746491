// Parsers for what the package tools report on the target: manifests, installed versions, and their outdated queries.
import type { OpsUpgradePrepData } from '../../../report/ops/upgrade-prep.js';
import { isTimeoutRc } from '../../readiness/parse.js';

type Dependency = OpsUpgradePrepData['dependencies']['list'][number];

/** An outdated entry before classification. */
export interface OutdatedRaw { name: string; current: string | null; wanted: string | null; latest: string | null }

/** The outcome of an outdated query: entries, or why the answer is unknown. */
export type OutdatedResult = { ok: true; list: OutdatedRaw[] } | { ok: false; reason: string };

const str = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 ? v : null);

function objectOf(v: unknown): Record<string, unknown> | null {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}

function tryJson(text: string): unknown {
  try { return JSON.parse(text); } catch { return undefined; }
}

/** Direct dependencies in a package.json, with the range each asks for; null when it is not JSON. */
export function packageJsonDeps(text: string): Omit<Dependency, 'installed'>[] | null {
  const pkg = objectOf(tryJson(text));
  if (!pkg) return null;
  const out: Omit<Dependency, 'installed'>[] = [];
  const groups = [['dependencies', 'prod'], ['optionalDependencies', 'optional'], ['peerDependencies', 'peer'], ['devDependencies', 'dev']] as const;
  for (const [key, type] of groups) {
    for (const [name, range] of Object.entries(objectOf(pkg[key]) ?? {})) {
      // optionalDependencies are repeated in dependencies by npm's convention: listed once, as optional.
      if (out.some((d) => d.name === name)) continue;
      out.push({ name, wanted: str(range), type });
    }
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

/** `name version` lines (node_modules/*\/package.json or the lockfile's top-level packages) → name → version. */
export function parseInstalledLines(body: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of body.split('\n')) {
    const m = /^(\S+) (\S+)$/.exec(line.trim());
    if (m?.[1] && m[2]) out.set(m[1], m[2]);
  }
  return out;
}

/** What a tool's stderr ends with, for a reason line: its last meaningful line. */
function lastLine(err: string): string {
  return err.split('\n').map((l) => l.trim()).filter((l) => l.length > 0 && !/complete log of this run/i.test(l)).at(-1) ?? '';
}

/**
 * `npm outdated --json`. It exits 1 when something is outdated, so the exit code says nothing; the JSON does:
 * `{ name: {current, wanted, latest} }` (an array per name with workspaces), or `{ error: {code, summary} }`
 * when the registry could not be asked.
 */
export function parseNpmOutdated(stdout: string, rc: number | null, stderr: string, timeoutSec: number): OutdatedResult {
  if (rc === null || isTimeoutRc(rc)) return { ok: false, reason: `npm outdated did not finish within ${timeoutSec} s (a registry that does not answer)` };
  const text = stdout.trim();
  const v = objectOf(tryJson(text.length === 0 ? '{}' : text));
  if (!v) return { ok: false, reason: `npm outdated printed no JSON (exit ${rc})${lastLine(stderr) ? `: ${lastLine(stderr)}` : ''}` };
  const e = objectOf(v.error);
  if (e && (str(e.code) || str(e.summary))) {
    return { ok: false, reason: `npm could not query the registry: ${[str(e.code), str(e.summary)].filter(Boolean).join(': ')}` };
  }
  if (rc !== 0 && rc !== 1) return { ok: false, reason: `npm outdated exited ${rc}${lastLine(stderr) ? `: ${lastLine(stderr)}` : ''}` };
  const list: OutdatedRaw[] = [];
  for (const [name, raw] of Object.entries(v)) {
    for (const one of Array.isArray(raw) ? raw : [raw]) {
      const o = objectOf(one);
      if (!o) continue;
      list.push({ name, current: str(o.current), wanted: str(o.wanted), latest: str(o.latest) });
    }
  }
  return { ok: true, list: list.sort((a, b) => a.name.localeCompare(b.name)) };
}

/** `pip list --format json` → name → version (names as pip prints them). */
export function parsePipList(stdout: string): Map<string, string> | null {
  const v = tryJson(stdout.trim());
  if (!Array.isArray(v)) return null;
  const out = new Map<string, string>();
  for (const one of v) {
    const o = objectOf(one);
    const name = str(o?.name);
    const version = str(o?.version);
    if (name && version) out.set(name, version);
  }
  return out;
}

/** `pip list --outdated --format json`: [{name, version, latest_version}]. Only run after the index answered. */
export function parsePipOutdated(stdout: string, rc: number | null, stderr: string, timeoutSec: number): OutdatedResult {
  if (rc === null || isTimeoutRc(rc)) return { ok: false, reason: `pip list --outdated did not finish within ${timeoutSec} s` };
  const v = tryJson(stdout.trim());
  if (rc !== 0 || !Array.isArray(v)) return { ok: false, reason: `pip list --outdated failed (exit ${rc})${lastLine(stderr) ? `: ${lastLine(stderr)}` : ''}` };
  const list: OutdatedRaw[] = [];
  for (const one of v) {
    const o = objectOf(one);
    const name = str(o?.name);
    if (name) list.push({ name, current: str(o?.version), wanted: null, latest: str(o?.latest_version) });
  }
  return { ok: true, list: list.sort((a, b) => a.name.localeCompare(b.name)) };
}

/** PEP 503 name normalisation, so requirements and pip's names meet. */
export function normalizePyName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

/** requirements.txt: the packages it names and their specifiers (options, includes, URLs and comments skipped). */
export function parseRequirements(text: string): { name: string; wanted: string | null }[] {
  const out: { name: string; wanted: string | null }[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\s+#.*$/, '').trim();
    if (line.length === 0 || line.startsWith('#') || line.startsWith('-') || /^[a-z+]+:\/\//i.test(line)) continue;
    const m = /^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?\s*([^;]*)/.exec(line);
    if (!m?.[1]) continue;
    const spec = (m[3] ?? '').trim();
    out.push({ name: m[1], wanted: spec.length > 0 ? spec : null });
  }
  return out;
}

/** go.mod `require` lines (single and block form) → module, version, indirect. */
export function parseGoMod(text: string): { name: string; version: string; indirect: boolean }[] {
  const out: { name: string; version: string; indirect: boolean }[] = [];
  let block = false;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (/^require\s*\($/.test(line)) { block = true; continue; }
    if (block && line === ')') { block = false; continue; }
    const body = block ? line : /^require\s+(.+)$/.exec(line)?.[1];
    if (!body) continue;
    const m = /^(\S+)\s+(v\S+)(.*)$/.exec(body);
    if (m?.[1] && m[2]) out.push({ name: m[1], version: m[2], indirect: /\/\/\s*indirect/.test(m[3] ?? '') });
  }
  return out;
}

/** `go list -m -u -f '{{.Path}} {{.Version}} {{.Update.Version}}' all` lines (only modules with an update). */
export function parseGoOutdated(stdout: string, rc: number | null, stderr: string, timeoutSec: number): OutdatedResult {
  if (rc === null || isTimeoutRc(rc)) return { ok: false, reason: `go list -m -u did not finish within ${timeoutSec} s` };
  if (rc !== 0) return { ok: false, reason: `go list -m -u failed (exit ${rc})${lastLine(stderr) ? `: ${lastLine(stderr)}` : ''}` };
  const list: OutdatedRaw[] = [];
  for (const line of stdout.split('\n')) {
    const m = /^(\S+) (\S+) (\S+)$/.exec(line.trim());
    if (m?.[1]) list.push({ name: m[1], current: m[2] ?? null, wanted: null, latest: m[3] ?? null });
  }
  return { ok: true, list };
}
