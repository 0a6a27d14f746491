// `deckhand ops backup-verify`: a backup counts only once it restores. Restore into a throwaway server, count rows, remove it, report.
import type { RunContext } from '../../../core/context.js';
import { DeckhandError, tail } from '../../../core/errors.js';
import { restoreCheckCommand } from '../../../commands/ops-backup.js';
import { asRoot } from '../../../commands/sudo.js';
import type { Finding } from '../../../report/common.js';
import type { OperationsReport } from '../../../report/operations.js';
import type { OpsBackupVerifyData } from '../../../report/ops/backup-verify.js';
import { parseDotenv, valuesToMask } from '../../deploy/secrets.js';
import { loadDeployedApp } from '../deployed-app.js';
import { opsEvidence, opsFinding, startTask } from '../task-report.js';
import { between, formatOf, parseRestore, step, type RestoreRun } from './parse.js';

export interface BackupVerifyRequest {
  app: string;
  baseDir: string | null;
  /** A dump on the target; null with fromTarget. */
  dump: string | null;
  /** Take a fresh pg_dump of the app's database (its env file's `envVar`) on the target. */
  fromTarget: boolean;
  envVar: string;
  /** A table that must be present with rows ("name" or "schema.name"). */
  checkTable: string | null;
  workDir: string;
  timeoutSec: number;
}

/** The database URL without its password (which goes to pg_dump on stdin), or why it cannot be used. */
export function splitDatabaseUrl(raw: string): { url: string; password: string } | { error: string } {
  let u: URL;
  try { u = new URL(raw); } catch { return { error: 'it is not a URL' }; }
  if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') return { error: `it is a ${u.protocol.replace(/:$/, '')} URL: --from-target takes PostgreSQL databases (pg_dump)` };
  const password = decodeURIComponent(u.password);
  u.password = '';
  return { url: u.toString(), password };
}

/** Reads the app's env file on the target (its values registered for masking first) and picks the database URL. */
async function databaseUrl(ctx: RunContext, req: BackupVerifyRequest): Promise<{ url: string; password: string }> {
  const app = await loadDeployedApp(ctx, req.app, req.baseDir);
  const sudo = app.state.uid !== 0 && app.state.sudo;
  const envFile = app.layout.envFile;
  const r = await ctx.executor.run(asRoot({ argv: ['sh', '-c', 'cat "$1"', 'deckhand-env', envFile], mutates: false, timeoutMs: 15_000, description: `read ${envFile}` }, sudo));
  if (r.failed) throw new DeckhandError('config', `could not read ${envFile} on ${ctx.executor.host.display}: ${tail(r.stderr, 2)}`, { hint: 'connect as root, the app\'s user or a user with passwordless sudo' });
  const vars = parseDotenv(r.rawStdout ?? r.stdout, envFile);
  for (const [k, v] of vars) ctx.redactor.add(...valuesToMask(k, v));
  const raw = vars.get(req.envVar);
  if (!raw) throw new DeckhandError('config', `${envFile} on ${ctx.executor.host.display} has no ${req.envVar}`, { hint: 'name the variable holding the database URL with --env-var, or verify a dump file with --dump' });
  ctx.redactor.add(raw);
  const split = splitDatabaseUrl(raw);
  if ('error' in split) throw new DeckhandError('config', `${req.envVar} in ${envFile} cannot be dumped: ${split.error}`, { hint: 'verify a dump file with --dump instead' });
  if (split.password) ctx.redactor.add(split.password);
  return split;
}

function tableMatches(t: { schema: string; name: string }, want: string): boolean {
  return want.includes('.') ? `${t.schema}.${t.name}` === want : t.name === want;
}

/** The first step that did not succeed, with what it printed: the failure of the report. */
function failureOf(run: RestoreRun, fmt: OpsBackupVerifyData['format']): { step: string; message: string; unknown: boolean; remedy: string } | null {
  const missing = step(run, 'missing');
  if (missing) {
    const what = missing.output;
    return { step: 'tools', unknown: true, message: `${what} is not installed on the target`, remedy: what === 'runuser' ? 'install util-linux (runuser), which starts the server as an unprivileged user' : 'install PostgreSQL\'s server binaries on the target (apt-get install postgresql), or copy the dump to a host that has them and run there' };
  }
  if (step(run, 'nodump')) return { step: 'dump', unknown: false, message: 'the dump file does not exist', remedy: 'check the path: --dump names a file on the target' };
  if (step(run, 'unreadable')) return { step: 'dump', unknown: true, message: 'the dump file is not readable by the connecting user', remedy: 'connect as a user who can read it (root or its owner)' };
  if (step(run, 'mysql')) {
    return { step: 'tools', unknown: true, message: run.facts.get('mysqld') ? 'a MySQL dump: restoring MySQL dumps is not supported by this version' : 'a MySQL dump, and mysqld is not installed on the target to restore it into', remedy: 'restore it by hand into a throwaway mysqld (mysqld --initialize-insecure --datadir DIR, then mysql < dump), or install mariadb-server on a test host' };
  }
  if (step(run, 'unknown') || fmt === 'unknown') return { step: 'dump', unknown: false, message: 'not a PostgreSQL dump (custom, directory, tar or plain SQL from pg_dump) nor a MySQL dump', remedy: 'check that the file is the backup (not truncated to nothing, not encrypted)' };
  for (const name of ['mktemp', 'initdb', 'start', 'pgdump', 'createdb', 'restore']) {
    const s = step(run, name);
    if (s && s.code !== 0) {
      const what: Record<string, string> = {
        mktemp: 'could not create the temporary directory', initdb: 'initdb failed', start: 'the throwaway server did not start', pgdump: 'pg_dump of the app\'s database failed',
        createdb: 'could not create the database to restore into', restore: fmt === 'pg-plain' ? 'psql could not restore the dump' : 'pg_restore could not restore the dump',
      };
      return {
        step: name, unknown: name !== 'restore' && name !== 'pgdump', message: `${what[name] ?? name} (exit ${String(s.code)})${s.output ? `:\n${s.output}` : ''}`,
        remedy: name === 'restore' ? 'the backup is not restorable: take a new one and find out why this one is damaged (truncated upload, full disk during the dump)'
          : name === 'pgdump' ? 'check that the database answers from the target with the app\'s credentials' : `check ${run.facts.get('pgbin') ?? 'the PostgreSQL binaries'} and space in the work directory`,
      };
    }
  }
  if (run.countError) return { step: 'check', unknown: false, message: `the check query failed: ${run.countError}`, remedy: 'inspect the dump: it restored but its tables cannot be read' };
  return null;
}

export async function opsBackupVerify(ctx: RunContext, req: BackupVerifyRequest): Promise<OperationsReport> {
  const { log, finish } = startTask(ctx, req.app);
  const data: OpsBackupVerifyData = {
    task: 'backup-verify', outcome: 'UNKNOWN', source: req.fromTarget ? 'pg_dump' : 'file', dump: req.dump, database: null, format: null, compressed: null, dumpBytes: null,
    server: { binaries: null, version: null, user: null, sandbox: null, stopped: null, removed: null },
    timings: { dumpMs: null, initdbMs: null, startMs: null, restoreMs: null, checkMs: null }, restoredBytes: null, tables: [], checkTable: req.checkTable, failure: null,
  };
  let password = '';
  if (req.fromTarget) {
    log.begin('source', `Read ${req.envVar} of ${req.app} on ${ctx.executor.host.display}`);
    const db = await databaseUrl(ctx, req);
    data.database = db.url;
    password = db.password;
    log.end('pass', db.url);
  }

  log.begin('restore', req.fromTarget ? 'pg_dump, then restore into a throwaway PostgreSQL server and count rows' : `Restore ${req.dump ?? ''} into a throwaway PostgreSQL server and count rows`);
  const cmd = restoreCheckCommand({ dump: req.dump, sourceUrl: data.database, workDir: req.workDir, timeoutSec: req.timeoutSec });
  const r = await ctx.executor.run({ ...cmd, stdin: `${password}\n`, ...(password ? { redact: [password] } : {}) });
  const run = parseRestore(r.rawStdout ?? r.stdout);
  const f = run.facts;
  data.format = formatOf(f.get('format'));
  data.compressed = f.has('compressed') ? f.get('compressed') === 'gzip' : null;
  data.dumpBytes = /^\d+$/.test(f.get('size') ?? '') ? Number(f.get('size')) : null;
  data.server = {
    binaries: f.get('pgbin') || null, version: f.get('pgversion') || null, user: f.get('server_user') || null, sandbox: f.get('sandbox') || null,
    stopped: step(run, 'stop') ? step(run, 'stop')?.code === 0 : null, removed: step(run, 'removed') ? step(run, 'removed')?.code === 0 : null,
  };
  const dumped = run.marks.has('dump');
  data.timings = {
    dumpMs: dumped ? between(run, 'dump', 'restore') : null, initdbMs: between(run, 'initdb', 'start'), startMs: between(run, 'start', dumped ? 'dump' : 'restore'),
    restoreMs: between(run, 'restore', 'restored'), checkMs: between(run, 'restored', 'checked'),
  };
  data.restoredBytes = /^\d+$/.test(f.get('dbsize') ?? '') ? Number(f.get('dbsize')) : null;
  data.tables = run.tables;
  const evidence = opsEvidence(ctx, r.command.length > 300 ? `${cmd.description ?? 'restore'} (sh -s script)` : r.command, tail(`${r.stdout}\n${r.stderr}`, 40));

  const findings: Finding[] = [];
  const failure = r.timedOut
    ? { step: 'restore', unknown: true, message: `timed out after ${req.timeoutSec}s`, remedy: 'raise --timeout for a large dump; the watchdog removes the throwaway server a minute after the deadline' }
    : !run.done && !failureOf(run, data.format) && run.steps.length === 0
      ? { step: 'restore', unknown: true, message: `the restore script did not run (exit ${String(r.exitCode)}): ${tail(r.stderr, 3)}`, remedy: 'check the connection and that sh runs on the target' }
      : failureOf(run, data.format);
  if (failure) {
    data.failure = { step: failure.step, message: ctx.redactor.mask(failure.message) };
    log.end(failure.unknown ? 'unknown' : 'fail', failure.message.split('\n')[0]);
    findings.push(opsFinding('backup.restore', 'backup', 'Restore into a throwaway server', failure.unknown ? 'unknown' : 'fail', ctx.redactor.mask(failure.message.split('\n').slice(0, 4).join(' ')), {
      evidence, remedy: failure.remedy,
    }));
  } else {
    const rows = data.tables.reduce((a, t) => a + t.rows, 0);
    log.end('pass', `${data.tables.length} table(s), ${rows} row(s)`);
    findings.push(opsFinding('backup.restore', 'backup', 'Restore into a throwaway server', 'pass',
      `restored ${data.format ?? 'dump'} (${data.dumpBytes ?? '?'} bytes) in ${((data.timings.restoreMs ?? 0) / 1000).toFixed(2)} s: ${data.tables.length} table(s), ${rows} row(s)`, { evidence }));
    if (data.format === 'pg-plain' && f.get('trailer') === '0') {
      findings.push(opsFinding('backup.complete', 'backup', 'Dump completeness', 'fail', 'the plain dump does not end with pg_dump\'s "PostgreSQL database dump complete" line: it was cut short, so later tables or rows are missing', {
        evidence, remedy: 'take a new dump and check its transfer (size, checksum)',
      }));
    }
    if (data.tables.length === 0) {
      findings.push(opsFinding('backup.tables', 'backup', 'Tables restored', 'warn', 'the dump restored without errors but holds no table: it proves nothing about the data', {
        evidence, remedy: 'check that the backup job dumps the right database',
      }));
    }
    if (req.checkTable !== null) {
      const want = req.checkTable;
      const t = data.tables.find((x) => tableMatches(x, want));
      findings.push(opsFinding('backup.check-table', 'backup', `Table ${want} has rows`, t && t.rows > 0 ? 'pass' : 'fail',
        !t ? `no table ${want} in the restored database (tables: ${data.tables.map((x) => `${x.schema}.${x.name}`).join(', ') || 'none'})` : `${t.schema}.${t.name}: ${t.rows} row(s)`, {
          evidence: `SELECT count(*) FROM ${t ? `${t.schema}.${t.name}` : want}  (in the restored copy)`, remedy: 'the backup lacks the data it should hold: check what the backup job dumps',
        }));
    }
  }
  if (data.server.sandbox !== null) {
    const clean = data.server.removed === true && data.server.stopped !== false;
    findings.push(opsFinding('backup.cleanup', 'backup', 'Throwaway server removed', clean ? 'pass' : 'fail',
      clean ? `stopped and removed ${data.server.sandbox}` : `${data.server.sandbox} may be left behind (stopped: ${String(data.server.stopped)}, removed: ${String(data.server.removed)})`, {
        evidence, remedy: `stop it (pg_ctl -D ${data.server.sandbox}/data stop -m immediate) and rm -rf ${data.server.sandbox}`,
      }));
  }
  data.outcome = findings.some((x) => x.status === 'fail') ? 'FAILED' : findings.some((x) => x.status === 'unknown') ? 'UNKNOWN' : 'VERIFIED';
  return finish(findings, data);
}
