// The applier's logic with scripted executors: retries on transient failures (and says so), revert on a failed start.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { shJoin, type Command } from '../../src/core/command.js';
import { Redactor } from '../../src/core/redact.js';
import type { ExecResult, Executor } from '../../src/exec/types.js';
import { Applier } from '../../src/stages/deploy/apply.js';
import type { Plan, Step } from '../../src/stages/deploy/types.js';

/** Answers each command from a queue of results per pattern; records every call. */
class ScriptedExecutor implements Executor {
  readonly host = { kind: 'local', display: 'local' } as const;
  readonly calls: string[] = [];
  constructor(private readonly script: { match: RegExp; results: Partial<ExecResult>[] }[]) {}
  async run(cmd: Command): Promise<ExecResult> {
    const line = shJoin(cmd.argv);
    this.calls.push(line);
    const s = this.script.find((x) => x.match.test(line));
    const r = (s && s.results.length > 1 ? s.results.shift() : s?.results[0]) ?? {};
    const exitCode = r.exitCode === undefined ? 0 : r.exitCode;
    return { command: line, host: 'local', exitCode, stdout: r.stdout ?? '', stderr: r.stderr ?? '', durationMs: 1, failed: exitCode !== 0, timedOut: false };
  }
  async upload(): Promise<ExecResult> { throw new Error('not used'); }
  async transfer(): Promise<ExecResult> { throw new Error('not used'); }
  async forward(): Promise<never> { throw new Error('not used'); }
  async close(): Promise<void> {}
}

const step = (id: string, argv: string[], retry?: number): Step => ({ id, title: id, phase: 'prepare', destructive: false, actions: [{ type: 'run', command: { argv, mutates: true } }], ...(retry ? { retry } : {}) });

test('a transient failure (connection reset) is retried and the report shows the attempts; an app error is not', async () => {
  const ex = new ScriptedExecutor([
    { match: /npm ci/, results: [{ exitCode: 1, stderr: 'npm ERR! network read ECONNRESET' }, { exitCode: 0 }] },
    { match: /npm run build/, results: [{ exitCode: 2, stderr: 'TS2322: Type error' }] },
  ]);
  const a = new Applier({ executor: ex, redactor: new Redactor() }, {} as Plan, { envContent: null, remoteEnvFile: null, baseOverride: null });
  await a.runStep(step('install', ['npm', 'ci'], 2));
  assert.deepEqual(a.executed.map((c) => [c.step, c.attempts, c.exitCode]), [['install', 2, 0]]);
  await assert.rejects(a.runStep(step('build', ['npm', 'run', 'build'], 2)), /TS2322/);
  assert.equal(ex.calls.filter((c) => c.includes('build')).length, 1, 'an application error is not retried');
  assert.deepEqual(a.stepResults.map((s) => [s.id, s.status]), [['install', 'pass'], ['build', 'fail']]);
});

test('secret values are masked in a failed step\'s message', async () => {
  const r = new Redactor();
  r.add('hunter2-canary');
  const ex = new ScriptedExecutor([{ match: /migrate/, results: [{ exitCode: 1, stderr: 'auth failed for postgres://app:hunter2-canary@db/app' }] }]);
  const a = new Applier({ executor: ex, redactor: r }, {} as Plan, { envContent: null, remoteEnvFile: null, baseOverride: null });
  await assert.rejects(a.runStep(step('migrate', ['npm', 'run', 'migrate'])), (e: unknown) => e instanceof Error && !e.message.includes('hunter2-canary') && e.message.includes('***'));
});

test('a secret value inside a path does not corrupt what the state probe parses (masking is for display only)', async () => {
  const { LocalExecutor } = await import('../../src/exec/local.js');
  const { probeState } = await import('../../src/stages/deploy/state.js');
  const { mkdtemp, mkdir, rm } = await import('node:fs/promises');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  const dir = await mkdtemp(join(tmpdir(), 'dh-mask-'));
  try {
    const base = join(dir, 'bench-app');
    await mkdir(join(base, 'releases', 'r1'), { recursive: true });
    const r = new Redactor();
    r.add('bench');
    const st = await probeState({ executor: new LocalExecutor(r), redactor: r }, 'bench-app', base);
    assert.equal(st.base, base);
    assert.deepEqual(st.releaseDirs, ['r1']);
    assert.ok(r.mask(st.base).includes('***'), 'shown masked');
  } finally { await rm(dir, { recursive: true, force: true }); }
});
