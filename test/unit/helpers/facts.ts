// Test helper: a complete, healthy HostFacts object with overridable parts, and small fact builders.
import type { HostFacts, PortFact, ToolFact } from '../../../src/report/readiness.js';
import { TOOL_NAMES } from '../../../src/stages/readiness/parse.js';

export const GiB = 1024 ** 3;
export const MiB = 1024 ** 2;

export function presentTool(name: string, version: string | null, raw = version ?? ''): ToolFact {
  return { present: true, version, path: `/usr/bin/${name}`, raw, exitCode: 0, timedOut: false };
}

export function absentTool(): ToolFact {
  return { present: false, version: null, path: null, raw: 'not found on PATH', exitCode: 127, timedOut: false };
}

export function freePort(port: number): PortFact {
  return { port, state: 'free', via: 'ss', holders: [], listeners: [], error: null };
}

/** A healthy host: Debian 12, 4 cores idle, 8 GiB with 6 available, roomy disks, systemd, passwordless sudo. */
export function baseFacts(): HostFacts {
  const tools: Record<string, ToolFact> = {};
  for (const t of TOOL_NAMES) tools[t] = absentTool();
  tools.node = presentTool('node', '20.11.1', 'v20.11.1');
  tools.npm = presentTool('npm', '10.2.4');
  tools.git = presentTool('git', '2.39.5', 'git version 2.39.5');
  tools.docker = presentTool('docker', '24.0.7', 'Docker version 24.0.7, build afdd53b');
  tools['compose-v2'] = { present: true, version: '2.21.0', path: null, raw: '2.21.0', exitCode: 0, timedOut: false };
  const disk = (purpose: string, path: string): HostFacts['disks'][number] => ({
    purpose, path, probedPath: path, mount: '/', totalBytes: 100 * GiB, availBytes: 60 * GiB, inodesTotal: 6_000_000, inodesFree: 5_000_000, error: null,
  });
  return {
    os: { id: 'debian', name: 'Debian GNU/Linux', version: '12', prettyName: 'Debian GNU/Linux 12 (bookworm)', kernel: 'Linux 6.1.0-18-amd64', arch: 'x86_64' },
    user: { name: 'deploy', uid: 1000, groups: ['deploy', 'docker'], home: '/home/deploy' },
    cpu: { count: 4, load1: 0.3, load5: 0.2, load15: 0.1 },
    memory: { totalBytes: 8 * GiB, availableBytes: 6 * GiB, cgroupLimitBytes: null },
    disks: [disk('app', '/opt/app'), disk('log', '/var/log'), disk('tmp', '/tmp')],
    ports: [],
    tools,
    docker: { daemon: 'usable', serverVersion: '24.0.7', rootDir: '/var/lib/docker', detail: 'docker info: server 24.0.7' },
    systemd: { pid1: 'systemd', isSystemd: true, state: 'running' },
    nginx: { configTest: 'absent', detail: 'nginx not found' },
    sudo: { state: 'passwordless', detail: 'sudo -n true succeeded' },
    base: { path: '/opt/app', exists: false, checkedPath: '/opt', writable: true },
    homeBase: null,
    reach: [],
    env: null,
    probe: { complete: true, durationMs: 180, bytes: 4096 },
  };
}

/** baseFacts() with top-level parts replaced. */
export function makeFacts(over: Partial<HostFacts> = {}): HostFacts {
  return { ...baseFacts(), ...over };
}
