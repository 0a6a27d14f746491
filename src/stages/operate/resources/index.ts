// `deckhand ops resources`: samples the deployed service's processes over a window and reports growth, leaks and fd exhaustion risk.
import { pm2For } from '../../../core/pm2-binary.js';
import type { RunContext } from '../../../core/context.js';
import { tail } from '../../../core/errors.js';
import { resourceSamplesCommand, type ResourceKind } from '../../../commands/ops-resources.js';
import type { Finding } from '../../../report/common.js';
import type { OperationsReport } from '../../../report/operations.js';
import type { OpsResourcesData } from '../../../report/ops/resources.js';
import { loadDeployedApp } from '../deployed-app.js';
import { opsEvidence, opsFinding, startTask } from '../task-report.js';
import { fdExhaustion, judgeResources, LEAK_MIN_BYTES, LEAK_MIN_SHARE, metricsOf, stableRun, steady } from './analyze.js';
import { parseResourceSamples, totals } from './samples.js';

export interface ResourcesRequest {
  app: string;
  baseDir: string | null;
  windowMs: number;
  intervalMs: number;
}

const KINDS: Record<string, ResourceKind> = { systemd: 'systemd', 'blue-green': 'blue-green', pm2: 'pm2', docker: 'docker', compose: 'compose' };


/** Processes to sample for the remedy text when none were found. */
function whereToLook(app: string, kind: ResourceKind): string {
  switch (kind) {
    case 'systemd': return `systemctl status ${app}.service; journalctl -u ${app} -n 100`;
    case 'blue-green': return `systemctl list-units '${app}@*.service'`;
    case 'pm2': return `pm2 describe ${app} (as the deploying user)`;
    case 'docker': return `docker ps -a --filter name=${app}`;
    case 'compose': return `docker compose -p ${app} ps -a`;
  }
}

export async function opsResources(ctx: RunContext, req: ResourcesRequest): Promise<OperationsReport> {
  const { log, finish } = startTask(ctx, req.app);
  log.begin('app', `Read the deployed app ${req.app}`);
  const deployed = await loadDeployedApp(ctx, req.app, req.baseDir);
  const kind = KINDS[deployed.current.strategy];
  log.end('pass', `release ${deployed.current.id} (${deployed.current.strategy})`);
  const samples = Math.max(2, Math.floor(req.windowMs / req.intervalMs) + 1);
  const data: OpsResourcesData = {
    task: 'resources', kind: kind ?? deployed.current.strategy, release: deployed.current.id, windowMs: req.windowMs, intervalMs: req.intervalMs,
    samples: [], processes: [], restarts: 0, judgedFrom: 0, metrics: { rss: null, fds: null, threads: null, cpu: null }, leakSuspected: false, fdExhaustion: null,
  };
  if (!kind) {
    return finish([opsFinding('resources.processes', 'resources', `Processes of ${req.app}`, 'unknown',
      `the ${deployed.current.strategy} strategy has no process manager deckhand can ask for the service's processes`, {
        remedy: deployed.current.strategy === 'static' ? 'a static site is served by nginx: watch nginx itself' : 'watch the processes your script starts with ps/top on the target',
      })], data);
  }

  log.begin('sample', `Sample ${req.app} every ${req.intervalMs / 1000}s for ${req.windowMs / 1000}s (${samples} samples)`);
  const cmd = resourceSamplesCommand({ app: req.app, kind, samples, intervalSec: req.intervalMs / 1000, pm2: pm2For(ctx.executor.host) });
  const r = await ctx.executor.run(cmd);
  const probe = parseResourceSamples(r.rawStdout ?? r.stdout);
  data.samples = totals(probe);
  const evidence = opsEvidence(ctx, `${cmd.description ?? 'sample'} (reads /proc/<pid>/status, stat, fd, limits of each PID)`,
    data.samples.map((s) => `t=${s.t}s pids=${s.pids.join(',') || '-'} rss=${s.rssBytes} fds=${s.fds ?? '?'} threads=${s.threads} cpu%=${s.cpuPercent ?? '-'}`).join('\n'));
  if (!probe.complete || probe.samples.length < 2) {
    log.end('unknown', r.timedOut ? 'timed out' : `exit ${String(r.exitCode)}`);
    return finish([opsFinding('resources.processes', 'resources', `Processes of ${req.app}`, 'unknown', `the sampling did not complete (${r.timedOut ? 'timed out' : `exit ${String(r.exitCode)}`}, ${probe.samples.length} sample(s))`, {
      evidence: opsEvidence(ctx, cmd.description ?? 'sample', tail(`${r.stdout}\n${r.stderr}`, 10)), remedy: 'check the connection to the target, then run again',
    })], data);
  }
  const lastProbe = probe.samples[probe.samples.length - 1];
  data.processes = (lastProbe?.procs ?? []).map((p) => ({ pid: p.pid, comm: p.comm, rssBytes: p.rssKb * 1024, fds: p.fds, fdLimit: p.fdLimit && p.fdLimit > 0 ? p.fdLimit : null, threads: p.threads }));
  if (data.samples.every((s) => s.pids.length === 0)) {
    const notes = [...new Set(probe.samples.flatMap((s) => s.notes))];
    log.end('fail', 'no process found');
    const dockerWhy = (kind === 'docker' || kind === 'compose') && probe.docker !== 'direct' && probe.docker !== 'sudo' ? `docker=${probe.docker ?? '?'}` : null;
    return finish([opsFinding('resources.processes', 'resources', `Processes of ${req.app}`, dockerWhy ? 'unknown' : 'fail',
      dockerWhy ? `the docker daemon could not be asked (${dockerWhy})` : `no process of ${req.app} (${kind}) was running in any of the ${probe.samples.length} samples${notes.length > 0 ? ` (${notes.join('; ')})` : ''}`, {
        evidence, remedy: dockerWhy ? 'give the user docker access (docker group or passwordless sudo)' : `the service is down: ${whereToLook(req.app, kind)}`,
      })], data);
  }
  log.end('pass', `${probe.samples.length} samples of ${data.processes.length} process(es)`);

  const run = stableRun(data.samples);
  data.restarts = run.restarts;
  data.judgedFrom = run.from;
  const judged = data.samples.slice(run.from);
  data.metrics = metricsOf(judged);
  const rss = data.metrics.rss;
  data.leakSuspected = judged.length >= 3 && rss !== null && steady(rss, Math.max(LEAK_MIN_BYTES, rss.first * LEAK_MIN_SHARE));
  data.fdExhaustion = fdExhaustion(probe, run.from);
  const findings: Finding[] = [];
  if (run.restarts > 0) {
    findings.push(opsFinding('resources.restarts', 'resources', `Processes of ${req.app}`, 'warn', `the set of PIDs changed ${run.restarts} time(s) during the window: the service restarted`, {
      evidence, remedy: `find out why: ${whereToLook(req.app, kind)}`,
    }));
  }
  findings.push(...judgeResources(req.app, data, evidence, probe.priv));
  return finish(findings, data);
}
