// `deckhand ops cleanup`: lists old logs, releases and images (bytes each); with --yes removes exactly those, under the deploy lock.
import type { RunContext } from '../../../core/context.js';
import { DeckhandError, tail } from '../../../core/errors.js';
import { cleanupLogsCommand, cleanupProbeCommand, diskUsageCommand, removeImagesCommand, type LogDirSpec } from '../../../commands/ops-cleanup.js';
import { writeFileCommand } from '../../../commands/fs.js';
import { removeReleasesCommand } from '../../../commands/release.js';
import { asRoot } from '../../../commands/sudo.js';
import type { Finding, StepResult } from '../../../report/common.js';
import type { CleanupItem, OpsCleanupData } from '../../../report/ops/cleanup.js';
import type { OperationsReport } from '../../../report/operations.js';
import { markPruned } from '../../deploy/ledger.js';
import { acquireLock, releaseLock } from '../../deploy/lock.js';
import { loadDeployedApp, type DeployedApp } from '../deployed-app.js';
import { opsEvidence, opsFinding, startTask, type FindingExtra } from '../task-report.js';
import { parseCleanupProbe, parseDf, type CleanupFacts } from './facts.js';
import { DAY_SEC, selectImages, selectLogs, selectReleases, type Protected } from './select.js';

export interface CleanupOptions {
  app: string;
  baseDir: string | null;
  /** Delete what is listed; without it nothing changes. */
  yes: boolean;
  olderThanDays: number;
  keep: number;
  /** Where `keep` came from, for the report (e.g. "--keep", "deckhand.yml", "default"). */
  keepSource: string;
}

/** Disk use at or above this is worth a warning on its own. */
const DISK_WARN_PERCENT = 85;
const SECTION = 'Cleanup';
const f = (id: string, title: string, status: Finding['status'], summary: string, more: FindingExtra = {}): Finding =>
  opsFinding(`cleanup.${id}`, SECTION, title, status, summary, more);

type Log = ReturnType<typeof startTask>['log'];

interface Gathered { deployed: DeployedApp; facts: CleanupFacts; items: CleanupItem[]; kept: Protected[]; notes: string[] }

/** Where the app's logs are: shared/logs, pm2's defaults under the connecting user's PM2_HOME, and (as root) nginx's. */
function logDirs(d: DeployedApp, root: boolean): LogDirSpec[] {
  const pm2 = `${d.state.home}/.pm2/logs`;
  return [
    { dir: `${d.base}/shared/logs`, name: '*', depth: 3 },
    { dir: pm2, name: `${d.app}-out*`, depth: 1 },
    { dir: pm2, name: `${d.app}-error*`, depth: 1 },
    ...(root ? [{ dir: '/var/log/nginx', name: `${d.app}.access.log*`, depth: 1 }, { dir: '/var/log/nginx', name: `${d.app}.error.log*`, depth: 1 }] : []),
  ];
}

function liveLogs(d: DeployedApp): Set<string> {
  if (d.current.strategy !== 'pm2') return new Set();
  return new Set([`${d.base}/shared/logs/${d.app}.out.log`, `${d.base}/shared/logs/${d.app}.err.log`, `${d.state.home}/.pm2/logs/${d.app}-out.log`, `${d.state.home}/.pm2/logs/${d.app}-error.log`]);
}

/** Releases that must stay whatever the keep count, each with why. */
function protections(d: DeployedApp, facts: CleanupFacts): { id: string; reason: string }[] {
  const out = [{ id: d.current.id, reason: 'current release' }];
  for (const r of d.ledger.releases) if (r.status === 'previous') out.push({ id: r.id, reason: 'rollback target: `deckhand rollback` restores it' });
  if (d.previous) out.push({ id: d.previous.id, reason: 'rollback point (what `deckhand rollback` restores)' });
  for (const id of d.protectedIds) out.push({ id, reason: 'needed for rollback' });
  for (const [port, id] of facts.slots) out.push({ id, reason: `blue-green slot ${port} points at it` });
  return out;
}

function dockerUsable(d: DeployedApp): boolean {
  const t = d.state.tools;
  return t['docker-direct'] === true || t['docker-sudo'] === true;
}

/** One round trip after the deployed-app probe: the facts cleanup decides from (as root when sudo allows, to see every open file). */
async function readTarget(ctx: RunContext, o: CleanupOptions): Promise<{ deployed: DeployedApp; facts: CleanupFacts }> {
  const deployed = await loadDeployedApp(ctx, o.app, o.baseDir);
  const { state } = deployed;
  const root = state.uid === 0 || state.sudo;
  const cmd = cleanupProbeCommand({ app: o.app, base: deployed.base, dirs: logDirs(deployed, root), docker: dockerUsable(deployed) });
  const r = await ctx.executor.run(asRoot(cmd, state.uid !== 0 && state.sudo));
  if (r.failed) {
    throw new DeckhandError('unreachable', `could not list the logs and releases of ${o.app} on ${ctx.executor.host.display}`, {
      details: { host: r.host, command: r.command, exitCode: r.exitCode, stderrTail: tail(r.stderr) },
    });
  }
  return { deployed, facts: parseCleanupProbe(r.rawStdout ?? r.stdout) };
}

/** The app's image tags no release that stays needs, or why images were not looked at. */
function imageItems(deployed: DeployedApp, facts: CleanupFacts, keepReleases: ReadonlySet<string>): { items: CleanupItem[]; kept: Protected[]; note: string | null } {
  const { state } = deployed;
  if (!dockerUsable(deployed)) return { items: [], kept: [], note: state.tools.docker ? `images: ${state.user} cannot use the Docker daemon, so the app's images were not listed` : null };
  if (facts.images === null) return { items: [], kept: [], note: 'images: docker did not answer, so the app\'s images were not listed' };
  const s = selectImages({ app: deployed.app, images: facts.images, sizes: facts.imageBytes, tagCounts: facts.imageTagCount, inUse: facts.imagesInUse, keepReleases });
  return {
    items: s.remove.map((i): CleanupItem => ({ kind: 'image', target: i.ref, bytes: i.bytes, reason: i.reason, outcome: 'listed', reclaimedBytes: null, note: `image ${i.id.replace(/^sha256:/, '').slice(0, 12)}` })),
    kept: s.kept, note: null,
  };
}

/** What goes and what stays, from the facts: the rules of select.ts applied to this app. */
function decide(deployed: DeployedApp, facts: CleanupFacts, o: CleanupOptions, nowSec: number): Omit<Gathered, 'deployed' | 'facts'> {
  const { state, ledger } = deployed;
  const logs = selectLogs({
    files: facts.files, open: facts.open, openComplete: facts.openComplete, live: liveLogs(deployed),
    nowSec, olderThanSec: o.olderThanDays * DAY_SEC, compressAfterSec: DAY_SEC,
  });
  const protect = protections(deployed, facts);
  const releases = selectReleases({ ledger, onDisk: state.releaseDirs, keep: o.keep, protect });
  const images = imageItems(deployed, facts, new Set([...state.releaseDirs.filter((id) => !releases.prune.includes(id)), ...protect.map((p) => p.id)]));
  const notes = [
    ...(facts.openComplete ? [] : [`${state.user} is not root and has no sudo: only its own processes' open files were seen, so plain *.log files that may be written are left alone`]),
    ...(deployed.current.strategy === 'compose' ? ['compose images are not removed: a rollback rebuilds its release from them (they are untagged, so deckhand cannot tell which release needs which)'] : []),
    ...(images.note ? [images.note] : []),
  ];
  const items: CleanupItem[] = [
    ...logs.actions.map((a): CleanupItem => ({ kind: a.action === 'compress' ? 'log-compress' : 'log-delete', target: a.file.path, bytes: a.file.size, reason: a.reason, outcome: 'listed', reclaimedBytes: null })),
    ...releases.prune.map((id): CleanupItem => {
      const e = ledger.releases.find((x) => x.id === id);
      return { kind: 'release', target: id, bytes: facts.releaseBytes.get(id) ?? 0, reason: `beyond the newest ${o.keep} kept (${e?.status ?? '?'}, deployed ${e?.deployedAt ?? '?'})`, outcome: 'listed', reclaimedBytes: null };
    }),
    ...images.items,
  ];
  return { items, kept: [...releases.kept, ...logs.kept, ...images.kept], notes };
}

async function gather(ctx: RunContext, o: CleanupOptions): Promise<Gathered> {
  const { deployed, facts } = await readTarget(ctx, o);
  return { deployed, facts, ...decide(deployed, facts, o, Math.floor((ctx.now?.() ?? new Date()).getTime() / 1000)) };
}

const key = (i: CleanupItem): string => `${i.kind}|${i.target}|${i.bytes}`;

/** `done|target|bytes-after` / `skipped|target|why` / `failed|target|why` lines → outcome per target. */
export function parseResults(stdout: string): Map<string, { outcome: 'done' | 'skipped' | 'failed'; rest: string }> {
  const m = new Map<string, { outcome: 'done' | 'skipped' | 'failed'; rest: string }>();
  for (const line of stdout.split('\n')) {
    const r = /^(done|skipped|failed)\|(.*)$/.exec(line);
    if (!r?.[2]) continue;
    const body = r[2];
    const cut = body.lastIndexOf('|');
    // Paths may hold "|": the outcome's own field is the last one for done lines, the first one for the rest.
    if (r[1] === 'done') m.set(body.slice(0, cut), { outcome: 'done', rest: body.slice(cut + 1) });
    else m.set(body.slice(0, body.indexOf('|')), { outcome: r[1] as 'skipped' | 'failed', rest: body.slice(body.indexOf('|') + 1) });
  }
  return m;
}

/** The items still `listed` of the given kinds. */
function pending(data: OpsCleanupData, kinds: readonly CleanupItem['kind'][]): CleanupItem[] {
  return data.items.filter((i) => kinds.includes(i.kind) && i.outcome === 'listed');
}

/** Compresses and deletes log files, each re-checked on the target against the facts it was listed with. */
async function removeLogs(ctx: RunContext, log: Log, items: CleanupItem[], listed: Gathered, sudo: boolean): Promise<void> {
  log.begin('logs', `Compress and delete ${items.length} log file(s)`);
  const byPath = new Map(listed.facts.files.map((x) => [x.path, x]));
  const lines = items.flatMap((i) => {
    const file = byPath.get(i.target);
    return file ? [{ action: i.kind === 'log-compress' ? 'compress' as const : 'delete' as const, size: file.size, mtime: file.mtime, inode: file.inode, path: file.path }] : [];
  });
  const r = await ctx.executor.run(asRoot(cleanupLogsCommand(lines), sudo));
  // A compressed file frees its size minus the .gz the script reports; a deleted one its whole size.
  settle(items, parseResults(r.rawStdout ?? r.stdout), (i, after) => (i.kind === 'log-delete' ? i.bytes : i.bytes - Number(after)), r.failed ? `the removal script failed: ${tail(r.stderr, 2)}` : 'no result reported');
  endStep(log, items);
}

/** Removes release directories (and their records), then marks them pruned in the ledger read under the lock. */
async function pruneReleases(ctx: RunContext, log: Log, items: CleanupItem[], again: Gathered, sudo: boolean, data: OpsCleanupData, findings: Finding[]): Promise<void> {
  const { layout, ledger } = again.deployed;
  log.begin('releases', `Prune ${items.length} release(s)`);
  const r = await ctx.executor.run(asRoot(removeReleasesCommand(layout.base, items.map((i) => i.target)), sudo));
  for (const i of items) Object.assign(i, r.failed ? { outcome: 'failed', reclaimedBytes: 0, note: tail(r.stderr, 2) || `exit ${r.exitCode}` } : { outcome: 'done', reclaimedBytes: i.bytes });
  const gone = items.filter((i) => i.outcome === 'done').map((i) => i.target);
  if (gone.length > 0) {
    // The ledger keeps the releases (the audit trail) marked pruned, so `deckhand releases` and rollback stay truthful.
    const w = await ctx.executor.run({ ...writeFileCommand(layout.ledger, '0644'), stdin: `${JSON.stringify(markPruned(ledger, gone), null, 2)}\n` });
    data.ledgerUpdated = !w.failed;
    if (w.failed) findings.push(f('ledger', 'Ledger', 'fail', `releases ${gone.join(', ')} were removed but the ledger could not be updated`, { evidence: opsEvidence(ctx, w.command, tail(w.stderr, 3)), remedy: 'mark them pruned in <base>/.deckhand/ledger.json by hand ("pruned": true)' }));
  }
  endStep(log, items);
}

/** Removes image tags, each only while it still points at the image listed; through sudo when the daemon needs it. */
async function removeImages(ctx: RunContext, log: Log, items: CleanupItem[], listed: Gathered): Promise<void> {
  const { state } = listed.deployed;
  log.begin('images', `Remove ${items.length} image tag(s)`);
  const cmd = removeImagesCommand(items.map((i) => ({ ref: i.target, id: listed.facts.images?.find((t) => `${t.repo}:${t.tag}` === i.target)?.id ?? '' })));
  const r = await ctx.executor.run(state.uid !== 0 && !state.tools['docker-direct'] ? asRoot(cmd, true) : cmd);
  settle(items, parseResults(r.rawStdout ?? r.stdout), (i) => i.bytes, r.failed ? `docker failed: ${tail(r.stderr, 2)}` : 'no result reported');
  endStep(log, items);
}

/** Under the deploy lock: re-reads the target, skips what is no longer selected, removes the rest; updates the items in place. */
async function applyItems(ctx: RunContext, log: Log, o: CleanupOptions, listed: Gathered, data: OpsCleanupData, findings: Finding[]): Promise<void> {
  const lock = await acquireLock(ctx, listed.deployed.layout.lock, `ops cleanup of ${o.app}`);
  try {
    log.begin('recheck', 'Re-read the target under the deploy lock');
    const again = await gather(ctx, o).catch((e: unknown) => { log.end('fail', e instanceof Error ? e.message : String(e)); throw e; });
    log.end('pass');
    const still = new Set(again.items.map(key));
    for (const i of data.items) if (!still.has(key(i))) Object.assign(i, { outcome: 'skipped', reclaimedBytes: 0, note: 'changed since it was listed (no longer selected when re-read under the lock)' });
    const { state, layout } = again.deployed;
    const sudo = state.uid !== 0 && state.sudo;
    const logs = pending(data, ['log-compress', 'log-delete']);
    if (logs.length > 0) await removeLogs(ctx, log, logs, listed, sudo);
    const rel = pending(data, ['release']);
    if (rel.length > 0) await pruneReleases(ctx, log, rel, again, sudo, data, findings);
    const img = pending(data, ['image']);
    if (img.length > 0) await removeImages(ctx, log, img, listed);
    const df = await ctx.executor.run(diskUsageCommand(layout.base));
    data.disk.after = df.failed ? null : parseDf(df.rawStdout ?? df.stdout);
  } finally {
    if (!(await releaseLock(ctx, lock).catch(() => false))) findings.push(f('lock', 'Deploy lock', 'warn', `the deploy lock ${listed.deployed.layout.lock} could not be released`, { remedy: 'run `deckhand lock release` for this target' }));
  }
}

function settle(items: CleanupItem[], results: ReturnType<typeof parseResults>, freed: (i: CleanupItem, after: string) => number, missing: string): void {
  for (const i of items) {
    const r = results.get(i.target);
    if (!r) Object.assign(i, { outcome: 'failed', reclaimedBytes: 0, note: missing });
    else if (r.outcome === 'done') Object.assign(i, { outcome: 'done', reclaimedBytes: freed(i, r.rest) });
    else Object.assign(i, { outcome: r.outcome, reclaimedBytes: 0, note: r.rest });
  }
}

/** A step ends failed when an item failed, warn when one was skipped. */
function endStep(log: Log, items: readonly CleanupItem[]): void {
  const done = items.filter((i) => i.outcome === 'done').length;
  const status: StepResult['status'] = items.some((i) => i.outcome === 'failed') ? 'fail' : done < items.length ? 'warn' : 'pass';
  log.end(status, `${done} of ${items.length} done`);
}

function totals(items: readonly CleanupItem[]): OpsCleanupData['totals'] {
  const files = items.filter((i) => i.kind !== 'image');
  return {
    listedBytes: files.reduce((s, i) => s + i.bytes, 0),
    reclaimedBytes: files.reduce((s, i) => s + (i.reclaimedBytes ?? 0), 0),
    imageBytesUpTo: items.filter((i) => i.kind === 'image').reduce((s, i) => s + i.bytes, 0),
    done: items.filter((i) => i.outcome === 'done').length,
    skipped: items.filter((i) => i.outcome === 'skipped').length,
    failed: items.filter((i) => i.outcome === 'failed').length,
  };
}

function diskFinding(d: CleanupFacts['disk'], base: string): Finding {
  if (!d) return f('disk', 'Disk use', 'unknown', `df could not read the filesystem of ${base}`, { required: false, evidence: `df -Pk ${base}` });
  const high = d.usePercent >= DISK_WARN_PERCENT;
  return f('disk', 'Disk use', high ? 'warn' : 'pass', `${d.usePercent}% used on ${d.mount}`, { evidence: `df -Pk ${base}`, ...(high ? { remedy: 'rerun with --yes, lower --older-than or --keep, or grow the disk' } : {}) });
}

/** The outcome of --yes: failed when an item failed, attention when one was skipped (changed since it was listed). */
function resultFinding(data: OpsCleanupData): Finding {
  const t = data.totals;
  const { before, after } = data.disk;
  const summary = `reclaimed ${t.reclaimedBytes} bytes (${t.done} done, ${t.skipped} skipped, ${t.failed} failed); disk ${before ? `${before.usePercent}%` : '?'} → ${after ? `${after.usePercent}%` : '?'}`;
  const notDone = data.items.filter((i) => i.outcome !== 'done').map((i) => `${i.target}: ${i.outcome}${i.note ? ` (${i.note})` : ''}`);
  return f('result', 'Cleanup', t.failed > 0 ? 'fail' : t.skipped > 0 ? 'warn' : 'pass', summary, notDone.length > 0 ? { evidence: notDone.join('\n') } : {});
}

export async function opsCleanup(ctx: RunContext, o: CleanupOptions): Promise<OperationsReport> {
  const { log, finish } = startTask(ctx, o.app);
  log.begin('list', `List old logs, releases and images of ${o.app}`);
  const listed = await gather(ctx, o).catch((e: unknown) => { log.end('fail', e instanceof Error ? e.message : String(e)); throw e; });
  log.end('pass', `${listed.items.length} item(s)`);
  const { deployed, facts } = listed;
  const data: OpsCleanupData = {
    task: 'cleanup', mode: o.yes ? 'applied' : 'plan', base: deployed.base, olderThanDays: o.olderThanDays, keep: o.keep, keepSource: o.keepSource,
    disk: { before: facts.disk, after: null }, items: listed.items.map((i) => ({ ...i })), protected: listed.kept,
    totals: totals(listed.items), ledgerUpdated: null, notes: listed.notes,
  };
  const findings: Finding[] = [diskFinding(facts.disk, deployed.base)];
  if (!o.yes || listed.items.length === 0) {
    const count = (k: CleanupItem['kind']): number => listed.items.filter((i) => i.kind === k).length;
    const what = `${count('log-compress')} log(s) to compress, ${count('log-delete')} to delete, ${count('release')} release(s) and ${count('image')} image tag(s) to remove`;
    findings.push(f('plan', 'Cleanup', 'pass', listed.items.length === 0 ? 'nothing to clean up' : `${what} (${data.totals.listedBytes} bytes); nothing changed (rerun with --yes)`, { required: false }));
    return finish(findings, data);
  }
  await applyItems(ctx, log, o, listed, data, findings);
  data.totals = totals(data.items);
  findings.push(resultFinding(data));
  return finish(findings, data);
}
