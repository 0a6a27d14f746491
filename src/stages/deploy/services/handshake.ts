// A service's handshake to one it depends on: from the target, the address the dependent is configured with must answer.
import type { RunContext } from '../../../core/context.js';
import type { Finding } from '../../../report/common.js';
import { httpRequest, joinUrl } from '../../verify/http-client.js';
import { currentRelease, parseLedger } from '../ledger.js';
import { probeState } from '../state.js';
import type { ServiceUnit } from './units.js';

const TIMEOUT_MS = 5000;

/** The dependent's env value that points at the dependency's port (an http(s) URL), if any. */
export function addressInEnv(env: Readonly<Record<string, string>>, port: number): { key: string; origin: string; host: string } | null {
  for (const [key, value] of Object.entries(env)) {
    let u: URL;
    try { u = new URL(value); } catch { continue; }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') continue;
    const p = u.port ? Number(u.port) : u.protocol === 'https:' ? 443 : 80;
    if (p === port) return { key, origin: u.origin, host: u.hostname };
  }
  return null;
}

/** The dependency's current release on the target: what the handshake is checked against. */
export async function dependencyRelease(ctx: RunContext, dep: ServiceUnit): Promise<{ release: string; port: number | null; healthPath: string | null } | null> {
  const state = await probeState(ctx, dep.app, dep.config.base_dir ?? null);
  const cur = currentRelease(parseLedger(state.ledgerText, dep.app).ledger);
  return cur ? { release: cur.id, port: cur.port ?? null, healthPath: cur.healthPath ?? null } : null;
}

function finding(dependent: ServiceUnit, dep: ServiceUnit, status: Finding['status'], summary: string, extra: Partial<Finding> = {}): Finding {
  return { id: `handshake.${dependent.name}.${dep.name}`, section: 'handshake', title: `${dependent.name} → ${dep.name}`, status, required: true, summary, ...extra };
}

/**
 * GET the dependency's health path at the address the dependent is configured with (an env URL on the dependency's
 * port), else at 127.0.0.1:<port>, through the target: the dependent runs there and sees what this request sees.
 */
export async function dependencyHandshake(ctx: RunContext, dependent: ServiceUnit, dep: ServiceUnit): Promise<Finding> {
  const mask = (s: string): string => ctx.redactor.mask(s);
  const cur = await dependencyRelease(ctx, dep).catch((e: unknown) => e instanceof Error ? e : new Error(String(e)));
  if (cur instanceof Error) return finding(dependent, dep, 'unknown', mask(`the ledger of ${dep.app} could not be read: ${cur.message}`), { remedy: `check ${ctx.executor.host.display} is reachable` });
  if (!cur) {
    return finding(dependent, dep, 'fail', `no release of ${dep.app} (service ${dep.name}) is current on ${ctx.executor.host.display}`, { remedy: `deploy ${dep.name} first (deckhand deploy without --only, or --only ${dep.name})` });
  }
  if (cur.port === null) {
    return finding(dependent, dep, 'skipped', `${dep.name} (release ${cur.release}) has no port: there is no handshake to make; its own verification stands for it`, { required: false });
  }
  const env = dependent.config.env ?? {};
  const named = addressInEnv(env, cur.port);
  const origin = named?.origin ?? `http://127.0.0.1:${cur.port}`;
  const host = named?.host ?? '127.0.0.1';
  const url = joinUrl(origin, cur.healthPath ?? '/');
  const how = named ? `${dependent.name}'s ${named.key} points at ${origin}` : `no env value of ${dependent.name} names port ${cur.port}; checked ${origin}`;
  let tunnel;
  try {
    tunnel = await ctx.executor.forward(host, cur.port);
  } catch (e) {
    return finding(dependent, dep, 'unknown', mask(`no path to ${host}:${cur.port} from ${ctx.executor.host.display} could be opened: ${e instanceof Error ? e.message : String(e)}`), { evidence: mask(how) });
  }
  try {
    const r = await httpRequest({ method: 'GET', url, timeoutMs: TIMEOUT_MS, via: { origin: new URL(origin).origin, host: tunnel.host, port: tunnel.port }, ...(ctx.signal ? { signal: ctx.signal } : {}) });
    const evidence = mask(`${how}; on ${ctx.executor.host.display}: GET ${url} (${host}:${cur.port}) → ${r.ok ? `${r.response.status} ${r.response.statusText}` : `${r.failure.kind}: ${r.failure.message}`}`);
    if (r.ok && r.response.status >= 200 && r.response.status < 400) {
      return finding(dependent, dep, 'pass', mask(`${dep.name} answers ${dependent.name} at ${url}: ${r.response.status} (release ${cur.release})`), { evidence });
    }
    return finding(dependent, dep, 'fail', mask(`${dep.name} does not answer ${dependent.name} at ${url}: ${r.ok ? `HTTP ${r.response.status}` : r.failure.message}`), {
      evidence, remedy: named ? `check ${named.key} in services.${dependent.name}.env, and that ${dep.name} is running (deckhand verify --name ${dep.app})` : `set the address of ${dep.name} in services.${dependent.name}.env, and check ${dep.name} is running`,
    });
  } finally {
    await tunnel.close().catch(() => undefined);
  }
}
