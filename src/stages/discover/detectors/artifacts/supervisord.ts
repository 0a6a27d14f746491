// supervisord detector: [program:x] sections (command, directory, user, numprocs, autorestart).
import type { DetectContext, Detector, Signal } from '../../types.js';
import { filesDeep, maker } from './shared.js';

const NAME = 'artifacts-supervisord';
const make = maker(NAME, 'deploy-material');

export function analyzeSupervisord(path: string, text: string): Signal[] {
  const programs: Record<string, string | null>[] = [];
  let cur: Record<string, string | null> | null = null;
  let firstLine: number | null = null;
  text.split(/\r?\n/).forEach((l, i) => {
    const s = /^\s*\[program:([^\]]+)\]/.exec(l);
    if (s) {
      cur = { name: s[1] ?? '', command: null, directory: null, user: null, numprocs: null, autorestart: null };
      programs.push(cur);
      firstLine ??= i + 1;
      return;
    }
    if (/^\s*\[/.test(l)) { cur = null; return; }
    const kv = /^\s*([a-z_]+)\s*=\s*(.*?)\s*$/.exec(l);
    // environment= holds values: never kept.
    if (cur && kv && kv[1] && kv[1] in cur && kv[1] !== 'name') cur[kv[1]] = kv[2] ?? null;
  });
  if (programs.length === 0) return [];
  return [make({ kind: 'artifact', type: 'supervisord', path, summary: { programs } }, [{ file: path, line: firstLine }])];
}

export const supervisordDetector: Detector = {
  name: NAME,
  async detect(ctx: DetectContext): Promise<Signal[]> {
    const out: Signal[] = [];
    for (const f of filesDeep(ctx, (rel, base) => /^supervisord?\.conf$/.test(base) || /\.conf$/.test(base) && /(^|\/)supervisor(d)?(\/|\/conf\.d\/)/.test(rel))) {
      const text = await ctx.repo.read(f.path);
      if (text !== null) out.push(...analyzeSupervisord(f.path, text));
    }
    return out;
  },
};
