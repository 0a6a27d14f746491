// `deckhand schema <report>`: prints the JSON Schema of a report, for validators and editors.
import { Command as Cmd } from 'commander';
import { EXIT, REPORT_SCHEMAS, reportJsonSchema, usageError, type ReportKind } from '../index.js';
import type { GlobalOpts } from './shared.js';

export function schemaCommand(run: (fn: () => Promise<number>, o: GlobalOpts) => Promise<void>): Cmd {
  return new Cmd('schema')
    .description('print the JSON Schema of a report')
    .argument('<report>', `one of: ${Object.keys(REPORT_SCHEMAS).join(', ')}`)
    .action(async (kind: string) => {
      await run(async () => {
        if (!(kind in REPORT_SCHEMAS)) throw usageError(`unknown report "${kind}"`, `choose one of: ${Object.keys(REPORT_SCHEMAS).join(', ')}`);
        process.stdout.write(`${JSON.stringify(reportJsonSchema(kind as ReportKind), null, 2)}\n`);
        return EXIT.ok;
      }, {});
    });
}
