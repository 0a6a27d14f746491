// `deckhand mcp [--read-only]`: the MCP server on stdin/stdout; the SDK is loaded only here, so other commands stay fast.
import { Command as Cmd } from 'commander';
import { EXIT } from '../index.js';
import { collect, sshSettings, type GlobalOpts } from './shared.js';

interface McpFlags extends GlobalOpts { readOnly?: boolean; reportsDir?: string }

export function mcpCommand(run: (fn: () => Promise<number>, o: GlobalOpts) => Promise<void>): Cmd {
  const c = new Cmd('mcp')
    .description('serve deckhand\'s tools to an MCP client (agents) over stdio: one tool per skill, reports as resources')
    .option('--read-only', 'offer only the tools that change nothing (discovery, readiness, plan, verification)')
    .option('--reports-dir <dir>', 'where repo_service_lifecycle writes stage reports when a call names none (default: a temporary directory)')
    .option('--verbose', 'show a stack trace if the server fails to start')
    .option('-i, --identity <file>', 'SSH private key to use for every target')
    .option('--ssh-option <K=V>', 'extra OpenSSH option (repeatable)', collect)
    .option('--accept-new-host-key', 'trust a host key seen for the first time (StrictHostKeyChecking=accept-new)')
    .option('--connect-timeout <seconds>', 'SSH connect timeout', '10')
    .option('--secret-env <NAME>', 'mask the value of this environment variable in every result (repeatable)', collect);
  c.action(async (o: McpFlags) => {
    await run(async () => {
      // stdout carries the protocol: anything a dependency logs goes to stderr instead of corrupting it.
      for (const k of ['log', 'info', 'debug'] as const) console[k] = console.error;
      const { serveStdio } = await import('../mcp/server.js');
      await serveStdio({
        readOnly: o.readOnly === true, ssh: sshSettings(o), secretEnv: o.secretEnv ?? [], ...(o.reportsDir ? { reportsDir: o.reportsDir } : {}),
      });
      return EXIT.ok;
    }, o);
  });
  return c;
}
