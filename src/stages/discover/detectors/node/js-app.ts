// A JS/TS app and the runtime it targets (node, bun or deno), decided once from manifests, lockfiles and the start script.
import { inApp } from '../../evidence.js';
import type { Confidence, DetectContext, Evidence } from '../../types.js';
import { appThenRoot, keyEvidence, LOCKFILES, packageJson, packageManager, type PackageJson, type PackageManagerFact } from './common.js';
import { denoConfig, denoConfigPath, type DenoConfig } from './deno-config.js';

export type JsRuntime = 'node' | 'bun' | 'deno';

export interface JsApp {
  pkg: PackageJson | null;
  /** The parsed deno.json(c); null when absent or unparsable. */
  deno: DenoConfig | null;
  runtime: JsRuntime;
  /** Why this runtime: the files (and lines) that say so. */
  evidence: Evidence[];
  confidence: Confidence;
  /** The package manager as package.json and its lockfiles state it (null for Deno apps and for no lockfile). */
  pm: PackageManagerFact | null;
}

/** A start script run by bun or deno itself (`bun src/index.ts`, `bun run server.ts`, `deno run -A main.ts`). */
const START_RUNTIME = /^\s*(?:[A-Z_][A-Z0-9_]*=\S*\s+)*(bun|deno)\s+(?!(?:install|add|x)\b)/;

/**
 * The app, or null when the directory holds no package.json, deno.json(c) or deno.lock. Bun wins with its lockfile,
 * a `bun@` packageManager or bunfig.toml; Deno with its config or lockfile and no Node lockfile beside it; a start
 * script that runs bun or deno names the runtime when the files do not.
 */
export async function jsApp(ctx: DetectContext): Promise<JsApp | null> {
  const pkg = await packageJson(ctx);
  const denoPath = denoConfigPath(ctx);
  const deno = denoPath ? await denoConfig(ctx) : null;
  const denoLock = ctx.repo.has(inApp(ctx.appDir, 'deno.lock')) ? inApp(ctx.appDir, 'deno.lock') : null;
  const denoEvidence: Evidence[] = [...(denoPath ? [{ file: denoPath, line: 1 }] : []), ...(denoLock ? [{ file: denoLock, line: null }] : [])];
  if (!pkg) {
    if (denoEvidence.length === 0) return null;
    return { pkg: null, deno, runtime: 'deno', evidence: denoEvidence, confidence: 'high', pm: null };
  }
  const pm = packageManager(ctx, pkg);
  const bunFiles = [...appThenRoot(ctx, 'bun.lockb'), ...appThenRoot(ctx, 'bun.lock'), ...appThenRoot(ctx, 'bunfig.toml')];
  if (pm?.value === 'bun') return { pkg, deno, runtime: 'bun', evidence: pm.evidence, confidence: 'high', pm };
  if (bunFiles.length > 0 && (pm === null || pm.from !== 'field')) {
    return { pkg, deno, runtime: 'bun', evidence: bunFiles.map((file) => ({ file, line: null })), confidence: pm === null ? 'high' : 'medium', pm };
  }
  // Deno 2 reads package.json too; its own config or lockfile with no Node lockfile beside it makes it a Deno app.
  const nodeLock = LOCKFILES.some(([f, m]) => m !== 'bun' && appThenRoot(ctx, f).length > 0);
  if (denoEvidence.length > 0 && !nodeLock) return { pkg, deno, runtime: 'deno', evidence: denoEvidence, confidence: 'high', pm };
  const start = pkg.scripts['start:prod'] ?? pkg.scripts['start:production'] ?? pkg.scripts.start;
  const by = start === undefined ? undefined : START_RUNTIME.exec(start)?.[1];
  if (by === 'bun' || by === 'deno') {
    const name = pkg.scripts['start:prod'] !== undefined ? 'start:prod' : pkg.scripts['start:production'] !== undefined ? 'start:production' : 'start';
    return { pkg, deno, runtime: by, evidence: [keyEvidence(pkg, name, 'scripts')], confidence: 'medium', pm };
  }
  return { pkg, deno, runtime: 'node', evidence: [{ file: pkg.path, line: 1 }], confidence: 'high', pm };
}
