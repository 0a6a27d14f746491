// Turns flags and an optional Deployment Brief into the typed requirements the checks compare against.
import { readFileSync } from 'node:fs';
import { TOOL_LABEL } from './checks/tools.js';
import { loadVersionMatcher } from './versions.js';
import { DeckhandError, usageError } from '../../core/errors.js';
import { parseSize } from '../../core/units.js';
import type { Requirements } from '../../report/readiness.js';

/**
 * The strategies a host probe can judge (script: the host's general checks; the repository's script brings its own needs).
 * kubernetes is not one: its readiness runs kubectl here (kubernetes.ts), without a target.
 */
export const READINESS_STRATEGIES = ['systemd', 'pm2', 'docker', 'compose', 'static', 'script', 'blue-green', 'swarm'] as const;
export type Strategy = (typeof READINESS_STRATEGIES)[number];

export interface CheckOptions {
  strategy?: string;
  require?: readonly string[];
  port?: readonly (number | string)[];
  proxy?: boolean;
  memory?: string;
  disk?: string;
  app?: string;
  baseDir?: string;
  reach?: readonly string[];
  requireEnv?: readonly string[];
  envFilePath?: string;
  brief?: string;
}

const ALIASES: Record<string, string> = { nodejs: 'node', python: 'python3', 'docker-compose': 'compose', pip3: 'pip', golang: 'go' };
/** Tools a requirement may name: exactly those the readiness checks can label and compare. */
export const KNOWN_TOOLS: readonly string[] = Object.keys(TOOL_LABEL);

/** Parses `node>=20`, `node@^20.11`, `python3 >=3.11 <3.13`, or a bare `docker`. */
export async function parseRequire(spec: string): Promise<{ name: string; range: string | null }> {
  const m = /^\s*([A-Za-z][A-Za-z0-9-]*)\s*(?:@\s*)?(.*)$/.exec(spec);
  const rawName = m?.[1]?.toLowerCase();
  if (!m || !rawName) throw usageError(`invalid --require "${spec}"`, 'use TOOL or TOOL<range>, for example --require node>=20 or --require docker');
  const name = ALIASES[rawName] ?? rawName;
  if (!KNOWN_TOOLS.includes(name)) throw usageError(`unknown tool "${rawName}" in --require "${spec}"`, `known tools: ${KNOWN_TOOLS.join(', ')}`);
  const range = (m[2] ?? '').trim();
  if (range === '') return { name, range: null };
  if (!(await loadVersionMatcher()).validRange(range)) throw usageError(`invalid version range "${range}" in --require "${spec}"`, 'use a semver range such as >=20, ^18.17, 3.11.x');
  return { name, range };
}

export function parsePortOption(v: number | string): number {
  const s = String(v).trim();
  if (!/^\d{1,5}$/.test(s) || Number(s) < 1 || Number(s) > 65535) throw usageError(`invalid port "${s}"`, 'ports are whole numbers from 1 to 65535');
  return Number(s);
}

export function parseReach(spec: string): { host: string; port: number } {
  const m = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+):(\d{1,5})$/.exec(spec.trim());
  if (!m?.[1] || !m[2]) throw usageError(`invalid --reach "${spec}"`, 'use host:port, for example --reach db.internal:5432');
  return { host: m[1].replace(/^\[|\]$/g, ''), port: parsePortOption(m[2]) };
}

/** The part of a Deployment Brief readiness reads. Later brief fields are ignored, not rejected. */
async function briefSchema() {
  const { z } = await import('zod');
  return z.object({
  app: z.string().optional(),
  strategy: z.string().nullable().optional(),
  ports: z.array(z.union([z.number().int(), z.object({ port: z.number().int() })])).optional(),
  runtimes: z.array(z.object({ name: z.string(), range: z.string().nullable().optional() })).optional(),
  memoryMiB: z.number().positive().optional(),
  env: z.array(z.object({ name: z.string(), required: z.boolean().optional(), secret: z.boolean().optional() })).optional(),
  }).loose();
}

interface Brief {
  app?: string; strategy?: string | null; ports?: (number | { port: number })[];
  runtimes?: { name: string; range?: string | null | undefined }[]; memoryMiB?: number;
  env?: { name: string; required?: boolean | undefined; secret?: boolean | undefined }[];
}

async function readBrief(path: string): Promise<Brief> {
  let raw: unknown;
  try { raw = JSON.parse(readFileSync(path, 'utf8')); } catch (e) {
    throw new DeckhandError('config', `could not read the brief ${path}: ${(e as Error).message}`, { hint: 'pass the JSON written by `deckhand discover --json` or --out' });
  }
  const data = (raw as { data?: unknown })?.data ?? raw;
  const r = (await briefSchema()).safeParse(data);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new DeckhandError('config', `the brief ${path} is invalid at ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'unknown'}`, { hint: 'regenerate it with `deckhand discover`' });
  }
  return r.data as Brief;
}

export async function resolveRequirements(o: CheckOptions): Promise<Requirements> {
  const brief = o.brief ? await readBrief(o.brief) : undefined;
  // A brief may propose a strategy readiness has no checks for (kubernetes): then none is assumed.
  const briefStrategy = brief?.strategy && (READINESS_STRATEGIES as readonly string[]).includes(brief.strategy) ? brief.strategy : undefined;
  const strategyRaw = o.strategy ?? briefStrategy;
  if (strategyRaw === 'kubernetes') {
    throw usageError('kubernetes readiness is not a host probe: kubectl runs on this machine against a cluster', 'run `deckhand check --strategy kubernetes --context NAME` (no target)');
  }
  if (strategyRaw !== undefined && !(READINESS_STRATEGIES as readonly string[]).includes(strategyRaw)) {
    throw usageError(`unknown strategy "${strategyRaw}"`, `choose one of: ${READINESS_STRATEGIES.join(', ')}, or kubernetes (\`deckhand check --strategy kubernetes\`, no target)`);
  }
  const strategy = (strategyRaw ?? null) as Strategy | null;
  const app = o.app ?? brief?.app ?? 'app';
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(app)) throw usageError(`invalid app name "${app}"`, 'use letters, digits, ".", "_" and "-"');
  const baseDir = o.baseDir ?? `/opt/${app}`;
  if (!baseDir.startsWith('/')) throw usageError(`--base-dir must be an absolute path, got "${baseDir}"`);

  const tools = new Map<string, { name: string; range: string | null; source: string }>();
  const add = (name: string, range: string | null, source: string): void => { if (!tools.has(name)) tools.set(name, { name, range, source }); };
  for (const spec of o.require ?? []) { const t = await parseRequire(spec); add(t.name, t.range, 'flag'); }
  for (const rt of brief?.runtimes ?? []) {
    // The brief may name runtimes the probe has no check for (ruby, php …): those are left to the deploy.
    if (!KNOWN_TOOLS.includes(ALIASES[rt.name] ?? rt.name)) continue;
    const t = await parseRequire(rt.range ? `${rt.name}@${rt.range}` : rt.name);
    add(t.name, t.range, 'brief');
  }
  if (strategy === 'pm2') { add('node', null, 'strategy pm2'); add('pm2', null, 'strategy pm2'); }
  if (strategy === 'docker' || strategy === 'swarm') add('docker', null, `strategy ${strategy}`);
  if (strategy === 'compose') { add('docker', null, 'strategy compose'); add('compose', null, 'strategy compose'); }

  const ports = [...new Set([...(o.port ?? []).map(parsePortOption), ...(brief?.ports ?? []).map((p) => (typeof p === 'number' ? p : p.port))])];
  const envNames = [...new Set([...(o.requireEnv ?? []), ...(brief?.env ?? []).filter((e) => e.required).map((e) => e.name)])];
  const memoryBytes = o.memory ? parseSize(o.memory, '--memory') : brief?.memoryMiB ? brief.memoryMiB * 1024 ** 2 : 256 * 1024 ** 2;
  return {
    strategy, app, baseDir, baseDirExplicit: o.baseDir !== undefined, ports, proxy: o.proxy === true,
    memoryBytes,
    diskBytes: o.disk ? parseSize(o.disk, '--disk') : 512 * 1024 ** 2,
    tools: [...tools.values()],
    reach: (o.reach ?? []).map(parseReach),
    envFile: envNames.length > 0 || o.envFilePath ? (o.envFilePath ?? `${baseDir}/shared/.env`) : null,
    envNames,
  };
}
