// Test-side view of the integration lab started by test/lab/lab.sh: hosts, skip/fail logic, SSH argv, docker exec, sshd log counters.
import { execFile, spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';

/** Fleet hosts (identical node20 machines for multi-host deploys): fleet1..fleetN, N from DECKHAND_LAB_FLEET (default 4). */
export type FleetHostName = `fleet${number}`;
export type LabHostName = 'node18' | 'node20' | 'docker' | FleetHostName;

export type LabHost = {
  /** Key in lab.json ("node18", "node20", "docker", "fleet1", ...). */
  name: LabHostName;
  /** Always "127.0.0.1": every lab host is reached through a loopback port. */
  host: string;
  port: number;
  /** Docker container name, or null for the "Docker host" (this machine's own sshd). */
  container: string | null;
  /** Users that accept the lab key: root, deploy (passwordless sudo), nosudo (no sudo); docker host: root. */
  users: string[];
  /** Containers only: a 16 MiB tmpfs (mode 1777) for "disk nearly full" tests. */
  tinyMount?: string;
  /** Docker host only: sshd log file (LogLevel VERBOSE), appended across lab restarts. */
  sshLog?: string;
  /** `node --version` on that host when the lab came up. */
  nodeVersion?: string;
};

export type LabState = {
  identityFile: string;
  knownHostsFile: string;
  hosts: Record<'node18' | 'node20' | 'docker', LabHost> & Partial<Record<FleetHostName, LabHost>>;
  /** The fleet hosts this lab runs, in order (fleet1 first). */
  fleet: FleetHostName[];
};

export type ExecResult = { stdout: string; stderr: string; code: number };

const HOST_NAMES = ['node18', 'node20', 'docker'] as const;
const START_HINT = 'run npm run lab:up';

/** State directory written by lab.sh (override with DECKHAND_LAB_STATE, as lab.sh does). */
export function labStateDir(): string {
  return process.env.DECKHAND_LAB_STATE ?? join(dirname(fileURLToPath(import.meta.url)), '.state');
}

type Probe = { state: LabState; reason: null } | { state: null; reason: string };
let memo: Probe | undefined;

function onPath(cmd: string): boolean {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    try {
      accessSync(join(dir, cmd), constants.X_OK);
      return true;
    } catch {
      // keep looking
    }
  }
  return false;
}

function parseLabJson(text: string): LabState {
  const raw = JSON.parse(text) as Partial<LabState> & { hosts?: Record<string, Partial<LabHost>> };
  if (typeof raw.identityFile !== 'string' || typeof raw.knownHostsFile !== 'string' || raw.hosts === undefined) {
    throw new Error('missing identityFile, knownHostsFile or hosts');
  }
  const fleet = (Array.isArray((raw as { fleet?: unknown }).fleet) ? (raw as { fleet: unknown[] }).fleet : [])
    .filter((n): n is FleetHostName => typeof n === 'string' && /^fleet\d+$/.test(n));
  const hosts = {} as LabState['hosts'];
  for (const name of [...HOST_NAMES, ...fleet]) {
    const h = raw.hosts[name];
    if (h === undefined || typeof h.host !== 'string' || typeof h.port !== 'number' || !Array.isArray(h.users)) {
      throw new Error(`host "${name}" missing or malformed`);
    }
    hosts[name] = {
      name,
      host: h.host,
      port: h.port,
      container: typeof h.container === 'string' ? h.container : null,
      users: h.users.map(String),
      ...(typeof h.tinyMount === 'string' ? { tinyMount: h.tinyMount } : {}),
      ...(typeof h.sshLog === 'string' ? { sshLog: h.sshLog } : {}),
      ...(typeof h.nodeVersion === 'string' ? { nodeVersion: h.nodeVersion } : {}),
    };
  }
  return { identityFile: raw.identityFile, knownHostsFile: raw.knownHostsFile, hosts, fleet };
}

// Child script: connect to every port and wait for an SSH banner (proves sshd itself answers, not just docker-proxy).
const BANNER_PROBE = `
const net = require('node:net');
const targets = JSON.parse(process.argv[1]);
const failed = [];
Promise.all(targets.map((t) => new Promise((resolve) => {
  const s = net.connect({ host: t.host, port: t.port });
  let buf = '', finished = false;
  const done = (err) => { if (finished) return; finished = true; s.destroy(); if (err) failed.push(t.name + ' at ' + t.host + ':' + t.port + ': ' + err); resolve(); };
  s.setTimeout(4000, () => done('no SSH banner within 4s'));
  s.on('data', (d) => { buf += d; if (buf.includes('\\n')) done(buf.startsWith('SSH-') ? null : 'unexpected banner'); });
  s.on('error', (e) => done(e.code || e.message));
  s.on('end', () => done('connection closed before banner'));
}))).then(() => { if (failed.length) { console.log(failed.join('; ')); process.exit(1); } });
`;

function probe(): Probe {
  // Set by scripts/test.mjs when it could not (or was told not to) start the lab.
  const told = process.env.DECKHAND_LAB_UNAVAILABLE;
  if (told !== undefined && told !== '') return { state: null, reason: told };
  if (process.platform !== 'linux') return { state: null, reason: 'not Linux (the lab needs Debian with root)' };
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    return { state: null, reason: 'not root (the lab needs root)' };
  }
  if (!onPath('apt-get')) return { state: null, reason: 'apt-get missing (the lab needs Debian)' };
  for (const cmd of ['docker', 'ssh']) {
    if (!onPath(cmd)) return { state: null, reason: `${cmd} missing: run bash .ci/lab-deps.sh, then ${START_HINT}` };
  }
  const file = join(labStateDir(), 'lab.json');
  if (!existsSync(file)) return { state: null, reason: `lab not started: ${START_HINT}` };
  let state: LabState;
  try {
    state = parseLabJson(readFileSync(file, 'utf8'));
  } catch (err) {
    return { state: null, reason: `unreadable ${file} (${(err as Error).message}): ${START_HINT}` };
  }
  if (!existsSync(state.identityFile)) return { state: null, reason: `lab key ${state.identityFile} missing: ${START_HINT}` };
  const targets = [...HOST_NAMES, ...state.fleet].flatMap((n) => { const h = state.hosts[n]; return h ? [{ name: n, host: h.host, port: h.port }] : []; });
  // lab.json says the lab is up: a stall of a few seconds (dockerd removing a vfs container, a loaded machine) is not
  // "down". Three tries over about 20 s before a test file is told the lab is unavailable.
  let detail = '';
  for (let attempt = 1; attempt <= 3; attempt++) {
    const r = spawnSync(process.execPath, ['-e', BANNER_PROBE, JSON.stringify(targets)], { encoding: 'utf8', timeout: 15_000 });
    if (r.status === 0) return { state, reason: null };
    detail = (r.stdout ?? '').trim() || r.error?.message || `probe exited ${String(r.status ?? r.signal)}`;
    if (attempt < 3) spawnSync('sleep', ['3']);
  }
  return { state: null, reason: `lab not responding after 3 tries (${detail}): ${START_HINT}` };
}

function probed(): Probe {
  memo ??= probe();
  return memo;
}

/** The running lab, or null if lab.json is absent or a host does not answer. Checked once per process. */
export function loadLab(): LabState | null {
  return probed().state;
}

/** Why the lab cannot be used here (null when it can), e.g. "not root" or "lab not started: run npm run lab:up". */
export function labUnavailableReason(): string | null {
  return probed().reason;
}

/**
 * For integration tests: returns the lab, or skips the test (and returns null) when it is unavailable.
 * With CI=true an unavailable lab is an error instead of a skip.
 */
export function labOrSkip(t: TestContext): LabState | null {
  const { state, reason } = probed();
  if (state !== null) return state;
  if (process.env.CI === 'true') {
    throw new Error(`integration lab unavailable in CI (a skipped lab test is a failure there): ${reason}`);
  }
  t.skip(`lab unavailable: ${reason}`);
  return null;
}

function requireLab(): LabState {
  const { state, reason } = probed();
  if (state === null) throw new Error(`integration lab unavailable: ${reason}`);
  return state;
}

/** A host of the lab by name; a fleet host the lab was not started with is an error that says how to start it. */
export function labHostOf(lab: LabState, name: LabHostName): LabHost {
  const h = lab.hosts[name];
  if (!h) throw new Error(`lab host ${name} is not running (fleet hosts: DECKHAND_LAB_FLEET=N bash test/lab/lab.sh up)`);
  return h;
}

function resolveHost(host: LabHost | LabHostName): LabHost {
  return typeof host === 'string' ? labHostOf(requireLab(), host) : host;
}

/**
 * argv (without the "ssh" itself) for a plain OpenSSH client to `user` on a lab host, ending with the destination:
 *   execFile('ssh', [...sshArgs(lab.hosts.node18, 'deploy'), 'uname -a'])
 * Ignores ~/.ssh/config (-F none), uses only the lab key, the lab known_hosts (strict), BatchMode.
 */
export function sshArgs(host: LabHost | LabHostName, user: string): string[] {
  const lab = requireLab();
  const h = resolveHost(host);
  return [
    '-F', 'none',
    '-i', lab.identityFile,
    '-o', 'IdentitiesOnly=yes',
    '-o', 'BatchMode=yes',
    '-o', `UserKnownHostsFile=${lab.knownHostsFile}`,
    '-o', 'StrictHostKeyChecking=yes',
    '-o', 'ConnectTimeout=10',
    '-o', 'LogLevel=ERROR',
    '-p', String(h.port),
    `${user}@${h.host}`,
  ];
}

function run(file: string, args: string[], timeoutMs: number): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: timeoutMs }, (err, stdout, stderr) => {
      if (err === null) return resolve({ stdout, stderr, code: 0 });
      const code = (err as NodeJS.ErrnoException & { code?: unknown }).code;
      if (typeof code === 'number') return resolve({ stdout, stderr, code });
      reject(new Error(`${file} ${args.slice(0, 3).join(' ')}…: ${err.message}${stderr ? `\n${stderr}` : ''}`));
    });
  });
}

/**
 * Test instrumentation: run shCommand with `sh` in a lab container (as root unless options.user). Never rejects on a
 * non-zero exit. The command travels in an environment variable and is eval'd, so its text is in no process's argv:
 * `pkill -f 'http.server 3000'` does not kill the shell running it.
 */
export function dockerExec(
  container: string,
  shCommand: string,
  options: { user?: string; timeoutMs?: number } = {},
): Promise<ExecResult> {
  const user = options.user !== undefined ? ['-u', options.user] : [];
  const args = ['exec', ...user, '-e', `DECKHAND_LAB_CMD=${shCommand}`, container, 'sh', '-c', 'eval "$DECKHAND_LAB_CMD"'];
  return run('docker', args, options.timeoutMs ?? 60_000);
}

/** Test instrumentation: run a command over plain ssh as `user` on a lab host. Never rejects on a non-zero exit. */
export function sshExec(host: LabHost | LabHostName, user: string, command: string, timeoutMs = 60_000): Promise<ExecResult> {
  return run('ssh', [...sshArgs(host, user), command], timeoutMs);
}

const ACCEPTED = /Accepted publickey for /;

/**
 * Number of SSH logins sshd accepted on a lab host so far (sshd "Accepted publickey" lines).
 * Cumulative (container: since the container started; docker host: across lab restarts): compare before/after.
 */
export async function countAcceptedConnections(hostName: LabHost | LabHostName): Promise<number> {
  const h = resolveHost(hostName);
  let text: string;
  if (h.container !== null) {
    const r = await dockerExec(
      h.container,
      'journalctl --sync >/dev/null 2>&1; if [ -s /var/log/auth.log ]; then cat /var/log/auth.log; ' +
        'else journalctl -t sshd --no-pager -o cat; fi',
    );
    if (r.code !== 0) throw new Error(`reading sshd log in ${h.container} failed (${r.code}): ${r.stderr}`);
    text = r.stdout;
  } else {
    if (h.sshLog === undefined) throw new Error(`lab host ${h.name} has no sshLog`);
    text = existsSync(h.sshLog) ? readFileSync(h.sshLog, 'utf8') : '';
  }
  let n = 0;
  for (const line of text.split('\n')) if (ACCEPTED.test(line)) n++;
  return n;
}
