// SEV-2 stabilisation: restart the service, then watch it (health and restart counter) until stable or the timer runs out.
import type { Command } from '../../core/command.js';
import type { RunContext } from '../../core/context.js';
import { enableRestartCommand } from '../../commands/systemd.js';
import { asRoot } from '../../commands/sudo.js';
import type { DeployedApp } from '../operate/deployed-app.js';
import { signalsProbeCommand } from './signals-command.js';
import { parseSignalsProbe } from './signals.js';

/** Consecutive healthy polls that make a service stable (at least), and the pause between polls. */
export const STABLE_POLLS = 3;
export const POLL_MS = 2000;

/**
 * How long a service must stay healthy, with no new restart, to count as stable: half the timer, between 6 s and
 * 30 s. A few seconds of health right after a restart prove nothing about a leak or a crash that takes longer.
 */
export function stableWindowSec(limitSec: number): number {
  return Math.min(30, Math.max(6, limitSec / 2));
}

/** The restart of the service as its strategy runs it, or null when deckhand runs no service of its own for it. */
export function restartCommand(d: Pick<DeployedApp, 'app' | 'current'>, sudo: boolean, pm2Bin?: string): Command | null {
  const app = d.app;
  switch (d.current.strategy) {
    case 'systemd': return asRoot(enableRestartCommand(app), sudo);
    case 'pm2': return { argv: [pm2Bin ?? 'pm2', 'restart', app, '--update-env'], mutates: true, timeoutMs: 120_000, description: `pm2 restart ${app}` };
    case 'docker': return { ...asRoot({ argv: ['docker', 'restart', app], mutates: true, timeoutMs: 120_000 }, sudo), description: `docker restart ${app}` };
    default: return null;
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Polls the incident probe's health and exit sections: stable once healthy with no new restart for stableWindowSec
 * (and at least STABLE_POLLS polls). A service with no port is judged by systemd's ActiveState alone.
 */
export async function watchStable(ctx: RunContext, d: DeployedApp, sudo: boolean, limitSec: number): Promise<{ stable: boolean; detail: string }> {
  const deadline = performance.now() + limitSec * 1000;
  let streak = 0;
  let healthySince: number | null = null;
  const needMs = stableWindowSec(limitSec) * 1000;
  let restarts: string | null = null;
  let last = 'no answer yet';
  const cmd = asRoot(signalsProbeCommand({
    unit: d.current.strategy === 'systemd' ? d.app : '', port: d.current.port ?? null, healthPath: d.current.healthPath ?? '/', sinceEpoch: 0,
    envFile: '/dev/null', previousRecord: '', managed: [], nginxDir: '/nonexistent',
  }), sudo);
  for (;;) {
    if (ctx.signal?.aborted) return { stable: false, detail: 'cancelled' };
    const r = await ctx.executor.run({ ...cmd, timeoutMs: 20_000 });
    const x = parseSignalsProbe(r.rawStdout ?? r.stdout);
    const h = x.health.find((a) => a.via === 'app');
    const n = x.exit.get('NRestarts') ?? null;
    const active = x.exit.get('ActiveState');
    const healthy = (h ? h.code >= 200 && h.code < 400 : active === 'active') && (active === undefined || active === 'active') && (restarts === null || n === restarts);
    last = `${h ? `health HTTP ${h.code}` : `ActiveState=${active ?? '?'}`}${n !== null ? `, NRestarts=${n}` : ''}`;
    streak = healthy ? streak + 1 : 0;
    healthySince = healthy ? healthySince ?? performance.now() : null;
    restarts = n;
    if (streak >= STABLE_POLLS && healthySince !== null && performance.now() - healthySince >= needMs) {
      return { stable: true, detail: `healthy with no new restart for ${Math.round((performance.now() - healthySince) / 1000)}s, ${streak} polls (${last})` };
    }
    if (performance.now() + POLL_MS > deadline) return { stable: false, detail: `last poll: ${last}` };
    await sleep(POLL_MS);
  }
}
