// deployment-verifier: reads the deploy's handoff from the ledger (or takes a URL), runs every layer, and decides VERIFIED or FAILED.
import type { ResolveOverride } from './resolve.js';
import { DeckhandError } from '../../core/errors.js';
import type { RunContext } from '../../core/context.js';
import { VERSION } from '../../core/version.js';
import { asRoot } from '../../commands/sudo.js';
import type { Finding, StepResult } from '../../report/common.js';
import { SCHEMA_VERSION } from '../../report/common.js';
import type { VerificationData, VerificationReport } from '../../report/verification.js';
import { currentRelease, parseLedger, servingSince } from '../deploy/ledger.js';
import { layoutFor } from '../deploy/layout.js';
import { parseDotenv, valuesToMask } from '../deploy/secrets.js';
import { probeState } from '../deploy/state.js';
import { checkDeps } from './checks/deps.js';
import { checkHttp } from './checks/http.js';
import { checkLogs } from './checks/logs.js';
import { checkPort } from './checks/port.js';
import { checkProcess } from './checks/process.js';
import { checkProxy } from './checks/proxy.js';
import { checkSmoke } from './checks/smoke.js';
import { checkTls } from './checks/tls.js';
import { checkVersion } from './checks/version.js';
import { layerTarget, noSlot, proxyUrlFor, readSlotView, slotFinding } from './blue-green.js';
import type { LayerCheck, LayerInput, SmokeCheck, VerifyLayer, VerifyOptions, VerifyTarget } from './types.js';

export interface VerifyRequest {
  /** The app deployed by deckhand on the executor's host; omit for a bare URL. */
  app?: string;
  baseDir?: string | null;
  /** Check this URL from here (standalone, or the public URL of the app). */
  url?: string;
  checks?: SmokeCheck[];
  windowMs?: number;
  proxyUrl?: string;
  serverName?: string;
  /** PEM of CA certificates trusted in addition to the system store (an internal CA). */
  tlsCa?: string;
  /** curl's --resolve: the URL's host:port is reached at this address. */
  resolve?: ResolveOverride;
  /** Overrides for what the ledger says (or the only source when there is no ledger). */
  port?: number;
  healthPath?: string;
  /**
   * Start of the log window (ISO time). Default: when what serves started serving, from the ledger (the current
   * release's deploy, or the rollback that restored it), so the lines of a release rolled back from do not count.
   */
  since?: string;
}

const LAYERS: Record<VerifyLayer, LayerCheck> = {
  process: checkProcess, port: checkPort, version: checkVersion, http: checkHttp, smoke: checkSmoke, tls: checkTls, logs: checkLogs, deps: checkDeps, proxy: checkProxy,
};

const TITLE: Record<VerifyLayer, string> = {
  process: 'Process / service', port: 'Port binding', version: 'Served version', http: 'HTTP health', smoke: 'Smoke tests', tls: 'TLS',
  logs: 'Logs', deps: 'Dependency handshakes', proxy: 'Reverse proxy',
};

/** The subject: the ledger's current release on the host, or a URL. */
async function subjectFor(ctx: RunContext, req: VerifyRequest): Promise<{ target: VerifyTarget; source: VerificationData['subject']['source']; envFileText: string | null }> {
  const url = req.url ?? null;
  if (!req.app) {
    if (!url) throw new DeckhandError('usage', 'nothing to verify: name the app (--name) or give a URL', { hint: 'deckhand verify deploy@web1 --name api, or deckhand verify https://example.com' });
    const u = new URL(url);
    return {
      target: { app: null, strategy: null, port: null, healthPath: req.healthPath ?? (u.pathname !== '/' ? u.pathname : null), release: null, base: null, since: null, url: `${u.origin}`, serverName: null },
      source: 'url', envFileText: null,
    };
  }
  const state = await probeState(ctx, req.app, req.baseDir ?? null);
  const { ledger, error } = parseLedger(state.ledgerText, req.app);
  if (error) throw new DeckhandError('config', `the release ledger of ${req.app} is corrupt: ${error}`, { hint: 'inspect it by hand' });
  const cur = currentRelease(ledger);
  if (!cur && req.port === undefined) {
    throw new DeckhandError('usage', `no release of ${req.app} recorded on ${ctx.executor.host.display} (looked in ${state.base})`, {
      hint: 'deploy it with deckhand first, check --name/--base-dir, or pass --port (and --health) to verify a service deckhand did not deploy',
    });
  }
  const layout = layoutFor(state.base);
  const sudo = state.uid !== 0 && state.sudo;
  // The env file is read once, unmasked (handshakes need the URLs); every value that could be secret is registered first.
  const r = await ctx.executor.run(asRoot({ argv: ['sh', '-c', 'cat "$1" 2>/dev/null; exit 0', 'deckhand-env', layout.envFile], mutates: false, timeoutMs: 15_000 }, sudo));
  const raw = r.rawStdout ?? '';
  let envFileText: string | null = raw.length > 0 ? raw : null;
  if (envFileText) {
    try {
      for (const [k, v] of parseDotenv(envFileText, layout.envFile)) ctx.redactor.add(...valuesToMask(k, v));
    } catch { envFileText = null; }
  }
  // blue-green: the slot nginx sends traffic to now, and what runs it, from the target itself.
  const blueGreen = cur?.strategy === 'blue-green' ? await readSlotView(ctx, req.app, state.base, cur.port ?? null) : null;
  return {
    target: {
      app: req.app, strategy: (cur?.strategy ?? null) as VerifyTarget['strategy'], port: req.port ?? cur?.port ?? null, healthPath: req.healthPath ?? cur?.healthPath ?? null,
      release: cur?.id ?? null, base: state.base, since: req.since ?? (cur ? servingSince(ledger) : null), url, serverName: req.serverName ?? null, ...(blueGreen ? { blueGreen } : {}),
    },
    source: cur ? 'ledger' : 'flags', envFileText,
  };
}

function layersFor(t: VerifyTarget): VerifyLayer[] {
  const web: VerifyLayer[] = ['http', 'smoke', ...(t.url?.startsWith('https:') ? ['tls' as const] : [])];
  if (!t.app) return web;
  return ['process', 'port', 'version', ...web, 'logs', 'deps', 'proxy'];
}

function summarize(layer: VerifyLayer, fs: readonly Finding[]): 'pass' | 'warn' | 'fail' | 'unknown' | 'skipped' {
  if (fs.some((f) => f.status === 'fail' || f.status === 'block')) return 'fail';
  if (fs.some((f) => f.status === 'unknown')) return 'unknown';
  if (fs.length > 0 && fs.every((f) => f.status === 'skipped')) return 'skipped';
  if (fs.some((f) => f.status === 'warn')) return 'warn';
  return fs.length > 0 ? 'pass' : 'skipped';
}

/** VERIFIED only when no check failed, no required fact is unknown, and a real user path (a smoke check) passed. */
export function decide(findings: readonly Finding[]): { verdict: 'VERIFIED' | 'FAILED'; reasons: string[]; userPath: boolean } {
  const reasons: string[] = [];
  for (const f of findings) {
    if (f.status === 'fail' || f.status === 'block') reasons.push(`${f.title}: ${f.summary}`);
    else if (f.status === 'unknown' && f.required) reasons.push(`${f.title}: could not be checked (${f.summary})`);
  }
  const userPath = findings.some((f) => f.section === 'smoke' && f.status === 'pass');
  if (!userPath) reasons.push('no real user path was exercised successfully (no smoke check passed)');
  return { verdict: reasons.length === 0 ? 'VERIFIED' : 'FAILED', reasons, userPath };
}

export async function verify(ctx: RunContext, req: VerifyRequest): Promise<VerificationReport> {
  const startedAt = ctx.now?.() ?? new Date();
  const t0 = performance.now();
  const { target, source, envFileText } = await subjectFor(ctx, req);
  const options: VerifyOptions = {
    windowMs: req.windowMs ?? 10_000, intervalMs: 1000, requestTimeoutMs: 5000, successes: 3, checks: req.checks ?? [],
    proxyUrl: req.proxyUrl ?? null, tlsWarnDays: 14, ...(req.tlsCa ? { tlsCa: req.tlsCa } : {}), ...(req.resolve ? { resolve: req.resolve } : {}),
  };
  const input: LayerInput = { ctx, target, options, envFileText };
  const steps: StepResult[] = [];
  const layers = layersFor(target);
  const runLayer = async (layer: VerifyLayer): Promise<[VerifyLayer, Finding[], number]> => {
    const t = performance.now();
    ctx.onProgress?.({ type: 'step-start', id: layer, title: TITLE[layer] });
    let fs: Finding[];
    try {
      // blue-green: the layers that look at a process check the active slot; the proxy layer defaults to nginx's port.
      const own: LayerInput = { ...input, target: layerTarget(layer, target), options: layer === 'proxy' && !options.proxyUrl ? { ...options, proxyUrl: proxyUrlFor(target) } : options };
      const slot = layer === 'process' ? slotFinding(input) : null;
      fs = [...(slot ? [slot] : []), ...(noSlot(layer, target) ?? await LAYERS[layer](own))].map((f) => ({ ...f, section: layer }));
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      fs = [{ id: `${layer}.error`, section: layer, title: TITLE[layer], status: 'unknown', required: true, summary: `the check could not run: ${msg}` }];
    }
    const ms = Math.round(performance.now() - t);
    const status = summarize(layer, fs);
    ctx.onProgress?.({ type: 'step-end', id: layer, title: TITLE[layer], status: status === 'fail' ? 'fail' : status, durationMs: ms });
    steps.push({ id: layer, title: TITLE[layer], status: status === 'fail' ? 'fail' : status, durationMs: ms });
    return [layer, fs, ms];
  };
  // Smoke requests wait for the health poll: right after a deploy the app may still be starting, and a smoke
  // failure then would be noise. The logs are read last, so an error a smoke request provoked is in them.
  // The other layers run meanwhile (the process layer samples over the window).
  const inOrder: VerifyLayer[] = ['http', 'smoke', 'logs'];
  const sequence = async (): Promise<[VerifyLayer, Finding[], number][]> => {
    const out: [VerifyLayer, Finding[], number][] = [];
    for (const l of inOrder.filter((x) => layers.includes(x))) out.push(await runLayer(l));
    return out;
  };
  const [seq, ...rest] = await Promise.all([sequence(), ...layers.filter((l) => !inOrder.includes(l)).map(runLayer)]);
  const order = new Map(layers.map((l, i) => [l, i]));
  const results = [...seq, ...rest].sort((a, b) => (order.get(a[0]) ?? 0) - (order.get(b[0]) ?? 0));
  const findings = results.flatMap(([, fs]) => fs);
  const { verdict, reasons, userPath } = decide(findings);
  const followUp = findings.filter((f) => (f.status === 'fail' || f.status === 'block' || f.status === 'unknown' || f.status === 'warn') && f.remedy).map((f) => `${f.title}: ${f.remedy}`);
  if (verdict === 'FAILED' && target.app) followUp.push(`roll back if users are affected: deckhand rollback ${ctx.executor.host.display} --name ${target.app}`);
  const report: VerificationReport = {
    schemaVersion: SCHEMA_VERSION, tool: { name: 'deckhand', version: VERSION }, stage: 'verification', status: verdict === 'VERIFIED' ? 'verified' : 'failed',
    target: { kind: ctx.executor.host.kind, display: target.app ? ctx.executor.host.display : target.url ?? ctx.executor.host.display },
    startedAt: startedAt.toISOString(), durationMs: Math.round(performance.now() - t0),
    findings: findings.length > 0 ? findings : [{ id: 'verify.none', section: 'http', title: 'Checks', status: 'unknown', required: true, summary: 'no check ran' }],
    steps,
    data: {
      verdict, reasons,
      subject: { app: target.app, strategy: target.strategy, port: target.port, healthPath: target.healthPath, release: target.release, base: target.base, since: target.since, url: target.url, source },
      layers: results.map(([layer, fs, ms]) => ({ layer, status: summarize(layer, fs), durationMs: ms, findings: fs.length })),
      userPathExercised: userPath, followUp,
    },
  };
  return ctx.redactor.maskDeep(report);
}
