// kubernetes strategy: builders by exact command, the planner's steps, apply and rollback with a recording executor (no cluster runs here).
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { test } from 'node:test';
import { shJoin, type Command } from '../../src/core/command.js';
import { Redactor } from '../../src/core/redact.js';
import { RecordingExecutor, type ScriptedAnswer } from '../../src/exec/recording.js';
import {
  applyKustomizationCommand, canICommand, deploymentRevisionCommand, portForwardCommand, readyzCommand, rolloutStatusCommand, rolloutUndoCommand,
} from '../../src/commands/kubectl.js';
import { helmHistoryCommand, helmRollbackCommand, helmUpgradeCommand, parseHelmRevision } from '../../src/commands/helm.js';
import { renderKustomization } from '../../src/commands/kustomize.js';
import { hasRegistryHost, planKubernetes } from '../../src/stages/deploy/kubernetes/plan.js';
import { DeckhandError } from '../../src/core/errors.js';
import { applyKubernetesPlan } from '../../src/stages/deploy/kubernetes/apply.js';
import { kubeRollbackSteps, pickKubeTarget, rollbackKubernetes } from '../../src/stages/deploy/kubernetes/rollback.js';
import type { Ledger } from '../../src/stages/deploy/ledger.js';
import { kubeStateDir } from '../../src/stages/deploy/kubernetes/resolve.js';
import type { KubeSpec } from '../../src/stages/deploy/kubernetes/types.js';
import type { DeploySpec, Plan } from '../../src/stages/deploy/types.js';
import { ConfigSchema } from '../../src/config/schema.js';

const T = { context: 'kind-dev', namespace: 'shop', requestTimeoutSec: 30 };
const line = (c: Command): string => shJoin(c.argv);

test('kubectl builders: every command names the context and namespace and bounds its requests', () => {
  assert.equal(line(applyKustomizationCommand(T, '/tmp/stage')), 'kubectl apply -k /tmp/stage --namespace shop --context kind-dev --request-timeout=30s');
  assert.equal(line(rolloutStatusCommand(T, 'web', 300)), 'kubectl rollout status deployment/web --timeout=300s --namespace shop --context kind-dev --request-timeout=300s');
  assert.equal(rolloutStatusCommand(T, 'web', 300).timeoutMs, 315_000, 'the process bound lies past kubectl\'s own deadline');
  assert.equal(line(rolloutUndoCommand(T, 'web', 4)), 'kubectl rollout undo deployment/web --to-revision=4 --namespace shop --context kind-dev --request-timeout=30s');
  assert.equal(line(deploymentRevisionCommand(T, 'web')),
    "kubectl get deployment web --ignore-not-found -o 'jsonpath={.metadata.annotations.deployment\\.kubernetes\\.io/revision}' --namespace shop --context kind-dev --request-timeout=30s");
  assert.equal(line(portForwardCommand(T, 'web', 80, 60)), 'kubectl port-forward svc/web :80 --address 127.0.0.1 --pod-running-timeout=60s --namespace shop --context kind-dev --request-timeout=60s');
  assert.equal(line(readyzCommand('kind-dev', 5)), 'kubectl get --raw /readyz --context kind-dev --request-timeout=5s');
  assert.equal(line(canICommand(T, 'create', 'pods/portforward')), 'kubectl auth can-i create pods/portforward --namespace shop --context kind-dev --request-timeout=30s');
  for (const c of [applyKustomizationCommand(T, '/s'), rolloutUndoCommand(T, 'w', 1), readyzCommand('c', 5), canICommand(T, 'get', 'pods')]) assert.ok((c.timeoutMs ?? 0) > 0);
});

test('helm builders: upgrade --install with values files, the release tag, --wait and its deadline; history and rollback', () => {
  const h = { release: 'web', namespace: 'shop', context: 'kind-dev' };
  assert.equal(line(helmUpgradeCommand(h, '/repo/chart', ['/repo/values-prod.yaml'], { 'image.tag': '20261201T120000Z-abc1234' }, 300)),
    'helm upgrade --install web /repo/chart --namespace shop --kube-context kind-dev -f /repo/values-prod.yaml --set image.tag=20261201T120000Z-abc1234 --wait --timeout 300s');
  assert.equal(line(helmHistoryCommand(h)), 'helm history web --namespace shop --kube-context kind-dev --max 1 -o json');
  assert.equal(line(helmRollbackCommand(h, 6, 120)), 'helm rollback web 6 --namespace shop --kube-context kind-dev --wait --timeout 120s');
  assert.equal(parseHelmRevision('[{"revision":7,"status":"deployed"}]'), 7);
  assert.equal(parseHelmRevision('Error: release: not found'), null);
});

test('the kustomization lists the copied manifests and sets the image tag (and name, with a registry)', () => {
  assert.equal(renderKustomization(['base/deploy.yaml', 'base/svc.yaml'], { name: 'acme/web', newName: 'registry.test/acme/web', newTag: 'r1' }), [
    "# written by deckhand: the repository's manifests with the release image",
    'apiVersion: kustomize.config.k8s.io/v1beta1', 'kind: Kustomization', 'resources:', '  - "base/deploy.yaml"', '  - "base/svc.yaml"',
    'images:', '  - name: "acme/web"', '    newName: "registry.test/acme/web"', '    newTag: "r1"', '',
  ].join('\n'));
});

test('deckhand.yml kubernetes keys are validated', () => {
  assert.ok(ConfigSchema.safeParse({ strategy: 'kubernetes', kubernetes: { context: 'kind-dev', namespace: 'shop', manifests: 'k8s', image: 'acme/web', deployments: ['web'], service: 'web', service_port: 80, rollout_timeout: '2m' } }).success);
  assert.ok(!ConfigSchema.safeParse({ kubernetes: { namespace: 'Shop_1' } }).success, 'a namespace must be a DNS label');
  assert.ok(!ConfigSchema.safeParse({ kubernetes: { image: 'acme/web', tag: 'x' } }).success, 'unknown keys are refused');
  assert.ok(!ConfigSchema.safeParse({ kubernetes: { rollout_timeout: 'soon' } }).success);
});

function kube(over: Partial<KubeSpec> = {}): KubeSpec {
  return {
    mode: 'manifests', target: T, manifests: { dir: '/repo/k8s', files: ['deploy.yaml', 'svc.yaml'], kustomization: false }, helm: null,
    image: 'acme/web', registry: null, imagePull: 'never', deployments: ['web'], service: 'web', servicePort: 80, rolloutTimeoutSec: 120, stateDir: '/home/op/.deckhand/kubernetes/kind-dev/shop/web', ...over,
  };
}

function spec(k: KubeSpec): DeploySpec {
  return {
    app: 'web', strategy: 'kubernetes', sourceDir: '/repo', commit: 'abc1234def', dirty: false, runtime: null, port: 3000, healthPath: '/health', build: 'target',
    commands: { install: null, build: null, start: null, migrate: null }, envNames: [], envSources: [], serviceUser: 'web', keep: 5, excludes: [], startTimeoutMs: 30_000,
    baseDirOverride: null, pm2Instances: 1, script: null, zeroDowntime: false, kubernetes: k,
  };
}

const NOW = new Date('2026-12-01T12:00:00Z');
const ID = '20261201T120000Z-abc1234';

test('the state directory is per context, namespace and app, with unsafe characters replaced', () => {
  assert.equal(kubeStateDir('/home/op', 'arn:aws:eks:eu-west-1:1:cluster/prod', 'shop', 'web'), '/home/op/.deckhand/kubernetes/arn_aws_eks_eu-west-1_1_cluster_prod/shop/web');
});

test('manifests plan with image_pull never: built here, not pushed (said), kustomize render, rollback point, then build, apply, rollout, verification through the Service', () => {
  const plan = planKubernetes({ spec: spec(kube()), ledgerText: null, now: NOW, stagingRoot: '/tmp', stagingNonce: 'n0nce' });
  assert.equal(plan.releaseId, ID);
  assert.deepEqual(plan.steps.map((s) => s.id), ['state', 'render', 'rollback-point', 'image.build', 'apply', 'rollout.web', 'verify-service', 'ledger']);
  assert.ok(plan.warnings.includes(`kubernetes.image_pull is never: acme/web:${ID} is built here and not pushed; the cluster must run on this machine's Docker engine`), plan.warnings.join('\n'));
  const cmds = plan.steps.flatMap((s) => s.actions.map((a) => (a.type === 'local-run' || a.type === 'run' ? line(a.command) : `${a.type} ${'from' in a ? a.from : ''} ${'to' in a ? a.to : ''}`)));
  const stage = `/tmp/deckhand-k8s-web-${ID}-n0nce`;
  // Private and fresh: a folder another local user pre-created (or a symlink) makes the deploy fail instead of being used.
  assert.ok(cmds.includes(`mkdir -m 700 -- ${stage}`), cmds.join('\n'));
  assert.ok(!cmds.some((c) => c.startsWith('mkdir -p') && c.includes('deckhand-k8s')));
  assert.ok(cmds.includes(`local-transfer /repo/k8s ${stage}/base`));
  assert.ok(cmds.includes(`kubectl kustomize ${stage}`));
  assert.ok(cmds.includes(`kubectl apply -k ${stage} --namespace shop --context kind-dev --request-timeout=30s`));
  assert.ok(cmds.includes('kubectl rollout status deployment/web --timeout=120s --namespace shop --context kind-dev --request-timeout=120s'));
  assert.ok(cmds.includes('kubectl port-forward svc/web :80 --address 127.0.0.1 --pod-running-timeout=60s --namespace shop --context kind-dev --request-timeout=60s'));
  const kust = plan.steps.find((s) => s.id === 'render')?.actions.find((a) => a.type === 'local-run' && a.command.stdin !== undefined);
  assert.ok(kust?.type === 'local-run' && String(kust.command.stdin).includes(`newTag: "${ID}"`) && !String(kust.command.stdin).includes('newName'));
  const apply = plan.steps.find((s) => s.id === 'apply');
  assert.ok(apply?.destructive && apply.impact && apply.undo?.includes('first release') && apply.verify?.includes('rollout status'));
  assert.equal(plan.target, 'kubernetes:kind-dev/shop');
  assert.equal(plan.ledgerPath, '/home/op/.deckhand/kubernetes/kind-dev/shop/web/ledger.json');
});

test('a registry adds build and push of <registry>/<image>:<id>, and the kustomization renames the image', () => {
  const plan = planKubernetes({ spec: spec(kube({ registry: 'registry.test/' })), ledgerText: null, now: NOW });
  const ids = plan.steps.map((s) => s.id);
  assert.deepEqual(ids, ['state', 'render', 'rollback-point', 'image.build', 'image.push', 'apply', 'rollout.web', 'verify-service', 'ledger']);
  const push = plan.steps.find((s) => s.id === 'image.push')?.actions[0];
  assert.ok(push?.type === 'local-run' && line(push.command) === `docker push registry.test/acme/web:${ID}`);
  const kust = plan.steps.find((s) => s.id === 'render')?.actions.find((a) => a.type === 'local-run' && a.command.stdin !== undefined);
  assert.ok(kust?.type === 'local-run' && String(kust.command.stdin).includes('newName: "registry.test/acme/web"'));
  assert.ok(!plan.warnings.some((w) => w.includes('image_pull')));
});

test('no registry, an image without a registry host and no image_pull: never: refused at plan time (what, why, how to fix)', () => {
  let err: unknown;
  try { planKubernetes({ spec: spec(kube({ imagePull: 'registry' })), ledgerText: null, now: NOW }); } catch (e) { err = e; }
  assert.ok(err instanceof DeckhandError, String(err));
  assert.equal(err.kind, 'config');
  assert.equal(err.message, `the cluster cannot pull acme/web:${ID}: kubernetes.registry is not set and the image acme/web names no registry host`);
  assert.equal(err.hint, `deckhand builds acme/web:${ID} on this machine, and without a registry it stays in this machine's Docker images, which a cluster reads only when it runs on this Docker engine. `
    + 'Set kubernetes.registry (e.g. registry.example.com/team: the image is pushed there), or kubernetes.image to a repository with its registry host (e.g. ghcr.io/acme/web), '
    + "or kubernetes.image_pull: never when the cluster uses this machine's Docker engine (Docker Desktop, minikube after `minikube docker-env`)");
});

test('an image naming its registry host is built and pushed as itself, without kubernetes.registry', () => {
  const plan = planKubernetes({ spec: spec(kube({ imagePull: 'registry', image: 'ghcr.io/acme/web' })), ledgerText: null, now: NOW });
  const cmds = plan.steps.filter((s) => s.id.startsWith('image.')).map((s) => s.actions[0]?.type === 'local-run' ? line(s.actions[0].command) : '');
  assert.deepEqual(cmds, [`sh -c ${"'"}${'set -e; cd "$1"; shift; if [ ! -f Dockerfile ]; then echo "no Dockerfile in $PWD: the docker strategy builds the image from it" >&2; exit 2; fi; exec docker build "$@" .'}${"'"} deckhand-docker-build /repo -t ghcr.io/acme/web:${ID}`, `docker push ghcr.io/acme/web:${ID}`]);
  assert.equal(hasRegistryHost('localhost:5000/web'), true);
  assert.equal(hasRegistryHost('acme/web'), false);
  assert.equal(hasRegistryHost('web'), false);
});

test('helm plan: history as the rollback point, upgrade --install with the tag, then rollout status and verification', () => {
  const k = kube({ mode: 'helm', manifests: null, helm: { chart: '/repo/chart', release: 'web', values: ['/repo/values-prod.yaml'] } });
  const previous = JSON.stringify({ schemaVersion: 1, app: 'web', releases: [{ id: '20261130T100000Z-0000000', commit: null, dirty: false, strategy: 'kubernetes', status: 'current', deployedAt: 'x', deployedBy: 'op@m', deckhandVersion: '0', kubernetes: { deployments: {}, helm: 3, image: 'acme/web:old' } }] });
  const plan = planKubernetes({ spec: spec(k), ledgerText: previous, now: NOW });
  assert.deepEqual(plan.steps.map((s) => s.id), ['state', 'rollback-point', 'image.build', 'apply', 'rollout.web', 'verify-service', 'ledger']);
  const apply = plan.steps.find((s) => s.id === 'apply');
  assert.ok(apply?.actions[0]?.type === 'local-run');
  assert.equal(line(apply.actions[0].command), `helm upgrade --install web /repo/chart --namespace shop --kube-context kind-dev -f /repo/values-prod.yaml --set image.tag=${ID} --wait --timeout 120s`);
  assert.match(apply.undo ?? '', /helm rollback web N --wait/);
  assert.equal(plan.previousRelease, '20261130T100000Z-0000000');
  assert.match(plan.rollbackEntry, /deckhand rollback --strategy kubernetes --name web --to 20261130T100000Z-0000000/);
});

test('a corrupt local ledger stops the plan', () => {
  assert.throws(() => planKubernetes({ spec: spec(kube()), ledgerText: '{not json', now: NOW }), /ledger .* is corrupt/);
});

/** A loopback HTTP server standing in for the Service behind the port-forward. */
async function healthServer(status: number): Promise<{ server: Server; port: number }> {
  const server = createServer((_req, res) => { res.statusCode = status; res.end('ok'); });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  return { server, port: typeof addr === 'object' && addr ? addr.port : 0 };
}

/** Answers in order for one pattern: the revision read before the apply, then after. */
function sequence(pattern: string, outputs: string[]): ScriptedAnswer {
  let i = 0;
  const next = { stdout: outputs[0] ?? '' };
  return { match: (c: Command) => { const hit = line(c).includes(pattern); if (hit) { next.stdout = outputs[Math.min(i, outputs.length - 1)] ?? ''; i++; } return hit; }, get stdout() { return next.stdout; } } as ScriptedAnswer;
}

function answers(port: number, over: ScriptedAnswer[] = []): ScriptedAnswer[] {
  return [
    ...over,
    { match: 'deckhand-read', exitCode: 3 },
    { match: 'deckhand-lock', exitCode: 0 },
    { match: 'deckhand-unlock', exitCode: 0 },
    { match: 'deckhand-write', exitCode: 0 },
    { match: /^mkdir -p/, exitCode: 0 },
    { match: /^mkdir -m 700/, exitCode: 0 },
    { match: /^rm -rf/, exitCode: 0 },
    { match: 'kubectl kustomize', stdout: 'apiVersion: apps/v1\n' },
    { match: 'deckhand-docker-build', exitCode: 0 },
    sequence('kubectl get deployment web', ['3', '4']),
    { match: 'kubectl apply -k', stdout: 'deployment.apps/web configured' },
    { match: 'kubectl rollout undo', stdout: 'deployment.apps/web rolled back' },
    { match: 'kubectl rollout status', stdout: 'deployment "web" successfully rolled out' },
    { match: 'kubectl port-forward', stdout: `Forwarding from 127.0.0.1:${port} -> 3000\n` },
  ];
}

test('apply: rollback point read, applied, rolled out, verified through the forwarded Service; the ledger records the new revision', async () => {
  const { server, port } = await healthServer(200);
  try {
    const plan = planKubernetes({ spec: spec(kube()), ledgerText: null, now: NOW, stagingRoot: '/tmp', stagingNonce: 'n0nce' });
    const ex = new RecordingExecutor(answers(port));
    const report = await applyKubernetesPlan({ executor: ex, redactor: new Redactor() }, plan);
    assert.equal(report.data.outcome, 'SUCCESS', JSON.stringify(report.data.failure));
    const ran = ex.calls.map(line);
    const order = ['kubectl kustomize', 'kubectl get deployment web', 'kubectl apply -k', 'kubectl rollout status', 'kubectl port-forward'].map((p) => ran.findIndex((l) => l.includes(p)));
    assert.deepEqual([...order].sort((a, b) => a - b), order, `in order: ${order.join(',')}`);
    assert.ok(order.every((i) => i >= 0));
    assert.equal(ex.backgrounds.length, 1);
    assert.ok(ex.backgrounds[0]?.stopped, 'the port-forward is ended after verification');
    assert.deepEqual(ex.transfers.map((t) => [t.from, t.to]), [['/repo/k8s', `/tmp/deckhand-k8s-web-${ID}-n0nce/base`]]);
    const ledgerWrite = ex.calls.find((c) => c.argv.includes(plan.ledgerPath) && c.argv.includes('deckhand-write'));
    const ledger = JSON.parse(String(ledgerWrite?.stdin)) as { releases: { id: string; status: string; kubernetes?: { deployments: Record<string, number>; image: string } }[] };
    assert.deepEqual(ledger.releases.map((r) => [r.id, r.status, r.kubernetes?.deployments.web, r.kubernetes?.image]), [[ID, 'current', 4, `acme/web:${ID}`]]);
    assert.ok(ran.some((l) => l === `rm -rf -- /tmp/deckhand-k8s-web-${ID}-n0nce`), 'the staging copy is removed');
    assert.ok(!ran.some((l) => l.includes('rollout undo')));
  } finally { server.close(); }
});

test('apply: a rollout that misses its deadline is undone to the revision read before, and the report says REVERTED', async () => {
  const { server, port } = await healthServer(200);
  try {
    const plan = planKubernetes({ spec: spec(kube()), ledgerText: null, now: NOW });
    let statusCalls = 0;
    const ex = new RecordingExecutor(answers(port, [{
      match: (c) => { const hit = line(c).includes('kubectl rollout status'); if (hit) statusCalls++; return hit && statusCalls === 1; },
      exitCode: 1, stderr: 'error: timed out waiting for the condition',
    }]));
    const report = await applyKubernetesPlan({ executor: ex, redactor: new Redactor() }, plan);
    assert.equal(report.data.outcome, 'REVERTED');
    assert.equal(report.data.failure?.step, 'rollout.web');
    assert.match(report.data.failure?.message ?? '', /timed out waiting for the condition/);
    const ran = ex.calls.map(line);
    assert.ok(ran.includes('kubectl rollout undo deployment/web --to-revision=3 --namespace shop --context kind-dev --request-timeout=30s'));
    assert.equal(ex.backgrounds.length, 0, 'no verification after a failed rollout');
    const ledgerWrite = ex.calls.find((c) => c.argv.includes(plan.ledgerPath) && c.argv.includes('deckhand-write'));
    assert.match(String(ledgerWrite?.stdin), /"status": "failed"/);
  } finally { server.close(); }
});

test('apply: after a revert the serving release\'s entry carries the revision number the undo gave it (a later rollback to it finds it)', async () => {
  const prev = '20261130T100000Z-0000000';
  const text = JSON.stringify({ schemaVersion: 1, app: 'web', releases: [{ id: prev, commit: null, dirty: false, strategy: 'kubernetes', status: 'current', deployedAt: 'x', deployedBy: 'o', deckhandVersion: '0', kubernetes: { deployments: { web: 3 }, helm: null, image: `acme/web:${prev}` } }] });
  const plan = planKubernetes({ spec: spec(kube()), ledgerText: text, now: NOW });
  let statusCalls = 0;
  const ex = new RecordingExecutor(answers(1, [
    { match: 'deckhand-read', stdout: text },
    { match: (c) => { const hit = line(c).includes('kubectl rollout status'); if (hit) statusCalls++; return hit && statusCalls === 1; }, exitCode: 1, stderr: 'error: timed out waiting for the condition' },
  ]));
  const report = await applyKubernetesPlan({ executor: ex, redactor: new Redactor() }, plan);
  assert.equal(report.data.outcome, 'REVERTED');
  const ledgerWrite = ex.calls.find((c) => c.argv.includes(plan.ledgerPath) && c.argv.includes('deckhand-write'));
  const ledger = JSON.parse(String(ledgerWrite?.stdin)) as { releases: { id: string; status: string; kubernetes?: { deployments: Record<string, number>; image: string } }[] };
  assert.deepEqual(ledger.releases.map((r) => [r.id, r.status, r.kubernetes?.deployments.web ?? null, r.kubernetes?.image ?? null]), [[prev, 'current', 4, `acme/web:${prev}`], [ID, 'failed', null, null]]);
});

test('apply: a Service that answers 503 fails verification, the revision is put back, the forward is ended', async () => {
  const { server, port } = await healthServer(503);
  try {
    const plan = planKubernetes({ spec: spec(kube()), ledgerText: null, now: NOW });
    const fast: Plan = { ...plan, kubernetes: { ...plan.kubernetes!, verifyWindowSec: 2 } };
    const ex = new RecordingExecutor(answers(port));
    const report = await applyKubernetesPlan({ executor: ex, redactor: new Redactor() }, fast);
    assert.equal(report.data.outcome, 'REVERTED');
    assert.equal(report.data.failure?.step, 'verify-service');
    assert.match(report.data.failure?.message ?? '', /HTTP 503/);
    assert.ok(ex.backgrounds[0]?.stopped);
    assert.ok(ex.calls.map(line).some((l) => l.startsWith('kubectl rollout undo deployment/web --to-revision=3')));
  } finally { server.close(); }
});

test('apply: a first release that fails has nothing to undo and says so; a failed render applies nothing', async () => {
  const plan = planKubernetes({ spec: spec(kube()), ledgerText: null, now: NOW });
  const first = new RecordingExecutor(answers(1, [
    { match: 'kubectl get deployment web', stdout: '' },
    { match: 'kubectl apply -k', exitCode: 1, stderr: 'error: unable to recognize "deploy.yaml"' },
  ]));
  const r1 = await applyKubernetesPlan({ executor: first, redactor: new Redactor() }, plan);
  assert.equal(r1.data.outcome, 'FAILED');
  assert.match(r1.data.failure?.revert ?? '', /first release: nothing to roll back to/);
  assert.ok(!first.calls.map(line).some((l) => l.includes('rollout undo')));
  const broken = new RecordingExecutor(answers(1, [{ match: 'kubectl kustomize', exitCode: 1, stderr: 'Error: map[string]interface {}(nil): yaml: line 3' }]));
  const r2 = await applyKubernetesPlan({ executor: broken, redactor: new Redactor() }, plan);
  assert.equal(r2.data.failure?.step, 'render');
  assert.equal(r2.data.failure?.revert, 'nothing was applied to the cluster');
  assert.ok(!broken.calls.map(line).some((l) => l.includes('kubectl apply')));
});

test('apply refuses a saved plan when the local ledger changed since', async () => {
  const plan = planKubernetes({ spec: spec(kube()), ledgerText: null, now: NOW });
  const ex = new RecordingExecutor(answers(1, [{ match: 'deckhand-read', stdout: '{"schemaVersion":1,"app":"web","releases":[]}' }]));
  await assert.rejects(applyKubernetesPlan({ executor: ex, redactor: new Redactor() }, plan), /changed since plan/);
  assert.ok(!ex.calls.map(line).some((l) => l.startsWith('kubectl')));
  assert.ok(ex.calls.map(line).some((l) => l.includes('deckhand-unlock')), 'the lock is released');
});

const kEntry = (id: string, status: string, rev: number): Record<string, unknown> => ({ id, commit: null, dirty: false, strategy: 'kubernetes', status, deployedAt: 'x', deployedBy: 'op@m', deckhandVersion: '0', kubernetes: { deployments: { web: rev }, helm: null, image: `acme/web:${id}` } });
const OLD = '20261130T100000Z-aaaaaaa';
const CUR = '20261201T100000Z-bbbbbbb';
const TWO = JSON.stringify({ schemaVersion: 1, app: 'web', releases: [kEntry(OLD, 'previous', 4), kEntry(CUR, 'current', 5)] });

function rollbackAnswers(port: number, over: ScriptedAnswer[] = []): ScriptedAnswer[] {
  return [
    ...over,
    { match: 'deckhand-read', stdout: TWO },
    { match: 'deckhand-lock', exitCode: 0 }, { match: 'deckhand-unlock', exitCode: 0 }, { match: 'deckhand-write', exitCode: 0 },
    { match: 'kubectl rollout undo', stdout: 'rolled back' }, { match: 'kubectl rollout status', stdout: 'successfully rolled out' },
    sequence('kubectl get deployment web', ['6', '7']),
    { match: 'kubectl port-forward', stdout: `Forwarding from 127.0.0.1:${port} -> 3000\n` },
  ];
}

function writtenLedger(ex: RecordingExecutor): { releases: { id: string; status: string; note?: string; kubernetes: { deployments: { web: number } } }[] } {
  return JSON.parse(String(ex.calls.find((c) => c.argv.includes('deckhand-write') && c.argv.some((a) => a.endsWith('ledger.json')))?.stdin)) as ReturnType<typeof writtenLedger>;
}

test('rollback steps: undo (or helm rollback --wait), then rollout status within the deploy deadline and GETs through the Service, by exact command', () => {
  const plan = planKubernetes({ spec: spec(kube()), ledgerText: null, now: NOW });
  const k = plan.kubernetes!;
  const cmds = (steps: ReturnType<typeof kubeRollbackSteps>): string[][] => steps.map((st) => [st.id, ...st.actions.map((a) => (a.type === 'local-run' ? line(a.command) : a.type))]);
  assert.deepEqual(cmds(kubeRollbackSteps(k, { deployments: { web: 4 }, helm: null, image: 'acme/web:a' }, 'Put back', 'none')), [
    ['restore', 'kubectl rollout undo deployment/web --to-revision=4 --namespace shop --context kind-dev --request-timeout=30s'],
    ['rollout.web', 'kubectl rollout status deployment/web --timeout=120s --namespace shop --context kind-dev --request-timeout=120s'],
    ['verify-service', 'kubectl port-forward svc/web :80 --address 127.0.0.1 --pod-running-timeout=60s --namespace shop --context kind-dev --request-timeout=60s'],
  ]);
  const helm = { ...k, mode: 'helm' as const, helmRelease: 'web' };
  assert.deepEqual(cmds(kubeRollbackSteps(helm, { deployments: { web: 4 }, helm: 7, image: 'acme/web:a' }, 'Put back', 'none')).map((c) => c[1]), [
    'helm rollback web 7 --namespace shop --kube-context kind-dev --wait --timeout 120s',
    'kubectl rollout status deployment/web --timeout=120s --namespace shop --context kind-dev --request-timeout=120s',
    'kubectl port-forward svc/web :80 --address 127.0.0.1 --pod-running-timeout=60s --namespace shop --context kind-dev --request-timeout=60s',
  ]);
});

test('rollback: the previous release\'s recorded revision is put back, rolled out, verified through the Service; the ledger records its new number', async () => {
  const { server, port } = await healthServer(200);
  try {
    const ex = new RecordingExecutor(rollbackAnswers(port));
    const report = await rollbackKubernetes({ executor: ex, redactor: new Redactor() }, { app: 'web', kube: kube() });
    assert.equal(report.data.outcome, 'SUCCESS', JSON.stringify(report.data.failure));
    const ran = ex.calls.map(line);
    const order = ['kubectl rollout undo deployment/web --to-revision=4', 'kubectl get deployment web', 'kubectl rollout status deployment/web --timeout=120s', 'kubectl port-forward svc/web'].map((p) => ran.findIndex((l) => l.startsWith(p)));
    assert.ok(order.every((i, n) => i >= 0 && (n === 0 || i > (order[n - 1] ?? 0))), `in order: ${order.join(',')}`);
    assert.ok(ex.backgrounds[0]?.stopped, 'the port-forward is ended');
    assert.deepEqual(writtenLedger(ex).releases.map((r) => [r.status, r.kubernetes.deployments.web]), [['current', 6], ['rolled-back', 5]]);
  } finally { server.close(); }
});

test('rollback: a rollout that misses its deadline is FAILED, the release rolled back from is put back, and the ledger says so with the new revision numbers', async () => {
  const { server, port } = await healthServer(200);
  try {
    let statusCalls = 0;
    const ex = new RecordingExecutor(rollbackAnswers(port, [{
      match: (c) => { const hit = line(c).includes('kubectl rollout status'); if (hit) statusCalls++; return hit && statusCalls === 1; },
      exitCode: 1, stderr: 'error: timed out waiting for the condition',
    }]));
    const report = await rollbackKubernetes({ executor: ex, redactor: new Redactor() }, { app: 'web', kube: kube() });
    assert.equal(report.data.outcome, 'FAILED');
    assert.equal(report.status, 'failed');
    assert.equal(report.data.failure?.step, 'rollout.web');
    assert.match(report.data.failure?.message ?? '', /timed out waiting for the condition/);
    assert.equal(report.data.failure?.revert, `${CUR} (acme/web:${CUR}) put back and rolled out`);
    assert.equal(report.findings[0]?.status, 'fail');
    assert.equal(ex.backgrounds.length, 0, 'no verification after a rollout that did not finish');
    assert.ok(ex.calls.map(line).includes('kubectl rollout undo deployment/web --to-revision=5 --namespace shop --context kind-dev --request-timeout=30s'), 'the current release is put back');
    const releases = writtenLedger(ex).releases;
    assert.deepEqual(releases.map((r) => [r.id, r.status, r.kubernetes.deployments.web]), [[OLD, 'previous', 6], [CUR, 'current', 7]]);
    assert.ok(releases.every((r) => r.note?.startsWith(`rollback to ${OLD} at `) && r.note.includes('rollout.web: ')), JSON.stringify(releases));
  } finally { server.close(); }
});

test('rollback: a Service that answers 503 after the rollout is FAILED, not SUCCESS', async () => {
  const { server, port } = await healthServer(503);
  try {
    const ex = new RecordingExecutor(rollbackAnswers(port));
    const k = kube();
    const report = await rollbackKubernetes({ executor: ex, redactor: new Redactor() }, { app: 'web', kube: k, verifyWindowSec: 2 });
    assert.equal(report.data.outcome, 'FAILED');
    assert.equal(report.data.failure?.step, 'verify-service');
    assert.match(report.data.failure?.message ?? '', /HTTP 503/);
    assert.deepEqual(writtenLedger(ex).releases.map((r) => r.status), ['previous', 'current']);
  } finally { server.close(); }
});

test('rollback by default skips a release rolled back from (known bad); --to still picks it', () => {
  const e = (id: string, status: string, rev: number): Ledger['releases'][number] => ({ id, commit: null, dirty: false, strategy: 'kubernetes', status, deployedAt: 'x', deployedBy: 'o', deckhandVersion: '0', kubernetes: { deployments: { web: rev }, helm: null, image: `i:${id}` } } as Ledger['releases'][number]);
  const ledger: Ledger = { schemaVersion: 1, app: 'web', releases: [e('a', 'superseded', 1), e('b', 'rolled-back', 2), e('c', 'current', 3)] };
  assert.equal(pickKubeTarget(ledger, undefined).id, 'a');
  assert.equal(pickKubeTarget(ledger, 'b').id, 'b');
  const onlyBad: Ledger = { ...ledger, releases: [e('b', 'rolled-back', 2), e('c', 'current', 3)] };
  assert.throws(() => pickKubeTarget(onlyBad, undefined), /no earlier release/);
});

test('rollback refuses a release without recorded revisions', async () => {
  const ledger = JSON.stringify({ schemaVersion: 1, app: 'web', releases: [
    { id: 'a', commit: null, dirty: false, strategy: 'kubernetes', status: 'previous', deployedAt: 'x', deployedBy: 'o', deckhandVersion: '0' },
    { id: 'b', commit: null, dirty: false, strategy: 'kubernetes', status: 'current', deployedAt: 'x', deployedBy: 'o', deckhandVersion: '0', kubernetes: { deployments: { web: 2 }, helm: null, image: 'i' } },
  ] });
  const ex = new RecordingExecutor([{ match: 'deckhand-read', stdout: ledger }]);
  await assert.rejects(rollbackKubernetes({ executor: ex, redactor: new Redactor() }, { app: 'web', kube: kube() }), /no earlier release/);
  await assert.rejects(rollbackKubernetes({ executor: ex, redactor: new Redactor() }, { app: 'web', kube: kube(), to: 'a' }), /no recorded revision/);
});

test('resolve: discovery\'s manifests give the Deployments, the image repository and the Service port; a chart gives the release; the context is read once', async () => {
  const { mkdtemp, mkdir, writeFile, rm } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { resolveKubeSpec } = await import('../../src/stages/deploy/kubernetes/resolve.js');
  const dir = await mkdtemp(join(tmpdir(), 'dh-k8s-resolve-'));
  try {
    await mkdir(join(dir, 'deploy'), { recursive: true });
    await writeFile(join(dir, 'deploy', 'app.yaml'), 'kind: Deployment\n');
    await writeFile(join(dir, 'deploy', 'notes.txt'), 'not a manifest');
    await mkdir(join(dir, 'charts', 'web'), { recursive: true });
    const artifacts = [{ type: 'kubernetes', path: 'deploy/app.yaml', summary: {
      workloads: [{ kind: 'Deployment', name: 'api', containers: [{ image: 'ghcr.io/acme/api:1.2', init: false }, { image: 'busybox:1', init: true }] }, { kind: 'Job', name: 'migrate', containers: [] }],
      services: [{ name: 'api', ports: [{ port: 8080, targetPort: 3000 }] }],
    } }];
    const brief = { artifacts } as unknown as Parameters<typeof resolveKubeSpec>[1]['brief'];
    const ex = new RecordingExecutor([{ match: 'kubectl config current-context', stdout: 'kind-dev\n' }]);
    const k = await resolveKubeSpec({ executor: ex, redactor: new Redactor() }, { appRoot: dir, app: 'api', config: {}, brief, home: '/home/op' });
    assert.deepEqual([k.mode, k.target.context, k.target.namespace, k.deployments, k.image, k.service, k.servicePort, k.rolloutTimeoutSec], ['manifests', 'kind-dev', 'default', ['api'], 'ghcr.io/acme/api', 'api', 8080, 300]);
    assert.deepEqual(k.manifests?.files, ['app.yaml']);
    assert.equal(k.stateDir, '/home/op/.deckhand/kubernetes/kind-dev/default/api');
    const h = await resolveKubeSpec({ executor: new RecordingExecutor([]), redactor: new Redactor() }, {
      appRoot: dir, app: 'api', brief: null, config: { kubernetes: { context: 'prod', helm: { chart: 'charts/web', values: ['values-prod.yaml'] } } },
    });
    assert.deepEqual([h.mode, h.helm?.chart, h.helm?.release, h.helm?.values, h.deployments], ['helm', join(dir, 'charts/web'), 'api', [join(dir, 'values-prod.yaml')], ['api']]);
    const ref = await resolveKubeSpec({ executor: new RecordingExecutor([]), redactor: new Redactor() }, { appRoot: dir, app: 'api', brief: null, config: { kubernetes: { context: 'prod', helm: { chart: 'bitnami/nginx' } } } });
    assert.equal(ref.helm?.chart, 'bitnami/nginx', 'a chart reference that is not a directory here goes to helm as is');
    await assert.rejects(resolveKubeSpec({ executor: new RecordingExecutor([{ match: 'current-context', exitCode: 1, stderr: 'error: current-context is not set' }]), redactor: new Redactor() }, { appRoot: dir, app: 'api', config: {}, brief: null }), /no Kubernetes context/);
    await assert.rejects(resolveKubeSpec({ executor: new RecordingExecutor([]), redactor: new Redactor() }, { appRoot: dir, app: 'api', config: { kubernetes: { context: 'c' } }, brief: null }), /needs manifests or a Helm chart/);
  } finally { await rm(dir, { recursive: true, force: true }); }
});
