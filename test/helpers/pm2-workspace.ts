// A private pm2 for a local integration test: a temp dir with its own PM2_HOME, deckhand's bundled pm2, and a cleanup that ends that daemon by its PID.
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { alive, stopPid } from './processes.js';

/** The pm2 CLI deckhand runs on the local target (its own dependency). */
export const PM2 = fileURLToPath(new URL('../../node_modules/pm2/bin/pm2', import.meta.url));

export interface Pm2Workspace {
  /** The temp dir: the test's repo copies, bases and reports go here. */
  dir: string;
  /** PM2_HOME inside it, so the test's daemon is its own and never the user's. */
  home: string;
  /** The env a CLI run needs to reach that daemon. */
  env: { PM2_HOME: string };
  /** Runs the bundled pm2 against this PM2_HOME; stdout. */
  pm2: (...args: string[]) => string;
  /** Ends this workspace's daemon (pm2 kill, then its PID if it outlived that) and removes the dir. */
  close: () => Promise<void>;
}

async function daemonPid(home: string): Promise<number | null> {
  const text = await readFile(join(home, 'pm2.pid'), 'utf8').catch(() => '');
  return /^\d+$/.test(text.trim()) ? Number(text.trim()) : null;
}

export async function pm2Workspace(prefix: string): Promise<Pm2Workspace> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const home = join(dir, 'pm2-home');
  const env = { PM2_HOME: home };
  const pm2 = (...args: string[]): string => execFileSync(process.execPath, [PM2, ...args], { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 30_000 });
  const close = async (): Promise<void> => {
    // Read before the kill: pm2 kill removes the pid file, and a daemon it failed to end must still be found.
    const pid = await daemonPid(home);
    try { execFileSync(process.execPath, [PM2, 'kill'], { env: { ...process.env, ...env }, stdio: 'ignore', timeout: 30_000 }); } catch { /* no daemon, or it did not answer: the PID below */ }
    if (pid !== null && alive(pid)) await stopPid(pid, 'SIGTERM');
    await rm(dir, { recursive: true, force: true });
  };
  return { dir, home, env, pm2, close };
}
