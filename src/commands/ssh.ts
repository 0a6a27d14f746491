// Pure builders for the system OpenSSH client: one multiplexed master per run, sessions over it.
import { DeckhandError, tail } from '../core/errors.js';

export interface SshTarget {
  host: string;
  user?: string;
  port?: number;
}

export interface SshSettings {
  identityFile?: string;
  /** Extra `-o Key=Value` options from the user (`--ssh-option`). */
  options?: readonly string[];
  acceptNewHostKey?: boolean;
  connectTimeoutSec?: number;
}

export const SSH_OPTION_RE = /^[A-Za-z][A-Za-z0-9]*=[^\n\r]*$/;

/** Options the user may not override: they keep deckhand from hanging on a prompt. */
const FIXED = ['-o', 'BatchMode=yes'];

/**
 * Base argv after `ssh`. OpenSSH keeps the first value it sees for each option, so the user's
 * `--ssh-option`s come before deckhand's defaults (and after BatchMode, which nobody may turn off).
 */
export function sshBaseArgs(t: SshTarget, s: SshSettings): string[] {
  const args = [...FIXED];
  for (const o of s.options ?? []) {
    if (!SSH_OPTION_RE.test(o)) throw new DeckhandError('usage', `invalid --ssh-option "${o}"`, { hint: 'use Key=Value, for example --ssh-option ServerAliveInterval=10' });
    args.push('-o', o);
  }
  args.push(
    '-o', `ConnectTimeout=${s.connectTimeoutSec ?? 10}`,
    '-o', `StrictHostKeyChecking=${s.acceptNewHostKey ? 'accept-new' : 'yes'}`,
    '-o', 'ServerAliveInterval=5',
    '-o', 'ServerAliveCountMax=3',
    '-o', 'LogLevel=ERROR',
  );
  if (s.identityFile) args.push('-i', s.identityFile, '-o', 'IdentitiesOnly=yes');
  if (t.port !== undefined) args.push('-p', String(t.port));
  if (t.user !== undefined) args.push('-l', t.user);
  return args;
}

/** Starts the master connection in the background; it exits on `-O exit` or after 120 s idle. */
export function sshMasterArgs(t: SshTarget, s: SshSettings, controlPath: string): string[] {
  return [...sshBaseArgs(t, s), '-o', 'ControlMaster=yes', '-o', `ControlPath=${controlPath}`, '-o', 'ControlPersist=120', '-N', '-f', '--', t.host];
}

/** Runs one remote command line as a session over the master. */
export function sshRunArgs(t: SshTarget, s: SshSettings, controlPath: string, remoteLine: string): string[] {
  return [...sshBaseArgs(t, s), '-o', 'ControlMaster=no', '-o', `ControlPath=${controlPath}`, '-T', '--', t.host, remoteLine];
}

/** Adds (or cancels) a local port forward on the running master: no new connection, no new authentication. */
export function sshForwardArgs(t: SshTarget, s: SshSettings, controlPath: string, spec: string, cancel = false): string[] {
  return [...sshBaseArgs(t, s), '-o', `ControlPath=${controlPath}`, '-O', cancel ? 'cancel' : 'forward', '-L', spec, '--', t.host];
}

/** Asks the master to exit. */
export function sshExitArgs(t: SshTarget, s: SshSettings, controlPath: string): string[] {
  return [...sshBaseArgs(t, s), '-o', `ControlPath=${controlPath}`, '-O', 'exit', '--', t.host];
}

/**
 * Turns an OpenSSH client failure (exit 255) into an error that says what happened and how to fix it.
 * Returns null when stderr does not look like a connection-level failure.
 */
export function classifySshFailure(stderr: string, display: string): DeckhandError | null {
  const details = { host: display, exitCode: 255, stderrTail: tail(stderr) };
  const has = (re: RegExp): boolean => re.test(stderr);
  if (has(/REMOTE HOST IDENTIFICATION HAS CHANGED|Host key for .* has changed/i)) {
    return new DeckhandError('host-key', `the host key of ${display} has changed since it was recorded in known_hosts`, {
      details,
      hint: 'this can mean a reinstalled server or a man-in-the-middle; confirm the new key out of band, then remove the old one with `ssh-keygen -R <host>`',
    });
  }
  if (has(/Host key verification failed|No \S+ host key is known/i)) {
    return new DeckhandError('host-key', `the host key of ${display} is not in known_hosts`, {
      details,
      hint: 'verify the key and add it (`ssh-keyscan -p PORT HOST >> ~/.ssh/known_hosts`), or pass --accept-new-host-key to trust it on first use',
    });
  }
  if (has(/Permission denied \(([^)]*)\)/)) {
    const methods = /Permission denied \(([^)]*)\)/.exec(stderr)?.[1] ?? '';
    const password = /password|keyboard-interactive/.test(methods);
    return new DeckhandError('auth', `authentication to ${display} failed (server offers: ${methods || 'unknown'})`, {
      details,
      hint: password
        ? 'the server would take a password, but deckhand never types passwords: install your public key (`ssh-copy-id`) or pass --identity FILE'
        : 'check the user name, load your key into ssh-agent or pass --identity FILE, and make sure it is in the user\'s authorized_keys',
    });
  }
  if (has(/Connection refused/i)) {
    return new DeckhandError('unreachable', `connection to ${display} was refused`, { details, hint: 'is sshd running and listening on that port? check the port in the target (user@host:port)' });
  }
  if (has(/timed out|Connection timed out|Operation timed out/i)) {
    return new DeckhandError('unreachable', `connection to ${display} timed out`, { details, hint: 'check the address, firewalls and that the host is up; raise the limit with --ssh-option ConnectTimeout=30' });
  }
  if (has(/Could not resolve hostname|Name or service not known|nodename nor servname/i)) {
    return new DeckhandError('unreachable', `the host name of ${display} could not be resolved`, { details, hint: 'check the spelling, DNS, or the Host alias in ~/.ssh/config' });
  }
  if (has(/No route to host|Network is unreachable|Connection closed by|Connection reset|kex_exchange_identification|Broken pipe/i)) {
    return new DeckhandError('unreachable', `could not talk to ${display}`, { details, hint: 'check the network path and that the port is an SSH server' });
  }
  if (has(/Bad configuration option|Bad port|Unsupported option|command-line line \d+/i)) {
    return new DeckhandError('usage', `the SSH client rejected its options for ${display}`, { details, hint: 'check --ssh-option values and ~/.ssh/config' });
  }
  return null;
}
