// PHP listen ports: a committed php-fpm pool's `listen`, the port in APP_URL of an env example, and dev-server ports as a last resort.
import { portSink } from '../../port-signals.js';
import type { Confidence, Detector, Evidence, SourceClass } from '../../types.js';
import { envFiles, isPhpApp } from './common.js';
import { devServers } from './dev-servers.js';
import { fpmPools } from './fpm.js';

const NAME = 'php-port';

export const phpPortDetector: Detector = {
  name: NAME,
  async detect(ctx) {
    if (!isPhpApp(ctx)) return [];
    const sink = portSink(NAME);
    const out = sink.out;
    const push = (port: number, ev: Evidence, source: SourceClass, confidence: Confidence): void => sink.push({ port, evidence: [ev], source, confidence });
    // The pool config is what php-fpm binds in production (FastCGI; nginx in front speaks HTTP to clients).
    for (const pool of await fpmPools(ctx)) if (pool.port !== null) push(pool.port, pool.evidence, 'deploy-material', 'high');
    // APP_URL names the public URL; an explicit port in it is where the team expects the app (only examples: real .env values stay unread).
    for (const f of await envFiles(ctx)) {
      if (f.path.endsWith('/.env') || f.path === '.env') continue;
      for (const e of f.entries) {
        if (e.name !== 'APP_URL') continue;
        const m = /^https?:\/\/[^/:\s]+:(\d{2,5})(?:\/|$)/.exec(e.value);
        if (m?.[1]) push(Number(m[1]), { file: f.path, line: e.line, text: `APP_URL=…:${m[1]}` }, 'docs', 'low');
      }
    }
    // `php artisan serve --port=8080` / `php -S 0.0.0.0:8000`: dev servers, so never above any other evidence.
    for (const d of await devServers(ctx)) if (d.port !== null) push(d.port, d.evidence, 'fallback', 'low');
    return out;
  },
};
