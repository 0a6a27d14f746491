// Version layer: what runs is the release just deployed (process working directory, container image, compose project directory).
import { servedVersionCommand, type ManagerKind } from '../../../commands/verify-probe.js';
import type { Finding } from '../../../report/common.js';
import type { LayerCheck, LayerInput } from '../types.js';
import { evidence, keyValues, managerKinds, parseHeader, parsePm2, probeFailed, runProbe, vfinding, type Pm2Instance, type ProbeHeader } from './on-target.js';
import { pm2For } from '../../../core/pm2-binary.js';

export interface VersionProbe extends ProbeHeader {
  /** Where <base>/current resolves now, or null when unknown. */
  current: string | null;
  systemd: { pid: number; cwd: string | null } | null;
  pm2: { instances: Pm2Instance[]; problem: string | null } | null;
  /** PID → resolved working directory of each pm2 instance. */
  pm2Cwds: Map<number, string>;
  container: { image: string; releaseLabel: string; imageId: string; expectedImageId: string } | null;
  dockerError: string | null;
  compose: { name: string; workingDir: string; resolved: string; created: string }[] | null;
  complete: boolean;
}

export function parseVersionProbe(text: string): VersionProbe {
  const lines = text.split('\n');
  const kv = keyValues(lines, '');
  const pm2Lines = lines.filter((l) => l.startsWith('pm2\t') || /^pm2\.(none|nodaemon|missing|error)=/.test(l));
  const pm2Cwds = new Map<number, string>();
  for (const l of lines) {
    const m = /^pm2\.cwd (\d+) (.*)$/.exec(l);
    if (m) pm2Cwds.set(Number(m[1]), m[2] ?? '');
  }
  const dockerLine = lines.find((l) => l.startsWith('docker ') && !l.startsWith('docker.'))?.slice('docker '.length);
  const df = dockerLine?.split('|');
  const docker = df && df.length >= 3 && !/^Error/i.test(dockerLine ?? '')
    ? { image: df[0] ?? '', releaseLabel: df[1] ?? '', imageId: df[2] ?? '', expectedImageId: kv['docker.expected'] ?? '' } : null;
  const composeLines = lines.filter((l) => l.startsWith('compose '));
  return {
    ...parseHeader(text),
    current: kv.current !== undefined && kv.current !== '' ? kv.current : null,
    systemd: kv['systemd.pid'] !== undefined ? { pid: Number(kv['systemd.pid']) || 0, cwd: kv['systemd.cwd'] ?? null } : null,
    pm2: pm2Lines.length > 0 ? parsePm2(pm2Lines) : null, pm2Cwds,
    container: docker, dockerError: docker === null && dockerLine !== undefined ? dockerLine : null,
    compose: lines.some((l) => /^docker=(direct|sudo)$/.test(l)) ? composeLines.map((l) => {
      const [name = '', workingDir = '', resolved = '', created = ''] = l.slice('compose '.length).split('|');
      return { name: name.replace(/^\//, ''), workingDir, resolved, created };
    }) : null,
    complete: /^@@end$/m.test(text),
  };
}

/** The release a directory is, when it is `<…>/releases/<id>`; a deleted one keeps its path with " (deleted)". */
export function releaseOfDir(dir: string): { release: string | null; deleted: boolean } {
  const deleted = / \(deleted\)$/.test(dir);
  const m = /\/releases\/([^/]+)\/?$/.exec(dir.replace(/ \(deleted\)$/, ''));
  return { release: m?.[1] ?? null, deleted };
}

interface Verdict { status: Finding['status']; summary: string; remedy?: string }

function judgeDir(what: string, dir: string | null, release: string, base: string | null): Verdict {
  if (dir === null || dir === '' || !dir.startsWith('/')) return { status: 'unknown', summary: `the working directory of ${what} could not be read${dir ? ` (${dir})` : ''}` };
  const r = releaseOfDir(dir);
  const expected = base ? `${base}/releases/${release}` : null;
  if (r.deleted) return { status: 'fail', summary: `${what} runs from a deleted directory ${dir}: it was started from a release that is gone`, remedy: 'restart the service so it starts from the current release' };
  if (r.release === release && (expected === null || dir === expected)) return { status: 'pass', summary: `${what} runs from ${dir} (release ${release})` };
  if (r.release !== null) return { status: 'fail', summary: `${what} runs release ${r.release} (${dir}), but the deployed release is ${release}`, remedy: 'restart the service so it starts from the current release, or deploy again' };
  return { status: 'unknown', summary: `${what} runs from ${dir}, which is not a release directory: which release it serves cannot be told` };
}

function worst(vs: readonly Verdict[]): Verdict {
  const rank: Record<string, number> = { fail: 4, unknown: 3, warn: 2, pass: 1 };
  return [...vs].sort((a, b) => (rank[b.status] ?? 0) - (rank[a.status] ?? 0))[0] ?? { status: 'unknown', summary: 'nothing was checked' };
}

/** Judges the parsed probe (pure: the unit tests call it with canned output). */
export function judgeVersion(input: LayerInput, kinds: readonly ManagerKind[], auto: boolean, p: VersionProbe): Finding[] {
  const app = input.target.app ?? '';
  const release = input.target.release ?? '';
  const base = input.target.base;
  const title = `${app} serves release ${release}`;
  const out: Finding[] = [];
  const current = p.current !== null ? `current → ${p.current}` : '';
  for (const kind of kinds) {
    let v: Verdict;
    let cmd: string;
    let shown: string;
    if (kind === 'systemd') {
      cmd = `readlink /proc/$(systemctl show -p MainPID --value ${app}.service)/cwd`;
      shown = `MainPID=${p.systemd?.pid ?? '?'} cwd=${p.systemd?.cwd ?? '?'}`;
      if (auto && (!p.systemd || p.systemd.pid === 0)) continue;
      v = !p.systemd || p.systemd.pid === 0 ? { status: 'unknown', summary: `${app}.service has no running process whose directory could be read` } : judgeDir(`${app}.service (PID ${p.systemd.pid})`, p.systemd.cwd, release, base);
    } else if (kind === 'pm2') {
      cmd = `pm2 jlist (pm_cwd, pid); readlink /proc/<pid>/cwd`;
      const inst = p.pm2?.instances ?? [];
      shown = inst.map((x) => `[${x.id}] pid ${x.pid} pm_cwd=${x.cwd} cwd=${p.pm2Cwds.get(x.pid) ?? '?'}`).join('\n') || (p.pm2?.problem ?? 'no pm2 answer');
      if (auto && inst.length === 0) continue;
      v = inst.length === 0 ? { status: 'unknown', summary: `pm2 shows no running instance of ${app}` }
        : worst(inst.map((x) => judgeDir(`pm2 instance ${x.id} (PID ${x.pid})`, p.pm2Cwds.get(x.pid) ?? null, release, base)));
    } else if (kind === 'docker') {
      cmd = `docker inspect -f '{{.Config.Image}} {{index .Config.Labels "deckhand.release"}} {{.Image}}' ${app}; docker image inspect -f '{{.Id}}' ${app}:${release}`;
      const d = p.container;
      shown = d ? `image=${d.image} deckhand.release=${d.releaseLabel || '-'} id=${d.imageId}\nexpected ${app}:${release} id=${d.expectedImageId || '(no such image)'}` : (p.dockerError ?? `docker=${p.docker ?? '?'}`);
      if (auto && !d) continue;
      const want = `${app}:${release}`;
      if (!d) v = { status: 'unknown', summary: p.dockerError ? `the container could not be inspected: ${p.dockerError}` : 'docker could not be asked' };
      else if (d.image !== want && d.releaseLabel !== release) v = { status: 'fail', summary: `container ${app} runs ${d.image}${d.releaseLabel ? ` (release ${d.releaseLabel})` : ''}, but the deployed release is ${want}`, remedy: 'deploy again, or roll back so the container and the ledger agree' };
      else if (d.expectedImageId !== '' && d.imageId !== d.expectedImageId) v = { status: 'fail', summary: `container ${app} runs an older build of ${want}: the tag now points at ${d.expectedImageId.slice(0, 19)}, the container at ${d.imageId.slice(0, 19)}`, remedy: 'restart the container from the current image (deploy again)' };
      else v = { status: 'pass', summary: `container ${app} runs ${d.image} (release ${release})` };
    } else {
      cmd = `docker inspect -f '{{index .Config.Labels "com.docker.compose.project.working_dir"}}' <containers of ${app}>; readlink -f <dir>`;
      const cs = p.compose ?? [];
      shown = cs.map((c) => `${c.name} working_dir=${c.workingDir} → ${c.resolved || '?'} created ${c.created}`).join('\n') || 'no containers';
      if (auto && cs.length === 0) continue;
      v = cs.length === 0 ? { status: 'unknown', summary: `compose project ${app} has no containers to read` }
        : worst(cs.map((c) => judgeDir(`${c.name} (compose)`, c.resolved || c.workingDir, release, base)));
    }
    out.push(vfinding(`version.${kind}`, 'version', title, v.status, v.summary, {
      evidence: evidence(input, cmd, [shown, current].filter(Boolean).join('\n')),
      ...(v.remedy ? { remedy: v.remedy } : {}),
    }));
  }
  if (out.length === 0) {
    out.push(vfinding('version.process', 'version', title, 'unknown', `no running process or container of ${app} was found to read the version from`, {
      evidence: evidence(input, 'systemctl show / pm2 jlist / docker inspect', current || '(nothing)'),
    }));
  }
  // `current` pointing elsewhere means the ledger and the disk disagree: a half-finished deploy or a manual change.
  if (p.current !== null && base !== null) {
    const c = releaseOfDir(p.current);
    if (c.release !== null && c.release !== release) {
      out.push(vfinding('version.current', 'version', `${base}/current points at release ${release}`, 'fail', `${base}/current points at ${c.release}, but the ledger's current release is ${release}`, {
        evidence: evidence(input, `readlink -f ${base}/current`, p.current), remedy: 'deploy again or roll back, so the ledger and the current link agree',
      }));
    }
  }
  return out;
}

export const checkVersion: LayerCheck = async (input) => {
  const { app, release, base, strategy } = input.target;
  if (app === null) return [vfinding('version.none', 'version', 'Served version', 'skipped', 'no app named: the version is checked through the ledger of an app', { required: false })];
  if (release === null) {
    return [vfinding('version.none', 'version', `Served version of ${app}`, 'unknown', 'no release is recorded for this app (not deployed by deckhand, or the ledger is empty): what should run is not known', { required: false })];
  }
  const { kinds, auto } = managerKinds(input.target);
  const cmd = servedVersionCommand({ app, base: base ?? '', release, kinds, pm2: pm2For(input.ctx.executor.host) });
  const run = await runProbe(input, cmd);
  const parsed = parseVersionProbe(run.text);
  if (run.error !== null || !parsed.complete) {
    return [probeFailed(input, 'version', 'version.process', `${app} serves release ${release}`, cmd.description ?? 'read the working directory', run, 'read what the service runs from')];
  }
  if (kinds.length === 0) {
    // Static sites are served from `current` by nginx; for scripts the process is unknown, so only the link can be checked.
    const c = parsed.current !== null ? releaseOfDir(parsed.current) : null;
    const ev = evidence(input, `readlink -f ${base ?? '<base>'}/current`, parsed.current ?? '(not readable)');
    if (c?.release === release) {
      return [vfinding('version.current', 'version', `${app} serves release ${release}`, strategy === 'static' ? 'pass' : 'unknown',
        strategy === 'static' ? `current → ${parsed.current} (nginx serves current)` : strategy === 'swarm' ? `current → ${parsed.current}; the process layer compares the swarm tasks' image with it` : `current → ${parsed.current}; the process serving it is not known for the script strategy`, { evidence: ev, required: strategy === 'static' })];
    }
    return [vfinding('version.current', 'version', `${app} serves release ${release}`, c?.release ? 'fail' : 'unknown',
      c?.release ? `current points at ${c.release}, but the deployed release is ${release}` : 'where current points could not be read', { evidence: ev })];
  }
  return judgeVersion(input, kinds, auto, parsed);
};
