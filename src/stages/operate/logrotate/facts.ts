// Parses the logrotate facts probe (commands/ops-logrotate.ts): tools, the app's log files, other configs' paths.
import { parseSections } from '../../readiness/parse.js';

export interface LogrotateFacts {
  /** Path of the logrotate binary, or null when it is not installed. */
  logrotate: string | null;
  version: string | null;
  pm2: string | null;
  node: string | null;
  runuser: string | null;
  /** The connecting user's pm2 daemon runs (its pid file names a live process). */
  pm2Running: boolean;
  /** nginx's pid file from nginx.conf, or null when it says nothing. */
  nginxPid: string | null;
  shared: { exists: boolean; mode: number | null; owner: string | null; group: string | null; files: string[] };
  /** pm2's own log files of the app under PM2_HOME/logs that exist. */
  pm2Files: string[];
  /** access_log / error_log paths of the nginx site deckhand wrote for the app. */
  siteLogs: string[];
  /** Every other logrotate config and the path patterns it rotates. */
  otherConfigs: { file: string; patterns: string[] }[];
  /** The text of /etc/logrotate.d/<app> now, or null. */
  current: string | null;
}

function kv(body: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of body.split('\n')) {
    const i = line.indexOf('=');
    if (i > 0) m.set(line.slice(0, i), line.slice(i + 1).trim());
  }
  return m;
}

const orNull = (s: string | undefined): string | null => (s && s.length > 0 ? s : null);

function values(body: string, key: string): string[] {
  return body.split('\n').filter((l) => l.startsWith(`${key}=`)).map((l) => l.slice(key.length + 1)).filter((v) => v.length > 0);
}

/**
 * The paths a logrotate config rotates: the words outside any `{ … }` that are absolute paths (quoted or not),
 * except the argument of `include`. Comments are dropped first; scripts sit inside braces and are skipped.
 */
export function configPatterns(text: string): string[] {
  const words: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/^\s*#.*$/, '');
    for (const m of line.matchAll(/"([^"]*)"|'([^']*)'|([{}])|([^\s{}"']+)/g)) words.push(m[1] ?? m[2] ?? m[3] ?? m[4] ?? '');
  }
  const out: string[] = [];
  let depth = 0;
  for (let i = 0; i < words.length; i++) {
    const w = words[i] ?? '';
    if (w === '{') { depth++; continue; }
    if (w === '}') { depth = Math.max(0, depth - 1); continue; }
    if (depth > 0) continue;
    if (w === 'include' || w === 'tabooext' || w === 'taboopat' || w === 'olddir') { i++; continue; }
    if (w.startsWith('/')) out.push(w);
  }
  return out;
}

export function parseLogrotateProbe(stdout: string): LogrotateFacts {
  const sections = parseSections(stdout);
  const tool = kv(sections.get('tool')?.body ?? '');
  const shared = sections.get('shared')?.body ?? '';
  const dir = /^dir=(\d+)\|([^|]*)\|(.*)$/m.exec(shared);
  const otherConfigs: LogrotateFacts['otherConfigs'] = [];
  for (const [name, s] of sections) {
    if (name.startsWith('conf:')) otherConfigs.push({ file: name.slice(5), patterns: configPatterns(s.body) });
  }
  const cur = sections.get('current');
  return {
    logrotate: orNull(tool.get('logrotate')), version: orNull(tool.get('version')),
    pm2: orNull(tool.get('pm2')), node: orNull(tool.get('node')), runuser: orNull(tool.get('runuser')),
    pm2Running: tool.get('pm2_running') === '1', nginxPid: orNull(tool.get('nginx_pid')),
    shared: {
      exists: dir !== null, mode: dir?.[1] ? parseInt(dir[1], 8) : null, owner: orNull(dir?.[2]), group: orNull(dir?.[3]),
      files: values(shared, 'file'),
    },
    pm2Files: values(sections.get('pm2')?.body ?? '', 'file'),
    siteLogs: (sections.get('site')?.body ?? '').split('\n').map((l) => l.trim()).filter((l) => l.startsWith('/')),
    otherConfigs,
    current: cur && cur.rc === 0 ? cur.body : null,
  };
}
