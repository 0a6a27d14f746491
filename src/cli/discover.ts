// `deckhand discover [path | git-url]`: repo-runtime-discovery from the command line.
import { Command as Cmd } from 'commander';
import { discover, EXIT, LocalExecutor, renderBriefMarkdown, stepPrinter, writeReportFiles } from '../index.js';
import { addCommonOptions, redactorFor, type GlobalOpts } from './shared.js';

interface DiscoverFlags extends GlobalOpts { app?: string }

export function discoverCommand(run: (fn: () => Promise<number>, o: GlobalOpts) => Promise<void>): Cmd {
  const c = new Cmd('discover')
    .description('repo-runtime-discovery: how should this repository run? (the Deployment Brief)')
    .argument('[path]', 'repository directory or git URL', '.')
    .option('--app <dir>', 'the app to describe inside a monorepo');
  addCommonOptions(c);
  c.action(async (path: string, o: DiscoverFlags) => {
    await run(async () => {
      const redactor = redactorFor(o);
      const executor = new LocalExecutor(redactor);
      const printer = !o.json || process.stderr.isTTY ? stepPrinter(process.stderr, (s) => redactor.mask(s)) : undefined;
      try {
        const brief = await discover({ executor, redactor, ...(printer ? { onProgress: printer.onProgress } : {}) }, path, o.app === undefined ? {} : { app: o.app });
        printer?.stop();
        const json = redactor.mask(JSON.stringify(brief, null, 2));
        const md = redactor.mask(renderBriefMarkdown(brief));
        process.stdout.write(`${o.json ? json : md}\n`);
        if (o.out) {
          const files = await writeReportFiles(o.out, 'brief', brief.data.app, brief.startedAt, `${json}\n`, md);
          process.stderr.write(`reports written: ${files.json}, ${files.markdown}\n`);
        }
        return EXIT.ok;
      } finally {
        printer?.stop();
      }
    }, o);
  });
  return c;
}
