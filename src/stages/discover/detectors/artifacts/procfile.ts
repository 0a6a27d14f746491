// Procfile detector: process types (web → start, release → release, worker …) as commands, the web port, plus the artifact.
import type { DetectContext, Detector, Signal } from '../../types.js';
import { cite } from '../../evidence.js';
import { filesIn, maker } from './shared.js';
import { commandPort } from './command-port.js';
import { isDevCommand } from './dockerfile.js';

const NAME = 'artifacts-procfile';
const make = maker(NAME, 'deploy-material');

export function analyzeProcfile(path: string, text: string): Signal[] {
  const processes: { type: string; command: string; line: number }[] = [];
  const out: Signal[] = [];
  const re = /^[ \t]*([A-Za-z0-9_-]+)[ \t]*:[ \t]*(.+?)[ \t]*$/gm;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const type = m[1] ?? '';
    const command = m[2] ?? '';
    const ev = cite(path, text, m.index);
    processes.push({ type, command, line: ev.line });
    const role = type === 'web' ? 'start' : type === 'release' ? 'release' : null;
    if (role) out.push(make({ kind: 'command', role, command, production: role === 'release' || !isDevCommand(command) }, [ev]));
    // `web: gunicorn -b 0.0.0.0:${PORT:-8000} …`: the default is where the web process listens unless PORT is set.
    const port = type === 'web' ? commandPort(command) : null;
    if (port) out.push(make({ kind: 'port', port: port.port }, [ev]));
  }
  const web = processes.find((p) => p.type === 'web');
  const summary: Record<string, unknown> = { processes: processes.map(({ type, command }) => ({ type, command })) };
  if (web && /\$\{?PORT\b/.test(web.command)) summary.webUsesPortEnv = true;
  out.unshift(make({ kind: 'artifact', type: 'procfile', path, summary }, [{ file: path, line: processes[0]?.line ?? null }]));
  return out;
}

export const procfileDetector: Detector = {
  name: NAME,
  async detect(ctx: DetectContext): Promise<Signal[]> {
    const out: Signal[] = [];
    for (const f of filesIn(ctx, ctx.appDir, (b) => b === 'Procfile')) {
      const text = await ctx.repo.read(f.path);
      if (text !== null) out.push(...analyzeProcfile(f.path, text));
    }
    return out;
  },
};
