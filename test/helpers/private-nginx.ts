// A private nginx for tests: its own main config, pid, logs and temp dirs under one directory; sites go in DIR/nginx/conf.d.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { sleep } from './processes.js';

const run = promisify(execFile);

/** Writes DIR/nginx/nginx.conf (including DIR/nginx/conf.d/*.conf) and starts nginx with it; the master's PID, or null. */
export async function startPrivateNginx(dir: string): Promise<{ pid: number | null; conf: string; confD: string; errorLog: string }> {
  const confD = join(dir, 'nginx', 'conf.d');
  const conf = join(dir, 'nginx', 'nginx.conf');
  const errorLog = join(dir, 'error.log');
  await mkdir(confD, { recursive: true });
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((k) => `${k}_temp_path ${join(dir, `${k}-temp`)};`).join(' ');
  await writeFile(conf, [
    `pid ${join(dir, 'nginx.pid')};`, `error_log ${errorLog};`, 'daemon on;', 'worker_processes 1;', 'events { worker_connections 64; }',
    'http {', `  access_log ${join(dir, 'access.log')};`, `  ${temp}`, `  include ${confD}/*.conf;`, '}', '',
  ].join('\n'));
  await run(existsSync('/usr/sbin/nginx') ? '/usr/sbin/nginx' : 'nginx', ['-c', conf, '-e', errorLog], { timeout: 30_000 });
  for (let i = 0; i < 50; i++) {
    const pid = Number((await readFile(join(dir, 'nginx.pid'), 'utf8').catch(() => '')).trim());
    if (pid > 0) return { pid, conf, confD, errorLog };
    await sleep(100);
  }
  return { pid: null, conf, confD, errorLog };
}
