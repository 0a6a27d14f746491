// `deckhand lock status|release [target]`: see who holds an app's deploy lock, and release one left by a dead run.
import { Command as Cmd } from 'commander';
import { EXIT, probeState, readLock, usageError } from '../index.js';
import { resolveAppName } from './app-name.js';
import { addCommonOptions, executorFor, redactorFor, type GlobalOpts } from './shared.js';

interface LockFlags extends GlobalOpts { name?: string; repo?: string; baseDir?: string; force?: boolean }

export function lockCommand(run: (fn: () => Promise<number>, o: GlobalOpts) => Promise<void>): Cmd {
  const c = new Cmd('lock')
    .description('show or release the deploy lock of an app on a target')
    .argument('<action>', 'status or release')
    .argument('[target]', 'target', 'local')
    .option('--name <app>', 'app name (default: deckhand.yml or discovery of --repo)')
    .option('--repo <dir>', 'repository used to find the app name', '.')
    .option('--base-dir <path>', 'base directory on the target')
    .option('--force', 'release a lock that still looks live');
  addCommonOptions(c);
  c.action(async (action: string, target: string, o: LockFlags) => {
    await run(async () => {
      if (action !== 'status' && action !== 'release') throw usageError(`unknown lock action "${action}"`, 'use: deckhand lock status|release [target]');
      const redactor = redactorFor(o);
      const executor = executorFor(target, o, redactor);
      try {
        const app = await resolveAppName(o, redactor);
        const state = await probeState({ executor, redactor }, app, o.baseDir ?? null);
        const path = `${state.base}/.deckhand/lock`;
        const lock = await readLock({ executor, redactor }, path);
        const desc = lock.record ? `${lock.record.operation} by ${lock.record.owner} (pid ${lock.record.pid}) since ${lock.record.started}, expires ${lock.record.expires}` : lock.raw;
        if (action === 'status') {
          if (o.json) process.stdout.write(`${JSON.stringify({ app, path, held: lock.raw !== null, record: lock.record, stale: lock.stale }, null, 2)}\n`);
          else process.stdout.write(lock.raw ? `${path}: held: ${desc}${lock.stale ? ` (stale: ${lock.stale})` : ''}\n` : `${path}: free\n`);
          return EXIT.ok;
        }
        if (!lock.raw) { process.stdout.write(`${path}: already free\n`); return EXIT.ok; }
        if (!lock.stale && !o.force) throw usageError(`the lock looks live: ${desc}`, 'if you are sure that run is dead, pass --force');
        const r = await executor.run({ argv: ['rm', '-f', path], mutates: true, timeoutMs: 15_000 });
        if (r.failed) throw new Error(`could not remove ${path}: ${r.stderr.trim()}`);
        process.stdout.write(`${path}: released (${desc})\n`);
        return EXIT.ok;
      } finally {
        await executor.close();
      }
    }, o);
  });
  return c;
}
