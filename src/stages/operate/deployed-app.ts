// What day-2 operations start from: the app deckhand deployed on a target, read in one probe (ledger, layout, current release).
import type { RunContext } from '../../core/context.js';
import { DeckhandError } from '../../core/errors.js';
import { currentRelease, parseLedger, restorable, type Ledger, type LedgerEntry } from '../deploy/ledger.js';
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
  /** Releases that must never be removed: current and the rollback point. */
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
  const previous = restorable(ledger).find((r) => r.id !== current.id) ?? null;
  return {
    app, base: state.base, layout: layoutFor(state.base), state, ledger, current, previous,
    protectedIds: [current.id, ...(previous ? [previous.id] : [])],
  };
}
