// Helpers detectors use to cite evidence (1-based lines, trimmed text) and to locate app files.
import type { DetectContext } from './types.js';

/** 1-based line of a character offset. */
export function lineAt(text: string, index: number): number {
  let line = 1;
  for (let i = 0; i < index && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** Evidence for a match at `index` in `text` of `file`. */
export function cite(file: string, text: string, index: number): { file: string; line: number; text: string } {
  const line = lineAt(text, index);
  const start = text.lastIndexOf('\n', index - 1) + 1;
  const endRaw = text.indexOf('\n', index);
  const lineText = text.slice(start, endRaw < 0 ? text.length : endRaw).trim();
  return { file, line, text: lineText.length > 160 ? `${lineText.slice(0, 157)}...` : lineText };
}

/** Evidence for the first line of `text` matching `re`, or null. */
export function citeMatch(file: string, text: string, re: RegExp): { file: string; line: number; text: string } | null {
  const m = re.exec(text);
  return m ? cite(file, text, m.index) : null;
}

const SECRET_NAME = /(SECRET|TOKEN|PASSWORD|PASSWD|PRIVATE|API_?KEY|ACCESS_?KEY|CREDENTIAL|DSN|AUTH)/i;
/** Whether an env var name looks like it holds a secret. */
export function looksSecret(name: string): boolean {
  return SECRET_NAME.test(name) || /_KEY$/i.test(name) || /^DATABASE_URL$|_URL$/.test(name) && /DATABASE|REDIS|MONGO|AMQP|POSTGRES|MYSQL/i.test(name);
}

/** Joins an app dir and a relative path into a repo path. */
export function inApp(appDir: string, rel: string): string {
  return appDir === '' ? rel : `${appDir}/${rel}`;
}

/** Existing paths for `rel` in the app dir, then at the repo root (shared lockfiles and version files in monorepos). */
export function appThenRoot(ctx: DetectContext, rel: string): string[] {
  const out: string[] = [];
  const a = inApp(ctx.appDir, rel);
  if (ctx.repo.has(a)) out.push(a);
  if (ctx.appDir !== '' && ctx.repo.has(rel)) out.push(rel);
  return out;
}
