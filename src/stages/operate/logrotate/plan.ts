// What /etc/logrotate.d/<app> should hold for the deployed app: one stanza per way of reopening, minus logs rotated elsewhere.
import { shQuote } from '../../../core/command.js';
import type { LogrotateBlock } from '../../../commands/ops-logrotate.js';
import type { LogrotateFacts } from './facts.js';

export interface LogrotatePlanInput {
  app: string;
  base: string;
  strategy: string;
  /** The connecting user: pm2 runs as this user, with PM2_HOME under its home. */
  user: string;
  uid: number;
  home: string;
  facts: LogrotateFacts;
}

export interface PlannedBlock extends LogrotateBlock {
  /** Human description of how the writer moves to the new file. */
  reopen: string;
  /** Files the paths match now. */
  files: string[];
}

export interface LogrotatePlan {
  blocks: PlannedBlock[];
  elsewhere: { what: string; handledBy: string }[];
}

/** logrotate expands names with glob(3): `*` and `?` stay within one path segment; `[…]` classes. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] ?? '';
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end < 0) { re += '\\['; continue; }
      let cls = glob.slice(i + 1, end);
      if (cls.startsWith('!')) cls = `^${cls.slice(1)}`;
      re += `[${cls.replace(/\\/g, '\\\\')}]`;
      i = end;
    } else re += c.replace(/[.+^${}()|\\/]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

const isGlob = (p: string): boolean => /[*?[]/.test(p);

/** The other config that already rotates `file`, or null (logrotate refuses a file listed twice). */
export function coveredBy(file: string, others: LogrotateFacts['otherConfigs']): string | null {
  for (const o of others) if (o.patterns.some((p) => (isGlob(p) ? globToRegExp(p).test(file) : p === file))) return o.file;
  return null;
}

/** Drops paths another config already rotates; a glob some of whose files are taken becomes the list of the others. */
function withoutCovered(paths: readonly string[], existing: readonly string[], others: LogrotateFacts['otherConfigs'], elsewhere: LogrotatePlan['elsewhere']): string[] {
  const out: string[] = [];
  for (const p of paths) {
    if (!isGlob(p)) {
      const by = coveredBy(p, others);
      if (by) elsewhere.push({ what: p, handledBy: `already rotated by ${by}` });
      else out.push(p);
      continue;
    }
    const matched = existing.filter((f) => globToRegExp(p).test(f));
    const taken = matched.filter((f) => coveredBy(f, others) !== null);
    if (taken.length === 0) { out.push(p); continue; }
    for (const f of taken) elsewhere.push({ what: f, handledBy: `already rotated by ${coveredBy(f, others) ?? '?'}` });
    out.push(...matched.filter((f) => !taken.includes(f)));
  }
  return out;
}

function matching(paths: readonly string[], existing: readonly string[]): string[] {
  return existing.filter((f) => paths.some((p) => (isGlob(p) ? globToRegExp(p).test(f) : p === f)));
}

/** logrotate refuses a directory writable by all, or by a group other than root, unless told whom to rotate as. */
export function suFor(mode: number | null, owner: string | null, group: string | null): { user: string; group: string } | undefined {
  if (mode === null || !owner || !group) return undefined;
  const risky = (mode & 0o002) !== 0 || ((mode & 0o020) !== 0 && group !== 'root');
  return risky ? { user: owner, group } : undefined;
}

/**
 * `pm2 reloadLogs` run by the connecting user's daemon, only when that daemon runs (the command would start a
 * new one otherwise). Cron's PATH is short and pm2 is a node script, so node's and pm2's directories are put first.
 */
export function pm2ReloadLines(i: { pm2: string; node: string; user: string; uid: number; home: string; runuser: string | null }): string[] {
  const pm2Home = `${i.home}/.pm2`;
  const dirs = [...new Set([dirOf(i.node), dirOf(i.pm2), '/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'])];
  const envWords = ['env', `HOME=${i.home}`, `PM2_HOME=${pm2Home}`, `PATH=${dirs.join(':')}`, i.pm2, 'reloadLogs'].map(shQuote).join(' ');
  const asUser = i.uid === 0 ? envWords : `${shQuote(i.runuser ?? '/usr/sbin/runuser')} -u ${shQuote(i.user)} -- ${envWords}`;
  const pid = shQuote(`${pm2Home}/pm2.pid`);
  return [
    `# pm2 reopens its log files; only when ${i.user}'s pm2 daemon runs (the command would start one otherwise).`,
    `if [ -s ${pid} ] && kill -0 "$(cat ${pid})" 2>/dev/null; then ${asUser} >/dev/null; fi`,
  ];
}

export function nginxReopenLines(pidFile: string): string[] {
  const pid = shQuote(pidFile);
  return ['# nginx reopens its log files on USR1 to the master process.', `if [ -s ${pid} ]; then kill -USR1 "$(cat ${pid})"; fi`];
}

function dirOf(p: string): string {
  const i = p.lastIndexOf('/');
  return i > 0 ? p.slice(0, i) : '/';
}

const JOURNAL_STRATEGIES = new Set(['systemd', 'blue-green']);
const DOCKER_STRATEGIES = new Set(['docker', 'compose']);

export function planLogrotate(i: LogrotatePlanInput): LogrotatePlan {
  const { facts, app } = i;
  const logs = `${i.base}/shared/logs`;
  const elsewhere: LogrotatePlan['elsewhere'] = [];
  const blocks: PlannedBlock[] = [];
  const su = suFor(facts.shared.mode, facts.shared.owner, facts.shared.group);
  const push = (b: Omit<PlannedBlock, 'files'>, existing: readonly string[]): void => {
    const paths = withoutCovered(b.paths, existing, facts.otherConfigs, elsewhere);
    if (paths.length > 0) blocks.push({ ...b, paths, files: matching(paths, existing) });
  };
  const copy = 'copytruncate: the file is copied, then emptied in place (the writer keeps its open file)';
  if (i.strategy === 'pm2') {
    // The ecosystem file deckhand writes sends pm2's output here (commands/pm2.ts); PM2_HOME/logs holds pm2's defaults.
    const pm2Paths = [`${logs}/${app}.out.log`, `${logs}/${app}.err.log`, ...facts.pm2Files];
    const reload = facts.pm2 && facts.node
      ? { method: 'postrotate' as const, postrotate: pm2ReloadLines({ pm2: facts.pm2, node: facts.node, user: i.user, uid: i.uid, home: i.home, runuser: facts.runuser }), reopen: `postrotate: pm2 reloadLogs as ${i.user} (when its daemon runs)` }
      : { method: 'copytruncate' as const, reopen: `${copy}; pm2 or node is not on ${i.user}'s PATH, so pm2 reloadLogs cannot be run` };
    push({ comment: `pm2's log files of ${app} (written by ${i.user}'s pm2 daemon)`, paths: pm2Paths, ...(su ? { su } : {}), ...reload }, [...facts.shared.files, ...facts.pm2Files]);
    const own = facts.shared.files.filter((f) => !pm2Paths.includes(f));
    if (own.length > 0) push({ comment: `other log files in ${logs} (held open by the app itself)`, paths: own, method: 'copytruncate', reopen: copy, ...(su ? { su } : {}) }, own);
  } else if (facts.shared.exists) {
    push({ comment: `log files ${app} writes in ${logs}`, paths: [`${logs}/*.log`], method: 'copytruncate', reopen: copy, ...(su ? { su } : {}) }, facts.shared.files);
  }
  if (facts.siteLogs.length > 0) {
    const pidFile = facts.nginxPid ?? '/run/nginx.pid';
    push({ comment: `nginx logs of the site deckhand wrote for ${app}`, paths: facts.siteLogs, method: 'postrotate', postrotate: nginxReopenLines(pidFile), reopen: `postrotate: USR1 to the nginx master (${pidFile})` }, facts.siteLogs);
  }
  if (JOURNAL_STRATEGIES.has(i.strategy)) {
    elsewhere.push({ what: `stdout and stderr of ${app}${i.strategy === 'blue-green' ? '@<port>' : ''}.service`, handledBy: 'kept in the systemd journal, which journald rotates itself (SystemMaxUse=, MaxRetentionSec= in /etc/systemd/journald.conf)' });
  }
  if (DOCKER_STRATEGIES.has(i.strategy)) {
    elsewhere.push({ what: `container output of ${app}`, handledBy: "kept by the Docker engine's logging driver, which rotates them when told to (max-size and max-file for json-file in /etc/docker/daemon.json)" });
  }
  return { blocks, elsewhere };
}
