// The upgrade-prep probe's output as typed facts: one value per section, absent sections as null (never a guess).
import { parseSections, type Section } from '../../readiness/parse.js';
import { parsePm2Line, type Pm2Instance } from '../../verify/checks/on-target.js';

/** A command the probe ran: what it printed, its exit code, its stderr tail. */
export interface Ran { out: string; rc: number | null; err: string }

export interface UpgradeProbe {
  priv: string | null;
  user: string | null;
  release: string | null;
  releaseError: string | null;
  files: string[];
  ecosystem: string | null;
  /** The unit (or slot unit) the main PID was read from. */
  unit: string | null;
  docker: string | null;
  upstream: boolean;
  pm2: Pm2Instance[] | null;
  pm2Problem: string | null;
  /** The main process and its descendants: PID and executable (empty when unreadable). */
  procs: { pid: number; exe: string }[];
  running: { pid: number | null; exe: string | null; container: string | null; ran: Ran | null; problem: string | null };
  path: { exe: string | null; ran: Ran | null };
  packageJson: string | null;
  installed: string | null;
  locked: string | null;
  requirements: string | null;
  goMod: string | null;
  pipList: Ran | null;
  pipIndex: string | null;
  depsProblem: string | null;
  outdated: Ran | null;
  outdatedProblem: string | null;
  migrations: { tool: string | null; command: string | null; problem: string | null; ran: Ran | null };
  envFile: string | null;
}

function value(s: Map<string, Section>, name: string): string | null {
  const v = s.get(name)?.body.trim();
  return v === undefined || v.length === 0 ? null : v;
}

function ran(s: Map<string, Section>, name: string): Ran | null {
  const sec = s.get(name);
  if (!sec) return null;
  return { out: sec.body, rc: sec.rc, err: s.get(`${name}.err`)?.body ?? '' };
}

export function parseUpgradeProbe(stdout: string): UpgradeProbe {
  const s = parseSections(stdout);
  const pid = Number(value(s, 'running.pid'));
  const pm2 = s.get('pm2');
  return {
    priv: value(s, 'priv'), user: value(s, 'user'), release: value(s, 'release'), releaseError: value(s, 'release.error'),
    files: (value(s, 'files') ?? '').split('\n').map((l) => l.trim()).filter((l) => l.length > 0),
    ecosystem: value(s, 'ecosystem'), unit: value(s, 'unit'), docker: value(s, 'docker'), upstream: value(s, 'upstream') === 'present',
    pm2: pm2 ? pm2.body.split('\n').map(parsePm2Line).filter((x): x is Pm2Instance => x !== null) : null,
    pm2Problem: value(s, 'pm2.problem') ?? (pm2?.body.split('\n').find((l) => l.startsWith('pm2.error='))?.slice('pm2.error='.length) ?? null),
    procs: (value(s, 'procs') ?? '').split('\n').flatMap((l) => {
      const m = /^(\d+) ?(.*)$/.exec(l.trim());
      return m?.[1] ? [{ pid: Number(m[1]), exe: m[2] ?? '' }] : [];
    }),
    running: {
      pid: Number.isInteger(pid) && pid > 0 ? pid : null, exe: value(s, 'running.exe'), container: value(s, 'running.container'),
      ran: ran(s, 'running'), problem: value(s, 'running.problem'),
    },
    path: { exe: value(s, 'path.exe'), ran: ran(s, 'path') },
    packageJson: value(s, 'package.json'), installed: s.has('installed') ? s.get('installed')?.body ?? '' : null, locked: s.has('locked') ? s.get('locked')?.body ?? '' : null,
    requirements: value(s, 'requirements.txt'), goMod: value(s, 'go.mod'), pipList: ran(s, 'pip-list'), pipIndex: value(s, 'pip-index'),
    depsProblem: value(s, 'deps.problem'), outdated: ran(s, 'outdated'), outdatedProblem: value(s, 'outdated.problem'),
    migrations: { tool: value(s, 'migrations.tool'), command: value(s, 'migrations.command'), problem: value(s, 'migrations.problem'), ran: ran(s, 'migrations') },
    envFile: s.has('envfile') ? s.get('envfile')?.body ?? '' : null,
  };
}
