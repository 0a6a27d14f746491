#!/usr/bin/env node
// deckhand's command-line entry: argv → library → documented exit code.
import { Command, CommanderError } from 'commander';
import { DeckhandError, EXIT, formatError, Redactor, VERSION } from './index.js';
import { checkCommand } from './cli/check.js';
import { schemaCommand } from './cli/schema.js';
import { discoverCommand } from './cli/discover.js';
import { deployCommand } from './cli/deploy.js';
import { rollbackCommand } from './cli/rollback.js';
import { releasesCommand } from './cli/releases.js';
import { lockCommand } from './cli/lock.js';
import { initCommand } from './cli/init.js';
import { verifyCommand } from './cli/verify.js';
import { upCommand } from './cli/up.js';
import { mcpCommand } from './cli/mcp.js';
import { skillsCommand } from './cli/skills.js';
import { proxyCommand } from './cli/proxy.js';
import { opsCommand } from './cli/ops.js';
import { incidentCommand } from './cli/incident.js';
import { redactorFor, type GlobalOpts } from './cli/shared.js';

let exitCode: number = EXIT.ok;

// A reader that stops early (`deckhand schema fleet | head`) closes stdout: what was to be done is done, and the
// rest of the report has nowhere to go. Say nothing and end with the command's own exit code instead of a stack trace.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EPIPE') throw err;
});

/** Runs one command body; turns errors into a clear message (and JSON on stdout with --json) and an exit code. */
async function run(fn: () => Promise<number>, o: GlobalOpts): Promise<void> {
  try {
    exitCode = await fn();
  } catch (err) {
    const redactor: Redactor = redactorFor(o);
    process.stderr.write(`${redactor.mask(formatError(err, o.verbose === true))}\n`);
    if (o.json) {
      const e = err instanceof DeckhandError
        ? { kind: err.kind, message: err.message, hint: err.hint ?? null, details: err.details }
        : { kind: 'internal', message: err instanceof Error ? err.message : String(err), hint: null, details: {} };
      process.stdout.write(`${redactor.mask(JSON.stringify({ error: e }, null, 2))}\n`);
    }
    exitCode = err instanceof DeckhandError ? err.exitCode : EXIT.couldNotRun;
  }
}

const program = new Command('deckhand')
  .description('Deploy and operate services: discover, check, deploy, verify, operate, roll back — locally or over SSH.')
  .version(VERSION)
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride();
program.addCommand(discoverCommand(run));
program.addCommand(checkCommand(run));
program.addCommand(upCommand(run));
program.addCommand(initCommand(run));
program.addCommand(deployCommand(run));
program.addCommand(verifyCommand(run));
program.addCommand(rollbackCommand(run));
program.addCommand(releasesCommand(run));
program.addCommand(lockCommand(run));
program.addCommand(mcpCommand(run));
program.addCommand(schemaCommand(run));
program.addCommand(skillsCommand(run));
program.addCommand(proxyCommand(run));
program.addCommand(opsCommand(run));
program.addCommand(incidentCommand(run));
// Settings are not inherited by commands built on their own: every parse error must become exit 2.
for (const c of program.commands) c.exitOverride().showHelpAfterError('(run with --help for usage)');

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    // --help and --version exit 0; every other parse error is a usage error.
    exitCode = err.exitCode === 0 ? EXIT.ok : EXIT.usage;
  } else {
    process.stderr.write(`${formatError(err)}\n`);
    exitCode = EXIT.couldNotRun;
  }
}
process.exitCode = exitCode;
