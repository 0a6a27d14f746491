// Builds the env file from its sources (a local file, the operator's environment, deckhand.yml env) without ever showing a value.
import { readFile } from 'node:fs/promises';
import { DeckhandError } from '../../core/errors.js';
import { looksSecret } from '../discover/evidence.js';

const LINE_RE = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/;

/** Parses dotenv text: KEY=value, `export`, quotes, comments. Errors name the line, never the value. */
export function parseDotenv(text: string, file: string): Map<string, string> {
  const out = new Map<string, string>();
  text.split(/\r?\n/).forEach((raw, i) => {
    if (/^\s*(#|$)/.test(raw)) return;
    const m = LINE_RE.exec(raw);
    if (!m?.[1]) throw new DeckhandError('config', `${file}:${i + 1}: not a KEY=value line`, { hint: 'each line must be NAME=value (comments start with #)' });
    let v = m[2] ?? '';
    const q = v[0];
    if ((q === '"' || q === "'") && v.length >= 2 && v.endsWith(q)) v = v.slice(1, -1);
    else v = v.replace(/\s+#.*$/, '');
    if (q === '"') v = v.replace(/\\n/g, '\n').replace(/\\(["\\])/g, '$1');
    out.set(m[1], v);
  });
  return out;
}

/**
 * One env-file line readable by both systemd's EnvironmentFile and `sh .`: bare when safe, else single quotes;
 * double quotes (escaping \\ " $ `) when the value holds a single quote. Newlines cannot be represented in both.
 */
export function envLine(name: string, value: string): string {
  if (/[\n\r]/.test(value)) throw new DeckhandError('config', `the value of ${name} contains a newline, which an env file cannot hold for both systemd and sh`, { hint: 'encode it (for example base64) and decode it in the app' });
  if (/^[A-Za-z0-9_./:@%+,-]*$/.test(value)) return `${name}=${value}`;
  if (!value.includes("'")) return `${name}='${value}'`;
  return `${name}="${value.replace(/[\\"$`]/g, (c) => `\\${c}`)}"`;
}

/**
 * Which env-file values to mask everywhere. Masking is a safety net (deckhand never prints values), and masking
 * every value would shred output: PORT=3000 or NODE_ENV=production would hide every "3000" and "production".
 * So: values under secret-looking names, values that look like credentials, and the password inside a URL.
 */
export function valuesToMask(name: string, value: string): string[] {
  const out: string[] = [];
  if (looksSecret(name) || /(PASS|PWD|CREDENTIAL|AUTH|PRIVATE|CERT|SIGNING|SALT|DSN)/i.test(name)) out.push(value);
  else if (value.length >= 12 && /[A-Za-z]/.test(value) && /\d/.test(value) && !/\s/.test(value)) out.push(value);
  const userinfo = /^[a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:([^@\s]+)@/i.exec(value);
  if (userinfo?.[1]) out.push(userinfo[1], decodeURIComponent(userinfo[1]));
  return out;
}

export interface EnvSources {
  envFile?: string;
  /** Names whose values come from this process's environment. */
  fromEnvironment?: readonly string[];
  /** Plain values from deckhand.yml `env:`. */
  plain?: Readonly<Record<string, string>>;
  environment?: NodeJS.ProcessEnv;
}

export interface ComposedEnv { content: string; names: string[]; secretValues: string[] }

/** Later sources win: deckhand.yml env < env file < operator environment. */
export async function composeEnv(src: EnvSources): Promise<ComposedEnv | null> {
  const vars = new Map<string, string>();
  const secretValues: string[] = [];
  for (const [k, v] of Object.entries(src.plain ?? {})) vars.set(k, v);
  if (src.envFile) {
    let text: string;
    try { text = await readFile(src.envFile, 'utf8'); } catch (e) {
      throw new DeckhandError('usage', `cannot read the env file ${src.envFile} (${(e as NodeJS.ErrnoException).code ?? 'error'})`, { hint: 'check the --env-file path' });
    }
    for (const [k, v] of parseDotenv(text, src.envFile)) { vars.set(k, v); secretValues.push(...valuesToMask(k, v)); }
  }
  const env = src.environment ?? process.env;
  for (const name of src.fromEnvironment ?? []) {
    const v = env[name];
    if (v === undefined) throw new DeckhandError('usage', `--env ${name}: ${name} is not set in this environment`, { hint: `export ${name}=… before running deckhand, or drop --env ${name}` });
    vars.set(name, v);
    // Named on the command line as coming from the environment: the operator treats it as a secret.
    secretValues.push(v, ...valuesToMask(name, v));
  }
  if (vars.size === 0 && !src.envFile) return null;
  const names = [...vars.keys()].sort();
  const content = `# Written by deckhand; values come from the deploy's env sources.\n${names.map((n) => envLine(n, vars.get(n) ?? '')).join('\n')}\n`;
  return { content, names, secretValues };
}
