// One MCP server process's state: its settings, the redactor every tool result passes through, pending plans and produced reports.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redactor, type SshSettings } from '../index.js';
import { PlanStore } from './plans.js';
import { ReportStore } from './reports.js';

export interface McpServerOptions {
  /** Register only the tools that change nothing. */
  readOnly: boolean;
  /** SSH settings are the operator's choice (key, host-key policy), never a tool argument. */
  ssh: SshSettings;
  /** Names of variables in the server's environment whose values are masked in every result. */
  secretEnv: readonly string[];
  /** Where `repo_service_lifecycle` writes stage reports when the call names no directory. */
  reportsDir?: string;
}

export class Session {
  /** One redactor for the whole session: a secret seen by any call (an env file's values) stays masked in every later result. */
  readonly redactor = new Redactor();
  readonly plans = new PlanStore();
  readonly reports = new ReportStore();

  private reportsDirMade: Promise<string> | undefined;

  constructor(readonly options: McpServerOptions) {
    for (const name of options.secretEnv) this.redactor.add(process.env[name]);
  }

  /** Where stage reports go when a call names no directory: one of this session's own, since writing into the repository would dirty it. */
  reportsDir(): Promise<string> {
    if (this.options.reportsDir !== undefined) return Promise.resolve(this.options.reportsDir);
    return (this.reportsDirMade ??= mkdtemp(join(tmpdir(), 'deckhand-mcp-reports-')));
  }

  /** Releases what pending plans hold (temporary clones of git URLs). */
  async close(): Promise<void> {
    await this.plans.clear();
  }
}
