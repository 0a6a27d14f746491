// Version comparison through semver, loaded only when a range is to be compared (its import costs ~70 ms).

export interface VersionMatcher {
  /** The first x.y.z in a version string, or null. */
  coerce(version: string): string | null;
  satisfies(version: string, range: string): boolean;
  validRange(range: string): boolean;
  /** Whether two ranges can be satisfied by one version (invalid ranges never intersect). */
  intersects(a: string, b: string): boolean;
}

let loaded: Promise<VersionMatcher> | undefined;

export function loadVersionMatcher(): Promise<VersionMatcher> {
  loaded ??= import('semver').then(({ default: semver }) => ({
    coerce: (v) => semver.coerce(v)?.version ?? null,
    satisfies: (v, r) => semver.satisfies(v, r),
    validRange: (r) => semver.validRange(r) !== null,
    intersects: (a, b) => { try { return semver.intersects(a, b); } catch { return false; } },
  }));
  return loaded;
}
