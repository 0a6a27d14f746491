// `deckhand ops logrotate`: writes /etc/logrotate.d/<app> for the app's own log files, checked with logrotate -d first; --force rotates once.
import type { RunContext } from '../../../core/context.js';
import { DeckhandError, tail } from '../../../core/errors.js';
import {
  forceRotateCommand, installLogrotateCommand, LOGROTATE_HEADER, logrotatePath, logrotateProbeCommand, renderLogrotateConfig, ROTATE_POLICY,
} from '../../../commands/ops-logrotate.js';
import { asRoot } from '../../../commands/sudo.js';
import type { Finding } from '../../../report/common.js';
import type { OpsLogrotateData } from '../../../report/ops/logrotate.js';
import type { OperationsReport } from '../../../report/operations.js';
import { parseSections } from '../../readiness/parse.js';
import { loadDeployedApp, type DeployedApp } from '../deployed-app.js';
import { opsEvidence, opsFinding, startTask, type FindingExtra } from '../task-report.js';
import { parseLogrotateProbe, type LogrotateFacts } from './facts.js';
import { planLogrotate } from './plan.js';
import { parseForceOutput } from './rotation.js';

export interface LogrotateOptions {
  app: string;
  baseDir: string | null;
  /** Check and install; without it the file and what it would do are only printed. */
  yes: boolean;
  /** After installing, run one rotation now (logrotate -f). */
  force: boolean;
}

const SECTION = 'Log rotation';
const f = (id: string, title: string, status: Finding['status'], summary: string, more: FindingExtra = {}): Finding =>
  opsFinding(`logrotate.${id}`, SECTION, title, status, summary, more);

function existingKind(current: string | null, config: string | null): OpsLogrotateData['existing'] {
  if (current === null) return 'none';
  if (config !== null && current.trim() === config.trim()) return 'identical';
  return current.startsWith(LOGROTATE_HEADER) ? 'deckhand' : 'foreign';
}

type Log = ReturnType<typeof startTask>['log'];

/** The second round trip: log files, tools and other logrotate configs (read as the connecting user). */
async function readLogSetup(ctx: RunContext, log: Log, deployed: DeployedApp): Promise<LogrotateFacts> {
  log.begin('probe', 'Find the log files and the logrotate setup');
  const r = await ctx.executor.run(logrotateProbeCommand({ app: deployed.app, base: deployed.base, pm2Home: `${deployed.state.home}/.pm2` }));
  if (r.failed) {
    log.end('fail', `exit ${r.exitCode ?? 'none'}`);
    throw new DeckhandError('unreachable', `could not read the log setup of ${deployed.app} on ${ctx.executor.host.display}`, {
      details: { host: r.host, command: r.command, exitCode: r.exitCode, stderrTail: tail(r.stderr) },
    });
  }
  log.end('pass');
  return parseLogrotateProbe(r.rawStdout ?? r.stdout);
}

/** What must hold before anything is written: logrotate present, no hand-written file in the way, root. */
function preconditions(ctx: RunContext, o: LogrotateOptions, deployed: DeployedApp, facts: LogrotateFacts, existing: OpsLogrotateData['existing']): Finding[] {
  const path = logrotatePath(o.app);
  const { state } = deployed;
  const out: Finding[] = [facts.logrotate
    ? f('tool', 'logrotate', 'pass', facts.version ?? facts.logrotate, { evidence: facts.logrotate })
    : f('tool', 'logrotate', 'unknown', `logrotate is not installed on ${ctx.executor.host.display}: the file could not be checked, nothing was installed`, {
      evidence: 'command -v logrotate; /usr/sbin/logrotate: not found', remedy: 'install it (Debian/Ubuntu: sudo apt-get install logrotate), then rerun',
    })];
  if (existing === 'foreign') {
    out.push(f('existing', 'Existing file', 'block', `${path} exists and was not written by deckhand: it is left alone`, {
      evidence: tail(facts.current ?? '', 3), remedy: `merge it into the file shown here by hand, or move it aside (e.g. sudo mv ${path} /root/${o.app}.logrotate.bak), then rerun`,
    }));
  }
  if (state.uid !== 0 && !state.sudo) {
    const msg = `${state.user} is not root and has no passwordless sudo: writing ${path} and running logrotate need root`;
    if (o.yes) throw new DeckhandError('usage', msg, { hint: 'connect as root, or give this user passwordless sudo; without --yes the file is only shown' });
    out.push(f('root', 'Root access', 'block', msg, { remedy: 'connect as root or as a user with passwordless sudo' }));
  }
  return out;
}

function actionsFor(path: string, existing: OpsLogrotateData['existing'], force: boolean): string[] {
  return [
    `write the file to a temporary copy and check it with \`logrotate -d\` (an error installs nothing and shows logrotate's output)`,
    existing === 'identical' ? `keep ${path} (already identical)` : `install it as ${path} (mode 0644, owner root)${existing === 'deckhand' ? ", replacing deckhand's earlier version" : ''}`,
    ...(force ? [`run one rotation now: \`logrotate -f ${path}\`, and list what rotated`] : []),
  ];
}

export async function opsLogrotate(ctx: RunContext, o: LogrotateOptions): Promise<OperationsReport> {
  const { log, finish } = startTask(ctx, o.app);
  log.begin('app', `Read the deployed app ${o.app}`);
  const deployed = await loadDeployedApp(ctx, o.app, o.baseDir).catch((e: unknown) => { log.end('fail', e instanceof Error ? e.message : String(e)); throw e; });
  log.end('pass', `${deployed.current.id} (${deployed.current.strategy}) at ${deployed.base}`);
  const { state } = deployed;
  const facts = await readLogSetup(ctx, log, deployed);
  const plan = planLogrotate({ app: o.app, base: deployed.base, strategy: deployed.current.strategy, user: state.user, uid: state.uid, home: state.home, facts });
  const path = logrotatePath(o.app);
  const config = plan.blocks.length > 0 ? renderLogrotateConfig(o.app, plan.blocks) : null;
  const existing = existingKind(facts.current, config);
  const data: OpsLogrotateData = {
    task: 'logrotate', mode: o.yes ? 'applied' : 'plan', path, policy: [...ROTATE_POLICY], config, existing,
    sources: plan.blocks.map((b) => ({ paths: b.paths, method: b.method, reopen: b.reopen, files: b.files })),
    elsewhere: plan.elsewhere, actions: [], check: null, installed: null, rotation: null,
  };
  if (config === null) {
    const elsewhere = plan.elsewhere.length > 0 ? ` (${plan.elsewhere.map((e) => e.what).join('; ')}: handled elsewhere)` : '';
    return finish([f('sources', 'Log files', 'pass', `${o.app} writes no log file of its own that needs rotating${elsewhere}`)], data);
  }
  const findings = preconditions(ctx, o, deployed, facts, existing);
  data.actions = actionsFor(path, existing, o.force);
  if (!o.yes) {
    findings.push(f('plan', 'Plan', 'pass', `would ${existing === 'identical' ? 'keep' : 'write'} ${path} covering ${plan.blocks.reduce((n, b) => n + b.paths.length, 0)} path(s); nothing changed (rerun with --yes)`, { required: false }));
    return finish(findings, data);
  }
  if (findings.some((x) => x.status === 'block' || x.status === 'unknown')) return finish(findings, data);
  const sudo = state.uid !== 0 && state.sudo;
  data.installed = await install(ctx, log, { app: o.app, config, sudo, existing, findings, data });
  const dirs = [...new Set(plan.blocks.flatMap((b) => b.paths).map((p) => p.slice(0, p.lastIndexOf('/')) || '/'))];
  if (data.installed && o.force) await rotate(ctx, log, { app: o.app, dirs, sudo, findings, data });
  return finish(findings, data);
}

interface Io { sudo: boolean; findings: Finding[]; data: OpsLogrotateData }

/** logrotate -d on the new file, then the install; a failing check installs nothing. */
async function install(ctx: RunContext, log: Log, i: Io & { app: string; config: string; existing: OpsLogrotateData['existing'] }): Promise<OpsLogrotateData['installed']> {
  const path = logrotatePath(i.app);
  log.begin('install', `Check with logrotate -d and install ${path}`);
  const r = await ctx.executor.run({ ...asRoot(installLogrotateCommand(i.app), i.sudo), stdin: i.config });
  const check = parseSections(r.rawStdout ?? r.stdout).get('check');
  i.data.check = { command: `logrotate -d <copy of ${path}>`, ok: r.exitCode === 0, output: tail(check?.body ?? r.stderr, 40) };
  if (r.exitCode === 4) {
    i.findings.push(f('check', 'logrotate -d', 'fail', `logrotate -d reported errors: nothing was installed (${path} is ${i.existing === 'none' ? 'still absent' : 'unchanged'})`, { evidence: opsEvidence(ctx, 'logrotate -d', tail(check?.body ?? '', 8)) }));
    log.end('fail', 'logrotate -d reported errors');
    return null;
  }
  if (r.failed) {
    i.findings.push(f('install', 'Install', 'fail', `installing ${path} failed (exit ${r.exitCode ?? 'none'}${r.timedOut ? ', timed out' : ''})`, { evidence: opsEvidence(ctx, r.command, tail(r.stderr || r.stdout)) }));
    log.end('fail', tail(r.stderr, 2));
    return null;
  }
  const how = /^installed=unchanged$/m.test(r.stdout) ? 'unchanged' as const : 'written' as const;
  i.findings.push(f('check', 'logrotate -d', 'pass', 'no errors', { evidence: opsEvidence(ctx, 'logrotate -d', tail(check?.body ?? '', 4)) }));
  i.findings.push(f('install', 'Install', 'pass', how === 'written' ? `${path} installed` : `${path} already identical: unchanged`, { evidence: path }));
  log.end('pass', how);
  return how;
}

/** One forced rotation; what rotated is read from the files before and after. */
async function rotate(ctx: RunContext, log: Log, i: Io & { app: string; dirs: string[] }): Promise<void> {
  const path = logrotatePath(i.app);
  log.begin('rotate', `Rotate now: logrotate -f ${path}`);
  const r = await ctx.executor.run(asRoot(forceRotateCommand(i.app, i.dirs), i.sudo));
  const out = parseForceOutput(r.rawStdout ?? r.stdout);
  const command = `logrotate -f -v ${path}`;
  i.data.rotation = { command, ok: !r.failed, rotated: out.rotated, output: tail(out.output || r.stderr, 40) };
  const list = out.rotated.map((x) => `${x.log} → ${x.to.join(', ') || '(renamed)'}`).join('; ');
  if (r.failed) {
    i.findings.push(f('rotation', 'Forced rotation', 'fail', `logrotate -f failed${list ? ` after rotating ${list}` : ''}`, { evidence: opsEvidence(ctx, command, tail(out.output || r.stderr, 8)) }));
    log.end('fail');
  } else if (out.rotated.length === 0) {
    i.findings.push(f('rotation', 'Forced rotation', 'warn', 'nothing rotated: the log files are empty or missing (notifempty, missingok)', { evidence: opsEvidence(ctx, command, tail(out.output, 6)) }));
    log.end('warn');
  } else {
    i.findings.push(f('rotation', 'Forced rotation', 'pass', `rotated ${list}`, { evidence: opsEvidence(ctx, command, tail(out.output, 6)) }));
    log.end('pass', `${out.rotated.length} log(s) rotated`);
  }
}
