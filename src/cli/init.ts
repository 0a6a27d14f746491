// `deckhand init [path]`: writes deckhand.yml from the Deployment Brief (never over an existing one without --force).
import { access, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Command as Cmd } from 'commander';
import { configFromBrief, discover, EXIT, LocalExecutor, parseConfig, renderConfig, renderServicesConfig, servicesConfigFromBriefs, usageError } from '../index.js';
import { redactorFor, type GlobalOpts } from './shared.js';

interface InitFlags extends GlobalOpts { app?: string; force?: boolean; stdout?: boolean; services?: boolean }

export function initCommand(run: (fn: () => Promise<number>, o: GlobalOpts) => Promise<void>): Cmd {
  return new Cmd('init')
    .description('write deckhand.yml from what discovery finds')
    .argument('[path]', 'repository directory', '.')
    .option('--app <dir>', 'the app inside a monorepo (the file is written there)')
    .option('--force', 'overwrite an existing deckhand.yml')
    .option('--stdout', 'print it instead of writing the file')
    .option('--services', 'a monorepo: one services: entry per app discovery lists, written at the repository root')
    .action(async (path: string, o: InitFlags) => {
      await run(async () => {
        const redactor = redactorFor(o);
        const ctx = { executor: new LocalExecutor(redactor), redactor };
        if (o.services && o.app) throw usageError('--services and --app exclude each other', '--services writes one file for every app at the repository root');
        const brief = await discover(ctx, path, o.app ? { app: o.app } : {});
        let cfg = configFromBrief(brief.data);
        let text = renderConfig(cfg, brief.data);
        if (o.services) {
          const apps = brief.data.apps.filter((a) => a.dir !== '');
          if (apps.length < 2) throw usageError(`discovery found ${apps.length === 0 ? 'no apps' : 'one app'} in ${path}: nothing to list as services`, 'services: is for repositories with several apps (workspaces, apps/*, services/*); run deckhand init without --services');
          const briefs = [];
          for (const a of apps) briefs.push((await discover(ctx, path, { app: a.dir })).data);
          cfg = servicesConfigFromBriefs(brief.data, briefs);
          text = renderServicesConfig(cfg, brief.data);
        }
        parseConfig(text, 'deckhand.yml');
        if (o.stdout) { process.stdout.write(text); return EXIT.ok; }
        const file = join(path, o.services ? '' : brief.data.appDir, 'deckhand.yml');
        const exists = await access(file).then(() => true, () => false);
        if (exists && !o.force) throw usageError(`${file} already exists`, 'pass --force to overwrite it, or --stdout to compare');
        await writeFile(file, text, { mode: 0o644 });
        process.stderr.write(cfg.services ? `wrote ${file} (services ${Object.keys(cfg.services).join(', ')})\n` : `wrote ${file} (strategy ${cfg.strategy ?? 'not decided'}, port ${cfg.port ?? 'unknown'})\n`);
        return EXIT.ok;
      }, o);
    });
}
