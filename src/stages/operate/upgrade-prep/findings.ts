// Findings of upgrade-prep: each fact with its status and evidence; could-not-check is UNKNOWN with the reason.
import type { Finding } from '../../../report/common.js';
import type { OpsUpgradePrepData } from '../../../report/ops/upgrade-prep.js';
import { opsFinding } from '../task-report.js';

type Data = OpsUpgradePrepData;

/** Evidence per area, already masked and bounded by the caller. */
export interface UpgradeEvidence { runtime: string; path: string; deps: string; outdated: string; migrations: string }

function runtimeFindings(d: Data, ev: UpgradeEvidence): Finding[] {
  const r = d.runtime;
  const name = r.name ?? 'runtime';
  const out: Finding[] = [];
  if (d.release.strategy === 'static') {
    return [opsFinding('runtime.running', 'runtime', 'Running runtime', 'skipped', r.running.problem ?? 'static site: no app runtime runs', { required: false })];
  }
  out.push(r.running.version
    ? opsFinding('runtime.running', 'runtime', 'Running runtime', 'pass', `${name} ${r.running.version}${r.running.pid ? ` runs as PID ${r.running.pid}` : ''}${r.running.exe ? ` (${r.running.exe})` : ''}`, { evidence: ev.runtime })
    : opsFinding('runtime.running', 'runtime', 'Running runtime', 'unknown', r.running.problem ?? 'not found', {
      evidence: ev.runtime, remedy: 'check that the app runs (deckhand verify) and that the connecting user is root or has passwordless sudo',
    }));
  if (!r.required.range) {
    out.push(opsFinding('runtime.range', 'runtime', 'Runtime the repository asks for', 'skipped', `the repository states no ${name} range: nothing to compare`, { required: false }));
  } else if (r.satisfies === null) {
    out.push(opsFinding('runtime.range', 'runtime', 'Runtime the repository asks for', 'unknown', `${name} ${r.required.range} asked; the running version ${r.running.version ? `${r.running.version} could not be compared with it` : 'is not known'}`, { evidence: r.required.evidence ?? undefined }));
  } else {
    out.push(opsFinding('runtime.range', 'runtime', 'Runtime the repository asks for', r.satisfies ? 'pass' : 'block',
      `${name} ${r.running.version} ${r.satisfies ? 'satisfies' : 'does not satisfy'} ${r.required.range}`, {
        evidence: r.required.evidence ?? undefined, remedy: `install ${name} ${r.required.range} on the target beside the current one, then deploy (step 1 of the plan checks it)`,
      }));
  }
  const s = r.support;
  const sStatus = s.status === 'supported' ? 'pass' : s.status === 'unknown' ? 'unknown' : 'warn';
  out.push(opsFinding('runtime.support', 'runtime', 'Runtime support', sStatus, s.note, {
    required: false, ...(s.source ? { evidence: `table row: ${s.line} → end of life ${s.endOfLife} (${s.source})` } : {}),
    remedy: s.status === 'unknown' ? `look up ${name} ${s.line ?? ''} on its vendor's lifecycle page`.replace(/ +/g, ' ') : `plan the move to a supported ${name} line`,
  }));
  if (r.running.replacedOnDisk || (r.running.version && r.onPath?.version && r.onPath.version !== r.running.version)) {
    out.push(opsFinding('runtime.restart-pending', 'runtime', 'Runtime on disk', 'warn',
      r.running.replacedOnDisk ? 'the executable the app runs was replaced on disk since it started: the next restart runs another build'
        : `the next start runs ${name} ${r.onPath?.version} while ${r.running.version} runs now: a restart changes the runtime`,
      { evidence: ev.path, remedy: 'treat the next restart as a runtime upgrade: deploy it with the plan below rather than restarting in place' }));
  }
  return out;
}

function dependencyFindings(d: Data, ev: UpgradeEvidence): Finding[] {
  const deps = d.dependencies;
  const out: Finding[] = [];
  out.push(deps.problem
    ? opsFinding('deps.installed', 'dependencies', 'Installed dependencies', 'unknown', deps.problem, { evidence: ev.deps })
    : opsFinding('deps.installed', 'dependencies', 'Installed dependencies', 'pass', `${deps.list.length} direct dependencies read from ${deps.source}${deps.transitive > 0 ? `, ${deps.transitive} other installed` : ''}`, { evidence: ev.deps }));
  const o = deps.outdated;
  if (o.status === 'skipped') out.push(opsFinding('deps.outdated', 'dependencies', 'Outdated dependencies', 'skipped', o.reason ?? 'not asked', { required: false }));
  else if (o.status === 'unknown') {
    out.push(opsFinding('deps.outdated', 'dependencies', 'Outdated dependencies', 'unknown', o.reason ?? 'not known', {
      evidence: ev.outdated, remedy: 'run it where the registry is reachable, or point it at a mirror with --registry URL (--offline skips it)',
    }));
  } else {
    const count = (b: string): number => o.list.filter((x) => x.bump === b).length;
    const summary = o.list.length === 0 ? 'every dependency is at its latest version'
      : `${o.list.length} outdated: ${count('major')} major, ${count('minor')} minor, ${count('patch')} patch${count('unknown') + count('prerelease') > 0 ? `, ${count('unknown') + count('prerelease')} other` : ''}`;
    out.push(opsFinding('deps.outdated', 'dependencies', 'Outdated dependencies', o.list.length === 0 ? 'pass' : 'warn', summary, {
      evidence: ev.outdated, remedy: 'update in the repository, run its tests, then deploy with the plan below; read the changelogs of major updates first',
    }));
  }
  return out;
}

function migrationFinding(d: Data, ev: UpgradeEvidence): Finding {
  const m = d.migrations;
  const title = 'Pending migrations';
  switch (m.status) {
    case 'not-detectable': return opsFinding('migrations', 'migrations', title, 'skipped', `not detectable: ${m.reason ?? ''}`, { required: false });
    case 'unknown': return opsFinding('migrations', 'migrations', title, 'unknown', `${m.tool}: ${m.reason ?? ''}`, { required: false, evidence: ev.migrations, remedy: 'run the status command by hand in the release with the app\'s environment' });
    case 'up-to-date': return opsFinding('migrations', 'migrations', title, 'pass', `${m.tool}: no pending migrations`, { evidence: ev.migrations });
    default: return opsFinding('migrations', 'migrations', title, 'warn', `${m.tool}: ${m.pending.length} pending (${m.pending.slice(0, 5).join(', ')}${m.pending.length > 5 ? ', …' : ''})`, {
      evidence: ev.migrations, remedy: 'back up the database first; apply them with the deploy (--migrate) only if the release still serving works with the new schema',
    });
  }
}

function planFinding(d: Data): Finding {
  const p = d.plan;
  const deploy = p.steps.find((s) => s.command?.startsWith('deckhand deploy'))?.command;
  if (p.zeroDowntime === true) return opsFinding('plan.zero-downtime', 'plan', 'Zero-downtime deploy', 'pass', p.note, { evidence: deploy ?? undefined });
  if (p.zeroDowntime === null) return opsFinding('plan.zero-downtime', 'plan', 'Zero-downtime deploy', 'unknown', p.note, { required: false, evidence: deploy ?? undefined });
  return opsFinding('plan.zero-downtime', 'plan', 'Zero-downtime deploy', 'warn', p.note, { evidence: deploy ?? undefined, remedy: deploy ?? 'deploy with --zero-downtime' });
}

export function upgradeFindings(d: Data, ev: UpgradeEvidence): Finding[] {
  return [...runtimeFindings(d, ev), ...dependencyFindings(d, ev), migrationFinding(d, ev), planFinding(d)];
}
