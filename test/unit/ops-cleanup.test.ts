// ops cleanup: what goes and what is protected (logs, releases, images), the builders run for real on temp files, the stage under a scripted target.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { shJoin, type Command } from '../../src/core/command.js';
import { Redactor } from '../../src/core/redact.js';
import { LocalExecutor } from '../../src/exec/local.js';
import type { ExecResult, Executor } from '../../src/exec/types.js';
import { cleanupLogsCommand, cleanupProbeCommand, diskUsageCommand, removeImagesCommand } from '../../src/commands/ops-cleanup.js';
import { emptyLedger, withDeployed, withRolledBack, type Ledger, type LedgerEntry } from '../../src/stages/deploy/ledger.js';
import { parseCleanupProbe, parseDf, type LogFile } from '../../src/stages/operate/cleanup/facts.js';
import { DAY_SEC, selectImages, selectLogs, selectReleases } from '../../src/stages/operate/cleanup/select.js';
import { opsCleanup, parseResults } from '../../src/stages/operate/cleanup/index.js';
import { OperationsReportSchema } from '../../src/report/operations.js';
import { renderOperationsMarkdown } from '../../src/report/markdown-operations.js';
import { parseAgeDays } from '../../src/cli/ops/cleanup.js';

const NOW = 1_800_000_000;
const file = (path: string, ageDays: number, size = 10_000, links = 1): LogFile => ({ path, size, mtime: NOW - Math.round(ageDays * DAY_SEC), inode: 1, links });
const logs = (files: LogFile[], over: Partial<Parameters<typeof selectLogs>[0]> = {}): ReturnType<typeof selectLogs> =>
  selectLogs({ files, open: new Set(), openComplete: true, live: new Set(), nowSec: NOW, olderThanSec: 30 * DAY_SEC, compressAfterSec: DAY_SEC, ...over });
const brief = (r: ReturnType<typeof selectLogs>): string[] => [...r.actions.map((a) => `${a.action} ${a.file.path}`), ...r.kept.map((k) => `keep ${k.target}: ${k.reason}`)];

describe('which logs go', () => {
  it('deletes past the age, compresses what is idle for a day, leaves fresh and already compressed young files', () => {
    assert.deepEqual(brief(logs([
      file('/l/app-2026-01-01.log', 40), file('/l/app.log.2.gz', 45), file('/l/app.log.1', 2), file('/l/app.log', 0.2), file('/l/app.log.3.gz', 5),
    ])), ['delete /l/app-2026-01-01.log', 'delete /l/app.log.2.gz', 'compress /l/app.log.1']);
  });

  it('never a file the app writes or a process holds open, whatever its age', () => {
    assert.deepEqual(brief(logs([file('/l/shop.out.log', 90), file('/l/held.log', 90)], { live: new Set(['/l/shop.out.log']), open: new Set(['/l/held.log']) })), [
      'keep /l/shop.out.log: the app writes it now', 'keep /l/held.log: a process holds it open',
    ]);
  });

  it('without root (others\' open files unseen) a plain live-looking *.log stays; dated and numbered copies still go', () => {
    assert.deepEqual(brief(logs([file('/l/app.log', 40), file('/l/app-2026-01-01.log', 40), file('/l/app.log.1', 3)], { openComplete: false })), [
      'delete /l/app-2026-01-01.log', 'compress /l/app.log.1', "keep /l/app.log: may be open: other users' open files cannot be seen without root",
    ]);
  });

  it('does not compress a file with other hard links, one whose .gz exists, or one too small to gain', () => {
    assert.deepEqual(brief(logs([file('/l/a.log.1', 3, 10_000, 2), file('/l/b.log.1', 3), file('/l/b.log.1.gz', 3), file('/l/c.log.1', 3, 100)])), [
      'keep /l/a.log.1: has other hard links (gzip would refuse it)', 'keep /l/b.log.1: /l/b.log.1.gz exists',
    ]);
  });
});

const entry = (id: string): Omit<LedgerEntry, 'status'> => ({ id, commit: null, dirty: false, strategy: 'systemd', deployedAt: '2026-01-01T00:00:00Z', deployedBy: 't', deckhandVersion: '0' });
const R = ['20260101T000000Z-a', '20260102T000000Z-b', '20260103T000000Z-c', '20260104T000000Z-d'] as const;
function deployed(ids: readonly string[]): Ledger {
  return ids.reduce((l, id) => withDeployed(l, entry(id)), emptyLedger('shop'));
}

describe('which releases go', () => {
  it('after a rollback the old rollback target survives a keep of 1; a count-only prune would have taken it', () => {
    // Deploy a, b, c, d; roll back: c is current, d rolled back, b is the rollback target (older than both).
    const ledger = withRolledBack(deployed(R), R[2]);
    assert.deepEqual(ledger.releases.map((r) => r.status), ['superseded', 'previous', 'current', 'rolled-back']);
    const countOnly = [...R].sort().slice(0, R.length - 1).filter((id) => id !== R[2]);
    assert.ok(countOnly.includes(R[1]), 'the naive rule would remove the rollback target');
    const s = selectReleases({ ledger, onDisk: R, keep: 1, protect: [{ id: R[2], reason: 'current release' }, { id: R[3], reason: 'rollback point' }] });
    assert.deepEqual(s.prune, [R[0]]);
    assert.deepEqual(s.kept.map((k) => `${k.target}: ${k.reason}`), [`${R[1]}: among the newest 1 kept`, `${R[2]}: current release`, `${R[3]}: rollback point`]);
  });

  it('the ledger\'s previous is kept even without being named; a slot\'s release and unknown directories stay', () => {
    const ledger = deployed(R);
    const s = selectReleases({ ledger, onDisk: [...R, 'hand-made'], keep: 1, protect: [{ id: R[0], reason: 'blue-green slot 3001 points at it' }] });
    assert.deepEqual(s.prune, [R[1]]);
    assert.deepEqual(s.kept.map((k) => `${k.target}: ${k.reason}`), [
      `${R[0]}: blue-green slot 3001 points at it`, `${R[2]}: among the newest 1 kept`, `${R[3]}: among the newest 1 kept`, 'hand-made: not in the ledger: left alone',
    ]);
  });

  it('nothing goes while the count is within keep', () => {
    assert.deepEqual(selectReleases({ ledger: deployed(R), onDisk: R, keep: 5, protect: [] }).prune, []);
  });
});

describe('which images go', () => {
  const img = (tag: string, id: string): { repo: string; tag: string; id: string } => ({ repo: 'shop', tag, id });
  it('tags of releases that are gone, with their commit tag; kept releases, used images and foreign tags stay; bytes once per image', () => {
    const s = selectImages({
      app: 'shop',
      images: [img(R[0], 'sha256:1'), img('abc1234', 'sha256:1'), img(R[1], 'sha256:2'), img('def5678', 'sha256:2'), img(R[2], 'sha256:3'), img('latest', 'sha256:9'), img(R[3], 'sha256:4'), { repo: 'other', tag: R[0], id: 'sha256:7' }],
      sizes: new Map([['sha256:1', 1000], ['sha256:2', 2000], ['sha256:4', 4000]]),
      inUse: new Set(['sha256:4']),
      keepReleases: new Set([R[1], R[2]]),
    });
    assert.deepEqual(s.remove.map((r) => [r.ref, r.bytes]), [[`shop:${R[0]}`, 0], ['shop:abc1234', 1000]]);
    assert.deepEqual(s.kept.map((k) => `${k.target}: ${k.reason}`), [
      `shop:${R[1]}: release ${R[1]} stays`, 'shop:def5678: same image as a release that stays', `shop:${R[2]}: release ${R[2]} stays`,
      'shop:latest: not a tag deckhand made for a release: left alone', `shop:${R[3]}: a container uses it`,
    ]);
  });

  it('an image also tagged in another repository is not freed by removing the app\'s tags: no bytes claimed', () => {
    const s = selectImages({ app: 'shop', images: [img(R[0], 'sha256:1')], sizes: new Map([['sha256:1', 1000]]), tagCounts: new Map([['sha256:1', 2]]), inUse: new Set(), keepReleases: new Set() });
    assert.deepEqual(s.remove.map((r) => [r.ref, r.bytes]), [[`shop:${R[0]}`, 0]]);
  });

  it('parses the image sections of the probe (sizes and tag counts), and says null when docker did not answer', () => {
    const f = parseCleanupProbe(['@@begin images', `shop|${R[0]}|sha256:1`, '@@end images rc=0', '@@begin image-sizes', 'sha256:1|5000|3', '@@end image-sizes rc=0', '@@begin in-use', 'sha256:9', '@@end in-use rc=0'].join('\n'));
    assert.deepEqual(f.images, [{ repo: 'shop', tag: R[0], id: 'sha256:1' }]);
    assert.deepEqual([...f.imageBytes, ...f.imageTagCount], [['sha256:1', 5000], ['sha256:1', 3]]);
    assert.deepEqual([...f.imagesInUse], ['sha256:9']);
    assert.equal(parseCleanupProbe('@@begin images\nCannot connect to the Docker daemon\n@@end images rc=1').images, null);
  });
});

describe('probe and result parsing', () => {
  it('df -Pk in bytes', () => {
    assert.deepEqual(parseDf('Filesystem     1024-blocks     Used Available Capacity Mounted on\n/dev/vda 1000 250 750 25% /srv/my data\n'), {
      sizeBytes: 1_024_000, usedBytes: 256_000, availBytes: 768_000, usePercent: 25, mount: '/srv/my data',
    });
    assert.equal(parseDf('df: /x: No such file or directory'), null);
  });

  it('result lines: the byte count of a done line is the last field, the reason of a skipped one may hold "|"', () => {
    const m = parseResults('done|/l/a|b.log|123\nskipped|/l/c.log|changed since it was listed (size|mtime|inode now 1|2|3)\nnoise\n');
    assert.deepEqual(m.get('/l/a|b.log'), { outcome: 'done', rest: '123' });
    assert.deepEqual(m.get('/l/c.log'), { outcome: 'skipped', rest: 'changed since it was listed (size|mtime|inode now 1|2|3)' });
  });

  it('builders: exact parameters, and nothing spliced into the scripts', () => {
    const p = cleanupProbeCommand({ app: 'shop', base: '/opt/shop', dirs: [{ dir: '/opt/shop/shared/logs', name: '*', depth: 3 }], docker: true });
    assert.deepEqual(p.argv.slice(3), ['deckhand-cleanup-probe', '/opt/shop', 'shop', '1', '/opt/shop/shared/logs|*|3']);
    assert.equal(p.mutates, false);
    assert.deepEqual(diskUsageCommand('/opt/shop').argv, ['df', '-Pk', '/opt/shop']);
    const l = cleanupLogsCommand([{ action: 'delete', size: 5, mtime: 6, inode: 7, path: '/l/a.log' }]);
    assert.deepEqual(l.argv.slice(3), ['deckhand-cleanup-logs']);
    assert.equal(l.stdin, 'delete|5|6|7|/l/a.log\n');
    const i = removeImagesCommand([{ ref: 'shop:r1', id: 'sha256:1' }]);
    assert.equal(i.stdin, 'shop:r1|sha256:1\n');
    assert.match(i.argv[2] ?? '', /if out=\$\(docker rmi "\$ref" 2>&1\)/);
    assert.doesNotMatch(i.argv[2] ?? '', /rmi -f|--force/);
  });

  it('--older-than takes a duration of at least a day', () => {
    assert.equal(parseAgeDays('30d'), 30);
    assert.equal(parseAgeDays('36h'), 1.5);
    for (const bad of ['0d', '12h', '4000d']) assert.throws(() => parseAgeDays(bad), /--older-than must be between 1d and 3650d/);
    for (const bad of ['7', '-3d', 'soon']) assert.throws(() => parseAgeDays(bad), /invalid --older-than/);
  });
});

describe('the builders on real files (sh, find, stat, gzip on this machine)', () => {
  let dir = '';
  const ex = new LocalExecutor(new Redactor());
  before(async () => { dir = await mkdtemp(join(tmpdir(), 'dh-ops-cleanup-')); });
  after(async () => { await rm(dir, { recursive: true, force: true }); });

  it('the probe lists files with size, mtime and inode, release sizes with their records, and slot links', async () => {
    const base = join(dir, 'base');
    await mkdir(join(base, 'shared/logs/old'), { recursive: true });
    await mkdir(join(base, `releases/${R[0]}`), { recursive: true });
    await mkdir(join(base, `.deckhand/records/${R[0]}`), { recursive: true });
    await mkdir(join(base, 'slots'), { recursive: true });
    await writeFile(join(base, `releases/${R[0]}/server.js`), 'x'.repeat(5000));
    await writeFile(join(base, `.deckhand/records/${R[0]}/env`), 'y'.repeat(300));
    await writeFile(join(base, 'shared/logs/old/a.log.1'), 'z'.repeat(2000));
    await utimes(join(base, 'shared/logs/old/a.log.1'), NOW - 3 * DAY_SEC, NOW - 3 * DAY_SEC);
    await symlink(`../releases/${R[0]}`, join(base, 'slots/3001'));
    const r = await ex.run(cleanupProbeCommand({ app: 'shop', base, dirs: [{ dir: join(base, 'shared/logs'), name: '*', depth: 3 }], docker: false }));
    assert.equal(r.exitCode, 0, r.stderr);
    const f = parseCleanupProbe(r.stdout);
    assert.deepEqual(f.files.map((x) => [x.path, x.size, x.mtime]), [[join(base, 'shared/logs/old/a.log.1'), 2000, NOW - 3 * DAY_SEC]]);
    assert.ok((f.releaseBytes.get(R[0]) ?? 0) >= 5300, `release bytes include the record: ${f.releaseBytes.get(R[0])}`);
    assert.deepEqual([...f.slots], [['3001', R[0]]]);
    assert.ok(f.disk && f.disk.sizeBytes > 0);
    assert.equal(f.images, null);
  });

  it('acts only on files still as listed: compresses (mtime kept), deletes, and skips what changed or vanished', async () => {
    const d = join(dir, 'logs');
    await mkdir(d, { recursive: true });
    const mk = async (name: string, body: string): Promise<{ size: number; mtime: number; inode: number; path: string }> => {
      const p = join(d, name);
      await writeFile(p, body);
      await utimes(p, NOW - 5 * DAY_SEC, NOW - 5 * DAY_SEC);
      const s = await stat(p);
      return { size: s.size, mtime: Math.floor(s.mtimeMs / 1000), inode: s.ino, path: p };
    };
    const a = await mk('a.log.1', 'line\n'.repeat(4000));
    const b = await mk('b.log', 'old\n');
    const c = await mk('c.log.1', 'will change\n');
    const gone = await mk('gone.log', 'x');
    await writeFile(c.path, 'changed after listing\n', { flag: 'a' });
    await rm(gone.path);
    const r = await ex.run(cleanupLogsCommand([
      { action: 'compress', ...a }, { action: 'delete', ...b }, { action: 'compress', ...c }, { action: 'delete', ...gone },
    ]));
    assert.equal(r.exitCode, 0, r.stderr);
    const res = parseResults(r.stdout);
    const gz = await stat(`${a.path}.gz`);
    assert.deepEqual(res.get(a.path), { outcome: 'done', rest: String(gz.size) });
    assert.equal(Math.floor(gz.mtimeMs / 1000), a.mtime, 'gzip keeps the mtime, so the age rules still apply to the .gz');
    assert.deepEqual(res.get(b.path), { outcome: 'done', rest: '0' });
    assert.match(res.get(c.path)?.rest ?? '', /^changed since it was listed/);
    assert.equal(res.get(c.path)?.outcome, 'skipped');
    assert.deepEqual(res.get(gone.path), { outcome: 'skipped', rest: 'gone since it was listed' });
    assert.equal(await readFile(c.path, 'utf8'), 'will change\nchanged after listing\n', 'a changed file is untouched');
    await assert.rejects(stat(b.path));
  });
});

/** Answers by pattern from a queue (the last answer repeats); records every command. */
class QueueExecutor implements Executor {
  readonly host = { kind: 'ssh', display: 'deploy@box', host: 'box', user: 'deploy' } as const;
  readonly calls: Command[] = [];
  constructor(private readonly script: { match: string; out: Partial<ExecResult>[] }[]) {}
  async run(cmd: Command): Promise<ExecResult> {
    this.calls.push(cmd);
    const line = shJoin(cmd.argv);
    const s = this.script.find((x) => line.includes(x.match));
    const r = (s && s.out.length > 1 ? s.out.shift() : s?.out[0]) ?? { exitCode: 127, stderr: `no answer for ${line}` };
    const exitCode = r.exitCode ?? 0;
    return { command: line, host: 'box', exitCode, stdout: r.stdout ?? '', stderr: r.stderr ?? '', durationMs: 1, failed: exitCode !== 0, timedOut: false };
  }
  async upload(): Promise<ExecResult> { throw new Error('not used'); }
  async transfer(): Promise<ExecResult> { throw new Error('not used'); }
  async forward(): Promise<never> { throw new Error('not used'); }
  async close(): Promise<void> {}
}

function stateOut(ledger: Ledger, current: string): string {
  return [
    'user=deploy', 'uid=1000', 'home=/home/deploy', 'hostname=box', 'sudo=1', 'systemd=1', 'tool.docker=0', 'base=/opt/shop', 'base_exists=1', `current=releases/${current}`,
    '@@ledger', JSON.stringify(ledger), '@@end', '@@lock', '@@end', '@@releases', ...ledger.releases.map((r) => r.id), '@@end', 'unit=',
  ].join('\n');
}

function probeOut(files: string[], releases: string[]): string {
  return [
    '@@begin df', 'Filesystem 1024-blocks Used Available Capacity Mounted on', '/dev/vda 1000000 900000 100000 90% /', '@@end df rc=0',
    '@@begin files', ...files, '@@end files rc=0', '@@begin open', 'uid=0', '@@end open rc=0',
    '@@begin releases', ...releases.map((id) => `${id}|1000`), '@@end releases rc=0', '@@begin slots', '@@end slots rc=0',
  ].join('\n');
}

describe('the cleanup stage against a scripted target', () => {
  const ledger = withRolledBack(deployed(R), R[2]);
  const oldLog = `9000|${NOW - 40 * DAY_SEC}|11|1|/opt/shop/shared/logs/app-old.log`;
  const idleLog = `5000|${NOW - 3 * DAY_SEC}|12|1|/opt/shop/shared/logs/app.log.1`;
  const ctxOf = (ex: Executor): Parameters<typeof opsCleanup>[0] => ({ executor: ex, redactor: new Redactor(), now: () => new Date(NOW * 1000) });
  const opts = { app: 'shop', baseDir: null, olderThanDays: 30, keep: 1, keepSource: '--keep' };

  it('without --yes it lists with bytes and runs nothing that changes the target', async () => {
    const ex = new QueueExecutor([
      { match: 'deckhand-state', out: [{ stdout: stateOut(ledger, R[2]) }] },
      { match: 'deckhand-cleanup-probe', out: [{ stdout: probeOut([oldLog, idleLog], [...R]) }] },
    ]);
    const rep = await opsCleanup(ctxOf(ex), { ...opts, yes: false });
    OperationsReportSchema.parse(rep);
    assert.ok(ex.calls.every((c) => !c.mutates), ex.calls.filter((c) => c.mutates).map((c) => c.description).join('; '));
    assert.equal(rep.data.task, 'cleanup');
    if (rep.data.task !== 'cleanup') return;
    assert.deepEqual(rep.data.items.map((i) => [i.kind, i.target, i.bytes, i.outcome]), [
      ['log-delete', '/opt/shop/shared/logs/app-old.log', 9000, 'listed'], ['log-compress', '/opt/shop/shared/logs/app.log.1', 5000, 'listed'], ['release', R[0], 1000, 'listed'],
    ]);
    assert.equal(rep.data.totals.listedBytes, 15_000);
    assert.ok(rep.data.protected.some((p) => p.target === R[1] && /rollback target/.test(p.reason)));
    assert.equal(rep.status, 'attention', 'disk at 90% is worth a warning');
    assert.match(renderOperationsMarkdown(rep), /\| prune release \| `20260101T000000Z-a` \| 1000 B \|/);
  });

  it('with --yes: under the lock, what changed is skipped, the rest is removed and the ledger marks the pruned release', async () => {
    const changed = `9100|${NOW - 40 * DAY_SEC}|11|1|/opt/shop/shared/logs/app-old.log`;
    const ex = new QueueExecutor([
      { match: 'deckhand-state', out: [{ stdout: stateOut(ledger, R[2]) }] },
      { match: 'deckhand-cleanup-probe', out: [{ stdout: probeOut([oldLog, idleLog], [...R]) }, { stdout: probeOut([changed, idleLog], [...R]) }] },
      { match: 'deckhand-lock ', out: [{}] },
      { match: 'deckhand-cleanup-logs', out: [{ stdout: 'done|/opt/shop/shared/logs/app.log.1|1200\n' }] },
      { match: 'deckhand-prune', out: [{}] },
      { match: 'deckhand-write', out: [{}] },
      { match: 'df -Pk', out: [{ stdout: 'Filesystem 1024-blocks Used Available Capacity Mounted on\n/dev/vda 1000000 800000 200000 80% /\n' }] },
      { match: 'deckhand-unlock', out: [{}] },
    ]);
    const rep = await opsCleanup(ctxOf(ex), { ...opts, yes: true });
    OperationsReportSchema.parse(rep);
    if (rep.data.task !== 'cleanup') assert.fail('cleanup data');
    const d = rep.data;
    assert.deepEqual(d.items.map((i) => [i.target, i.outcome, i.reclaimedBytes]), [
      ['/opt/shop/shared/logs/app-old.log', 'skipped', 0], ['/opt/shop/shared/logs/app.log.1', 'done', 3800], [R[0], 'done', 1000],
    ]);
    const logsCall = ex.calls.find((c) => c.argv.includes('deckhand-cleanup-logs'));
    assert.equal(logsCall?.stdin, `compress|5000|${NOW - 3 * DAY_SEC}|12|/opt/shop/shared/logs/app.log.1\n`, 'only what still matched is sent, with the listed facts');
    assert.deepEqual(logsCall?.argv.slice(0, 3), ['sudo', '-n', '--']);
    const prune = ex.calls.find((c) => c.argv.includes('deckhand-prune'));
    assert.deepEqual(prune?.argv.slice(-3), ['deckhand-prune', '/opt/shop', R[0]]);
    const written = JSON.parse(String(ex.calls.find((c) => c.argv.includes('deckhand-write'))?.stdin)) as Ledger;
    assert.deepEqual(written.releases.map((r) => [r.id, r.status, r.pruned === true]), [
      [R[0], 'superseded', true], [R[1], 'previous', false], [R[2], 'current', false], [R[3], 'rolled-back', false],
    ]);
    const order = ex.calls.map((c) => c.argv.find((a) => a.startsWith('deckhand-')) ?? c.argv[0]);
    assert.ok(order.indexOf('deckhand-lock') < order.indexOf('deckhand-cleanup-logs') && order.indexOf('deckhand-prune') < order.indexOf('deckhand-unlock'), order.join(' '));
    assert.equal(d.totals.reclaimedBytes, 4800);
    assert.equal(d.ledgerUpdated, true);
    assert.equal(d.disk.after?.usePercent, 80);
    assert.equal(rep.status, 'attention', 'a skipped item is reported, not hidden');
    assert.match(rep.findings.find((x) => x.id === 'cleanup.result')?.evidence ?? '', /app-old\.log: skipped \(changed since it was listed/);
  });

  it('a deploy holding the lock stops it before anything is removed', async () => {
    const held = JSON.stringify({ owner: 'ci@elsewhere', machine: 'elsewhere', pid: 1, started: '2026-01-01T00:00:00Z', expires: '2999-01-01T00:00:00Z', operation: 'deploy x', token: 't' });
    const ex = new QueueExecutor([
      { match: 'deckhand-state', out: [{ stdout: stateOut(ledger, R[2]) }] },
      { match: 'deckhand-cleanup-probe', out: [{ stdout: probeOut([oldLog], [...R]) }] },
      { match: 'deckhand-lock ', out: [{ exitCode: 75, stdout: held }] },
    ]);
    await assert.rejects(opsCleanup(ctxOf(ex), { ...opts, yes: true }), /another deploy holds the lock on deploy@box: deploy x by ci@elsewhere/);
    assert.ok(!ex.calls.some((c) => c.argv.includes('deckhand-cleanup-logs') || c.argv.includes('deckhand-prune')));
  });
});
