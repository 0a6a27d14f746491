// `deckhand ops resources --watch` on the lab node20 host: an app that leaks memory on purpose is flagged; examples/node-api idle is not.
import assert from 'node:assert/strict';
import { cp, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { labOrSkip, loadLab, sshExec, type LabState } from '../lab/lab.js';
import { labSshFlags, runCli, type CliResult } from '../helpers/cli.js';

const LEAKY_SRC = fileURLToPath(new URL('../fixtures/leaky-app/', import.meta.url));
const EXAMPLE = fileURLToPath(new URL('../../examples/node-api/', import.meta.url));
const LEAKY = { app: 'lab-opsr', port: 3895 };
const IDLE = { app: 'lab-opsr-idle', port: 3896 };

interface Finding { id: string; status: string; summary: string; evidence?: string; remedy?: string }
interface Report {
  status: string;
  findings: Finding[];
  data: {
    task: string; kind: string; leakSuspected: boolean; restarts: number;
    samples: { t: number; pids: number[]; rssBytes: number; fds: number | null; threads: number; cpuPercent: number | null }[];
    processes: { pid: number; comm: string; fdLimit: number | null }[];
    metrics: { rss: { delta: number; slopePerMinute: number; risingSteps: number; steps: number } | null; fds: { last: number } | null; cpu: { avgPercent: number } | null };
    fdExhaustion: { etaMinutes: number | null } | null;
  };
}

function report(r: CliResult): Report {
  try { return JSON.parse(r.stdout) as Report; } catch { return assert.fail(`no JSON report (exit ${r.code}):\n${r.stdout}\n${r.stderr}`); }
}

const show = (rep: Report): string => rep.findings.map((f) => `${f.status} ${f.id}: ${f.summary}`).join('\n');
const cleanup = [LEAKY, IDLE].map((a) => `sudo -n systemctl disable --now ${a.app}.service >/dev/null 2>&1; sudo -n rm -rf /opt/${a.app} /etc/systemd/system/${a.app}.service; sudo -n userdel ${a.app} >/dev/null 2>&1`).join('; ')
  + '; sudo -n systemctl daemon-reload';

describe('ops resources on a lab host (systemd, deploy user with sudo)', { concurrency: false }, () => {
  let lab: LabState | null = null;
  let work = '';
  let target = '';
  const deployed: string[] = [];

  const deploy = async (repo: string, a: { app: string; port: number }): Promise<void> => {
    const r = await runCli(['deploy', target, ...labSshFlags(lab as LabState), '--repo', repo, '--name', a.app, '--strategy', 'systemd', '--build', 'local',
      '--port', String(a.port), '--health', '/health', '--json', '--yes'], { timeoutMs: 300_000 });
    assert.equal(r.code, 0, `deploy ${a.app}: ${r.stderr}\n${r.stdout}`);
    deployed.push(a.app);
  };
  const watch = (app: string, extra: string[] = []): Promise<CliResult> => runCli(['ops', 'resources', target, ...labSshFlags(lab as LabState), '--name', app,
    '--watch', '20s', '--interval', '2s', '--json', ...extra], { timeoutMs: 180_000 });

  before(async () => {
    lab = loadLab();
    if (!lab) return;
    const h = lab.hosts.node20;
    target = `ssh://deploy@${h.host}:${h.port}`;
    work = await mkdtemp(join(tmpdir(), 'dh-ops-resources-'));
    await cp(LEAKY_SRC, join(work, 'leaky'), { recursive: true });
    await cp(EXAMPLE, join(work, 'idle'), { recursive: true, filter: (src) => !src.includes('node_modules') });
    await sshExec('node20', 'deploy', cleanup);
    // The idle app first: the leaky one should be as young as possible when it is watched (its leak is capped).
    await deploy(join(work, 'idle'), IDLE);
    await deploy(join(work, 'leaky'), LEAKY);
  });

  after(async () => {
    if (lab) await sshExec('node20', 'deploy', cleanup).catch(() => undefined);
    if (work) await rm(work, { recursive: true, force: true });
  });

  test('the app that keeps 1 MiB more every second is flagged: leak suspected, status attention', async (t) => {
    lab = labOrSkip(t); if (!lab) return;
    assert.ok(deployed.includes(LEAKY.app), 'deployed');
    const r = await watch(LEAKY.app, ['--out', join(work, 'reports')]);
    const rep = report(r);
    t.diagnostic(show(rep));
    assert.equal(r.code, 1, r.stderr);
    assert.equal(rep.status, 'attention');
    assert.equal(rep.data.kind, 'systemd');
    assert.equal(rep.data.samples.length, 11);
    assert.equal(rep.data.restarts, 0);
    assert.ok(rep.data.samples.every((s) => s.pids.length === 1 && s.fds !== null), 'one node process, fds readable through sudo');
    assert.equal(rep.data.processes[0]?.comm, 'node');
    assert.equal(rep.data.leakSuspected, true);
    const rss = rep.data.metrics.rss;
    assert.ok(rss && rss.delta >= 10 * 1024 * 1024, `RSS grew ${rss?.delta} bytes`);
    assert.ok(rss.risingSteps >= 8, `rising in ${rss.risingSteps} of ${rss.steps}`);
    const f = rep.findings.find((x) => x.id === 'resources.rss');
    assert.equal(f?.status, 'warn');
    assert.match(f?.summary ?? '', /^leak suspected: RSS grew steadily [\d.]+ MiB → [\d.]+ MiB \(\+[\d.]+ MiB\/min, rising in \d+ of 10 intervals/);
    assert.match(f?.evidence ?? '', /^on deploy@127\.0\.0\.1:2220: \$ sample RSS, open fds, threads and CPU of lab-opsr \(systemd\) 11 times, 2s apart/);
    assert.equal(rep.findings.find((x) => x.id === 'resources.fds')?.status, 'pass');
    const md = (await readdir(join(work, 'reports'))).find((n) => n.endsWith('.md'));
    assert.ok(md);
    const text = await readFile(join(work, 'reports', md), 'utf8');
    assert.match(text, /## Resource Utilization/);
    assert.match(text, /\*\*Memory \(RSS\):\*\* .* — \*\*Leak suspected\*\*/);
  });

  test('examples/node-api idle is not flagged: RSS stable, fds far from the limit, status ok', async (t) => {
    lab = labOrSkip(t); if (!lab) return;
    assert.ok(deployed.includes(IDLE.app), 'deployed');
    const r = await watch(IDLE.app);
    const rep = report(r);
    t.diagnostic(show(rep));
    assert.equal(rep.data.leakSuspected, false, show(rep));
    assert.equal(rep.findings.find((x) => x.id === 'resources.rss')?.status, 'pass');
    assert.equal(rep.findings.find((x) => x.id === 'resources.fds')?.status, 'pass');
    assert.equal(rep.data.fdExhaustion?.etaMinutes ?? null, null);
    assert.ok((rep.data.processes[0]?.fdLimit ?? 0) > 0);
    assert.equal(rep.status, 'ok');
    assert.equal(r.code, 0, r.stderr);
  });

  test('an app that is not deployed there is a clear usage error (exit 2)', async (t) => {
    lab = labOrSkip(t); if (!lab) return;
    const r = await watch('lab-opsr-nothing');
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /lab-opsr-nothing is not deployed on .* \(no current release in a ledger at \/opt\/lab-opsr-nothing\)/);
  });

  test('usage errors: an interval that leaves fewer than 3 samples, a bad duration', async () => {
    const few = await runCli(['ops', 'resources', 'local', '--name', 'x', '--watch', '5s', '--interval', '3s']);
    assert.equal(few.code, 2);
    assert.match(few.stderr, /--interval 3s leaves fewer than 3 samples in --watch 5s/);
    const bad = await runCli(['ops', 'resources', 'local', '--name', 'x', '--watch', 'forever']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /invalid --watch "forever"/);
  });
});
