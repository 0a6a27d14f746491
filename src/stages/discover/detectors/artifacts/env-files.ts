// Env file detector: names from .env.example-style files; a committed .env is a risk (its values are never reported).
import type { DetectContext, Detector, Signal } from '../../types.js';
import { composer, dep } from '../php/common.js';
import { EnvCollector, filesIn, maker } from './shared.js';

const NAME = 'artifacts-env-files';
const make = maker(NAME, 'docs');

export const isEnvExampleName = (base: string): boolean =>
  /^\.?env\.(example|sample|template|dist|defaults)$|^\.env\.[A-Za-z0-9_-]+\.(example|sample|template)$|^example\.env$/i.test(base);

/** A committed env file holding real values (`.env`, `.env.production`, `.env.local` …), not an example or a framework default file. */
export const isCommittedEnvName = (base: string): boolean =>
  /^\.env(\.[A-Za-z0-9_-]+)?$/.test(base) && !isEnvExampleName(base) && !/\.(vault|enc|gpg|age)$/i.test(base)
  // Frameworks (Vite, Next.js) expect .env.development / .env.test to be committed with non-secret defaults.
  && !/^\.env\.(development|dev|test|ci)$/.test(base);

/** Variable names and their 1-based lines; `export NAME=…` accepted; values are not returned. */
export function envFileNames(text: string): { name: string; line: number }[] {
  const out: { name: string; line: number }[] = [];
  const lines = text.split(/\r?\n/);
  let inQuote: string | null = null;
  lines.forEach((l, i) => {
    if (inQuote) { if (l.includes(inQuote)) inQuote = null; return; } // multi-line quoted value continues
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.]*)\s*=\s*(["'`]?)(.*)$/.exec(l);
    if (!m || !m[1]) return;
    const q = m[2];
    if (q && !(m[3] ?? '').includes(q)) inQuote = q;
    if (!out.some((o) => o.name === m[1])) out.push({ name: m[1], line: i + 1 });
  });
  return out;
}

export const envFilesDetector: Detector = {
  name: NAME,
  async detect(ctx: DetectContext): Promise<Signal[]> {
    const out: Signal[] = [];
    for (const f of filesIn(ctx, ctx.appDir, isEnvExampleName)) {
      const text = await ctx.repo.read(f.path);
      if (text === null) continue;
      const names = envFileNames(text);
      const env = new EnvCollector();
      for (const n of names) env.add(n.name, null, { file: f.path, line: n.line, text: n.name }, { hasExample: true });
      out.push(make({ kind: 'artifact', type: 'env-example', path: f.path, summary: { names: names.map((n) => n.name) } }, [{ file: f.path, line: null }]));
      out.push(...env.signals(make));
    }
    const committed = filesIn(ctx, ctx.appDir, isCommittedEnvName);
    // Symfony's Dotenv loads a committed .env (and .env.<APP_ENV>) as the app's defaults; only the *.local files are private.
    const symfonyDotenv = committed.length > 0 && dep(await composer(ctx), 'symfony/dotenv') !== undefined;
    for (const f of committed) {
      const text = await ctx.repo.read(f.path);
      const count = text === null ? null : envFileNames(text).length;
      const counted = `${f.path}${count !== null ? `, ${count} variable${count === 1 ? '' : 's'}` : ''}`;
      const message = symfonyDotenv && !f.path.endsWith('.local')
        ? `a .env file of defaults is committed (${counted}), as Symfony's Dotenv expects; its values are not reported — keep secrets out of it: real values go in .env.local (not committed) or the environment`
        : `a .env file is committed (${counted}); its values are not reported — keep real values out of git and out of the image`;
      out.push(make({ kind: 'risk', severity: 'warning', message }, [{ file: f.path, line: null }], 'high', 'deploy-material'));
    }
    return out;
  },
};
