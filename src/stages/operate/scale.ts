// `deckhand ops scale N`: a compose zero-downtime front scaled behind nginx, or a pm2 cluster scaled; then every instance must be seen serving.
import { pm2For } from '../../core/pm2-binary.js';
import type { RunContext } from '../../core/context.js';
import { DeckhandError } from '../../core/errors.js';
import type { Finding } from '../../report/common.js';
import type { OperationsReport } from '../../report/operations.js';
import type { OpsScaleData } from '../../report/ops/scale.js';
import { asRoot } from '../../commands/sudo.js';
import { composeCli } from '../../commands/compose.js';
import { waitHealthyCommand } from '../../commands/health.js';
import { upstreamPath } from '../../commands/blue-green.js';
import {
  composeScaleCommand, parseComposeScale, parsePm2Instances, parseTrafficCount, pm2InstancesCommand, pm2ScaleCommand, SCALE_MAX, SCALE_MIN,
  trafficCountCommand, type ScaledInstance, type TrafficMeasure,
} from '../../commands/ops-scale.js';
import { FRONT_SUCCESSES } from '../deploy/strategies/compose.js';
import { loadDeployedApp, registerEnvSecrets, type DeployedApp } from './deployed-app.js';
import { opsEvidence, opsFinding, startTask, type StepLog } from './task-report.js';

export interface ScaleOptions { app: string; baseDir: string | null; to: number; yes: boolean }

/** Requests sent per instance to see each one serve. */
const REQUESTS_PER_INSTANCE = 20;
/** How long a new container may take to become healthy. */
const HEALTH_TIMEOUT_SEC = 120;
/** How long pm2 may take to bring every worker online after `pm2 scale`. */
const PM2_ONLINE_MS = 60_000;

type Cmds = OpsScaleData['commands'];

/** N must be a whole number in range: checked before anything is read from the target. */
export function checkScaleCount(to: number): void {
  if (!Number.isInteger(to) || to < SCALE_MIN || to > SCALE_MAX) {
    throw new DeckhandError('usage', `cannot scale to ${String(to)}: the instance count must be a whole number from ${SCALE_MIN} to ${SCALE_MAX}`, { hint: 'e.g. `deckhand ops scale user@host 3 --yes`' });
  }
}

export async function opsScale(ctx: RunContext, o: ScaleOptions): Promise<OperationsReport> {
  checkScaleCount(o.to);
  const { log, finish } = startTask(ctx, o.app);
  const d = await loadDeployedApp(ctx, o.app, o.baseDir);
  const strategy = d.current.strategy;
  // Compose and pm2 print what they start with: every secret-looking value of the app's env file is masked first.
  if (strategy === 'compose' || strategy === 'pm2') await registerEnvSecrets(ctx, d);
  if (strategy === 'compose') return finishWith(finish, await scaleCompose(ctx, d, o, log));
  if (strategy === 'pm2') return finishWith(finish, await scalePm2(ctx, d, o, log));
  throw new DeckhandError('usage', `${o.app} runs with the ${strategy} strategy, which deckhand ops scale does not scale: ${strategy === 'blue-green' ? 'its slots are one live instance and one standby' : 'one unit is one process'}`, {
    hint: 'deploy with --strategy compose --zero-downtime (nginx spreads over the containers) or pm2 in cluster mode, or deploy to more hosts behind a load balancer',
  });
}

function finishWith(finish: (f: Finding[], d: OpsScaleData) => OperationsReport, r: { findings: Finding[]; data: OpsScaleData }): OperationsReport {
  return finish(r.findings, r.data);
}

async function scaleCompose(ctx: RunContext, d: DeployedApp, o: ScaleOptions, log: StepLog): Promise<{ findings: Finding[]; data: OpsScaleData }> {
  if (d.state.uid !== 0 && !d.state.sudo) {
    throw new DeckhandError('usage', `${d.state.user} is not root and has no passwordless sudo: scaling rewrites the nginx upstream of ${o.app}`, { hint: 'connect as root or as a user with passwordless sudo' });
  }
  const flavor = d.state.tools['compose-v2'] ? 'v2' : d.state.tools['compose-v1'] ? 'v1' : null;
  if (!flavor) throw new DeckhandError('usage', `neither \`docker compose\` nor docker-compose is installed on ${ctx.executor.host.display}`, { hint: 'install the compose plugin (apt-get install docker-compose-plugin or docker-compose)' });
  const sudo = d.state.uid !== 0;
  const path = d.current.healthPath ?? null;
  const waitScript = waitHealthyCommand({ aliveCheck: '', port: null, path: null, timeoutSec: 0, successes: 1 }).argv[2] ?? '';
  const cmd = asRoot(composeScaleCommand({
    app: o.app, base: d.base, cli: composeCli(flavor, o.app), to: o.to, apply: o.yes, waitScript,
    health: { path, timeoutSec: HEALTH_TIMEOUT_SEC, successes: FRONT_SUCCESSES },
  }), sudo);
  log.begin('scale', o.yes ? `Scale the fronted service of ${o.app} to ${o.to} behind nginx` : `List the fronted containers of ${o.app}`);
  const r = await ctx.executor.run(cmd);
  const parsed = parseComposeScale(r.stdout);
  const commands: Cmds = [{ what: cmd.description ?? 'scale', command: r.command, output: ctx.redactor.mask(`${r.stdout}${r.stderr}`.trim()) }];
  log.end(r.failed ? 'fail' : 'pass', r.failed ? ctx.redactor.mask(lastLine(r.stderr)) : undefined);
  if (r.exitCode === 3) {
    throw new DeckhandError('usage', ctx.redactor.mask(lastLine(r.stderr)), { hint: `redeploy ${o.app} with --strategy compose --zero-downtime: nginx in front spreads the traffic over the containers` });
  }
  const base: OpsScaleData = {
    task: 'scale', kind: 'compose', mode: o.yes ? 'applied' : 'plan', release: d.current.id, service: parsed.service, from: parsed.from, to: o.to,
    upstream: upstreamPath(o.app), instances: parsed.instances.map((i) => ({ ...i, requests: null })), traffic: null, actions: [], commands,
  };
  const svc = parsed.service ?? 'the fronted service';
  if (!o.yes) {
    base.actions = planActions(parsed.from, o.to, svc, upstreamPath(o.app));
    const f = opsFinding('scale.plan', 'Scale', 'Scale plan', r.failed ? 'unknown' : 'pass', r.failed
      ? `could not list the containers of ${svc}` : `${parsed.from ?? '?'} container(s) of ${svc} now; --yes scales to ${o.to}`, { evidence: opsEvidence(ctx, r.command, commands[0]?.output ?? '') });
    return { findings: [f], data: base };
  }
  if (r.failed) {
    base.actions = parsed.notes.map((n) => ctx.redactor.mask(n));
    return { findings: [opsFinding('scale.apply', 'Scale', `Scale ${svc} to ${o.to}`, 'fail', ctx.redactor.mask(lastLine(r.stderr)) || `the scale command failed (exit ${String(r.exitCode)})`, {
      evidence: opsEvidence(ctx, r.command, commands[0]?.output ?? ''), remedy: 'read the evidence; nginx was left pointing at the containers that were healthy before',
    })], data: base };
  }
  base.actions = parsed.notes.length > 0 ? parsed.notes.map((n) => ctx.redactor.mask(n)) : [`nothing: ${svc} already runs ${o.to} container(s)`];
  const findings = [countFinding(ctx, r.command, commands[0]?.output ?? '', parsed.instances.filter((i) => i.state === 'running').length, o.to, svc)];
  if (parsed.proxy === null) {
    findings.push(opsFinding('scale.traffic', 'Scale', 'Every instance serves', 'unknown', 'the nginx port of the front was not reported'));
    return { findings, data: base };
  }
  const t = await countTraffic(ctx, log, sudo, { port: parsed.proxy, path, measure: 'accepts' }, parsed.instances, commands);
  base.instances = t.instances;
  base.traffic = t.traffic;
  findings.push(...t.findings);
  return { findings, data: base };
}

async function scalePm2(ctx: RunContext, d: DeployedApp, o: ScaleOptions, log: StepLog): Promise<{ findings: Finding[]; data: OpsScaleData }> {
  const pm2 = pm2For(ctx.executor.host);
  const commands: Cmds = [];
  // The polls while pm2 brings workers up are not listed one by one: the first and the last list are.
  const list = async (record = true): Promise<ReturnType<typeof parsePm2Instances>> => {
    const c = pm2InstancesCommand(pm2, o.app);
    const r = await ctx.executor.run(c);
    if (record) commands.push({ what: c.description ?? 'pm2 jlist', command: r.command, output: ctx.redactor.mask(r.stdout.trim()) });
    return parsePm2Instances(r.stdout);
  };
  log.begin('list', `List the pm2 instances of ${o.app}`);
  const before = await list();
  log.end(before.length > 0 ? 'pass' : 'fail');
  if (before.length === 0) {
    throw new DeckhandError('usage', `pm2 of ${d.state.user} on ${ctx.executor.host.display} runs no app named ${o.app}`, { hint: 'connect as the user that deployed it (pm2 apps are per user), or deploy it again' });
  }
  const fork = before.find((i) => i.mode !== 'cluster_mode');
  if (fork) {
    throw new DeckhandError('usage', `${o.app} runs in pm2 ${fork.mode.replace('_mode', '')} mode: pm2 scales only cluster mode (several workers sharing one port)`, {
      hint: 'deploy it in cluster mode (pm2 instances in deckhand.yml, a node script as the start command), then scale',
    });
  }
  const data: OpsScaleData = {
    task: 'scale', kind: 'pm2', mode: o.yes ? 'applied' : 'plan', release: d.current.id, service: o.app, from: before.length, to: o.to, upstream: null,
    instances: toInstances(before), traffic: null, actions: [], commands,
  };
  if (!o.yes) {
    data.actions = before.length === o.to ? [`nothing: ${o.app} already runs ${o.to} instance(s)`] : [`pm2 scale ${o.app} ${o.to}`, `wait until ${o.to} instances are online`, `send ${REQUESTS_PER_INSTANCE * o.to} requests to the app port and count each instance's reads`];
    return { findings: [opsFinding('scale.plan', 'Scale', 'Scale plan', 'pass', `${before.length} instance(s) of ${o.app} now; --yes scales to ${o.to}`)], data };
  }
  const findings: Finding[] = [];
  let after = before;
  if (before.length !== o.to) {
    log.begin('scale', `pm2 scale ${o.app} ${o.to}`);
    const c = pm2ScaleCommand(pm2, o.app, o.to);
    const r = await ctx.executor.run(c);
    commands.push({ what: c.description ?? 'pm2 scale', command: r.command, output: ctx.redactor.mask(`${r.stdout}${r.stderr}`.trim().split('\n').slice(-10).join('\n')) });
    log.end(r.failed ? 'fail' : 'pass');
    if (r.failed) {
      findings.push(opsFinding('scale.apply', 'Scale', `pm2 scale ${o.app} ${o.to}`, 'fail', ctx.redactor.mask(lastLine(r.stderr)) || 'pm2 scale failed', { evidence: opsEvidence(ctx, r.command, `${r.stdout}${r.stderr}`), remedy: `pm2 logs ${o.app}` }));
      return { findings, data };
    }
    data.actions.push(`pm2 scale ${o.app} ${o.to}`);
    log.begin('online', `Wait until ${o.to} instances of ${o.app} are online`);
    const t0 = Date.now();
    for (;;) {
      const done = Date.now() - t0 > PM2_ONLINE_MS;
      after = await list(false);
      if (done || (after.length === o.to && after.every((i) => i.status === 'online' && i.pid !== null))) break;
      await new Promise((res) => setTimeout(res, 1000));
    }
    after = await list();
    log.end(after.length === o.to ? 'pass' : 'fail');
  }
  data.instances = toInstances(after);
  const online = after.filter((i) => i.status === 'online').length;
  findings.push(opsFinding('scale.count', 'Scale', `${o.to} instance(s) online`, online === o.to && after.length === o.to ? 'pass' : 'fail',
    `${online} of ${after.length} pm2 instance(s) of ${o.app} online (asked for ${o.to})`, { evidence: after.map((i) => `pm2 ${i.id} ${i.status} pid ${i.pid ?? '-'} ${i.mode}`).join('\n'), remedy: `pm2 logs ${o.app}` }));
  if (d.current.port === null || d.current.port === undefined) {
    findings.push(opsFinding('scale.traffic', 'Scale', 'Every instance serves', 'unknown', 'the ledger records no port for the app, so no request was sent'));
    return { findings, data };
  }
  const t = await countTraffic(ctx, log, false, { port: d.current.port, path: d.current.healthPath ?? null, measure: 'reads' }, data.instances, commands);
  data.instances = t.instances;
  data.traffic = t.traffic;
  findings.push(...t.findings);
  return { findings, data };
}

function toInstances(list: ReturnType<typeof parsePm2Instances>): OpsScaleData['instances'] {
  return list.map((i) => ({ id: i.id, port: null, pid: i.pid, state: i.status, requests: null }));
}

/** Sends the verification requests from the target and attributes them per instance: one with no reads got no traffic (FAIL). */
async function countTraffic(ctx: RunContext, log: StepLog, sudo: boolean, to: { port: number; path: string | null; measure: TrafficMeasure }, instances: readonly (ScaledInstance | OpsScaleData['instances'][number])[], commands: Cmds): Promise<{ instances: OpsScaleData['instances']; traffic: OpsScaleData['traffic']; findings: Finding[] }> {
  const { port, path, measure } = to;
  const pids = instances.map((i) => i.pid).filter((p): p is number => p !== null && p > 0);
  const requests = REQUESTS_PER_INSTANCE * Math.max(1, instances.length);
  log.begin('traffic', `Send ${requests} requests to 127.0.0.1:${port} and count each instance's ${measure === 'accepts' ? 'accepted connections' : 'reads'}`);
  const c = asRoot(trafficCountCommand({ port, path, requests, pids, measure }), sudo);
  const r = await ctx.executor.run(c);
  commands.push({ what: c.description ?? 'traffic count', command: r.command, output: ctx.redactor.mask(r.stdout.trim()) });
  const t = parseTrafficCount(r.stdout);
  const out = instances.map((i) => ({ id: i.id, port: i.port, pid: i.pid, state: i.state, requests: i.pid !== null ? t.reads.get(i.pid) ?? null : null }));
  const silent = out.filter((i) => i.requests === 0);
  const unread = out.filter((i) => i.requests === null);
  log.end(silent.length > 0 ? 'fail' : unread.length > 0 || r.failed ? 'unknown' : 'pass');
  const evidence = opsEvidence(ctx, r.command.length > 300 ? `${r.command.slice(0, 300)}…` : r.command, r.stdout);
  const url = `http://127.0.0.1:${port}${path ?? '/'}`;
  const what = measure === 'accepts' ? 'accepted no connection' : 'read nothing';
  const findings: Finding[] = [];
  if (r.failed || t.sent === null) {
    findings.push(opsFinding('scale.traffic', 'Scale', 'Every instance serves', 'unknown', `the verification requests could not be sent (exit ${String(r.exitCode)})`, { evidence, remedy: 'check curl on the target' }));
  } else if (silent.length > 0) {
    findings.push(opsFinding('scale.traffic', 'Scale', 'Every instance serves', 'fail', `${silent.length} of ${out.length} instance(s) ${what} during ${t.sent} requests to ${url}: ${silent.map((i) => i.id).join(', ')}`, {
      evidence, remedy: 'look at the upstream file and the instance\'s logs: it runs but gets no traffic',
    }));
  } else if (unread.length > 0) {
    findings.push(opsFinding('scale.traffic', 'Scale', 'Every instance serves', 'unknown', `the counters of ${unread.map((i) => i.id).join(', ')} could not be read (/proc/PID/${measure === 'accepts' ? 'net/snmp' : 'io'} needs root or the owning user)`, { evidence, remedy: 'run as root or with passwordless sudo' }));
  } else {
    findings.push(opsFinding('scale.traffic', 'Scale', 'Every instance serves', 'pass', `all ${out.length} instance(s) ${measure === 'accepts' ? 'accepted connections' : 'read'} during ${t.sent} requests to ${url} (${t.ok ?? 0} answered 2xx/3xx)`, { evidence }));
  }
  if (t.sent !== null && t.ok !== null && t.ok < t.sent) {
    findings.push(opsFinding('scale.answers', 'Scale', 'Requests answered', 'fail', `${t.sent - t.ok} of ${t.sent} requests to ${url} got no 2xx/3xx answer`, { evidence, remedy: 'look at the error log of nginx and the app' }));
  }
  return { instances: out, traffic: t.sent !== null ? { url, sent: t.sent, answered: t.ok ?? 0, measure } : null, findings };
}

function countFinding(ctx: RunContext, command: string, output: string, have: number, want: number, svc: string): Finding {
  return opsFinding('scale.count', 'Scale', `${want} container(s) of ${svc}`, have === want ? 'pass' : 'fail', `${have} running container(s) of ${svc} after the scale (asked for ${want})`, {
    evidence: opsEvidence(ctx, command.length > 300 ? `${command.slice(0, 300)}…` : command, output), remedy: 'read the evidence: compose may have failed to start a container',
  });
}

function planActions(from: number | null, to: number, svc: string, up: string): string[] {
  if (from === to) return [`nothing: ${svc} already runs ${to} container(s)`];
  if (from !== null && to < from) {
    return [`rewrite ${up} with the ${to} container(s) to keep, nginx -t, graceful reload`, `drain each of the other ${from - to} container(s) (bounded by the release's drain time), stop and remove it`, `send ${REQUESTS_PER_INSTANCE * to} requests through nginx and count the connections each container accepted`];
  }
  return [`up -d --no-deps --no-recreate --scale ${svc}=${to} ${svc} from the current release (its project name and -f file)`, `wait until each new container answers its health path ${FRONT_SUCCESSES} times in a row`, `rewrite ${up} with every container's port, nginx -t, graceful reload`, `send ${REQUESTS_PER_INSTANCE * to} requests through nginx and count the connections each container accepted`];
}


function lastLine(s: string): string {
  return s.trim().split('\n').filter((l) => l.trim() !== '').pop() ?? '';
}
