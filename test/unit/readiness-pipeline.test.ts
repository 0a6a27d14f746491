// checkReadiness end to end on a canned probe: NOT READY report valid against its zod and JSON Schemas, and the guide's Markdown layout.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
// The named export: under NodeNext the default import of this CommonJS module has no construct signature.
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { RunContext } from '../../src/core/context.js';
import { DeckhandError } from '../../src/core/errors.js';
import { Redactor } from '../../src/core/redact.js';
import { RecordingExecutor } from '../../src/exec/recording.js';
import { reportJsonSchema } from '../../src/report/json-schema.js';
import { renderReadinessMarkdown } from '../../src/report/markdown-readiness.js';
import { ReadinessReportSchema } from '../../src/report/readiness.js';
import { checkReadiness } from '../../src/stages/readiness/index.js';
import { fullProbe, section } from './helpers/probe-output.js';

const STARTED = new Date('2026-01-02T03:04:05.000Z');

/** A Debian host with node 18.19.0, port 3000 held by node (PID 1452), /opt not writable and no passwordless sudo. */
const NOT_READY_PROBE = fullProbe({
  sections: [
    section('port:3000', 'via=ss\nLISTEN 0      511          0.0.0.0:3000      0.0.0.0:*    users:(("node",pid=1452,fd=18))\nowner pid=1452 user=deploy comm=node exe=node'),
    section('base:primary', 'exists=no\nchecked=/opt\nisdir=yes\nwritable=no'),
    section('base:home', 'exists=no\nchecked=/home/deploy\nisdir=yes\nwritable=yes'),
  ],
  tools: { sudo: { body: 'sudo: a password is required', rc: 1 }, node: { body: 'path=/usr/bin/node\nv18.19.0' }, npm: { body: 'path=/usr/bin/npm\nversion=10.2.4\nsource=/usr/lib/node_modules/npm/package.json' } },
});

function ctxFor(stdout: string, extra: Partial<{ exitCode: number | null; timedOut: boolean }> = {}): { ctx: RunContext; rec: RecordingExecutor } {
  const rec = new RecordingExecutor([{ match: 'sh -s', stdout, ...extra }], { kind: 'ssh', display: 'deploy@web1:2222', host: 'web1', user: 'deploy', port: 2222 });
  return { ctx: { executor: rec, redactor: new Redactor(), now: () => STARTED }, rec };
}

describe('checkReadiness on a canned NOT READY probe', async () => {
  const { ctx, rec } = ctxFor(NOT_READY_PROBE);
  const events: string[] = [];
  ctx.onProgress = (e) => events.push(`${e.type}:${e.id}${e.type === 'step-end' ? `:${e.status}` : ''}`);
  const report = await checkReadiness(ctx, { require: ['node>=20'], port: [3000], app: 'app' }, true);

  test('runs exactly one read-only `sh -s` with the probe on stdin', () => {
    assert.equal(rec.calls.length, 1);
    const call = rec.calls[0];
    assert.deepEqual(call?.argv, ['sh', '-s']);
    assert.equal(call?.mutates, false);
    assert.match(String(call?.stdin), /^DH_PORTS=3000$/m);
    assert.match(String(call?.stdin), /@@done/);
    assert.deepEqual(events, ['step-start:probe', 'step-end:probe:pass']);
  });

  test('the envelope', () => {
    assert.equal(report.schemaVersion, 1);
    assert.equal(report.stage, 'readiness');
    assert.equal(report.status, 'not-ready');
    assert.deepEqual(report.target, { kind: 'ssh', display: 'deploy@web1:2222' });
    assert.equal(report.startedAt, '2026-01-02T03:04:05.000Z');
    assert.equal(report.data.verdict, 'NOT READY');
    assert.deepEqual(report.steps.map((s) => [s.id, s.status]), [['probe', 'pass'], ['evaluate', 'pass']]);
  });

  test('the findings: node too old, port held, base dir falls back to home', () => {
    const byId = new Map(report.findings.map((f) => [f.id, f]));
    assert.equal(byId.get('runtime.node')?.status, 'block');
    assert.match(byId.get('runtime.node')?.summary ?? '', /node 18\.19\.0 installed, >=20 required/);
    assert.equal(byId.get('port.3000')?.status, 'block');
    assert.equal(byId.get('port.3000')?.summary, 'IN USE by PID 1452 (node, user deploy)');
    assert.equal(byId.get('permissions.base-dir')?.status, 'warn');
    assert.equal(byId.get('system.os')?.summary, 'Debian GNU/Linux 12 (bookworm) (x86_64), kernel Linux 6.1.0-18-amd64');
    assert.deepEqual(report.data.requiredActions.slice(0, 2), ['install node >=20 (installed: 18.19.0)', 'free port 3000 (stop PID 1452, node) or choose another port']);
  });

  test('valid against the zod schema', () => {
    const parsed = ReadinessReportSchema.safeParse(report);
    assert.ok(parsed.success, JSON.stringify(parsed.error?.issues));
  });

  test('valid against the published JSON Schema (ajv, draft 2020-12), which also rejects a broken report', () => {
    const ajv = new Ajv2020({ allErrors: true, strict: true });
    const validate = ajv.compile(reportJsonSchema('readiness'));
    const json = JSON.parse(JSON.stringify(report)) as Record<string, unknown>;
    assert.ok(validate(json), JSON.stringify(validate.errors));
    assert.equal(validate({ ...json, status: 'maybe' }), false);
    assert.equal(validate({ ...json, findings: [] }), false);
    const { data: _data, ...withoutData } = json;
    assert.equal(validate(withoutData), false);
  });

  test('Markdown in the guide\'s layout', () => {
    const md = renderReadinessMarkdown(report);
    const order = ['## Host Readiness Report: `deploy@web1:2222`', '### System Resources', '### Runtimes & Dependencies', '### Network & Ports', '### Permissions', '### Conclusion'];
    let at = -1;
    for (const heading of order) {
      const i = md.indexOf(heading);
      assert.ok(i > at, `"${heading}" present and in order`);
      at = i;
    }
    assert.match(md, /^The host is \*\*NOT READY\*\* for deployment\.$/m);
    assert.match(md, /^\*\*Required Actions Before Execution:\*\*$/m);
    assert.match(md, /^- \*\*Port 3000:\*\* IN USE by PID 1452 \(node, user deploy\) - \*\*BLOCKER\*\*$/m);
    assert.match(md, /^- \*\*Node\.js:\*\* node 18\.19\.0 installed, >=20 required - \*\*BLOCKER\*\*$/m);
    assert.match(md, /^1\. install node >=20 \(installed: 18\.19\.0\)$/m);
    assert.match(md, /^2\. free port 3000 \(stop PID 1452, node\) or choose another port$/m);
    assert.match(md, /^node 18\.19\.0 · npm 10\.2\.4$/m);
  });
});

describe('checkReadiness on other probe outcomes', () => {
  test('a healthy probe is READY and its Markdown says so without required actions', async () => {
    const ok = fullProbe({
      sections: [section('port:3000', 'via=ss\n'), section('base:primary', 'exists=no\nchecked=/opt\nisdir=yes\nwritable=yes')],
      tools: { node: { body: 'path=/usr/bin/node\nv20.11.1' } },
    });
    const report = await checkReadiness(ctxFor(ok).ctx, { require: ['node>=20'], port: [3000] }, true);
    assert.equal(report.data.verdict, 'READY', JSON.stringify(report.findings.filter((f) => f.status !== 'pass')));
    assert.equal(report.status, 'ready');
    const md = renderReadinessMarkdown(report);
    assert.match(md, /\*\*READY\*\*/);
    assert.doesNotMatch(md, /Required Actions/);
  });

  test('a probe cut short warns in its step and leaves missing facts unknown → NOT READY', async () => {
    const cut = NOT_READY_PROBE.slice(0, NOT_READY_PROBE.indexOf('@@begin tool:node'));
    const report = await checkReadiness(ctxFor(cut, { exitCode: null, timedOut: true }).ctx, { require: ['node>=20'], port: [3000] }, true);
    assert.equal(report.steps[0]?.status, 'warn');
    assert.match(report.steps[0]?.detail ?? '', /probe cut short .*timed out/);
    assert.equal(report.data.facts.probe.complete, false);
    const node = report.findings.find((f) => f.id === 'runtime.node');
    assert.equal(node?.status, 'unknown');
    assert.equal(report.data.verdict, 'NOT READY');
  });

  test('no probe output at all is an error, not a report', async () => {
    await assert.rejects(checkReadiness(ctxFor('', { exitCode: 127 }).ctx, {}), (e: unknown) => {
      assert.ok(e instanceof DeckhandError);
      assert.equal(e.kind, 'unreachable');
      assert.match(e.message, /the readiness probe could not run on deploy@web1:2222/);
      return true;
    });
    await assert.rejects(checkReadiness(ctxFor('', { exitCode: null, timedOut: true }).ctx, {}), (e: unknown) => e instanceof DeckhandError && e.kind === 'timeout');
  });

  test('bad options fail before anything runs', async () => {
    const { ctx, rec } = ctxFor(NOT_READY_PROBE);
    await assert.rejects(checkReadiness(ctx, { port: ['22;reboot'] }), (e: unknown) => e instanceof DeckhandError && e.kind === 'usage');
    assert.equal(rec.calls.length, 0);
  });
});
