// deckhand incident's logic: the severity decision tree, every diagnosis matcher (with a canary secret in the log lines), the record schema and its Markdown.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Redactor } from '../../src/core/redact.js';
import { IncidentRecordSchema, IncidentReportSchema, type IncidentRecord, type IncidentReport } from '../../src/report/incident.js';
import { renderIncidentMarkdown, renderReviewDraft } from '../../src/report/markdown-incident.js';
import { reportJsonSchema } from '../../src/report/json-schema.js';
import { DIAGNOSES, diagnose, incidentCause } from '../../src/stages/incident/diagnoses.js';
import { classify } from '../../src/stages/incident/severity.js';
import { parseSignalsProbe, type Signals } from '../../src/stages/incident/signals.js';
import { signals } from '../helpers/incident-signals.js';
import { signalsProbeCommand } from '../../src/stages/incident/signals-command.js';
import { restartCommand } from '../../src/stages/incident/stabilise.js';
import { rollbackRefusal } from '../../src/stages/incident/index.js';
import { rollbackRecord } from '../../src/stages/incident/record.js';
import type { ExecutionReport } from '../../src/report/execution.js';
import type { DeployedApp } from '../../src/stages/operate/deployed-app.js';

const CANARY = 'canary-Tri9Xw2Lq-unit';

const ids = (s: Signals): string[] => diagnose(s).map((d) => d.id);

describe('diagnosis catalogue', () => {
  const cases: [string, Signals][] = [
    ['oom-killed', signals({}, { result: 'oom-kill', memoryLimit: 64 * 2 ** 20 })],
    ['oom-killed', signals({}, { oomKilled: true })],
    ['oom-killed', signals({ kernel: ['Memory cgroup out of memory: Killed process 4242 (node)'] })],
    ['oom-killed', signals({ logs: ['api.service: Main process exited, code=killed, status=9/KILL'] }, { memoryLimit: 96 * 2 ** 20 })],
    ['enospc', signals({ logs: [`Error: ENOSPC: no space left on device, write (token ${CANARY})`] })],
    ['enospc', signals({ disk: { usedPercent: 100, availBytes: 0, mount: '/mnt/tiny' } })],
    ['eaddrinuse', signals({ logs: [`Error: listen EADDRINUSE: address already in use :::3000 ${CANARY}`] })],
    ['db-auth-failed', signals({ logs: [`error: password authentication failed for user "app" (${CANARY})`] })],
    ['db-auth-failed', signals({ deps: [{ keys: 'DATABASE_URL', verdict: 'auth', summary: 'auth failed: postgres://app:***@127.0.0.1:5432/appdb [28P01] password authentication failed for user "app"' }] })],
    ['db-refused', signals({ logs: [`Error: connect ECONNREFUSED 127.0.0.1:5432 ${CANARY}`] })],
    ['db-refused', signals({ deps: [{ keys: 'DATABASE_URL', verdict: 'unreachable', summary: 'unreachable: postgres://app:***@127.0.0.1:5432/appdb [ECONNREFUSED] connection refused' }] })],
    ['enotfound', signals({ deps: [{ keys: 'REDIS_URL', verdict: 'dns', summary: 'DNS failure: cache.internal does not resolve on the target (redis://cache.internal:6379)' }] })],
    ['enotfound', signals({ logs: [`Error: getaddrinfo ENOTFOUND db.internal ${CANARY}`] })],
    ['missing-config', signals({ logs: [`FATAL: environment variable STRIPE_API_KEY is missing ${CANARY}`] })],
    ['missing-config', signals({ logs: ['JsonWebTokenError: invalid signature'] })],
    ['missing-config', signals({ changes: { ...signals().changes, envKeysRemoved: ['STRIPE_API_KEY'] } })],
    ['permission-denied', signals({ logs: [`Error: EACCES: permission denied, open '/var/lib/x' ${CANARY}`] })],
    ['certificate-expired', signals({ certificates: [{ path: '/etc/ssl/app.pem', status: 'expired', daysLeft: -3 }] })],
    ['bad-gateway', signals({ proxies: [{ via: 'proxy /etc/nginx/sites-enabled/app', url: 'http://127.0.0.1:8080/health', code: 502, curlExit: 0 }] })],
    ['crash-loop', signals({}, { state: 'failed', restarts: 5, result: 'start-limit-hit' })],
  ];
  for (const [id, s] of cases) {
    test(`${id} matches its signals, with evidence`, () => {
      const d = diagnose(s).find((x) => x.id === id);
      assert.ok(d, `${id} in ${ids(s).join(',')}`);
      assert.ok(d.evidence.length > 0 && d.action.length > 0);
    });
  }

  test('every rule in the catalogue has a case above, and a healthy service matches none', () => {
    assert.deepEqual([...new Set(cases.map(([id]) => id))].sort(), DIAGNOSES.map((r) => r.id).sort());
    assert.deepEqual(ids(signals()), []);
  });

  test('a SIGKILL without a memory limit is not called an OOM kill', () => {
    assert.deepEqual(ids(signals({ logs: ['api.service: Main process exited, code=killed, status=9/KILL'] })), []);
  });

  test('connection refused to something that is not a database is not a database diagnosis', () => {
    assert.deepEqual(ids(signals({ logs: ['connect ECONNREFUSED 127.0.0.1:8125 (statsd)'] })), []);
  });

  test('a canary secret in log lines never appears once the evidence is masked', () => {
    const r = new Redactor();
    r.add(CANARY);
    for (const [, s] of cases) {
      const out = r.mask(JSON.stringify(diagnose(s)));
      assert.ok(!out.includes(CANARY));
    }
    const raw = JSON.stringify(cases.map(([, s]) => diagnose(s)));
    assert.ok(raw.includes(CANARY), 'the unmasked evidence carries it: the mask is what removes it');
  });

  test('cause class: the root diagnosis, not its symptoms (crash loop, 502)', () => {
    const s = signals({ logs: ['FATAL: environment variable X is missing'] }, { state: 'failed', restarts: 6 });
    assert.equal(incidentCause(diagnose(s)), 'application');
    assert.equal(incidentCause(diagnose(signals({ logs: ['ENOSPC: no space left on device'] }, { restarts: 4 }))), 'infrastructure');
    assert.equal(incidentCause([]), 'unknown');
    // A 502 with the app itself down is the app's; with the app answering, the proxy's.
    const proxy = { via: 'proxy f', url: 'http://127.0.0.1:8080/health', code: 502, curlExit: 0 };
    assert.equal(diagnose(signals({ proxies: [proxy], health: { via: 'app', url: 'u', code: 0, curlExit: 7 } }))[0]?.causeClass, 'application');
    assert.equal(diagnose(signals({ proxies: [proxy] }))[0]?.causeClass, 'infrastructure');
  });
});

describe('severity decision tree', () => {
  const sev = (s: Signals): string => classify(s, diagnose(s)).severity;
  test('down → SEV-1: not running, crash loop, health unanswered or 5xx, 502 at the proxy', () => {
    assert.equal(sev(signals({}, { state: 'failed' })), 'SEV-1');
    assert.equal(sev(signals({}, { restarts: 4 })), 'SEV-1');
    assert.equal(sev(signals({ health: { via: 'app', url: 'u', code: 0, curlExit: 7 } })), 'SEV-1');
    assert.equal(sev(signals({ health: { via: 'app', url: 'u', code: 500, curlExit: 0 } })), 'SEV-1');
    assert.equal(sev(signals({ proxies: [{ via: 'proxy f', url: 'p', code: 502, curlExit: 0 }] })), 'SEV-1');
  });
  test('a dependency failing its handshake → SEV-1 even while the liveness path answers 200 (every request that needs it fails)', () => {
    const auth = signals({ deps: [{ keys: 'DATABASE_URL', verdict: 'auth', summary: 'auth failed: postgres://app:***@db:5432/appdb [28P01] password authentication failed for user "app"' }] });
    const t = classify(auth, diagnose(auth));
    assert.equal(t.severity, 'SEV-1');
    assert.match(t.decision.join('\n'), /down: its dependency DATABASE_URL fails the handshake \(auth failed: .*28P01.*\) → SEV-1/);
    assert.equal(sev(signals({ deps: [{ keys: 'DATABASE_URL', verdict: 'unreachable', summary: 'unreachable: x [ECONNREFUSED]' }] })), 'SEV-1');
    // A handshake that answered, or one that could not be judged, does not make it down.
    assert.equal(sev(signals({ deps: [{ keys: 'DATABASE_URL', verdict: 'ok', summary: 'OK: x' }] })), 'SEV-3');
    assert.equal(sev(signals({ deps: [{ keys: 'DATABASE_URL', verdict: 'unknown', summary: 'could not check: x' }] })), 'SEV-2', 'could not check → unclear → the higher severity');
  });
  test('unclear → the higher severity', () => {
    assert.equal(sev(signals({ health: null }, { state: 'unknown', problem: 'no sudo' })), 'SEV-1');
    assert.equal(sev(signals({ health: null })), 'SEV-2');
    assert.equal(sev(signals({ problems: ['the incident probe did not finish'] })), 'SEV-2');
  });
  test('running but degraded → SEV-2: OOM kill, restarts, full disk, memory near its limit, a blocking diagnosis', () => {
    assert.equal(sev(signals({}, { result: 'oom-kill' })), 'SEV-2');
    assert.equal(sev(signals({}, { restarts: 1 })), 'SEV-2');
    assert.equal(sev(signals({ disk: { usedPercent: 97, availBytes: 1, mount: '/' } })), 'SEV-2');
    assert.equal(sev(signals({ memory: { rssBytes: 95, limitBytes: 100 } })), 'SEV-2');
    assert.equal(sev(signals({ logs: ['getaddrinfo ENOTFOUND db'] })), 'SEV-2');
  });
  test('serving with nothing found → SEV-3, and the path is recorded', () => {
    const t = classify(signals(), []);
    assert.equal(t.severity, 'SEV-3');
    assert.match(t.decision.join('\n'), /health: http:\/\/127\.0\.0\.1:3000\/health HTTP 200[\s\S]*→ SEV-3/);
  });
});

describe('probe, restart, refusal', () => {
  test('the incident probe: one sh -s command, read-only, every argument positional', () => {
    const c = signalsProbeCommand({ unit: 'api', port: 3000, healthPath: '/health', sinceEpoch: 100, envFile: '/opt/api/shared/.env', previousRecord: '/opt/api/.deckhand/records/r1', managed: [{ path: '/etc/systemd/system/api.service', name: 'unit.service' }], nginxDir: '/etc/nginx' });
    assert.deepEqual(c.argv, ['sh', '-s', '--', 'api', '3000', '/health', '100', '/opt/api/shared/.env', '/opt/api/.deckhand/records/r1', '/etc/nginx', '/etc/systemd/system/api.service', 'unit.service']);
    assert.equal(c.mutates, false);
    assert.ok(c.timeoutMs && c.timeoutMs <= 60_000);
  });
  test('the probe output parses; env files yield keys only', () => {
    const x = parseSignalsProbe(['@@kernel', 'Memory cgroup out of memory: Killed process 9 (node)', '@@exit', 'Result=oom-kill', 'ExecMainStatus=9', '@@health',
      'app http://127.0.0.1:3000/health 000 7', 'proxy /etc/nginx/sites-enabled/api http://127.0.0.1:8080/health 502 0', '@@envkeys current', 'A', '@@envkeys previous', 'A', 'B',
      '@@config', 'differs /etc/systemd/system/api.service', '@@end'].join('\n'));
    assert.deepEqual([x.kernel.length, x.exit.get('Result'), x.health.map((h) => h.code), x.envKeys, x.config, x.complete],
      [1, 'oom-kill', [0, 502], { current: ['A'], previous: ['A', 'B'] }, [{ path: '/etc/systemd/system/api.service', same: false }], true]);
    assert.equal(parseSignalsProbe('@@kernel\n').complete, false);
  });
  test('restart by strategy; none for a static site', () => {
    const d = (strategy: string) => ({ app: 'api', current: { strategy } }) as Pick<DeployedApp, 'app' | 'current'>;
    assert.deepEqual(restartCommand(d('systemd'), true)?.argv.slice(0, 3), ['sudo', '-n', '--']);
    assert.deepEqual(restartCommand(d('pm2'), false, '/x/pm2')?.argv, ['/x/pm2', 'restart', 'api', '--update-env']);
    assert.equal(restartCommand(d('static'), false), null);
  });
  test('nothing to roll back to, and a pruned rollback target, are refused with the reason', () => {
    const base = { app: 'api', current: { id: 'r3' }, previous: null } as unknown as DeployedApp;
    const led = (releases: object[]) => ({ ...base, ledger: { releases } }) as unknown as DeployedApp;
    assert.match(rollbackRefusal(led([{ id: 'r3', status: 'current' }])) ?? '', /no earlier release/);
    assert.match(rollbackRefusal(led([{ id: 'r1', status: 'previous', pruned: true }, { id: 'r2', status: 'failed' }, { id: 'r3', status: 'current' }])) ?? '', /r1 was pruned/);
    assert.equal(rollbackRefusal({ ...led([]), previous: { id: 'r2' } } as unknown as DeployedApp), null);
  });
});

describe('incident record and report', () => {
  const record: IncidentRecord = {
    schemaVersion: 1, id: '20261201T120000000Z', app: 'api', openedAt: '2026-12-01T12:00:00.000Z', source: 'incident',
    triage: { severity: 'SEV-1', summary: 'SEV-1: Missing env var', evidence: ['service: api.service failed'], decision: ['down: the service is failed → SEV-1'] },
    diagnoses: diagnose(signals({ logs: ['FATAL: environment variable STRIPE_API_KEY is missing'] })),
    changes: { ...signals().changes, envKeysRemoved: ['STRIPE_API_KEY'] },
    timeline: [{ at: '2026-12-01T12:00:00.000Z', event: 'deckhand incident started' }],
    actions: ['rolled back from r2 to r1: SUCCESS', 'verified r1: VERIFIED'],
    rollback: { from: 'r2', to: 'r1', outcome: 'SUCCESS', verified: 'VERIFIED' }, currentState: 'r1 serving, VERIFIED', status: 'RESTORED', causeClass: 'application',
    followUp: ['provide STRIPE_API_KEY'],
  };
  const report: IncidentReport = {
    schemaVersion: 1, tool: { name: 'deckhand', version: '0.0.0' }, stage: 'incident', status: 'ok', target: { kind: 'ssh', display: 'deploy@h' },
    startedAt: record.openedAt, durationMs: 1, findings: [], steps: [], data: { dryRun: false, record, recordPath: '/opt/api/.deckhand/incidents/x.json', reviewPath: '/opt/api/.deckhand/incidents/x.review.md' },
  };
  test('the schema accepts a full record and refuses a wrong severity', () => {
    assert.doesNotThrow(() => IncidentReportSchema.parse(report));
    assert.throws(() => IncidentRecordSchema.parse({ ...record, triage: { ...record.triage, severity: 'SEV-0' } }));
    assert.equal((reportJsonSchema('incident').properties as Record<string, { const?: string }>).stage?.const, 'incident');
  });
  test('Markdown in the guide\'s layout, and the review draft', () => {
    const md = renderIncidentMarkdown(report);
    for (const h of ['## Incident Record & Rollback', '### Incident Triage', '### Diagnosis', '### What Changed', '### Timeline', '### Actions Taken', '### Rollback Execution', '### Current State', '### Cause Class', '### Follow-up Required']) assert.ok(md.includes(h), h);
    assert.match(md, /\*\*Severity:\*\* SEV-1 — CRITICAL[\s\S]*Env keys added:\*\* none; \*\*removed:\*\* STRIPE_API_KEY[\s\S]*\*\*Status:\*\* RESTORED/);
    assert.match(renderReviewDraft(record), /^# Post-incident review \(draft\): api[\s\S]*## To complete in the review/);
  });
  test('a manual rollback writes the same record shape: SEV-1, RESTORED or UNRESOLVED', () => {
    const exec = (outcome: string, failure: object | null) => ({
      startedAt: '2026-12-01T12:00:00.000Z', findings: [{ title: 'Rollback', summary: 'r1 is current again and healthy' }],
      data: { app: 'api', outcome, releaseId: 'r1', previousRelease: 'r2', failure, runtime: { status: 'running', detail: 'healthy 3/3' } },
    }) as unknown as ExecutionReport;
    const ok = IncidentRecordSchema.parse(rollbackRecord(exec('SUCCESS', null), new Date('2026-12-01T12:00:05Z')));
    assert.deepEqual([ok.source, ok.triage.severity, ok.status, ok.rollback?.from, ok.rollback?.to], ['rollback', 'SEV-1', 'RESTORED', 'r2', 'r1']);
    const bad = IncidentRecordSchema.parse(rollbackRecord(exec('FAILED', { step: 'wait-healthy', message: 'not healthy', revert: 'r2 restored' }), new Date()));
    assert.equal(bad.status, 'UNRESOLVED');
    assert.match(bad.actions[0] ?? '', /FAILED \(not healthy; r2 restored\)/);
  });
});
