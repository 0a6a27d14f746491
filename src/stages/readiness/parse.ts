// Parses the probe's sectioned output into typed host facts. Anything unreadable becomes null/unknown, never a guess.
import type { DiskFact, HostFacts, PortFact, ToolFact, WriteFact } from '../../report/readiness.js';

export interface Section { name: string; body: string; rc: number | null }

/** Splits "@@begin NAME" … "@@end NAME rc=N" blocks. A block cut off (probe killed) has rc null. */
export function parseSections(out: string): Map<string, Section> {
  const map = new Map<string, Section>();
  let cur: { name: string; lines: string[] } | null = null;
  for (const line of out.split('\n')) {
    const begin = /^@@begin (\S+)$/.exec(line);
    if (begin) { cur = { name: begin[1] ?? '', lines: [] }; continue; }
    const end = /^@@end (\S+) rc=(\d+)$/.exec(line);
    if (end && cur && end[1] === cur.name) {
      map.set(cur.name, { name: cur.name, body: cur.lines.join('\n').trim(), rc: Number(end[2]) });
      cur = null;
      continue;
    }
    if (cur) cur.lines.push(line);
  }
  if (cur) map.set(cur.name, { name: cur.name, body: cur.lines.join('\n').trim(), rc: null });
  return map;
}

/** Exit codes of timeout(1) (124), and of a process killed by TERM or KILL. */
export function isTimeoutRc(rc: number | null): boolean {
  return rc === 124 || rc === 137 || rc === 143;
}

const num = (s: string | undefined): number | null => {
  if (s === undefined || s.trim() === '') return null;
  const n = Number(s.trim());
  return Number.isFinite(n) ? n : null;
};

function kv(body: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of body.split('\n')) {
    const i = line.indexOf('=');
    if (i > 0 && /^[a-z0-9_-]+$/i.test(line.slice(0, i))) m.set(line.slice(0, i), line.slice(i + 1));
  }
  return m;
}

const VERSION_RE = /(\d+\.\d+(?:\.\d+)?(?:[-+][0-9A-Za-z.-]+)?)/;

/** Version of one tool from its section; `pkgver` sections carry `version=` read from package.json. */
export function parseTool(s: Section | undefined): ToolFact {
  if (!s) return { present: null, version: null, path: null, raw: 'probe did not report this tool', exitCode: null, timedOut: false };
  const lines = s.body.split('\n');
  if (lines.includes('@@absent')) return { present: false, version: null, path: null, raw: 'not found on PATH', exitCode: s.rc, timedOut: false };
  const m = kv(s.body);
  const path = m.get('path') ?? null;
  // No output, no path and no exit status: the job never ran. That says nothing about the tool.
  if (s.body === '' && !path && (s.rc === 255 || s.rc === null)) {
    return { present: null, version: null, path: null, raw: 'the probe job produced no output', exitCode: s.rc, timedOut: false };
  }
  const rest = lines.filter((l) => !/^(path|source)=/.test(l)).join('\n').trim();
  const timedOut = isTimeoutRc(s.rc);
  let version = m.get('version') ?? null;
  if (!version && !timedOut) {
    const special = /\bgo(\d+\.\d+(?:\.\d+)?)/.exec(rest) ?? /version "(\d+(?:\.\d+)*)/.exec(rest);
    version = special?.[1] ?? VERSION_RE.exec(rest)?.[1] ?? null;
  }
  return { present: s.rc === null && !path ? null : true, version, path, raw: rest.slice(0, 400), exitCode: s.rc, timedOut };
}

function parseDf(text: string): { total: number | null; avail: number | null; mount: string | null } {
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l.length > 0);
  const last = lines[lines.length - 1];
  if (!last || lines.length < 2) return { total: null, avail: null, mount: null };
  const f = last.split(/\s+/);
  // Filesystem, size, used, available, capacity, mount point (which may contain spaces).
  return { total: num(f[1]), avail: num(f[3]), mount: f.slice(5).join(' ') || null };
}

export function parseDisk(purpose: string, path: string, s: Section | undefined): DiskFact {
  const base: DiskFact = { purpose, path, probedPath: null, mount: null, totalBytes: null, availBytes: null, inodesTotal: null, inodesFree: null, error: null };
  if (!s) return { ...base, error: 'probe did not report this path' };
  const probed = /^probed=(.*)$/m.exec(s.body)?.[1] ?? null;
  const dfPart = s.body.split('@@df\n')[1]?.split('@@dfi')[0] ?? '';
  const dfiPart = s.body.split('@@dfi\n')[1] ?? '';
  const df = parseDf(dfPart);
  const dfi = parseDf(dfiPart);
  const out: DiskFact = {
    ...base, probedPath: probed, mount: df.mount,
    totalBytes: df.total === null ? null : df.total * 1024,
    availBytes: df.avail === null ? null : df.avail * 1024,
    inodesTotal: dfi.total, inodesFree: dfi.avail,
  };
  if (df.total === null) out.error = isTimeoutRc(s.rc) ? 'df timed out' : `df failed: ${s.body.slice(0, 200)}`;
  // Some file systems (and BusyBox df without -i) report no inode counts: leave them unknown.
  if (out.inodesTotal === 0) { out.inodesTotal = null; out.inodesFree = null; }
  return out;
}

export function parsePort(port: number, s: Section | undefined): PortFact {
  const fact: PortFact = { port, state: 'unknown', via: 'none', holders: [], listeners: [], error: null };
  if (!s) return { ...fact, error: 'probe did not report this port' };
  const m = kv(s.body);
  const via = m.get('via');
  fact.via = via === 'ss' ? 'ss' : via === 'proc' ? 'proc' : 'none';
  for (const line of s.body.split('\n')) {
    const o = /^owner pid=(\d+) user=(\S*) comm=(.*?) exe=(.*)$/.exec(line);
    if (o) {
      fact.holders.push({ pid: Number(o[1]), user: o[2] || null, process: o[3] || null, program: o[4] || null });
    } else if (/^LISTEN\b/.test(line)) {
      fact.listeners.push(line.replace(/\s+/g, ' ').trim());
    }
  }
  if (s.rc !== 0) {
    fact.error = isTimeoutRc(s.rc) ? `${fact.via} timed out` : (s.body.split('\n').filter((l) => !l.startsWith('via=')).join(' ').slice(0, 200) || `exit ${String(s.rc)}`);
    return fact;
  }
  if (fact.via === 'ss') fact.state = fact.listeners.length > 0 ? 'in-use' : 'free';
  else if (fact.via === 'proc') {
    const listen = m.get('listen');
    fact.state = listen === 'no' ? 'free' : listen?.startsWith('yes') ? 'in-use' : 'unknown';
    if (listen?.startsWith('yes')) fact.listeners.push(`/proc/net/tcp LISTEN, socket inode(s) ${(m.get('inodes') ?? '').trim() || '?'}`);
  }
  return fact;
}

export function parseWrite(path: string, s: Section | undefined): WriteFact {
  if (!s) return { path, exists: null, checkedPath: null, writable: null };
  const m = kv(s.body);
  const yn = (k: string): boolean | null => (m.get(k) === 'yes' ? true : m.get(k) === 'no' ? false : null);
  return { path, exists: yn('exists'), checkedPath: m.get('checked') ?? null, writable: yn('writable') };
}

function parseOs(s: Section | undefined, u: Section | undefined): HostFacts['os'] {
  const m = new Map<string, string>();
  for (const line of (s?.body ?? '').split('\n')) {
    const x = /^([A-Z_]+)=(.*)$/.exec(line);
    if (x?.[1]) m.set(x[1], (x[2] ?? '').replace(/^["']|["']$/g, ''));
  }
  const [kernelName, kernel, arch] = (u?.rc === 0 ? u.body : '').split(/\s+/);
  return {
    id: m.get('ID') ?? null, name: m.get('NAME') ?? null, version: m.get('VERSION_ID') ?? null, prettyName: m.get('PRETTY_NAME') ?? null,
    kernel: kernel ? `${kernelName ?? ''} ${kernel}`.trim() : null, arch: arch ?? null,
  };
}

function parseMemory(s: Section | undefined, cg: Section | undefined): HostFacts['memory'] {
  const kb = (k: string): number | null => {
    const x = new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(s?.body ?? '');
    return x ? Number(x[1]) * 1024 : null;
  };
  let available = kb('MemAvailable');
  // Kernels before 3.14 have no MemAvailable: free + buffers + cache is the classic estimate.
  if (available === null) {
    const parts = [kb('MemFree'), kb('Buffers'), kb('Cached')];
    available = parts.every((p) => p !== null) ? parts.reduce<number>((a, b) => a + (b ?? 0), 0) : null;
  }
  const cgm = /^(?:v1|v2)=(\d+)$/m.exec(cg?.body ?? '');
  const limit = cgm ? Number(cgm[1]) : null;
  // cgroup v1 reports "unlimited" as a number near 2^63.
  return { totalBytes: kb('MemTotal'), availableBytes: available, cgroupLimitBytes: limit !== null && limit < 2 ** 60 ? limit : null };
}

function parseDocker(s: Section | undefined): HostFacts['docker'] {
  if (!s) return { daemon: 'unknown', serverVersion: null, rootDir: null, detail: 'probe did not report docker' };
  if (s.body.includes('@@absent')) return { daemon: 'absent', serverVersion: null, rootDir: null, detail: 'docker client not found on PATH' };
  const ok = /server=([^|\n]*)\|root=([^|\n]*)/m.exec(s.body);
  const sw = /\|swarm=([^|\n]*)\|manager=([^|\n]*)/.exec(s.body);
  const ipvs = /^ipvs=([01])$/m.exec(s.body);
  const swarm = sw ? { swarm: { state: sw[1] || 'unknown', manager: sw[2] === 'true', ipvs: ipvs ? ipvs[1] === '1' : null } } : {};
  if (s.rc === 0 && ok && ok[1]) return { daemon: 'usable', serverVersion: ok[1], rootDir: ok[2] || null, detail: `docker info: server ${ok[1]}${sw ? `, swarm ${sw[1] ?? '?'}, manager ${sw[2] ?? '?'}` : ''}`, ...swarm };
  const detail = s.body.replace(/server=\|root=(\|swarm=\|manager=)?/g, '').replace(/^ipvs=[01]$/m, '').trim().slice(0, 300);
  if (isTimeoutRc(s.rc)) return { daemon: 'unknown', serverVersion: null, rootDir: null, detail: 'docker info timed out' };
  if (/permission denied/i.test(s.body)) return { daemon: 'permission-denied', serverVersion: null, rootDir: null, detail };
  if (/Cannot connect to the Docker daemon|Is the docker daemon running|no such file or directory|connection refused/i.test(s.body)) {
    return { daemon: 'not-running', serverVersion: null, rootDir: null, detail };
  }
  return { daemon: 'unknown', serverVersion: null, rootDir: null, detail: detail || `docker info exited ${String(s.rc)}` };
}

function parseSudo(s: Section | undefined): HostFacts['sudo'] {
  if (!s) return { state: 'unknown', detail: 'probe did not report sudo' };
  if (s.body.includes('@@absent')) return { state: 'absent', detail: 'sudo not found on PATH' };
  if (s.rc === 0) return s.body.trim() === 'root' ? { state: 'root', detail: 'running as root' } : { state: 'passwordless', detail: 'sudo -n true succeeded' };
  if (isTimeoutRc(s.rc)) return { state: 'unknown', detail: 'sudo -n true timed out' };
  if (/not in the sudoers|not allowed|may not run sudo/i.test(s.body)) return { state: 'not-allowed', detail: s.body.slice(0, 200) };
  if (/password is required/i.test(s.body)) return { state: 'needs-password', detail: s.body.slice(0, 200) };
  return { state: 'unknown', detail: s.body.slice(0, 200) || `sudo -n true exited ${String(s.rc)}` };
}

function parseNginxTest(s: Section | undefined): HostFacts['nginx'] {
  if (!s) return { configTest: 'unknown', detail: 'probe did not report nginx -t' };
  if (s.body.includes('@@absent')) return { configTest: 'absent', detail: 'nginx not found' };
  const body = s.body.replace(/^as=\S+\n?/m, '').trim();
  if (s.rc === 0 && /test is successful|syntax is ok/.test(body)) return { configTest: 'ok', detail: body.slice(0, 300) };
  if (isTimeoutRc(s.rc)) return { configTest: 'unknown', detail: 'nginx -t timed out' };
  if (/as=user/.test(s.body) && /Permission denied|permission denied/.test(body)) return { configTest: 'unknown', detail: `nginx -t needs root here: ${body.slice(0, 240)}` };
  return { configTest: 'failed', detail: body.slice(0, 300) };
}

function parseEnv(file: string | undefined, names: readonly string[], s: Section | undefined): HostFacts['env'] {
  if (file === undefined) return null;
  if (!s || s.rc !== 0) return { file, state: 'unknown', names: names.map((name) => ({ name, state: 'unknown' as const })) };
  const state = /^file=(readable|missing|unreadable)$/m.exec(s.body)?.[1] as 'readable' | 'missing' | 'unreadable' | undefined;
  const found = new Map<string, 'present' | 'empty' | 'absent'>();
  for (const x of s.body.matchAll(/^name (\S+) (present|empty|absent)$/gm)) found.set(x[1] ?? '', x[2] as 'present' | 'empty' | 'absent');
  return {
    file, state: state ?? 'unknown',
    names: names.map((name) => ({ name, state: state === 'readable' ? (found.get(name) ?? 'unknown') : state === 'missing' ? 'absent' : 'unknown' })),
  };
}

export interface ParseInput {
  stdout: string;
  durationMs: number;
  ports: readonly number[];
  disks: readonly { purpose: string; path: string }[];
  dockerDisk: boolean;
  baseDir: string;
  app: string;
  reach: readonly { host: string; port: number }[];
  envFile?: string;
  envNames: readonly string[];
}

export const TOOL_NAMES = ['node', 'npm', 'pnpm', 'yarn', 'bun', 'python3', 'pip', 'uv', 'go', 'java', 'docker', 'compose-v2', 'compose-v1', 'pm2', 'nginx', 'certbot', 'rsync', 'git', 'curl'] as const;

export function parseProbe(input: ParseInput): HostFacts {
  const sec = parseSections(input.stdout);
  const get = (n: string): Section | undefined => sec.get(n);
  const idm = kv(get('id')?.body ?? '');
  const load = (get('loadavg')?.body ?? '').split(/\s+/);
  const cpuCount = num(get('cpu')?.rc === 0 ? get('cpu')?.body : undefined);
  const tools: Record<string, ToolFact> = {};
  for (const t of TOOL_NAMES) tools[t] = parseTool(get(`tool:${t}`));
  // `docker compose` is a plugin: the docker client is there, so a failing `docker compose version` means no plugin.
  const c2 = tools['compose-v2'];
  if (c2?.present && c2.exitCode !== 0 && c2.exitCode !== null && !c2.timedOut) tools['compose-v2'] = { ...c2, present: false, version: null };
  const sd = get('tool:systemd');
  const pid1 = /^pid1=(.*)$/m.exec(sd?.body ?? '')?.[1] ?? null;
  const sdState = sd?.body.split('\n').filter((l) => !l.startsWith('pid1=')).join(' ').trim() || null;
  const disks = input.disks.map((d) => parseDisk(d.purpose, d.path, get(`disk:${d.purpose}`)));
  const docker = parseDocker(get('tool:docker-daemon'));
  if (input.dockerDisk && docker.rootDir) disks.push(parseDisk('docker', docker.rootDir, get('disk:docker')));
  return {
    os: parseOs(get('os-release'), get('uname')),
    user: {
      name: idm.get('user') ?? null, uid: num(idm.get('uid')),
      groups: (idm.get('groups') ?? '').split(/\s+/).filter((g) => g.length > 0), home: idm.get('home') ?? null,
    },
    cpu: { count: cpuCount, load1: num(load[0]), load5: num(load[1]), load15: num(load[2]) },
    memory: parseMemory(get('meminfo'), get('cgroup-mem')),
    disks,
    ports: input.ports.map((p) => parsePort(p, get(`port:${p}`))),
    tools,
    docker,
    systemd: { pid1, isSystemd: pid1 === null ? null : pid1 === 'systemd', state: pid1 === 'systemd' ? sdState : null },
    nginx: parseNginxTest(get('tool:nginx-test')),
    sudo: parseSudo(get('tool:sudo')),
    base: parseWrite(input.baseDir, get('base:primary')),
    homeBase: get('base:home') ? parseWrite(`~/.deckhand/apps/${input.app}`, get('base:home')) : null,
    reach: input.reach.map((r) => {
      const s = get(`reach:${r.host}:${r.port}`);
      const via = /^via=(\S+)$/m.exec(s?.body ?? '')?.[1] ?? 'none';
      const reachable = !s || via === 'none' ? null : s.rc === 0;
      const detail = !s ? 'probe did not report' : via === 'none' ? 'no bash, python3 or nc on the host to test with'
        : s.rc === 0 ? `TCP connect via ${via} succeeded` : isTimeoutRc(s.rc) ? `no answer within 3 s (via ${via})`
        : `TCP connect via ${via} failed: ${s.body.split('\n').filter((l) => !l.startsWith('via=')).join(' ').slice(0, 160)}`;
      return { host: r.host, port: r.port, reachable, via, detail };
    }),
    env: parseEnv(input.envFile, input.envNames, get('env')),
    probe: { complete: /^@@done$/m.test(input.stdout), durationMs: input.durationMs, bytes: Buffer.byteLength(input.stdout) },
  };
}
