// systemd unit detector: ExecStart (and the port it binds), User, WorkingDirectory, EnvironmentFile and Environment names of *.service units.
import type { DetectContext, Detector, Evidence, Signal } from '../../types.js';
import { commandPort } from './command-port.js';
import { EnvCollector, ENV_NAME, citeLine, filesDeep, maker } from './shared.js';

const NAME = 'artifacts-systemd';
const make = maker(NAME, 'deploy-material');

interface Entry { key: string; value: string; line: number }

/** [Section] key=value entries, continuation lines joined. */
export function unitEntries(text: string): Map<string, Entry[]> {
  const sections = new Map<string, Entry[]>();
  let section = '';
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    let l = (lines[i] ?? '').trim();
    const start = i + 1;
    while (l.endsWith('\\') && i + 1 < lines.length) l = `${l.slice(0, -1).trim()} ${(lines[++i] ?? '').trim()}`;
    if (l === '' || l.startsWith('#') || l.startsWith(';')) continue;
    const s = /^\[(.+)\]$/.exec(l);
    if (s) { section = s[1] ?? ''; continue; }
    const kv = /^([A-Za-z0-9]+)\s*=\s*(.*)$/.exec(l);
    if (!kv || !kv[1]) continue;
    const list = sections.get(section) ?? [];
    list.push({ key: kv[1], value: kv[2] ?? '', line: start });
    sections.set(section, list);
  }
  return sections;
}

/** `Environment="A=1" B=2` → names only. */
function environmentNames(value: string): string[] {
  const out: string[] = [];
  const re = /"([^"=]+)=[^"]*"|'([^'=]+)=[^']*'|([^\s"'=]+)=\S*/g;
  for (let m = re.exec(value); m; m = re.exec(value)) {
    const n = m[1] ?? m[2] ?? m[3];
    if (n && ENV_NAME.test(n)) out.push(n);
  }
  return out;
}

export function analyzeUnit(path: string, text: string): Signal[] {
  const sections = unitEntries(text);
  const svc = sections.get('Service');
  if (!svc) return [];
  const get = (k: string): Entry | undefined => [...svc].reverse().find((e) => e.key === k && e.value !== '');
  const exec = get('ExecStart');
  const execCmd = exec?.value.replace(/^[-@:+!]+/, '').trim();
  const env = new EnvCollector();
  // The unit sets these with a value: the process has them whatever the host's environment says.
  for (const e of svc.filter((x) => x.key === 'Environment')) for (const n of environmentNames(e.value)) env.add(n, false, citeLine(path, e.line, `Environment=${n}=***`));
  const summary: Record<string, unknown> = {
    description: sections.get('Unit')?.find((e) => e.key === 'Description')?.value ?? null,
    execStart: execCmd ?? null,
    execStartPre: svc.filter((e) => e.key === 'ExecStartPre').map((e) => e.value.replace(/^[-@:+!]+/, '')),
    user: get('User')?.value ?? null,
    group: get('Group')?.value ?? null,
    workingDirectory: get('WorkingDirectory')?.value ?? null,
    environmentFile: svc.filter((e) => e.key === 'EnvironmentFile').map((e) => e.value.replace(/^-/, '')),
    environment: env.names(),
    restart: get('Restart')?.value ?? null,
    type: get('Type')?.value ?? null,
    wantedBy: sections.get('Install')?.find((e) => e.key === 'WantedBy')?.value ?? null,
  };
  const out: Signal[] = [make({ kind: 'artifact', type: 'systemd', path, summary }, [citeLine(path, exec?.line ?? 1, exec ? `ExecStart=${execCmd ?? ''}`.slice(0, 160) : undefined)])];
  if (execCmd) {
    const ev: Evidence = citeLine(path, exec?.line ?? null, `ExecStart=${execCmd}`.slice(0, 160));
    out.push(make({ kind: 'command', role: 'start', command: execCmd, production: true }, [ev], 'medium'));
    const port = commandPort(execCmd);
    if (port && exec) {
      // Cite the physical line holding the flag: ExecStart often continues over several lines.
      const lines = text.split(/\r?\n/);
      let line = exec.line;
      for (let i = exec.line - 1; i < lines.length; i++) {
        if ((lines[i] ?? '').includes(port.token)) { line = i + 1; break; }
        if (!(lines[i] ?? '').trimEnd().endsWith('\\')) break;
      }
      out.push(make({ kind: 'port', port: port.port }, [citeLine(path, line, (lines[line - 1] ?? '').trim().slice(0, 160))], 'high'));
    }
  }
  out.push(...env.signals(make, 'medium'));
  return out;
}

export const systemdDetector: Detector = {
  name: NAME,
  async detect(ctx: DetectContext): Promise<Signal[]> {
    const out: Signal[] = [];
    for (const f of filesDeep(ctx, (_rel, base) => /\.service$/.test(base))) {
      const text = await ctx.repo.read(f.path);
      if (text !== null && /^\s*\[Service\]/m.test(text)) out.push(...analyzeUnit(f.path, text));
    }
    return out;
  },
};
