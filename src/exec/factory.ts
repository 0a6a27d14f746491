// Builds the executor for a target: local, or SSH with the run's settings.
import type { Redactor } from '../core/redact.js';
import type { HostRef } from '../core/target.js';
import type { SshSettings } from '../commands/ssh.js';
import { LocalExecutor } from './local.js';
import { SshExecutor } from './ssh.js';
import type { Executor } from './types.js';

export function createExecutor(ref: HostRef, ssh: SshSettings, redactor: Redactor, signal?: AbortSignal): Executor {
  return ref.kind === 'local' ? new LocalExecutor(redactor, signal) : new SshExecutor(ref, ssh, redactor, signal);
}
