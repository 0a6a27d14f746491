// Plans a kubernetes deploy (pure but for the staging folder's random name, an input in tests): image, kustomization or helm upgrade, rollout status, verification through the Service, ledger here.
import { createHash, randomBytes } from 'node:crypto';
import type { Command } from '../../../core/command.js';
import { DeckhandError } from '../../../core/errors.js';
import {
  applyKustomizationCommand, deploymentRevisionCommand, kustomizeBuildCommand, portForwardCommand, rolloutStatusCommand,
} from '../../../commands/kubectl.js';
import { helmHistoryCommand, helmUpgradeCommand } from '../../../commands/helm.js';
import { renderKustomization, writeKustomizationCommand } from '../../../commands/kustomize.js';
import { dockerBuildCommand, dockerPushCommand } from '../../../commands/docker.js';
import { currentRelease, parseLedger } from '../ledger.js';
import { newReleaseId } from '../layout.js';
import type { DeploySpec, Plan, Step } from '../types.js';
import type { KubePlan, KubeSpec } from './types.js';

export interface KubePlanInput {
  spec: DeploySpec;
  /** The ledger file's text read on this machine (null when there is none yet). */
  ledgerText: string | null;
  now: Date;
  /** Where the release's kustomization is staged (default /tmp). */
  stagingRoot?: string;
  /** Random part of the staging folder's name (default: 12 random hex digits), so no other local user can guess and pre-create it. */
  stagingNonce?: string;
}

/** The staging folder of a manifests release: under a shared /tmp its name must not be predictable. */
export function stagingDir(root: string, app: string, releaseId: string, nonce: string): string {
  return `${root}/deckhand-k8s-${app}-${releaseId}-${nonce}`;
}

/** Creates the staging folder private to this user; fails when the name exists (pre-created or a symlink), never reusing it. */
export function makeStagingDirCommand(dir: string): Command {
  return { argv: ['mkdir', '-m', '700', '--', dir], mutates: true, timeoutMs: 10_000, description: `create ${dir} (0700, must not exist yet)` };
}

/** How long verification through the Service may take, port-forward included. */
export const VERIFY_WINDOW_SEC = 60;

/** What a saved plan is checked against: the ledger here (another deploy or rollback changes it). */
export function ledgerFingerprint(text: string | null): string {
  return createHash('sha256').update(text ?? '').digest('hex').slice(0, 16);
}

export function kubePaths(stateDir: string): { ledger: string; lock: string; journal: string } {
  return { ledger: `${stateDir}/ledger.json`, lock: `${stateDir}/lock`, journal: `${stateDir}/journal` };
}

/** The image reference a release runs: <registry>/<image>:<id>, or <image>:<id> without a registry. */
export function imageRef(k: KubeSpec, releaseId: string): string {
  return `${k.registry ? `${k.registry.replace(/\/+$/, '')}/` : ''}${k.image}:${releaseId}`;
}

/** True when the repository names a registry host (docker's rule: a first component with a dot or a port, or localhost). */
export function hasRegistryHost(image: string): boolean {
  const first = image.split('/')[0] ?? '';
  return image.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
}

/**
 * The image of the release is built here. The cluster can run it only when it is pushed to a registry (kubernetes.registry,
 * or an image naming its registry host) or when the cluster shares this machine's images (kubernetes.image_pull: never).
 */
export function imageSteps(spec: DeploySpec, k: KubeSpec, ref: string): Step[] {
  const push = k.registry !== null || hasRegistryHost(k.image);
  if (!push && k.imagePull !== 'never') {
    throw new DeckhandError('config', `the cluster cannot pull ${ref}: kubernetes.registry is not set and the image ${k.image} names no registry host`, {
      hint: `deckhand builds ${ref} on this machine, and without a registry it stays in this machine's Docker images, which a cluster reads only when it runs on this Docker engine. `
        + 'Set kubernetes.registry (e.g. registry.example.com/team: the image is pushed there), or kubernetes.image to a repository with its registry host (e.g. ghcr.io/acme/web), '
        + 'or kubernetes.image_pull: never when the cluster uses this machine\'s Docker engine (Docker Desktop, minikube after `minikube docker-env`)',
    });
  }
  const build: Step = { id: 'image.build', title: `Build the image ${ref} here`, phase: 'prepare', destructive: false,
    actions: [{ type: 'local-run', command: dockerBuildCommand(spec.sourceDir, [ref]) }] };
  if (!push) return [build];
  return [build, { id: 'image.push', title: `Push ${ref}`, phase: 'prepare', destructive: false, retry: 2,
    actions: [{ type: 'local-run', command: dockerPushCommand(ref) }] }];
}

function manifestSteps(k: KubeSpec, releaseId: string, stageDir: string, ref: string, previousId: string | null): Step[] {
  const m = k.manifests;
  if (!m) throw new DeckhandError('internal', 'manifests mode without a manifests directory');
  const colon = ref.lastIndexOf(':');
  const newName = ref.slice(0, colon);
  const content = renderKustomization(m.kustomization ? ['base'] : m.files.map((f) => `base/${f}`), { name: k.image, newName: newName === k.image ? null : newName, newTag: releaseId });
  return [
    {
      id: 'render', title: `Stage ${m.dir} in ${stageDir} with the image ${ref} (kustomize images), render it offline`, phase: 'prepare', destructive: false,
      actions: [
        { type: 'local-run', command: makeStagingDirCommand(stageDir) },
        { type: 'local-transfer', from: m.dir, to: `${stageDir}/base`, excludes: [] },
        { type: 'local-run', command: writeKustomizationCommand(stageDir, content) },
        { type: 'local-run', command: kustomizeBuildCommand(stageDir) },
      ],
    },
    {
      id: 'rollback-point', title: `Rollback point: read the revision of ${k.deployments.map((d) => `deployment/${d}`).join(', ')}`, phase: 'prepare', destructive: false,
      actions: k.deployments.map((d) => ({ type: 'local-run' as const, command: deploymentRevisionCommand(k.target, d) })),
    },
    {
      id: 'apply', title: `Apply ${m.dir} to ${k.target.context}/${k.target.namespace} with the image ${ref}`, phase: 'switch', destructive: true,
      impact: `the Deployments (${k.deployments.join(', ')}) roll their pods to ${ref}; other objects in the manifests are created or updated`,
      undo: previousId
        ? `automatic on failure: ${k.deployments.map((d) => `kubectl rollout undo deployment/${d} --to-revision=N`).join('; ')} (N: the revision the rollback point read), then rollout status`
        : 'first release: nothing to roll back to; the objects are left for inspection (kubectl delete -k removes them)',
      verify: `kubectl rollout status of each Deployment within ${k.rolloutTimeoutSec}s, then GET through svc/${k.service}`,
      actions: [{ type: 'local-run', command: applyKustomizationCommand(k.target, stageDir) }],
    },
  ];
}

function helmSteps(k: KubeSpec, releaseId: string, ref: string, previousId: string | null): Step[] {
  const h = k.helm;
  if (!h) throw new DeckhandError('internal', 'helm mode without a chart');
  const t = { release: h.release, namespace: k.target.namespace, context: k.target.context };
  const colon = ref.lastIndexOf(':');
  const set: Record<string, string> = { ...(k.registry || hasRegistryHost(k.image) ? { 'image.repository': ref.slice(0, colon) } : {}), 'image.tag': releaseId };
  return [
    {
      id: 'rollback-point', title: `Rollback point: read the revision of the Helm release ${h.release}`, phase: 'prepare', destructive: false,
      actions: [{ type: 'local-run', command: helmHistoryCommand(t) }],
    },
    {
      id: 'apply', title: `helm upgrade --install ${h.release} with image.tag=${releaseId}, waiting up to ${k.rolloutTimeoutSec}s`, phase: 'switch', destructive: true,
      impact: `the release ${h.release} is upgraded: its Deployments roll their pods to ${ref}`,
      undo: previousId ? `automatic on failure: helm rollback ${h.release} N --wait (N: the revision the rollback point read)` : 'first release: helm uninstall removes it (not run automatically)',
      verify: `helm --wait, kubectl rollout status, then GET through svc/${k.service}`,
      actions: [{ type: 'local-run', command: helmUpgradeCommand(t, h.chart, h.values, set, k.rolloutTimeoutSec) }],
    },
  ];
}

/**
 * What deploy and rollback wait for once the cluster changed: `kubectl rollout status` of each Deployment within the
 * rollout deadline, then GETs through the Service (port-forward on loopback).
 */
export function readinessSteps(k: Pick<KubePlan, 'target' | 'deployments' | 'rolloutTimeoutSec' | 'service' | 'servicePort' | 'healthPath'>): Step[] {
  return [
    ...k.deployments.map((d): Step => ({
      id: `rollout.${d}`, title: `Wait for the rollout of deployment/${d} (deadline ${k.rolloutTimeoutSec}s)`, phase: 'start', destructive: false,
      actions: [{ type: 'local-run', command: rolloutStatusCommand(k.target, d, k.rolloutTimeoutSec) }],
    })),
    {
      id: 'verify-service', title: `Verify through svc/${k.service}:${k.servicePort}: port-forward on loopback, GET ${k.healthPath ?? '/'} answers 2xx/3xx 3 times in a row (within ${VERIFY_WINDOW_SEC}s)`,
      phase: 'start', destructive: false,
      actions: [{ type: 'local-run', command: portForwardCommand(k.target, k.service, k.servicePort, VERIFY_WINDOW_SEC) }],
    },
  ];
}

/** `inserted` placed just before the apply step. */
function beforeApply(steps: Step[], inserted: Step[]): Step[] {
  const i = steps.findIndex((s) => s.id === 'apply');
  return [...steps.slice(0, i), ...inserted, ...steps.slice(i)];
}

export function planKubernetes(input: KubePlanInput): Plan {
  const { spec, now } = input;
  const k = spec.kubernetes;
  if (!k) throw new DeckhandError('internal', 'the kubernetes strategy needs resolved kubernetes settings');
  const paths = kubePaths(k.stateDir);
  const { ledger, error } = parseLedger(input.ledgerText, spec.app);
  if (error) throw new DeckhandError('config', `the release ledger ${paths.ledger} is corrupt: ${error}`, { hint: 'inspect it by hand; deckhand will not overwrite a ledger it cannot read (rollback depends on it)' });
  const releaseId = newReleaseId(now, spec.commit, ledger.releases.map((r) => r.id));
  const previousId = currentRelease(ledger)?.id ?? null;
  const ref = imageRef(k, releaseId);
  const stageDir = k.mode === 'manifests' ? stagingDir(input.stagingRoot ?? '/tmp', spec.app, releaseId, input.stagingNonce ?? randomBytes(6).toString('hex')) : null;
  const images = imageSteps(spec, k, ref);
  const warnings: string[] = [];
  if (spec.dirty) warnings.push('the working tree has uncommitted changes: the release records the commit, but the files differ from it');
  if (!images.some((st) => st.id === 'image.push')) warnings.push(`kubernetes.image_pull is never: ${ref} is built here and not pushed; the cluster must run on this machine's Docker engine`);
  if (spec.envNames.length > 0) warnings.push(`env values (${spec.envNames.join(', ')}) are not written by the kubernetes strategy: keep them in a Secret the manifests or chart reference`);
  const steps: Step[] = [
    { id: 'state', title: `Create ${k.stateDir} here (ledger, lock, journal)`, phase: 'prepare', destructive: false,
      actions: [{ type: 'local-run', command: { argv: ['mkdir', '-p', '--', paths.journal], mutates: true, timeoutMs: 10_000 } }] },
    // The image is built (and pushed) after the offline render and the cluster's rollback point: a broken manifest or an
    // unreachable cluster stops the deploy before minutes of build and push.
    ...beforeApply(k.mode === 'manifests' && stageDir ? manifestSteps(k, releaseId, stageDir, ref, previousId) : helmSteps(k, releaseId, ref, previousId), images),
    ...readinessSteps({ ...k, healthPath: spec.healthPath }),
    { id: 'ledger', title: `Record ${releaseId} as current in ${paths.ledger}`, phase: 'finalize', destructive: false, actions: [] },
  ];
  const kube: KubePlan = {
    mode: k.mode, target: k.target, deployments: k.deployments, helmRelease: k.helm?.release ?? null, imageRef: ref,
    service: k.service, servicePort: k.servicePort, healthPath: spec.healthPath, rolloutTimeoutSec: k.rolloutTimeoutSec, verifyWindowSec: VERIFY_WINDOW_SEC, stageDir,
  };
  const target = `kubernetes:${k.target.context}/${k.target.namespace}`;
  const body = { target, app: spec.app, releaseId, previousId, commit: spec.commit, steps, kube };
  const id = createHash('sha256').update(JSON.stringify(body)).digest('hex').slice(0, 12);
  const ledgerSummary = ledger.releases.map((r) => `${r.id}:${r.status}`).join(',');
  return {
    schemaVersion: 1, kind: 'deckhand-plan', id, createdAt: now.toISOString(), target, app: spec.app, strategy: 'kubernetes',
    releaseId, previousRelease: previousId, commit: spec.commit, dirty: spec.dirty,
    layout: { base: k.stateDir, current: '', envFile: '' },
    // The ledger here is the state a saved plan was made against: apply refuses when another deploy changed it.
    stateFingerprint: ledgerFingerprint(input.ledgerText), stateSummary: { ledger: ledgerSummary || 'empty' },
    useSudo: false, steps,
    handoff: { service: k.service, strategy: 'kubernetes', port: k.servicePort, healthPath: spec.healthPath, release: releaseId },
    rollbackEntry: previousId ? `deckhand rollback --strategy kubernetes --name ${spec.app} --to ${previousId}` : 'none: this is the first release',
    warnings, envNames: [], preLock: [], lockPath: paths.lock, ledgerPath: paths.ledger, journalDir: paths.journal, revert: [],
    ledgerEntry: { commit: spec.commit, dirty: spec.dirty, strategy: 'kubernetes', port: k.servicePort, healthPath: spec.healthPath, serviceUser: null },
    logsCommand: `kubectl logs -f deployment/${k.deployments[0] ?? spec.app} --namespace ${k.target.namespace} --context ${k.target.context}`,
    kubernetes: kube,
  };
}
