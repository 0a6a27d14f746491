// The app's Deno config (deno.json / deno.jsonc): tasks and the import map, with line citations; comments allowed.
import { cite, inApp } from '../../evidence.js';
import type { DetectContext, Evidence } from '../../types.js';
import { escapeRe, stringRecord } from './common.js';
import { parseJsonc } from './jsonc.js';

export const DENO_CONFIGS = ['deno.json', 'deno.jsonc'] as const;

export interface DenoConfig {
  path: string;
  text: string;
  /** The text with comments and trailing commas blanked: same offsets, so key searches never hit a comment. */
  scan: string;
  json: Record<string, unknown>;
  /** task name → command (Deno 2's `{ "command": … }` form flattened). */
  tasks: Record<string, string>;
  /** specifier → target, from `imports` and from the `importMap` file it names. */
  imports: Record<string, string>;
  /** Where each import was declared. */
  importEvidence: Record<string, Evidence>;
}

export type DenoConfigResult = { ok: true; config: DenoConfig } | { ok: false; path: string; line: number | null; message: string } | null;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The app dir's deno.json or deno.jsonc path, if either exists. */
export function denoConfigPath(ctx: DetectContext): string | null {
  return DENO_CONFIGS.map((f) => inApp(ctx.appDir, f)).find((p) => ctx.repo.has(p)) ?? null;
}

/** Evidence for `"key":` (inside the top-level `section` object when given), searched in comment-free text. */
export function denoKeyEvidence(cfg: { path: string; text: string; scan: string }, key: string, section?: string): Evidence {
  let from = 0;
  if (section) {
    const s = new RegExp(`"${escapeRe(section)}"\\s*:\\s*\\{`).exec(cfg.scan);
    if (s) from = s.index + s[0].length;
  }
  const re = new RegExp(`"${escapeRe(key)}"\\s*:`, 'g');
  re.lastIndex = from;
  const m = re.exec(cfg.scan);
  return m ? cite(cfg.path, cfg.text, m.index) : { file: cfg.path, line: 1 };
}

function flattenTasks(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isRecord(v)) return out;
  for (const [name, t] of Object.entries(v)) {
    if (typeof t === 'string') out[name] = t;
    else if (isRecord(t) && typeof t.command === 'string') out[name] = t.command;
  }
  return out;
}

/** The Deno config, parsed; null when absent, an error result when unparsable (reported by the ecosystem detector). */
export async function loadDenoConfig(ctx: DetectContext): Promise<DenoConfigResult> {
  const path = denoConfigPath(ctx);
  if (!path) return null;
  const text = await ctx.repo.read(path);
  if (text === null) return null;
  const parsed = parseJsonc(text);
  if (!parsed.ok) return { ok: false, path, line: parsed.line, message: `${path} is not valid JSON: ${parsed.message.split('\n')[0] ?? ''}` };
  if (!isRecord(parsed.value)) return { ok: false, path, line: 1, message: `${path} is not a JSON object` };
  const json = parsed.value;
  const cfg: DenoConfig = { path, text, scan: parsed.blanked, json, tasks: flattenTasks(json.tasks), imports: {}, importEvidence: {} };
  for (const [spec, target] of Object.entries(stringRecord(json.imports))) {
    cfg.imports[spec] = target;
    cfg.importEvidence[spec] = denoKeyEvidence(cfg, spec, 'imports');
  }
  // Older projects (Fresh 1.x among them) keep the map in a separate file named by `importMap`.
  if (typeof json.importMap === 'string' && !/^[a-z]+:/i.test(json.importMap)) {
    const dir = path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '';
    const mapPath = inApp(dir, json.importMap.replace(/^\.\//, ''));
    const mapText = await ctx.repo.read(mapPath);
    const map = mapText === null ? null : parseJsonc(mapText);
    if (mapText !== null && map?.ok && isRecord(map.value)) {
      const mapCfg = { path: mapPath, text: mapText, scan: map.blanked };
      for (const [spec, target] of Object.entries(stringRecord(map.value.imports))) {
        if (spec in cfg.imports) continue;
        cfg.imports[spec] = target;
        cfg.importEvidence[spec] = denoKeyEvidence(mapCfg, spec, 'imports');
      }
    }
  }
  return { ok: true, config: cfg };
}

export async function denoConfig(ctx: DetectContext): Promise<DenoConfig | null> {
  const r = await loadDenoConfig(ctx);
  return r?.ok ? r.config : null;
}
