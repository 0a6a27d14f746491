// Pure helm builders: upgrade --install with the release tag and --wait, the release's revision, rollback to a revision.
import type { Command } from '../core/command.js';

export interface HelmTarget { release: string; namespace: string; context: string }

const MARGIN_MS = 30_000;

function scope(t: HelmTarget): string[] {
  return ['--namespace', t.namespace, '--kube-context', t.context];
}

/**
 * Installs or upgrades the release. --wait makes helm wait for the rollout; --timeout bounds it (helm has no
 * per-request timeout: this is its deadline for the whole operation).
 */
export function helmUpgradeCommand(t: HelmTarget, chart: string, values: readonly string[], set: Readonly<Record<string, string>>, timeoutSec: number): Command {
  return {
    argv: [
      'helm', 'upgrade', '--install', t.release, chart, ...scope(t), ...values.flatMap((v) => ['-f', v]),
      ...Object.entries(set).flatMap(([k, v]) => ['--set', `${k}=${v}`]), '--wait', '--timeout', `${timeoutSec}s`,
    ],
    mutates: true, timeoutMs: timeoutSec * 1000 + MARGIN_MS,
  };
}

/** The release's last revision as JSON (`[{"revision":N,…}]`); exit 1 with "release: not found" before the first install. */
export function helmHistoryCommand(t: HelmTarget): Command {
  return { argv: ['helm', 'history', t.release, ...scope(t), '--max', '1', '-o', 'json'], mutates: false, timeoutMs: 60_000 };
}

export function helmRollbackCommand(t: HelmTarget, revision: number, timeoutSec: number): Command {
  return { argv: ['helm', 'rollback', t.release, String(revision), ...scope(t), '--wait', '--timeout', `${timeoutSec}s`], mutates: true, timeoutMs: timeoutSec * 1000 + MARGIN_MS };
}

export function helmVersionCommand(): Command {
  return { argv: ['helm', 'version', '--short'], mutates: false, timeoutMs: 15_000 };
}

/** The revision number in `helm history -o json` output, or null when it cannot be read. */
export function parseHelmRevision(stdout: string): number | null {
  try {
    const rows = JSON.parse(stdout) as unknown;
    const last = Array.isArray(rows) ? rows[rows.length - 1] as { revision?: unknown } | undefined : undefined;
    return typeof last?.revision === 'number' && Number.isInteger(last.revision) ? last.revision : null;
  } catch { return null; }
}
