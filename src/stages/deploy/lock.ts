// The per-app deploy lock on the target: one deploy at a time, and a crashed deploy's lock is recognised as stale.
import { randomBytes } from 'node:crypto';
import { hostname, userInfo } from 'node:os';
import { z } from 'zod';
import { DeckhandError, tail } from '../../core/errors.js';
import type { RunContext } from '../../core/context.js';
import { acquireLockCommand, readLockCommand, releaseLockCommand } from '../../commands/lock.js';

export const LockRecordSchema = z.object({
  owner: z.string(), machine: z.string(), pid: z.number().int(), started: z.string(), expires: z.string(),
  operation: z.string(), token: z.string(),
});
export type LockRecord = z.infer<typeof LockRecordSchema>;

export interface LockHandle { path: string; text: string; record: LockRecord; recovered: LockRecord | null }

export const LOCK_TTL_MS = 60 * 60_000;

export function newLockRecord(operation: string, now: Date, ttlMs = LOCK_TTL_MS): LockRecord {
  let owner = 'unknown';
  try { owner = userInfo().username; } catch { /* no passwd entry */ }
  return {
    owner: `${owner}@${hostname()}`, machine: hostname(), pid: process.pid, started: now.toISOString(),
    expires: new Date(now.getTime() + ttlMs).toISOString(), operation, token: randomBytes(6).toString('hex'),
  };
}

export function parseLockRecord(text: string | null): LockRecord | null {
  if (!text) return null;
  try { return LockRecordSchema.parse(JSON.parse(text.trim())); } catch { return null; }
}

function pidAlive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch (e) { return (e as NodeJS.ErrnoException).code === 'EPERM'; }
}

/**
 * Why a held lock may be taken over, or null when it is live. Past its expiry; or taken on this machine by a
 * process that no longer exists (deckhand killed with -9, a crashed terminal). A lock from another machine
 * is trusted until it expires: its process cannot be checked from here.
 */
export function staleReason(rec: LockRecord | null, now: Date): string | null {
  if (!rec) return 'the lock file is unreadable or not deckhand\'s';
  if (Date.parse(rec.expires) < now.getTime()) return `it expired at ${rec.expires}`;
  if (rec.machine === hostname() && !pidAlive(rec.pid)) return `process ${rec.pid} on ${rec.machine} no longer exists`;
  return null;
}

function describe(rec: LockRecord | null, raw: string): string {
  return rec ? `${rec.operation} by ${rec.owner} (pid ${rec.pid}) since ${rec.started}, expires ${rec.expires}` : raw.trim().slice(0, 200);
}

/** Takes the lock; a stale lock is replaced (compare-and-delete, so two runs cannot both take it over). */
export async function acquireLock(ctx: RunContext, path: string, operation: string, sudo: (c: ReturnType<typeof acquireLockCommand>) => ReturnType<typeof acquireLockCommand> = (c) => c): Promise<LockHandle> {
  const now = ctx.now?.() ?? new Date();
  const record = newLockRecord(operation, now);
  const text = JSON.stringify(record);
  let recovered: LockRecord | null = null;
  for (let attempt = 0; attempt < 2; attempt++) {
    const r = await ctx.executor.run(sudo(acquireLockCommand(path, text)));
    if (!r.failed) return { path, text, record, recovered };
    if (r.exitCode !== 75) {
      throw new DeckhandError('internal', `could not take the deploy lock ${path}`, { details: { host: r.host, command: r.command, exitCode: r.exitCode, stderrTail: tail(r.stderr) } });
    }
    const held = parseLockRecord(r.stdout);
    const why = staleReason(held, now);
    if (why === null || attempt === 1) {
      throw new DeckhandError('usage', `another deploy holds the lock on ${ctx.executor.host.display}: ${describe(held, r.stdout)}`, {
        hint: 'wait for it to finish; if you are sure it is dead, run `deckhand lock release` for this target',
      });
    }
    const del = await ctx.executor.run(sudo(releaseLockCommand(path, r.stdout.trimEnd())));
    if (del.failed && del.exitCode !== 3) throw new DeckhandError('internal', `could not remove the stale lock ${path}`, { details: { stderrTail: tail(del.stderr) } });
    recovered = held;
    if (held) recovered = { ...held };
    ctx.onProgress?.({ type: 'step-end', id: 'lock.stale', title: 'stale lock recovered', status: 'warn', durationMs: 0, detail: why });
  }
  throw new DeckhandError('internal', 'unreachable: lock loop ended');
}

export async function releaseLock(ctx: RunContext, h: LockHandle, sudo: (c: ReturnType<typeof releaseLockCommand>) => ReturnType<typeof releaseLockCommand> = (c) => c): Promise<boolean> {
  const r = await ctx.executor.run(sudo(releaseLockCommand(h.path, h.text)));
  return !r.failed;
}

export async function readLock(ctx: RunContext, path: string): Promise<{ raw: string | null; record: LockRecord | null; stale: string | null }> {
  const r = await ctx.executor.run(readLockCommand(path));
  const raw = r.stdout.trim() || null;
  const record = parseLockRecord(raw);
  return { raw, record, stale: raw ? staleReason(record, ctx.now?.() ?? new Date()) : null };
}
