// Finds and validates deckhand.yml: a bad key is reported with its path and line, never silently ignored.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isMap, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import { DeckhandError } from '../core/errors.js';
import { ConfigSchema, type DeckhandConfig } from './schema.js';

export const CONFIG_NAMES = ['deckhand.yml', 'deckhand.yaml'] as const;

export interface LoadedConfig { path: string | null; config: DeckhandConfig }

function configError(file: string, message: string, hint: string): DeckhandError {
  return new DeckhandError('config', `${file}: ${message}`, { hint });
}

/** Line (1-based) of the node at `path` in the document, or of the deepest ancestor that exists. */
function lineOf(doc: ReturnType<typeof parseDocument>, lc: LineCounter, path: readonly PropertyKey[]): number | null {
  let node: Node | null = doc.contents as Node | null;
  let found: Node | null = node;
  for (const key of path) {
    if (isMap(node)) node = (node.get(key as string, true) as Node | undefined) ?? null;
    else if (isSeq(node) && typeof key === 'number') node = (node.get(key, true) as Node | undefined) ?? null;
    else node = null;
    if (!node) break;
    found = node;
  }
  const start = found?.range?.[0];
  return start === undefined ? null : lc.linePos(start).line;
}

/** Parses and validates config text; `file` names it in errors. */
export function parseConfig(text: string, file: string): DeckhandConfig {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, uniqueKeys: true });
  const yamlErr = doc.errors[0];
  if (yamlErr) {
    const line = yamlErr.linePos?.[0]?.line;
    throw configError(`${file}${line ? `:${line}` : ''}`, `not valid YAML: ${yamlErr.message.split('\n')[0]}`, 'fix the YAML syntax at that line');
  }
  const raw: unknown = doc.toJS() ?? {};
  const parsed = ConfigSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const path = issue?.path ?? [];
  const keyPath = path.length ? path.map(String).join('.') : '(top level)';
  const line = lineOf(doc, lc, path);
  const what = issue?.code === 'unrecognized_keys' ? `unknown key ${(issue as { keys?: string[] }).keys?.map((k) => `"${k}"`).join(', ')}` : issue?.message ?? 'invalid';
  throw configError(`${file}${line ? `:${line}` : ''}`, `${keyPath}: ${what}`, 'see `deckhand schema config` for every key and its type');
}

/** Reads deckhand.yml (or .yaml) from the app directory; none is fine (an empty config). */
export async function loadConfig(dir: string, explicit?: string): Promise<LoadedConfig> {
  const candidates = explicit ? [explicit] : CONFIG_NAMES.map((n) => join(dir, n));
  for (const path of candidates) {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT' && !explicit) continue;
      throw configError(path, `cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)})`, 'check the path and its permissions');
    }
    return { path, config: parseConfig(text, path) };
  }
  return { path: null, config: {} };
}
