// Paths of an app on a target (DESIGN §5) and release ids (UTC timestamp + short commit, sortable by time).
import type { Layout } from './types.js';

export function layoutFor(base: string): Layout {
  const b = base.replace(/\/+$/, '');
  return {
    base: b,
    releases: `${b}/releases`,
    current: `${b}/current`,
    shared: `${b}/shared`,
    envFile: `${b}/shared/.env`,
    state: `${b}/.deckhand`,
    ledger: `${b}/.deckhand/ledger.json`,
    lock: `${b}/.deckhand/lock`,
    journal: `${b}/.deckhand/journal`,
    release: (id) => `${b}/releases/${id}`,
    record: (id) => `${b}/.deckhand/records/${id}`,
  };
}

/** e.g. 20261201T140501Z-a1b2c3d; a suffix keeps two deploys of one commit in the same second apart. */
export function newReleaseId(now: Date, commit: string | null, taken: readonly string[]): string {
  const ts = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  const base = `${ts}-${commit ? commit.slice(0, 7) : 'nogit'}`;
  let id = base;
  for (let n = 2; taken.includes(id); n++) id = `${base}-${n}`;
  return id;
}

export const RELEASE_ID_RE = /^\d{8}T\d{6}Z-[0-9a-z]+(?:-\d+)?$/;
