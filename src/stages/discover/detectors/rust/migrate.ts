// Database migrations of a Rust app: sqlx or diesel with a migrations directory (their CLI), or embedded migrations the app runs as it starts.
import type { Detector, Evidence, Signal } from '../../types.js';
import { citeRust, findDep, inApp, rustApp, type RustApp } from './common.js';

const NAME = 'rust-migrate';

interface Tool { crate: string; cli: string; embedded: RegExp; run: RegExp }

const TOOLS: Tool[] = [
  { crate: 'sqlx', cli: 'sqlx migrate run', embedded: /\bsqlx::migrate!\s*\(/, run: /\.run\(/ },
  { crate: 'diesel', cli: 'diesel migration run', embedded: /\bembed_migrations!\s*\(/, run: /\brun_pending_migrations\(/ },
];

/** Where the app runs its embedded migrations: the macro in a source that also runs them. */
function embedded(app: RustApp, tool: Tool): Evidence | null {
  for (const s of app.sources) {
    const m = tool.embedded.exec(s.code);
    if (m && tool.run.test(s.code)) return citeRust(s.path, s.text, m.index);
  }
  return null;
}

export const rustMigrateDetector: Detector = {
  name: NAME,
  async detect(ctx) {
    const app = await rustApp(ctx);
    if (!app) return [];
    const out: Signal[] = [];
    for (const tool of TOOLS) {
      const dep = findDep(app, tool.crate);
      if (!dep) continue;
      const at = embedded(app, tool);
      if (at) {
        out.push({ kind: 'command', role: 'migrate', command: `${tool.cli} (runs at application start)`, production: true, evidence: [at, dep.evidence], source: 'code', confidence: 'high', detector: NAME });
        continue;
      }
      const dir = inApp(ctx.appDir, 'migrations');
      const first = ctx.repo.under(dir).map((f) => f.path).sort()[0];
      const dieselToml = tool.crate === 'diesel' ? inApp(ctx.appDir, 'diesel.toml') : null;
      const ev: Evidence[] = [];
      if (first) ev.push({ file: first, line: null });
      if (dieselToml && ctx.repo.has(dieselToml)) ev.push({ file: dieselToml, line: null });
      if (ev.length === 0) continue;
      // The tool's CLI (sqlx-cli, diesel_cli) is a separate install; the command is its documented form.
      out.push({ kind: 'command', role: 'migrate', command: tool.cli, production: true, evidence: [...ev, dep.evidence], source: 'fallback', confidence: 'medium', detector: NAME });
    }
    return out;
  },
};
