// `deckhand schema <report>`: prints the JSON Schema of a report, for validators and editors.
import { Command as Cmd } from 'commander';
import { EXIT, REPORT_KINDS, usageError, type ReportKind } from '../index.js';
import type { GlobalOpts } from './shared.js';

export function schemaCommand(run: (fn: () => Promise<number>, o: GlobalOpts) => Promise<void>): Cmd {
  return new Cmd('schema')
    .description('print the JSON Schema of a report, or of deckhand.yml (config)')
    .argument('<report>', `one of: ${REPORT_KINDS.join(', ')}`)
    .action(async (kind: string) => {
      await run(async () => {
        if (!(REPORT_KINDS as readonly string[]).includes(kind)) throw usageError(`unknown report "${kind}"`, `choose one of: ${REPORT_KINDS.join(', ')}`);
        const { reportJsonSchema } = await import('../schemas.js');
        process.stdout.write(`${JSON.stringify(reportJsonSchema(kind as ReportKind), null, 2)}\n`);
        return EXIT.ok;
      }, {});
    });
}
