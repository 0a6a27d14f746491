// The pm2 ecosystem file of one blue-green slot: the pm2 strategy's file, as app <app>-<port> in fork mode running from the slot link.
import { renderEcosystem } from './pm2.js';

/** One file per slot port, so a slot starts with nothing but its port (pm2 loads only `*.config.cjs` as an ecosystem file). */
export function slotEcosystemPath(base: string, port: number): string {
  return `${base}/.deckhand/ecosystem.slot-${port}.config.cjs`;
}

/**
 * Where pm2 writes the slot process's pid. pm2 turns `X.pid` into `X-<pm_id>.pid` (and a name ending in `-<digits>`
 * would lose them), so the slot commands look for `slot-<port>.pm2-<id>.pid`; pm2 removes it when the process exits.
 */
export function slotPidFile(base: string, port: number): string {
  return `${base}/.deckhand/pids/slot-${port}.pm2.pid`;
}

/** The last line of the pm2 strategy's ecosystem file; the slot settings go just before it. */
const EXPORTS = 'module.exports = { apps: [app] };';

/**
 * The pm2 strategy's ecosystem file (env file read when pm2 loads it, timestamped logs, restart policy) for the
 * app `<app>-<port>`, with the slot's differences applied last: the working directory is the slot link (the
 * kernel resolves it to the release at start), one process in fork mode (the two slots are the redundancy),
 * PORT is the slot's even when the env file sets one, so both slots never share a port, and a pid file of its own
 * lets the slot commands tell that the slot runs without starting the pm2 CLI.
 */
export function renderSlotEcosystem(a: { app: string; base: string; start: string; port: number }): string {
  const text = renderEcosystem({ name: `${a.app}-${a.port}`, base: a.base, start: a.start, port: a.port, instances: 1 });
  if (!text.includes(`\n${EXPORTS}\n`)) throw new Error('the pm2 ecosystem file no longer ends with its module.exports line: renderSlotEcosystem needs updating');
  const slot = [
    `// Blue-green slot ${a.port}: runs from the slot link, one process in fork mode, PORT fixed to the slot, its own pid file.`,
    `app.cwd = ${JSON.stringify(`${a.base}/slots/${a.port}`)};`,
    "app.exec_mode = 'fork';",
    'app.instances = 1;',
    `app.env.PORT = '${a.port}';`,
    `app.pid_file = ${JSON.stringify(slotPidFile(a.base, a.port))};`,
  ];
  return text.replace(`\n${EXPORTS}\n`, `\n${slot.join('\n')}\n${EXPORTS}\n`);
}
