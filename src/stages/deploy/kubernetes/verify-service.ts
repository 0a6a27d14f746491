// Verification through the Service: kubectl port-forward on a loopback port, bounded HTTP checks, the forward ended after.
import { shJoin, type Command } from '../../../core/command.js';
import type { RunContext } from '../../../core/context.js';
import { PORT_FORWARD_READY } from '../../../commands/kubectl.js';
import { httpRequest } from '../../verify/http-client.js';
import type { KubePlan } from './types.js';

export interface ServiceCheck { ok: boolean; url: string; detail: string; forward: string }

const SUCCESSES = 3;
const REQUEST_TIMEOUT_MS = 5_000;
const PAUSE_MS = 500;

/** GET the health path through the forward until it answers 2xx/3xx 3 times in a row, within the window. */
export async function verifyThroughService(ctx: RunContext, forward: Command, k: Pick<KubePlan, 'service' | 'servicePort' | 'healthPath' | 'verifyWindowSec'>): Promise<ServiceCheck> {
  const shown = shJoin(forward.argv);
  const path = k.healthPath ?? '/';
  const where = `svc/${k.service}:${k.servicePort}${path}`;
  if (!ctx.executor.background) return { ok: false, url: where, detail: 'this executor cannot start kubectl port-forward (kubernetes deploys run kubectl on this machine)', forward: shown };
  const deadline = performance.now() + k.verifyWindowSec * 1000;
  let fwd;
  try {
    fwd = await ctx.executor.background(forward, PORT_FORWARD_READY, Math.min(30, k.verifyWindowSec) * 1000);
  } catch (e) {
    return { ok: false, url: where, detail: `port-forward failed: ${e instanceof Error ? e.message : String(e)}`, forward: shown };
  }
  try {
    const url = `http://127.0.0.1:${fwd.match[1] ?? '0'}${path}`;
    let streak = 0;
    let last = 'no answer yet';
    while (streak < SUCCESSES && performance.now() < deadline && !ctx.signal?.aborted) {
      const o = await httpRequest({ method: 'GET', url, timeoutMs: REQUEST_TIMEOUT_MS, ...(ctx.signal ? { signal: ctx.signal } : {}) });
      if (o.ok && o.response.status < 400) { streak++; last = `HTTP ${o.response.status}`; } else {
        streak = 0;
        last = o.ok ? `HTTP ${o.response.status}` : `${o.failure.kind}: ${o.failure.message}`;
      }
      if (streak < SUCCESSES) await new Promise((r) => setTimeout(r, PAUSE_MS));
    }
    const ok = streak >= SUCCESSES;
    return {
      ok, url: `${where} (forwarded to ${url})`, forward: shown,
      detail: ok ? `${last} ${SUCCESSES} times in a row` : `no ${SUCCESSES} healthy answers in a row within ${k.verifyWindowSec}s; last: ${last}`,
    };
  } finally {
    await fwd.stop();
  }
}
