// verify after a blue-green deploy: the slot read on the target, what each layer checks of the active slot, and the whole stage against scripted target answers.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderSlotConfig, renderUpstream } from '../../src/commands/blue-green.js';
import { Redactor } from '../../src/core/redact.js';
import { RecordingExecutor } from '../../src/exec/recording.js';
import type { Executor } from '../../src/exec/types.js';
import { layerTarget, noSlot, parseSlotState, proxyUrlFor, slotFinding } from '../../src/stages/verify/blue-green.js';
import { checkLogs } from '../../src/stages/verify/checks/logs.js';
import { checkPort } from '../../src/stages/verify/checks/port.js';
import { checkProcess } from '../../src/stages/verify/checks/process.js';
import { checkVersion } from '../../src/stages/verify/checks/version.js';
import { verify } from '../../src/stages/verify/index.js';
import type { LayerInput, VerifyTarget } from '../../src/stages/verify/types.js';

const REL = '20261201T140000Z-0a1b2c3';
const state = (runner: 'systemd' | 'pm2' | 'docker', active: number | null): string =>
  `${renderSlotConfig({ runner, ports: [3811, 3812], proxyPort: 8811, drainSec: 5 })}@@upstream\n${renderUpstream('shop', active ?? 3811, active === null)}`;

function target(runner: 'systemd' | 'pm2' | 'docker', active: number | null): VerifyTarget {
  return {
    app: 'shop', strategy: 'blue-green', port: 8811, healthPath: '/health', release: REL, base: '/opt/shop', since: '2026-12-01T14:00:00.000Z', url: null, serverName: null,
    blueGreen: parseSlotState(state(runner, active), 8811),
  };
}

function input(t: VerifyTarget, executor: Executor = { host: { kind: 'ssh', display: 'deploy@web1' } } as unknown as Executor): LayerInput {
  return {
    ctx: { executor, redactor: new Redactor() }, target: t, envFileText: null,
    options: { windowMs: 1000, intervalMs: 200, requestTimeoutMs: 500, successes: 1, checks: [], proxyUrl: null, tlsWarnDays: 14 },
  };
}

describe('blue-green slot view', () => {
  it('reads the runner, the slots, nginx\'s port and the active slot; a placeholder upstream names none; no settings is not read', () => {
    const v = parseSlotState(state('pm2', 3812), null);
    assert.deepEqual({ ...v, shown: undefined }, { runner: 'pm2', ports: [3811, 3812], proxyPort: 8811, active: 3812, settingsRead: true, shown: undefined });
    assert.equal(parseSlotState(state('docker', null), 8811).active, null);
    assert.deepEqual({ ...parseSlotState(`@@upstream\n${renderUpstream('shop', 3811)}`, 8811), shown: undefined },
      { runner: 'systemd', ports: null, proxyPort: 8811, active: 3811, settingsRead: false, shown: undefined });
  });

  it('process, port, version and logs look at the active slot; HTTP goes through nginx; the proxy layer compares nginx with the slot', () => {
    for (const [runner, app] of [['systemd', 'shop@3812'], ['pm2', 'shop-3812'], ['docker', 'shop-3812']] as const) {
      const t = target(runner, 3812);
      for (const layer of ['process', 'port', 'version', 'logs'] as const) {
        const v = layerTarget(layer, t);
        assert.deepEqual([v.app, v.strategy, v.port, v.release, v.base], [app, runner, 3812, REL, '/opt/shop'], `${runner} ${layer}`);
      }
      for (const layer of ['http', 'smoke', 'tls', 'deps'] as const) assert.deepEqual(layerTarget(layer, t), t);
      assert.deepEqual([layerTarget('proxy', t).port, layerTarget('proxy', t).app], [3812, 'shop']);
      assert.equal(proxyUrlFor(t), 'http://127.0.0.1:8811');
    }
    const none = target('pm2', null);
    assert.deepEqual(layerTarget('process', none), none, 'no active slot: nothing to map');
    assert.deepEqual(noSlot('port', none)?.map((f) => [f.id, f.status, f.required]), [['port.slot', 'unknown', false]]);
    assert.deepEqual(noSlot('process', none), []);
    assert.equal(noSlot('http', none), null);
    assert.equal(noSlot('port', target('pm2', 3811)), null);
  });

  it('the slot finding: pass names the slot and runner with evidence; no switched slot fails; a port outside the slots fails; unreadable settings are unknown', () => {
    const pass = slotFinding(input(target('docker', 3812)));
    assert.deepEqual([pass?.status, pass?.summary], ['pass', 'slot 3812 (shop-3812, docker) serves behind nginx on port 8811']);
    assert.match(pass?.evidence ?? '', /^on deploy@web1: \$ cat \/opt\/shop\/\.deckhand\/blue-green\.conf \/etc\/nginx\/conf\.d\/shop-upstream\.conf\n[^]*server 127\.0\.0\.1:3812;/);
    assert.match(slotFinding(input(target('pm2', null)))?.summary ?? '', /names no slot \(missing, or the placeholder of a first release that never switched\)/);
    assert.equal(slotFinding(input(target('pm2', null)))?.status, 'fail');
    const odd = target('systemd', 3812);
    const off = slotFinding(input({ ...odd, blueGreen: { ...odd.blueGreen!, active: 9000 } }));
    assert.deepEqual([off?.status, off?.summary], ['fail', 'the upstream sends traffic to port 9000, which is not one of the slots (3811, 3812)']);
    const unread = { ...odd, blueGreen: parseSlotState('', 8811) };
    assert.equal(slotFinding(input(unread))?.status, 'unknown');
    assert.equal(slotFinding(input({ ...odd, blueGreen: undefined, strategy: 'systemd' })), null);
  });

  it('the on-target layers probe the slot\'s unit, pm2 app or container and its port (the layers\' own probes, unchanged)', async () => {
    for (const [runner, app, kind] of [['systemd', 'shop@3811', 'systemd'], ['pm2', 'shop-3811', 'pm2'], ['docker', 'shop-3811', 'docker']] as const) {
      const t = target(runner, 3811);
      const exec = new RecordingExecutor([{ match: /.*/, stdout: '' }], { kind: 'ssh', display: 'deploy@web1', host: 'web1', user: 'deploy' });
      await checkProcess(input(layerTarget('process', t), exec));
      await checkPort(input(layerTarget('port', t), exec));
      await checkVersion(input(layerTarget('version', t), exec));
      await checkLogs(input(layerTarget('logs', t), exec));
      const calls = exec.calls.map((c) => c.argv.slice(3, 7));
      assert.deepEqual(calls.map((c) => c[0]), ['deckhand-verify-process', 'deckhand-verify-port', 'deckhand-verify-version', 'deckhand-verify-logs']);
      assert.deepEqual(calls.map((c) => c[1]), [app, app, app, app], runner);
      assert.deepEqual([calls[0]?.[2], calls[1]?.[2], calls[1]?.[3]], [kind, '3811', kind]);
    }
  });
});

describe('verify() of a blue-green app', () => {
  it('reads the slot on the target and checks the active pm2 app: the slot finding first in the process section', async () => {
    const ledger = JSON.stringify({ schemaVersion: 1, app: 'shop', releases: [{ id: REL, commit: null, dirty: false, strategy: 'blue-green', status: 'current', deployedAt: '2026-12-01T14:00:00.000Z', deployedBy: 'x', deckhandVersion: '0', port: 8811, healthPath: '/health', serviceUser: 'deploy' }] });
    const probe = ['user=deploy', 'uid=1000', 'home=/home/deploy', 'hostname=web1', 'sudo=1', 'systemd=1', 'base=/opt/shop', 'base_exists=1', `current=releases/${REL}`, '@@ledger', ledger, '@@end'].join('\n');
    // The forwards point at port 9 (discard) on this machine: HTTP gets no answer, which is all this test needs of it.
    const exec = new RecordingExecutor([
      { match: 'deckhand-state', stdout: probe },
      { match: 'deckhand-slot-state', stdout: state('pm2', 3812) },
      { match: /.*/, stdout: '' },
    ], { kind: 'ssh', display: 'deploy@web1', host: 'web1', user: 'deploy' });
    exec.forward = async () => ({ host: '127.0.0.1', port: 9, close: async () => {} });
    const r = await verify({ executor: exec, redactor: new Redactor() }, { app: 'shop', windowMs: 500 });
    assert.equal(r.data.subject.strategy, 'blue-green');
    assert.equal(r.data.subject.port, 8811, 'the port users reach');
    const proc = r.findings.filter((f) => f.section === 'process');
    assert.deepEqual([proc[0]?.id, proc[0]?.status, proc[0]?.summary], ['process.slot', 'pass', 'slot 3812 (shop-3812, pm2) serves behind nginx on port 8811']);
    const probes = exec.calls.filter((c) => /^deckhand-verify-/.test(c.argv[3] ?? '')).map((c) => `${c.argv[3]} ${c.argv[4]}`);
    assert.deepEqual(probes.sort(), ['deckhand-verify-logs shop-3812', 'deckhand-verify-port shop-3812', 'deckhand-verify-process shop-3812', 'deckhand-verify-version shop-3812']);
    assert.equal(r.data.verdict, 'FAILED', 'nothing answered: never VERIFIED on made-up answers');
  });
});
