// Kubernetes detector: multi-document manifests → workloads (images, replicas, ports, probes, env names), services, ingress hosts.
import type { Document } from 'yaml';
import type { DetectContext, Detector, Evidence, Signal } from '../../types.js';
import { EnvCollector, dirOf, filesDeep, isRecord, maker, num, parseYamlAll, str, toJS, validPort, yamlCite } from './shared.js';

const NAME = 'artifacts-kubernetes';
const make = maker(NAME, 'deploy-material');

const K8S_DIR = /(^|\/)(k8s|kubernetes|kube|deploy|deployment|deployments|manifests|kustomize|overlays|base)\//;
const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob', 'Pod']);
const MANIFEST_RE = /^apiVersion:\s*\S+/m;
const KIND_RE = /^kind:\s*(Deployment|StatefulSet|DaemonSet|Service|Ingress|CronJob|Job|Pod)\s*$/m;

/** Path (inside a document) of a workload's pod spec. */
function podSpecPath(kind: string): string[] {
  if (kind === 'Pod') return ['spec'];
  if (kind === 'CronJob') return ['spec', 'jobTemplate', 'spec', 'template', 'spec'];
  return ['spec', 'template', 'spec'];
}

function getPath(obj: unknown, path: readonly (string | number)[]): unknown {
  let cur = obj;
  for (const p of path) {
    if (Array.isArray(cur) && typeof p === 'number') cur = cur[p];
    else if (isRecord(cur) && typeof p === 'string') cur = cur[p];
    else return undefined;
  }
  return cur;
}

interface Ctx { path: string; text: string; doc: Document; env: EnvCollector; out: Signal[] }

function analyzeWorkload(c: Ctx, obj: Record<string, unknown>, kind: string, name: string): Record<string, unknown> {
  const specPath = podSpecPath(kind);
  const spec = getPath(obj, specPath);
  const containers: Record<string, unknown>[] = [];
  const ev = (p: (string | number)[], safe = false): Evidence => yamlCite(c.path, c.doc, c.text, p, safe);
  for (const group of ['containers', 'initContainers'] as const) {
    const list = isRecord(spec) && Array.isArray(spec[group]) ? spec[group] as unknown[] : [];
    list.forEach((ct, ci) => {
      if (!isRecord(ct)) return;
      const base = [...specPath, group, ci];
      const ports = Array.isArray(ct.ports) ? ct.ports.flatMap((p) => (isRecord(p) && num(p.containerPort) !== undefined ? [num(p.containerPort) as number] : [])) : [];
      const probes: Record<string, string> = {};
      const envNames: string[] = [];
      const secretRefs: { name: string; secret: string; key: string }[] = [];
      if (group === 'containers') {
        (Array.isArray(ct.ports) ? ct.ports : []).forEach((p, pi) => {
          const n = isRecord(p) ? num(p.containerPort) : undefined;
          if (validPort(n)) c.out.push(make({ kind: 'port', port: n }, [ev([...base, 'ports', pi, 'containerPort'])]));
        });
        for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe'] as const) {
          const p = str(getPath(ct, [probe, 'httpGet', 'path']));
          if (p === undefined) continue;
          probes[probe] = p;
          c.out.push(make({ kind: 'health', path: p }, [ev([...base, probe, 'httpGet', 'path'])]));
        }
        (Array.isArray(ct.env) ? ct.env : []).forEach((e, ei) => {
          if (!isRecord(e) || typeof e.name !== 'string') return;
          envNames.push(e.name);
          const ref = getPath(e, ['valueFrom', 'secretKeyRef']);
          if (isRecord(ref)) secretRefs.push({ name: e.name, secret: str(ref.name) ?? '', key: str(ref.key) ?? '' });
          // A literal value in the manifest provides the variable; valueFrom (secretKeyRef, configMapKeyRef …) must exist.
          c.env.add(e.name, e.value !== undefined && e.valueFrom === undefined ? false : true, { ...ev([...base, 'env', ei, 'name'], true), text: `- name: ${e.name}` });
        });
      }
      const envFrom = Array.isArray(ct.envFrom)
        ? ct.envFrom.flatMap((e) => (isRecord(e) ? [str(getPath(e, ['secretRef', 'name'])) ? `secret/${str(getPath(e, ['secretRef', 'name']))}` : str(getPath(e, ['configMapRef', 'name'])) ? `configmap/${str(getPath(e, ['configMapRef', 'name']))}` : ''] : [])).filter(Boolean)
        : [];
      containers.push({
        name: str(ct.name) ?? null, image: str(ct.image) ?? null, init: group === 'initContainers',
        ports, probes, env: envNames, secretEnv: secretRefs, ...(envFrom.length ? { envFrom } : {}),
        ...(Array.isArray(ct.command) ? { command: ct.command.map(String).join(' ') } : {}),
        ...(Array.isArray(ct.args) ? { args: ct.args.map(String).join(' ') } : {}),
      });
    });
  }
  return { kind, name, replicas: num(getPath(obj, ['spec', 'replicas'])) ?? null, containers };
}

/** Parses one manifest file (any number of documents) into signals. */
export function analyzeManifest(path: string, text: string): Signal[] {
  const parsed = parseYamlAll(path, text, NAME);
  if (!parsed.ok) return [parsed.problem];
  const out: Signal[] = [];
  const env = new EnvCollector();
  const resources: { kind: string; name: string }[] = [];
  const workloads: Record<string, unknown>[] = [];
  const services: Record<string, unknown>[] = [];
  const ingresses: Record<string, unknown>[] = [];
  let firstLine: number | null = null;
  for (const doc of parsed.docs) {
    const obj = toJS(doc);
    const items = isRecord(obj) && obj.kind === 'List' && Array.isArray(obj.items) ? obj.items : [obj];
    items.forEach((it) => {
      if (!isRecord(it) || typeof it.kind !== 'string' || typeof it.apiVersion !== 'string') return;
      const kind = it.kind;
      const name = str(getPath(it, ['metadata', 'name'])) ?? '';
      resources.push({ kind, name });
      if (firstLine === null) firstLine = yamlCite(path, doc, text, ['kind']).line;
      const c: Ctx = { path, text, doc, env, out };
      if (WORKLOAD_KINDS.has(kind)) workloads.push(analyzeWorkload(c, it, kind, name));
      else if (kind === 'Service') {
        const ports = getPath(it, ['spec', 'ports']);
        services.push({
          name, type: str(getPath(it, ['spec', 'type'])) ?? 'ClusterIP',
          ports: Array.isArray(ports) ? ports.flatMap((p) => (isRecord(p) ? [{ port: num(p.port) ?? null, targetPort: num(p.targetPort) ?? str(p.targetPort) ?? null }] : [])) : [],
          selector: getPath(it, ['spec', 'selector']) ?? null,
        });
      } else if (kind === 'Ingress') {
        const rules = getPath(it, ['spec', 'rules']);
        const hosts: string[] = [];
        const paths: { host: string | null; path: string; service: string | null }[] = [];
        for (const r of Array.isArray(rules) ? rules : []) {
          if (!isRecord(r)) continue;
          const host = str(r.host) ?? null;
          if (host && !hosts.includes(host)) hosts.push(host);
          const ps = getPath(r, ['http', 'paths']);
          for (const p of Array.isArray(ps) ? ps : []) {
            if (!isRecord(p)) continue;
            paths.push({ host, path: str(p.path) ?? '/', service: str(getPath(p, ['backend', 'service', 'name'])) ?? str(getPath(p, ['backend', 'serviceName'])) ?? null });
          }
        }
        const tls = getPath(it, ['spec', 'tls']);
        ingresses.push({ name, hosts, paths, tls: Array.isArray(tls) && tls.length > 0 });
      }
    });
  }
  if (resources.length === 0) return [];
  out.unshift(make({ kind: 'artifact', type: 'kubernetes', path, summary: { resources, workloads, services, ingresses } }, [{ file: path, line: firstLine }]));
  out.push(...env.signals(make));
  return out;
}

/** Directories holding a Helm chart (their templates are Go templates, not YAML). */
export function chartDirs(ctx: DetectContext): string[] {
  return filesDeep(ctx, (_r, base) => base === 'Chart.yaml' || base === 'Chart.yml').map((f) => dirOf(f.path));
}

export const kubernetesDetector: Detector = {
  name: NAME,
  async detect(ctx: DetectContext): Promise<Signal[]> {
    const charts = chartDirs(ctx);
    const inChart = (p: string): boolean => charts.some((d) => p.startsWith(d === '' ? '' : `${d}/`));
    const candidates = filesDeep(ctx, (_rel, base) => /\.ya?ml$/i.test(base) && !/^(docker-)?compose\b/i.test(base))
      .filter((f) => !inChart(f.path) && !/(^|\/)\.github\//.test(f.path));
    const out: Signal[] = [];
    for (const f of candidates) {
      const rel = ctx.appDir === '' ? f.path : f.path.slice(ctx.appDir.length + 1);
      const inK8sDir = K8S_DIR.test(rel);
      const text = await ctx.repo.read(f.path);
      if (text === null || !MANIFEST_RE.test(text)) continue;
      if (!/^kind:\s*\S+/m.test(text)) continue;
      if (!inK8sDir && !KIND_RE.test(text)) continue;
      if (/\{\{.*\}\}/.test(text)) continue; // a template (Helm, kustomize-less Go templates): not YAML to parse
      out.push(...analyzeManifest(f.path, text));
    }
    return out;
  },
};
