// Node, Bun and Deno runtime versions from version files, package.json engines/volta/packageManager, and Dockerfile base images.
import { parse as parseToml } from 'smol-toml';
import { cite } from '../../evidence.js';
import type { Confidence, DetectContext, Detector, Runtime, Signal, SourceClass } from '../../types.js';
import { appThenRoot, keyEvidence, packageJson, stringRecord } from './common.js';
import { jsApp } from './js-app.js';

const NAME = 'node-runtime';

/** nvm's LTS codenames → major, so `lts/iron` still says something concrete. */
const LTS_CODENAMES: Record<string, string> = {
  argon: '4', boron: '6', carbon: '8', dubnium: '10', erbium: '12', fermium: '14', gallium: '16', hydrogen: '18', iron: '20', jod: '22', krypton: '24',
};

/**
 * Normalizes a version as written in a version file: strips a leading v; maps lts/<codename> to its major;
 * returns null for moving targets (lts/*, node, stable, latest), which name no version.
 */
export function normalizeNodeVersion(raw: string): { range: string; confidence: Confidence } | null {
  const v = raw.trim();
  const lts = /^lts\/([a-z]+)$/i.exec(v);
  if (lts?.[1]) {
    const major = LTS_CODENAMES[lts[1].toLowerCase()];
    return major ? { range: major, confidence: 'medium' } : null;
  }
  const m = /^v?(\d+(?:\.\d+){0,2}|\d+(?:\.\d+)?\.x)$/i.exec(v);
  return m?.[1] ? { range: m[1], confidence: 'high' } : null;
}

function sig(runtime: Runtime, range: string, file: string, line: number | null, text: string | undefined, source: SourceClass, confidence: Confidence): Signal {
  const evidence = text === undefined ? { file, line } : { file, line, text };
  return { kind: 'runtime', runtime, range, evidence: [evidence], source, confidence, detector: NAME };
}

/** First non-empty, non-comment line of a version file, with its line number. */
function firstLine(text: string): { value: string; line: number } | null {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const t = (lines[i] ?? '').replace(/#.*/, '').trim();
    if (t) return { value: t, line: i + 1 };
  }
  return null;
}

/** Single-version files: nvm/fnm/nodenv for Node, setup-bun's .bun-version, dvm's .dvmrc for Deno. */
const VERSION_FILES: [string, Runtime][] = [['.nvmrc', 'node'], ['.node-version', 'node'], ['.bun-version', 'bun'], ['.dvmrc', 'deno']];

async function versionFiles(ctx: DetectContext, out: Signal[]): Promise<void> {
  for (const [rel, runtime] of VERSION_FILES) {
    for (const file of appThenRoot(ctx, rel)) {
      const text = await ctx.repo.read(file);
      const first = text === null ? null : firstLine(text);
      if (!first) continue;
      const v = normalizeNodeVersion(first.value);
      if (v) out.push(sig(runtime, v.range, file, first.line, first.value, 'build-file', v.confidence));
    }
  }
  // asdf: `nodejs 20.11.0` (asdf plugin name) or `node 20` (mise reads the same file); bun and deno too.
  for (const file of appThenRoot(ctx, '.tool-versions')) {
    const text = await ctx.repo.read(file);
    if (text === null) continue;
    text.split('\n').forEach((raw, i) => {
      const m = /^\s*(nodejs|node|bun|deno)\s+(\S+)/.exec(raw.replace(/#.*/, ''));
      if (!m?.[1] || !m[2]) return;
      const runtime: Runtime = m[1] === 'nodejs' ? 'node' : (m[1] as Runtime);
      const v = normalizeNodeVersion(m[2]);
      if (v) out.push(sig(runtime, v.range, file, i + 1, raw.trim(), 'build-file', v.confidence));
    });
  }
  for (const rel of ['mise.toml', '.mise.toml']) {
    for (const file of appThenRoot(ctx, rel)) {
      const text = await ctx.repo.read(file);
      if (text === null) continue;
      let doc: Record<string, unknown>;
      try {
        doc = parseToml(text) as Record<string, unknown>;
      } catch {
        continue;
      }
      const tools = doc.tools as Record<string, unknown> | undefined;
      if (!tools || typeof tools !== 'object') continue;
      for (const [tool, runtime] of [['node', 'node'], ['nodejs', 'node'], ['bun', 'bun'], ['deno', 'deno']] as const) {
        const val = tools[tool];
        // mise accepts "20", ["20", "18"] (first is the default) or { version = "20" }.
        const raw = typeof val === 'string' ? val : Array.isArray(val) ? val[0] : (val as { version?: unknown } | undefined)?.version;
        if (typeof raw !== 'string') continue;
        const v = normalizeNodeVersion(raw);
        if (!v) continue;
        const lineRe = new RegExp(`^\\s*"?${tool}"?\\s*=`, 'm');
        const m = lineRe.exec(text);
        const c = m ? cite(file, text, m.index) : { file, line: null as number | null, text: undefined };
        out.push(sig(runtime, v.range, file, c.line, c.text, 'build-file', v.confidence));
      }
    }
  }
}

async function manifest(ctx: DetectContext, out: Signal[]): Promise<void> {
  const pkg = await packageJson(ctx);
  if (!pkg) return;
  const engines = stringRecord(pkg.json.engines);
  for (const rt of ['node', 'bun', 'deno'] as const) {
    const range = engines[rt]?.trim();
    if (!range || range === '*') continue;
    const e = keyEvidence(pkg, rt, 'engines');
    out.push(sig(rt, range, e.file, e.line, e.text, 'build-file', 'high'));
  }
  // For Bun the package manager is the runtime: `packageManager: "bun@1.1.43"` pins both.
  const pm = typeof pkg.json.packageManager === 'string' ? /^bun@([^+\s]+)/.exec(pkg.json.packageManager.trim()) : null;
  if (pm?.[1]) {
    const e = keyEvidence(pkg, 'packageManager');
    out.push(sig('bun', normalizeNodeVersion(pm[1])?.range ?? pm[1], e.file, e.line, e.text, 'build-file', 'high'));
  }
  // Volta pins an exact version for everyone using the repo.
  const volta = stringRecord(pkg.json.volta);
  if (volta.node) {
    const e = keyEvidence(pkg, 'node', 'volta');
    out.push(sig('node', volta.node, e.file, e.line, e.text, 'build-file', 'high'));
  }
}

const DOCKERFILE = /^(?:Dockerfile(?:\.[\w.-]+)?|[\w.-]+\.Dockerfile)$/;
const IMAGES: [RegExp, Runtime][] = [
  [/^(?:docker\.io\/)?(?:library\/)?node:(\S+)$/, 'node'],
  [/^(?:docker\.io\/)?oven\/bun:(\S+)$/, 'bun'],
  [/^(?:docker\.io\/)?denoland\/deno:(\S+)$/, 'deno'],
];

async function dockerfiles(ctx: DetectContext, out: Signal[]): Promise<void> {
  const dirs = ctx.appDir === '' ? [''] : [ctx.appDir, ''];
  for (const dir of dirs) {
    // Only Dockerfiles sitting in the app dir or at the root: ones elsewhere belong to other services.
    const files = ctx.repo.files.filter((f) => {
      const slash = f.path.lastIndexOf('/');
      const parent = slash < 0 ? '' : f.path.slice(0, slash);
      return parent === dir && DOCKERFILE.test(f.path.slice(slash + 1));
    });
    for (const f of files) {
      const text = await ctx.repo.read(f.path);
      if (text === null) continue;
      const seen = new Set<string>();
      const re = /^[ \t]*FROM\s+(?:--platform=\S+\s+)?(\S+)/gim;
      for (let m = re.exec(text); m; m = re.exec(text)) {
        // FROM node:${NODE_VERSION}-alpine: substitute the ARG's default, the version the build uses unless overridden.
        const image = (m[1] ?? '').replace(/\$\{?(\w+)\}?/g, (all, v: string) => new RegExp(`^\\s*ARG\\s+${v}=["']?([^"'\\s]+)`, 'm').exec(text)?.[1] ?? all);
        for (const [imgRe, runtime] of IMAGES) {
          const tag = imgRe.exec(image)?.[1]?.split('@')[0];
          if (!tag) continue;
          // node:20-alpine → 20, node:20.11.1-bookworm-slim → 20.11.1; lts/current/latest/alpine name no version.
          const ver = /^v?(\d+(?:\.\d+){0,2})(?:-|$)/.exec(tag)?.[1];
          if (!ver || seen.has(`${runtime}:${ver}`)) continue;
          seen.add(`${runtime}:${ver}`);
          const c = cite(f.path, text, m.index);
          out.push(sig(runtime, ver, c.file, c.line, c.text, 'deploy-material', 'high'));
        }
      }
    }
  }
}

export const nodeRuntimeDetector: Detector = {
  name: NAME,
  async detect(ctx) {
    // Only for JS apps: a Python app's Dockerfile is not a Node fact.
    if (!(await jsApp(ctx))) return [];
    const out: Signal[] = [];
    await versionFiles(ctx, out);
    await manifest(ctx, out);
    await dockerfiles(ctx, out);
    return out;
  },
};


