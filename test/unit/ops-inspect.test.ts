// ops inspect: the probe builder (exact argv, valid sh, a real local run), its parser, nginx certificates, and the report data built from canned output (canary secrets never shown).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Redactor } from '../../src/core/redact.js';
import type { Executor } from '../../src/exec/types.js';
import { INSPECT_CONTAINER_FORMAT, INSPECT_PM2_FILTER, inspectProbeCommand, type InspectProbeSpec } from '../../src/commands/ops-inspect.js';
import { renderOperationsMarkdown } from '../../src/report/markdown-operations.js';
import { OperationsReportSchema } from '../../src/report/operations.js';
import type { LedgerEntry } from '../../src/stages/deploy/ledger.js';
import { certStatuses, serverBlocks, servesApp } from '../../src/stages/operate/inspect/certs.js';
import type { Gathered } from '../../src/stages/operate/inspect/collect.js';
import { inspectData, inspectFindings, inspectStatus, parseWindow } from '../../src/stages/operate/inspect/index.js';
import { cpuPercent, memoryLimit, parseInspectProbe } from '../../src/stages/operate/inspect/probe.js';

const REL = '20261201T140000Z-0a1b2c3';
const CANARY = 'canary-Hx4Pq9Wm2Zt7';
const NOW = Date.parse('2026-12-01T13:20:00Z') / 1000; // the target's clock

const SPEC: InspectProbeSpec = { app: 'api', base: '/opt/api', kind: 'systemd', port: 3000, windowSec: 3600, maxLines: 10000, maxBytes: 2097152, cpuSampleSec: 1, pm2: 'pm2', nginxDir: '/etc/nginx' };

function systemdOutput(o: { active?: string; restarts?: number; fds?: string; logs?: string[]; baseline?: string; extra?: string[] } = {}): string {
  return [
    '@@meta', 'priv=sudo', `now=${NOW + 3600}`, `since=${NOW}`, 'hz=100', 'btime=1796000000', 'memtotal_kb=4028416', `current=/opt/api/releases/${REL}`,
    '@@service', 'unit=api.service',
    'systemd.LoadState=loaded', `systemd.ActiveState=${o.active ?? 'active'}`, 'systemd.SubState=running', `systemd.NRestarts=${o.restarts ?? 0}`, 'systemd.MainPID=812',
    'systemd.ActiveEnterTimestamp=Tue 2026-12-01 13:00:00 UTC', 'systemd.MemoryMax=536870912', 'systemd.MemoryCurrent=1', 'systemd.ControlGroup=/system.slice/api.service', 'systemd.Result=success',
    `systemd.since=${NOW - 1200}`,
    '@@pid 812', 'comm=node', 'ticks=1000 5000', 'rss_kb=409600', 'threads=11', `fds=${o.fds ?? '900'}`, 'fdlimit=1024', 'memlimit=',
    '@@cpu', 'uptime=100.00 101.00', 'ticks 812 1050',
    '@@disk', 'base_kb=102400', 'releases_kb=81920', 'logs_kb=10240', 'df=41152736 37037462 4115274 90% /',
    '@@baseline', ...(o.baseline ? [o.baseline] : []),
    '@@site /etc/nginx/sites-enabled/api.example.com',
    'server {', '  listen 443 ssl;', '  server_name api.example.com;', '  ssl_certificate /etc/letsencrypt/live/api.example.com/fullchain.pem;',
    '  location / { proxy_pass http://127.0.0.1:3000; }', '}',
    'server {', '  listen 80;', '  server_name other.example.com;', '  location / { proxy_pass http://127.0.0.1:30000; }', '}',
    '@@cert /etc/letsencrypt/live/api.example.com/fullchain.pem',
    'subject=CN=api.example.com', "issuer=CN=R11,O=Let's Encrypt,C=US", 'notAfter=Dec 11 13:20:00 2026 GMT', 'sha256 Fingerprint=AA:BB', 'rc=0',
    ...(o.extra ?? []),
    '@@log journal api.service', ...(o.logs ?? []), '@@rc 0',
    '@@end', '',
  ].join('\n');
}

const LOGS = [
  '2026-12-01T13:00:01+0000 web1 api[812]: listening on port 3000',
  `2026-12-01T13:10:00+0000 web1 api[812]: ready check failed: connect ECONNREFUSED 127.0.0.1:5432 password=${CANARY}`,
  `2026-12-01T13:11:00+0000 web1 api[812]: payment "${CANARY}" failed: card declined`,
];

function gathered(text: string): Gathered {
  const cmd = inspectProbeCommand(SPEC);
  return { facts: parseInspectProbe('systemd', text, SPEC.maxBytes), command: cmd, error: null, res: null };
}

const current: LedgerEntry = { id: REL, commit: '0a1b2c3d4e', dirty: false, strategy: 'systemd', status: 'current', deployedAt: '2026-12-01T13:00:00.000Z', deployedBy: 'ci@build', deckhandVersion: '0.1.0', port: 3000, healthPath: '/health' };
const app = { app: 'api', base: '/opt/api', current, previous: null };
// An empty redactor: the normaliser alone must keep these canaries (after a secret-looking key, in quotes) out.
const CTX = { executor: { host: { kind: 'ssh', display: 'deploy@web1' } } as unknown as Executor, redactor: new Redactor() };

function baselineText(patterns: { pattern: string; severity: string; count: number }[], restarts = 0, startedAt = '2026-12-01T13:00:00.000Z'): string {
  return JSON.stringify({
    schemaVersion: 1, app: 'api', recordedAt: '2026-12-01T13:05:00.000Z', release: REL, commit: null, strategy: 'systemd',
    paths: { base: '/opt/api', current: '/opt/api/current', envFile: '/opt/api/shared/.env', logs: '/opt/api/shared/logs' },
    serviceManager: 'systemd', ports: [3000], health: '/health', dependencies: [], lastVerification: null, watch: { immediate: [], observe: [] },
    logs: { windowSec: 300, lines: 10, patterns: patterns.map((p, i) => ({ id: `p${i}`, firstSeen: null, lastSeen: null, ...p })) },
    resources: { rssBytes: 400 * 1024 * 1024, memoryLimitBytes: null, fds: 900, fdLimit: 1024, threads: 11, cpuPercent: 0, restarts, serviceStartedAt: startedAt, diskBytes: { base: null, logs: null } },
  }, null, 2);
}

describe('inspectProbeCommand', () => {
  it('passes every value as a positional parameter, bounded by a timeout', () => {
    const c = inspectProbeCommand(SPEC);
    assert.deepEqual(c.argv.slice(0, 2), ['sh', '-c']);
    assert.deepEqual(c.argv.slice(3), ['deckhand-ops-inspect', 'api', '/opt/api', 'systemd', '3000', '3600', '10000', '2097152', '1', 'pm2', INSPECT_PM2_FILTER, INSPECT_CONTAINER_FORMAT, '/etc/nginx']);
    assert.equal(c.mutates, false);
    assert.equal(c.timeoutMs, 120_000);
    assert.equal(c.description, 'inspect api (systemd): service, processes, disk, certificates, logs of the last 3600s');
    assert.equal(inspectProbeCommand({ ...SPEC, port: null }).argv[7], '');
  });

  it('reads the journal of the window through sudo when there is sudo, and certificates as their reader', () => {
    const lines = (inspectProbeCommand(SPEC).argv[2] ?? '').split('\n');
    assert.ok(lines.includes('systemd|blue-green) echo "@@log journal $unit"; { $S journalctl -u "$unit" --since "@$since" --no-pager -q -o short-iso -n "$n" 2>&1; echo "@@rc $?"; } | tail -c "$cap";;'));
    assert.ok(lines.includes('  r=; [ -r "$c" ] || r=$S; $to $r openssl x509 -in "$c" -noout -subject -issuer -enddate -fingerprint -sha256 -nameopt RFC2253 2>&1; echo "rc=$?"'));
    assert.ok(lines.includes('  { $to $D logs --since "${win}s" --timestamps --tail "$n" "$id" 2>&1; echo "@@rc $?"; } | tail -c "$cap"; done; fi;;'));
  });

  it('is valid sh, and pm2 filter is valid JavaScript', () => {
    const c = inspectProbeCommand(SPEC);
    const r = spawnSync('sh', ['-n', '-c', c.argv[2] ?? ''], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.doesNotThrow(() => new Function(INSPECT_PM2_FILTER));
  });

  it('runs for real here: disk, the baseline file, nginx sites and certificates read with openssl come back and parse', () => {
    const base = mkdtempSync(join(tmpdir(), 'dh-opsi-probe-'));
    try {
      // A real certificate for 10 days, and a site that proxies to the app with it plus one naming a missing file.
      const ngx = join(base, 'nginx');
      mkdirSync(join(ngx, 'sites-enabled'), { recursive: true });
      const cert = join(base, 'cert.pem');
      const ssl = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(base, 'key.pem'), '-out', cert, '-days', '10', '-subj', '/CN=opsi.test'], { encoding: 'utf8' });
      assert.equal(ssl.status, 0, ssl.stderr);
      writeFileSync(join(ngx, 'sites-enabled', 'opsi'), `server {\n  listen 8443 ssl;\n  server_name opsi.test;\n  ssl_certificate ${cert};\n  location / { proxy_pass http://127.0.0.1:3881; }\n}\nserver {\n  server_name gone.test;\n  ssl_certificate "${base}/missing.pem";\n  proxy_pass http://127.0.0.1:3881;\n}\n`);
      writeFileSync(join(ngx, 'sites-enabled', 'other'), 'server { server_name other.test; ssl_certificate /nope.pem; proxy_pass http://127.0.0.1:9; }\n');
      mkdirSync(join(base, 'releases', REL), { recursive: true });
      mkdirSync(join(base, 'shared', 'logs'), { recursive: true });
      mkdirSync(join(base, '.deckhand'));
      writeFileSync(join(base, 'releases', REL, 'big'), Buffer.alloc(300 * 1024));
      writeFileSync(join(base, '.deckhand', 'baseline.json'), '{"schemaVersion":1}\n');
      const c = inspectProbeCommand({ ...SPEC, base, kind: 'none', port: 3881, app: 'dh-opsi-none', nginxDir: ngx });
      const r = spawnSync(c.argv[0] ?? 'sh', c.argv.slice(1), { encoding: 'utf8', timeout: 60_000 });
      assert.equal(r.status, 0, r.stderr);
      const f = parseInspectProbe('none', r.stdout, SPEC.maxBytes);
      assert.equal(f.complete, true);
      assert.ok((f.disk.releasesBytes ?? 0) >= 300 * 1024, String(f.disk.releasesBytes));
      assert.ok(f.disk.filesystem !== null && f.disk.filesystem.totalBytes > 0);
      assert.equal(f.baselineText, '{"schemaVersion":1}');
      assert.ok(f.now !== null && f.since === f.now - 3600);
      assert.equal(f.service.problem, 'no process manager to ask');
      assert.deepEqual(f.logs, []);
      assert.deepEqual(f.sites.map((s) => s.path), [join(ngx, 'sites-enabled', 'opsi')], 'only the site that proxies to the port');
      const certs = certStatuses(f.sites, f.certs, 'dh-opsi-none', 3881, f.now ?? 0);
      // Ten days minus the moment between making it and reading the target's clock: 9 or 10.
      assert.ok(certs[0]?.daysLeft === 9 || certs[0]?.daysLeft === 10, String(certs[0]?.daysLeft));
      assert.deepEqual(certs.map((x) => [x.domains, x.status, x.subject, x.issuer]), [
        [['opsi.test'], 'expiring', 'CN=opsi.test', 'CN=opsi.test'],
        [['gone.test'], 'unknown', null, null],
      ]);
      assert.match(certs[1]?.problem ?? '', /missing\.pem|No such file|Could not/i);
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });
});

describe('parseInspectProbe', () => {
  it('systemd: unit state, start, processes with CPU %, RSS, fds against their limit, MemoryMax, disk, certificates, logs', () => {
    const f = parseInspectProbe('systemd', systemdOutput({ logs: LOGS }), SPEC.maxBytes);
    assert.equal(f.complete, true);
    assert.equal(f.priv, 'sudo');
    assert.deepEqual(f.service.units.map((u) => [u.name, u.state, u.pid, u.restarts, u.startedAt, u.memoryLimit]), [['api.service', 'running', 812, 0, NOW - 1200, 536870912]]);
    const p = f.processes[0];
    assert.deepEqual([p?.pid, p?.comm, p?.rssBytes, p?.threads, p?.fds, p?.fdLimit, p?.cgroupMemoryLimit], [812, 'node', 409600 * 1024, 11, 900, 1024, null]);
    assert.equal(p && cpuPercent(p, f.hz, f.cpuIntervalSec), 50);
    assert.deepEqual(f.disk.filesystem, { totalBytes: 41152736 * 1024, usedBytes: 37037462 * 1024, availBytes: 4115274 * 1024, usedPercent: 90, mount: '/' });
    assert.equal(f.sites.length, 1);
    assert.equal(f.certs[0]?.path, '/etc/letsencrypt/live/api.example.com/fullchain.pem');
    assert.equal(f.logs[0]?.lines.length, 3);
    assert.equal(f.current, `/opt/api/releases/${REL}`);
  });

  it('pm2 and docker lines; unreadable fds and unlimited memory stay null', () => {
    const pm2 = parseInspectProbe('pm2', ['@@meta', 'priv=none', '@@service', 'pm2\t0\tonline\t3\t4100\t1796130000000\t314572800\t/o.log\t/e.log', 'pm2\t1\terrored\t15\t0\t1796140000000\t\t/o.log\t/e.log',
      '@@pid 4100', 'fds=', 'fdlimit=65536', 'memlimit=9223372036854771712', '@@end'].join('\n'), 1000);
    assert.deepEqual(pm2.service.units.map((u) => [u.name, u.state, u.pid, u.restarts, u.startedAt, u.memoryLimit]), [['pm2 #0', 'running', 4100, 3, 1796130000, 314572800], ['pm2 #1', 'failed', null, 15, null, null]]);
    assert.deepEqual([pm2.processes[0]?.fds, pm2.processes[0]?.cgroupMemoryLimit], [null, null]);
    const dk = parseInspectProbe('docker', ['@@meta', 'priv=root', 'docker=direct', '@@service', 'docker /api|running|2|9000|2026-12-01T12:00:00.5Z|268435456|false|healthy|api:rel', '@@end'].join('\n'), 1000);
    assert.deepEqual(dk.service.units.map((u) => [u.name, u.state, u.detail, u.restarts, u.memoryLimit]), [['api', 'running', 'running, healthy', 2, 268435456]]);
    const gone = parseInspectProbe('docker', ['@@meta', 'docker=direct', '@@service', 'docker Error: No such object: api', '@@end'].join('\n'), 1000);
    assert.deepEqual([gone.service.units.length, gone.service.problem], [0, null]);
    const blind = parseInspectProbe('docker', ['@@meta', 'docker=unreachable', '@@service', '@@end'].join('\n'), 1000);
    assert.match(blind.service.problem ?? '', /does not answer/);
    assert.equal(memoryLimit('infinity'), null);
    assert.equal(memoryLimit('0'), null);
  });

  it('a cut-off probe is incomplete', () => {
    assert.equal(parseInspectProbe('systemd', '@@meta\npriv=root\n@@service\n', 1000).complete, false);
  });
});

describe('nginx certificates of the app', () => {
  it('takes server blocks that proxy to the app\'s port (not a longer port) or name the app', () => {
    const blocks = serverBlocks({ path: 's', text: 'server { listen 443 ssl; server_name a.test b.test; ssl_certificate "/c/a.pem"; location / { proxy_pass http://127.0.0.1:3000/; } }\n# server { ssl_certificate /commented.pem; }\nserver { server_name c.test; root /opt/api/current/dist; }\nserver { proxy_pass http://localhost:30000; }' }, 'api');
    assert.deepEqual(blocks.map((b) => [b.serverNames, b.certificates, servesApp(b, 3000)]), [[['a.test', 'b.test'], ['/c/a.pem'], true], [['c.test'], [], true], [[], [], false]]);
  });

  it('days left from the target clock; an unreadable certificate is unknown with the reason', () => {
    const site = { path: '/etc/nginx/sites-enabled/api', text: 'server { server_name a.test; ssl_certificate /c/a.pem; proxy_pass http://127.0.0.1:3000; }\nserver { server_name b.test; ssl_certificate /c/b.pem; proxy_pass http://127.0.0.1:3000; }' };
    const reads = [
      { path: '/c/a.pem', lines: ['subject=CN=a.test', 'issuer=CN=Pebble Intermediate CA', 'notAfter=Dec  6 13:20:00 2026 GMT', 'sha256 Fingerprint=AB', 'rc=0'] },
      { path: '/c/b.pem', lines: ['Could not open file or uri for loading certificate from /c/b.pem', 'rc=1'] },
    ];
    const [a, b] = certStatuses([site], reads, 'api', 3000, NOW);
    assert.deepEqual([a?.domains, a?.daysLeft, a?.status, a?.issuer], [['a.test'], 5, 'expiring', 'CN=Pebble Intermediate CA']);
    assert.deepEqual([b?.status, b?.daysLeft], ['unknown', null]);
    assert.match(b?.problem ?? '', /Could not open file/);
  });
});

describe('inspect report data', () => {
  it('without a baseline: nothing is NEW (null), fds at 88% and the disk at 90% are immediate, the certificate at 10 days too', () => {
    const g = gathered(systemdOutput({ logs: LOGS }));
    const d = inspectData(CTX, app, g, 3600);
    assert.equal(d.service.state, 'running');
    assert.equal(d.service.uptimeSec, 4800);
    assert.deepEqual([d.resources.rssBytes, d.resources.memoryLimitBytes, d.resources.memoryLimitSource, d.resources.fds, d.resources.fdLimit, d.resources.cpuPercent], [409600 * 1024, 536870912, 'systemd MemoryMax', 900, 1024, 50]);
    assert.ok(d.logs.anomalies.every((a) => a.isNew === null));
    assert.deepEqual(d.recommendations.immediate.map((r) => r.id), ['fds.limit', 'disk.usage', 'cert./etc/letsencrypt/live/api.example.com/fullchain.pem']);
    assert.ok(d.recommendations.observe.some((r) => r.id === 'baseline.missing'));
    assert.ok(d.recommendations.observe.some((r) => r.id === 'memory.limit'), 'RSS at 78% of MemoryMax is observed');
    assert.equal(d.certificates[0]?.daysLeft, 9);
    assert.equal(inspectStatus(d), 'attention');
  });

  it('against a baseline: a known pattern is not NEW, a new error pattern is NEW and immediate; canary values never appear', () => {
    const known = 'api: ready check failed: connect ECONNREFUSED <ip> password=<secret>';
    const g = gathered(systemdOutput({ logs: LOGS, fds: '10', baseline: baselineText([{ pattern: known, severity: 'warning', count: 4 }]) }));
    const d = inspectData(CTX, app, g, 3600);
    const byPattern = new Map(d.logs.anomalies.map((a) => [a.pattern, a]));
    assert.equal(byPattern.get(known)?.isNew, false);
    assert.equal(byPattern.get(known)?.baselineCount, 4);
    const fresh = byPattern.get('api: payment "<str>" failed: card declined');
    assert.equal(fresh?.isNew, true);
    assert.equal(fresh?.severity, 'error');
    assert.ok(d.recommendations.immediate.some((r) => r.id === `logs.${fresh?.id ?? ''}` && r.text.startsWith('NEW error pattern')));
    assert.ok(!d.recommendations.immediate.some((r) => r.text.includes('ECONNREFUSED')));
    // The canary is neither in the data nor in the rendered report, even before the redactor masks anything.
    const redactor = new Redactor();
    const ctx = { executor: { host: { kind: 'ssh', display: 'deploy@web1' } } as unknown as Executor, redactor };
    const report = { schemaVersion: 1 as const, tool: { name: 'deckhand' as const, version: '0' }, stage: 'operations' as const, status: inspectStatus(d), target: { kind: 'ssh' as const, display: 'deploy@web1' }, app: 'api', startedAt: '2026-12-01T14:20:00.000Z', durationMs: 1, findings: inspectFindings(ctx, d, g), steps: [], data: d };
    OperationsReportSchema.parse(report);
    const md = renderOperationsMarkdown(report);
    for (const text of [JSON.stringify(report), md]) assert.ok(!text.includes(CANARY) && !text.includes('Hx4Pq') && !text.includes('canary-Hx'), 'canary leaked');
    assert.match(md, /## Log Anomalies[\s\S]*\*\*NEW\*\*/);
    assert.match(md, /### Immediate\n\n(- .*\n)*- NEW error pattern since the baseline: `api: payment "<str>" failed: card declined`/);
  });

  it('restarts since the baseline are immediate; the service down is immediate; an unreadable service is unknown', () => {
    const restarted = inspectData(CTX, app, gathered(systemdOutput({ fds: '10', restarts: 2, baseline: baselineText([]) })), 3600);
    assert.ok(restarted.recommendations.immediate.some((r) => r.id === 'service.restarts' && /restarted 2 time/.test(r.text)));
    const down = inspectData(CTX, app, gathered(systemdOutput({ fds: '10', active: 'failed', baseline: baselineText([]) })), 3600);
    assert.equal(down.service.state, 'stopped');
    assert.ok(down.recommendations.immediate.some((r) => r.id === 'service.down'));
    const blind = inspectData(CTX, app, gathered(systemdOutput().replace(/^systemd\.ActiveState=.*$/m, '').replace(/^systemd\.[A-Za-z]+=.*\n/gm, '')), 3600);
    assert.equal(blind.service.state, 'unknown');
    assert.equal(inspectStatus(blind), 'unknown');
  });

  it('--window: 1m to 30d, with a unit', () => {
    assert.equal(parseWindow('1h'), 3600);
    assert.equal(parseWindow('90m'), 5400);
    assert.throws(() => parseWindow('30s'), /between 1m and 30d/);
    assert.throws(() => parseWindow('60'), /invalid --window/);
  });
});
