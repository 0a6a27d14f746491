// Ledgers for unit tests of deploy, rollback and verify: release ids, entries, two deployed releases, and the state probe's answer holding a ledger.
import { emptyLedger, withDeployed, type Ledger, type LedgerEntry } from '../../src/stages/deploy/ledger.js';

export const R1 = '20261201T100000Z-aaaaaaa';
export const R2 = '20261201T110000Z-bbbbbbb';
export const R3 = '20261201T120000Z-ccccccc';

/** A release of app `shop` on port 3000 as the ledger records it, before a status is given. */
export function ledgerEntry(id: string, deployedAt: string, strategy = 'systemd'): Omit<LedgerEntry, 'status'> {
  return { id, commit: null, dirty: false, strategy, deployedAt, deployedBy: 'x', deckhandVersion: '0', port: 3000, healthPath: '/health', serviceUser: 'shop' };
}

/** R1 deployed at 10:00, then R2 at 11:00 (current). */
export function twoReleases(strategy = 'systemd'): Ledger {
  return withDeployed(withDeployed(emptyLedger('shop'), ledgerEntry(R1, '2026-12-01T10:00:00.000Z', strategy)), ledgerEntry(R2, '2026-12-01T11:00:00.000Z', strategy));
}

/** The deploy state probe's output on a root systemd host with /opt/shop holding this ledger (`tools`: more tools found, e.g. pm2). */
export function stateProbe(l: Ledger, tools: readonly string[] = []): string {
  return ['user=root', 'uid=0', 'home=/root', 'hostname=web1', 'sudo=1', 'systemd=1', 'tool.rsync=1', ...tools.map((t) => `tool.${t}=1`), 'base=/opt/shop', 'base_exists=1',
    `current=releases/${l.releases.find((r) => r.status === 'current')?.id ?? ''}`, '@@ledger', JSON.stringify(l), '@@end', '@@releases', ...l.releases.map((r) => r.id), '@@end'].join('\n');
}
