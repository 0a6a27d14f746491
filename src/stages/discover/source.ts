// Where discovery reads from: a local path, or a git URL cloned shallowly into a temporary directory.
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { RunContext } from '../../core/context.js';
import { DeckhandError, tail, usageError } from '../../core/errors.js';

export interface RepoSource { root: string; display: string; cleanup: () => Promise<void> }

const GIT_URL_RE = /^(?:https?:\/\/|ssh:\/\/|git:\/\/|file:\/\/|[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:)/;

export function isGitUrl(input: string): boolean {
  return GIT_URL_RE.test(input);
}

/** The URL without credentials, and the credentials to mask. */
export function sanitizeGitUrl(url: string): { display: string; secrets: string[] } {
  try {
    const u = new URL(url);
    const secrets = [u.password, u.username && u.password ? '' : u.username].filter((s): s is string => !!s && s.length >= 4);
    // A token is often the whole user part (https://TOKEN@host/...); mask both parts when present.
    u.username = '';
    u.password = '';
    return { display: u.toString(), secrets: [...new Set([...secrets, decodeURIComponent(secrets[0] ?? '')].filter((s) => s.length >= 4))] };
  } catch {
    return { display: url, secrets: [] };
  }
}

export async function openSource(ctx: RunContext, input: string): Promise<RepoSource> {
  if (!isGitUrl(input)) {
    const root = resolve(input);
    const st = await stat(root).catch(() => null);
    if (!st) throw usageError(`no such directory: ${input}`, 'pass the path of a repository checkout, or a git URL');
    if (!st.isDirectory()) throw usageError(`${input} is a file, not a directory`, 'pass the repository directory');
    return { root, display: input, cleanup: async () => {} };
  }
  const { display, secrets } = sanitizeGitUrl(input);
  ctx.redactor.add(...secrets);
  const dir = await mkdtemp(join(tmpdir(), 'deckhand-clone-'));
  const cleanup = (): Promise<void> => rm(dir, { recursive: true, force: true });
  const env = { GIT_TERMINAL_PROMPT: '0', GIT_ASKPASS: 'true', SSH_ASKPASS: 'true', GIT_SSH_COMMAND: 'ssh -o BatchMode=yes -o ConnectTimeout=15' };
  const res = await ctx.executor.run({
    argv: ['git', '-c', 'credential.helper=', 'clone', '--depth', '1', '--single-branch', '--no-tags', '--', input, dir],
    mutates: false, env, timeoutMs: 180_000, description: 'shallow clone for discovery',
  });
  if (res.exitCode !== 0) {
    await cleanup();
    throw new DeckhandError('unreachable', `could not clone ${display}${res.timedOut ? ' (timed out after 180 s)' : ''}`, {
      details: { command: `git clone --depth 1 ${display}`, exitCode: res.exitCode, stderrTail: tail(res.stderr) },
      hint: 'check the URL and your access (an SSH key or a token); deckhand never prompts for credentials',
    });
  }
  // The token must not stay in the clone's config.
  await ctx.executor.run({ argv: ['git', '-C', dir, 'remote', 'set-url', 'origin', display], mutates: false, timeoutMs: 10_000 });
  return { root: dir, display, cleanup };
}

/** The checked-out commit, or null when the directory is not a git work tree. */
export async function headCommit(ctx: RunContext, root: string): Promise<string | null> {
  const r = await ctx.executor.run({ argv: ['git', '-C', root, 'rev-parse', '--verify', '-q', 'HEAD'], mutates: false, timeoutMs: 10_000 }).catch(() => null);
  const sha = r?.exitCode === 0 ? r.stdout.trim() : '';
  return /^[0-9a-f]{40}$/.test(sha) ? sha : null;
}
