// The kubernetes strategy against the real kubectl with no cluster: a kubeconfig in a temp dir pointing at a refused or silent loopback port.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { runCli } from '../helpers/cli.js';
import { freeLocalPort } from '../../src/exec/free-port.js';

const CANARY = 'canary-kube-token-7d41c9';

async function kubeconfig(dir: string, port: number): Promise<string> {
  const file = join(dir, 'config');
  await writeFile(file, [
    'apiVersion: v1', 'kind: Config',
    'clusters:', `- name: lab`, `  cluster: {server: "https://127.0.0.1:${port}", insecure-skip-tls-verify: true}`,
    'contexts:', '- name: lab-ctx', '  context: {cluster: lab, user: op}',
    'current-context: lab-ctx',
    'users:', '- name: op', `  user: {token: ${CANARY}}`, '',
  ].join('\n'), { mode: 0o600 });
  return file;
}

interface Report { status: string; target: { display: string }; findings: { id: string; status: string; summary: string; required: boolean }[]; data: { verdict: string; requirements: { strategy: string } } }

test('check --strategy kubernetes: a refused API server is a BLOCKER, what needs it is UNKNOWN, the token never shows; the report fits the schema', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'dh-k8s-'));
  try {
    const env = { KUBECONFIG: await kubeconfig(dir, await freeLocalPort()) };
    const r = await runCli(['check', '--strategy', 'kubernetes', '--context', 'lab-ctx', '--namespace', 'shop', '--helm', '--json'], { env, timeoutMs: 60_000 });
    assert.equal(r.code, 1, r.stderr);
    const report = JSON.parse(r.stdout) as Report;
    const by = (id: string) => report.findings.find((f) => f.id === id);
    assert.equal(report.data.verdict, 'NOT READY');
    assert.equal(report.data.requirements.strategy, 'kubernetes');
    assert.equal(report.target.display, 'kubernetes:lab-ctx/shop');
    assert.equal(by('k8s.kubectl')?.status, 'pass');
    assert.equal(by('k8s.context')?.status, 'pass');
    assert.equal(by('k8s.cluster')?.status, 'block');
    assert.match(by('k8s.cluster')?.summary ?? '', /refused/);
    assert.ok(by('k8s.helm'), 'a chart deploy checks helm (present or not, it is reported)');
    assert.notEqual(by('k8s.helm')?.status, 'pass', 'helm is not installed on this machine');
    for (const id of ['k8s.namespace', 'k8s.permissions']) {
      assert.equal(by(id)?.status, 'unknown', `${id} cannot run without the cluster`);
      assert.equal(by(id)?.required, true);
    }
    assert.ok(!r.stdout.includes(CANARY) && !r.stderr.includes(CANARY));
    const s = await runCli(['schema', 'readiness']);
    const validate = new Ajv2020({ strict: false, allErrors: true }).compile(JSON.parse(s.stdout) as object);
    assert.ok(validate(report), JSON.stringify(validate.errors));
  } finally { await rm(dir, { recursive: true, force: true }); }
});

test('check --strategy kubernetes: an API server that accepts and never answers ends at --request-timeout, reported, no hang', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'dh-k8s-'));
  const sockets: Socket[] = [];
  const silent = createServer((s) => { sockets.push(s); });
  await new Promise<void>((res) => silent.listen(0, '127.0.0.1', res));
  try {
    const addr = silent.address();
    const env = { KUBECONFIG: await kubeconfig(dir, typeof addr === 'object' && addr ? addr.port : 0) };
    const r = await runCli(['check', '--strategy', 'kubernetes', '--request-timeout', '2', '--json'], { env, timeoutMs: 60_000 });
    assert.equal(r.code, 1, `exit ${String(r.code)} (null: killed, it hung): ${r.stderr}`);
    const report = JSON.parse(r.stdout) as Report;
    const cluster = report.findings.find((f) => f.id === 'k8s.cluster');
    assert.equal(cluster?.status, 'block');
    assert.match(cluster?.summary ?? '', /did not answer within the request timeout|timeout/i);
    assert.ok(sockets.length > 0, 'kubectl did connect to the silent server');
  } finally {
    for (const s of sockets) s.destroy();
    silent.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('check --strategy kubernetes: an absent context and an absent kubeconfig are BLOCKERs with the contexts there are', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'dh-k8s-'));
  try {
    const env = { KUBECONFIG: await kubeconfig(dir, await freeLocalPort()) };
    const r = await runCli(['check', '--strategy', 'kubernetes', '--context', 'prod', '--json'], { env, timeoutMs: 60_000 });
    assert.equal(r.code, 1);
    const ctx = (JSON.parse(r.stdout) as Report).findings.find((f) => f.id === 'k8s.context');
    assert.equal(ctx?.status, 'block');
    assert.match(ctx?.summary ?? '', /context prod is not in the kubeconfig \(it has: lab-ctx\)/);
    const none = await runCli(['check', '--strategy', 'kubernetes', '--json'], { env: { KUBECONFIG: join(dir, 'absent') }, timeoutMs: 60_000 });
    assert.equal(none.code, 1);
    const f = (JSON.parse(none.stdout) as Report).findings.find((x) => x.id === 'k8s.context');
    assert.equal(f?.status, 'block');
    assert.match(f?.summary ?? '', /no current context/);
  } finally { await rm(dir, { recursive: true, force: true }); }
});

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata: {name: shop-web}
spec:
  selector: {matchLabels: {app: shop-web}}
  template:
    metadata: {labels: {app: shop-web}}
    spec:
      containers:
        - name: web
          image: acme/shop-web:latest
          ports: [{containerPort: 3000}]
          readinessProbe: {httpGet: {path: /health, port: 3000}}
`;
const SERVICE = `apiVersion: v1
kind: Service
metadata: {name: shop-web}
spec:
  selector: {app: shop-web}
  ports: [{port: 80, targetPort: 3000}]
`;

async function repo(dir: string): Promise<string> {
  const app = join(dir, 'app');
  await mkdir(join(app, 'k8s'), { recursive: true });
  await writeFile(join(app, 'k8s', 'deployment.yaml'), DEPLOYMENT);
  await writeFile(join(app, 'k8s', 'service.yaml'), SERVICE);
  await writeFile(join(app, 'deckhand.yml'), 'app: shop-web\nstrategy: kubernetes\nkubernetes:\n  namespace: shop\n  rollout_timeout: 90s\n  image_pull: never\n');
  return app;
}

test('deploy --strategy kubernetes --plan: discovery\'s manifests, Deployment and Service become exact kubectl commands (current context)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'dh-k8s-'));
  try {
    const app = await repo(dir);
    const env = { KUBECONFIG: await kubeconfig(dir, await freeLocalPort()), HOME: dir };
    const r = await runCli(['deploy', '--repo', app, '--plan', '--json'], { env, timeoutMs: 60_000 });
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout) as { data: { outcome: string; releaseId: string; plan: { id: string; commands: string[] }[]; warnings: string[] } };
    assert.equal(report.data.outcome, 'PLANNED');
    const id = report.data.releaseId;
    const all = report.data.plan.flatMap((s) => s.commands);
    assert.ok(all.some((c) => /^kubectl apply -k \S+deckhand-k8s-shop-web-\S+ --namespace shop --context lab-ctx --request-timeout=30s \(here\)$/.test(c)), all.join('\n'));
    assert.ok(all.includes('kubectl rollout status deployment/shop-web --timeout=90s --namespace shop --context lab-ctx --request-timeout=90s (here)'));
    assert.ok(all.includes('kubectl port-forward svc/shop-web :80 --address 127.0.0.1 --pod-running-timeout=60s --namespace shop --context lab-ctx --request-timeout=60s (here)'));
    assert.ok(report.data.warnings.some((w) => w.includes(`acme/shop-web:${id}`)), 'the image tag is the release id, built here and not pushed (image_pull: never)');
  } finally { await rm(dir, { recursive: true, force: true }); }
});

test('deploy --strategy kubernetes --yes with the cluster refused: rendered by the real kubectl kustomize, stopped at the rollback point, nothing applied', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'dh-k8s-'));
  try {
    const app = await repo(dir);
    const env = { KUBECONFIG: await kubeconfig(dir, await freeLocalPort()), HOME: dir };
    const r = await runCli(['deploy', '--repo', app, '--yes', '--json'], { env, timeoutMs: 90_000 });
    assert.equal(r.code, 1, r.stderr);
    const report = JSON.parse(r.stdout) as { data: { outcome: string; failure: { step: string; message: string; revert: string }; commands: { step: string; command: string; exitCode: number | null }[]; base: string } };
    assert.equal(report.data.outcome, 'FAILED');
    assert.equal(report.data.failure.step, 'rollback-point');
    assert.match(report.data.failure.message, /refused/);
    assert.equal(report.data.failure.revert, 'nothing was applied to the cluster');
    const render = report.data.commands.find((c) => c.command.startsWith('kubectl kustomize'));
    assert.equal(render?.exitCode, 0, 'the real kustomize rendered the staged manifests with the release image');
    assert.ok(!report.data.commands.some((c) => c.command.startsWith('kubectl apply')));
    const ledger = JSON.parse(await readFile(join(report.data.base, 'ledger.json'), 'utf8')) as { releases: { status: string }[] };
    assert.deepEqual(ledger.releases.map((x) => x.status), ['failed']);
    assert.ok(!r.stdout.includes(CANARY) && !r.stderr.includes(CANARY));
  } finally { await rm(dir, { recursive: true, force: true }); }
});

test('rollback --strategy kubernetes: with no release recorded in this context it says where it looked and changes nothing (exit 2)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'dh-k8s-'));
  try {
    const app = await repo(dir);
    const env = { KUBECONFIG: await kubeconfig(dir, await freeLocalPort()), HOME: dir };
    const r = await runCli(['rollback', '--repo', app], { env, timeoutMs: 60_000 });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /no ledger for shop-web in lab-ctx\/shop/);
    assert.ok(!r.stderr.includes(CANARY));
  } finally { await rm(dir, { recursive: true, force: true }); }
});

test('rollback --strategy kubernetes with the cluster refused: FAILED at the undo (exit 1), the put-back also failed and says so, the ledger notes it on both releases', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'dh-k8s-'));
  try {
    const app = await repo(dir);
    const env = { KUBECONFIG: await kubeconfig(dir, await freeLocalPort()), HOME: dir };
    const state = join(dir, '.deckhand', 'kubernetes', 'lab-ctx', 'shop', 'shop-web');
    await mkdir(state, { recursive: true });
    const entry = (id: string, status: string, rev: number): Record<string, unknown> => ({ id, commit: null, dirty: false, strategy: 'kubernetes', status, deployedAt: 'x', deployedBy: 'op@m', deckhandVersion: '0', kubernetes: { deployments: { 'shop-web': rev }, helm: null, image: `acme/shop-web:${id}` } });
    await writeFile(join(state, 'ledger.json'), JSON.stringify({ schemaVersion: 1, app: 'shop-web', releases: [entry('20261130T100000Z-aaaaaaa', 'previous', 4), entry('20261201T100000Z-bbbbbbb', 'current', 5)] }));
    const r = await runCli(['rollback', '--repo', app, '--json'], { env, timeoutMs: 120_000 });
    assert.equal(r.code, 1, r.stderr);
    const report = JSON.parse(r.stdout) as { status: string; data: { outcome: string; failure: { step: string; message: string; revert: string }; plan: { id: string }[] } };
    assert.equal(report.data.outcome, 'FAILED');
    assert.deepEqual(report.data.plan.map((s) => s.id), ['restore', 'rollout.shop-web', 'verify-service']);
    assert.equal(report.data.failure.step, 'restore');
    assert.match(report.data.failure.message, /refused/);
    assert.match(report.data.failure.revert, /^putting 20261201T100000Z-bbbbbbb back FAILED: /);
    const ledger = JSON.parse(await readFile(join(state, 'ledger.json'), 'utf8')) as { releases: { status: string; note?: string }[] };
    assert.deepEqual(ledger.releases.map((x) => x.status), ['previous', 'current'], 'nothing became current that did not roll out');
    assert.ok(ledger.releases.every((x) => x.note?.startsWith('rollback to 20261130T100000Z-aaaaaaa at ')), JSON.stringify(ledger));
    assert.ok(!r.stdout.includes(CANARY) && !r.stderr.includes(CANARY));
  } finally { await rm(dir, { recursive: true, force: true }); }
});
