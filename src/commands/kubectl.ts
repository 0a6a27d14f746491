// Pure kubectl builders: every command names its context and namespace, and every API request is bounded (--request-timeout).
import type { Command } from '../core/command.js';

/** Where kubectl points: always explicit, so the current context of the operator's kubeconfig never decides. */
export interface KubeTarget { context: string; namespace: string; requestTimeoutSec: number }

/** Margin between kubectl's own deadline and the process bound, so kubectl reports its timeout itself. */
const MARGIN_MS = 15_000;

function scope(t: KubeTarget, requestTimeoutSec = t.requestTimeoutSec): string[] {
  return ['--namespace', t.namespace, '--context', t.context, `--request-timeout=${requestTimeoutSec}s`];
}

function kubectl(args: readonly string[], t: KubeTarget, opts: { mutates: boolean; requestTimeoutSec?: number; timeoutMs?: number; description?: string }): Command {
  const rt = opts.requestTimeoutSec ?? t.requestTimeoutSec;
  return {
    argv: ['kubectl', ...args, ...scope(t, rt)], mutates: opts.mutates, timeoutMs: opts.timeoutMs ?? rt * 1000 + MARGIN_MS,
    ...(opts.description ? { description: opts.description } : {}),
  };
}

/** Renders a kustomization offline (no cluster): a broken manifest fails here, before anything is applied. */
export function kustomizeBuildCommand(dir: string): Command {
  return { argv: ['kubectl', 'kustomize', dir], mutates: false, timeoutMs: 60_000 };
}

/** Applies the release's kustomization (the repo's manifests with the image set to the release tag). */
export function applyKustomizationCommand(t: KubeTarget, dir: string): Command {
  return kubectl(['apply', '-k', dir], t, { mutates: true, timeoutMs: t.requestTimeoutSec * 4000 + MARGIN_MS });
}

/** The revision a Deployment is at (its deployment.kubernetes.io/revision annotation); empty output when it does not exist. */
export function deploymentRevisionCommand(t: KubeTarget, name: string): Command {
  return kubectl(['get', 'deployment', name, '--ignore-not-found', '-o', 'jsonpath={.metadata.annotations.deployment\\.kubernetes\\.io/revision}'], t, { mutates: false });
}

/**
 * Waits for a Deployment's rollout. Its watch is one long request, so the request timeout is the rollout deadline
 * itself: a shorter one would cut the watch before the deadline.
 */
export function rolloutStatusCommand(t: KubeTarget, name: string, timeoutSec: number): Command {
  return kubectl(['rollout', 'status', `deployment/${name}`, `--timeout=${timeoutSec}s`], t, { mutates: false, requestTimeoutSec: timeoutSec });
}

/** Puts a Deployment back on a recorded revision (its ReplicaSet's pod template). */
export function rolloutUndoCommand(t: KubeTarget, name: string, revision: number): Command {
  return kubectl(['rollout', 'undo', `deployment/${name}`, `--to-revision=${revision}`], t, { mutates: true });
}

/**
 * Forwards a random loopback port to a Service port (kubectl prints "Forwarding from 127.0.0.1:P -> …").
 * The forward lives for the verification window: its request timeout is that window, and the process is ended after.
 */
export function portForwardCommand(t: KubeTarget, service: string, port: number, windowSec: number): Command {
  return kubectl(['port-forward', `svc/${service}`, `:${port}`, '--address', '127.0.0.1', `--pod-running-timeout=${Math.min(windowSec, 60)}s`], t, {
    mutates: false, requestTimeoutSec: windowSec,
  });
}

/** The line port-forward prints once it listens, with the local port. */
export const PORT_FORWARD_READY = /Forwarding from 127\.0\.0\.1:(\d+) ->/;

/** The API server's readiness endpoint: "ok" when the cluster answers. */
export function readyzCommand(context: string, requestTimeoutSec: number): Command {
  return { argv: ['kubectl', 'get', '--raw', '/readyz', '--context', context, `--request-timeout=${requestTimeoutSec}s`], mutates: false, timeoutMs: requestTimeoutSec * 1000 + MARGIN_MS };
}

export function kubectlClientVersionCommand(): Command {
  return { argv: ['kubectl', 'version', '--client', '-o', 'json'], mutates: false, timeoutMs: 15_000 };
}

/** Context names of the kubeconfig (local file read, no cluster). */
export function contextsCommand(): Command {
  return { argv: ['kubectl', 'config', 'get-contexts', '-o', 'name'], mutates: false, timeoutMs: 15_000 };
}

export function currentContextCommand(): Command {
  return { argv: ['kubectl', 'config', 'current-context'], mutates: false, timeoutMs: 15_000 };
}

export function namespaceExistsCommand(t: KubeTarget): Command {
  return { argv: ['kubectl', 'get', 'namespace', t.namespace, '-o', 'name', '--context', t.context, `--request-timeout=${t.requestTimeoutSec}s`], mutates: false, timeoutMs: t.requestTimeoutSec * 1000 + MARGIN_MS };
}

/** `yes` (exit 0) or `no` (exit 1) for one verb on one resource in the namespace. */
export function canICommand(t: KubeTarget, verb: string, resource: string): Command {
  return kubectl(['auth', 'can-i', verb, resource], t, { mutates: false });
}
