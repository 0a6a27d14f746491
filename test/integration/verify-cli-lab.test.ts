// `deckhand verify` end to end on a lab host: a fresh deploy is VERIFIED with every layer reported; a 5xx smoke path fails naming it.
import assert from 'node:assert/strict';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { labOrSkip, sshExec, type LabState } from '../lab/lab.js';
import { labSshFlags, runCli } from '../helpers/cli.js';

const EXAMPLE = fileURLToPath(new URL('../../examples/node-api/', import.meta.url));
const APP = 'verify-cli';
const PORT = 3741;
const CANARY = 'tok-verify-cli-Qw8Zr2';

describe('deckhand verify after a deploy (node20, systemd)', { concurrency: false }, () => {
  let lab: LabState | null = null;
  let work = '';
  after(async () => {
    if (lab) await sshExec('node20', 'deploy', `sudo -n systemctl disable --now ${APP}.service; sudo -n rm -rf /opt/${APP} /etc/systemd/system/${APP}.service; sudo -n userdel ${APP}; sudo -n systemctl daemon-reload`).catch(() => undefined);
    if (work) await rm(work, { recursive: true, force: true });
  });

  test('a healthy deploy is VERIFIED with every layer reported; a smoke path answering 503 fails naming it', async (t) => {
    lab = labOrSkip(t); if (!lab) return;
    work = await mkdtemp(join(tmpdir(), 'dh-verify-cli-'));
    await cp(EXAMPLE, join(work, 'repo'), { recursive: true, filter: (s) => !s.includes('node_modules') });
    await writeFile(join(work, 'v.env'), `APP_VERSION=1.0.0\nAPI_TOKEN=${CANARY}\n`, { mode: 0o600 });
    const h = lab.hosts.node20;
    const target = `ssh://deploy@${h.host}:${h.port}`;
    const d = await runCli(['deploy', target, ...labSshFlags(lab), '--repo', join(work, 'repo'), '--name', APP, '--strategy', 'systemd', '--build', 'local',
      '--port', String(PORT), '--health', '/health', '--env-file', join(work, 'v.env'), '--yes', '--json'], { timeoutMs: 240_000 });
    assert.equal(d.code, 0, d.stderr);
    const v = await runCli(['verify', target, ...labSshFlags(lab), '--name', APP, '--window', '4s', '--json'], { timeoutMs: 120_000 });
    assert.equal(v.code, 0, v.stderr + v.stdout);
    const rep = JSON.parse(v.stdout);
    assert.equal(rep.data.verdict, 'VERIFIED');
    assert.equal(rep.data.subject.source, 'ledger', 'the handoff came from the ledger');
    assert.equal(rep.data.subject.release, JSON.parse(d.stdout).data.releaseId);
    const statuses = Object.fromEntries(rep.data.layers.map((l: { layer: string; status: string }) => [l.layer, l.status]));
    assert.deepEqual(statuses, { process: 'pass', port: 'pass', version: 'pass', http: 'pass', smoke: 'pass', logs: 'pass', deps: 'skipped', proxy: 'skipped' });
    const schema = JSON.parse((await runCli(['schema', 'verification'])).stdout);
    const plain: unknown = JSON.parse(v.stdout);
    const validate = new Ajv2020({ allErrors: true, strict: true }).compile(schema);
    assert.ok(validate(plain), JSON.stringify(validate.errors));

    await writeFile(join(work, 'checks.yml'), 'checks:\n  - name: items\n    path: /api/items\n    conditions: ["[STATUS] == 200", "[BODY].items | len >= 0"]\n  - name: version\n    path: /version\n    conditions: ["[BODY].version == \\"1.0.0\\""]\n');
    const bad = await runCli(['verify', target, ...labSshFlags(lab), '--name', APP, '--window', '3s', '--checks', join(work, 'checks.yml')], { timeoutMs: 120_000 });
    assert.equal(bad.code, 1, bad.stderr);
    assert.match(bad.stdout, /The deployment \*\*FAILED\*\* verification/);
    assert.match(bad.stdout, /items.*\[STATUS\] \(503\) == 200/);
    assert.match(bad.stdout, /version.*PASS/);
    for (const out of [v.stdout, v.stderr, bad.stdout, bad.stderr]) assert.ok(!out.includes(CANARY), 'no secret value in any output');

    const malformed = await runCli(['verify', target, ...labSshFlags(lab), '--name', APP, '--checks', join(work, 'checks.yml'), '--window', 'soon']);
    assert.equal(malformed.code, 2);
  });
});
