// `deckhand releases [target]`: the ledger of an app on a target, newest first.
import { Command as Cmd } from 'commander';
import { EXIT, parseLedger, probeState } from '../index.js';
import { resolveAppName } from './app-name.js';
import { addCommonOptions, executorFor, redactorFor, type GlobalOpts } from './shared.js';

interface ReleasesFlags extends GlobalOpts { name?: string; repo?: string; baseDir?: string }

export function releasesCommand(run: (fn: () => Promise<number>, o: GlobalOpts) => Promise<void>): Cmd {
  const c = new Cmd('releases')
    .description('list the releases recorded on the target (current, previous, failed, rolled-back)')
    .argument('[target]', 'target', 'local')
    .option('--name <app>', 'app name (default: deckhand.yml or discovery of --repo)')
    .option('--repo <dir>', 'repository used to find the app name', '.')
    .option('--base-dir <path>', 'base directory on the target');
  addCommonOptions(c);
  c.action(async (target: string, o: ReleasesFlags) => {
    await run(async () => {
      const redactor = redactorFor(o);
      const executor = executorFor(target, o, redactor);
      try {
        const app = await resolveAppName(o, redactor);
        const state = await probeState({ executor, redactor }, app, o.baseDir ?? null);
        const { ledger, error } = parseLedger(state.ledgerText, app);
        if (error) throw new Error(`the ledger in ${state.base} is corrupt: ${error}`);
        const rows = ledger.releases.slice().reverse().map((r) => ({ ...r, onDisk: state.releaseDirs.includes(r.id) }));
        if (o.json) {
          process.stdout.write(`${JSON.stringify({ app, base: state.base, current: state.currentTarget, releases: rows }, null, 2)}\n`);
        } else if (rows.length === 0) {
          process.stdout.write(`no releases of ${app} in ${state.base} on ${executor.host.display}\n`);
        } else {
          process.stdout.write(`releases of ${app} in ${state.base} on ${executor.host.display} (newest first)\n`);
          for (const r of rows) {
            process.stdout.write(`  ${r.id.padEnd(30)} ${r.status.padEnd(12)} ${(r.commit ?? '-').slice(0, 8).padEnd(9)} ${r.strategy.padEnd(8)} ${r.deployedAt}  ${r.onDisk ? '' : '(files pruned)'}${r.note ? `  ${r.note.slice(0, 80)}` : ''}\n`);
          }
        }
        return EXIT.ok;
      } finally {
        await executor.close();
      }
    }, o);
  });
  return c;
}
