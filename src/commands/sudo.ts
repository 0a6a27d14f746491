// Wraps a command in `sudo -n` when the connecting user is not root: never prompts, fails fast instead.
import type { Command } from '../core/command.js';

export function asRoot(cmd: Command, sudo: boolean): Command {
  return sudo ? { ...cmd, argv: ['sudo', '-n', '--', ...cmd.argv] } : cmd;
}

/** Runs a command as another user (the service user), through sudo or runuser when already root. */
export function asUser(cmd: Command, user: string, how: 'sudo' | 'runuser' | 'self'): Command {
  if (how === 'self') return cmd;
  if (how === 'runuser') return { ...cmd, argv: ['runuser', '-u', user, '--', ...cmd.argv] };
  return { ...cmd, argv: ['sudo', '-n', '-u', user, '--', ...cmd.argv] };
}
