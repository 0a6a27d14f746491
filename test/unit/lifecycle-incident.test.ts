// deckhand up's Incident Record: graded by the incident stage's decision tree, so up and incident give the same severity for the same observation.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Finding } from '../../src/report/common.js';
import { IncidentRecordSchema } from '../../src/report/incident.js';
import { diagnose } from '../../src/stages/incident/diagnoses.js';
import { classify } from '../../src/stages/incident/severity.js';
import type { Signals } from '../../src/stages/incident/signals.js';
import { lifecycleRecord, type LifecycleIncident } from '../../src/stages/lifecycle/incident-record.js';
import { signals } from '../helpers/incident-signals.js';

const finding = (section: string, status: Finding['status'], summary: string, remedy?: string): Finding =>
  ({ id: `${section}.x`, section, title: `${section} check`, status, required: true, summary, ...(remedy ? { remedy } : {}) });

const record = (failing: Finding[], over: Partial<LifecycleIncident> = {}): ReturnType<typeof lifecycleRecord> => lifecycleRecord({
  app: 'api', what: 'release r2 failed verification', failing, from: 'r2', to: 'r1', outcome: 'SUCCESS', currentState: 'r1 serving, VERIFIED',
  startedAt: new Date('2026-01-01T00:00:00Z'), now: new Date('2026-01-01T00:01:00Z'), ...over,
});

const incidentSeverity = (s: Signals): string => classify(s, diagnose(s)).severity;

describe('deckhand up and deckhand incident grade the same observation alike', () => {
  const pairs: [string, Signals, Finding[], string][] = [
    ['the service is not running', signals({}, { state: 'failed' }), [finding('process', 'fail', 'api.service failed')], 'SEV-1'],
    ['health answers 500', signals({ health: { via: 'app', url: 'http://127.0.0.1:3000/health', code: 500, curlExit: 0 } }), [finding('http', 'fail', 'never came up: HTTP 500')], 'SEV-1'],
    ['the database refuses the credential', signals({ deps: [{ keys: 'DATABASE_URL', verdict: 'auth', summary: 'auth failed' }] }), [finding('deps', 'fail', 'auth failed')], 'SEV-1'],
    ['the proxy answers 502', signals({ proxies: [{ via: 'proxy f', url: 'http://127.0.0.1:8080/health', code: 502, curlExit: 0 }] }), [finding('proxy', 'fail', 'HTTP 502 through nginx')], 'SEV-1'],
    ['service and health unknown', signals({ health: null }, { state: 'unknown', problem: 'no sudo' }), [finding('process', 'unknown', 'no sudo'), finding('http', 'unknown', 'no request was made')], 'SEV-1'],
    ['a fatal log pattern while serving', signals({ logs: ['getaddrinfo ENOTFOUND db'] }), [finding('logs', 'fail', 'ENOTFOUND db')], 'SEV-2'],
    ['an expired certificate while serving', signals({ certificates: [{ path: '/etc/ssl/app.pem', status: 'expired', daysLeft: -3 }] }), [finding('tls', 'fail', 'expired 3 days ago')], 'SEV-2'],
    ['a dependency that could not be judged', signals({ deps: [{ keys: 'DATABASE_URL', verdict: 'unknown', summary: 'could not check' }] }), [finding('deps', 'unknown', 'could not check')], 'SEV-2'],
    ['serving, nothing wrong', signals(), [], 'SEV-3'],
  ];
  for (const [what, s, failing, expected] of pairs) {
    test(`${what}: ${expected} from both`, () => {
      assert.equal(incidentSeverity(s), expected);
      assert.equal(record(failing).triage.severity, expected);
    });
  }

  test('a failed smoke check (a real user path) is down: SEV-1 with the path through the tree recorded', () => {
    const r = record([finding('smoke', 'fail', 'version: [BODY].version == "1.0.0" is false')]);
    assert.equal(r.triage.severity, 'SEV-1');
    assert.match(r.triage.decision.join('\n'), /down: smoke check: version: .* → SEV-1/);
  });
});

describe('the record up writes', () => {
  test('cause class from the incident stage: the app\'s own checks are application, a dependency or TLS infrastructure', () => {
    assert.equal(record([finding('smoke', 'fail', 'version')]).causeClass, 'application');
    assert.equal(record([finding('smoke', 'fail', 'version'), finding('deps', 'fail', 'refused')]).causeClass, 'infrastructure');
    assert.equal(record([finding('Execution', 'fail', 'start failed')]).causeClass, 'unknown');
  });

  test('rolled back and verified: RESTORED with the rollback; nothing to roll back to: UNRESOLVED', () => {
    const restored = IncidentRecordSchema.parse(record([finding('http', 'fail', 'no answer', 'read the logs')]));
    assert.deepEqual([restored.source, restored.status, restored.rollback?.to, restored.followUp], ['lifecycle', 'RESTORED', 'r1', ['http check: read the logs']]);
    const stuck = record([finding('http', 'fail', 'no answer')], { from: null, to: null, outcome: 'no rollback possible' });
    assert.deepEqual([stuck.status, stuck.rollback, stuck.actions], ['UNRESOLVED', null, ['none: nothing to roll back to']]);
  });
});
