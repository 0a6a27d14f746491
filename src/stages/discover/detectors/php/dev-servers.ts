// Built-in dev servers the repo shows (`php artisan serve`, `php -S`) in composer scripts and the README: never production.
import { cite } from '../../evidence.js';
import type { DetectContext, Evidence, SourceClass } from '../../types.js';
import { appThenRoot } from './common.js';
import { phpProject } from './project.js';

export interface DevServer { command: string; port: number | null; evidence: Evidence; source: SourceClass }

// Tokens stop at a quote, a backslash (an escaped quote in JSON) or a shell separator.
const DEV_RE = /(?<![\w-])@?php[ \t]+(?:artisan[ \t]+serve\b|-S[ \t]+[^\s"'\\`]+)(?:[ \t]+[^\s"'\\`&|;]+)*/g;

function portOf(command: string): number | null {
  const m = /--port[= ](\d{2,5})\b/.exec(command) ?? /-S\s+\S*:(\d{2,5})\b/.exec(command);
  const port = m?.[1] ? Number(m[1]) : null;
  return port !== null && port >= 1 && port <= 65535 ? port : null;
}

function scan(file: string, text: string, source: SourceClass, out: DevServer[]): void {
  for (const m of text.matchAll(DEV_RE)) {
    const command = m[0].replace(/^@php/, 'php').trim();
    if (out.some((d) => d.command === command && d.source === source)) continue;
    out.push({ command, port: portOf(command), evidence: cite(file, text, m.index), source });
  }
}

/** Dev servers in composer.json scripts (build-file) and README.md (docs), first seen first. */
export async function devServers(ctx: DetectContext): Promise<DevServer[]> {
  const out: DevServer[] = [];
  const { composer: c } = await phpProject(ctx);
  if (c) {
    const s = /"scripts"\s*:\s*\{/.exec(c.text);
    if (s) scan(c.path, c.text, 'build-file', out);
  }
  for (const file of [...appThenRoot(ctx, 'README.md'), ...appThenRoot(ctx, 'readme.md')].slice(0, 1)) {
    const text = await ctx.repo.read(file);
    if (text !== null) scan(file, text, 'docs', out);
  }
  return out;
}
