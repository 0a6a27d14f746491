// Size of an update (patch / minor / major) by semver; imported on demand, since semver costs ~70 ms to load.
import semver from 'semver';
import type { Bump } from '../../../report/ops/upgrade-prep.js';

/**
 * From `current` to `latest`. Loose versions (Go's v1.2.3, PEP 440's 2.0 or 1.26.4) are coerced to x.y.z first;
 * a prerelease only moves within its version. Anything that is not a version (git URLs, "MISSING") is unknown.
 */
export function classifyBump(current: string | null, latest: string | null): Bump {
  if (!current || !latest) return 'unknown';
  const a = semver.valid(current, { loose: true }) ?? semver.coerce(current)?.version ?? null;
  const b = semver.valid(latest, { loose: true }) ?? semver.coerce(latest)?.version ?? null;
  if (!a || !b) return 'unknown';
  if (semver.eq(a, b)) return 'none';
  const d = semver.diff(a, b);
  switch (d) {
    case 'major': case 'premajor': return 'major';
    case 'minor': case 'preminor': return 'minor';
    case 'patch': case 'prepatch': return 'patch';
    case 'prerelease': return 'prerelease';
    default: return 'unknown';
  }
}
