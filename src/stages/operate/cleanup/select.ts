// What cleanup removes and what it must keep: pure rules over the probed facts and the ledger, tested on their own.
import { pruneCandidates, type Ledger } from '../../deploy/ledger.js';
import { RELEASE_ID_RE } from '../../deploy/layout.js';
import type { ImageTag, LogFile } from './facts.js';

export const DAY_SEC = 86_400;

/** Below this, gzip's header outweighs what compression saves. */
export const MIN_COMPRESS_BYTES = 1024;

const COMPRESSED = /\.(?:gz|xz|bz2|zst|zip|tgz)$/;
/** A date in a name (app-2026-01-05.log, access.log-20260105): a dated file is not the one being written. */
const DATED = /\d{4}-?\d{2}-?\d{2}/;
/** A name logrotate gives a rotated copy (.1, .2.gz). */
const NUMBERED = /\.\d+(?:\.[a-z0-9]+)?$/;

export interface Protected { kind: 'log' | 'release' | 'image'; target: string; reason: string }

export interface LogAction { action: 'compress' | 'delete'; file: LogFile; reason: string }

export interface LogSelectionInput {
  files: readonly LogFile[];
  open: ReadonlySet<string>;
  /** Every process's open files were seen (the probe ran as root). */
  openComplete: boolean;
  /** Files the deployed app writes now (pm2's out/err files), kept whatever their age. */
  live: ReadonlySet<string>;
  nowSec: number;
  olderThanSec: number;
  /** Uncompressed logs not written for this long are compressed (a day: the writer has moved on). */
  compressAfterSec: number;
}

function days(sec: number): string {
  const d = Math.floor(sec / DAY_SEC);
  return d >= 1 ? `${d} day${d === 1 ? '' : 's'}` : `${Math.floor(sec / 3600)} hours`;
}

/** A plain `*.log` name without a date or a rotation number: possibly the file being written. */
function maybeWritten(path: string): boolean {
  const name = path.slice(path.lastIndexOf('/') + 1);
  return !COMPRESSED.test(name) && !NUMBERED.test(name) && !DATED.test(name);
}

/**
 * Logs: delete past the age, compress what is uncompressed and idle for a day. Never a file the app writes,
 * one a process holds open, or (when other users' open files could not be seen) a plain live-looking name.
 */
export function selectLogs(i: LogSelectionInput): { actions: LogAction[]; kept: Protected[] } {
  const actions: LogAction[] = [];
  const kept: Protected[] = [];
  const paths = new Set(i.files.map((f) => f.path));
  for (const file of i.files) {
    const keep = (reason: string): void => { kept.push({ kind: 'log', target: file.path, reason }); };
    const age = i.nowSec - file.mtime;
    if (i.live.has(file.path)) { keep('the app writes it now'); continue; }
    if (i.open.has(file.path)) { keep('a process holds it open'); continue; }
    const wantDelete = age > i.olderThanSec;
    const wantCompress = !wantDelete && !COMPRESSED.test(file.path) && age > i.compressAfterSec && file.size >= MIN_COMPRESS_BYTES;
    if (!wantDelete && !wantCompress) continue;
    if (!i.openComplete && maybeWritten(file.path)) { keep('may be open: other users\' open files cannot be seen without root'); continue; }
    if (wantDelete) { actions.push({ action: 'delete', file, reason: `last written ${days(age)} ago, past the age limit (${days(i.olderThanSec)})` }); continue; }
    if (file.links > 1) { keep('has other hard links (gzip would refuse it)'); continue; }
    if (paths.has(`${file.path}.gz`)) { keep(`${file.path}.gz exists`); continue; }
    actions.push({ action: 'compress', file, reason: `uncompressed, not written for ${days(age)}` });
  }
  return { actions, kept };
}

export interface ReleaseSelectionInput {
  ledger: Ledger;
  onDisk: readonly string[];
  keep: number;
  /** Releases that must stay whatever the count: current, the rollback target, slot targets — with why. */
  protect: readonly { id: string; reason: string }[];
}

/**
 * Releases beyond the newest `keep`, oldest first, never a protected one (the ledger's rule, pruneCandidates,
 * plus the protections given). Directories the ledger does not know are left alone and reported.
 */
export function selectReleases(i: ReleaseSelectionInput): { prune: string[]; kept: Protected[] } {
  const reasons = new Map<string, string>();
  for (const p of i.protect) if (!reasons.has(p.id)) reasons.set(p.id, p.reason);
  const known = new Set(i.ledger.releases.map((r) => r.id));
  const prune = pruneCandidates(i.ledger, i.onDisk, i.keep, [...reasons.keys()]);
  const kept: Protected[] = [];
  for (const id of [...i.onDisk].sort()) {
    if (prune.includes(id)) continue;
    const why = reasons.get(id) ?? (known.has(id) ? `among the newest ${i.keep} kept` : 'not in the ledger: left alone');
    kept.push({ kind: 'release', target: id, reason: why });
  }
  return { prune, kept };
}

export interface ImageRemoval { ref: string; id: string; bytes: number; reason: string }

/**
 * The app's image tags (`<app>:<release-id>`, `<app>:<short-commit>`) no release that stays needs: a release tag
 * goes when its release is gone or pruned now; another tag goes only with the last release tag of its image.
 * An image a container uses, and tags deckhand did not make, stay. An image's size is counted once, on the
 * removal that frees it (layers shared with kept images stay, so it is an upper bound).
 */
export function selectImages(i: {
  app: string; images: readonly ImageTag[]; sizes: ReadonlyMap<string, number>; inUse: ReadonlySet<string>; keepReleases: ReadonlySet<string>;
  /** Tags per image in all repositories; an image also tagged elsewhere is not freed by removing the app's tags. */
  tagCounts?: ReadonlyMap<string, number>;
}): { remove: ImageRemoval[]; kept: Protected[] } {
  const mine = i.images.filter((t) => t.repo === i.app && t.tag !== '<none>');
  const isRelease = (t: ImageTag): boolean => RELEASE_ID_RE.test(t.tag);
  const keptIds = new Set(mine.filter((t) => isRelease(t) && i.keepReleases.has(t.tag)).map((t) => t.id));
  const staleIds = new Set(mine.filter((t) => isRelease(t) && !i.keepReleases.has(t.tag)).map((t) => t.id));
  const remove: ImageRemoval[] = [];
  const kept: Protected[] = [];
  for (const t of mine) {
    const ref = `${t.repo}:${t.tag}`;
    const keep = (reason: string): void => { kept.push({ kind: 'image', target: ref, reason }); };
    if (i.inUse.has(t.id)) { keep('a container uses it'); continue; }
    if (isRelease(t)) {
      if (i.keepReleases.has(t.tag)) keep(`release ${t.tag} stays`);
      else remove.push({ ref, id: t.id, bytes: 0, reason: `release ${t.tag} is no longer on disk (or pruned now)` });
      continue;
    }
    if (keptIds.has(t.id)) keep('same image as a release that stays');
    else if (staleIds.has(t.id)) remove.push({ ref, id: t.id, bytes: 0, reason: 'another tag of a removed release image' });
    else keep('not a tag deckhand made for a release: left alone');
  }
  // Bytes go on the last removal of each image: only then is the image gone.
  const mineCount = new Map<string, number>();
  for (const t of mine) mineCount.set(t.id, (mineCount.get(t.id) ?? 0) + 1);
  const refsLeft = new Map([...mineCount].map(([id, n]) => [id, Math.max(n, i.tagCounts?.get(id) ?? 0)]));
  for (const r of remove) refsLeft.set(r.id, (refsLeft.get(r.id) ?? 1) - 1);
  const counted = new Set<string>();
  for (let k = remove.length - 1; k >= 0; k--) {
    const r = remove[k];
    if (!r || counted.has(r.id) || (refsLeft.get(r.id) ?? 0) > 0) continue;
    counted.add(r.id);
    r.bytes = i.sizes.get(r.id) ?? 0;
  }
  return { remove, kept };
}
