// `deckhand init [path]`: writes deckhand.yml from the Deployment Brief (never over an existing one without --force).
import { access, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Command as Cmd } from 'commander';
import { configFromBrief, discover, EXIT, LocalExecutor, parseConfig, renderConfig, usageError } from '../index.js';
import { redactorFor, type GlobalOpts } from './shared.js';

interface InitFlags extends GlobalOpts { app?: string; force?: boolean; stdout?: boolean }

export function initCommand(run: (fn: () => Promise<number>, o: GlobalOpts) => Promise<void>): Cmd {
  return new Cmd('init')
    .description('write deckhand.yml from what discovery finds')
    .argument('[path]', 'repository directory', '.')
    .option('--app <dir>', 'the app inside a monorepo (the file is written there)')
    .option('--force', 'overwrite an existing deckhand.yml')
    .option('--stdout', 'print it instead of writing the file')
    .action(async (path: string, o: InitFlags) => {
      await run(async () => {
        const redactor = redactorFor(o);
        const brief = await discover({ executor: new LocalExecutor(redactor), redactor }, path, o.app ? { app: o.app } : {});
        const cfg = configFromBrief(brief.data);
        const text = renderConfig(cfg, brief.data);
        parseConfig(text, 'deckhand.yml');
        if (o.stdout) { process.stdout.write(text); return EXIT.ok; }
        const file = join(path, brief.data.appDir, 'deckhand.yml');
        const exists = await access(file).then(() => true, () => false);
        if (exists && !o.force) throw usageError(`${file} already exists`, 'pass --force to overwrite it, or --stdout to compare');
        await writeFile(file, text, { mode: 0o644 });
        process.stderr.write(`wrote ${file} (strategy ${cfg.strategy ?? 'not decided'}, port ${cfg.port ?? 'unknown'})\n`);
        return EXIT.ok;
      }, o);
    });
}
