// Verifying a blue-green app: which slot nginx sends traffic to (read on the target), and what each layer checks of it.
import type { RunContext } from '../../core/context.js';
import { parseSlotConfig, parseUpstreamPort, slotStateCommand, upstreamPath } from '../../commands/blue-green.js';
import { slotName } from '../../commands/blue-green-runners.js';
import type { Finding } from '../../report/common.js';
import { evidence, vfinding } from './checks/on-target.js';
import type { LayerInput, VerifyLayer, VerifyTarget } from './types.js';

/** The blue-green part of the handoff: read from the slot settings and the upstream file when verify starts. */
export type SlotView = NonNullable<VerifyTarget['blueGreen']>;

/** Parses slotStateCommand's output: the settings file, `@@upstream`, the upstream file. */
export function parseSlotState(text: string, fallbackProxy: number | null): SlotView {
  const at = text.indexOf('@@upstream\n');
  const conf = at >= 0 ? text.slice(0, at) : text;
  const up = at >= 0 ? text.slice(at + '@@upstream\n'.length) : '';
  const c = parseSlotConfig(conf);
  return {
    runner: c?.runner ?? 'systemd', ports: c ? [c.ports[0], c.ports[1]] : null, proxyPort: c?.proxyPort ?? fallbackProxy,
    active: parseUpstreamPort(up), settingsRead: c !== null, shown: text.trim(),
  };
}

/** One round trip on the target: the slot settings and the upstream. A failure to read leaves no active slot. */
export async function readSlotView(ctx: RunContext, app: string, base: string, proxyPort: number | null): Promise<SlotView> {
  try {
    const r = await ctx.executor.run(slotStateCommand(app, base));
    return parseSlotState(r.rawStdout ?? r.stdout, proxyPort);
  } catch (e) {
    return { runner: 'systemd', ports: null, proxyPort, active: null, settingsRead: false, shown: ctx.redactor.mask(`could not read: ${e instanceof Error ? e.message : String(e)}`) };
  }
}

/**
 * The subject as a layer sees it. Process, port, version and logs look at the active slot (its unit, pm2 app or
 * container, and its port); HTTP, smoke and TLS go through nginx's port, as users do; the proxy layer compares
 * nginx's answer with the active slot's own.
 */
export function layerTarget(layer: VerifyLayer, t: VerifyTarget): VerifyTarget {
  const bg = t.blueGreen;
  if (!bg || t.app === null || bg.active === null) return t;
  if (layer === 'process' || layer === 'port' || layer === 'version' || layer === 'logs') {
    const name = slotName(t.app, bg.runner, bg.active);
    return { ...t, app: bg.runner === 'systemd' ? name.replace(/\.service$/, '') : name, strategy: bg.runner, port: bg.active };
  }
  if (layer === 'proxy') return { ...t, port: bg.active };
  return t;
}

/** The proxy layer's URL when none was given: nginx's port in front of the slots, on the target's loopback. */
export function proxyUrlFor(t: VerifyTarget): string | null {
  return t.blueGreen?.proxyPort ? `http://127.0.0.1:${t.blueGreen.proxyPort}` : null;
}

/** The finding that says which slot serves; it fails when nginx names no slot of the app (never switched, or edited by hand). */
export function slotFinding(input: LayerInput): Finding | null {
  const { app, blueGreen: bg } = input.target;
  if (!bg || app === null) return null;
  const title = `nginx sends ${app} to one of its slots`;
  const ev = evidence(input, `cat ${input.target.base ?? '<base>'}/.deckhand/blue-green.conf ${upstreamPath(app)}`, bg.shown || '(nothing read)');
  if (!bg.settingsRead) {
    return vfinding('process.slot', 'process', title, 'unknown', 'the blue-green slot settings could not be read on the target: which runner and slots to check is not known', {
      evidence: ev, remedy: 'deploy again (it rewrites <base>/.deckhand/blue-green.conf), or verify as a user who can read it',
    });
  }
  if (bg.active === null) {
    return vfinding('process.slot', 'process', title, 'fail', `${upstreamPath(app)} names no slot (missing, or the placeholder of a first release that never switched)`, {
      evidence: ev, remedy: 'deploy again: a successful deploy points the upstream at the healthy slot',
    });
  }
  if (bg.ports && !bg.ports.includes(bg.active)) {
    return vfinding('process.slot', 'process', title, 'fail', `the upstream sends traffic to port ${bg.active}, which is not one of the slots (${bg.ports.join(', ')})`, {
      evidence: ev, remedy: `restore ${upstreamPath(app)} (deploy again or roll back), then reload nginx`,
    });
  }
  return vfinding('process.slot', 'process', title, 'pass', `slot ${bg.active} (${slotName(app, bg.runner, bg.active)}, ${bg.runner}) serves behind nginx on port ${bg.proxyPort ?? '?'}`, { evidence: ev });
}

/** Layers that look at the slot cannot run when no slot is known: one unknown each instead of a check of the wrong thing. */
export function noSlot(layer: VerifyLayer, t: VerifyTarget): Finding[] | null {
  if (!t.blueGreen || t.blueGreen.active !== null || !['process', 'port', 'version', 'logs'].includes(layer)) return null;
  if (layer === 'process') return [];
  return [vfinding(`${layer}.slot`, layer, `${layer} of the active slot of ${t.app ?? '?'}`, 'unknown', 'no active slot is known (see the process section), so there is nothing to check', { required: false })];
}
