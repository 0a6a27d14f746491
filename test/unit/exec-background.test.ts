// Background processes (kubectl port-forward's shape) with real local processes: ready line, ended by stop(), bounded start.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { Redactor } from '../../src/core/redact.js';
import { startBackground } from '../../src/exec/background.js';

const READY = /Forwarding from 127\.0\.0\.1:(\d+) ->/;
/** Running, not a zombie waiting for a reaper (this machine's PID 1 may be slow to reap). */
const alive = (pid: number): boolean => {
  try { return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8')); } catch { return false; }
};

test('resolves on the ready line, and stop() ends the whole process group', async () => {
  const cmd = { argv: ['sh', '-c', 'sleep 30 & echo "Forwarding from 127.0.0.1:41234 -> 3000"; echo child=$!; wait'], mutates: false, timeoutMs: 60_000 };
  const p = await startBackground(cmd, READY, 10_000, new Redactor());
  assert.equal(p.match[1], '41234');
  await new Promise((r) => setTimeout(r, 100));
  const child = Number(/child=(\d+)/.exec(p.output())?.[1]);
  assert.ok(child > 0 && alive(child));
  await p.stop();
  await new Promise((r) => setTimeout(r, 100));
  assert.ok(!alive(child), 'the grandchild is gone too');
  await p.stop();
});

test('a process that exits before it is ready is an error carrying its output', async () => {
  const cmd = { argv: ['sh', '-c', 'echo "error: services \\"web\\" not found" >&2; exit 1'], mutates: false, timeoutMs: 60_000 };
  await assert.rejects(startBackground(cmd, READY, 10_000, new Redactor()), (e: Error & { details?: { stderrTail?: string } }) => /exited \(code 1\) before it was ready/.test(e.message) && /not found/.test(e.details?.stderrTail ?? ''));
});

test('a process that stays silent is ended at the ready deadline', async () => {
  const cmd = { argv: ['sh', '-c', 'exec sleep 30'], mutates: false, timeoutMs: 60_000 };
  await assert.rejects(startBackground(cmd, READY, 300, new Redactor()), /was not ready within/);
});
