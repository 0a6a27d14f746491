// Builds the one readiness probe script: a quoted parameter prelude followed by probe.sh.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { shQuote, type Command } from '../../core/command.js';
import { usageError } from '../../core/errors.js';

export interface ProbeParams {
  ports: readonly number[];
  disks: readonly { purpose: string; path: string }[];
  baseDir: string;
  app: string;
  reach: readonly { host: string; port: number }[];
  envFile?: string;
  envNames: readonly string[];
  dockerDisk: boolean;
}

const ENV_NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;
const PURPOSE_RE = /^[a-z][a-z0-9-]*$/;
const REACH_HOST_RE = /^[A-Za-z0-9._:-]+$/;

let cached: string | undefined;
function probeBody(): string {
  // Beside this module (src/, dist/), or beside the bundled CLI (dist/cli.js), where the build copies it too.
  if (cached === undefined) {
    const here = [new URL('./probe.sh', import.meta.url), new URL('./stages/readiness/probe.sh', import.meta.url)];
    const found = here.map((u) => fileURLToPath(u)).find((p) => existsSync(p));
    if (!found) throw new Error(`probe.sh not found next to ${fileURLToPath(import.meta.url)}: the build is incomplete (npm run build)`);
    cached = readFileSync(found, 'utf8');
  }
  return cached;
}

function checkPath(what: string, p: string): string {
  if (p.length === 0) throw usageError(`${what} must not be empty`);
  if (/[\n\r\0|]/.test(p)) throw usageError(`${what} "${p.replace(/[\n\r\0]/g, '?')}" contains a newline, NUL or "|"`, 'choose a path without those characters');
  return p;
}

/** The full script text. Every value is validated, then shell-quoted: nothing reaches the shell raw. */
export function buildProbeScript(p: ProbeParams): string {
  for (const port of p.ports) if (!Number.isInteger(port) || port < 1 || port > 65535) throw usageError(`invalid port ${String(port)}`);
  for (const n of p.envNames) if (!ENV_NAME_RE.test(n)) throw usageError(`invalid environment variable name "${n}"`, 'names are letters, digits and _ and do not start with a digit');
  for (const d of p.disks) { if (!PURPOSE_RE.test(d.purpose)) throw new Error(`bad disk purpose ${d.purpose}`); checkPath(`${d.purpose} path`, d.path); }
  for (const r of p.reach) {
    if (!REACH_HOST_RE.test(r.host)) throw usageError(`invalid --reach host "${r.host}"`, 'use host:port, for example --reach db.internal:5432');
    if (!Number.isInteger(r.port) || r.port < 1 || r.port > 65535) throw usageError(`invalid --reach port ${String(r.port)}`);
  }
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(p.app)) throw usageError(`invalid app name "${p.app}"`, 'use letters, digits, ".", "_" and "-"');
  checkPath('base directory', p.baseDir);
  if (p.envFile !== undefined) checkPath('env file path', p.envFile);

  const vars: [string, string][] = [
    ['DH_PORTS', [...new Set(p.ports)].join(' ')],
    ['DH_DISKS', p.disks.map((d) => `${d.purpose}|${d.path}`).join('\n')],
    ['DH_BASE', p.baseDir],
    ['DH_APP', p.app],
    ['DH_REACH', p.reach.map((r) => `${r.host}|${r.port}`).join('\n')],
    ['DH_ENV_FILE', p.envFile ?? ''],
    ['DH_ENV_NAMES', p.envNames.join(' ')],
    ['DH_DOCKER_DISK', p.dockerDisk ? '1' : ''],
  ];
  const prelude = vars.map(([k, v]) => `${k}=${shQuote(v)}`).join('\n');
  return `${prelude}\n${probeBody()}`;
}

/** The probe as a command: `sh -s` reading the script on stdin, so it needs no file on the host. */
export function probeCommand(script: string, timeoutMs = 60_000): Command {
  return { argv: ['sh', '-s'], env: { LC_ALL: 'C' }, stdin: script, mutates: false, timeoutMs, description: 'readiness probe (read-only)' };
}
