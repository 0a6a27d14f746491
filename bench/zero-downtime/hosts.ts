// Where a scenario deploys and where its load runs: a lab host over SSH (the load on its own loopback) or this machine.
import { labHostOf, sshArgs, type LabHostName, type LabState } from '../../test/lab/lab.js';
import { labSshFlags } from '../../test/helpers/cli.js';
import { runProcess, type ProcResult } from './proc.js';

export interface BenchHost {
  /** For messages: "node20 (deploy@127.0.0.1:2220)", "this machine". */
  label: string;
  /** True when it is this machine: files for it live in the benchmark's work directory. */
  local: boolean;
  /** deckhand's target and the flags that reach it. */
  target: string;
  targetFlags: string[];
  /** Runs a shell command there (as the deploying user; root work through `sudo -n` where that user is not root). */
  sh(command: string, timeoutMs?: number): Promise<ProcResult>;
  /** Writes a file there. */
  put(path: string, content: Buffer): Promise<void>;
  /** argv that runs `command` there with stdin, stdout and stderr connected to this process. */
  argv(command: string): [string, string[]];
}

function failed(what: string, r: ProcResult): Error {
  return new Error(`${what} failed (exit ${r.code ?? r.signal ?? '?'}${r.timedOut ? ', timed out' : ''}): ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' | ')}`);
}

/** A lab host as `user`; deckhand reaches it with the lab's key and known_hosts. */
export function labHost(lab: LabState, name: LabHostName, user: string): BenchHost {
  const h = labHostOf(lab, name);
  const ssh = (command: string): [string, string[]] => ['ssh', [...sshArgs(h, user), command]];
  return {
    label: `${name} (${user}@${h.host}:${h.port})`,
    local: false,
    target: `ssh://${user}@${h.host}:${h.port}`,
    targetFlags: labSshFlags(lab),
    sh: (command, timeoutMs = 120_000) => runProcess(...ssh(command), { timeoutMs }),
    async put(path, content) {
      const r = await runProcess(...ssh(`cat > '${path}'`), { timeoutMs: 60_000, stdin: content });
      if (r.code !== 0) throw failed(`writing ${path} on ${name}`, r);
    },
    argv: ssh,
  };
}

/**
 * This machine (the lab's Docker host is its own sshd): deckhand still deploys over SSH as a user would, while
 * the benchmark's own shell work and the load run here directly.
 */
export function thisMachine(lab: LabState | null, deployOverSsh: boolean): BenchHost {
  const h = lab?.hosts.docker;
  return {
    label: deployOverSsh && h ? `docker (root@${h.host}:${h.port}, this machine)` : 'this machine (local)',
    local: true,
    target: deployOverSsh && h ? `ssh://root@${h.host}:${h.port}` : 'local',
    targetFlags: deployOverSsh && lab ? labSshFlags(lab) : [],
    sh: (command, timeoutMs = 120_000) => runProcess('sh', ['-c', command], { timeoutMs }),
    async put(path, content) {
      const r = await runProcess('sh', ['-c', 'cat > "$1"', 'put', path], { timeoutMs: 60_000, stdin: content });
      if (r.code !== 0) throw failed(`writing ${path}`, r);
    },
    argv: (command) => ['sh', ['-c', command]],
  };
}
