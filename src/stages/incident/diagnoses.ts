// The diagnosis catalogue: each common failure with its matcher over the signals, its cause class and the action to take.
import type { Finding } from '../../report/common.js';
import type { CauseClass, Diagnosis } from '../../report/incident.js';
import type { DepSignal, Signals } from './signals.js';

export interface DiagnosisRule {
  id: string;
  title: string;
  /** Fixed, or decided from the signals (a 502 is the app's when the app itself is down, else the proxy's). */
  causeClass: CauseClass | ((s: Signals) => CauseClass);
  /** Evidence lines when the rule matches, empty when it does not. */
  match: (s: Signals) => string[];
  action: string;
}

/** Log lines matching a pattern, newest last, at most three (the evidence, not the whole log). */
function lines(s: Signals, re: RegExp): string[] {
  return s.logs.filter((l) => re.test(l)).slice(-3);
}

/** The handshakes of the env file's dependencies that came to a verdict, as evidence lines. */
function deps(s: Signals, verdict: DepSignal['verdict']): string[] {
  return s.deps.filter((x) => x.verdict === verdict).map((x) => `handshake from the target, ${x.keys}: ${x.summary}`);
}

const BAD_GATEWAY = new Set([502, 503, 504]);
const DB_PORTS = /:(5432|3306|6379|27017|5672|9042)\b|postgres|mysql|redis|mongo/i;

/** Restarts from which a service counts as crash looping (systemd NRestarts, pm2 restart_time, docker RestartCount). */
export const CRASH_LOOP_RESTARTS = 3;

export const DIAGNOSES: readonly DiagnosisRule[] = [
  {
    id: 'oom-killed', title: 'OOMKilled: the process was killed for memory', causeClass: 'infrastructure',
    match: (s) => [
      ...(s.service.result === 'oom-kill' ? [`systemd: Result=oom-kill${s.service.memoryLimit ? ` (MemoryMax ${s.service.memoryLimit} B)` : ''}`] : []),
      ...(s.service.oomKilled ? [`docker: State.OOMKilled=true (${s.service.detail})`] : []),
      ...(s.service.exitStatus === 137 ? ['exit status 137 (SIGKILL)'] : []),
      // Inside containers the kernel's messages and systemd's oom-kill result may be out of reach; a SIGKILL (exit 137)
      // of a service under a memory limit is the OOM killer's signature.
      ...(s.service.memoryLimit !== null ? lines(s, /code=killed, status=9\/KILL|exit(ed)? (with )?(code|status)[ =]137\b/i).map((l) => `${l} (under a memory limit of ${s.service.memoryLimit} B)`) : []),
      ...s.kernel.slice(-2).map((l) => `kernel: ${l}`),
      ...lines(s, /oom-kill|killed by the OOM killer|heap out of memory|Out of memory/i),
    ],
    action: 'confirm with `dmesg -T | grep -i oom`; raise the limit (systemd MemoryMax=, docker --memory, pm2 max_memory_restart) or fix the leak; roll back if the new release brought it',
  },
  {
    id: 'enospc', title: 'ENOSPC: no space left on device', causeClass: 'infrastructure',
    match: (s) => [
      ...lines(s, /\bENOSPC\b|no space left on device/i),
      ...(s.disk && s.disk.usedPercent >= 98 ? [`df: ${s.disk.mount} ${s.disk.usedPercent}% used, ${s.disk.availBytes} B free`] : []),
    ],
    action: 'free space: `df -h`, then `deckhand ops cleanup` (old releases, images) and bloated files under /var/log; freeing disk is not done by `deckhand incident`',
  },
  {
    id: 'eaddrinuse', title: 'EADDRINUSE: the port is held by another process', causeClass: 'infrastructure',
    match: (s) => lines(s, /\bEADDRINUSE\b|address already in use/i),
    action: 'find the holder (`ss -ltnp` / `lsof -i :PORT`), stop it gracefully (kill -15) if it is an old copy of the app, then restart the service',
  },
  {
    id: 'db-auth-failed', title: 'Wrong database credentials (authentication failed)', causeClass: 'application',
    match: (s) => [
      ...deps(s, 'auth'),
      ...lines(s, /password authentication failed|Access denied for user|\bWRONGPASS\b|\bNOAUTH\b|authentication failed/i),
    ],
    action: 'the credential in the env file does not match the database: correct it (`deckhand deploy --env-file`) or roll back to the release whose env file worked',
  },
  {
    id: 'db-refused', title: 'Connection refused to the database', causeClass: 'infrastructure',
    match: (s) => [...deps(s, 'unreachable').filter((l) => /refused/i.test(l)), ...lines(s, /ECONNREFUSED|connection refused/i).filter((l) => DB_PORTS.test(l))],
    action: 'check the database runs and listens where the env file says (host, port), that the host resolves from the app, and that migrations ran',
  },
  {
    id: 'enotfound', title: 'ENOTFOUND: a host name does not resolve', causeClass: 'infrastructure',
    match: (s) => [...deps(s, 'dns'), ...lines(s, /\bENOTFOUND\b|\bEAI_AGAIN\b|Name or service not known|Temporary failure in name resolution/i)],
    action: 'resolve the name from the target (`getent hosts NAME`); fix /etc/hosts, the DNS settings or the host in the env file',
  },
  {
    id: 'missing-config', title: 'Missing env var / invalid signature / unauthorized', causeClass: 'application',
    match: (s) => [
      ...lines(s, /\b(environment variable|env var)\b.*\b(missing|not set|required|undefined)\b|\bmissing (required )?(env|environment)|invalid signature|\bunauthori[sz]ed\b|\bKeyError: '[A-Z][A-Z0-9_]+'/i),
      ...(s.changes.envKeysRemoved.length > 0 ? [`env keys present in ${s.changes.previous ?? 'the previous release'} but not now: ${s.changes.envKeysRemoved.join(', ')}`] : []),
    ],
    action: 'compare the env file\'s keys with the app\'s template and provide the missing secret (`deckhand deploy --env-file`); until then the previous release serves',
  },
  {
    id: 'permission-denied', title: 'Permission denied', causeClass: 'infrastructure',
    match: (s) => lines(s, /\bEACCES\b|\bEPERM\b|permission denied/i),
    action: 'give the service user access to what it needs (files under <base>/shared, a port above 1024) rather than running it as root',
  },
  {
    id: 'certificate-expired', title: 'Expired certificate', causeClass: 'infrastructure',
    match: (s) => [
      ...s.certificates.filter((c) => c.status === 'expired').map((c) => `${c.path}: expired ${c.daysLeft === null ? '' : `${-c.daysLeft} day(s) ago`}`.trim()),
      ...lines(s, /certificate has expired|CERT_HAS_EXPIRED/i),
    ],
    action: 'renew it (`deckhand ops certs --renew`) and reload nginx',
  },
  {
    id: 'bad-gateway', title: '502/503/504 on the health check (dead upstream)',
    causeClass: (s) => (s.health && (s.health.code === 0 || s.health.code >= 500) ? 'application' : 'infrastructure'),
    match: (s) => s.proxies.filter((p) => BAD_GATEWAY.has(p.code)).map((p) => `${p.url} via ${p.via.replace(/^proxy /, '')}: HTTP ${p.code}${s.health ? `; the app's port answers ${s.health.code === 0 ? 'nothing' : `HTTP ${s.health.code}`}` : ''}`),
    action: 'read the app\'s logs for a crash right after start; if it runs, check nginx\'s error log and the upstream address in the site',
  },
  {
    id: 'crash-loop', title: 'Crash loop', causeClass: 'application',
    match: (s) => {
      const looping = (s.service.restarts ?? 0) >= CRASH_LOOP_RESTARTS || s.service.result === 'start-limit-hit';
      return looping ? [`${s.service.detail}, ${s.service.restarts ?? '?'} restart(s)${s.service.result ? `, Result=${s.service.result}` : ''}`, ...lines(s, /Main process exited|Failed with result|exited with code [1-9]/)] : [];
    },
    action: 'the process exits soon after every start: the lines before each exit in the logs name why; roll back while it is fixed',
  },
];

/** Every rule that matches, evidence masked by the caller. */
export function diagnose(s: Signals, rules: readonly DiagnosisRule[] = DIAGNOSES): Diagnosis[] {
  return rules.flatMap((r) => {
    const evidence = r.match(s);
    if (evidence.length === 0) return [];
    return [{ id: r.id, title: r.title, causeClass: typeof r.causeClass === 'function' ? r.causeClass(s) : r.causeClass, evidence, action: r.action }];
  });
}

/**
 * Cause class from failing findings, for a release no diagnosis matched: dependencies, disk, permissions and
 * certificates are infrastructure; the app's own errors (its logs, its HTTP answers, a crash loop) are application.
 */
function findingsCause(failing: readonly Finding[]): CauseClass {
  const infra = failing.some((f) => f.section === 'deps' || f.section === 'tls' || f.section === 'proxy' || /ENOSPC|permission denied|disk/i.test(f.summary));
  const app = failing.some((f) => ['http', 'smoke', 'logs', 'process', 'version', 'port'].includes(f.section));
  return infra ? 'infrastructure' : app ? 'application' : 'unknown';
}

/**
 * The incident's cause class: the first diagnosis that is not the crash loop or the 502 (those are symptoms of the
 * others), else the first diagnosis, else what the failing findings (a deploy's, its verification's) point to, else unknown.
 */
export function incidentCause(ds: readonly Diagnosis[], failing: readonly Finding[] = []): CauseClass {
  const root = ds.find((d) => d.id !== 'crash-loop' && d.id !== 'bad-gateway') ?? ds[0];
  return root?.causeClass ?? findingsCause(failing);
}
