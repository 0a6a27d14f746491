// What a deploy strategy contributes to a plan: host requirements, the files it generates, and how it starts and stops.
import type { Command } from '../../../core/command.js';
import type { DeploySpec, Layout, Step, TargetState } from '../types.js';

export interface PlanContext {
  spec: DeploySpec;
  layout: Layout;
  state: TargetState;
  releaseId: string;
  previousId: string | null;
  /** True when commands that need root go through `sudo -n`. */
  sudo: boolean;
  /** Wraps a command that needs root. */
  root: (c: Command) => Command;
}

/** A file the strategy owns on the target; snapshotted into each release record and restored on rollback. */
export interface ManagedFile { path: string; name: string; mode: string; owner?: string; root: boolean }

export interface StrategyPlanner {
  name: string;
  /** Why this host cannot run the strategy, or null. */
  unsupported(ctx: PlanContext): string | null;
  /** Files the strategy manages (unit, ecosystem file), beyond the shared env file. */
  managedFiles(ctx: PlanContext): ManagedFile[];
  /** Steps after the build: generate and check the strategy's files (into the new release's record). */
  prepare(ctx: PlanContext): Step[];
  /** Installs the generated files into place (the switch phase). */
  activate(ctx: PlanContext): Step[];
  /** Starts or restarts the service on `current`. */
  startCommands(ctx: PlanContext): Command[];
  /** Stops the service (a first release that failed). */
  stopCommands(ctx: PlanContext): Command[];
  /** Shell test that the process is up, run on the target. */
  aliveCheck(ctx: PlanContext): string;
  /** The exact command to follow the logs. */
  logsCommand(ctx: PlanContext): string;
}
