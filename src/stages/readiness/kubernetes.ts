// Readiness for the kubernetes strategy: kubectl (and helm), the context, the cluster answering, the namespace, and `kubectl auth can-i` per need.
import type { RunContext } from '../../core/context.js';
import { tail } from '../../core/errors.js';
import { VERSION } from '../../core/version.js';
import { canICommand, contextsCommand, currentContextCommand, kubectlClientVersionCommand, namespaceExistsCommand, readyzCommand, type KubeTarget } from '../../commands/kubectl.js';
import { helmVersionCommand } from '../../commands/helm.js';
import type { Command } from '../../core/command.js';
import type { Finding } from '../../report/common.js';
import type { HostFacts, ReadinessReport, ToolFact } from '../../report/readiness.js';
import type { ExecResult } from '../../exec/types.js';
import { finding } from './checks/finding.js';
import { verdict } from './verdict.js';

export interface KubeCheckOptions {
  context?: string;
  namespace?: string;
  /** A Helm chart is deployed: helm must be present and may write its release Secrets. */
  helm?: boolean;
  requestTimeoutSec?: number;
}

/** What the plan does in the namespace: apply (get/create/patch), rollout status and undo, port-forward; helm stores releases in Secrets. */
export function neededPermissions(helm: boolean): [verb: string, resource: string][] {
  return [
    ['get', 'deployments'], ['create', 'deployments'], ['patch', 'deployments'], ['watch', 'deployments'],
    ['list', 'replicasets'], ['get', 'services'], ['create', 'services'], ['patch', 'services'],
    ['list', 'pods'], ['create', 'pods/portforward'],
    ...(helm ? [['get', 'secrets'], ['list', 'secrets'], ['create', 'secrets'], ['update', 'secrets']] as [string, string][] : []),
  ];
}

const evidence = (r: ExecResult): string => `${r.command} → exit ${r.exitCode ?? 'none'}${r.timedOut ? ' (timed out)' : ''}: ${tail(`${r.stdout}\n${r.stderr}`, 3) || '(no output)'}`;

/** A missing binary: the spawn failed (ENOENT) or the shell said so. */
const missing = (r: ExecResult): boolean => r.exitCode === null && !r.timedOut && /ENOENT|not found/i.test(r.stderr);

function toolFact(r: ExecResult, version: string | null): ToolFact {
  return { present: missing(r) ? false : r.exitCode === 0 ? true : null, version, path: null, raw: tail(`${r.stdout}\n${r.stderr}`, 3), exitCode: r.exitCode, timedOut: r.timedOut };
}

function clientVersion(stdout: string): string | null {
  try { return (JSON.parse(stdout) as { clientVersion?: { gitVersion?: string } }).clientVersion?.gitVersion ?? null; } catch { return null; }
}

/** Why the API server did not answer, in words. */
function unreachableWhy(r: ExecResult): string {
  const s = r.stderr;
  if (r.timedOut || /Client\.Timeout|deadline exceeded|i\/o timeout/i.test(s)) return 'it did not answer within the request timeout';
  if (/connection refused|was refused/i.test(s)) return 'the connection was refused (nothing listens at the server address of the context)';
  if (/no such host|server misbehaving/i.test(s)) return 'its host name does not resolve';
  if (/Unauthorized|credentials/i.test(s)) return 'it refused the credentials of the context';
  if (/x509|certificate/i.test(s)) return 'its TLS certificate is not trusted';
  return tail(s, 2) || `exit ${r.exitCode ?? 'none'}`;
}

async function contextFinding(ctx: RunContext, wanted: string | undefined, kubectlOk: boolean): Promise<{ f: Finding; context: string | null }> {
  const title = 'Kubernetes context';
  if (!kubectlOk) return { f: finding('k8s.context', 'network', title, 'unknown', 'not checked: kubectl is not usable', { required: true }), context: null };
  if (!wanted) {
    const r = await ctx.executor.run(currentContextCommand());
    const name = r.exitCode === 0 ? r.stdout.trim() : '';
    return name
      ? { f: finding('k8s.context', 'network', title, 'pass', `current context ${name} (no kubernetes.context set)`, { required: true, evidence: evidence(r) }), context: name }
      : { f: finding('k8s.context', 'network', title, 'block', 'no context given and kubectl has no current context', { required: true, evidence: evidence(r), remedy: 'pass --context NAME (kubectl config get-contexts lists them) or set kubernetes.context in deckhand.yml' }), context: null };
  }
  const r = await ctx.executor.run(contextsCommand());
  if (r.failed) return { f: finding('k8s.context', 'network', title, 'unknown', 'the kubeconfig could not be read', { required: true, evidence: evidence(r), remedy: 'check KUBECONFIG and ~/.kube/config' }), context: null };
  const names = r.stdout.split('\n').map((l) => l.trim()).filter(Boolean);
  return names.includes(wanted)
    ? { f: finding('k8s.context', 'network', title, 'pass', `${wanted} is in the kubeconfig`, { required: true, evidence: evidence(r) }), context: wanted }
    : { f: finding('k8s.context', 'network', title, 'block', `context ${wanted} is not in the kubeconfig (it has: ${names.join(', ') || 'none'})`, { required: true, evidence: evidence(r), remedy: 'pick one of the listed contexts, or add this one to the kubeconfig' }), context: null };
}

async function namespaceFinding(ctx: RunContext, t: KubeTarget): Promise<Finding> {
  const title = `Namespace ${t.namespace}`;
  const r = await ctx.executor.run(namespaceExistsCommand(t));
  if (r.exitCode === 0) return finding('k8s.namespace', 'permissions', title, 'pass', 'exists', { required: true, evidence: evidence(r) });
  if (/NotFound|not found/i.test(r.stderr)) {
    const c = await ctx.executor.run(canICommand(t, 'create', 'namespaces'));
    return c.exitCode === 0
      ? finding('k8s.namespace', 'permissions', title, 'warn', 'does not exist; this user may create it', { evidence: `${evidence(r)}; ${evidence(c)}`, remedy: `kubectl create namespace ${t.namespace} --context ${t.context} (a Helm deploy can pass --create-namespace)` })
      : finding('k8s.namespace', 'permissions', title, 'block', 'does not exist, and this user may not create namespaces', { required: true, evidence: `${evidence(r)}; ${evidence(c)}`, remedy: 'ask a cluster admin to create it, or set kubernetes.namespace to one that exists' });
  }
  // Namespace-scoped users often may not read Namespace objects: the permission checks below still tell.
  return finding('k8s.namespace', 'permissions', title, 'unknown', `could not be read: ${tail(r.stderr, 1) || `exit ${r.exitCode ?? 'none'}`}`, { evidence: evidence(r), remedy: 'the permission checks decide whether the namespace is usable' });
}

async function permissionFindings(ctx: RunContext, t: KubeTarget, helm: boolean): Promise<Finding[]> {
  return Promise.all(neededPermissions(helm).map(async ([verb, res]) => {
    const r = await ctx.executor.run(canICommand(t, verb, res));
    const answer = r.stdout.trim().split('\n')[0] ?? '';
    const id = `k8s.can-i.${verb}.${res}`;
    const title = `can-i ${verb} ${res}`;
    if (r.exitCode === 0 && answer === 'yes') return finding(id, 'permissions', title, 'pass', 'yes', { required: true, evidence: evidence(r) });
    if (r.exitCode === 1 && answer.startsWith('no')) return finding(id, 'permissions', title, 'block', `no: the deploy needs to ${verb} ${res} in ${t.namespace}`, { required: true, evidence: evidence(r), remedy: `grant ${verb} on ${res} in ${t.namespace} to this user (a Role and RoleBinding)` });
    return finding(id, 'permissions', title, 'unknown', `could not be checked: ${tail(r.stderr, 1) || `exit ${r.exitCode ?? 'none'}`}`, { required: true, evidence: evidence(r) });
  }));
}

function emptyFacts(tools: Record<string, ToolFact>): HostFacts {
  const write = { path: '', exists: null, checkedPath: null, writable: null };
  return {
    os: { id: null, name: null, version: null, prettyName: null, kernel: null, arch: null }, user: { name: null, uid: null, groups: [], home: null },
    cpu: { count: null, load1: null, load5: null, load15: null }, memory: { totalBytes: null, availableBytes: null, cgroupLimitBytes: null },
    disks: [], ports: [], tools, docker: { daemon: 'unknown', serverVersion: null, rootDir: null, detail: 'not probed: a Kubernetes check reads the cluster, not a host' },
    systemd: { pid1: null, isSystemd: null, state: null }, nginx: { configTest: 'unknown', detail: 'not probed' }, sudo: { state: 'unknown', detail: 'not probed' },
    base: write, homeBase: null, reach: [], env: null, probe: { complete: true, durationMs: 0, bytes: 0 },
  };
}

export async function checkKubernetesReadiness(ctx: RunContext, o: KubeCheckOptions = {}): Promise<ReadinessReport> {
  const startedAt = ctx.now?.() ?? new Date();
  const t0 = performance.now();
  const namespace = o.namespace ?? 'default';
  const requestTimeoutSec = o.requestTimeoutSec ?? 5;
  const run = (c: Command): Promise<ExecResult> => ctx.executor.run(c);
  const [kv, hv] = await Promise.all([run(kubectlClientVersionCommand()), o.helm ? run(helmVersionCommand()) : Promise.resolve(null)]);
  const findings: Finding[] = [];
  const kubectlOk = kv.exitCode === 0;
  const version = kubectlOk ? clientVersion(kv.stdout) : null;
  findings.push(kubectlOk
    ? finding('k8s.kubectl', 'runtimes', 'kubectl', 'pass', `kubectl ${version ?? '(version unreadable)'}`, { required: true, evidence: evidence(kv) })
    : finding('k8s.kubectl', 'runtimes', 'kubectl', missing(kv) ? 'block' : 'unknown', missing(kv) ? 'kubectl is not installed here' : 'kubectl did not run', { required: true, evidence: evidence(kv), remedy: 'install kubectl (https://kubernetes.io/docs/tasks/tools/)' }));
  if (hv) {
    findings.push(hv.exitCode === 0
      ? finding('k8s.helm', 'runtimes', 'helm', 'pass', hv.stdout.trim(), { required: true, evidence: evidence(hv) })
      : finding('k8s.helm', 'runtimes', 'helm', missing(hv) ? 'block' : 'unknown', missing(hv) ? 'helm is not installed here (the deploy uses a chart)' : 'helm did not run', { required: true, evidence: evidence(hv), remedy: 'install helm 3 (https://helm.sh/docs/intro/install/)' }));
  }
  const { f: ctxFinding, context } = await contextFinding(ctx, o.context, kubectlOk);
  findings.push(ctxFinding);
  let reachable = false;
  if (context) {
    const r = await run(readyzCommand(context, requestTimeoutSec));
    reachable = r.exitCode === 0 && /^ok/.test(r.stdout.trim());
    findings.push(reachable
      ? finding('k8s.cluster', 'network', 'Cluster reachable', 'pass', `the API server of ${context} answers /readyz`, { required: true, evidence: evidence(r) })
      : finding('k8s.cluster', 'network', 'Cluster reachable', 'block', `the API server of ${context} is not reachable: ${unreachableWhy(r)}`, { required: true, evidence: evidence(r), remedy: 'check the server address of the context (kubectl config view --minify), the network path to it and the credentials' }));
  } else {
    findings.push(finding('k8s.cluster', 'network', 'Cluster reachable', 'unknown', 'not checked: no usable context', { required: true }));
  }
  if (context && reachable) {
    const t: KubeTarget = { context, namespace, requestTimeoutSec };
    const [ns, perms] = await Promise.all([namespaceFinding(ctx, t), permissionFindings(ctx, t, o.helm === true)]);
    findings.push(ns, ...perms);
  } else {
    findings.push(finding('k8s.namespace', 'permissions', `Namespace ${namespace}`, 'unknown', 'not checked: the cluster was not reached', { required: true }));
    findings.push(finding('k8s.permissions', 'permissions', 'kubectl auth can-i', 'unknown', `not checked: the cluster was not reached (${neededPermissions(o.helm === true).map(([v, r]) => `${v} ${r}`).join(', ')})`, { required: true }));
  }
  const v = verdict(findings);
  const display = `kubernetes:${context ?? o.context ?? '(no context)'}/${namespace}`;
  const tools: Record<string, ToolFact> = { kubectl: toolFact(kv, version), ...(hv ? { helm: toolFact(hv, hv.exitCode === 0 ? hv.stdout.trim() : null) } : {}) };
  const report: ReadinessReport = {
    schemaVersion: 1, tool: { name: 'deckhand', version: VERSION }, stage: 'readiness',
    status: v.verdict === 'READY' ? 'ready' : v.verdict === 'READY WITH WARNINGS' ? 'ready-with-warnings' : 'not-ready',
    target: { kind: 'local', display }, startedAt: startedAt.toISOString(), durationMs: Math.round(performance.now() - t0), findings,
    steps: [{ id: 'kubernetes', title: `kubectl checks of ${display}`, status: 'pass', durationMs: Math.round(performance.now() - t0) }],
    data: {
      verdict: v.verdict, requiredActions: v.requiredActions,
      requirements: {
        strategy: 'kubernetes', app: 'app', baseDir: display, baseDirExplicit: false, ports: [], proxy: false, memoryBytes: 0, diskBytes: 0,
        tools: [{ name: 'kubectl', range: null, source: 'strategy kubernetes' }, ...(o.helm ? [{ name: 'helm', range: null, source: 'helm chart' }] : [])],
        reach: [], envFile: null, envNames: [],
      },
      facts: emptyFacts(tools),
    },
  };
  return ctx.redactor.maskDeep(report);
}
