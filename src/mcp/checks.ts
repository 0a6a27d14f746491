// Smoke checks as tool input: inline (validated here and by the library's parser) or a checks file on the server's machine.
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { DeckhandError, parseChecksFile, usageError } from '../index.js';

/** Inline smoke checks. Headers are left to `checksFile`: they often carry credentials, and tool inputs hold no secret values. */
export const smokeChecks = z.array(z.object({
  name: z.string().min(1),
  method: z.string().min(1).optional(),
  path: z.string().startsWith('/'),
  body: z.unknown().optional(),
  conditions: z.array(z.string().min(1)).min(1).describe('e.g. "[STATUS] == 200", "[BODY].status == ok"'),
  mutates: z.boolean().optional(),
})).describe('smoke checks: [{ name, path, conditions: ["[STATUS] == 200"] }]');

export const checksFile = z.string().min(1).describe('smoke checks file (YAML or JSON) on the server\'s machine');

type Checks = ReturnType<typeof parseChecksFile>;

function parse(text: string, name: string): Checks {
  try { return parseChecksFile(text, name); } catch (e) {
    const issues = (e as { issues?: string[] }).issues;
    throw new DeckhandError('config', `${name}: ${issues?.length ? issues.join('; ') : (e as Error).message}`, { hint: 'checks: [{ name, path, conditions: ["[STATUS] == 200"] }]' });
  }
}

/** The checks a call asked for, or undefined; one source only. */
export async function resolveChecks(i: { checks?: z.infer<typeof smokeChecks> | undefined; checksFile?: string | undefined }): Promise<Checks | undefined> {
  if (i.checks && i.checksFile) throw usageError('give smoke checks once: inline (checks) or as a file (checksFile)');
  if (i.checks) return parse(JSON.stringify({ checks: i.checks }), 'checks');
  if (i.checksFile) {
    const file = i.checksFile;
    return parse(await readFile(file, 'utf8').catch((e: Error) => { throw usageError(`cannot read ${file}: ${e.message}`); }), file);
  }
  return undefined;
}
