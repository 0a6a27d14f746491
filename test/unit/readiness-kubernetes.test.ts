// check --strategy kubernetes with scripted kubectl answers: what each answer becomes (pass, BLOCKER, WARN, UNKNOWN) and the verdict.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { shJoin } from '../../src/core/command.js';
import { Redactor } from '../../src/core/redact.js';
import { RecordingExecutor, type ScriptedAnswer } from '../../src/exec/recording.js';
import { checkKubernetesReadiness, neededPermissions } from '../../src/stages/readiness/kubernetes.js';

const VERSION_JSON = '{"clientVersion":{"gitVersion":"v1.32.4"}}';

function reachable(over: ScriptedAnswer[] = []): ScriptedAnswer[] {
  return [
    ...over,
    { match: 'kubectl version --client', stdout: VERSION_JSON },
    { match: 'kubectl config get-contexts', stdout: 'kind-dev\nprod\n' },
    { match: 'kubectl get --raw /readyz', stdout: 'ok' },
    { match: 'kubectl get namespace shop', stdout: 'namespace/shop' },
    { match: 'kubectl auth can-i', stdout: 'yes' },
    { match: 'helm version', stdout: 'v3.16.2+g13654a5' },
  ];
}

const run = (answers: ScriptedAnswer[], helm = false) => {
  const ex = new RecordingExecutor(answers);
  return checkKubernetesReadiness({ executor: ex, redactor: new Redactor() }, { context: 'kind-dev', namespace: 'shop', helm }).then((r) => ({ r, ex }));
};

test('everything answers yes: READY, one can-i per needed permission, all named with context and namespace', async () => {
  const { r, ex } = await run(reachable(), true);
  assert.equal(r.data.verdict, 'READY', JSON.stringify(r.findings.filter((f) => f.status !== 'pass')));
  const canI = ex.calls.map((c) => shJoin(c.argv)).filter((l) => l.includes('auth can-i'));
  assert.equal(canI.length, neededPermissions(true).length);
  assert.ok(canI.includes('kubectl auth can-i update secrets --namespace shop --context kind-dev --request-timeout=5s'), 'helm stores releases in Secrets');
  assert.ok(ex.calls.every((c) => (c.timeoutMs ?? 0) > 0), 'every command is bounded');
});

test('a "no" from can-i is a BLOCKER naming what to grant', async () => {
  const { r } = await run(reachable([{ match: 'kubectl auth can-i create pods/portforward', stdout: 'no', exitCode: 1 }]));
  const f = r.findings.find((x) => x.id === 'k8s.can-i.create.pods/portforward');
  assert.equal(f?.status, 'block');
  assert.match(f?.remedy ?? '', /grant create on pods\/portforward in shop/);
  assert.equal(r.data.verdict, 'NOT READY');
});

test('an absent namespace this user may create is a warning; one it may not create blocks', async () => {
  const absent = { match: 'kubectl get namespace shop', exitCode: 1, stderr: 'Error from server (NotFound): namespaces "shop" not found' };
  const may = await run(reachable([absent]));
  assert.equal(may.r.findings.find((f) => f.id === 'k8s.namespace')?.status, 'warn');
  assert.equal(may.r.data.verdict, 'READY WITH WARNINGS');
  const mayNot = await run(reachable([absent, { match: 'kubectl auth can-i create namespaces', stdout: 'no', exitCode: 1 }]));
  assert.equal(mayNot.r.findings.find((f) => f.id === 'k8s.namespace')?.status, 'block');
});

test('kubectl missing: BLOCKER, and nothing after it is passed off as checked', async () => {
  const ex = new RecordingExecutor([{ match: 'kubectl version', exitCode: null, stderr: 'kubectl: spawn kubectl ENOENT' }]);
  const r = await checkKubernetesReadiness({ executor: ex, redactor: new Redactor() }, { context: 'kind-dev' });
  assert.equal(r.findings.find((f) => f.id === 'k8s.kubectl')?.status, 'block');
  for (const id of ['k8s.context', 'k8s.cluster', 'k8s.namespace', 'k8s.permissions']) assert.equal(r.findings.find((f) => f.id === id)?.status, 'unknown', id);
  assert.equal(r.data.verdict, 'NOT READY');
  assert.equal(r.data.facts.tools.kubectl?.present, false);
});

test('a can-i that cannot answer (timeout) is UNKNOWN and required, never a pass', async () => {
  const { r } = await run(reachable([{ match: 'kubectl auth can-i list replicasets', exitCode: 1, stderr: 'Unable to connect to the server: net/http: request canceled (Client.Timeout exceeded)' }]));
  const f = r.findings.find((x) => x.id === 'k8s.can-i.list.replicasets');
  assert.equal(f?.status, 'unknown');
  assert.equal(f?.required, true);
  assert.equal(r.data.verdict, 'NOT READY');
});
