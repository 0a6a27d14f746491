// Builds the Execution Plan: pure, from the spec and the target state; every destructive step says its impact, undo and check.
import { createHash } from 'node:crypto';
import { DeckhandError } from '../../core/errors.js';
import { asRoot } from '../../commands/sudo.js';
import {
  chownSharedCommand, ensureServiceUserCommand, makeLayoutCommand, ownBaseCommand, removeReleasesCommand, runInDirCommand, snapshotCommand,
  switchCurrentCommand,
} from '../../commands/release.js';
import { removeCurrentCommand, restoreCommand } from '../../commands/release.js';
import { waitHealthyCommand } from '../../commands/health.js';
import { currentRelease, parseLedger, pruneCandidates } from './ledger.js';
import { layoutFor, newReleaseId } from './layout.js';
import { stateFingerprint, stateSummary, type ProbedState } from './state.js';
import { plannerFor } from './strategies/index.js';
import type { PlanContext } from './strategies/types.js';
import type { Action, DeploySpec, Plan, Step } from './types.js';

const MIN = 60_000;

export interface PlanInput {
  spec: DeploySpec;
  state: ProbedState;
  target: string;
  now: Date;
  /** Env file content will be supplied at apply time (a file, names, or a file on the target). */
  envProvided: 'content' | 'remote-file' | 'none';
  remoteEnvFile?: string;
  /** Where build: local stages its copy (default /tmp). */
  stagingRoot?: string;
}

function releaseOf(currentTarget: string | null): string | null {
  const m = currentTarget ? /(?:^|\/)releases\/([^/]+)\/?$/.exec(currentTarget) : null;
  return m?.[1] ?? null;
}

/** The steps shared by every host strategy around the strategy's own (prepare → switch → start → finalize). */
export function planDeploy(input: PlanInput): Plan {
  const { spec, state, now } = input;
  const layout = layoutFor(state.base);
  const { ledger, error } = parseLedger(state.ledgerText, spec.app);
  if (error) {
    throw new DeckhandError('config', `the release ledger ${layout.ledger} is corrupt: ${error}`, {
      hint: 'inspect it by hand; deckhand will not overwrite a ledger it cannot read (rollback depends on it)',
    });
  }
  const sudo = state.uid !== 0 && state.sudo;
  const root = (c: Parameters<typeof asRoot>[0]): ReturnType<typeof asRoot> => asRoot(c, sudo);
  const releaseId = newReleaseId(now, spec.commit, state.releaseDirs);
  const previousId = currentRelease(ledger)?.id ?? releaseOf(state.currentTarget);
  const ctx: PlanContext = { spec, layout, state, releaseId, previousId, sudo, root };
  const strategy = plannerFor(spec.strategy);
  const why = strategy.unsupported(ctx);
  if (why) throw new DeckhandError('usage', `${state.hostname || input.target} cannot run the ${spec.strategy} strategy: ${why}`, { hint: `run \`deckhand check ${input.target} --strategy ${spec.strategy}\` to see what is missing` });

  const warnings: string[] = [];
  if (spec.dirty) warnings.push('the working tree has uncommitted changes: the release records the commit, but the files shipped differ from it');
  if (!spec.commit) warnings.push('not a git repository: the release has no commit to record');
  if (spec.port === null) warnings.push('no port known: the post-start check can only see that the process stays up');
  const releaseDir = layout.release(releaseId);
  const record = layout.record(releaseId);
  // A service user runs systemd units (blue-green's systemd slots too); pm2 and containers run as the connecting user.
  const systemUser = spec.strategy === 'systemd' || (spec.strategy === 'blue-green' && (spec.blueGreen?.runner ?? 'systemd') === 'systemd');
  // The port clients reach: nginx's in front of the slots for blue-green. Checked after the start, recorded in the ledger and the handoff.
  const served = spec.blueGreen?.proxyPort ?? spec.port;
  // The env file belongs to whoever runs the app: the service user (systemd), else the connecting user even when root work goes through sudo.
  const owner = systemUser ? spec.serviceUser : sudo ? state.user : null;
  const steps: Step[] = [];

  // prepare: nothing here touches what is serving now.
  steps.push({
    id: 'layout', title: `Create ${releaseDir}`, phase: 'prepare', destructive: false,
    actions: [
      { type: 'run', command: makeLayoutCommand(layout.base, releaseDir, record) },
      ...(systemUser ? [
        { type: 'run' as const, command: root(ensureServiceUserCommand(spec.serviceUser, layout.base)) },
        { type: 'run' as const, command: root(chownSharedCommand(layout.base, spec.serviceUser)) },
      ] : []),
    ],
  });
  const known = new Set(ledger.releases.map((r) => r.id));
  const linked = releaseOf(state.currentTarget);
  const managed = strategy.managedFiles(ctx);
  const wait = waitHealthyCommand({ aliveCheck: strategy.aliveCheck(ctx), port: served, path: spec.healthPath, timeoutSec: Math.ceil(spec.startTimeoutMs / 1000), successes: 3 });
  const restoreFrom = (id: string): Action[] => [
    { type: 'run', command: root(restoreCommand(layout.record(id), [
      { to: layout.envFile, name: 'env', mode: '0600', ...(owner ? { owner } : {}) },
      ...managed.map((m) => ({ to: m.path, name: m.name, mode: m.mode })),
    ])) },
    { type: 'run', command: switchCurrentCommand(layout.base, id) },
    ...strategy.startCommands(ctx).map((command) => ({ type: 'run' as const, command })),
    { type: 'run', command: wait },
  ];
  if (linked && previousId && linked !== previousId && !known.has(linked)) {
    // An interrupted deploy switched `current` (and maybe restarted) but never recorded the release.
    steps.push({
      id: 'repair', title: `Repair an interrupted deploy: current points at ${linked}, which never went live; restore ${previousId}`,
      phase: 'prepare', destructive: true,
      impact: `restarts ${spec.app} on ${previousId}, the release the ledger says is current`, undo: 'none needed: this restores the recorded state',
      verify: 'the service answers its health check on the restored release', actions: restoreFrom(previousId),
    });
  }
  const leftovers = state.releaseDirs.filter((d) => !known.has(d) && (d !== linked || (previousId !== null && linked !== previousId)));
  if (leftovers.length > 0) {
    steps.push({
      id: 'leftovers', title: `Remove unfinished releases left by an interrupted deploy: ${leftovers.join(', ')}`, phase: 'prepare', destructive: false,
      actions: [{ type: 'run', command: removeReleasesCommand(layout.base, leftovers) }],
    });
    warnings.push(`an earlier deploy was interrupted: ${leftovers.join(', ')} never went live and will be removed`);
  }
  // Container strategies install and build inside the image (Dockerfile), never on the host or here.
  const inImage = spec.strategy === 'docker' || spec.strategy === 'compose' || spec.strategy === 'swarm' || spec.blueGreen?.runner === 'docker';
  const hostCommands = [spec.commands.install, spec.commands.build].filter((c): c is string => c !== null);
  if (inImage && (hostCommands.length > 0 || spec.build === 'local')) warnings.push(`${spec.strategy}: install and build run in the image build, so ${[...hostCommands, ...(spec.build === 'local' ? ['build: local'] : [])].join(', ')} is not used`);
  const useLocalBuild = spec.build === 'local' && !inImage;
  // build: local installs and builds in a staging copy here, then ships the result (dependencies and build output included).
  const stage = `${input.stagingRoot ?? '/tmp'}/deckhand-stage-${spec.app}-${releaseId}`;
  if (useLocalBuild) {
    const local = [spec.commands.install, spec.commands.build].filter((c): c is string => c !== null);
    steps.push({
      id: 'build-local', title: `Build here in ${stage}: ${local.length > 0 ? local.join(' && ') : 'copy only'}`, phase: 'prepare', destructive: false,
      actions: [
        { type: 'local-transfer', from: spec.sourceDir, to: stage, excludes: ['node_modules/', '.venv/', ...spec.excludes] },
        ...local.map((c) => ({ type: 'local-run' as const, command: runInDirCommand(stage, c, { timeoutMs: 20 * MIN }) })),
      ],
    });
  }
  steps.push({
    id: 'upload', title: `Upload ${useLocalBuild ? stage : spec.sourceDir} (${state.rsync ? 'rsync' : 'tar stream'} over the open connection)`, phase: 'prepare', destructive: false, retry: 2,
    actions: [useLocalBuild
      ? { type: 'transfer', from: stage, to: releaseDir, excludes: [...spec.excludes], gitignore: false }
      : { type: 'transfer', from: spec.sourceDir, to: releaseDir, excludes: ['node_modules/', '.venv/', ...spec.excludes], gitignore: true }],
  });
  if (!useLocalBuild && !inImage && spec.commands.install) {
    steps.push({ id: 'install', title: `Install dependencies: ${spec.commands.install}`, phase: 'prepare', destructive: false, retry: 2,
      actions: [{ type: 'run', command: runInDirCommand(releaseDir, spec.commands.install, { timeoutMs: 20 * MIN }) }] });
  }
  if (!useLocalBuild && !inImage && spec.commands.build) {
    steps.push({ id: 'build', title: `Build: ${spec.commands.build}`, phase: 'prepare', destructive: false,
      actions: [{ type: 'run', command: runInDirCommand(releaseDir, spec.commands.build, { timeoutMs: 20 * MIN }) }] });
  }
  if (previousId) {
    steps.push({
      id: 'rollback-point', title: `Rollback point: record the env file and ${managed.map((m) => m.path).join(', ')} in force for ${previousId}`,
      phase: 'prepare', destructive: false,
      actions: [{ type: 'run', command: root(snapshotCommand(layout.record(previousId), [{ from: layout.envFile, name: 'env' }, ...managed.map((m) => ({ from: m.path, name: m.name }))])) }],
    });
  }
  steps.push(...strategy.prepare(ctx));

  // switch: from here on a failure reverts to the previous release.
  if (input.envProvided !== 'none') {
    steps.push({
      id: 'env', title: `Write ${layout.envFile} (mode 0600${owner ? `, owner ${owner}` : ''}): ${spec.envNames.length > 0 ? spec.envNames.join(', ') : 'names from the env file'}`,
      phase: 'switch', destructive: true,
      impact: 'replaces the environment the service starts with', undo: 'the previous env file is in the rollback point; rollback restores it',
      verify: 'the service starts and answers its health check with it',
      actions: [{ type: 'write-env', path: layout.envFile, owner, sudo }],
    });
  }
  steps.push(...strategy.activate(ctx));
  steps.push({
    id: 'switch', title: `Switch ${layout.current} → releases/${releaseId}`, phase: 'switch', destructive: true,
    impact: 'the next start runs the new code', undo: previousId ? `switch back to releases/${previousId}` : 'remove current (first release)',
    verify: 'readlink current after the rename',
    actions: [{ type: 'run', command: switchCurrentCommand(layout.base, releaseId) }],
  });
  if (spec.commands.migrate) {
    steps.push({
      id: 'migrate', title: `Migrate: ${spec.commands.migrate}`, phase: 'switch', destructive: true,
      impact: 'changes the database schema; older code may not run against it', undo: 'not undone by rollback: restore the database from a backup taken before (pg_dump/mysqldump)',
      verify: 'the command exits 0 and the service then passes its health check',
      actions: [{ type: 'run', command: runInDirCommand(layout.current, spec.commands.migrate, { envFile: layout.envFile, timeoutMs: 30 * MIN }) }],
    });
  }
  const startCmds = strategy.startCommands(ctx);
  steps.push({
    id: 'start', title: `Start ${spec.app} on the new release (${spec.strategy})`, phase: 'start', destructive: true,
    impact: spec.strategy === 'pm2' ? 'pm2 reloads the app (cluster mode: one worker at a time)'
      : spec.strategy === 'static' ? 'nginx reloads gracefully (old workers finish their requests); the site serves the new release'
      : spec.strategy === 'script' ? `runs ${spec.script?.deploy ?? 'the deploy script'} on the target: it changes whatever the script changes`
      : spec.strategy === 'blue-green' ? 'the new release starts on the idle slot and gets traffic only once healthy (graceful nginx reload); the old slot finishes its requests before it stops'
      : spec.strategy === 'swarm' ? `the engine replaces ${spec.swarm?.updateParallelism ?? 1} task(s) at a time, start-first: a new task must be healthy before an old one stops; a failure within ${spec.swarm?.updateMonitor ?? '10s'} makes the engine roll back to the previous image`
      : spec.composeFront ? `a new ${spec.composeFront.service} container starts beside the old one and gets traffic only once healthy (graceful nginx reload on port ${spec.composeFront.proxyPort}); the old container finishes its requests before it is removed; other services are left running`
      : 'the service restarts: requests in flight during the restart fail (blue-green avoids this)',
    undo: previousId ? `automatic: on failure deckhand restores ${previousId} and restarts it` : 'the service is stopped (no earlier release)',
    verify: `${served !== null ? `GET http://127.0.0.1:${served}${spec.healthPath ?? '/'} answers 2xx/3xx` : 'the process stays up'} 3 times in a row within ${Math.round(spec.startTimeoutMs / 1000)}s`,
    actions: startCmds.map((command) => ({ type: 'run' as const, command })),
  });
  steps.push({
    id: 'wait-healthy', title: 'Wait until it is up and healthy', phase: 'start', destructive: false,
    actions: [{ type: 'run', command: wait }],
  });

  // finalize: bookkeeping only.
  const prune = pruneCandidates(ledger, state.releaseDirs, Math.max(spec.keep - 1, 1), [releaseId, ...(previousId ? [previousId] : [])]);
  steps.push({ id: 'ledger', title: `Record ${releaseId} as current in ${layout.ledger}`, phase: 'finalize', destructive: false, actions: [] });
  if (prune.length > 0) {
    steps.push({
      id: 'prune', title: `Prune old releases beyond ${spec.keep}: ${prune.join(', ')}`, phase: 'finalize', destructive: true,
      impact: 'those releases can no longer be rolled back to', undo: 'none (deploy them again from their commit)', verify: 'never the current or the previous release',
      actions: [{ type: 'run', command: removeReleasesCommand(layout.base, prune) }],
    });
  }

  const body = {
    target: input.target, app: spec.app, strategy: spec.strategy, releaseId, previousRelease: previousId, commit: spec.commit,
    steps, fingerprint: stateFingerprint(state),
  };
  const id = createHash('sha256').update(JSON.stringify(body)).digest('hex').slice(0, 12);
  return {
    schemaVersion: 1, kind: 'deckhand-plan', id, createdAt: now.toISOString(), target: input.target, app: spec.app, strategy: spec.strategy,
    releaseId, previousRelease: previousId, commit: spec.commit, dirty: spec.dirty,
    layout: { base: layout.base, current: layout.current, envFile: layout.envFile },
    stateFingerprint: stateFingerprint(state), stateSummary: stateSummary(state), useSudo: sudo, steps,
    handoff: { service: spec.app, strategy: spec.strategy, port: served, healthPath: spec.healthPath, release: releaseId },
    rollbackEntry: previousId ? `deckhand rollback ${input.target} --app ${spec.app} --to ${previousId}` : 'none: this is the first release',
    warnings, envNames: spec.envNames,
    preLock: sudo && !state.baseExists ? [{ type: 'run', command: root(ownBaseCommand(layout.base, state.user)) }] : [],
    lockPath: layout.lock, ledgerPath: layout.ledger, journalDir: layout.journal,
    revert: previousId
      ? restoreFrom(previousId)
      : [...strategy.stopCommands(ctx).map((command) => ({ type: 'run' as const, command })), { type: 'run', command: removeCurrentCommand(layout.base) }],
    ledgerEntry: { commit: spec.commit, dirty: spec.dirty, strategy: spec.strategy, port: served, healthPath: spec.healthPath, serviceUser: owner },
    logsCommand: strategy.logsCommand(ctx),
  };
}
