// Gathers an incident's signals in one pass: the ops inspect probe (service, restarts, resources, disk, logs, certificates) beside incident's own probe and the env file's dependency handshakes.
import type { RunContext } from '../../core/context.js';
import { asRoot } from '../../commands/sudo.js';
import type { ChangeSummary } from '../../report/incident.js';
import type { DeployedApp } from '../operate/deployed-app.js';
import { gatherFacts, NGINX_DIR, type Gathered } from '../operate/inspect/collect.js';
import { certStatuses } from '../operate/inspect/certs.js';
import { plannerFor } from '../deploy/strategies/index.js';
import type { PlanContext } from '../deploy/strategies/types.js';
import type { DeploySpec } from '../deploy/types.js';
import { dependencyHandshakes } from '../verify/checks/deps.js';
import type { DepVerdict } from '../verify/deps/classify.js';
import type { LayerInput, VerifyTarget } from '../verify/types.js';
import { signalsProbeCommand } from './signals-command.js';

export interface HealthProbe { via: string; url: string; code: number; curlExit: number }

/** One dependency of the env file, handshaken from the target's side with its real client (verify's deps layer). */
export interface DepSignal { keys: string; verdict: DepVerdict; summary: string }

export interface Signals {
  app: string;
  strategy: string;
  release: string;
  service: {
    /** running | stopped | failed | starting | not-found | unknown */
    state: string;
    detail: string;
    restarts: number | null;
    /** systemd Result= (success, exit-code, oom-kill, signal, start-limit-hit, …), or null. */
    result: string | null;
    exitStatus: number | null;
    memoryLimit: number | null;
    /** docker's State.OOMKilled. */
    oomKilled: boolean;
    problem: string | null;
  };
  /** Health straight to the app's port, or null when the ledger records no port. */
  health: HealthProbe | null;
  /** Health through each nginx site proxying to the port. */
  proxies: HealthProbe[];
  /** The newest log lines of the window (unmasked here; every output masks them). */
  logs: string[];
  /** Kernel lines about OOM kills in the window. */
  kernel: string[];
  disk: { usedPercent: number; availBytes: number; mount: string } | null;
  memory: { rssBytes: number; limitBytes: number } | null;
  certificates: { path: string; status: string; daysLeft: number | null }[];
  /** The env file's databases, caches and brokers: can the app's credentials reach them now. */
  deps: DepSignal[];
  changes: ChangeSummary;
  /** Why a probe did not complete, or null. */
  problems: string[];
}

/** Newest log lines kept as signals: enough to see a crash and its cause, few enough to read. */
export const SIGNAL_LOG_LINES = 200;

function managedFiles(d: DeployedApp): { path: string; name: string }[] {
  try {
    const spec = { app: d.app, strategy: d.current.strategy, port: d.current.port ?? null } as DeploySpec;
    const ctx = { spec, layout: d.layout, state: d.state, releaseId: d.current.id, previousId: d.previous?.id ?? null, sudo: false, root: (c) => c } as PlanContext;
    return plannerFor(spec.strategy).managedFiles(ctx).map((m) => ({ path: m.path, name: m.name }));
  } catch {
    // A strategy this version does not know has no managed files to compare.
    return [];
  }
}

export interface ExtraFacts { kernel: string[]; exit: Map<string, string>; health: HealthProbe[]; envKeys: { current: string[]; previous: string[] | null }; config: { path: string; same: boolean }[]; complete: boolean }

/** Parses the incident probe's sectioned output. */
export function parseSignalsProbe(text: string): ExtraFacts {
  const out: ExtraFacts = { kernel: [], exit: new Map(), health: [], envKeys: { current: [], previous: null }, config: [], complete: false };
  let section = '';
  for (const line of text.split('\n')) {
    if (line.startsWith('@@')) {
      section = line.slice(2);
      if (section === 'end') out.complete = true;
      if (section === 'envkeys previous') out.envKeys.previous = [];
      continue;
    }
    if (line.trim() === '') continue;
    if (section === 'kernel') out.kernel.push(line);
    else if (section === 'exit') { const eq = line.indexOf('='); if (eq > 0) out.exit.set(line.slice(0, eq), line.slice(eq + 1)); }
    else if (section === 'health') {
      const m = /^(app|proxy \S+) (\S+) (\d{3}) (\d+)$/.exec(line);
      if (m?.[1] && m[2] && m[3] && m[4]) out.health.push({ via: m[1], url: m[2], code: Number(m[3]), curlExit: Number(m[4]) });
    } else if (section === 'envkeys current') out.envKeys.current.push(line.trim());
    else if (section === 'envkeys previous') { if (line !== '@@none') out.envKeys.previous?.push(line.trim()); }
    else if (section === 'config') {
      const m = /^(same|differs) (.+)$/.exec(line);
      if (m?.[1] && m[2]) out.config.push({ path: m[2], same: m[1] === 'same' });
    }
  }
  return out;
}

function changesOf(d: DeployedApp, x: ExtraFacts): ChangeSummary {
  const prev = x.envKeys.previous;
  return {
    current: d.current.id, previous: d.previous?.id ?? null,
    commit: { from: d.previous?.commit ?? null, to: d.current.commit ?? null },
    envKeysAdded: prev === null ? [] : x.envKeys.current.filter((k) => !prev.includes(k)),
    envKeysRemoved: prev === null ? [] : prev.filter((k) => !x.envKeys.current.includes(k)),
    configChanged: x.config.filter((c) => !c.same).map((c) => c.path),
    recentDeploys: d.ledger.releases.slice(-5).reverse().map((r) => ({ id: r.id, status: r.status, deployedAt: r.deployedAt, commit: r.commit ?? null })),
  };
}

/** Pure: the signals from the two probes' results (the unit tests feed canned output). */
export function signalsFrom(d: DeployedApp, g: Gathered, x: ExtraFacts, extraError: string | null, deps: DepSignal[] = []): Signals {
  const f = g.facts;
  const unit = f.service.units[0];
  const restarts = f.service.units.reduce<number | null>((n, u) => (u.restarts === null ? n : (n ?? 0) + u.restarts), null);
  const rss = f.processes.reduce((n, p) => n + (p.rssBytes ?? 0), 0);
  const limit = unit?.memoryLimit ?? f.processes.find((p) => p.cgroupMemoryLimit !== null)?.cgroupMemoryLimit ?? null;
  const fs = f.disk.filesystem;
  const status = x.exit.get('ExecMainStatus');
  return {
    app: d.app, strategy: d.current.strategy, release: d.current.id,
    service: {
      state: unit?.state ?? (f.service.problem ? 'unknown' : 'not-found'), detail: f.service.units.map((u) => `${u.name} ${u.detail}`).join('; ') || (f.service.problem ?? 'no unit'),
      restarts, result: x.exit.get('Result') ?? null, exitStatus: status !== undefined && /^\d+$/.test(status) ? Number(status) : null,
      memoryLimit: limit, oomKilled: f.service.units.some((u) => /OOM-killed/.test(u.detail)), problem: f.service.problem,
    },
    health: x.health.find((h) => h.via === 'app') ?? null,
    proxies: x.health.filter((h) => h.via !== 'app'),
    logs: f.logs.flatMap((s) => s.lines).slice(-SIGNAL_LOG_LINES),
    kernel: x.kernel,
    disk: fs ? { usedPercent: fs.usedPercent, availBytes: fs.availBytes, mount: fs.mount } : null,
    memory: limit !== null && rss > 0 ? { rssBytes: rss, limitBytes: limit } : null,
    certificates: certStatuses(f.sites, f.certs, d.app, d.current.port ?? null, f.now ?? Math.floor(Date.now() / 1000)).map((c) => ({ path: c.path, status: c.status, daysLeft: c.daysLeft })),
    deps,
    changes: changesOf(d, x),
    problems: [g.error, extraError].filter((e): e is string => e !== null),
  };
}

/** The deps layer's input for the deployed app: the handshakes go from the target's side, through the run's connection. */
function depsInput(ctx: RunContext, d: DeployedApp, envFileText: string): LayerInput {
  const target: VerifyTarget = {
    app: d.app, strategy: d.current.strategy as VerifyTarget['strategy'], port: d.current.port ?? null, healthPath: d.current.healthPath ?? null,
    release: d.current.id, base: d.base, since: null, url: null, serverName: null,
  };
  return { ctx, target, envFileText, options: { windowMs: 0, intervalMs: 1000, requestTimeoutMs: 5000, successes: 1, checks: [], proxyUrl: null, tlsWarnDays: 14 } };
}

/** Every dependency URL of the env file handshaken; a handshake layer that could not run is a problem, not a pass. */
async function depSignals(ctx: RunContext, d: DeployedApp, envFileText: string | null): Promise<{ deps: DepSignal[]; error: string | null }> {
  if (envFileText === null) return { deps: [], error: null };
  try {
    const { results } = await dependencyHandshakes(depsInput(ctx, d, envFileText), envFileText);
    return { deps: results.map((r) => ({ keys: r.ep.keys.join(', '), verdict: r.result.verdict, summary: r.finding.summary })), error: null };
  } catch (e) {
    return { deps: [], error: `dependency handshakes could not run: ${e instanceof Error ? e.message : String(e)}` };
  }
}

/**
 * Runs both probes and the dependency handshakes side by side (sessions and forwards over one connection) and
 * returns the signals. `envFileText` is the env file read once by registerEnvSecrets (its values already masked).
 */
export async function gatherSignals(ctx: RunContext, d: DeployedApp, windowSec: number, envFileText: string | null = null): Promise<Signals> {
  const sudo = d.state.uid !== 0 && d.state.sudo;
  const now = Math.floor((ctx.now?.() ?? new Date()).getTime() / 1000);
  const cmd = asRoot(signalsProbeCommand({
    unit: d.current.strategy === 'systemd' ? d.app : '', port: d.current.port ?? null, healthPath: d.current.healthPath ?? '/', sinceEpoch: now - windowSec,
    envFile: d.layout.envFile, previousRecord: d.previous ? d.layout.record(d.previous.id) : '', managed: managedFiles(d), nginxDir: NGINX_DIR,
  }), sudo);
  const [g, extra, deps] = await Promise.all([
    gatherFacts(ctx, { app: d.app, base: d.base, strategy: d.current.strategy, port: d.current.port ?? null }, windowSec, 0),
    ctx.executor.run(cmd).then((r) => ({ r, e: null as string | null }), (e: unknown) => ({ r: null, e: e instanceof Error ? e.message : String(e) })),
    depSignals(ctx, d, envFileText),
  ]);
  const x = parseSignalsProbe(extra.r ? extra.r.rawStdout ?? extra.r.stdout : '');
  const extraError = extra.e ?? (x.complete ? null : `the incident probe did not finish (exit ${String(extra.r?.exitCode)})`);
  const s = signalsFrom(d, g, x, extraError === null ? null : ctx.redactor.mask(extraError), deps.deps);
  if (deps.error) s.problems.push(ctx.redactor.mask(deps.error));
  return s;
}
