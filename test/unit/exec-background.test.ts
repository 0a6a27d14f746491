// Background processes (kubectl port-forward's shape) with real local processes: ready line, ended by stop(), bounded start.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { Redactor } from '../../src/core/redact.js';
import { keepTail, OUTPUT_TAIL_CHARS, startBackground } from '../../src/exec/background.js';

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

test('keeps only a bounded tail of what a long-lived process prints after it is ready', async () => {
  // About 1.2 MB after the ready line, then silence until stop().
  const cmd = { argv: ['sh', '-c', 'echo "Forwarding from 127.0.0.1:41235 -> 3000"; i=0; while [ $i -lt 20000 ]; do echo "Handling connection for 41235 number $i ........................"; i=$((i+1)); done; echo last-line; exec sleep 30'], mutates: false, timeoutMs: 60_000 };
  const p = await startBackground(cmd, READY, 10_000, new Redactor());
  try {
    for (let i = 0; i < 200 && !p.output().includes('last-line'); i++) await new Promise((r) => setTimeout(r, 50));
    const out = p.output();
    assert.match(out, /last-line\n$/);
    assert.ok(out.length <= OUTPUT_TAIL_CHARS, `kept ${out.length} characters`);
    assert.match(out, /^Handling connection/, 'the tail starts at a line');
  } finally { await p.stop(); }
});

test('keepTail: short text unchanged; long text cut to its last lines', () => {
  assert.equal(keepTail('a\nb\n', 10), 'a\nb\n');
  assert.equal(keepTail('aaaa\nbb\ncc\n', 6), 'cc\n');
  assert.equal(keepTail('abcdefgh', 3), 'fgh');
});
