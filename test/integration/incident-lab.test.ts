// deckhand incident against real systemd services on the lab node20 host (deploy user with sudo): crash loop from a missing env var, OOM kill under MemoryMax.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { labOrSkip, sshExec, type LabState } from '../lab/lab.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { CLI, labSshFlags, runCli } from '../helpers/cli.js';
import { IncidentRecordSchema, IncidentReportSchema, type IncidentReport } from '../../src/report/incident.js';

const EXAMPLE = fileURLToPath(new URL('../../examples/node-api/', import.meta.url));
const LEAKY = fileURLToPath(new URL('../fixtures/leaky-app/', import.meta.url));
// Random per run: the target's journal outlives a run, and an earlier run's value must not be found again.
const CANARY = `canary-Inc7Qp3Zr-${randomBytes(4).toString('hex')}`;
const APP = 'lab-inc';
const PORT = 3901;
const OOM_APP = 'lab-inc-oom';
const OOM_PORT = 3902;
const SCEN_APP = 'lab-inc-s';
const SCEN_PORT = 3903;
const SITE_PORT = 3909;
const SQUAT = 'lab-inc-squat';
const SITE = `server { listen ${SITE_PORT}; location / { proxy_pass http://127.0.0.1:${SCEN_PORT}; } }`;
/** One small app, three failure modes chosen by MODE in its env file: healthy, an unresolvable dependency, a disk filling up. */
const SCENARIO_SERVER = `'use strict';
const http = require('http'); const dns = require('dns'); const fs = require('fs');
const mode = process.env.MODE || 'ok';
if (mode === 'dns') setInterval(() => dns.lookup('db.lab-inc.invalid', (e) => { if (e) console.error('db connect failed: ' + e.message + ' (' + e.code + ')'); }), 1000);
if (mode === 'fill') { const chunk = Buffer.alloc(1024 * 1024, 1); setInterval(() => { try { fs.appendFileSync(process.env.FILL, chunk); } catch (e) { console.error('cache write failed: ' + e.message); } }, 200); }
http.createServer((q, s) => { s.setHeader('content-type', 'application/json'); s.end(JSON.stringify({ status: 'ok', mode })); })
  .listen(Number(process.env.PORT), () => console.log('listening on ' + process.env.PORT + ' in mode ' + mode));
process.once('SIGTERM', () => process.exit(0));
`;

function shq(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

function scenarioCleanup(fill: string): string {
  return `sudo -n rm -f ${fill} /etc/nginx/sites-enabled/${SCEN_APP}; sudo -n systemctl reload nginx >/dev/null 2>&1; sudo -n systemctl stop ${SQUAT}.service >/dev/null 2>&1; sudo -n systemctl reset-failed ${SQUAT}.service >/dev/null 2>&1; true`;
}

/** The start of the release that needs NEEDED_KEY: it refuses to start without it, as an app reading a required secret would. */
const NEEDS_KEY = `sh -c 'test -n "$NEEDED_KEY" || { echo "FATAL: environment variable NEEDED_KEY is missing (token $API_TOKEN)"; exit 1; }; exec node server.js'`;

describe('deckhand incident on a lab host (systemd, deploy user with sudo)', { concurrency: false }, () => {
  let lab: LabState | null = null;
  let work = '';
  let target = '';
  const sh = async (cmd: string): Promise<string> => (await sshExec('node20', 'deploy', cmd, 120_000)).stdout.trim();
  const deploy = async (app: string, port: number, repo: string, extra: string[] = []): Promise<void> => {
    const r = await runCli(['deploy', target, ...labSshFlags(lab as LabState), '--repo', repo, '--name', app, '--strategy', 'systemd', '--build', 'local',
      '--port', String(port), '--health', '/health', '--env-file', join(work, 'app.env'), '--json', '--yes', '--base-dir', `/opt/${app}`, ...extra], { timeoutMs: 300_000 });
    assert.equal(r.code, 0, r.stderr + r.stdout);
  };
  const incident = (app: string, extra: string[] = []): ReturnType<typeof runCli> => runCli(['incident', target, ...labSshFlags(lab as LabState), '--name', app,
    '--base-dir', `/opt/${app}`, '--json', '--out', join(work, 'reports'), '--verify-window', '5s', ...extra], { timeoutMs: 300_000 });
  const cleanup = (app: string): string => `sudo -n systemctl disable --now ${app}.service >/dev/null 2>&1; sudo -n rm -rf /opt/${app} /etc/systemd/system/${app}.service /etc/systemd/system/${app}.service.d; `
    + `sudo -n userdel ${app} >/dev/null 2>&1; sudo -n systemctl reset-failed ${app}.service >/dev/null 2>&1; sudo -n systemctl daemon-reload`;

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'dh-incident-lab-'));
    await cp(EXAMPLE, join(work, 'repo'), { recursive: true, filter: (src) => !src.includes('node_modules') });
    await cp(LEAKY, join(work, 'leaky'), { recursive: true });
    await writeFile(join(work, 'app.env'), `APP_VERSION=1.0.0\nAPI_TOKEN=${CANARY}\nNEEDED_KEY=nk-Value-4417\nLEAK_MIB_PER_SEC=8\nLEAK_CAP_MIB=400\n`, { mode: 0o600 });
  });

  after(async () => {
    if (lab) await sshExec('node20', 'deploy', `${cleanup(APP)}; ${cleanup(OOM_APP)}; ${cleanup(SCEN_APP)}; ${scenarioCleanup(`/mnt/tiny/${SCEN_APP}-fill`)}`).catch(() => undefined);
    await rm(work, { recursive: true, force: true });
  });

  test('crash loop from a missing env var: SEV-1, diagnosed, rolled back to the last good release, verified, recorded', async (t) => {
    lab = labOrSkip(t); if (!lab) return;
    const h = lab.hosts.node20;
    target = `ssh://deploy@${h.host}:${h.port}`;
    await sh(cleanup(APP));
    await deploy(APP, PORT, join(work, 'repo'));
    await deploy(APP, PORT, join(work, 'repo'), ['--start', NEEDS_KEY]);
    const releases = (await sh(`ls /opt/${APP}/releases`)).split('\n');
    assert.equal(releases.length, 2);
    // The secret disappears from the env file; at the next restart the release cannot start, again and again.
    await sh(`sudo -n sed -i '/^NEEDED_KEY=/d' /opt/${APP}/shared/.env && sudo -n systemctl restart ${APP}.service; sleep 12`);

    const dry = await incident(APP, ['--dry-run']);
    assert.equal(dry.code, 1, dry.stderr + dry.stdout);
    const d = IncidentReportSchema.parse(JSON.parse(dry.stdout));
    assert.equal(d.data.record.triage.severity, 'SEV-1');
    assert.ok(d.data.record.diagnoses.some((x) => x.id === 'missing-config'), JSON.stringify(d.data.record.diagnoses));
    assert.ok(d.data.record.diagnoses.some((x) => x.id === 'crash-loop'), JSON.stringify(d.data.record.diagnoses));
    assert.deepEqual(d.data.record.changes?.envKeysRemoved, ['NEEDED_KEY']);
    assert.equal(d.data.record.causeClass, 'application');
    assert.equal(d.data.recordPath, null);
    assert.match(d.data.record.actions.join('\n'), /--dry-run.*would roll back to/);
    assert.equal(await sh(`readlink /opt/${APP}/current`), `releases/${releases[1]}`, 'a dry run changes nothing');

    // The same triage through MCP: the read-only incident_triage tool.
    const transport = new StdioClientTransport({ command: process.execPath, args: [CLI, 'mcp', ...labSshFlags(lab)], stderr: 'pipe' });
    const client = new Client({ name: 'deckhand-incident-test', version: '1.0.0' });
    await client.connect(transport);
    try {
      const m = await client.callTool({ name: 'incident_triage', arguments: { target, app: APP, baseDir: `/opt/${APP}` } }, undefined, { timeout: 180_000 }) as CallToolResult;
      assert.ok(!m.isError, JSON.stringify(m.content));
      const sc = IncidentReportSchema.parse(m.structuredContent);
      assert.deepEqual([sc.data.dryRun, sc.data.record.triage.severity, sc.data.recordPath], [true, 'SEV-1', null]);
      assert.ok(!JSON.stringify(m).includes(CANARY));
    } finally {
      await client.close();
    }
    assert.equal(await sh(`readlink /opt/${APP}/current`), `releases/${releases[1]}`, 'triage through MCP changes nothing');

    const r = await incident(APP);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const report = IncidentReportSchema.parse(JSON.parse(r.stdout));
    const rec = report.data.record;
    assert.equal(rec.status, 'RESTORED');
    assert.deepEqual([rec.rollback?.from, rec.rollback?.to, rec.rollback?.outcome, rec.rollback?.verified], [releases[1], releases[0], 'SUCCESS', 'VERIFIED']);
    assert.equal(await sh(`readlink /opt/${APP}/current`), `releases/${releases[0]}`);
    assert.equal(JSON.parse(await sh(`curl -s -m 5 http://127.0.0.1:${PORT}/health`)).status, 'ok');
    // The record on the target and the review draft beside it say what happened and what was done.
    assert.ok(report.data.recordPath && report.data.reviewPath);
    const onTarget = JSON.parse(await sh(`sudo -n cat ${report.data.recordPath}`));
    assert.equal(onTarget.status, 'RESTORED');
    assert.match(await sh(`sudo -n cat ${report.data.reviewPath}`), /Post-incident review[\s\S]*Missing env var[\s\S]*Rollback Execution/);
    const out = await readdir(join(work, 'reports'));
    assert.ok(out.some((f) => f.endsWith('.review.md')), out.join(', '));
    const md = await readFile(join(work, 'reports', out.filter((f) => /^incident-.*Z\.md$/.test(f)).sort().at(-1) ?? ''), 'utf8');
    assert.match(md, /### Incident Triage[\s\S]*SEV-1[\s\S]*### Rollback Execution[\s\S]*VERIFIED[\s\S]*### Cause Class\n- application/);
    for (const text of [dry.stdout, dry.stderr, r.stdout, r.stderr, md, JSON.stringify(onTarget)]) assert.ok(!text.includes(CANARY), 'the canary secret never appears');
  });

  test('OOM kill under MemoryMax with nothing to roll back to: diagnosed OOMKilled, stabilisation only, said clearly', async (t) => {
    lab = labOrSkip(t); if (!lab) return;
    const h = lab.hosts.node20;
    target = `ssh://deploy@${h.host}:${h.port}`;
    await sh(cleanup(OOM_APP));
    await deploy(OOM_APP, OOM_PORT, join(work, 'leaky'));
    // A memory limit the leak outgrows within seconds: the kernel's OOM killer ends it, systemd restarts it, again.
    await sh(`sudo -n mkdir -p /etc/systemd/system/${OOM_APP}.service.d && printf '[Service]\\nMemoryMax=96M\\nMemorySwapMax=0\\n' | sudo -n tee /etc/systemd/system/${OOM_APP}.service.d/memory.conf >/dev/null `
      + `&& sudo -n systemctl daemon-reload && sudo -n systemctl restart ${OOM_APP}.service; for i in $(seq 1 60); do r=$(systemctl show -p NRestarts --value ${OOM_APP}.service); [ "$r" -ge 2 ] && break; sleep 1; done`);
    // The timer is longer than the time the leak takes to reach the limit: a restart cannot look stable.
    const r = await incident(OOM_APP, ['--stabilise-timeout', '40s']);
    const report = IncidentReportSchema.parse(JSON.parse(r.stdout));
    const rec = report.data.record;
    const oom = rec.diagnoses.find((x) => x.id === 'oom-killed');
    assert.ok(oom, JSON.stringify(rec.diagnoses) + rec.triage.evidence.join('\n'));
    // Where the kernel's messages are out of reach (a container), systemd's SIGKILL under the limit is the evidence.
    assert.match(oom.evidence.join('\n'), /Result=oom-kill|kernel: .*(oom|Killed process)|status=9\/KILL \(under a memory limit of 100663296 B\)/i);
    assert.equal(oom.causeClass, 'infrastructure');
    assert.equal(rec.causeClass, 'infrastructure');
    // Nothing to roll back to: the severity stays, the action is the restart, and the record says why there was no rollback.
    assert.match(rec.actions.join('\n'), /no rollback.*: there is no earlier release of lab-inc-oom in the ledger to roll back to; actions are limited to stabilisation/);
    assert.match(rec.actions.join('\n'), /systemctl enable \+ restart/);
    assert.equal(rec.rollback?.to, null);
    assert.ok(['STABILISED', 'UNRESOLVED'].includes(rec.status), rec.status);
    assert.equal(r.code, rec.status === 'STABILISED' ? 0 : 1);
    assert.ok(!r.stdout.includes(CANARY) && !r.stderr.includes(CANARY));
    await sh(cleanup(OOM_APP));
  });

  test('ENOTFOUND, ENOSPC (the 16 MiB tmpfs), EADDRINUSE after a restart: each diagnosed; a dead nginx upstream → 502, rolled back and verified', async (t) => {
    lab = labOrSkip(t); if (!lab) return;
    const h = lab.hosts.node20;
    target = `ssh://deploy@${h.host}:${h.port}`;
    const app = SCEN_APP;
    const fill = `${h.tinyMount ?? '/mnt/tiny'}/${app}-fill`;
    await sh(`${cleanup(app)}; ${scenarioCleanup(fill)}`);
    await mkdir(join(work, 'scen'), { recursive: true });
    await writeFile(join(work, 'scen', 'package.json'), JSON.stringify({ name: app, version: '1.0.0', private: true, main: 'server.js', scripts: { start: 'node server.js' } }));
    await writeFile(join(work, 'scen', 'server.js'), SCENARIO_SERVER);
    await writeFile(join(work, 'app.env'), `MODE=ok\nFILL=${fill}\nAPI_TOKEN=${CANARY}\n`, { mode: 0o600 });
    await deploy(app, SCEN_PORT, join(work, 'scen'));
    await deploy(app, SCEN_PORT, join(work, 'scen'));
    const mode = (m: string, wait: string): Promise<string> => sh(`sudo -n sed -i 's/^MODE=.*/MODE=${m}/' /opt/${app}/shared/.env && sudo -n systemctl restart ${app}.service; ${wait}`);
    const triage = async (): Promise<IncidentReport['data']['record']> => {
      const r = await incident(app, ['--dry-run']);
      assert.ok(!r.stdout.includes(CANARY) && !r.stderr.includes(CANARY), 'the canary secret never appears');
      return IncidentReportSchema.parse(JSON.parse(r.stdout)).data.record;
    };
    const journalHas = (re: string): string => `for i in $(seq 1 40); do sudo -n journalctl -u ${app}.service --since "-60s" -q --no-pager | grep -q '${re}' && break; sleep 1; done`;
    try {
      await mode('dns', journalHas('ENOTFOUND'));
      const dns = await triage();
      assert.ok(dns.diagnoses.some((x) => x.id === 'enotfound'), JSON.stringify(dns.diagnoses));
      assert.equal(dns.triage.severity, 'SEV-2');
      assert.equal(dns.causeClass, 'infrastructure');

      await mode('fill', journalHas('ENOSPC'));
      const disk = await triage();
      await sh(scenarioCleanup(fill));
      assert.ok(disk.diagnoses.some((x) => x.id === 'enospc'), JSON.stringify(disk.diagnoses));
      assert.equal(disk.causeClass, 'infrastructure');
      assert.match(disk.diagnoses.find((x) => x.id === 'enospc')?.action ?? '', /deckhand ops cleanup.*not done by `deckhand incident`/);

      // Another process takes the port while the service restarts: every start fails with EADDRINUSE.
      await sh(`sudo -n systemctl stop ${app}.service && sudo -n systemd-run --unit ${SQUAT} --property=User=nobody /usr/bin/python3 -m http.server ${SCEN_PORT} --bind 127.0.0.1 >/dev/null 2>&1; sleep 1`);
      await mode('ok', journalHas('EADDRINUSE') + '; sleep 6');
      const clash = await triage();
      await sh(`sudo -n systemctl stop ${SQUAT}.service`);
      assert.ok(clash.diagnoses.some((x) => x.id === 'eaddrinuse'), JSON.stringify(clash.diagnoses));
      assert.equal(clash.triage.severity, 'SEV-1');
      assert.equal(clash.causeClass, 'infrastructure');

      // nginx proxies to the app; the app dies: nginx answers 502 on the health path. SEV-1: roll back, verify.
      await sh(`printf '%s\\n' ${shq(SITE)} | sudo -n tee /etc/nginx/sites-enabled/${app} >/dev/null && sudo -n nginx -t 2>/dev/null && sudo -n systemctl reload nginx && sudo -n systemctl stop ${app}.service`);
      const r = await incident(app);
      const rec = IncidentReportSchema.parse(JSON.parse(r.stdout)).data.record;
      const bg = rec.diagnoses.find((x) => x.id === 'bad-gateway');
      assert.ok(bg, JSON.stringify(rec.diagnoses));
      assert.match(bg.evidence.join('\n'), new RegExp(`127\\.0\\.0\\.1:${SITE_PORT}/health .*HTTP 502`));
      assert.equal(rec.triage.severity, 'SEV-1');
      assert.equal(rec.status, 'RESTORED', rec.actions.join('\n'));
      assert.equal(rec.rollback?.verified, 'VERIFIED');
      assert.equal(r.code, 0);
      assert.equal((await sh(`curl -s -o /dev/null -w '%{http_code}' -m 5 http://127.0.0.1:${SITE_PORT}/health`)), '200', 'nginx serves again');
      assert.ok(!r.stdout.includes(CANARY) && !r.stderr.includes(CANARY));

      // A manual `deckhand rollback` (here forward again, to the release rolled back from) writes the same record shape.
      const back = await runCli(['rollback', target, ...labSshFlags(lab), '--name', app, '--base-dir', `/opt/${app}`, '--to', rec.rollback?.from ?? '', '--json'], { timeoutMs: 180_000 });
      assert.equal(back.code, 0, back.stderr + back.stdout);
      const path = /incident record: (\S+)/.exec(back.stderr)?.[1] ?? '';
      const manual = IncidentRecordSchema.parse(JSON.parse(await sh(`sudo -n cat ${path}`)));
      assert.deepEqual([manual.source, manual.status, manual.rollback?.to], ['rollback', 'RESTORED', rec.rollback?.from]);
    } finally {
      await sh(`${scenarioCleanup(fill)}; ${cleanup(app)}`);
    }
  });
});
