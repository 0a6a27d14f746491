// Byte sizes: parsing "512MiB"/"2G" from users and formatting for reports.
import { usageError } from './errors.js';

const UNITS: Record<string, number> = {
  '': 1024 ** 2, b: 1, k: 1024, kb: 1024, kib: 1024, m: 1024 ** 2, mb: 1024 ** 2, mib: 1024 ** 2,
  g: 1024 ** 3, gb: 1024 ** 3, gib: 1024 ** 3, t: 1024 ** 4, tb: 1024 ** 4, tib: 1024 ** 4,
};

/** Parses a size; a bare number means MiB. Decimal suffixes are read as binary, as `df -h` does. */
export function parseSize(input: string, what = 'size'): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(input);
  const unit = UNITS[(m?.[2] ?? 'x').toLowerCase()];
  if (!m || unit === undefined) throw usageError(`invalid ${what} "${input}"`, 'use a number of MiB or a unit: 512MiB, 2GiB, 300M');
  return Math.round(Number(m[1]) * unit);
}

export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (Math.abs(v) >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return `${i === 0 ? v.toFixed(0) : v.toFixed(v >= 100 ? 0 : 1)} ${units[i]}`;
}

export function percent(part: number, whole: number): string {
  return whole > 0 ? `${((part / whole) * 100).toFixed(0)}%` : 'n/a';
}

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

type DurationUnit = 'ms' | 's' | 'm' | 'h' | 'd';

/**
 * Parses a duration with its unit (500ms, 30s, 5m, 2h, 15d) into milliseconds. A bare number is refused, unless
 * `bare` names the unit it is read in (a flag documented in seconds).
 */
export function parseDuration(input: string, what = 'duration', bare?: DurationUnit): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/i.exec(input);
  const unit = DURATION_UNITS[(m?.[2] ?? bare ?? 'x').toLowerCase()];
  if (!m || unit === undefined) {
    throw usageError(`invalid ${what} "${input}"`, `use a number with a unit: 500ms, 30s, 5m, 2h, 15d${bare ? ` (a bare number is in ${bare})` : ''}`);
  }
  return Math.round(Number(m[1]) * unit);
}
