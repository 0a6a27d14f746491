// The zero-downtime upgrade plan: ordered steps with the exact deckhand commands, shaped by how the app's strategy replaces a release.
import { shJoin } from '../../../core/command.js';
import type { UpgradePlan } from '../../../report/ops/upgrade-prep.js';

export interface UpgradePlanInput {
  /** The target as the operator wrote it. */
  target: string;
  app: string;
  repo: string;
  /** --base-dir when the operator gave one (it must be repeated in every command). */
  baseDir: string | null;
  strategy: string;
  /** pm2's exec mode of the running instances, when the strategy is pm2. */
  pm2Mode: string | null;
  /** An nginx upstream for the app exists (compose deployed with --zero-downtime puts its container behind it). */
  behindNginx: boolean;
  runtime: string | null;
  /** Datastores discovery found in the repository. */
  datastores: readonly string[];
  migrations: { tool: string | null; pending: number; detectable: boolean };
  /** The migration command discovery found (deploy --migrate runs it), or null. */
  migrateCommand: string | null;
  currentRelease: string;
}

interface Replacement { zeroDowntime: boolean | null; note: string; deployFlags: string[] }

/** How a deploy with the current strategy replaces the running release, and the flags that make it seamless. */
export function replacementFor(i: UpgradePlanInput): Replacement {
  const zd = (s: string, why: string): Replacement => ({
    zeroDowntime: false, note: `${why} Deploy with --zero-downtime: ${s}.`, deployFlags: ['--strategy', i.strategy, '--zero-downtime'],
  });
  switch (i.strategy) {
    case 'blue-green':
      return { zeroDowntime: true, note: 'blue-green: the new release starts on the idle slot and is health-checked before nginx switches to it; the old slot then drains.', deployFlags: ['--strategy', 'blue-green'] };
    case 'systemd':
      return zd('two systemd slots behind nginx (blue-green), the same unit settings', `systemd restarts ${i.app}.service in place: requests fail until the new process listens.`);
    case 'docker':
      return zd('two containers behind nginx (blue-green)', `docker replaces the ${i.app} container in place: requests fail until the new one listens.`);
    case 'pm2': {
      if (i.pm2Mode === 'cluster_mode' || i.pm2Mode === 'cluster') {
        const node = i.runtime === 'node'
          ? ' Cluster workers start with the pm2 daemon\'s own node executable: a Node.js installed beside the old one reaches them only once the daemon restarts on it (`pm2 update` restarts every app), so deploy a runtime upgrade with --zero-downtime instead.'
          : '';
        return { zeroDowntime: true, note: `pm2 (cluster mode) reloads the app one worker at a time.${node}`, deployFlags: ['--strategy', 'pm2'] };
      }
      if (i.pm2Mode === null) return { zeroDowntime: null, note: 'pm2: the exec mode of the running instances is not known, so whether a reload keeps serving is not known. Deploy with --zero-downtime to be sure.', deployFlags: ['--strategy', 'pm2', '--zero-downtime'] };
      return zd('two pm2 apps behind nginx (blue-green)', `pm2 runs ${i.app} in ${i.pm2Mode}: a reload restarts it in place.`);
    }
    case 'compose':
      if (i.behindNginx) return { zeroDowntime: true, note: 'compose behind nginx: the service container is replaced and health-checked before nginx sends it traffic.', deployFlags: ['--strategy', 'compose', '--zero-downtime'] };
      return zd('the service container is replaced behind nginx', 'docker compose recreates the app\'s containers in place: requests fail until they listen again.');
    case 'static':
      return { zeroDowntime: true, note: 'static: nginx serves the new files after the atomic switch of current; no process restarts.', deployFlags: ['--strategy', 'static'] };
    default:
      return { zeroDowntime: null, note: `${i.strategy}: the repository's own deploy script decides how the release is replaced; deckhand cannot tell whether it restarts in place.`, deployFlags: ['--strategy', i.strategy] };
  }
}

/** The ordered steps: check → back up → migrations → deploy → verify → watch → rollback entry. Pure. */
export function buildUpgradePlan(i: UpgradePlanInput): UpgradePlan {
  const where = [i.target, '--name', i.app, ...(i.baseDir ? ['--base-dir', i.baseDir] : [])];
  const r = replacementFor(i);
  const steps: UpgradePlan['steps'] = [];
  steps.push({
    title: 'Check the target against the upgraded repository',
    command: `${shJoin(['deckhand', 'discover', i.repo, '--json'])} > brief.json && ${shJoin(['deckhand', 'check', i.target, '--brief', 'brief.json', '--app', i.app, ...(i.baseDir ? ['--base-dir', i.baseDir] : [])])}`,
    detail: `Changes nothing: shows whether the host meets the new release's runtime range${i.runtime ? ` (${i.runtime})` : ''}, tools and ports before anything is replaced. Install a new runtime beside the old one: the running release keeps its process until it is replaced.`,
  });
  steps.push(i.datastores.length > 0
    ? {
      title: `Back up ${i.datastores.join(', ')} and prove the backup restores`, command: shJoin(['deckhand', 'ops', 'backup-verify', '--dump', 'DUMP_FILE']),
      detail: 'Take the dump (pg_dump -Fc, mysqldump) right before the upgrade; a backup that was never restored is not a rollback point for the data.',
    }
    : { title: 'Back up the data', command: null, detail: 'Discovery found no datastore in the repository: nothing to back up for this app.' });
  const m = i.migrations;
  if (m.pending > 0 || i.migrateCommand) {
    steps.push({
      title: m.pending > 0 ? `Apply the ${m.pending} pending migration(s) with the deploy` : 'Run the new release\'s migrations with the deploy',
      command: null,
      detail: `${i.migrateCommand ? `deploy --migrate runs \`${i.migrateCommand}\` after the switch. ` : 'Discovery found no migration command: run it by hand after the backup. '}`
        + 'The release still serving must work with the new schema (add now, remove in a later release); rollback does not undo a migration: the backup does.',
    });
  } else {
    steps.push({
      title: 'Migrations', command: null,
      detail: m.detectable ? `${m.tool ?? 'The migration tool'} reports nothing pending.` : 'Pending migrations are not detectable here: review the new release for schema changes before deploying.',
    });
  }
  steps.push({
    title: r.zeroDowntime === true ? 'Deploy the new release without downtime' : 'Deploy the new release with --zero-downtime',
    command: shJoin(['deckhand', 'deploy', i.target, '--repo', i.repo, '--name', i.app, ...(i.baseDir ? ['--base-dir', i.baseDir] : []), ...r.deployFlags, ...(i.migrateCommand ? ['--migrate'] : [])]),
    detail: r.note,
  });
  steps.push({ title: 'Verify the new release', command: shJoin(['deckhand', 'verify', ...where]), detail: 'Process, port, health, logs and dependencies: VERIFIED before the watch window starts.' });
  steps.push({
    title: 'Watch window', command: shJoin(['deckhand', 'ops', 'inspect', ...where]),
    detail: `Repeat over the first hour: new log patterns against the baseline, restarts, memory (${shJoin(['deckhand', 'ops', 'resources', ...where, '--watch', '10m'])}). Keep the old runtime installed and the backup until the window closes.`,
  });
  steps.push({
    title: 'Rollback entry', command: shJoin(['deckhand', 'rollback', ...where]),
    detail: `After the upgrade this restores ${i.currentRelease} (what serves now) with its env file and unit. It restores the release, not the host's runtime and not the database.`,
  });
  return { strategy: i.strategy, zeroDowntime: r.zeroDowntime, note: r.note, steps };
}
