// Process layer: the service stays up across a sampling window (restart counters must not grow), not just "active" once.
import { processSamplesCommand, type ManagerKind } from '../../../commands/verify-probe.js';
import type { Finding } from '../../../report/common.js';
import type { LayerCheck, LayerInput } from '../types.js';
import {
  evidence, keyValues, managerKinds, parseContainerLine, parseHeader, parsePm2, probeFailed, runProbe, vfinding,
  type ContainerState, type Pm2Instance, type ProbeHeader,
} from './on-target.js';
import { pm2For } from '../../../core/pm2-binary.js';
import { checkSwarmTasks } from './swarm.js';

export interface ProcessSample {
  index: number;
  /** Epoch seconds on the target. */
  at: number;
  /** systemctl show properties, or null when systemd was not asked. */
  systemd: Record<string, string> | null;
  pm2: { instances: Pm2Instance[]; problem: string | null } | null;
  /** The container, or null when docker was not asked; `dockerError` when inspect failed (e.g. no such container). */
  docker: ContainerState | null;
  dockerError: string | null;
  /** The compose project's containers, or null when compose was not asked. */
  compose: ContainerState[] | null;
}

interface Judged { status: Finding['status']; summary: string; detail?: string; remedy?: string; evidence: string }

export interface ProcessProbe extends ProbeHeader {
  samples: ProcessSample[];
  /** The script reached its end (a cut-off run leaves too few samples to judge). */
  complete: boolean;
}

/** Parses the output of processSamplesCommand. */
export function parseProcessSamples(text: string): ProcessProbe {
  const header = parseHeader(text);
  const samples: ProcessSample[] = [];
  let cur: { index: number; at: number; lines: string[] } | null = null;
  const flush = (): void => {
    if (!cur) return;
    const l = cur.lines;
    const sys = l.filter((x) => x.startsWith('systemd.'));
    const pm2Lines = l.filter((x) => x.startsWith('pm2'));
    const dockerLines = l.filter((x) => x.startsWith('docker ')).map((x) => x.slice('docker '.length));
    const composeLines = l.filter((x) => x.startsWith('compose ')).map((x) => x.slice('compose '.length));
    const docker = dockerLines.map(parseContainerLine).find((c) => c !== null) ?? null;
    samples.push({
      index: cur.index, at: cur.at,
      systemd: sys.length > 0 ? keyValues(sys, 'systemd.') : null,
      pm2: pm2Lines.length > 0 ? parsePm2(pm2Lines) : null,
      docker, dockerError: docker === null && dockerLines.length > 0 ? dockerLines.join(' ').trim() : null,
      compose: composeLines.length > 0 || l.includes('compose.none=1')
        ? composeLines.map(parseContainerLine).filter((c): c is ContainerState => c !== null) : null,
    });
  };
  for (const line of text.split('\n')) {
    const m = /^@@sample (\d+) (\d+)$/.exec(line);
    if (m) { flush(); cur = { index: Number(m[1]), at: Number(m[2]), lines: [] }; continue; }
    if (line === '@@end') { flush(); cur = null; continue; }
    cur?.lines.push(line);
  }
  flush();
  return { ...header, samples, complete: /^@@end$/m.test(text) };
}

const TITLE: Record<ManagerKind, (app: string) => string> = {
  systemd: (a) => `systemd unit ${a}.service stays up`,
  pm2: (a) => `pm2 app ${a} stays online`,
  docker: (a) => `container ${a} stays running`,
  compose: (a) => `compose project ${a} stays running`,
};

const SYSTEMD_CMD = (app: string): string => `systemctl show ${app}.service -p LoadState,ActiveState,SubState,NRestarts,Result,ExecMainStatus,MainPID`;

function span(p: ProcessProbe): number {
  const first = p.samples[0];
  const last = p.samples[p.samples.length - 1];
  return first && last ? Math.max(0, last.at - first.at) : 0;
}

function judgeSystemd(app: string, p: ProcessProbe): Judged {
  const s = p.samples.map((x) => x.systemd ?? {});
  const ev = s.map((v, i) => `#${i} ${v.ActiveState ?? '?'}/${v.SubState ?? '?'} NRestarts=${v.NRestarts ?? '?'} MainPID=${v.MainPID ?? '?'} Result=${v.Result ?? '?'} ExecMainStatus=${v.ExecMainStatus ?? '?'}`).join('\n');
  const first = s[0] ?? {};
  const last = s[s.length - 1] ?? {};
  const secs = span(p);
  const journal = `journalctl -u ${app} -n 100 --no-pager`;
  if (first.LoadState !== 'loaded') {
    return { status: 'fail', summary: `${app}.service is not installed (LoadState=${first.LoadState ?? 'unknown'})`, evidence: ev, remedy: `deploy ${app} again, or check the app name (--name)` };
  }
  const limit = s.find((v) => v.Result === 'start-limit-hit');
  if (limit) {
    return { status: 'fail', summary: `systemd gave up restarting ${app}.service: it crashed too often (Result=start-limit-hit, NRestarts=${limit.NRestarts ?? '?'})`, evidence: ev, remedy: `read why it exits: ${journal}; fix, then deploy again (systemctl reset-failed ${app} clears the limit)` };
  }
  const n0 = Number(first.NRestarts ?? 'NaN');
  const n1 = Number(last.NRestarts ?? 'NaN');
  if (Number.isFinite(n0) && Number.isFinite(n1) && n1 > n0) {
    return {
      status: 'fail', summary: `${app}.service is in a restart loop: restarted ${n1 - n0} time(s) in ${secs}s (NRestarts ${n0} → ${n1})`,
      detail: `States seen: ${[...new Set(s.map((v) => `${v.ActiveState}/${v.SubState}`))].join(', ')}. Being "active" at one instant says nothing: systemd restarts it after each crash.`,
      evidence: ev, remedy: `read why it exits: ${journal}`,
    };
  }
  const down = s.findIndex((v) => v.ActiveState !== 'active');
  if (down >= 0) {
    const v = s[down] ?? {};
    return {
      status: 'fail', summary: `${app}.service is not running: ${v.ActiveState}/${v.SubState} at sample ${down} (Result=${v.Result}, exit status ${v.ExecMainStatus})`,
      evidence: ev, remedy: `read why: ${journal}`,
    };
  }
  const pids = [...new Set(s.map((v) => v.MainPID))];
  if (pids.length > 1 || (Number.isFinite(n0) && Number.isFinite(n1) && n1 < n0)) {
    return { status: 'warn', summary: `${app}.service was restarted during the ${secs}s window by something other than its Restart= policy (MainPID ${pids.join(' → ')})`, evidence: ev, remedy: 'find who restarts it (another deploy, a cron job, an operator), then verify again' };
  }
  if (n1 > 0) {
    return { status: 'warn', summary: `${app}.service is running now, but it crashed and was restarted ${n1} time(s) since it was started (none during the ${secs}s window)`, evidence: ev, remedy: `read why it exited: ${journal}` };
  }
  return { status: 'pass', summary: `active/${last.SubState ?? 'running'} through ${s.length} samples over ${secs}s, no restarts (MainPID ${last.MainPID ?? '?'})`, evidence: ev };
}

function judgePm2(app: string, p: ProcessProbe): Judged {
  const s = p.samples.map((x) => x.pm2 ?? { instances: [], problem: 'pm2 was not asked' });
  const ev = s.map((v, i) => `#${i} ${v.problem ?? v.instances.map((x) => `[${x.id}] ${x.status} restarts=${x.restarts} unstable=${x.unstableRestarts} pid=${x.pid}`).join('; ')}`).join('\n');
  const first = s[0];
  const last = s[s.length - 1];
  const secs = span(p);
  if (!first || !last) return { status: 'unknown', summary: 'no sample was taken', evidence: ev };
  const problem = first.problem ?? last.problem;
  if (problem === 'no-daemon') return { status: 'fail', summary: `pm2 is not running for this user (no daemon), so ${app} is not running under it`, evidence: ev, remedy: `deploy ${app} again as the same user, or check --name` };
  if (problem === 'none') return { status: 'fail', summary: `pm2 has no app named ${app} (for this user)`, evidence: ev, remedy: `deploy ${app} again as the same user, or check --name` };
  if (problem) return { status: 'unknown', summary: problem, evidence: ev, remedy: 'install pm2 for the connecting user, or check the pm2 home' };
  const grew: string[] = [];
  for (const a of first.instances) {
    const b = last.instances.find((x) => x.id === a.id);
    if (!b) grew.push(`[${a.id}] disappeared`);
    else if (b.restarts > a.restarts) grew.push(`[${a.id}] restarts ${a.restarts} → ${b.restarts}`);
  }
  if (grew.length > 0) {
    return { status: 'fail', summary: `${app} is in a restart loop under pm2 within ${secs}s: ${grew.join(', ')}`, evidence: ev, remedy: `read why it exits: pm2 logs ${app} --lines 100` };
  }
  for (const [i, v] of s.entries()) {
    const bad = v.instances.filter((x) => x.status !== 'online');
    if (bad.length > 0) {
      return { status: 'fail', summary: `${app} is not online under pm2: ${bad.map((x) => `[${x.id}] ${x.status}`).join(', ')} at sample ${i}`, evidence: ev, remedy: `read why: pm2 logs ${app} --lines 100` };
    }
  }
  const unstable = last.instances.filter((x) => x.unstableRestarts > 0);
  if (unstable.length > 0) {
    return { status: 'warn', summary: `${app} is online now, but pm2 counted unstable restarts (exits before min_uptime): ${unstable.map((x) => `[${x.id}] ${x.unstableRestarts}`).join(', ')}`, evidence: ev, remedy: `read why it exited: pm2 logs ${app} --lines 100` };
  }
  return { status: 'pass', summary: `${last.instances.length} instance(s) online through ${s.length} samples over ${secs}s, no restarts in the window`, evidence: ev };
}

function containerVerdict(cs: readonly (readonly ContainerState[])[], oneShotOk: boolean): { bad: string[]; grew: string[]; starting: string[] } {
  const first = cs[0] ?? [];
  const last = cs[cs.length - 1] ?? [];
  const grew: string[] = [];
  for (const a of first) {
    const b = last.find((x) => x.name === a.name);
    if (b && (b.restarts > a.restarts || (b.startedAt !== a.startedAt && b.status === a.status))) grew.push(`${a.name} restarts ${a.restarts} → ${b.restarts}`);
  }
  const bad: string[] = [];
  const starting: string[] = [];
  for (const c of last) {
    if (c.status === 'exited' && c.exitCode === 0 && oneShotOk) continue;
    if (c.status !== 'running') bad.push(`${c.name} ${c.status}${c.status === 'exited' ? ` (exit ${c.exitCode}${c.oomKilled ? ', killed for lack of memory' : ''})` : ''}`);
    else if (c.health === 'unhealthy') bad.push(`${c.name} unhealthy (its HEALTHCHECK fails)`);
    else if (c.health === 'starting') starting.push(c.name);
  }
  for (const snap of cs.slice(0, -1)) {
    for (const c of snap) if (c.status === 'restarting' && !bad.some((b) => b.startsWith(`${c.name} `))) bad.push(`${c.name} was restarting`);
  }
  return { bad, grew, starting };
}

function judgeContainers(kind: 'docker' | 'compose', app: string, p: ProcessProbe): Judged {
  const snaps = p.samples.map((x) => (kind === 'docker' ? (x.docker ? [x.docker] : []) : x.compose ?? []));
  const ev = p.samples.map((x, i) => `#${i} ${(snaps[i] ?? []).map((c) => `${c.name} ${c.status}${c.health ? `/${c.health}` : ''} RestartCount=${c.restarts} pid=${c.pid}`).join('; ') || (x.dockerError ?? 'no containers')}`).join('\n');
  const logs = kind === 'docker' ? `docker logs --tail 100 ${app}` : `docker compose -p ${app} logs --tail 100`;
  const secs = span(p);
  if ((snaps[0] ?? []).length === 0) {
    return { status: 'fail', summary: kind === 'docker' ? `no container named ${app}` : `compose project ${app} has no containers`, evidence: ev, remedy: `deploy ${app} again, or check --name` };
  }
  const { bad, grew, starting } = containerVerdict(snaps, kind === 'compose');
  if (grew.length > 0) return { status: 'fail', summary: `restart loop within ${secs}s: ${grew.join(', ')}`, evidence: ev, remedy: `read why it exits: ${logs}` };
  if (bad.length > 0) return { status: 'fail', summary: `not running: ${bad.join(', ')}`, evidence: ev, remedy: `read why: ${logs}` };
  const restarted = (snaps[snaps.length - 1] ?? []).filter((c) => c.restarts > 0);
  if (starting.length > 0) return { status: 'warn', summary: `running, but the health check has not passed yet: ${starting.join(', ')}`, evidence: ev, remedy: 'verify again once the health check has had time to run' };
  if (restarted.length > 0) {
    return { status: 'warn', summary: `running now, but restarted by docker before the window: ${restarted.map((c) => `${c.name} RestartCount=${c.restarts}`).join(', ')}`, evidence: ev, remedy: `read why it exited: ${logs}` };
  }
  const n = (snaps[snaps.length - 1] ?? []).length;
  return { status: 'pass', summary: `${n === 1 ? 'running' : `${n} containers running`} through ${snaps.length} samples over ${secs}s, no restarts`, evidence: ev };
}

/** Whether a manager knows the app at all (used when the strategy is not known and every manager was asked). */
function found(kind: ManagerKind, p: ProcessProbe): boolean {
  const s = p.samples[0];
  if (!s) return false;
  if (kind === 'systemd') return s.systemd?.LoadState === 'loaded';
  if (kind === 'pm2') return (s.pm2?.instances.length ?? 0) > 0;
  if (kind === 'docker') return s.docker !== null;
  return (s.compose?.length ?? 0) > 0;
}

const PROBE_CMD: Record<ManagerKind, (app: string, pm2: string) => string> = {
  systemd: (a) => SYSTEMD_CMD(a),
  pm2: (a, pm2) => `${pm2} jlist (reduced on the target to the instances of ${a})`,
  docker: (a) => `docker inspect -f '{{.State.Status}} {{.RestartCount}} {{.State.Health.Status}} …' ${a}`,
  compose: (a) => `docker inspect … $(docker ps -aq --filter label=com.docker.compose.project=${a})`,
};

/** Judges parsed samples (pure: the unit tests call it with canned output). */
export function judgeProcess(input: LayerInput, kinds: readonly ManagerKind[], auto: boolean, p: ProcessProbe, pm2 = 'pm2'): Finding[] {
  const app = input.target.app ?? '';
  const window = `${p.samples.length} samples over ${span(p)}s`;
  const out: Finding[] = [];
  const asked = auto ? kinds.filter((k) => found(k, p)) : kinds;
  if (auto && asked.length === 0) {
    return [vfinding('process.service', 'process', `A service named ${app} runs`, 'fail', `no systemd unit, pm2 app, container or compose project named ${app} was found`, {
      evidence: evidence(input, `${SYSTEMD_CMD(app)}; pm2 jlist; docker inspect ${app}`, p.samples[0] ? 'nothing matched' : '(no sample)'),
      remedy: 'check the app name (--name) and the target',
    })];
  }
  for (const kind of asked) {
    const title = TITLE[kind](app);
    const cmd = `${PROBE_CMD[kind](app, pm2)}   (${window})`;
    if ((kind === 'docker' || kind === 'compose')) {
      const why = p.docker === 'direct' || p.docker === 'sudo' ? null : (p.docker === 'missing' ? 'docker is not installed on the target' : 'the docker daemon does not answer this user');
      if (why) { out.push(vfinding(`process.${kind}`, 'process', title, 'unknown', why, { evidence: evidence(input, cmd, `docker=${p.docker ?? '?'} priv=${p.priv ?? '?'}`), remedy: 'give the user docker access (docker group or passwordless sudo)' })); continue; }
    }
    const j: Judged = kind === 'systemd' ? judgeSystemd(app, p) : kind === 'pm2' ? judgePm2(app, p) : judgeContainers(kind, app, p);
    out.push(vfinding(`process.${kind}`, 'process', title, j.status, j.summary, {
      evidence: evidence(input, cmd, j.evidence),
      ...(j.detail ? { detail: j.detail } : {}),
      ...(j.remedy ? { remedy: j.remedy } : {}),
    }));
  }
  return out;
}

/** Samples at the start and end of the window and in between: 2 s apart or so, 2 to 6 samples. */
export function samplingPlan(windowMs: number): { samples: number; intervalSec: number } {
  const samples = Math.min(6, Math.max(2, Math.round(windowMs / 2500) + 1));
  return { samples, intervalSec: Math.max(0.1, windowMs / 1000 / (samples - 1)) };
}

export const checkProcess: LayerCheck = async (input) => {
  const { app, strategy } = input.target;
  if (app === null) return [vfinding('process.service', 'process', 'Service process', 'skipped', 'no app named: a bare URL has no process to check', { required: false })];
  if (strategy === 'swarm') return checkSwarmTasks(input);
  const { kinds, auto } = managerKinds(input.target);
  if (kinds.length === 0) {
    return [vfinding('process.service', 'process', `Process of ${app}`, strategy === 'static' ? 'skipped' : 'unknown',
      strategy === 'static' ? 'a static site has no process of its own (nginx serves the files)' : 'the script strategy names no process manager: which process serves the app is not known',
      { required: false })];
  }
  const pm2 = pm2For(input.ctx.executor.host);
  const plan = samplingPlan(input.options.windowMs);
  const cmd = processSamplesCommand({ app, kinds, samples: plan.samples, intervalSec: plan.intervalSec, pm2 });
  const run = await runProbe(input, cmd);
  const parsed = parseProcessSamples(run.text);
  if (run.error !== null || parsed.samples.length < 2 || !parsed.complete) {
    return [probeFailed(input, 'process', 'process.service', `Process of ${app}`, cmd.description ?? 'sample the service state', run, `sample the state of ${app} over the window`)];
  }
  return judgeProcess(input, kinds, auto, parsed, pm2);
};
