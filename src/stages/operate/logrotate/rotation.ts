// What a forced rotation did, read from the files on disk before and after it (not from logrotate's chatter).
import { parseSections } from '../../readiness/parse.js';

export interface RotatedLog { log: string; to: string[]; bytes: number }

/** `size|path` lines → path → size. */
export function parseListing(body: string): Map<string, number> {
  const m = new Map<string, number>();
  for (const line of body.split('\n')) {
    const i = line.indexOf('|');
    if (i <= 0) continue;
    const n = Number(line.slice(0, i));
    if (Number.isInteger(n)) m.set(line.slice(i + 1), n);
  }
  return m;
}

/** A name logrotate gives a rotated copy: .N, .N.gz, -YYYYMMDD (dateext), compressed files. */
export const ROTATED_NAME = /(?:\.\d+|-\d{8}(?:\d{2})?)(?:\.(?:gz|xz|bz2|zst))?$|\.(?:gz|xz|bz2|zst)$/;

/**
 * A live log rotated when it shrank or vanished, or a rotated copy of it appeared or changed;
 * `to` lists those copies.
 */
export function rotatedLogs(before: Map<string, number>, after: Map<string, number>): RotatedLog[] {
  const out: RotatedLog[] = [];
  for (const [log, bytes] of before) {
    if (ROTATED_NAME.test(log)) continue;
    const to = [...after.keys()].filter((f) => (f.startsWith(`${log}.`) || f.startsWith(`${log}-`)) && ROTATED_NAME.test(f) && before.get(f) !== after.get(f)).sort();
    const now = after.get(log);
    if (to.length > 0 || now === undefined || now < bytes) out.push({ log, to, bytes });
  }
  return out.sort((a, b) => a.log.localeCompare(b.log));
}

export function parseForceOutput(stdout: string): { rotated: RotatedLog[]; output: string; rc: number | null } {
  const s = parseSections(stdout);
  const rot = s.get('rotate');
  return { rotated: rotatedLogs(parseListing(s.get('before')?.body ?? ''), parseListing(s.get('after')?.body ?? '')), output: rot?.body ?? '', rc: rot?.rc ?? null };
}
