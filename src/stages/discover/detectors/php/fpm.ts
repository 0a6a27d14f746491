// Committed php-fpm pool configs: a `[pool]` section with `listen = …` tells the FastCGI port (or socket) the app is served on.
import { cite } from '../../evidence.js';
import type { DetectContext, Evidence } from '../../types.js';

export interface FpmPool {
  file: string;
  /** TCP port, or null when the pool listens on a Unix socket. */
  port: number | null;
  socket: string | null;
  evidence: Evidence;
}

const NOT_APP_DIR = /(?:^|\/)(?:vendor|node_modules|tests?|fixtures|examples?)\//;

/** *.conf files under the app dir that are php-fpm pools (a `[name]` section plus `listen =` and a `pm` setting). */
export async function fpmPools(ctx: DetectContext): Promise<FpmPool[]> {
  const prefixLen = ctx.appDir === '' ? 0 : ctx.appDir.length + 1;
  const out: FpmPool[] = [];
  for (const f of ctx.repo.under(ctx.appDir)) {
    const rel = f.path.slice(prefixLen);
    if (!/\.conf$/.test(rel) || NOT_APP_DIR.test(rel)) continue;
    const text = await ctx.repo.read(f.path, 64 * 1024);
    if (text === null || !/^\s*\[[\w.-]+\]\s*$/m.test(text) || !/^\s*pm(?:\.\w+)?\s*=/m.test(text)) continue;
    const m = /^[ \t]*listen[ \t]*=[ \t]*(\S+)[ \t]*$/m.exec(text);
    if (!m?.[1]) continue;
    const value = m[1].replace(/^["']|["']$/g, '');
    // `9000`, `127.0.0.1:9000`, `[::]:9000` are TCP; anything else (`/run/php/app.sock`) is a socket path.
    const tcp = /^(?:(?:[\d.]+|\[[0-9a-f:]*\]|\*|[\w.-]+):)?(\d{1,5})$/i.exec(value);
    const port = tcp?.[1] ? Number(tcp[1]) : null;
    out.push({ file: f.path, port: port !== null && port >= 1 && port <= 65535 ? port : null, socket: tcp ? null : value, evidence: cite(f.path, text, m.index) });
  }
  return out;
}
