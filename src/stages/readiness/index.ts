// target-host-readiness: one probe round trip, typed facts, one finding per check, and the verdict.
import type { RunContext } from '../../core/context.js';
import { DeckhandError, tail } from '../../core/errors.js';
import { VERSION } from '../../core/version.js';
import type { Finding, StepResult } from '../../report/common.js';
import type { HostFacts, ReadinessReport, Requirements } from '../../report/readiness.js';
import { checkBaseDir } from './checks/base-dir.js';
import { checkCpu } from './checks/cpu.js';
import { checkDisks } from './checks/disk.js';
import { checkEnv } from './checks/env.js';
import { checkMemory } from './checks/memory.js';
import { checkOs } from './checks/os.js';
import { checkPorts } from './checks/ports.js';
import { checkReach } from './checks/reach.js';
import { checkStrategy } from './checks/strategy.js';
import { checkTools } from './checks/tools.js';
import { parseProbe } from './parse.js';
import { buildProbeScript, probeCommand, type ProbeParams } from './probe.js';
import { resolveRequirements, type CheckOptions } from './requirements.js';
import { verdict } from './verdict.js';
import { loadVersionMatcher, type VersionMatcher } from './versions.js';

export function probeParams(r: Requirements): ProbeParams {
  const ports = [...new Set([...r.ports, ...(r.proxy ? [80, 443] : [])])];
  const p: ProbeParams = {
    ports,
    disks: [{ purpose: 'app', path: r.baseDir }, { purpose: 'log', path: '/var/log' }, { purpose: 'tmp', path: '/tmp' }],
    baseDir: r.baseDir,
    app: r.app,
    reach: r.reach,
    envNames: r.envNames,
    dockerDisk: r.strategy === 'docker' || r.strategy === 'compose' || r.strategy === 'swarm',
  };
  if (r.envFile !== null) p.envFile = r.envFile;
  return p;
}

/** All checks in report order. Pure: facts and requirements in, findings out. */
const SECTION_ORDER = ['system', 'runtimes', 'network', 'permissions', 'secrets'];

export function evaluate(facts: HostFacts, r: Requirements, versions?: VersionMatcher): Finding[] {
  const all = [
    ...checkOs(facts), ...checkCpu(facts), ...checkMemory(facts, r), ...checkDisks(facts, r),
    ...checkTools(facts, r, versions), ...checkStrategy(facts, r),
    ...checkPorts(facts, r), ...checkReach(facts),
    ...checkBaseDir(facts, r),
    ...checkEnv(facts),
  ];
  // Grouped by report section (stable, so each section keeps its checks' order).
  const rank = (f: Finding): number => { const i = SECTION_ORDER.indexOf(f.section); return i < 0 ? SECTION_ORDER.length : i; };
  return all.map((f, i) => ({ f, i })).sort((a, b) => rank(a.f) - rank(b.f) || a.i - b.i).map((x) => x.f);
}

/**
 * Checks a host. With `validate`, the report is parsed with its zod schema before it is returned
 * (tests do this; the CLI skips loading zod, and the test suite proves its output matches the schema).
 */
export async function checkReadiness(ctx: RunContext, options: CheckOptions = {}, validate = false): Promise<ReadinessReport> {
  const now = ctx.now ?? (() => new Date());
  const startedAt = now();
  const t0 = performance.now();
  // Connecting is the slowest part of a remote check: start it while the requirements are read.
  void ctx.executor.connect?.();
  const requirements = await resolveRequirements(options);
  const params = probeParams(requirements);
  const script = buildProbeScript(params);
  const steps: StepResult[] = [];

  const probeTitle = `probe ${ctx.executor.host.display} (one round trip)`;
  ctx.onProgress?.({ type: 'step-start', id: 'probe', title: probeTitle });
  const tp = performance.now();
  let res;
  try {
    res = await ctx.executor.run(probeCommand(script));
  } catch (err) {
    ctx.onProgress?.({ type: 'step-end', id: 'probe', title: probeTitle, status: 'fail', durationMs: Math.round(performance.now() - tp) });
    throw err;
  }
  const probeMs = Math.round(performance.now() - tp);
  const complete = /^@@done$/m.test(res.stdout);
  if (!complete && !/^@@begin /m.test(res.stdout)) {
    ctx.onProgress?.({ type: 'step-end', id: 'probe', title: probeTitle, status: 'fail', durationMs: probeMs });
    throw new DeckhandError(res.timedOut ? 'timeout' : 'unreachable', `the readiness probe could not run on ${ctx.executor.host.display}`, {
      details: { host: res.host, command: 'sh -s  (readiness probe on stdin)', exitCode: res.exitCode, stderrTail: tail(res.stderr) },
      hint: res.timedOut ? 'the host did not answer in time; check its load and retry' : 'the host needs a POSIX sh; check that the login shell works (ssh HOST true)',
    });
  }
  steps.push({ id: 'probe', title: probeTitle, status: complete ? 'pass' : 'warn', durationMs: probeMs, ...(complete ? {} : { detail: `probe cut short (exit ${String(res.exitCode)}${res.timedOut ? ', timed out' : ''}); missing facts are UNKNOWN` }) });
  ctx.onProgress?.({ type: 'step-end', id: 'probe', title: probeTitle, status: complete ? 'pass' : 'warn', durationMs: probeMs });

  const te = performance.now();
  const facts = parseProbe({
    stdout: res.rawStdout ?? res.stdout, durationMs: probeMs, ports: params.ports, disks: params.disks, dockerDisk: params.dockerDisk,
    baseDir: params.baseDir, app: params.app, reach: params.reach, envNames: params.envNames,
    ...(params.envFile !== undefined ? { envFile: params.envFile } : {}),
  });
  const versions = requirements.tools.some((t) => t.range !== null) ? await loadVersionMatcher() : undefined;
  const findings = evaluate(facts, requirements, versions);
  const v = verdict(findings);
  steps.push({ id: 'evaluate', title: `evaluate ${findings.length} checks`, status: 'pass', durationMs: Math.round(performance.now() - te) });

  const report: ReadinessReport = {
    schemaVersion: 1,
    tool: { name: 'deckhand', version: VERSION },
    stage: 'readiness',
    status: v.verdict === 'READY' ? 'ready' : v.verdict === 'READY WITH WARNINGS' ? 'ready-with-warnings' : 'not-ready',
    target: { kind: ctx.executor.host.kind, display: ctx.executor.host.display },
    startedAt: startedAt.toISOString(),
    durationMs: Math.round(performance.now() - t0),
    findings,
    steps,
    data: { verdict: v.verdict, requiredActions: v.requiredActions, requirements, facts },
  };
  if (validate) {
    const { ReadinessReportSchema } = await import('../../report/readiness.js');
    ReadinessReportSchema.parse(report);
  }
  return ctx.redactor.maskDeep(report);
}
