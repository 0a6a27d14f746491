// Risks and blockers derived from the resolved brief, plus those detectors reported directly.
import type { BriefData } from '../../report/brief.js';
import { ofKind } from './resolve.js';
import { containerDevServers, isStatic } from './strategy.js';
import type { Signal } from './types.js';

type Risk = BriefData['risks'][number];

/**
 * `app: false` when the brief describes a workspace root that only fans out to its members: it needs no start
 * command or port of its own, so their absence is no risk.
 */
export function deriveRisks(signals: readonly Signal[], b: Omit<BriefData, 'risks' | 'strategies' | 'strategy' | 'ports' | 'runtimes' | 'env' | 'stats'>, opts: { app: boolean } = { app: true }): Risk[] {
  // A detector sees only its own files: its "only a dev server" warning is moot once deployment material
  // (Procfile web:, a systemd unit, a Dockerfile CMD …) gives a production start.
  const deployedStart = ofKind(signals, 'command').some((c) => c.role === 'start' && c.production && c.source === 'deploy-material');
  // "add X for the recommended start command (…)" only matters when that recommendation is the start the brief chose.
  const unusedRecommendation = (m: string): boolean => {
    const rec = /for the recommended start command \((.*)\)$/.exec(m)?.[1];
    return rec !== undefined && rec !== b.commands.start?.value.command;
  };
  const out: Risk[] = ofKind(signals, 'risk').filter((r) => !(deployedStart && /only a dev server/.test(r.message)) && !unusedRecommendation(r.message))
    .map((r) => ({ severity: r.severity, message: r.message, evidence: r.evidence.slice(0, 3) }));
  const has = (m: RegExp): boolean => out.some((r) => m.test(r.message));
  for (const e of b.envVars) {
    if (e.required === true && !e.hasExample) {
      out.push({ severity: 'warning', message: `required variable ${e.name} has no example and no default${e.secret ? ' (looks like a secret)' : ''}`, evidence: e.evidence.slice(0, 2) });
    }
  }
  const runsProcess = opts.app && b.stack.ecosystem !== null && !isStatic(b);
  // Detectors word their own dev-server risk ("only a dev server is in the repo …"): one warning, not two.
  if (runsProcess && !b.commands.start?.value.production && !has(/production start command|only a dev server/)) {
    out.push({ severity: 'warning', message: b.commands.start || b.commands.dev ? `production start command needed: only a dev server (${(b.commands.start ?? b.commands.dev)?.value.command}) was found` : 'no start command found', evidence: (b.commands.start ?? b.commands.dev)?.evidence ?? [] });
  }
  // A container that runs a dev server still deploys, but serves a debug loop (reloader, debug pages, unoptimised builds).
  if (runsProcess) {
    for (const d of containerDevServers(b.artifacts)) {
      out.push({ severity: 'warning', message: `the container runs a dev server (${d.command}, ${d.path}): give it a production command before deploying it with ${d.strategy}`, evidence: [{ file: d.path, line: null }] });
    }
  }
  if (runsProcess && !b.port) out.push({ severity: 'warning', message: 'port unknown: nothing in the repo says where the app listens', evidence: [] });
  for (const c of b.conflicts) {
    out.push({ severity: 'warning', message: `sources disagree on ${c.field}: ${c.values.map((v) => `${v.value} (${v.source}${v.evidence[0] ? `, ${v.evidence[0].file}${v.evidence[0].line ? `:${v.evidence[0].line}` : ''}` : ''})`).join(' vs ')}; using ${c.chosen}`, evidence: c.values.flatMap((v) => v.evidence).slice(0, 3) });
  }
  if (b.commands.migrate && b.datastores.length > 0) {
    const m = b.commands.migrate.value.command;
    // Flyway/Liquibase wired into the app migrate as it starts: the deploy cannot run them separately.
    const atStart = /runs at application start/.test(m);
    out.push({
      severity: 'warning',
      message: atStart ? `the database is migrated when the app starts (${m.replace(/\s*\(runs at application start\)/, '')}): back it up before the release` : `the database needs migrations: run \`${m}\` before the new release serves traffic`,
      evidence: b.commands.migrate.evidence,
    });
  }
  return out;
}
