// Install, build, start, dev, test and migrate commands of a Deno app, from deno.json tasks (and package.json scripts, which `deno task` also runs).
import { inApp } from '../../evidence.js';
import type { CommandRole, Confidence, DetectContext, Detector, Evidence, Signal, SourceClass } from '../../types.js';
import { keyEvidence } from './common.js';
import { isDevScript } from './commands.js';
import { denoKeyEvidence } from './deno-config.js';
import { jsApp, type JsApp } from './js-app.js';

const NAME = 'deno-commands';

/** Where Deno apps conventionally start, when no task names the entry. */
const ENTRIES = ['main.ts', 'main.tsx', 'main.js', 'server.ts', 'mod.ts', 'app.ts', 'src/main.ts', 'src/index.ts', 'src/server.ts', 'index.ts'];
/** Flags of `deno run` / `deno serve` whose value is the next word (most take `--flag=value`). */
const VALUE_FLAGS = new Set(['-c', '--config', '--import-map', '--lock', '--location', '--seed', '--port', '--host', '--cert', '--v8-flags', '--inspect-wait']);
const SCRIPT = /\.(?:[cm]?[jt]sx?)$/;

interface Task { name: string; command: string; evidence: Evidence }

/** The local script a `deno run` / `deno serve` command runs, if any (`deno run -A --watch main.ts` → main.ts). */
export function denoEntry(command: string): string | null {
  for (const part of command.split(/&&|\|\||;/)) {
    const m = /\bdeno\s+(?:run|serve)\b(.*)$/.exec(part.trim());
    if (!m) continue;
    const words = (m[1] ?? '').trim().split(/\s+/).filter(Boolean);
    for (let i = 0; i < words.length; i++) {
      const w = words[i] ?? '';
      if (w.startsWith('-')) { if (VALUE_FLAGS.has(w)) i++; continue; }
      // The first positional word is the script; a URL or jsr: module is no local entry.
      return SCRIPT.test(w) && !/^[a-z]+:/i.test(w) ? w.replace(/^\.\//, '') : null;
    }
  }
  return null;
}

/** Tasks from deno.json(c), then package.json scripts not shadowed by a task of the same name. */
function tasksOf(app: JsApp): Map<string, Task> {
  const out = new Map<string, Task>();
  if (app.deno) for (const [name, command] of Object.entries(app.deno.tasks)) out.set(name, { name, command, evidence: denoKeyEvidence(app.deno, name, 'tasks') });
  if (app.pkg) for (const [name, command] of Object.entries(app.pkg.scripts)) if (!out.has(name)) out.set(name, { name, command, evidence: keyEvidence(app.pkg, name, 'scripts') });
  return out;
}

function conventionalEntry(ctx: DetectContext): string | null {
  return ENTRIES.find((f) => ctx.repo.has(inApp(ctx.appDir, f))) ?? null;
}

export const denoCommandsDetector: Detector = {
  name: NAME,
  async detect(ctx) {
    const app = await jsApp(ctx);
    if (!app || app.runtime !== 'deno') return [];
    const out: Signal[] = [];
    const emit = (role: CommandRole, command: string, production: boolean, evidence: Evidence[], confidence: Confidence, source: SourceClass = 'build-file') =>
      out.push({ kind: 'command', role, command, production, evidence, source, confidence, detector: NAME });
    const tasks = tasksOf(app);
    const run = (t: Task) => `deno task ${t.name}`;

    const starts: Task[] = [];
    const devServers: Task[] = [];
    // start:prod wins like in Node apps; Fresh 1.x's `start` is a watcher and its production server is `preview`.
    for (const name of ['start:prod', 'start:production', 'start']) {
      const t = tasks.get(name);
      if (!t) continue;
      const dev = isDevScript(t.command);
      (dev ? devServers : starts).push(t);
      const ranked = name === 'start' && (tasks.has('start:prod') || tasks.has('start:production'));
      emit('start', run(t), !dev, [t.evidence], ranked ? 'medium' : 'high');
    }
    if (starts.length === 0) {
      for (const name of ['preview', 'serve', 'prod']) {
        const t = tasks.get(name);
        if (!t || isDevScript(t.command) || !/\bdeno\s+(?:run|serve)\b/.test(t.command)) continue;
        starts.push(t);
        emit('start', run(t), true, [t.evidence], 'medium');
        break;
      }
    }

    // The entry to pre-fetch dependencies for: the production start's script, else any task's, else the convention.
    const fromTask = [...starts, ...devServers, ...tasks.values()].map((t) => ({ t, entry: denoEntry(t.command) }))
      .find((x) => x.entry !== null && ctx.repo.has(inApp(ctx.appDir, x.entry)));
    const entry = fromTask?.entry ?? conventionalEntry(ctx);
    if (entry) {
      // `deno cache` downloads and compiles the module graph, so the first request does not pay for it.
      const evidence = fromTask ? [fromTask.t.evidence] : [{ file: inApp(ctx.appDir, entry), line: null }];
      emit('install', `deno cache ${entry}`, true, evidence, fromTask ? 'high' : 'medium', fromTask ? 'build-file' : 'fallback');
    }

    const build = tasks.get('build');
    if (build) emit('build', run(build), true, [build.evidence], 'high');

    let productionStart = starts.length > 0;
    // With only a watcher declared, the repo says how to develop, not how to run: that is a risk, not a guess.
    const devOnly = devServers.length > 0 || tasks.has('dev') || ['start:dev', 'watch'].some((n) => isDevScript(tasks.get(n)?.command ?? ''));
    if (!productionStart && !devOnly && entry) {
      // No task says how to start: run the entry. The repo declares no permissions, so -A grants them all; narrow it on the host.
      const text = (await ctx.repo.read(inApp(ctx.appDir, entry))) ?? '';
      const serve = /^\s*export\s+default\s*\{[\s\S]{0,600}?\bfetch\b/m.test(text);
      emit('start', `deno ${serve ? 'serve' : 'run'} -A ${entry}`, true, [{ file: inApp(ctx.appDir, entry), line: null }], 'low', 'fallback');
      productionStart = true;
    }

    const dev = tasks.get('dev');
    if (dev) { emit('dev', run(dev), false, [dev.evidence], 'high'); devServers.push(dev); }
    for (const name of ['start:dev', 'watch']) {
      const t = tasks.get(name);
      if (t && isDevScript(t.command)) { emit('dev', run(t), false, [t.evidence], 'high'); devServers.push(t); }
    }
    const test = tasks.get('test');
    if (test) emit('test', run(test), false, [test.evidence], 'high');
    for (const t of tasks.values()) {
      // Tasks named for migrations, not generators or rollbacks (like the Node scripts).
      if (/migrat/i.test(t.name) && !/generate|create|revert|rollback|undo|down|make|new/i.test(t.name)) emit('migrate', run(t), true, [t.evidence], 'high');
    }

    if (!productionStart && devServers.length > 0) {
      const first = devServers[0]!;
      out.push({
        kind: 'risk', severity: 'warning', message: `production start command needed: only a dev server (${first.command}) was found`,
        evidence: [first.evidence], source: 'build-file', confidence: 'high', detector: NAME,
      });
    }
    return out;
  },
};
