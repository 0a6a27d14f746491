// The CLI against this machine and loopback: report schema, exit codes, errors that never hang.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { runCli } from '../helpers/cli.js';

async function schemaValidator() {
  const s = await runCli(['schema', 'readiness']);
  assert.equal(s.code, 0, s.stderr);
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  return ajv.compile(JSON.parse(s.stdout) as object);
}

test('check local --json prints a report that validates against the exported schema', async () => {
  const validate = await schemaValidator();
  const r = await runCli(['check', 'local', '--json']);
  assert.ok(r.code === 0 || r.code === 1, `exit ${r.code}: ${r.stderr}`);
  const report = JSON.parse(r.stdout) as { stage: string; data: { verdict: string; facts: { probe: { complete: boolean } } } };
  assert.ok(validate(report), JSON.stringify(validate.errors));
  assert.equal(report.stage, 'readiness');
  assert.equal(report.data.facts.probe.complete, true);
  assert.equal(r.code, report.data.verdict === 'NOT READY' ? 1 : 0);
});

test('check local prints the Readiness Report and --out writes .json and .md', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'dh-out-'));
  try {
    const r = await runCli(['check', '--out', dir]);
    assert.match(r.stdout, /Host Readiness Report: local/);
    assert.match(r.stdout, /System Resources/);
    assert.match(r.stdout, /Conclusion: (READY|READY WITH WARNINGS|NOT READY)/);
    const files = await readdir(dir);
    const md = files.find((f) => f.endsWith('.md'));
    assert.ok(files.some((f) => f.endsWith('.json')) && md, `files: ${files.join(', ')}`);
    const text = await readFile(join(dir, md ?? ''), 'utf8');
    assert.match(text, /^## Host Readiness Report: `local`/);
    assert.match(text, /### Conclusion/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a port held on this machine is a BLOCKER naming this process', async () => {
  const server: Server = createServer();
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  const port = (server.address() as { port: number }).port;
  try {
    const r = await runCli(['check', '--port', String(port), '--json']);
    assert.equal(r.code, 1, r.stderr);
    const rep = JSON.parse(r.stdout) as { findings: { id: string; status: string; summary: string }[]; data: { verdict: string } };
    const f = rep.findings.find((x) => x.id === `port.${port}`);
    assert.equal(f?.status, 'block');
    assert.match(f?.summary ?? '', new RegExp(`PID ${process.pid}\\b`));
    assert.equal(rep.data.verdict, 'NOT READY');
  } finally {
    server.close();
  }
});

test('usage errors exit 2 and hostile values never reach a shell', async () => {
  for (const args of [
    ['check', 'root@127.0.0.1:22;reboot'],
    ['check', 'http://example.invalid'],
    ['check', '--port', '22;reboot'],
    ['check', '--require', 'node>=$(reboot)'],
    ['check', '--require-env', 'A$(reboot)'],
    ['check', '--strategy', 'nomad'],
    ['check', '--strategy', 'kubernetes', '--request-timeout', '5;reboot'],
    ['check', '--base-dir', 'relative/path'],
    ['check', '--no-such-flag'],
    ['schema', 'nope'],
  ]) {
    const r = await runCli(args);
    assert.equal(r.code, 2, `${args.join(' ')} → ${r.code}\n${r.stderr}`);
    assert.match(r.stderr, /error|unknown option/i, args.join(' '));
  }
});

test('a refused connection exits 3 with a hint, quickly', async () => {
  // Port 1 on loopback: nothing listens there.
  const r = await runCli(['check', 'ssh://nobody@127.0.0.1:1', '--accept-new-host-key', '--json'], { timeoutMs: 30_000 });
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stderr, /refused/);
  assert.match(r.stderr, /hint:/);
  const err = JSON.parse(r.stdout) as { error: { kind: string; hint: string } };
  assert.equal(err.error.kind, 'unreachable');
});

test('a server that accepts TCP but never speaks SSH times out instead of hanging (exit 3)', async () => {
  const sockets: import('node:net').Socket[] = [];
  const server = createServer((s) => { sockets.push(s); });
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  const port = (server.address() as { port: number }).port;
  try {
    const r = await runCli(['check', `nobody@127.0.0.1:${port}`, '--accept-new-host-key', '--connect-timeout', '2'], { timeoutMs: 40_000 });
    assert.equal(r.code, 3, `exit ${r.code}: ${r.stderr}`);
    assert.match(r.stderr, /timed out|could not talk|took longer/);
  } finally {
    for (const s of sockets) s.destroy();
    server.close();
  }
});

test('a secret passed with --secret-env never appears in stdout, stderr or the written reports', async () => {
  const canary = `canary-${process.pid}-Zq9`;
  const dir = await mkdtemp(join(tmpdir(), 'dh-secret-'));
  try {
    const r = await runCli(['check', '--secret-env', 'DH_CANARY', '--base-dir', `/nonexistent/${canary}/app`, '--out', dir, '--json'], { env: { DH_CANARY: canary } });
    assert.ok(r.code === 0 || r.code === 1, r.stderr);
    assert.ok(!r.stdout.includes(canary), 'canary in stdout');
    assert.ok(!r.stderr.includes(canary), 'canary in stderr');
    assert.match(r.stdout, /\*\*\*/);
    for (const f of await readdir(dir)) assert.ok(!(await readFile(join(dir, f), 'utf8')).includes(canary), `canary in ${f}`);
    const bad = await runCli(['check', `ssh://u@${canary};reboot:22`, '--secret-env', 'DH_CANARY'], { env: { DH_CANARY: canary } });
    assert.equal(bad.code, 2);
    assert.ok(!bad.stderr.includes(canary), 'canary in an error message');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a reader that closes stdout early (| head) ends the command quietly with its own exit code', async () => {
  const { spawn } = await import('node:child_process');
  const { CLI } = await import('../helpers/cli.js');
  const r = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [CLI, 'schema', 'fleet'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    // Read nothing: the pipe is closed at once, as `head -c 0` would.
    child.stdout.destroy();
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('close', (code) => { clearTimeout(timer); resolve({ code, stderr }); });
  });
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch(r.stderr, /EPIPE|Unhandled 'error' event/);
});

test('rollback with no target, where deckhand.yml lists hosts:, names the hosts instead of rolling back this machine', async () => {
  const { writeFile } = await import('node:fs/promises');
  const dir = await mkdtemp(join(tmpdir(), 'dh-fleet-rb-'));
  try {
    await writeFile(join(dir, 'deckhand.yml'), 'app: shop\nhosts: [deploy@web1, deploy@web2]\n');
    const r = await runCli(['rollback', '--repo', dir, '--name', 'shop']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /deckhand\.yml lists hosts \(deploy@web1, deploy@web2\): name the host to roll back/);
    assert.match(r.stderr, /deckhand rollback deploy@web1; deckhand rollback deploy@web2/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
