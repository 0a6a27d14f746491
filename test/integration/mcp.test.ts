// `deckhand mcp` driven by the SDK's own client over stdio: tools and annotations, discovery, readiness, the plan → apply gate, resources.
import assert from 'node:assert/strict';
import { cp, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { freeLocalPort } from '../../src/exec/free-port.js';
import { CLI } from '../helpers/cli.js';
import { pm2Workspace, type Pm2Workspace } from '../helpers/pm2-workspace.js';

const EXAMPLE = fileURLToPath(new URL('../../examples/node-api/', import.meta.url));
const FIXTURE = fileURLToPath(new URL('../fixtures/discover/node-express/', import.meta.url));
const CANARY = 'canary-Mc9Pq4Vt7-mcp';
const DESTRUCTIVE = ['deployment_apply', 'incident_rollback', 'repo_service_lifecycle', 'service_operations_apply'];
const READ_ONLY = ['repo_runtime_discovery', 'target_host_readiness', 'deployment_plan', 'deployment_verifier', 'service_operations', 'incident_triage'];

async function connect(args: string[], env: Record<string, string>): Promise<{ client: Client; stderr: () => string }> {
  const transport = new StdioClientTransport({
    command: process.execPath, args: [CLI, 'mcp', ...args], stderr: 'pipe',
    env: { ...Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined)), ...env },
  });
  let err = '';
  transport.stderr?.on('data', (d: Buffer) => { err += d.toString(); });
  const client = new Client({ name: 'deckhand-test', version: '1.0.0' });
  await client.connect(transport);
  return { client, stderr: () => err };
}

const text = (r: CallToolResult): string => r.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');

describe('deckhand mcp over stdio', { concurrency: false }, () => {
  let ws: Pm2Workspace;
  let work: string;
  let repo: string;
  let base: string;
  let port: number;
  let env: Record<string, string>;
  let client: Client;
  let stderr: () => string;
  const results: CallToolResult[] = [];
  const call = async (name: string, args: Record<string, unknown>, onprogress?: () => void): Promise<CallToolResult> => {
    const r = await client.callTool({ name, arguments: args }, undefined, { timeout: 300_000, resetTimeoutOnProgress: true, ...(onprogress ? { onprogress } : {}) }) as CallToolResult;
    results.push(r);
    return r;
  };
  const deployArgs = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
    target: 'local', repo, app: 'node-api', strategy: 'pm2', baseDir: base, port, health: '/health', envFile: join(work, 'prod.env'), ...extra,
  });

  before(async () => {
    ws = await pm2Workspace('dh-mcp-');
    work = ws.dir;
    repo = join(work, 'repo');
    base = join(work, 'base');
    await cp(EXAMPLE, repo, { recursive: true, filter: (src) => !src.includes('node_modules') });
    await writeFile(join(work, 'prod.env'), `APP_VERSION=1.0.0\nDATABASE_URL=postgres://app:${CANARY}@127.0.0.1:1/app\n`, { mode: 0o600 });
    port = await freeLocalPort();
    env = ws.env;
    ({ client, stderr } = await connect([], env));
  });

  after(async () => {
    await client?.close();
    await ws?.close();
  });

  it('lists one tool per skill with honest annotations', async () => {
    const { tools } = await client.listTools();
    assert.deepEqual(tools.map((t) => t.name).sort(), [...READ_ONLY, ...DESTRUCTIVE].sort());
    for (const t of tools) {
      const readOnly = READ_ONLY.includes(t.name);
      assert.equal(t.annotations?.readOnlyHint, readOnly, `${t.name} readOnlyHint`);
      assert.equal(t.annotations?.destructiveHint, !readOnly, `${t.name} destructiveHint`);
      assert.equal(t.outputSchema?.type, 'object', `${t.name} has an output schema`);
    }
  });

  it('--read-only lists no destructive tool', async () => {
    const ro = await connect(['--read-only'], env);
    try {
      const { tools } = await ro.client.listTools();
      assert.deepEqual(tools.map((t) => t.name).sort(), [...READ_ONLY].sort());
      assert.ok(tools.every((t) => t.annotations?.destructiveHint !== true && t.annotations?.readOnlyHint === true));
    } finally {
      await ro.client.close();
    }
  });

  it('repo_runtime_discovery returns the Deployment Brief, with progress notifications', async () => {
    let progress = 0;
    const r = await call('repo_runtime_discovery', { path: FIXTURE }, () => { progress++; });
    assert.ok(!r.isError, text(r));
    const brief = r.structuredContent as { stage: string; data: { app: string; stack: { ecosystem: { value: string }; frameworks: { value: { name: string } }[] } } };
    assert.equal(brief.stage, 'discovery');
    assert.equal(brief.data.stack.ecosystem.value, 'node');
    assert.equal(brief.data.stack.frameworks[0]?.value.name, 'express');
    assert.match(text(r), /orders-api/);
    assert.ok(progress > 0, 'progress notifications arrived');
    const link = r.content.find((c) => c.type === 'resource_link');
    assert.ok(link && link.type === 'resource_link' && link.uri.startsWith('deckhand://reports/brief/'));
    const read = await client.readResource({ uri: link.uri });
    const first = read.contents[0];
    assert.ok(first && 'text' in first);
    assert.equal((JSON.parse(first.text) as { data: { app: string } }).data.app, 'orders-api');
  });

  it('target_host_readiness on local returns a verdict', async () => {
    const r = await call('target_host_readiness', { target: 'local', strategy: 'pm2', ports: [port], baseDir: base });
    assert.ok(!r.isError, text(r));
    const rep = r.structuredContent as { stage: string; target: { kind: string }; data: { verdict: string } };
    assert.equal(rep.target.kind, 'local');
    assert.ok(['READY', 'READY WITH WARNINGS', 'NOT READY'].includes(rep.data.verdict));
  });

  it('deployment_apply refuses without a plan id, with an unknown one, and with other inputs than the plan\'s', async () => {
    const none = await call('deployment_apply', deployArgs());
    assert.equal(none.isError, true);
    assert.match(text(none), /call deployment_plan first/);
    const unknown = await call('deployment_apply', deployArgs({ planId: 'deadbeef0000' }));
    assert.equal(unknown.isError, true);
    assert.match(text(unknown), /no plan with id deadbeef0000.*call deployment_plan first/);
  });

  it('deployment_plan changes nothing; deployment_apply of that plan → SUCCESS and the app answers', async () => {
    const plan = await call('deployment_plan', deployArgs());
    assert.ok(!plan.isError, text(plan));
    const planned = plan.structuredContent as { status: string; data: { outcome: string; planId: string; envNames: string[] } };
    assert.equal(planned.data.outcome, 'PLANNED');
    assert.deepEqual(planned.data.envNames, ['APP_VERSION', 'DATABASE_URL']);
    assert.match(text(plan), new RegExp(`Plan id: \`${planned.data.planId}\``));
    assert.deepEqual(await readdir(base).catch(() => 'absent'), 'absent', 'the plan created nothing');

    const other = await call('deployment_apply', deployArgs({ planId: planned.data.planId, port: port === 65535 ? 65534 : port + 1 }));
    assert.equal(other.isError, true);
    assert.match(text(other), /made from other inputs: port differ/);

    let progress = 0;
    const r = await call('deployment_apply', deployArgs({ planId: planned.data.planId }), () => { progress++; });
    assert.ok(!r.isError, text(r) + stderr());
    const rep = r.structuredContent as { data: { outcome: string; planId: string; handoff: { port: number } } };
    assert.equal(rep.data.outcome, 'SUCCESS', text(r));
    assert.equal(rep.data.planId, planned.data.planId);
    assert.equal(rep.data.handoff.port, port);
    assert.ok(progress > 0, 'apply reported progress');
    const version = await fetch(`http://127.0.0.1:${port}/version`, { signal: AbortSignal.timeout(5000) });
    assert.equal(((await version.json()) as { version: string }).version, '1.0.0');

    const again = await call('deployment_apply', deployArgs({ planId: planned.data.planId }));
    assert.equal(again.isError, true);
    assert.match(text(again), /already used/);
  });

  it('a plan made before the target changed is refused, saying what changed', async () => {
    const a = await call('deployment_plan', deployArgs());
    assert.ok(!a.isError, text(a));
    // Another timeout makes a different plan (and plan id) for the same target state.
    const b = await call('deployment_plan', deployArgs({ startTimeoutSec: 31 }));
    assert.ok(!b.isError, text(b));
    const idA = (a.structuredContent as { data: { planId: string } }).data.planId;
    const idB = (b.structuredContent as { data: { planId: string } }).data.planId;
    assert.notEqual(idA, idB);
    const applied = await call('deployment_apply', deployArgs({ startTimeoutSec: 31, planId: idB }));
    assert.equal((applied.structuredContent as { data: { outcome: string } }).data.outcome, 'SUCCESS', text(applied));
    const stale = await call('deployment_apply', deployArgs({ planId: idA }));
    assert.equal(stale.isError, true);
    assert.match(text(stale), /changed since plan/);
    assert.match(text(stale), /call deployment_plan again/);
  });

  it('service_operations inspects the deployed app; service_operations_apply records the baseline on the target', async () => {
    const b = await call('service_operations_apply', { task: 'baseline', target: 'local', app: 'node-api', baseDir: base, windowSec: 300 });
    assert.ok(!b.isError, text(b));
    const br = b.structuredContent as { stage: string; data: { task: string } };
    assert.deepEqual([br.stage, br.data.task], ['operations', 'baseline']);
    const recorded = JSON.parse(await readFile(join(base, '.deckhand', 'baseline.json'), 'utf8')) as { app: string; release: string };
    assert.equal(recorded.app, 'node-api');
    const i = await call('service_operations', { task: 'inspect', target: 'local', app: 'node-api', baseDir: base, windowSec: 300 });
    assert.ok(!i.isError, text(i));
    const ir = i.structuredContent as { stage: string; status: string; data: { task: string; version: { release: string } } };
    assert.deepEqual([ir.stage, ir.data.task], ['operations', 'inspect']);
    assert.equal(ir.data.version.release, recorded.release, 'the inspected release is the one the baseline recorded');
    assert.match(text(i), /^# Operations Inspection Report/m);
    const bad = await call('service_operations', { task: 'resources', target: 'local', app: 'node-api', baseDir: base, watchSec: 4, intervalSec: 3 });
    assert.equal(bad.isError, true);
    assert.match(text(bad), /fewer than 3 samples/);
  });

  it('deployment_verifier checks the deployed app; incident_rollback puts the previous release back', async () => {
    const v = await call('deployment_verifier', { target: 'local', app: 'node-api', baseDir: base, windowSec: 2, checks: [{ name: 'version', path: '/version', conditions: ['[STATUS] == 200'] }] });
    assert.ok(!v.isError, text(v));
    const vr = v.structuredContent as { stage: string; data: { verdict: string } };
    assert.equal(vr.stage, 'verification');
    assert.ok(['VERIFIED', 'FAILED'].includes(vr.data.verdict));
    const rb = await call('incident_rollback', { target: 'local', app: 'node-api', baseDir: base });
    assert.ok(!rb.isError, text(rb));
    assert.equal((rb.structuredContent as { data: { outcome: string } }).data.outcome, 'SUCCESS', text(rb));
  });

  it('lists the session\'s reports as resources; no secret value in any result', async () => {
    const { resources } = await client.listResources();
    const kinds = new Set(resources.map((r) => r.uri.split('/')[3]));
    for (const k of ['brief', 'readiness', 'plan', 'execution']) assert.ok(kinds.has(k), `a ${k} report is listed`);
    for (const r of results) assert.ok(!JSON.stringify(r).includes(CANARY), 'the env file\'s secret never appears');
    assert.ok(!stderr().includes(CANARY));
  });
});
