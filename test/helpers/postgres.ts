// A throwaway PostgreSQL cluster for tests: initdb as the postgres user in a temp dir, loopback TCP and a private socket, password auth.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chmod, chown, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { promisify } from 'node:util';
import { freeLocalPort } from '../../src/exec/free-port.js';

const run = promisify(execFile);

/** The newest PostgreSQL server binaries Debian installed (postgresql-NN), or null. */
export function pgBin(): string | null {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root).filter((v) => /^\d+$/.test(v) && existsSync(join(root, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(root, versions[0], 'bin') : null;
}

function postgresUser(): boolean {
  try { execFileSync('id', ['-u', 'postgres'], { stdio: 'ignore' }); return true; } catch { return false; }
}

/** Skips (or, under CI=true, fails) without root, the postgres user and PostgreSQL's server binaries. */
export function postgresOrSkip(t: TestContext): boolean {
  if (pgBin() && postgresUser() && process.getuid?.() === 0) return true;
  const why = 'needs root and PostgreSQL (apt-get install -y postgresql) to start a throwaway cluster';
  if (process.env.CI === 'true') throw new Error(why);
  t.skip(why);
  return false;
}

export interface TestPostgres {
  port: number;
  /** Socket directory (and the cluster's home). */
  dir: string;
  bin: string;
  /** psql as the superuser over the socket; ON_ERROR_STOP. */
  psql(sql: string, db?: string): Promise<string>;
  stop(): Promise<void>;
}

/** Starts a cluster on 127.0.0.1:<free port> (scram-sha-256 over TCP, trust on its socket). Null when it cannot run here. */
export async function startPostgres(prefix: string): Promise<TestPostgres | null> {
  const bin = pgBin();
  if (!bin || !postgresUser() || process.getuid?.() !== 0) return null;
  const uid = Number((await run('id', ['-u', 'postgres'])).stdout.trim());
  const gid = Number((await run('id', ['-g', 'postgres'])).stdout.trim());
  const dir = await mkdtemp(join(tmpdir(), prefix));
  await chown(dir, uid, gid);
  await chmod(dir, 0o700);
  const port = await freeLocalPort();
  const asPg = (argv: string[]) => run('runuser', ['-u', 'postgres', '--', ...argv], { timeout: 60_000 });
  await writeFile(join(dir, 'pw'), `su-${Math.random().toString(36).slice(2)}\n`, { mode: 0o600 });
  await chown(join(dir, 'pw'), uid, gid);
  await asPg([join(bin, 'initdb'), '-D', join(dir, 'data'), '-U', 'postgres', `--pwfile=${join(dir, 'pw')}`, '--auth-local=trust', '--auth-host=scram-sha-256']);
  await asPg([join(bin, 'pg_ctl'), '-D', join(dir, 'data'), '-l', join(dir, 'pg.log'), '-w', '-t', '30', 'start', '-o', `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir}`]);
  return {
    port, dir, bin,
    psql: async (sql, db = 'postgres') => (await asPg([join(bin, 'psql'), '-h', dir, '-p', String(port), '-U', 'postgres', '-d', db, '-v', 'ON_ERROR_STOP=1', '-X', '-qAtc', sql])).stdout,
    stop: async () => {
      await asPg([join(bin, 'pg_ctl'), '-D', join(dir, 'data'), '-m', 'fast', '-w', 'stop']).catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
