// The pm2 CLI deckhand drives: its own (a dependency) on this machine, so the local target needs nothing installed; the host's elsewhere.
import { createRequire } from 'node:module';
import type { HostRef } from './target.js';

/** deckhand's own pm2 script, or undefined when pm2 is not installed beside deckhand. */
export function bundledPm2(): string | undefined {
  try { return createRequire(import.meta.url).resolve('pm2/bin/pm2'); } catch { return undefined; }
}

/** deckhand's own pm2 for the local target; undefined for a remote one (it uses its own pm2 on PATH). */
export function localPm2(host: Pick<HostRef, 'kind'>): string | undefined {
  return host.kind === 'local' ? bundledPm2() : undefined;
}

/** The pm2 command for a target: deckhand's own on this machine when installed, else `pm2` from the host's PATH. */
export function pm2For(host: Pick<HostRef, 'kind'>): string {
  return localPm2(host) ?? 'pm2';
}
