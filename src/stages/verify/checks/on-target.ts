// What the on-target layers (process, port, version, logs) share: which managers to ask, running a probe, parsing its common lines, findings.
import type { Command } from '../../../core/command.js';
import type { ExecResult } from '../../../exec/types.js';
import type { Finding, Outcome } from '../../../report/common.js';
import type { ManagerKind } from '../../../commands/verify-probe.js';
import type { LayerInput, VerifyLayer, VerifyTarget } from '../types.js';

export const ALL_KINDS: readonly ManagerKind[] = ['systemd', 'pm2', 'docker', 'compose'];

/**
 * The managers to ask about the app: the strategy's own, or every one when the strategy is not known (a
 * service verified with --port that deckhand did not deploy). Empty for static sites and scripts, which
 * have no process manager deckhand knows.
 */
export function managerKinds(t: VerifyTarget): { kinds: readonly ManagerKind[]; auto: boolean } {
  if (t.strategy === null) return { kinds: ALL_KINDS, auto: true };
  // swarm tasks are read by the process layer's own check (checks/swarm.ts).
  if (t.strategy === 'static' || t.strategy === 'script' || t.strategy === 'swarm') return { kinds: [], auto: false };
  // blue-green: the slots' runner (the layers that look at a slot get it as the strategy already, see ../blue-green.ts).
  if (t.strategy === 'blue-green') return { kinds: [t.blueGreen?.runner ?? 'systemd'], auto: false };
  return { kinds: [t.strategy], auto: false };
}


export interface ProbeRun {
  /** Null when the executor could not run the command at all (connection lost, spawn failed). */
  res: ExecResult | null;
  /** Unmasked stdout, for parsers only. */
  text: string;
  error: string | null;
}

/** Runs a probe; a failure to run at all is returned, never thrown, so the layer can answer `unknown`. */
export async function runProbe(input: LayerInput, cmd: Command): Promise<ProbeRun> {
  try {
    const res = await input.ctx.executor.run(cmd);
    return { res, text: res.rawStdout ?? res.stdout, error: res.timedOut ? `timed out after ${Math.round((cmd.timeoutMs ?? 0) / 1000)}s` : null };
  } catch (e) {
    return { res: null, text: '', error: input.ctx.redactor.mask(e instanceof Error ? e.message : String(e)) };
  }
}

/** Header facts every probe prints first: privilege and docker access. */
export interface ProbeHeader {
  priv: 'root' | 'sudo' | 'none' | null;
  /** direct | sudo | missing | unreachable, or null when docker was not asked about. */
  docker: string | null;
}

export function parseHeader(text: string): ProbeHeader {
  const priv = /^priv=(root|sudo|none)$/m.exec(text)?.[1] as ProbeHeader['priv'] | undefined;
  const docker = /^docker=(\S+)$/m.exec(text)?.[1];
  return { priv: priv ?? null, docker: docker ?? null };
}

/** Why docker could not be asked, or null when it could. */
export function dockerProblem(h: ProbeHeader): string | null {
  switch (h.docker) {
    case 'direct': case 'sudo': return null;
    case 'missing': return 'docker is not installed on the target';
    case 'unreachable': return h.priv === 'none'
      ? 'the docker daemon does not answer this user (not root, not in the docker group, no passwordless sudo)'
      : 'the docker daemon does not answer (is dockerd running?)';
    default: return 'docker access was not probed';
  }
}

/** One pm2 instance of the app, from the on-target filter (PM2_FILTER). */
export interface Pm2Instance {
  id: string;
  status: string;
  restarts: number;
  unstableRestarts: number;
  pid: number;
  mode: string;
  cwd: string;
  outLog: string;
  errLog: string;
}

export function parsePm2Line(line: string): Pm2Instance | null {
  const f = line.split('\t');
  if (f[0] !== 'pm2' || f.length < 8) return null;
  const num = (s: string | undefined): number => (s !== undefined && /^\d+$/.test(s) ? Number(s) : 0);
  return {
    id: f[1] ?? '', status: f[2] ?? '', restarts: num(f[3]), unstableRestarts: num(f[4]), pid: num(f[5]), mode: f[6] ?? '', cwd: f[7] ?? '',
    outLog: f[8] ?? '', errLog: f[9] ?? '',
  };
}

/** pm2's answer in a probe: the app's instances, or why there are none. */
export function parsePm2(lines: readonly string[]): { instances: Pm2Instance[]; problem: string | null } {
  const instances = lines.map(parsePm2Line).filter((x): x is Pm2Instance => x !== null);
  let problem: string | null = null;
  for (const l of lines) {
    if (l === 'pm2.missing=1') problem = 'pm2 is not installed on the target (not on PATH for this user)';
    else if (l === 'pm2.none=1') problem = 'none';
    else if (l === 'pm2.nodaemon=1') problem = 'no-daemon';
    else if (l.startsWith('pm2.error=')) problem = l.slice('pm2.error='.length) || 'pm2 jlist failed';
  }
  return { instances, problem: instances.length > 0 ? null : problem };
}

/** One container from `docker inspect -f CONTAINER_FORMAT`. */
export interface ContainerState {
  name: string;
  service: string;
  status: string;
  restarts: number;
  health: string;
  pid: number;
  exitCode: number;
  oomKilled: boolean;
  startedAt: string;
  image: string;
}

export function parseContainerLine(line: string): ContainerState | null {
  const f = line.split('|');
  if (f.length < 10 || !/^\d+$/.test(f[3] ?? '')) return null;
  return {
    name: (f[0] ?? '').replace(/^\//, ''), service: f[1] ?? '', status: f[2] ?? '', restarts: Number(f[3]), health: f[4] ?? '',
    pid: Number(f[5] ?? 0) || 0, exitCode: Number(f[6] ?? 0) || 0, oomKilled: f[7] === 'true', startedAt: f[8] ?? '', image: f.slice(9).join('|'),
  };
}

/** Lines between `@@name` and the next `@@` marker (exclusive). */
export function section(text: string, name: string): string[] {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l === `@@${name}` || l.startsWith(`@@${name} `));
  if (start < 0) return [];
  const out: string[] = [];
  for (const l of lines.slice(start + 1)) {
    if (l.startsWith('@@')) break;
    out.push(l);
  }
  return out;
}

/** `key=value` lines (first occurrence wins) with a prefix, e.g. `systemd.` → { MainPID: '12' }. */
export function keyValues(lines: readonly string[], prefix: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const l of lines) {
    if (!l.startsWith(prefix)) continue;
    const eq = l.indexOf('=');
    if (eq < 0) continue;
    const k = l.slice(prefix.length, eq);
    if (!(k in out)) out[k] = l.slice(eq + 1);
  }
  return out;
}

export function vfinding(
  id: string, section: VerifyLayer, title: string, status: Outcome, summary: string,
  extra: { required?: boolean; detail?: string; evidence?: string; remedy?: string } = {},
): Finding {
  const f: Finding = { id, section, title, status, required: extra.required ?? true, summary };
  if (extra.detail !== undefined) f.detail = extra.detail;
  if (extra.evidence !== undefined) f.evidence = extra.evidence;
  if (extra.remedy !== undefined && status !== 'pass') f.remedy = extra.remedy;
  return f;
}

/**
 * Evidence text: where it ran, the command (the part of the probe that matters, not the whole script), and
 * what came back, masked and bounded.
 */
export function evidence(input: LayerInput, command: string, output: string, maxChars = 4000): string {
  const body = output.length > maxChars ? `${output.slice(0, maxChars)}\n… (${output.length - maxChars} more characters)` : output;
  return input.ctx.redactor.mask(`on ${input.ctx.executor.host.display}: $ ${command}\n${body}`.trimEnd());
}

/** The probe could not run or said nothing usable: unknown, never pass. */
export function probeFailed(input: LayerInput, layer: VerifyLayer, id: string, title: string, command: string, run: ProbeRun, what: string): Finding {
  const why = run.error ?? (run.res ? `exit ${String(run.res.exitCode)}` : 'no result');
  const out = run.res ? [run.res.stdout, run.res.stderr].filter(Boolean).join('\n') : '';
  return vfinding(id, layer, title, 'unknown', `could not ${what}: ${why}`, {
    evidence: evidence(input, command, out.trim() || '(no output)'),
    remedy: 'check the connection to the target and that the user can run the command shown, then verify again',
  });
}
