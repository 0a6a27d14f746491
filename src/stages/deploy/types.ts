// The deploy stage's shapes: what is deployed (spec), where (layout), the target's state, and the plan of steps.
import type { Command } from '../../core/command.js';
import type { StrategyName } from '../../config/schema.js';
import type { ScriptPreview } from '../../commands/script.js';
import type { ComposeFront } from '../../commands/compose-front.js';
import type { KubePlan, KubeSpec } from './kubernetes/types.js';
import type { SwarmSettings } from '../../commands/swarm.js';

/** Everything a planner needs, resolved from flags > deckhand.yml > brief. Holds no secret values. */
export interface DeploySpec {
  app: string;
  strategy: StrategyName;
  /** Local directory whose files are shipped (the app dir inside the repo). */
  sourceDir: string;
  commit: string | null;
  dirty: boolean;
  runtime: { name: string; range: string | null } | null;
  port: number | null;
  healthPath: string | null;
  build: 'target' | 'local';
  commands: { install: string | null; build: string | null; start: string | null; migrate: string | null };
  /** Names of variables written to <base>/shared/.env (values come at apply time, never in the plan). */
  envNames: string[];
  /** Where the env file's values come from (descriptions only, e.g. "file ./prod.env"). */
  envSources: string[];
  serviceUser: string;
  keep: number;
  excludes: string[];
  startTimeoutMs: number;
  baseDirOverride: string | null;
  pm2Instances: number | 'max';
  /** pm2 executable to use (deckhand's own for the local target), or undefined for the host's `pm2`. */
  pm2Bin?: string;
  script: {
    deploy: string; rollback: string | null;
    /** Deploy without a rollback script, explicitly (rollback then only switches `current` back). */
    noRollback?: boolean;
    /** What the plan shows of each script before it runs (read when the spec is resolved). */
    preview?: { deploy: ScriptPreview; rollback: ScriptPreview | null };
  } | null;
  /** blue-green strategy: the two slot ports, the nginx port clients reach, and how long an old slot may drain. */
  blueGreen?: { runner: 'systemd' | 'pm2' | 'docker'; ports: [number, number]; proxyPort: number; drainSec: number };
  /** Asked for zero downtime: true for blue-green, and for compose (the service container is replaced behind nginx). */
  zeroDowntime: boolean;
  /** compose with zero downtime: the service nginx fronts, its container port, the nginx port, the drain bound, the compose file. */
  composeFront?: ComposeFront;
  /** pm2: whether pm2 waits for the app's process.send('ready'), and what that was decided from. */
  pm2Ready?: { waitReady: boolean; evidence: string };
  /** pm2: how long an old instance may finish its requests after SIGINT (kill_timeout). */
  pm2KillTimeoutMs?: number;
  /** swarm strategy: replicas, network, update policy, healthcheck, deadline, stack. */
  swarm?: SwarmSettings;
  /** static strategy: the build output directory served by nginx, relative to the release (e.g. dist). */
  staticSite?: { dir: string; serverName: string | null };
  /** kubernetes strategy: cluster, manifests or chart, image, what is watched and verified. */
  kubernetes?: KubeSpec;
}

/** Paths on the target (DESIGN §5). */
export interface Layout {
  base: string;
  releases: string;
  current: string;
  shared: string;
  envFile: string;
  state: string;
  ledger: string;
  lock: string;
  journal: string;
  release: (id: string) => string;
  /** Per-release record: the env, unit and config in force for that release, kept for rollback. */
  record: (id: string) => string;
}

/** What one round trip learned about the target before planning. */
export interface TargetState {
  user: string;
  uid: number;
  home: string;
  hostname: string;
  sudo: boolean;
  systemd: boolean;
  rsync: boolean;
  tools: Record<string, boolean>;
  baseExists: boolean;
  ledgerText: string | null;
  lockText: string | null;
  currentTarget: string | null;
  releaseDirs: string[];
  unitHash: string | null;
}

/** One action of a step: a command, a file write (content known now or supplied at apply time), or a file transfer. */
export type Action =
  | { type: 'run'; command: Command }
  | { type: 'write'; path: string; mode: string; content: string; sudo: boolean; owner?: string }
  | { type: 'write-env'; path: string; owner: string | null; sudo: boolean }
  | { type: 'transfer'; from: string; to: string; excludes: string[]; gitignore: boolean }
  /** Runs on this machine (build: local): staging copy, install and build before the upload. */
  | { type: 'local-run'; command: Command }
  | { type: 'local-transfer'; from: string; to: string; excludes: string[] };

export type Phase = 'prepare' | 'switch' | 'start' | 'finalize';

export interface Step {
  id: string;
  title: string;
  phase: Phase;
  actions: Action[];
  destructive: boolean;
  /** For destructive steps: what it affects, how to undo it, how success is checked (the guide's rule). */
  impact?: string;
  undo?: string;
  verify?: string;
  /** Retries on transient failures (ssh 255, connection reset, dpkg lock). */
  retry?: number;
}

export interface Plan {
  schemaVersion: 1;
  kind: 'deckhand-plan';
  id: string;
  createdAt: string;
  target: string;
  app: string;
  strategy: StrategyName;
  releaseId: string;
  previousRelease: string | null;
  commit: string | null;
  dirty: boolean;
  layout: { base: string; current: string; envFile: string };
  /** Hash of the target state the plan was made against; apply refuses when it changed. */
  stateFingerprint: string;
  /** The state fields behind the fingerprint, to say what changed. */
  stateSummary: Record<string, string>;
  useSudo: boolean;
  steps: Step[];
  handoff: { service: string; strategy: StrategyName; port: number | null; healthPath: string | null; release: string };
  rollbackEntry: string;
  warnings: string[];
  envNames: string[];
  /** Runs before the lock is taken (the base directory must exist to hold the lock). */
  preLock: Action[];
  lockPath: string;
  ledgerPath: string;
  journalDir: string;
  /** Brings the previous release back when the switch or start fails (or stops a first release). */
  revert: Action[];
  /** Ledger entry fields for the new release. */
  ledgerEntry: { commit: string | null; dirty: boolean; strategy: string; port: number | null; healthPath: string | null; serviceUser: string | null };
  /** The exact command to follow the logs. */
  logsCommand: string;
  /** kubernetes strategy: the cluster, what is watched, verified and undone (the steps run kubectl here). */
  kubernetes?: KubePlan;
}
