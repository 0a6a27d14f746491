// Discovery's shared shapes: evidence, the signals detectors report, and the repository index they read.

/** Where a fact came from: file (posix, relative to the repo root) and 1-based line, when known. */
export interface Evidence {
  file: string;
  line: number | null;
  /** The line (trimmed, at most 160 chars), never a value of a secret. */
  text?: string;
}

export type Confidence = 'high' | 'medium' | 'low';

/**
 * How much a signal's origin counts when signals disagree (the guide's priority): the repo's own deployment
 * material > README/DEPLOY.md instructions > build files > code defaults > fallback.
 */
export type SourceClass = 'deploy-material' | 'docs' | 'build-file' | 'code' | 'fallback';
export const SOURCE_RANK: Record<SourceClass, number> = { 'deploy-material': 5, docs: 4, 'build-file': 3, code: 2, fallback: 1 };

export type Ecosystem = 'node' | 'bun' | 'deno' | 'python' | 'go' | 'jvm' | 'rust' | 'ruby' | 'php' | 'static';
export type Runtime = 'node' | 'bun' | 'deno' | 'python' | 'go' | 'java' | 'rust' | 'ruby' | 'php';
export type CommandRole = 'install' | 'build' | 'start' | 'dev' | 'test' | 'migrate' | 'release';
export type Datastore = 'postgresql' | 'mysql' | 'sqlite' | 'mongodb' | 'redis' | 'rabbitmq' | 'kafka' | 'elasticsearch' | 's3' | 'smtp';
export type ArtifactType = 'dockerfile' | 'compose' | 'procfile' | 'makefile' | 'systemd' | 'kubernetes' | 'helm' | 'nginx' | 'pm2'
  | 'supervisord' | 'prometheus' | 'env-example' | 'platform-hint' | 'deploy-doc';

interface SignalBase {
  evidence: Evidence[];
  source: SourceClass;
  confidence: Confidence;
  /** Detector name, for debugging and reports. */
  detector: string;
}

export type Signal = SignalBase & (
  | { kind: 'language'; value: string }
  | { kind: 'ecosystem'; value: Ecosystem }
  | { kind: 'package-manager'; value: string; version?: string }
  /** A runtime requirement as written, normalized to a semver-ish range: ">=18", "20", "3.11", "^20.11". */
  | { kind: 'runtime'; runtime: Runtime; range: string }
  /** framework ids: nextjs, nuxt, remix, sveltekit, astro, nestjs, express, fastify, koa, hono, django, flask, fastapi, ... */
  | { kind: 'framework'; value: string; detail?: Record<string, string> }
  /** `production: false` marks dev-only commands (next dev, flask run, manage.py runserver, nodemon …). */
  | { kind: 'command'; role: CommandRole; command: string; production: boolean }
  | { kind: 'port'; port: number }
  | { kind: 'health'; path: string }
  /**
   * An environment variable NAME (values never). required: true = read with no default; false = has a default
   * or is optional; null = unknown. secret: the name looks secret (KEY, TOKEN, SECRET, PASSWORD, …).
   * softRequired: required only because of a bare reference (compose `${X}`, which passes an empty value when X is
   * unset rather than failing); a default from another source (the code's own) makes it optional.
   */
  | { kind: 'env'; name: string; required: boolean | null; buildTime?: boolean; hasExample?: boolean; softRequired?: boolean }
  | { kind: 'datastore'; value: Datastore; required: boolean | null }
  /** A deployment artifact, parsed: `summary` holds what it says (ports, image, command, services …). */
  | { kind: 'artifact'; type: ArtifactType; path: string; summary: Record<string, unknown> }
  | { kind: 'risk'; severity: 'blocker' | 'warning'; message: string }
  | { kind: 'problem'; message: string }
);

export type SignalKind = Signal['kind'];

export interface RepoFile {
  /** posix path relative to the repo root */
  path: string;
  /** Bytes, or -1 when the walk did not measure it (it does not stat every file, for speed). */
  size: number;
}

/** A repository as discovery sees it: the files git would track, never executed, read with caps. */
export interface RepoIndex {
  readonly root: string;
  readonly files: readonly RepoFile[];
  has(path: string): boolean;
  /** Files whose base name matches (exact string or RegExp), anywhere in the repo. */
  byName(name: string | RegExp): RepoFile[];
  /** Files under a directory prefix ('' = all). */
  under(dir: string): RepoFile[];
  /**
   * Text of a file, or null when it is binary, unreadable or missing. Manifests are read whole (up to
   * 2 MiB); other files up to `maxBytes` (default 256 KiB), so a huge source file cannot stall discovery.
   */
  read(path: string, maxBytes?: number): Promise<string | null>;
  /** Problems met while walking (unreadable directory, symlink loop, …): reported, never fatal. */
  readonly problems: readonly { path: string; message: string }[];
}

export interface DetectContext {
  repo: RepoIndex;
  /** The app's directory ('' = repo root). Detectors look here first (and at the root for shared files). */
  appDir: string;
}

export interface Detector {
  name: string;
  detect(ctx: DetectContext): Promise<Signal[]>;
}
