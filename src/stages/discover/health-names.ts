// The route names that mean a health, readiness or liveness check, one list for every ecosystem's health detector, and route joining.

const NAMES = String.raw`health(?:z|check|-check|_check)?|ready(?:z)?|readiness|live(?:z|ness)?|ping|status|up|heartbeat`;

/** A whole route path that is a health check: `/health`, `healthz/`, `/api/v1/_ready`, `/up` … (a deeper `/api/x/health` is not). */
export const HEALTHY = new RegExp(String.raw`^\/?(?:api\/)?(?:v\d+\/)?_?(?:${NAMES})\/?$`, 'i');

/** A route prefix (router group, blueprint, chi Route) joined with a path registered under it, always absolute. */
export function joinRoute(prefix: string, path: string): string {
  const p = `${prefix.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
  return p.startsWith('/') ? p : `/${p}`;
}
