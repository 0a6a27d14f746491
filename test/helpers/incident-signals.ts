// Incident signals of a healthy systemd service, with the fields a test changes: the input of the severity tree and the diagnosis catalogue.
import type { Signals } from '../../src/stages/incident/signals.js';

export function signals(over: Partial<Signals> = {}, service: Partial<Signals['service']> = {}): Signals {
  return {
    app: 'api', strategy: 'systemd', release: 'r2',
    service: { state: 'running', detail: 'api.service active (running)', restarts: 0, result: 'success', exitStatus: 0, memoryLimit: null, oomKilled: false, problem: null, ...service },
    health: { via: 'app', url: 'http://127.0.0.1:3000/health', code: 200, curlExit: 0 },
    proxies: [], logs: [], kernel: [], deps: [], disk: { usedPercent: 40, availBytes: 10 * 2 ** 30, mount: '/' }, memory: null, certificates: [],
    changes: { current: 'r2', previous: 'r1', commit: { from: 'aaa', to: 'bbb' }, envKeysAdded: [], envKeysRemoved: [], configChanged: [], recentDeploys: [] },
    problems: [], ...over,
  };
}
