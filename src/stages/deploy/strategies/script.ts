// script strategy: the repository's own deploy script, shown in the plan, checked after the upload, run in the release with the env loaded.
import { checkScriptCommand, ownEnvCommand, renderScriptConf, runScriptCommand } from '../../../commands/script.js';
import { installFileCommand } from '../../../commands/release.js';
import type { PlanContext, StrategyPlanner } from './types.js';

const MIN = 60_000;

/** The script paths in force (a managed file: rollback restores the one recorded for the release). */
function confPath(ctx: PlanContext): string {
  return `${ctx.layout.state}/script.conf`;
}

function staged(ctx: PlanContext): string {
  return `${ctx.layout.record(ctx.releaseId)}/script.conf`;
}

function describe(p: { path: string; bytes: number; sha256: string; head: string[] }): string {
  return `${p.path} (${p.bytes} bytes, sha256 ${p.sha256.slice(0, 12)}): ${p.head.join(' ⏎ ')}`;
}

export const scriptStrategy: StrategyPlanner = {
  name: 'script',
  unsupported(ctx) {
    if (!ctx.spec.script) return 'no deploy script was given (--script or script.deploy in deckhand.yml)';
    return null;
  },
  managedFiles(ctx) {
    return [{ path: confPath(ctx), name: 'script.conf', mode: '0644', root: false }];
  },
  prepare(ctx) {
    const s = ctx.spec.script;
    if (!s) return [];
    const release = ctx.layout.release(ctx.releaseId);
    const preview = s.preview;
    return [{
      id: 'script.check',
      title: preview
        ? `Deploy script ${describe(preview.deploy)}; rollback script ${preview.rollback ? describe(preview.rollback) : 'none (--no-rollback: rollback only switches current back)'}`
        : `Deploy script ${s.deploy}; rollback script ${s.rollback ?? 'none'}`,
      phase: 'prepare', destructive: false,
      actions: [
        { type: 'write', path: staged(ctx), mode: '0644', content: renderScriptConf(s.deploy, s.rollback), sudo: false },
        ...(preview ? [preview.deploy, ...(preview.rollback ? [preview.rollback] : [])].map((p) => ({ type: 'run' as const, command: checkScriptCommand(release, p) })) : []),
      ],
    }];
  },
  activate(ctx) {
    return [{
      id: 'script.install', title: `Install ${confPath(ctx)} (the scripts this release runs)`, phase: 'switch', destructive: true,
      impact: 'none by itself: it names the scripts the start step runs',
      undo: "the previous file is kept in the previous release's record and restored by rollback",
      verify: 'the start step reads it',
      actions: [{ type: 'run', command: installFileCommand(staged(ctx), confPath(ctx), '0644') }],
    }];
  },
  startCommands(ctx) {
    // Acts on `current` only: revert and rollback reuse these commands with `current` pointing at an earlier release.
    return [
      ...(ctx.sudo ? [ctx.root(ownEnvCommand(ctx.layout.envFile, ctx.state.user))] : []),
      runScriptCommand(ctx.layout.base, confPath(ctx), ctx.layout.envFile, 30 * MIN),
    ];
  },
  stopCommands() {
    return [];
  },
  aliveCheck() {
    return '';
  },
  logsCommand(ctx) {
    return `cat ${ctx.layout.journal}/${ctx.releaseId}.json`;
  },
};
