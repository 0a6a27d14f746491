// Splits a fleet's hosts into rollout batches: an optional canary batch first, then batches of N hosts or N% of the fleet.
import { DeckhandError } from '../../../core/errors.js';

/** How many hosts a batch holds: a count, a share of the fleet, or every host at once. */
export type BatchSize = { kind: 'count'; n: number } | { kind: 'percent'; percent: number } | { kind: 'all' };

/** Reads `--batch` / rollout.batch: a whole number ("2"), a percentage ("25%") or "all". */
export function parseBatchSize(text: string, what = '--batch'): BatchSize {
  const t = text.trim();
  if (t === 'all') return { kind: 'all' };
  const pct = /^(\d{1,3})%$/.exec(t);
  if (pct) {
    const percent = Number(pct[1]);
    if (percent < 1 || percent > 100) throw new DeckhandError('usage', `${what} must be a percentage from 1% to 100% (got "${text}")`);
    return { kind: 'percent', percent };
  }
  if (/^\d+$/.test(t) && Number(t) >= 1 && Number(t) <= 1000) return { kind: 'count', n: Number(t) };
  throw new DeckhandError('usage', `${what} must be a number of hosts (1, 2, ...), a share of the fleet (25%) or all (got "${text}")`, {
    hint: 'for example --batch 2 deploys two hosts at a time, each batch verified before the next',
  });
}

/** Hosts per batch for a fleet of `total` hosts: a percentage rounds up, so a batch always holds at least one host. */
export function batchWidth(size: BatchSize, total: number): number {
  if (total <= 0) return 1;
  if (size.kind === 'all') return total;
  if (size.kind === 'count') return Math.min(size.n, total);
  return Math.max(1, Math.ceil((total * size.percent) / 100));
}

/**
 * The rollout order: the first `canary` hosts as a batch of their own (deployed, verified and watched before any
 * other host is touched), then the rest in batches of `batchWidth`. Host order is the order the user gave.
 */
export function planBatches<T>(hosts: readonly T[], size: BatchSize, canary = 0): T[][] {
  if (canary < 0 || !Number.isInteger(canary)) throw new DeckhandError('usage', `--canary must be a whole number of hosts (got ${canary})`);
  if (canary > 0 && canary >= hosts.length) {
    throw new DeckhandError('usage', `--canary ${canary} leaves no other host to roll out to (the fleet has ${hosts.length})`, {
      hint: 'a canary is a part of the fleet: use fewer canary hosts than hosts, or deploy without --canary',
    });
  }
  const out: T[][] = [];
  if (canary > 0) out.push(hosts.slice(0, canary));
  const rest = hosts.slice(canary);
  // A share is of the whole fleet (25% of 8 hosts is 2), whatever the canary took.
  const width = Math.min(batchWidth(size, hosts.length), Math.max(rest.length, 1));
  for (let i = 0; i < rest.length; i += width) out.push(rest.slice(i, i + width));
  return out;
}
