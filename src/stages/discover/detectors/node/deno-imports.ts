// The packages a Deno app imports: jsr:/npm: specifiers and deno.land/x or esm.sh URLs, from the import map and the source.
import { cite } from '../../evidence.js';
import type { DetectContext, Evidence } from '../../types.js';
import { inLineComment, sourceFiles } from './common.js';
import type { DenoConfig } from './deno-config.js';

export interface DenoImport {
  /** npm and jsr names as published (`hono`, `@oak/oak`); deno.land/x modules as `x/<name>`. */
  pkg: string;
  evidence: Evidence;
}

/** The package a specifier names, or null for relative paths and URLs of unknown hosts. */
export function specifierPackage(spec: string): string | null {
  let m = /^(?:jsr|npm):\/?(@[^/@\s]+\/[^/@\s]+|[^/@\s]+)/.exec(spec);
  if (m?.[1]) return m[1];
  m = /^https?:\/\/deno\.land\/x\/([^/@\s]+)/.exec(spec);
  if (m?.[1]) return `x/${m[1]}`;
  // npm packages served as ES modules by a CDN.
  m = /^https?:\/\/(?:esm\.sh|cdn\.skypack\.dev|esm\.run|cdn\.jsdelivr\.net\/npm)\/(?:v\d+\/)?(@[^/@\s]+\/[^/@\s]+|[^/@\s]+)/.exec(spec);
  if (m?.[1]) return m[1];
  return null;
}

/** `from "…"`, `import "…"`, `import("…")` and `export … from "…"` specifiers. */
const IMPORT = /(?:\bfrom\s*|\bimport\s*\(?\s*)(['"])((?:jsr|npm):[^'"\s]+|https?:\/\/[^'"\s]+)\1/g;

/** Packages from the import map (cited where declared), then direct specifiers in source files (cited at the import). */
export async function denoImports(ctx: DetectContext, cfg: DenoConfig | null): Promise<DenoImport[]> {
  const out: DenoImport[] = [];
  const seen = new Set<string>();
  if (cfg) {
    for (const [spec, target] of Object.entries(cfg.imports)) {
      const pkg = specifierPackage(target);
      const ev = cfg.importEvidence[spec];
      if (!pkg || !ev || seen.has(pkg)) continue;
      seen.add(pkg);
      out.push({ pkg, evidence: ev });
    }
  }
  for (const file of sourceFiles(ctx)) {
    const text = await ctx.repo.read(file);
    if (text === null || !/(?:jsr|npm):|https?:\/\//.test(text)) continue;
    for (const m of text.matchAll(IMPORT)) {
      const pkg = specifierPackage(m[2] ?? '');
      if (!pkg || seen.has(pkg) || inLineComment(text, m.index)) continue;
      seen.add(pkg);
      out.push({ pkg, evidence: cite(file, text, m.index) });
    }
  }
  return out;
}
