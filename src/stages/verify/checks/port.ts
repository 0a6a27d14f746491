// Port layer: the expected port listens, and the process holding it belongs to the service (PID, parentage, cgroup or docker-proxy).
import { portOwnerCommand, type ManagerKind } from '../../../commands/verify-probe.js';
import type { Finding } from '../../../report/common.js';
import type { LayerCheck, LayerInput } from '../types.js';
import {
  evidence, keyValues, managerKinds, parseHeader, parsePm2, probeFailed, runProbe, section, vfinding, type Pm2Instance, type ProbeHeader,
} from './on-target.js';
import { pm2For } from '../../../core/pm2-binary.js';

export interface Listener {
  /** Local address as shown (`0.0.0.0:3000`, `[::]:3000`, `127.0.0.1:3000`). */
  address: string;
  pids: number[];
  /** Process names ss showed with the PIDs. */
  names: string[];
}

export interface PidInfo {
  pid: number;
  comm: string;
  user: string;
  /** Parent, grandparent, … up to (not including) PID 1. */
  ancestors: number[];
  cgroup: string;
  cmdline: string;
}

export interface ContainerNet {
  name: string;
  pid: number;
  ips: string[];
  networkMode: string;
  /** `3000/tcp>127.0.0.1:3000` entries. */
  published: string[];
}

export interface PortProbe extends ProbeHeader {
  tool: 'ss' | 'proc' | null;
  listeners: Listener[];
  pids: PidInfo[];
  systemd: Record<string, string> | null;
  /** Every PID in the unit's cgroup, when the cgroup file was readable. */
  systemdProcs: number[];
  pm2: { instances: Pm2Instance[]; problem: string | null } | null;
  pm2Daemon: number | null;
  containers: ContainerNet[];
  complete: boolean;
}

function portOf(address: string): number | null {
  const m = /:(\d+)$/.exec(address);
  return m ? Number(m[1]) : null;
}

/** `0100007F:0BB8` (little-endian IPv4) or a 32-hex-digit IPv6 address from /proc/net/tcp6, as text. */
export function decodeProcAddress(hex: string): string {
  const [a = '', p = '0'] = hex.split(':');
  const port = parseInt(p, 16);
  if (a.length === 8) {
    const bytes = (a.match(/../g) ?? []).map((b) => parseInt(b, 16)).reverse();
    return `${bytes.join('.')}:${port}`;
  }
  if (/^0+$/.test(a)) return `[::]:${port}`;
  if (a === '00000000000000000000000001000000') return `[::1]:${port}`;
  return `[${a}]:${port}`;
}

function ints(s: string | undefined): number[] {
  return (s ?? '').split(/\s+/).filter((x) => /^\d+$/.test(x)).map(Number);
}

/** Parses the output of portOwnerCommand. */
export function parsePortProbe(text: string): PortProbe {
  const header = parseHeader(text);
  const ls = section(text, 'listeners');
  const tool = ls.includes('tool=ss') ? 'ss' : ls.includes('tool=proc') ? 'proc' : null;
  const listeners: Listener[] = [];
  for (const l of ls) {
    if (l === '' || l.startsWith('tool=')) continue;
    const pm = /^proc (\S+) inode=\d+ pids=(.*)$/.exec(l);
    if (pm) { listeners.push({ address: decodeProcAddress(pm[1] ?? ''), pids: ints(pm[2]), names: [] }); continue; }
    const cols = l.trim().split(/\s+/);
    const address = cols[3];
    if (!address) continue;
    const pids: number[] = [];
    const names: string[] = [];
    for (const m of l.matchAll(/\("([^"]*)",pid=(\d+)/g)) {
      if (!pids.includes(Number(m[2]))) { pids.push(Number(m[2])); names.push(m[1] ?? ''); }
    }
    listeners.push({ address, pids, names });
  }
  const pids: PidInfo[] = [];
  const lines = text.split('\n');
  lines.forEach((l, i) => {
    const m = /^@@pid (\d+)$/.exec(l);
    if (!m) return;
    const kv = keyValues(lines.slice(i + 1, i + 6), '');
    pids.push({ pid: Number(m[1]), comm: kv.comm ?? '', user: kv.user ?? '', ancestors: ints(kv.ancestors), cgroup: kv.cgroup ?? '', cmdline: kv.cmdline ?? '' });
  });
  const owner = section(text, 'owner');
  const sys = owner.filter((l) => l.startsWith('systemd.'));
  const kv = keyValues(sys, 'systemd.');
  const pm2Lines = owner.filter((l) => l.startsWith('pm2') && !l.startsWith('pm2.daemon='));
  const daemon = /^pm2\.daemon=(\d+)$/m.exec(owner.join('\n'))?.[1];
  const containers: ContainerNet[] = [];
  for (const l of owner) {
    const m = /^(?:docker|compose) (.*)$/.exec(l);
    if (!m) continue;
    const f = (m[1] ?? '').split('|');
    if (f.length < 5 || !/^\d+$/.test(f[1] ?? '')) continue;
    containers.push({ name: (f[0] ?? '').replace(/^\//, ''), pid: Number(f[1]), ips: (f[2] ?? '').split(/\s+/).filter(Boolean), networkMode: f[3] ?? '', published: (f[4] ?? '').split(/\s+/).filter(Boolean) });
  }
  return {
    ...header, tool, listeners, pids,
    systemd: sys.length > 0 ? kv : null, systemdProcs: ints(kv.procs),
    pm2: pm2Lines.length > 0 ? parsePm2(pm2Lines) : null, pm2Daemon: daemon ? Number(daemon) : null,
    containers, complete: /^@@end$/m.test(text),
  };
}

/** Why a listening PID is the service's, or null when it is not. */
function ownedBecause(app: string, kinds: readonly ManagerKind[], p: PortProbe, info: PidInfo | undefined, pid: number): string | null {
  const family = [pid, ...(info?.ancestors ?? [])];
  if (kinds.includes('systemd') && p.systemd) {
    const main = Number(p.systemd.MainPID ?? 0);
    if (main > 0 && family.includes(main)) return pid === main ? `the main PID of ${app}.service` : `a child of ${app}.service's main PID ${main}`;
    if (p.systemdProcs.includes(pid)) return `in the cgroup of ${app}.service`;
    const cg = p.systemd.ControlGroup ?? '';
    if (info && cg !== '' && (info.cgroup === cg || info.cgroup.endsWith(`/${app}.service`))) return `in the cgroup of ${app}.service`;
  }
  if (kinds.includes('pm2') && p.pm2) {
    const mine = p.pm2.instances.map((x) => x.pid).filter((x) => x > 0);
    const hit = mine.find((m) => family.includes(m));
    if (hit !== undefined) return hit === pid ? `a pm2 instance of ${app}` : `a child of pm2 instance ${hit} of ${app}`;
    // Node's cluster mode: the pm2 daemon (the cluster primary) holds the socket and hands connections to the workers.
    if (p.pm2Daemon !== null && pid === p.pm2Daemon && p.pm2.instances.some((x) => x.mode === 'cluster_mode')) return `the pm2 daemon, which listens for ${app}'s cluster workers`;
  }
  for (const c of p.containers) {
    if (c.pid > 0 && family.includes(c.pid)) return `a process of container ${c.name}`;
    if (info?.comm === 'docker-proxy' && c.ips.some((ip) => new RegExp(`-container-ip ${ip.replace(/\./g, '\\.')}(\\s|$)`).test(info.cmdline))) {
      return `docker-proxy publishing container ${c.name}`;
    }
  }
  return null;
}

function describePid(info: PidInfo | undefined, pid: number, fallbackName: string | undefined): string {
  const name = info?.comm || fallbackName || '?';
  const user = info?.user ? `, user ${info.user}` : '';
  const cmd = info?.cmdline ? `: ${info.cmdline.trim().slice(0, 120)}` : '';
  return `${name} (PID ${pid}${user}${cmd})`;
}

function ownerSummary(app: string, kinds: readonly ManagerKind[], p: PortProbe): string {
  const parts: string[] = [];
  if (kinds.includes('systemd') && p.systemd) parts.push(`${app}.service MainPID=${p.systemd.MainPID ?? '?'} ${p.systemd.ActiveState ?? ''} cgroup=${p.systemd.ControlGroup ?? '?'}${p.systemdProcs.length > 0 ? ` procs=${p.systemdProcs.join(' ')}` : ''}`);
  if (kinds.includes('pm2') && p.pm2) parts.push(`pm2 ${app}: ${p.pm2.problem ?? p.pm2.instances.map((x) => `[${x.id}] pid ${x.pid} ${x.mode}`).join(', ')}${p.pm2Daemon ? `; daemon ${p.pm2Daemon}` : ''}`);
  for (const c of p.containers) parts.push(`container ${c.name} pid ${c.pid} ip ${c.ips.join(',') || '-'} ${c.networkMode} ${c.published.join(' ')}`);
  return parts.join('\n');
}

/** Judges the parsed probe (pure: the unit tests call it with canned output). */
export function judgePort(input: LayerInput, kinds: readonly ManagerKind[], p: PortProbe): Finding[] {
  const app = input.target.app ?? '';
  const port = input.target.port ?? 0;
  const id = `port.${port}`;
  const title = `Port ${port} is held by ${app}`;
  const cmd = p.tool === 'proc' ? `awk (LISTEN on :${port}) /proc/net/tcp /proc/net/tcp6; find /proc/*/fd -lname 'socket:[inode]'` : `ss -ltnp | awk '$4 ~ /:${port}$/'`;
  const listenerText = p.listeners.map((l) => `${l.address} ${l.pids.map((x, i) => `${l.names[i] || p.pids.find((y) => y.pid === x)?.comm || '?'}/${x}`).join(' ') || '(process not visible)'}`).join('\n');
  const ev = evidence(input, cmd, `${listenerText || '(nothing listens)'}\n${ownerSummary(app, kinds, p)}`);
  const listeners = p.listeners.filter((l) => portOf(l.address) === port);
  if (listeners.length === 0) {
    const published = p.containers.filter((c) => c.published.some((x) => x.endsWith(`:${port}`)));
    if (published.length > 0) {
      return [vfinding(id, 'port', title, 'pass', `published by docker for ${published.map((c) => c.name).join(', ')} (forwarded by the kernel: no userland proxy listens)`, { evidence: ev })];
    }
    return [vfinding(id, 'port', title, 'fail', `nothing listens on port ${port}`, {
      evidence: ev, remedy: `check that ${app} listens on ${port} (PORT in its environment) and that it is running`,
    })];
  }
  const bad: string[] = [];
  const ok: string[] = [];
  const blind: string[] = [];
  for (const l of listeners) {
    if (l.pids.length === 0) { blind.push(l.address); continue; }
    l.pids.forEach((pid, i) => {
      const info = p.pids.find((x) => x.pid === pid);
      const why = kinds.length > 0 ? ownedBecause(app, kinds, p, info, pid) : null;
      if (why) ok.push(`${l.address} by ${describePid(info, pid, l.names[i])}: ${why}`);
      else bad.push(`${l.address} by ${describePid(info, pid, l.names[i])}`);
    });
  }
  if (bad.length > 0 && kinds.length > 0) {
    return [vfinding(id, 'port', title, 'fail', `port ${port} is held by another process: ${bad.join('; ')}`, {
      detail: ok.length > 0 ? `Also held by the service: ${ok.join('; ')}` : `No process of ${app} holds it.`,
      evidence: ev, remedy: `stop the other process (or move ${app} to a free port), then restart ${app}`,
    })];
  }
  if (blind.length > 0 && ok.length === 0) {
    return [vfinding(id, 'port', title, 'unknown', `port ${port} listens (${blind.join(', ')}) but the process holding it cannot be seen${p.priv === 'none' ? ' without root or passwordless sudo' : ''}`, {
      evidence: ev, remedy: 'verify as root or as a user with passwordless sudo, so other users\' sockets can be read',
    })];
  }
  if (kinds.length === 0) {
    return [vfinding(id, 'port', title, 'unknown', `port ${port} listens (${bad.join('; ')}), but which service owns it cannot be told for the ${input.target.strategy ?? 'unknown'} strategy`, { required: false, evidence: ev })];
  }
  return [vfinding(id, 'port', title, 'pass', `listening: ${ok.join('; ')}`, { evidence: ev })];
}

export const checkPort: LayerCheck = async (input) => {
  const { app, port } = input.target;
  if (app === null) return [vfinding('port.none', 'port', 'Port binding', 'skipped', 'no app named: a bare URL is checked by the HTTP layer', { required: false })];
  if (port === null) return [vfinding('port.none', 'port', `Port of ${app}`, 'skipped', 'no port is known for this app (none recorded at deploy, none given with --port)', { required: false })];
  const { kinds } = managerKinds(input.target);
  const cmd = portOwnerCommand({ app, port, kinds, pm2: pm2For(input.ctx.executor.host) });
  const run = await runProbe(input, cmd);
  const parsed = parsePortProbe(run.text);
  if (run.error !== null || !parsed.complete || parsed.tool === null) {
    return [probeFailed(input, 'port', `port.${port}`, `Port ${port} is held by ${app}`, cmd.description ?? 'ss -ltnp', run, `list the listeners on port ${port}`)];
  }
  return judgePort(input, kinds, parsed);
};
