// Options and plumbing every CLI command shares: SSH flags, executor set-up, output and exit codes.
import type { Command as Cmd } from 'commander';
import { createExecutor, parseTarget, Redactor, type Executor, type SshSettings } from '../index.js';

export interface GlobalOpts {
  json?: boolean;
  out?: string;
  verbose?: boolean;
  identity?: string;
  sshOption?: string[];
  acceptNewHostKey?: boolean;
  connectTimeout?: string;
  secretEnv?: string[];
}

export const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

export function addCommonOptions(c: Cmd): Cmd {
  return c
    .option('--json', 'print the report as JSON on stdout (nothing else goes to stdout)')
    .option('--out <dir>', 'also write the report as .json and .md files into DIR')
    .option('--verbose', 'show stack traces on errors')
    .option('-i, --identity <file>', 'SSH private key to use')
    .option('--ssh-option <K=V>', 'extra OpenSSH option (repeatable)', collect)
    .option('--accept-new-host-key', 'trust a host key seen for the first time (StrictHostKeyChecking=accept-new)')
    .option('--connect-timeout <seconds>', 'SSH connect timeout', '10')
    .option('--secret-env <NAME>', 'mask the value of this local environment variable in all output (repeatable)', collect);
}

export function sshSettings(o: GlobalOpts): SshSettings {
  const s: SshSettings = { options: o.sshOption ?? [], acceptNewHostKey: o.acceptNewHostKey === true };
  if (o.identity) s.identityFile = o.identity;
  const t = Number(o.connectTimeout ?? '10');
  s.connectTimeoutSec = Number.isFinite(t) && t > 0 ? Math.min(Math.round(t), 300) : 10;
  return s;
}

const redactors = new WeakMap<GlobalOpts, Redactor>();

/** One redactor per command run, so values registered during the run (env files) are masked in its errors too. */
export function redactorFor(o: GlobalOpts): Redactor {
  const known = redactors.get(o);
  if (known) return known;
  const r = new Redactor();
  for (const name of o.secretEnv ?? []) r.add(process.env[name]);
  redactors.set(o, r);
  return r;
}

export function executorFor(target: string | undefined, o: GlobalOpts, redactor: Redactor, signal?: AbortSignal): Executor {
  return createExecutor(parseTarget(target), sshSettings(o), redactor, signal);
}
