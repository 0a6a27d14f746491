// The kubernetes strategy's shapes: what to deploy into which cluster (spec) and what a plan carries for apply and rollback.
import type { KubeTarget } from '../../../commands/kubectl.js';

export interface KubeSpec {
  mode: 'manifests' | 'helm';
  target: KubeTarget;
  /** manifests: the directory on this machine, and whether it is a kustomization itself (else the files listed). */
  manifests: { dir: string; files: string[]; kustomization: boolean } | null;
  helm: { chart: string; release: string; values: string[] } | null;
  /** The repository as the manifests (or chart values) name it; its tag becomes the release id. */
  image: string;
  /** Registry prefix: when set the image is built and pushed as <registry>/<image>:<id>. */
  registry: string | null;
  /** never: the cluster runs on this machine's Docker engine and uses the image built here without a push (kubernetes.image_pull). */
  imagePull: 'registry' | 'never';
  deployments: string[];
  service: string;
  servicePort: number;
  rolloutTimeoutSec: number;
  /** Where the ledger, lock and journal live on this machine (there is no target filesystem). */
  stateDir: string;
}

/** What apply and rollback need beyond the steps: recorded in the plan, so a saved plan applies the same way. */
export interface KubePlan {
  mode: 'manifests' | 'helm';
  target: KubeTarget;
  deployments: string[];
  helmRelease: string | null;
  imageRef: string;
  service: string;
  servicePort: number;
  healthPath: string | null;
  rolloutTimeoutSec: number;
  /** How long verification through the Service may take (port-forward up, then 3 healthy answers in a row). */
  verifyWindowSec: number;
  stageDir: string | null;
}

/** Revisions recorded per release in the ledger: what `kubectl rollout undo --to-revision` / `helm rollback` return to. */
export interface KubeRevisions { deployments: Record<string, number>; helm: number | null; image: string }
