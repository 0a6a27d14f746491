// pm2 detector: app names, scripts and instances of ecosystem files, read with regexes (the JS is never executed).
import type { DetectContext, Detector, Signal } from '../../types.js';
import { filesIn, isRecord, maker, parseJsonFile, str } from './shared.js';

const NAME = 'artifacts-pm2';
const make = maker(NAME, 'deploy-material');

const IS_PM2 = /^(ecosystem|pm2)(\.[a-z]+)?\.config\.(c|m)?js$|^(ecosystem|pm2|process)\.(json|ya?ml)$/;

interface Pm2App { name: string | null; script: string | null; instances: string | null; execMode: string | null; args: string | null }

/** Apps from a JS ecosystem file: each `name:` starts an app; nearby keys belong to it. */
export function pm2AppsFromJs(text: string): Pm2App[] {
  const body = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:])\/\/.*$/gm, '$1');
  const appsAt = body.search(/\bapps\s*:\s*\[/);
  const region = appsAt >= 0 ? body.slice(appsAt) : body;
  const val = (chunk: string, key: string): string | null => {
    const m = new RegExp(`\\b${key}\\s*:\\s*(?:(["'\`])((?:(?!\\1).)*)\\1|([A-Za-z0-9_.-]+))`).exec(chunk);
    return m ? (m[2] ?? m[3] ?? null) : null;
  };
  const starts = [...region.matchAll(/\bname\s*:/g)].map((m) => m.index ?? 0);
  if (starts.length === 0 && /\bscript\s*:/.test(region)) starts.push(0);
  return starts.map((s, i) => {
    // The app object: back to its opening brace, forward to the next app's name.
    const open = region.lastIndexOf('{', s);
    const chunk = region.slice(open < 0 ? s : open, starts[i + 1] ?? region.length);
    return { name: val(chunk, 'name'), script: val(chunk, 'script'), instances: val(chunk, 'instances'), execMode: val(chunk, 'exec_mode'), args: val(chunk, 'args') };
  });
}

export const pm2Detector: Detector = {
  name: NAME,
  async detect(ctx: DetectContext): Promise<Signal[]> {
    const out: Signal[] = [];
    for (const f of filesIn(ctx, ctx.appDir, (b) => IS_PM2.test(b))) {
      const text = await ctx.repo.read(f.path);
      if (text === null) continue;
      let apps: Pm2App[] = [];
      if (f.path.endsWith('.json')) {
        const p = parseJsonFile(f.path, text, NAME);
        if (!p.ok) { out.push(p.problem); continue; }
        const list = isRecord(p.value) && Array.isArray(p.value.apps) ? p.value.apps : Array.isArray(p.value) ? p.value : [];
        apps = list.filter(isRecord).map((a) => ({ name: str(a.name) ?? null, script: str(a.script) ?? null, instances: str(a.instances) ?? null, execMode: str(a.exec_mode) ?? null, args: str(a.args) ?? null }));
      } else apps = pm2AppsFromJs(text);
      const m = /\bapps\s*:|"apps"\s*:|\bname\s*:/.exec(text);
      out.push(make({ kind: 'artifact', type: 'pm2', path: f.path, summary: { apps } }, [{ file: f.path, line: m ? text.slice(0, m.index).split('\n').length : null }], f.path.endsWith('.json') ? 'high' : 'medium'));
    }
    return out;
  },
};
