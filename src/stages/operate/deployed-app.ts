// What day-2 operations start from: the app deckhand deployed on a target, read in one probe (ledger, layout, current release).
import type { RunContext } from '../../core/context.js';
import { DeckhandError } from '../../core/errors.js';
import { asRoot } from '../../commands/sudo.js';
import { parseDotenv, valuesToMask } from '../deploy/secrets.js';
import { discoverDeps } from '../verify/deps/discover.js';
import { currentRelease, knownGood, parseLedger, type Ledger, type LedgerEntry } from '../deploy/ledger.js';
import { layoutFor } from '../deploy/layout.js';
import { probeState, type ProbedState } from '../deploy/state.js';
import type { Layout } from '../deploy/types.js';

export interface DeployedApp {
  app: string;
  base: string;
  layout: Layout;
  state: ProbedState;
  ledger: Ledger;
  current: LedgerEntry;
  /** The release `deckhand rollback` would restore, or null. */
  previous: LedgerEntry | null;
  /** Releases that must never be removed: current, the rollback point, and newer releases rolled back from. */
  protectedIds: string[];
}

/** Reads the deployed app; an app never deployed here, or a corrupt ledger, is a clear error (nothing is changed). */
export async function loadDeployedApp(ctx: RunContext, app: string, baseDir: string | null): Promise<DeployedApp> {
  const state = await probeState(ctx, app, baseDir);
  const { ledger, error } = parseLedger(state.ledgerText, app);
  if (error) throw new DeckhandError('config', `the release ledger of ${app} on ${ctx.executor.host.display} is corrupt: ${error}`, { hint: 'inspect it by hand; nothing was changed' });
  const current = currentRelease(ledger);
  if (!current) {
    throw new DeckhandError('usage', `${app} is not deployed on ${ctx.executor.host.display} (no current release in a ledger at ${state.base})`, {
      hint: 'check --name and --base-dir, or deploy it first with `deckhand deploy`',
    });
  }
  // What `deckhand rollback` restores: the newest release before the current one that served and is still on disk.
  // After a rollback that is older than the release rolled back from, which is not a rollback point; nor is an older
  // release rolled back from earlier (it is known bad).
  const idx = ledger.releases.findIndex((r) => r.id === current.id);
  const previous = ledger.releases.slice(0, idx).reverse().find((r) => knownGood(r) && !r.pruned && state.releaseDirs.includes(r.id)) ?? null;
  return {
    app, base: state.base, layout: layoutFor(state.base), state, ledger, current, previous,
    // Releases newer than current that served (rolled back from) stay too: `deckhand rollback --to` can bring them back.
    protectedIds: [current.id, ...(previous ? [previous.id] : []), ...ledger.releases.slice(idx + 1).filter((r) => r.status !== 'failed' && !r.pruned).map((r) => r.id)],
  };
}

/**
 * Reads the app's env file once (through sudo when the service user owns it) and registers every value that could
 * be secret with the redactor, so nothing an ops task shows can carry one. Returns the text (never shown), or null.
 */
export async function registerEnvSecrets(ctx: RunContext, d: DeployedApp): Promise<string | null> {
  const sudo = d.state.uid !== 0 && d.state.sudo;
  const r = await ctx.executor.run(asRoot({ argv: ['sh', '-c', 'cat "$1" 2>/dev/null; exit 0', 'deckhand-env', d.layout.envFile], mutates: false, timeoutMs: 15_000, description: `read ${d.layout.envFile} (values masked)` }, sudo));
  const text = r.rawStdout ?? r.stdout;
  if (text.length === 0) return null;
  try {
    for (const [k, v] of parseDotenv(text, d.layout.envFile)) ctx.redactor.add(...valuesToMask(k, v));
  } catch {
    // An env file the parser refuses still gets its secret-looking values masked, line by line.
    for (const line of text.split('\n')) {
      const eq = line.indexOf('=');
      if (eq > 0) ctx.redactor.add(...valuesToMask(line.slice(0, eq).trim(), line.slice(eq + 1).trim()));
    }
  }
  ctx.redactor.add(...discoverDeps(text).secrets);
  return text;
}
