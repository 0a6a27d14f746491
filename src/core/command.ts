// Command values: what to run, described as data so builders stay pure and executors stay the only side effect.

/** A process to run: argv (never a shell string unless argv itself invokes a shell). */
export interface Command {
  readonly argv: readonly string[];
  /** True when the command changes state on the host; the dry-run executor skips these. */
  readonly mutates: boolean;
  readonly description?: string;
  /** Values to mask wherever this command or its output is shown. */
  readonly redact?: readonly string[];
  readonly timeoutMs?: number;
  readonly stdin?: string | Uint8Array;
  /** Extra environment variables (local runs only; remote runs prefix them with `env`). */
  readonly env?: Readonly<Record<string, string>>;
}

export const DEFAULT_TIMEOUT_MS = 60_000;

const SAFE_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** Quotes one word for a POSIX shell. The only shell quoting in deckhand. */
export function shQuote(word: string): string {
  if (word.length > 0 && SAFE_WORD.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** Joins argv into one POSIX shell command line, every word quoted as needed. */
export function shJoin(argv: readonly string[]): string {
  return argv.map(shQuote).join(' ');
}

/** The shell line a remote host runs for a command: env assignments through `env`, then argv. */
export function remoteCommandLine(cmd: Command): string {
  const envWords = Object.entries(cmd.env ?? {}).map(([k, v]) => `${k}=${v}`);
  const argv = envWords.length > 0 ? ['env', ...envWords, ...cmd.argv] : [...cmd.argv];
  return shJoin(argv);
}

export function command(argv: readonly string[], opts: Omit<Command, 'argv'> = { mutates: false }): Command {
  if (argv.length === 0) throw new Error('command(): argv must not be empty');
  return { argv, ...opts };
}
