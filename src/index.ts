// deckhand's public library API: named exports only. The CLI and MCP server import from here alone.
export { type Command, shQuote, shJoin, remoteCommandLine, DEFAULT_TIMEOUT_MS } from './core/command.js';
export { DeckhandError, EXIT, formatError, usageError, type ErrorKind } from './core/errors.js';
export { Redactor, MASK } from './core/redact.js';
export { parseTarget, type HostRef } from './core/target.js';
export { parseSize, formatBytes } from './core/units.js';
export { VERSION } from './core/version.js';
export type { RunContext, ProgressEvent } from './core/context.js';
export type { Executor, ExecResult } from './exec/types.js';
export { createExecutor } from './exec/factory.js';
export { LocalExecutor } from './exec/local.js';
export { SshExecutor } from './exec/ssh.js';
export { DryRunExecutor } from './exec/dry-run.js';
export { RecordingExecutor, type ScriptedAnswer } from './exec/recording.js';
export type { SshSettings } from './commands/ssh.js';
export { checkReadiness, evaluate } from './stages/readiness/index.js';
export { discover, type DiscoverOptions } from './stages/discover/index.js';
export type { Signal, Detector, RepoIndex, Evidence } from './stages/discover/types.js';
export type { DeploymentBrief, BriefData } from './report/brief.js';
export { renderBriefMarkdown } from './report/markdown-brief.js';
export { resolveRequirements, STRATEGIES, type CheckOptions } from './stages/readiness/requirements.js';
export type { Finding, Outcome, StepResult } from './report/common.js';
export type { ReadinessReport, HostFacts, Requirements, Verdict } from './report/readiness.js';
export { renderReadinessMarkdown } from './report/markdown-readiness.js';
export { renderReadinessTerminal, stepPrinter } from './report/terminal.js';
export { writeReportFiles } from './report/write.js';
export { REPORT_KINDS, type ReportKind } from './report/kinds.js';
// Schemas (zod and JSON Schema) live in the second entry point, src/schemas.ts: zod costs ~130 ms to load,
// and checking a host does not need it.
export { prepareDeploy, applyDeploy, applyPlan, planReport, rollback, appName, type DeployOptions, type PreparedDeploy, type RollbackOptions, type Plan, type DeploySpec } from './stages/deploy/index.js';
export { composeEnv, parseDotenv } from './stages/deploy/secrets.js';
export { readLock, type LockRecord } from './stages/deploy/lock.js';
export { parseLedger, type Ledger, type LedgerEntry } from './stages/deploy/ledger.js';
export { layoutFor } from './stages/deploy/layout.js';
export { probeState } from './stages/deploy/state.js';
export type { ExecutionReport, ExecutionData } from './report/execution.js';
export { renderExecutionMarkdown } from './report/markdown-execution.js';
export { loadConfig, parseConfig } from './config/load.js';
export { ConfigSchema, type DeckhandConfig } from './config/schema.js';
