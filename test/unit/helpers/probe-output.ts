// Test helper: hand-built probe output in probe.sh's exact section format, and the matching parse input.
import type { ParseInput } from '../../../src/stages/readiness/parse.js';

/** One section as probe.sh prints it: `printf '@@begin %s\n'`, the output, then `printf '\n@@end %s rc=%s\n'`. */
export function section(name: string, body: string, rc: number | null = 0): string {
  const head = `@@begin ${name}\n${body}${body === '' || body.endsWith('\n') ? '' : '\n'}`;
  return rc === null ? head : `${head}\n@@end ${name} rc=${rc}\n`;
}

export const DF_HEADER = 'Filesystem     1024-blocks     Used Available Capacity Mounted on';
export const DFI_HEADER = 'Filesystem       Inodes  IUsed    IFree IUse% Mounted on';

export function diskBody(probed: string, kTotal: number, kAvail: number, mount = '/', inodes: [number, number] = [6_553_600, 6_000_000]): string {
  return [
    `probed=${probed}`,
    '@@df', DF_HEADER, `/dev/sda1 ${kTotal} ${kTotal - kAvail} ${kAvail} 50% ${mount}`,
    '@@dfi', DFI_HEADER, `/dev/sda1 ${inodes[0]} ${inodes[0] - inodes[1]} ${inodes[1]} 9% ${mount}`,
  ].join('\n');
}

export interface FullProbeOptions {
  /** Extra sections appended before the tools (ports, base, env …). */
  sections?: string[];
  /** Tool section bodies by tool name (without the `tool:` prefix), with their rc. Unlisted tools are absent. */
  tools?: Record<string, { body: string; rc?: number }>;
  done?: boolean;
}

export const ALL_JOBS = ['node', 'npm', 'pnpm', 'yarn', 'bun', 'python3', 'pip', 'uv', 'go', 'java', 'docker', 'docker-daemon', 'compose-v2', 'compose-v1', 'pm2', 'nginx', 'nginx-test', 'certbot', 'rsync', 'git', 'curl', 'systemd', 'sudo'];

/** A complete, realistic probe output of a Debian 12 host with 2 cores and 4 GiB. */
export function fullProbe(o: FullProbeOptions = {}): string {
  const parts = [
    section('uname', 'Linux 6.1.0-18-amd64 x86_64'),
    section('os-release', 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nVERSION="12 (bookworm)"\nID=debian'),
    section('id', 'user=deploy\nuid=1000\ngroups=deploy docker\nhome=/home/deploy'),
    section('cpu', '2'),
    section('loadavg', '0.10 0.20 0.30 1/123 4567'),
    section('meminfo', 'MemTotal:        4028416 kB\nMemFree:          512000 kB\nMemAvailable:    3145728 kB\nBuffers:           10240 kB\nCached:           900000 kB'),
    section('cgroup-mem', 'v2=max'),
    section('disk:app', diskBody('/opt', 41_152_736, 30_000_000)),
    section('disk:log', diskBody('/var/log', 41_152_736, 30_000_000)),
    section('disk:tmp', diskBody('/tmp', 41_152_736, 30_000_000)),
    ...(o.sections ?? []),
  ];
  const tools = { systemd: { body: 'pid1=systemd\nrunning' }, sudo: { body: '', rc: 0 }, ...(o.tools ?? {}) } as Record<string, { body: string; rc?: number }>;
  for (const job of ALL_JOBS) {
    const t = tools[job];
    parts.push(t ? section(`tool:${job}`, t.body, t.rc ?? 0) : section(`tool:${job}`, '@@absent', 127));
  }
  if (o.done !== false) parts.push('@@done\n');
  return parts.join('');
}

/** The parse input for a probe run with these parameters (defaults: app at /opt/app, no ports). */
export function parseInput(stdout: string, over: Partial<ParseInput> = {}): ParseInput {
  return {
    stdout, durationMs: 100, ports: [], dockerDisk: false, baseDir: '/opt/app', app: 'app', reach: [], envNames: [],
    disks: [{ purpose: 'app', path: '/opt/app' }, { purpose: 'log', path: '/var/log' }, { purpose: 'tmp', path: '/tmp' }],
    ...over,
  };
}
