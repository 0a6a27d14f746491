// HTTP health layer: polls the health path until N consecutive 2xx, telling "never came up" from "came up, then failed".
import type { Finding } from '../../../report/common.js';
import { openAppEndpoint } from '../app-endpoint.js';
import { bodyExcerpt, httpRequest, joinUrl, MAX_BODY_BYTES, type HttpOutcome } from '../http-client.js';
import type { LayerCheck, LayerInput } from '../types.js';
import { webFinding } from './web-finding.js';

const ID = 'http.health';
const EVIDENCE_LINES = 30;

interface Attempt {
  n: number;
  /** Milliseconds since the first attempt started. */
  at: number;
  ok: boolean;
  /** What came back, grouped for summaries: "connection refused", "HTTP 503", "HTTP 200". */
  label: string;
  line: string;
  outcome: HttpOutcome;
}

export const checkHttp: LayerCheck = async (input) => {
  const path = input.target.healthPath ?? '/';
  const ep = await openAppEndpoint(input);
  if ('none' in ep) {
    return [webFinding(ID, 'http', 'Health endpoint', 'skipped', `${ep.none}: nothing to poll`, { remedy: 'pass --url, or --port for a service on the target' })];
  }
  if ('error' in ep) return [webFinding(ID, 'http', 'Health endpoint', 'unknown', ep.error, { required: true, remedy: 'check the connection to the target, or pass --url' })];
  try {
    return [await poll(input, joinUrl(ep.endpoint.base, path), ep.endpoint.via)];
  } finally {
    await ep.endpoint.close();
  }
};

async function poll(input: LayerInput, url: string, via: Parameters<typeof httpRequest>[0]['via']): Promise<Finding> {
  const { options, ctx } = input;
  const mask = (s: string): string => ctx.redactor.mask(s);
  const title = `Health GET ${mask(url)}`;
  const need = Math.max(1, options.successes);
  const t0 = performance.now();
  const deadline = t0 + options.windowMs;
  const attempts: Attempt[] = [];
  let streak = 0;
  for (;;) {
    const at = Math.round(performance.now() - t0);
    const outcome = await httpRequest({ method: 'GET', url, timeoutMs: options.requestTimeoutMs, via: via ?? null, ...(ctx.signal ? { signal: ctx.signal } : {}) });
    const a = describeAttempt(attempts.length + 1, at, outcome);
    attempts.push(a);
    if (!outcome.ok && outcome.failure.kind === 'cancelled') break;
    streak = a.ok ? streak + 1 : 0;
    if (streak >= need) break;
    if (performance.now() + options.intervalMs >= deadline) break;
    if (!(await sleep(options.intervalMs, ctx.signal))) break;
  }
  return judge(attempts, streak, need, title, url, input, mask);
}

function describeAttempt(n: number, at: number, outcome: HttpOutcome): Attempt {
  if (!outcome.ok) {
    const f = outcome.failure;
    const label = f.kind === 'refused' ? 'connection refused' : f.kind === 'timeout' ? 'timed out' : f.kind === 'redirect-loop' ? 'redirect loop' : f.message;
    return { n, at, ok: false, label, line: `#${n} +${at}ms ${f.message}`, outcome };
  }
  const r = outcome.response;
  const ok = r.status >= 200 && r.status < 300;
  const notes = [
    r.redirects.length > 0 ? `after ${r.redirects.length} redirect${r.redirects.length === 1 ? '' : 's'}` : '',
    r.truncated ? `body cut at ${MAX_BODY_BYTES / 1024 / 1024} MiB` : '',
    r.body === null ? `body ${r.bodyBytes} bytes, not UTF-8 text` : '',
  ].filter(Boolean);
  return { n, at, ok, label: `HTTP ${r.status}`, line: `#${n} +${at}ms ${r.status} ${r.statusText} in ${r.responseTimeMs}ms${notes.length ? ` (${notes.join('; ')})` : ''}`, outcome };
}

/** "connection refused ×3, then HTTP 503 ×2" — runs of the same answer, in order. */
function runs(list: readonly Attempt[]): string {
  const out: { label: string; count: number }[] = [];
  for (const a of list) {
    const last = out[out.length - 1];
    if (last && last.label === a.label) last.count++;
    else out.push({ label: a.label, count: 1 });
  }
  return out.map((r) => (r.count > 1 ? `${r.label} ×${r.count}` : r.label)).join(', then ');
}

function judge(attempts: Attempt[], streak: number, need: number, title: string, url: string, input: LayerInput, mask: (s: string) => string): Finding {
  const window = `${Math.round(input.options.windowMs / 100) / 10}s`;
  const evidence = mask(evidenceOf(attempts));
  const last = attempts[attempts.length - 1];
  const firstOkIdx = attempts.findIndex((a) => a.ok);
  const lastOutcome = last?.outcome;
  if (!last || !lastOutcome) return webFinding(ID, 'http', title, 'unknown', 'no request was made', { required: true });
  if (input.ctx.signal?.aborted || (!lastOutcome.ok && lastOutcome.failure.kind === 'cancelled')) return webFinding(ID, 'http', title, 'unknown', 'cancelled before the health check finished', { required: true, evidence });
  const bodyNote = (): string | undefined => {
    const o = attempts[attempts.length - 1]?.outcome;
    if (!o?.ok) return undefined;
    const r = o.response;
    if (r.truncated) return `the body is larger than ${MAX_BODY_BYTES / 1024 / 1024} MiB; only the first ${MAX_BODY_BYTES / 1024 / 1024} MiB was read`;
    if (r.body === null) return `the body (${r.bodyBytes} bytes) is not UTF-8 text`;
    return undefined;
  };

  if (streak >= need) {
    const r = lastOutcome.ok ? lastOutcome.response : null;
    const answer = r ? `${r.status} in ${r.responseTimeMs}ms` : '';
    const before = attempts.slice(0, firstOkIdx);
    const flaps = attempts.slice(firstOkIdx).filter((a) => !a.ok);
    const detail = bodyNote();
    if (flaps.length > 0) {
      return webFinding(ID, 'http', title, 'warn', `healthy in the end, but it failed ${flaps.length} time${flaps.length === 1 ? '' : 's'} after first answering (${runs(flaps)})`, {
        ...(detail ? { detail } : {}), evidence, remedy: 'the app is unstable: check its logs for restarts or errors around those attempts',
      });
    }
    const summary = before.length === 0
      ? `healthy: ${need} consecutive 2xx (${answer})`
      : `healthy after ${firstOkIdx + 1} attempts (${runs(before)} first; then ${need} consecutive 2xx, ${answer})`;
    return webFinding(ID, 'http', title, 'pass', summary, { ...(detail ? { detail } : {}), evidence });
  }

  const failing = [...attempts].reverse().find((a) => !a.ok);
  const detail = failing?.outcome.ok ? `last answer (${failing.outcome.response.status} ${failing.outcome.response.statusText}): ${bodyExcerpt(failing.outcome.response, mask)}` : undefined;
  if (firstOkIdx < 0) {
    const all = attempts.every((a) => a.label === last.label);
    const what = all ? `${last.label} on ${attempts.length === 1 ? 'the only attempt' : `all ${attempts.length} attempts`}` : runs(attempts);
    return webFinding(ID, 'http', title, 'fail', `never came up in ${window}: ${what}`, { required: true, ...(detail ? { detail: mask(detail) } : {}), evidence, remedy: remedyFor(last, url, input, mask) });
  }
  if (last.ok) {
    return webFinding(ID, 'http', title, 'fail', `came up late: only ${streak} of ${need} consecutive 2xx before the ${window} window ended (${runs(attempts)})`, {
      required: true, evidence, remedy: 'the app needed most of the window to start: verify again, or give it a longer window (--window)',
    });
  }
  const after = attempts.slice(firstOkIdx);
  return webFinding(ID, 'http', title, 'fail', `came up, then failed: ${runs(after)}`, {
    required: true, ...(detail ? { detail: mask(detail) } : {}), evidence, remedy: `it answered, then stopped: ${remedyFor(last, url, input, mask)}`,
  });
}

function remedyFor(a: Attempt, url: string, input: LayerInput, mask: (s: string) => string): string {
  const o = a.outcome;
  const where = input.target.url ? mask(url) : `port ${input.target.port ?? '?'} on the target`;
  if (o.ok) return `the health path answers ${o.response.status}: check that ${input.target.healthPath ?? '/'} is the right path and read the app's logs`;
  switch (o.failure.kind) {
    case 'refused': return `nothing accepts connections on ${where}: check that the process runs and listens there (its logs say why not)`;
    case 'timeout': return `connections are accepted but no answer comes within ${input.options.requestTimeoutMs}ms: the app may be stuck or still starting`;
    case 'redirect-loop':
    case 'too-many-redirects': return 'fix the redirect rules (app or proxy): the health path never gets a final answer';
    case 'dns': return 'check the host name in the URL';
    case 'tls': return 'the HTTPS handshake fails: check the certificate and that the port speaks TLS';
    default: return "check the app's logs and the network path to it";
  }
}

function evidenceOf(attempts: readonly Attempt[]): string {
  const lines = attempts.map((a) => a.line);
  if (lines.length <= EVIDENCE_LINES) return lines.join('\n');
  const head = lines.slice(0, 10);
  const tail = lines.slice(-(EVIDENCE_LINES - 10));
  return [...head, `… ${lines.length - head.length - tail.length} more attempts …`, ...tail].join('\n');
}

/** Waits, or returns false at once when the run is cancelled. */
function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(false);
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    const onAbort = (): void => {
      clearTimeout(t);
      resolve(false);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
