// Resolves the kubernetes settings: deckhand.yml kubernetes.* > what discovery found (manifests, chart, Deployments, Service port) > defaults.
import { readdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, relative } from 'node:path';
import { DeckhandError } from '../../../core/errors.js';
import type { RunContext } from '../../../core/context.js';
import { currentContextCommand } from '../../../commands/kubectl.js';
import type { DeckhandConfig } from '../../../config/schema.js';
import type { BriefData } from '../../../report/brief.js';
import { configDuration } from '../spec.js';
import type { KubeSpec } from './types.js';

const MANIFEST_FILE = /\.(ya?ml|json)$/i;
const KUSTOMIZATION = /^(kustomization\.ya?ml|Kustomization)$/;

/** Where the ledger of an app in one context and namespace lives on this machine. */
export function kubeStateDir(home: string, context: string, namespace: string, app: string): string {
  const safe = (s: string): string => s.replace(/[^A-Za-z0-9._-]+/g, '_');
  return join(home, '.deckhand', 'kubernetes', safe(context), safe(namespace), app);
}

/** The manifest files kubectl apply -f DIR would read (top level, not recursive), or the kustomization. */
export function readManifestDir(dir: string): { files: string[]; kustomization: boolean } {
  let names: string[];
  try {
    if (!statSync(dir).isDirectory()) throw new Error('not a directory');
    names = readdirSync(dir).sort();
  } catch (e) {
    throw new DeckhandError('usage', `cannot read the manifests directory ${dir}: ${(e as Error).message}`, { hint: 'set kubernetes.manifests in deckhand.yml to the directory holding the manifests (relative to the app)' });
  }
  const kustomization = names.some((n) => KUSTOMIZATION.test(n));
  const files = names.filter((n) => MANIFEST_FILE.test(n) && !KUSTOMIZATION.test(n) && statSync(join(dir, n)).isFile());
  if (!kustomization && files.length === 0) throw new DeckhandError('usage', `${dir} holds no manifest (*.yaml, *.yml, *.json)`, { hint: 'point kubernetes.manifests at the directory of the manifests' });
  return { files, kustomization };
}

type Artifact = BriefData['artifacts'][number];

/** Deployment names in the discovered manifests under `dir` (relative to the app). */
function discoveredDeployments(artifacts: readonly Artifact[], relDir: string): string[] {
  const names = new Set<string>();
  for (const a of artifacts) {
    if (a.type !== 'kubernetes' || (relDir !== '' && relDir !== '.' && !a.path.startsWith(`${relDir}/`))) continue;
    for (const w of (a.summary.workloads as { kind?: string; name?: string }[] | undefined) ?? []) if (w.kind === 'Deployment' && w.name) names.add(w.name);
  }
  return [...names];
}

/** The image repository the discovered Deployments run (without tag), when there is exactly one. */
function discoveredImage(artifacts: readonly Artifact[]): string | null {
  const images = new Set<string>();
  for (const a of artifacts) {
    if (a.type !== 'kubernetes') continue;
    for (const w of (a.summary.workloads as { containers?: { image?: string | null; init?: boolean }[] }[] | undefined) ?? []) {
      for (const c of w.containers ?? []) if (c.image && !c.init) images.add(c.image.replace(/@.*$/, '').replace(/:[^/:]+$/, ''));
    }
  }
  return images.size === 1 ? [...images][0] ?? null : null;
}

/** The first port of the discovered Service of that name. */
function discoveredServicePort(artifacts: readonly Artifact[], name: string): number | null {
  for (const a of artifacts) {
    if (a.type !== 'kubernetes') continue;
    const svc = ((a.summary.services as { name?: string; ports?: { port?: number | null }[] }[] | undefined) ?? []).find((s) => s.name === name);
    const port = svc?.ports?.[0]?.port;
    if (typeof port === 'number') return port;
  }
  return null;
}

function relDirOf(appRoot: string, p: string): string {
  return relative(appRoot, isAbsolute(p) ? p : join(appRoot, p)) || '.';
}

export interface KubeResolveInput {
  appRoot: string;
  app: string;
  config: DeckhandConfig;
  brief: BriefData | null;
  home?: string;
}

export async function resolveKubeSpec(local: RunContext, input: KubeResolveInput): Promise<KubeSpec> {
  const k = input.config.kubernetes ?? {};
  const artifacts = input.brief?.artifacts ?? [];
  let context = k.context ?? null;
  if (!context) {
    const r = await local.executor.run(currentContextCommand());
    context = r.exitCode === 0 ? r.stdout.trim() || null : null;
    if (!context) {
      throw new DeckhandError('usage', 'no Kubernetes context: kubernetes.context is not set and kubectl has no current context', {
        hint: 'set kubernetes.context in deckhand.yml (kubectl config get-contexts lists them)',
      });
    }
  }
  const namespace = k.namespace ?? 'default';
  const requestTimeoutSec = Math.max(1, Math.round(configDuration(k.request_timeout, 'kubernetes.request_timeout', 30_000) / 1000));
  const target = { context, namespace, requestTimeoutSec };
  const chartArtifact = artifacts.find((a) => a.type === 'helm');
  const manifestArtifact = artifacts.find((a) => a.type === 'kubernetes');
  const helmCfg = k.helm ?? (!k.manifests && !manifestArtifact && chartArtifact ? { chart: dirname(chartArtifact.path) } : undefined);
  let manifests: KubeSpec['manifests'] = null;
  let helm: KubeSpec['helm'] = null;
  let relDir = '.';
  if (helmCfg) {
    // A directory in the app is a local chart; anything else (repo/chart, oci://…) is a reference helm resolves.
    const localChart = join(input.appRoot, helmCfg.chart);
    const chart = statSafe(localChart) ? localChart : helmCfg.chart;
    helm = { chart, release: helmCfg.release ?? input.app, values: (helmCfg.values ?? []).map((v) => join(input.appRoot, v)) };
  } else {
    const raw = k.manifests ?? (manifestArtifact ? dirname(manifestArtifact.path) : null);
    if (raw === null) {
      throw new DeckhandError('usage', 'the kubernetes strategy needs manifests or a Helm chart, and discovery found neither', {
        hint: 'set kubernetes.manifests (a directory) or kubernetes.helm.chart in deckhand.yml',
      });
    }
    relDir = relDirOf(input.appRoot, raw);
    const dir = join(input.appRoot, relDir);
    manifests = { dir, ...readManifestDir(dir) };
  }
  const deployments = k.deployments ?? (helm ? [helm.release] : (() => { const d = discoveredDeployments(artifacts, relDir); return d.length > 0 ? d : [input.app]; })());
  const firstDeployment = deployments[0] ?? input.app;
  const service = k.service ?? firstDeployment;
  return {
    mode: helm ? 'helm' : 'manifests', target, manifests, helm,
    image: k.image ?? discoveredImage(artifacts) ?? input.app,
    registry: k.registry ?? null,
    imagePull: k.image_pull ?? 'registry',
    deployments,
    service,
    servicePort: k.service_port ?? discoveredServicePort(artifacts, service) ?? 80,
    rolloutTimeoutSec: Math.max(1, Math.round(configDuration(k.rollout_timeout, 'kubernetes.rollout_timeout', 300_000) / 1000)),
    stateDir: kubeStateDir(input.home ?? homedir(), context, namespace, input.app),
  };
}

function statSafe(p: string): boolean {
  try { statSync(p); return true; } catch { return false; }
}
