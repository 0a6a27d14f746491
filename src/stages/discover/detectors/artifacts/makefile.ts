// Makefile detector: target names, the build/run/start/deploy/migrate recipes, and low-confidence `make X` commands.
import type { CommandRole, DetectContext, Detector, Signal } from '../../types.js';
import { cite } from '../../evidence.js';
import { filesIn, maker } from './shared.js';
import { isDevCommand } from './dockerfile.js';

const NAME = 'artifacts-makefile';
const make = maker(NAME, 'build-file');

const KEY = ['build', 'run', 'start', 'serve', 'deploy', 'migrate', 'install', 'test', 'release'] as const;
const ROLE: Record<string, CommandRole> = { build: 'build', run: 'start', start: 'start', serve: 'start', migrate: 'migrate', install: 'install', test: 'test', release: 'release' };

/**
 * Recipes that compile and run from source, or rerun on change: a developer's loop, not the process to deploy
 * (the build target's binary is).
 */
const DEV_LOOP = /\b(?:go|cargo)\s+run\b|\b(?:reflex|watchexec|entr|CompileDaemon|modd|gow|cargo-watch|cargo\s+watch)\b|\bwhile\s+(?:true|:)\s*;/;

/**
 * A build recipe that runs the test suite or compiles with the race detector: a developer's check, not the
 * production build (a race-enabled binary is slower and needs cgo).
 */
const CHECK_BUILD = /\b(?:go|cargo)\s+test\b|\s-race\b|\b(?:npm|yarn|pnpm)\s+(?:run\s+)?test\b|\bpytest\b|\bmake\s+test\b/;

export interface MakeTarget { name: string; line: number; index: number; recipe: string[] }

export function makeTargets(text: string): MakeTarget[] {
  const joined = text.replace(/\\\r?\n/g, (m) => ' '.repeat(m.length));
  const lines = joined.split('\n');
  const out: MakeTarget[] = [];
  let cur: MakeTarget | null = null;
  let offset = 0;
  for (const l of lines) {
    const at = offset;
    offset += l.length + 1;
    if (l.startsWith('\t')) { if (cur && cur.recipe.length < 5) cur.recipe.push(l.trim().replace(/^[@-]+/, '')); continue; }
    if (/^\s*(#|$)/.test(l)) continue;
    // Rules: "a b: deps" but not variable assignments (":=", "::=", "?=", "+=").
    const m = /^([A-Za-z0-9_./%-][A-Za-z0-9_./% -]*?)\s*::?(?![=])(.*)$/.exec(l);
    if (!m || /^\s*[A-Za-z0-9_.-]+\s*[?+!]?=/.test(l)) { cur = null; continue; }
    const names = (m[1] ?? '').split(/\s+/).filter((n) => n && !n.startsWith('.') && !n.includes('%') && !n.includes('$'));
    cur = null;
    for (const name of names) {
      if (out.some((t) => t.name === name)) continue;
      const t: MakeTarget = { name, line: text.slice(0, at).split('\n').length, index: at, recipe: [] };
      const inline = /^[^;]*;(.*)$/.exec(m[2] ?? '');
      if (inline && inline[1]?.trim()) t.recipe.push(inline[1].trim());
      out.push(t);
      cur = t;
    }
  }
  return out;
}

export function analyzeMakefile(path: string, text: string): Signal[] {
  const targets = makeTargets(text);
  const key: Record<string, string[]> = {};
  const out: Signal[] = [];
  for (const t of targets) {
    if (!(KEY as readonly string[]).includes(t.name)) continue;
    key[t.name] = t.recipe;
    const role = ROLE[t.name];
    if (role) {
      const production = role === 'start' ? !t.recipe.some((r) => isDevCommand(r) || DEV_LOOP.test(r))
        : role === 'build' ? !t.recipe.some((r) => CHECK_BUILD.test(r)) : true;
      out.push(make({ kind: 'command', role, command: `make ${t.name}`, production }, [cite(path, text, t.index)], 'low'));
    }
  }
  out.unshift(make({ kind: 'artifact', type: 'makefile', path, summary: { targets: targets.map((t) => t.name), keyTargets: key } }, [{ file: path, line: targets[0]?.line ?? null }], 'high'));
  return out;
}

export const makefileDetector: Detector = {
  name: NAME,
  async detect(ctx: DetectContext): Promise<Signal[]> {
    const out: Signal[] = [];
    for (const f of filesIn(ctx, ctx.appDir, (b) => /^(GNUmakefile|Makefile|makefile)$/.test(b))) {
      const text = await ctx.repo.read(f.path);
      if (text !== null) out.push(...analyzeMakefile(f.path, text));
    }
    return out;
  },
};
