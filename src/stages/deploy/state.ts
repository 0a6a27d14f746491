// Reads the target's state for planning in one round trip, and fingerprints what a saved plan depends on.
import { createHash } from 'node:crypto';
import { DeckhandError, tail } from '../../core/errors.js';
import type { RunContext } from '../../core/context.js';
import { deployStateCommand } from '../../commands/deploy-state.js';
import type { TargetState } from './types.js';

export interface ProbedState extends TargetState { base: string }

export function parseState(stdout: string): ProbedState {
  const kv = new Map<string, string>();
  const sections = new Map<string, string[]>();
  let open: string | null = null;
  for (const line of stdout.split('\n')) {
    if (open !== null) {
      if (line === '@@end') { open = null; continue; }
      sections.get(open)?.push(line);
      continue;
    }
    const sec = /^@@(\w+)$/.exec(line);
    if (sec?.[1]) { open = sec[1]; sections.set(open, []); continue; }
    const eq = line.indexOf('=');
    if (eq > 0) kv.set(line.slice(0, eq), line.slice(eq + 1));
  }
  const text = (name: string): string | null => {
    const t = (sections.get(name) ?? []).join('\n').trim();
    return t.length > 0 ? t : null;
  };
  const tools: Record<string, boolean> = {};
  for (const [k, v] of kv) if (k.startsWith('tool.')) tools[k.slice(5)] = v === '1';
  const uid = Number(kv.get('uid'));
  if (!kv.has('user') || !Number.isInteger(uid) || !kv.get('base')) {
    throw new DeckhandError('internal', 'the target state probe printed something unexpected', { details: { stderrTail: tail(stdout) } });
  }
  const current = kv.get('current') ?? '';
  return {
    user: kv.get('user') ?? '', uid, home: kv.get('home') ?? '', hostname: kv.get('hostname') ?? '',
    sudo: kv.get('sudo') === '1', systemd: kv.get('systemd') === '1', rsync: tools.rsync === true, tools,
    base: kv.get('base') ?? '', baseExists: kv.get('base_exists') === '1',
    ledgerText: text('ledger'), lockText: text('lock'),
    currentTarget: current.length > 0 ? current : null,
    releaseDirs: (sections.get('releases') ?? []).map((l) => l.trim()).filter((l) => l.length > 0).sort(),
    unitHash: kv.get('unit') ? kv.get('unit') ?? null : null,
  };
}

export async function probeState(ctx: RunContext, app: string, baseOverride: string | null): Promise<ProbedState> {
  const r = await ctx.executor.run(deployStateCommand(app, baseOverride));
  if (r.failed) {
    throw new DeckhandError('unreachable', `could not read the state of ${ctx.executor.host.display}`, {
      details: { host: r.host, command: r.command, exitCode: r.exitCode, stderrTail: tail(r.stderr) },
      hint: 'run `deckhand check` against the same target to see what is missing',
    });
  }
  return parseState(r.rawStdout ?? r.stdout);
}

/** What a saved plan depends on: the ledger, the current link, the unit and the releases present. The lock is not part of it. */
export function stateSummary(s: ProbedState): Record<string, string> {
  return {
    base: s.base, user: s.user, sudo: String(s.sudo), ledger: s.ledgerText === null ? 'none' : createHash('sha256').update(s.ledgerText).digest('hex').slice(0, 12),
    current: s.currentTarget ?? 'none', unit: s.unitHash ?? 'none', releases: s.releaseDirs.join(',') || 'none',
  };
}

export function stateFingerprint(s: ProbedState): string {
  return createHash('sha256').update(JSON.stringify(stateSummary(s))).digest('hex').slice(0, 16);
}

/** What differs between two summaries, for the "changed since the plan" error. */
export function stateChanges(before: Record<string, string>, after: Record<string, string>): string[] {
  return Object.keys(after).filter((k) => before[k] !== after[k]).map((k) => `${k}: ${before[k] ?? '?'} → ${after[k]}`);
}
