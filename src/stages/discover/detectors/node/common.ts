// Shared reading helpers for the Node detectors: package.json with line citations, lockfiles, the package manager, source files.
import { cite, inApp } from '../../evidence.js';
import type { Confidence, DetectContext, Evidence } from '../../types.js';

export type DepSection = 'dependencies' | 'devDependencies' | 'peerDependencies' | 'optionalDependencies';
const DEP_SECTIONS: DepSection[] = ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies'];

export interface PackageJson {
  path: string;
  text: string;
  json: Record<string, unknown>;
  /** dependency name → the first section that lists it (runtime deps win over dev deps). */
  deps: Map<string, DepSection>;
  scripts: Record<string, string>;
}

export function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function stringRecord(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (isRecord(v)) for (const [k, x] of Object.entries(v)) if (typeof x === 'string') out[k] = x;
  return out;
}

export type PackageJsonResult = { ok: true; pkg: PackageJson } | { ok: false; path: string; message: string } | null;

/** The app's package.json, parsed; null when absent, an error result when unparsable (reported, never thrown). */
export async function loadPackageJson(ctx: DetectContext): Promise<PackageJsonResult> {
  const path = inApp(ctx.appDir, 'package.json');
  const text = await ctx.repo.read(path);
  if (text === null) return null;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return { ok: false, path, message: `${path} is not valid JSON: ${(e as Error).message}` };
  }
  if (!isRecord(json)) return { ok: false, path, message: `${path} is not a JSON object` };
  const deps = new Map<string, DepSection>();
  for (const section of DEP_SECTIONS) for (const name of Object.keys(stringRecord(json[section]))) if (!deps.has(name)) deps.set(name, section);
  return { ok: true, pkg: { path, text, json, deps, scripts: stringRecord(json.scripts) } };
}

export async function packageJson(ctx: DetectContext): Promise<PackageJson | null> {
  const r = await loadPackageJson(ctx);
  return r?.ok ? r.pkg : null;
}

/**
 * Evidence for `"key":` in package.json; with `section`, the key inside that top-level object (so a
 * dependency named like a script is cited where it is declared). Falls back to line 1.
 */
export function keyEvidence(pkg: PackageJson, key: string, section?: string): Evidence {
  let from = 0;
  if (section) {
    const s = new RegExp(`"${escapeRe(section)}"\\s*:\\s*\\{`).exec(pkg.text);
    if (s) from = s.index + s[0].length;
  }
  const re = new RegExp(`"${escapeRe(key)}"\\s*:`, 'g');
  re.lastIndex = from;
  const m = re.exec(pkg.text);
  return m ? cite(pkg.path, pkg.text, m.index) : { file: pkg.path, line: 1 };
}

export function depEvidence(pkg: PackageJson, name: string): Evidence {
  return keyEvidence(pkg, name, pkg.deps.get(name));
}

export { appThenRoot } from '../../evidence.js';

export const LOCKFILES: [string, string][] = [
  ['package-lock.json', 'npm'], ['npm-shrinkwrap.json', 'npm'], ['yarn.lock', 'yarn'], ['pnpm-lock.yaml', 'pnpm'], ['bun.lockb', 'bun'], ['bun.lock', 'bun'],
];

export interface PackageManagerFact { value: string; version?: string; evidence: Evidence[]; confidence: Confidence; from: 'field' | 'lockfile' | 'workspace' }

/**
 * The package manager: the corepack `packageManager` field wins; else the lockfile(s) nearest the app; else a
 * pnpm-workspace.yaml at the repo root, which only pnpm reads (no lockfile yet, so nothing to install from frozen).
 */
export function packageManager(ctx: DetectContext, pkg: PackageJson | null): PackageManagerFact | null {
  const field = pkg?.json.packageManager;
  if (pkg && typeof field === 'string') {
    const m = /^(npm|yarn|pnpm|bun)@([^+\s]+)/.exec(field.trim());
    if (m?.[1]) return { value: m[1], version: m[2], evidence: [keyEvidence(pkg, 'packageManager')], confidence: 'high', from: 'field' };
  }
  // The app dir's lockfile first; the root's only when the app has none (a workspace's shared lockfile).
  for (const dir of ctx.appDir === '' ? [''] : [ctx.appDir, '']) {
    const found = LOCKFILES.filter(([f]) => ctx.repo.has(dir === '' ? f : `${dir}/${f}`));
    const managers = [...new Set(found.map(([, pm]) => pm))];
    if (managers.length === 0) continue;
    const evidence = found.map(([f]) => ({ file: dir === '' ? f : `${dir}/${f}`, line: null }));
    // Two managers' lockfiles side by side: a stale one; say so with lower confidence.
    return { value: managers[0]!, evidence, confidence: managers.length === 1 ? 'high' : 'low', from: 'lockfile' };
  }
  if (ctx.repo.has('pnpm-workspace.yaml')) return { value: 'pnpm', evidence: [{ file: 'pnpm-workspace.yaml', line: null }], confidence: 'medium', from: 'workspace' };
  return null;
}

/**
 * Scripts that only hand work to the workspace members (`pnpm -r start`, `turbo run start`, `nx run-many`, `lerna run`,
 * `npm run start --workspaces`): at a workspace root they run the members' processes, not one of the root's own.
 */
export function fansOut(script: string): boolean {
  return /\b(turbo|nx|lerna|npm-run-all|run-p|run-s|concurrently)\b|\b(pnpm|yarn|npm)\b.*(\s-r\b|--recursive|--filter|\s-w\b|--workspace|workspaces?\b)/.test(script);
}

/** How a package.json script is run with a given manager. */
export function runScript(pm: string, script: string): string {
  switch (pm) {
    case 'yarn': return `yarn ${script}`;
    case 'pnpm': return `pnpm ${script}`;
    case 'bun': return `bun run ${script}`;
    default: return `npm run ${script}`;
  }
}

/** How a dependency's binary is run with a given manager (npx prisma …). */
export function execBin(pm: string, bin: string): string {
  switch (pm) {
    case 'yarn': return `yarn ${bin}`;
    case 'pnpm': return `pnpm exec ${bin}`;
    case 'bun': return `bunx ${bin}`;
    default: return `npx ${bin}`;
  }
}

const SOURCE_EXT = /\.(?:js|mjs|cjs|ts|mts|cts|tsx|jsx)$/;
// Deno names its tests and benchmarks main_test.ts / x_bench.ts; Node and Bun use x.test.ts / x.spec.ts.
const TEST_FILE = /(?:\.(?:test|spec|e2e-spec|stories|bench)\.[cm]?[jt]sx?$|_(?:test|bench)\.[cm]?[jt]sx?$|\.d\.[cm]?ts$)/;
const TEST_DIR = /(?:^|\/)(?:__tests__|__mocks__|tests?|e2e|cypress|playwright|fixtures|\.storybook)\//;
export const MAX_SOURCE_FILES = 2000;

/** Tests, mocks, fixtures and type declarations: what they read is not the app's configuration. */
export function isTestPath(rel: string): boolean {
  return TEST_FILE.test(rel) || TEST_DIR.test(rel);
}

/** The app's JS/TS source files (tests, mocks and type declarations skipped), at most MAX_SOURCE_FILES. */
export function sourceFiles(ctx: DetectContext): string[] {
  const out: string[] = [];
  const prefixLen = ctx.appDir === '' ? 0 : ctx.appDir.length + 1;
  for (const f of ctx.repo.under(ctx.appDir)) {
    if (!SOURCE_EXT.test(f.path)) continue;
    const rel = f.path.slice(prefixLen);
    if (isTestPath(rel)) continue;
    out.push(f.path);
    if (out.length >= MAX_SOURCE_FILES) break;
  }
  return out;
}

/** Whether the character offset sits on a line comment (`// …`, ` * …`), cheaply: no parser. */
export function inLineComment(text: string, index: number): boolean {
  const start = text.lastIndexOf('\n', index - 1) + 1;
  const before = text.slice(start, index);
  // `//` after a colon is a URL inside a string (http://…), not a comment.
  return /^\s*(?:\/\/|\*|\/\*)/.test(before) || /(?:^|[^:])\/\//.test(before);
}

/** Framework ids the detectors key on, from dependencies. */
export function hasDep(pkg: PackageJson, ...names: string[]): string | undefined {
  return names.find((n) => pkg.deps.has(n));
}

/** The build-phase script (build, prebuild, postbuild, postinstall, vercel-build) that runs `prisma db push`, if any. */
export function prismaPushScript(scripts: Record<string, string>): string | null {
  return ['build', 'prebuild', 'postbuild', 'postinstall', 'vercel-build'].find((n) => /\bprisma\s+db\s+push\b/.test(scripts[n] ?? '')) ?? null;
}
