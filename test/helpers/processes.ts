// Small helpers for tests that start their own servers: is a command installed, does a port accept, stop a PID and wait.
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';

/** On PATH, or in /usr/sbin and /sbin (where nginx lives but a non-root PATH may not look). */
export function onPath(cmd: string): boolean {
  return ['/usr/sbin', '/sbin', ...(process.env.PATH ?? '').split(':')].some((d) => d !== '' && existsSync(join(d, cmd)));
}

export function accepts(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port });
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}

export function alive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch { return false; }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Sends `signal`, waits up to 10 s for the process to go, then SIGKILL. */
export async function stopPid(pid: number, signal: NodeJS.Signals): Promise<void> {
  try { process.kill(pid, signal); } catch { return; }
  for (let i = 0; i < 100 && alive(pid); i++) await sleep(100);
  if (alive(pid)) process.kill(pid, 'SIGKILL');
}
