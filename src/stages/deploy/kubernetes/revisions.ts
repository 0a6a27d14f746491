// Reads the revisions a release runs as (Deployment revision annotations or the Helm release revision) and puts them back.
import { tail } from '../../../core/errors.js';
import { deploymentRevisionCommand, rolloutStatusCommand, rolloutUndoCommand } from '../../../commands/kubectl.js';
import { helmHistoryCommand, helmRollbackCommand, parseHelmRevision } from '../../../commands/helm.js';
import type { Applier } from '../apply.js';
import type { KubePlan, KubeRevisions } from './types.js';

type Kube = Pick<KubePlan, 'mode' | 'target' | 'deployments' | 'helmRelease' | 'imageRef' | 'rolloutTimeoutSec'>;

/** Revisions now. A Deployment or release that does not exist yet is absent; a read that fails throws (no blind deploy). */
export async function readRevisions(applier: Applier, step: string, k: Kube): Promise<KubeRevisions> {
  const deployments: Record<string, number> = {};
  let helm: number | null = null;
  if (k.mode === 'helm' && k.helmRelease) {
    const r = await applier.runCommand(step, helmHistoryCommand({ release: k.helmRelease, namespace: k.target.namespace, context: k.target.context }), 0);
    if (!r.failed) helm = parseHelmRevision(r.rawStdout ?? r.stdout);
    else if (!/not found/i.test(r.stderr)) throw new Error(`could not read the revision of the Helm release ${k.helmRelease}: ${tail(r.stderr || r.stdout, 3)}`);
  }
  for (const d of k.deployments) {
    const r = await applier.runCommand(step, deploymentRevisionCommand(k.target, d), 0);
    if (r.failed) throw new Error(`could not read the revision of deployment/${d}: ${tail(r.stderr || r.stdout, 3)}`);
    const n = Number((r.rawStdout ?? r.stdout).trim());
    if ((r.rawStdout ?? r.stdout).trim() !== '' && Number.isInteger(n) && n > 0) deployments[d] = n;
  }
  return { deployments, helm, image: k.imageRef };
}

/** True when there is something to go back to. */
export function hasRevisions(r: KubeRevisions | null | undefined): r is KubeRevisions {
  return !!r && (r.helm !== null || Object.keys(r.deployments).length > 0);
}

/**
 * Puts the recorded revisions back: `helm rollback` to the release revision (with --wait), else `kubectl rollout undo
 * --to-revision` of each Deployment followed by its rollout status. Returns null, or what failed.
 */
export async function restoreRevisions(applier: Applier, step: string, k: Kube, to: KubeRevisions): Promise<string | null> {
  const failures: string[] = [];
  if (k.mode === 'helm' && k.helmRelease && to.helm !== null) {
    const r = await applier.runCommand(step, helmRollbackCommand({ release: k.helmRelease, namespace: k.target.namespace, context: k.target.context }, to.helm, k.rolloutTimeoutSec), 0);
    if (r.failed) failures.push(`helm rollback ${k.helmRelease} ${to.helm}: ${tail(r.stderr || r.stdout, 3)}`);
    return failures.length > 0 ? failures.join('; ') : null;
  }
  for (const [d, rev] of Object.entries(to.deployments)) {
    const u = await applier.runCommand(step, rolloutUndoCommand(k.target, d, rev), 0);
    if (u.failed) { failures.push(`rollout undo deployment/${d} --to-revision=${rev}: ${tail(u.stderr || u.stdout, 3)}`); continue; }
    const s = await applier.runCommand(step, rolloutStatusCommand(k.target, d, k.rolloutTimeoutSec), 0);
    if (s.failed) failures.push(`deployment/${d} did not become ready on revision ${rev}: ${tail(s.stderr || s.stdout, 3)}`);
  }
  return failures.length > 0 ? failures.join('; ') : null;
}
