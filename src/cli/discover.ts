// `deckhand discover [path | git-url]`: repo-runtime-discovery from the command line.
import { Command as Cmd } from 'commander';
import { discover, EXIT, LocalExecutor, renderBriefMarkdown } from '../index.js';
import { emitReport, withExecutor } from './command-run.js';
import { addCommonOptions, type GlobalOpts } from './shared.js';

interface DiscoverFlags extends GlobalOpts { app?: string }

export function discoverCommand(run: (fn: () => Promise<number>, o: GlobalOpts) => Promise<void>): Cmd {
  const c = new Cmd('discover')
    .description('repo-runtime-discovery: how should this repository run? (the Deployment Brief)')
    .argument('[path]', 'repository directory or git URL', '.')
    .option('--app <dir>', 'the app to describe inside a monorepo');
  addCommonOptions(c);
  c.action(async (path: string, o: DiscoverFlags) => {
    await run(() => withExecutor(o, (redactor) => new LocalExecutor(redactor), async (r) => {
      const brief = await discover(r.ctx, path, o.app === undefined ? {} : { app: o.app });
      // Named after the app: a brief describes a repository, not a target.
      await emitReport(o, r, brief, { stage: 'brief', markdown: renderBriefMarkdown(brief), label: brief.data.app });
      return EXIT.ok;
    }), o);
  });
  return c;
}
