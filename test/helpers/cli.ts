// Runs the built CLI (dist/cli.js) as a user would, with a hard time limit, and captures everything.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

export interface CliResult { code: number | null; stdout: string; stderr: string; ms: number }

export function runCli(args: readonly string[], opts: { env?: Record<string, string>; timeoutMs?: number } = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    const t = performance.now();
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 90_000);
    child.on('close', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr, ms: performance.now() - t }); });
  });
}

/** The lab's SSH flags for the CLI: its key and its known_hosts. */
export function labSshFlags(lab: { identityFile: string; knownHostsFile: string }): string[] {
  return ['-i', lab.identityFile, '--ssh-option', `UserKnownHostsFile=${lab.knownHostsFile}`];
}
