// compose zero downtime: the fronted compose file, the front settings, the plan, and the release command run for real against stub docker/docker-compose/nginx/curl.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, readdir, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { shJoin } from '../../src/core/command.js';
import {
  chooseFrontService, composeServicePorts, FRONT_COMPOSE_FILE, renderFrontCompose, renderFrontConf, type ComposeFront,
} from '../../src/commands/compose-front.js';
import { composeFrontRemoveCommand, composeReleaseCommand, FRONT_CONF, FRONT_SITE } from '../../src/commands/compose-replace.js';
import { waitHealthyCommand } from '../../src/commands/health.js';
import { parseConfig } from '../../src/config/load.js';
import { resolveComposeFront } from '../../src/stages/deploy/compose-front.js';
import { planDeploy } from '../../src/stages/deploy/plan.js';
import { emptyLedger, withDeployed } from '../../src/stages/deploy/ledger.js';
import { renderFrontSite } from '../../src/stages/deploy/strategies/compose.js';
import type { ProbedState } from '../../src/stages/deploy/state.js';
import type { DeploySpec } from '../../src/stages/deploy/types.js';

const NOW = new Date('2026-12-01T14:05:01.123Z');
const RID = '20261201T140501Z-a1b2c3d';
const WAIT = waitHealthyCommand({ aliveCheck: '', port: null, path: null, timeoutSec: 0, successes: 1 }).argv[2] ?? '';

const COMPOSE = `# shop: web + cache
services:
  web:
    build: .
    env_file: .env
    ports:
      - "127.0.0.1:\${APP_PORT:-8081}:8080"
    labels:
      - team=shop
  cache:
    image: redis:7
`;

const FRONT: ComposeFront = { file: 'docker-compose.yml', source: COMPOSE, service: 'web', containerPort: 8080, proxyPort: 8831, drainSec: 3 };

function spec(over: Partial<DeploySpec> = {}): DeploySpec {
  return {
    app: 'shop', strategy: 'compose', sourceDir: '/src/shop', commit: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678', dirty: false, runtime: null, port: 8831,
    healthPath: '/health', build: 'target', commands: { install: null, build: null, start: null, migrate: null }, envNames: [], envSources: [], serviceUser: 'shop',
    keep: 5, excludes: [], startTimeoutMs: 60_000, baseDirOverride: null, pm2Instances: 1, script: null, zeroDowntime: true, composeFront: FRONT, ...over,
  };
}

function state(over: Partial<ProbedState> = {}): ProbedState {
  return {
    user: 'root', uid: 0, home: '/root', hostname: 'box', sudo: true, systemd: false, rsync: true,
    tools: { rsync: true, docker: true, 'docker-direct': true, 'compose-v1': true, nginx: true }, baseExists: false, ledgerText: null, lockText: null,
    currentTarget: null, releaseDirs: [], unitHash: null, base: '/opt/shop', ...over,
  };
}

const plan = (s: DeploySpec, st: ProbedState): ReturnType<typeof planDeploy> => planDeploy({ spec: s, state: st, target: 'h', now: NOW, envProvided: 'none' });

describe('the fronted compose file (exact)', () => {
  it('finds the service publishing the app port, else the only one with ports; the container port from its entry', () => {
    const services = composeServicePorts(COMPOSE, 'docker-compose.yml');
    assert.deepEqual(services, [{ name: 'web', ports: [{ published: 8081, target: 8080, hostIp: '127.0.0.1' }] }, { name: 'cache', ports: [] }]);
    assert.deepEqual(chooseFrontService(services, { appPort: 8081 }, 'f'), { service: 'web', containerPort: 8080, published: 8081 });
    assert.deepEqual(chooseFrontService(services, { appPort: 9999 }, 'f'), { service: 'web', containerPort: 8080, published: 8081 });
    assert.deepEqual(chooseFrontService(services, { service: 'cache', containerPort: 6379, appPort: null }, 'f'), { service: 'cache', containerPort: 6379, published: null });
    const two = [...services, { name: 'admin', ports: [{ published: 9000, target: 80 }] }];
    assert.deepEqual(chooseFrontService(two, { appPort: 8080 }, 'f').service, 'web', 'matched on the container port');
    assert.throws(() => chooseFrontService(two, { appPort: 3000 }, 'f'), /cannot tell which service of f nginx should front: web, admin publish ports and none publishes the app port 3000/);
    assert.throws(() => chooseFrontService(services, { service: 'api', appPort: null }, 'f'), /compose.service "api" is not a service of f \(web, cache\)/);
    assert.throws(() => chooseFrontService(services, { service: 'cache', appPort: null }, 'f'),
      (e: Error & { hint?: string }) => /cannot tell the container port of cache in f: it publishes no port/.test(e.message) && /compose\.container_port/.test(e.hint ?? ''));
  });

  it('rewrites only the fronted service: ephemeral loopback port, release label kept beside its own labels, interpolations untouched', () => {
    assert.equal(renderFrontCompose(FRONT, RID), [
      '# Generated by deckhand from docker-compose.yml (zero downtime): web publishes 127.0.0.1::8080 so a new container can run beside the old one behind nginx.',
      '',
      '# shop: web + cache',
      'services:',
      '  web:',
      '    build: .',
      '    env_file: .env',
      '    ports:',
      '      - 127.0.0.1::8080',
      '    labels:',
      '      team: shop',
      `      deckhand.release: ${RID}`,
      '  cache:',
      '    image: redis:7',
      '',
    ].join('\n'));
    const map = renderFrontCompose({ ...FRONT, source: 'services:\n  web:\n    image: "shop:${TAG}"\n    labels: {a: "1"}\n    ports: ["8080", "9090:9090/udp"]\n' }, 'r2');
    assert.match(map, /image: "shop:\$\{TAG\}"/);
    assert.match(map, /ports:\n {6}- 127\.0\.0\.1::8080\n {6}- 127\.0\.0\.1::9090\/udp\n/);
    assert.match(map, /labels:\n {6}a: "1"\n {6}deckhand\.release: r2\n/);
  });

  it('refuses what cannot run twice side by side, with the fix', () => {
    const bad = (extra: string): string => `services:\n  web:\n    build: .\n    ports: ["8080:8080"]\n${extra}`;
    assert.throws(() => renderFrontCompose({ ...FRONT, source: bad('    container_name: shop-web\n') }, RID), /web in docker-compose.yml cannot be replaced with zero downtime: it sets container_name shop-web/);
    assert.throws(() => renderFrontCompose({ ...FRONT, source: bad('    network_mode: host\n') }, RID), /network_mode: host/);
    assert.throws(() => renderFrontCompose({ ...FRONT, source: bad('    deploy:\n      replicas: 3\n') }, RID), /several replicas/);
    assert.throws(() => renderFrontCompose({ ...FRONT, source: 'services: [' }, RID), /docker-compose.yml is not valid YAML/);
  });

  it('the settings file and the site (blue-green\'s server block, headed as the compose front)', () => {
    assert.equal(renderFrontConf(FRONT), [
      '# Generated by deckhand (compose zero downtime): the service nginx fronts, its container port, the nginx port, the drain bound in seconds, the compose file.',
      'service web', 'port 8080', 'proxy 8831', 'drain 3', `file ${FRONT_COMPOSE_FILE}`, '',
    ].join('\n'));
    const site = renderFrontSite('shop', 8831).split('\n');
    assert.equal(site[0], '# Generated by deckhand (compose zero downtime): nginx in front of the service container; a copy is kept in each release record.');
    for (const line of ['    listen 8831;', '        proxy_pass http://shop_app;']) assert.ok(site.includes(line), line);
  });
});

describe('resolving the front from the app directory and deckhand.yml', () => {
  let dir = '';
  before(async () => { dir = await mkdtemp(join(tmpdir(), 'dh-czd-unit-')); });
  after(async () => { await rm(dir, { recursive: true, force: true }); });

  it('nginx takes the app port by default; proxy_port, compose.service, compose.container_port and compose.drain override', async () => {
    await writeFile(join(dir, 'docker-compose.yml'), COMPOSE);
    assert.deepEqual(resolveComposeFront(dir, {}, 8081), { ...FRONT, proxyPort: 8081, drainSec: 10 });
    assert.deepEqual(resolveComposeFront(dir, {}, null).proxyPort, 8081, 'the published port when no app port is known');
    const cfg = parseConfig('proxy_port: 8831\ncompose:\n  service: web\n  container_port: 8080\n  drain: 3s\n', 'deckhand.yml');
    assert.deepEqual(resolveComposeFront(dir, cfg, 8081), FRONT);
  });

  it('clear errors: no compose file, an override file compose would merge, bad compose keys in deckhand.yml', async () => {
    const empty = await mkdtemp(join(dir, 'empty-'));
    assert.throws(() => resolveComposeFront(empty, {}, 8081), /no compose file in .* \(compose.yaml, compose.yml, docker-compose.yaml, docker-compose.yml\)/);
    await writeFile(join(dir, 'docker-compose.override.yml'), 'services: {}\n');
    assert.throws(() => resolveComposeFront(dir, {}, 8081), (e: Error & { hint?: string }) => /docker-compose.override.yml would be left out/.test(e.message) && /merge docker-compose.override.yml into docker-compose.yml/.test(e.hint ?? ''));
    await unlink(join(dir, 'docker-compose.override.yml'));
    assert.throws(() => parseConfig('compose:\n  service: "web app"\n', 'deckhand.yml'), /compose\.service.*a compose service name/s);
    assert.throws(() => parseConfig('compose:\n  drain: soon\n', 'deckhand.yml'), /compose\.drain.*a duration such as 500ms, 30s or 2m/s);
    assert.throws(() => parseConfig('compose:\n  replicas: 2\n', 'deckhand.yml'), /replicas/);
  });
});

describe('the compose plan with zero downtime', () => {
  it('generates the front in prepare, runs every compose command with -f, checks through nginx, states the impact', () => {
    const p = plan(spec(), state());
    assert.deepEqual(p.steps.map((s) => s.id), ['layout', 'upload', 'compose.front', 'compose.config', 'compose.pull', 'compose.build', 'switch', 'start', 'wait-healthy', 'ledger']);
    const frontStep = p.steps.find((s) => s.id === 'compose.front');
    assert.equal(frontStep?.title, `Generate ${FRONT_COMPOSE_FILE} from docker-compose.yml (web on an ephemeral loopback port for its container port 8080, labelled ${RID}) and the nginx site on port 8831`);
    assert.deepEqual(frontStep?.actions.map((a) => (a.type === 'write' ? a.path : '')), [
      `/opt/shop/releases/${RID}/${FRONT_COMPOSE_FILE}`, `/opt/shop/.deckhand/records/${RID}/${FRONT_CONF}`, `/opt/shop/.deckhand/records/${RID}/${FRONT_SITE}`,
    ]);
    const config = p.steps.find((s) => s.id === 'compose.config')?.actions[1];
    assert.equal(config?.type === 'run' ? shJoin(config.command.argv) : '',
      `sh -c 'set -e; cd "$1"; shift; exec "$@"' deckhand-compose /opt/shop/releases/${RID} docker-compose -p shop -f ${FRONT_COMPOSE_FILE} config -q`);
    const start = p.steps.find((s) => s.id === 'start');
    assert.match(start?.impact ?? '', /^a new web container starts beside the old one and gets traffic only once healthy \(graceful nginx reload on port 8831\)/);
    assert.match(start?.verify ?? '', /^GET http:\/\/127\.0\.0\.1:8831\/health answers 2xx\/3xx 3 times in a row within 60s$/);
    assert.equal(p.handoff.port, 8831);
    const run = start?.actions[0];
    assert.deepEqual(run?.type === 'run' ? run.command.argv.slice(3) : [], [
      'deckhand-compose-release', 'shop', '/opt/shop', '/etc/nginx/conf.d/shop-upstream.conf', '/etc/nginx/sites-available/shop', '/etc/nginx/sites-enabled/shop', WAIT,
      '/health', '60', '3', '15', '', 'deckhand.release', 'docker-compose', '-p', 'shop',
    ]);
    // A failed first release: the project down (never -v), then the front taken out of nginx.
    assert.deepEqual(p.revert.map((a) => (a.type === 'run' ? a.command.argv[3] ?? a.command.argv[0] : '')), ['deckhand-compose', 'deckhand-compose-front-remove', 'rm']);
  });

  it('the start command is the same for every release and for a plain deploy (rollback and revert read the record on the target)', () => {
    const ledger = withDeployed(emptyLedger('shop'), { id: 'r-old', commit: null, dirty: false, strategy: 'compose', deployedAt: NOW.toISOString(), deployedBy: 'a@b', deckhandVersion: '0' });
    const later = plan(spec(), state({ baseExists: true, ledgerText: JSON.stringify(ledger), currentTarget: 'releases/r-old', releaseDirs: ['r-old'] }));
    const first = plan(spec(), state());
    const plain = plan(spec({ zeroDowntime: false, port: 8081 }), state());
    const startOf = (p: ReturnType<typeof plan>): unknown => p.steps.find((s) => s.id === 'start')?.actions;
    assert.deepEqual(startOf(later), startOf(first));
    assert.deepEqual(startOf(plain), startOf(first));
    assert.deepEqual(later.revert.map((a) => (a.type === 'run' ? a.command.argv[3] : '')), ['deckhand-restore', 'deckhand-switch', 'deckhand-compose-release', 'deckhand-wait']);
    assert.ok(!plain.steps.some((s) => s.id === 'compose.front'));
  });

  it('runs through sudo when the user has it; refuses without root or sudo, without nginx, or without a resolved front', () => {
    const deploy = state({ user: 'deploy', uid: 1000, tools: { rsync: true, docker: true, 'docker-direct': false, 'docker-sudo': true, 'compose-v2': true, 'compose-wait': true } });
    const p = plan(spec(), deploy);
    const run = p.steps.find((s) => s.id === 'start')?.actions[0];
    assert.deepEqual(run?.type === 'run' ? [...run.command.argv.slice(0, 3), ...run.command.argv.slice(-6)] : [], ['sudo', '-n', '--', '--wait', 'deckhand.release', 'docker', 'compose', '-p', 'shop']);
    assert.throws(() => plan(spec(), state({ user: 'ann', uid: 1000, sudo: false, tools: { docker: true, 'docker-direct': true, 'compose-v1': true } })), /ann is not root and has no passwordless sudo \(zero downtime writes the nginx upstream and site\)/);
    assert.throws(() => plan(spec(), state({ tools: { docker: true, 'docker-direct': true, 'compose-v1': true, nginx: false } })), /nginx is not installed on the target/);
    const noFront = spec();
    delete noFront.composeFront;
    assert.throws(() => plan(noFront, state()), /zero downtime was asked for shop but the service nginx fronts was not resolved/);
  });

  it('the "already serves" branch (exact): the upstream narrowed to the kept container before any other is retired', () => {
    const script = composeReleaseCommand({
      app: 'shop', base: '/opt/shop', cli: ['docker-compose', '-p', 'shop'], wait: false, waitScript: WAIT, health: { path: '/health', timeoutSec: 60, successes: 3, proxyCheckSec: 15 },
    }).argv[2] ?? '';
    assert.ok(script.includes([
      'upports() { sed -n "s/^[[:space:]]*server 127\\.0\\.0\\.1:\\([0-9][0-9]*\\);.*/\\1/p" "$up" 2>/dev/null | tr "\\n" " "; }',
      'upport() { set -- $(upports); echo "${1:-}"; }',
    ].join('\n')), 'the upstream\'s ports, and the first of them');
    const from = script.indexOf('before=$(ids); active=$(upport)\n');
    assert.ok(from > 0);
    assert.equal(script.slice(from, script.indexOf('\nif [ -z "$before" ]', from)), [
      'before=$(ids); active=$(upport)',
      'for c in $before; do',
      '  if [ "$(released "$c")" = "$rel" ] && [ -n "$active" ] && [ "$(hport "$c")" = "$active" ] && [ -f "$avail" ] && sh -c "$(alive_of "$c")"; then',
      '    listed=$(upports)',
      '    if [ "$listed" != "$active " ]; then',
      '      switch_to "$active" || { echo "nginx could not be pointed at $svc container $c alone: the upstream still lists ${listed% }, no container was removed" >&2; exit 1; }',
      '      echo "nginx sends $app only to $svc container $c (port $active; the upstream listed ${listed% }): reloaded gracefully, healthy through port $proxy"',
      '    fi',
      '    for o in $before; do [ "$o" = "$c" ] || retire "$o"; done',
      '    echo "$svc container $c already serves $rel through nginx on port $proxy: nothing to replace"; exit 0',
      '  fi',
      'done',
    ].join('\n'));
  });

  it('front removal (exact)', () => {
    const c = composeFrontRemoveCommand('shop');
    assert.deepEqual(c.argv.slice(3), ['deckhand-compose-front-remove', '/etc/nginx/conf.d/shop-upstream.conf', '/etc/nginx/sites-available/shop', '/etc/nginx/sites-enabled/shop', 'shop_app']);
    assert.match(c.argv[2] ?? '', /\nup="\$1"; avail="\$2"; link="\$3"; upname="\$4"\nif \[ -f "\$avail" \] && grep -q "proxy_pass http:\/\/\$upname;" "\$avail" 2>\/dev\/null; then\n {2}rm -f "\$link" "\$avail" "\$up"; if nginx_running && nginx -t >\/dev\/null 2>&1; then nginx_reload \|\| true; fi\nfi$/);
  });
});

/**
 * Stubs with their state in $STUB: containers are files c/<id> holding `service hostport release state`;
 * docker-compose creates them (release read from the -f file's label) and logs every call; curl answers per
 * container state (nginx's port answers as the upstream's container); nginx -t fails when $STUB/nginx-t-fails exists.
 */
const STUBS: Record<string, string> = {
  docker: `#!/bin/sh
echo "docker $*" >> "$STUB/calls"
cmd=$1; shift
case "$cmd" in
  ps) svc=; for a in "$@"; do case "$a" in label=com.docker.compose.service=*) svc=\${a#label=com.docker.compose.service=};; esac; done
      for f in "$STUB"/c/*; do [ -f "$f" ] || continue; read -r s p r st < "$f"; [ "$s" = "$svc" ] && echo "\${f##*/}"; done; exit 0;;
  port) f="$STUB/c/$1"; [ -f "$f" ] || exit 1; read -r s p r st < "$f"; echo "127.0.0.1:$p"; exit 0;;
  inspect) f="$STUB/c/$3"; [ -f "$f" ] || exit 1; read -r s p r st < "$f"
      case "$2" in *deckhand.release*) echo "$r";; *State.Status*) echo "$st";; esac; exit 0;;
  logs) echo "last log line of $3"; exit 0;;
  stop) f="$STUB/c/$1"; if [ -f "$f" ]; then read -r s p r st < "$f"; echo "$s $p $r exited" > "$f"; fi; exit 0;;
  rm) [ "$1" = -f ] && shift; rm -f "$STUB/c/$1"; exit 0;;
esac
exit 0
`,
  'docker-compose': `#!/bin/sh
echo "docker-compose $*" >> "$STUB/calls"
file=; while [ $# -gt 0 ]; do case "$1" in -p) shift 2;; -f) file=$2; shift 2;; *) break;; esac; done
sub=$1; shift
new() {
  n=$(cat "$STUB/next"); echo $((n+1)) > "$STUB/next"
  rel=$(sed -n 's/.*deckhand.release: *//p' "$file" | head -n 1); st=running-healthy; [ -f "$STUB/broken" ] && st=running-unhealthy
  echo "web $((40000+n)) $rel $st" > "$STUB/c/c$n"
}
[ -n "$file" ] || exit 0
case "$sub" in
  config) printf 'web\\ncache\\n';;
  up) case " $* " in *" --scale "*) new;; *" --no-deps "*) ;; *) rm -f "$STUB"/c/*; new;; esac;;
esac
exit 0
`,
  curl: `#!/bin/sh
url=; for a in "$@"; do url=$a; done
port=\${url#http://127.0.0.1:}; port=\${port%%/*}
[ "$port" = "$(cat "$STUB/proxy")" ] && port=$(sed -n 's/.*server 127.0.0.1:\\([0-9]*\\);.*/\\1/p' "$STUB/up.conf" 2>/dev/null)
for f in "$STUB"/c/*; do [ -f "$f" ] || continue; read -r s p r st < "$f"
  if [ "$p" = "$port" ]; then case "$st" in running-healthy) printf 200;; *) printf 503;; esac; exit 0; fi; done
printf 000
`,
  nginx: `#!/bin/sh
echo "nginx $*" >> "$STUB/calls"
if [ "$1" = -t ] && [ -f "$STUB/nginx-t-fails" ]; then echo "nginx: [emerg] stub: bad config" >&2; exit 1; fi
exit 0
`,
  pgrep: '#!/bin/sh\nexit 1\n',
  ss: '#!/bin/sh\nexit 0\n',
  systemctl: '#!/bin/sh\nexit 1\n',
};

describe('the release command, run for real against stubs', () => {
  let root = '';
  let stub = '';
  let base = '';
  let bin = '';
  const site = (): string => join(stub, 'site');
  const link = (): string => join(stub, 'site-link');
  const cmd = composeReleaseCommand({
    app: 'shop', base: '/opt/shop', cli: ['docker-compose', '-p', 'shop'], wait: false, waitScript: WAIT,
    health: { path: '/health', timeoutSec: 2, successes: 2, proxyCheckSec: 2 },
  });
  /** Runs the command with the stubs first on PATH and its paths moved into the temp dir. */
  const run = (): { code: number | null; out: string; err: string; calls: string[] } => {
    const argv = [...cmd.argv];
    argv[4] = 'shop'; argv[5] = base; argv[6] = join(stub, 'up.conf'); argv[7] = site(); argv[8] = link();
    const r = spawnSync(argv[0] ?? 'sh', argv.slice(1), { encoding: 'utf8', timeout: 60_000, env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}`, STUB: stub } });
    const calls = existsSync(join(stub, 'calls')) ? spawnSync('cat', [join(stub, 'calls')], { encoding: 'utf8' }).stdout.split('\n').map((l) => l.trimEnd()).filter(Boolean) : [];
    spawnSync('rm', ['-f', join(stub, 'calls')]);
    return { code: r.status, out: r.stdout, err: r.stderr, calls };
  };
  const containers = async (): Promise<string[]> => {
    const out: string[] = [];
    for (const f of (await readdir(join(stub, 'c'))).sort()) out.push(`${f} ${(await readFile(join(stub, 'c', f), 'utf8')).trim()}`);
    return out;
  };
  const upstreamPort = async (): Promise<string> => /server 127\.0\.0\.1:(\d+);/.exec(await readFile(join(stub, 'up.conf'), 'utf8'))?.[1] ?? '';
  /** A prepared release: its dir with the generated compose file, its record with the front settings and site. */
  const release = async (id: string, fronted = true): Promise<void> => {
    await mkdir(join(base, 'releases', id), { recursive: true });
    await mkdir(join(base, '.deckhand/records', id), { recursive: true });
    if (fronted) {
      await writeFile(join(base, 'releases', id, FRONT_COMPOSE_FILE), renderFrontCompose(FRONT, id));
      await writeFile(join(base, '.deckhand/records', id, FRONT_CONF), renderFrontConf(FRONT));
      await writeFile(join(base, '.deckhand/records', id, FRONT_SITE), renderFrontSite('shop', 8831));
    }
    await rm(join(base, 'current'), { force: true });
    await symlink(`releases/${id}`, join(base, 'current'));
  };

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'dh-czd-stub-'));
    stub = join(root, 'stub'); base = join(root, 'base'); bin = join(root, 'bin');
    await mkdir(join(stub, 'c'), { recursive: true });
    await mkdir(bin);
    for (const [name, text] of Object.entries(STUBS)) { await writeFile(join(bin, name), text); await chmod(join(bin, name), 0o755); }
    await writeFile(join(stub, 'next'), '1');
    await writeFile(join(stub, 'proxy'), '8831');
  });
  after(async () => { await rm(root, { recursive: true, force: true }); });

  it('first release: plain up with the generated file, then upstream and site, nginx -t, reload', async () => {
    await release('r1');
    const r = run();
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /started r1: web container c1 on 127\.0\.0\.1:40001 \(healthy after \d+ polls of 0\.25s \(2 consecutive checks\)\) behind nginx on port 8831/);
    assert.ok(r.calls.includes(`docker-compose -p shop -f ${FRONT_COMPOSE_FILE} up -d --build --remove-orphans`), r.calls.join('\n'));
    assert.ok(r.calls.includes('nginx -t'));
    assert.ok(r.calls.some((c) => c === 'nginx -s reload' || c === 'nginx'), 'reloaded (or started)');
    assert.equal(await upstreamPort(), '40001');
    assert.equal(await readFile(site(), 'utf8'), renderFrontSite('shop', 8831));
    assert.deepEqual(await containers(), ['c1 web 40001 r1 running-healthy']);
  });

  it('next release: one new container beside the old, healthy, switched, the old drained and removed; other services left running', async () => {
    await release('r2');
    const r = run();
    assert.equal(r.code, 0, r.err);
    const ups = r.calls.filter((c) => c.startsWith('docker-compose') && c.includes(' up '));
    assert.deepEqual(ups, [
      `docker-compose -p shop -f ${FRONT_COMPOSE_FILE} up -d --no-deps --no-recreate cache`,
      `docker-compose -p shop -f ${FRONT_COMPOSE_FILE} up -d --no-deps --no-recreate --build --scale web=2 web`,
    ]);
    assert.deepEqual(r.out.trim().split('\n'), [
      'new web container c2 of r2 on 127.0.0.1:40002: healthy after 1 polls of 0.25s (2 consecutive checks)',
      'nginx sends shop to web container c2 (port 40002, was 40001): reloaded gracefully, healthy through port 8831',
      'old web container c1 (port 40001) drained in 0s (open connections: 0), stopped and removed',
    ]);
    const order = r.calls.map((c) => (c === 'nginx -t' ? 'check' : c.startsWith('nginx') ? 'reload' : c === 'docker stop c1' ? 'stop-old' : '')).filter(Boolean);
    assert.deepEqual(order, ['check', 'reload', 'stop-old'], 'the old container stops only after nginx sends traffic elsewhere');
    assert.equal(await upstreamPort(), '40002');
    assert.deepEqual(await containers(), ['c2 web 40002 r2 running-healthy']);
  });

  it('a rerun (revert, or the same release again) replaces nothing; a container left by an interrupted run is retired', async () => {
    await writeFile(join(stub, 'c', 'c9'), 'web 40009 r1 exited\n');
    const r = run();
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(r.out.trim().split('\n'), [
      'old web container c9 (port 40009) drained in 0s (open connections: 0), stopped and removed',
      'web container c2 already serves r2 through nginx on port 8831: nothing to replace',
    ]);
    assert.ok(!r.calls.some((c) => c.startsWith('docker-compose') || c.startsWith('nginx') || c === 'docker rm -f c2'), r.calls.join('\n'));
    assert.deepEqual(await containers(), ['c2 web 40002 r2 running-healthy']);
    const again = run();
    assert.equal(again.out.trim(), 'web container c2 already serves r2 through nginx on port 8831: nothing to replace');
  });

  /** The state `ops scale 3` leaves: c2 (in the upstream first) and two more containers of r2, all three listed. */
  const scaled = async (): Promise<void> => {
    await writeFile(join(stub, 'c', 'c7'), 'web 40007 r2 running-healthy\n');
    await writeFile(join(stub, 'c', 'c8'), 'web 40008 r2 running-healthy\n');
    await writeFile(join(stub, 'up.conf'), 'upstream shop_app {\n    server 127.0.0.1:40002;\n    server 127.0.0.1:40007;\n    server 127.0.0.1:40008;\n}\n');
  };
  const upstreamPorts = async (): Promise<string[]> => [...(await readFile(join(stub, 'up.conf'), 'utf8')).matchAll(/server 127\.0\.0\.1:(\d+);/g)].map((m) => m[1] ?? '');

  it('a rerun after ops scale: nginx -t failing while narrowing the upstream puts it back and removes no container', async () => {
    await scaled();
    await writeFile(join(stub, 'nginx-t-fails'), '');
    const r = run();
    await unlink(join(stub, 'nginx-t-fails'));
    assert.equal(r.code, 1);
    assert.match(r.err, /nginx: \[emerg\] stub: bad config\nnginx -t failed: the upstream and site were put back\nnginx could not be pointed at web container c2 alone: the upstream still lists 40002 40007 40008, no container was removed\n$/);
    assert.ok(!r.calls.some((c) => c.startsWith('docker stop') || c.startsWith('docker rm')), r.calls.join('\n'));
    assert.deepEqual(await upstreamPorts(), ['40002', '40007', '40008']);
    assert.deepEqual(await containers(), ['c2 web 40002 r2 running-healthy', 'c7 web 40007 r2 running-healthy', 'c8 web 40008 r2 running-healthy']);
  });

  it('a rerun after ops scale: the upstream is narrowed to the serving container (nginx -t, reload, checked) before the others drain and are removed', async () => {
    await scaled();
    const r = run();
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(r.out.trim().split('\n'), [
      'nginx sends shop only to web container c2 (port 40002; the upstream listed 40002 40007 40008): reloaded gracefully, healthy through port 8831',
      'old web container c7 (port 40007) drained in 0s (open connections: 0), stopped and removed',
      'old web container c8 (port 40008) drained in 0s (open connections: 0), stopped and removed',
      'web container c2 already serves r2 through nginx on port 8831: nothing to replace',
    ]);
    const order = r.calls.map((c) => (c === 'nginx -t' ? 'check' : c.startsWith('nginx') ? 'reload' : c.startsWith('docker stop') ? c.slice(7) : '')).filter(Boolean);
    assert.deepEqual(order, ['check', 'reload', 'stop c7', 'stop c8'], 'the others stop only after nginx no longer lists them');
    assert.ok(!r.calls.some((c) => c.startsWith('docker-compose')), r.calls.join('\n'));
    assert.deepEqual(await upstreamPorts(), ['40002']);
    assert.deepEqual(await containers(), ['c2 web 40002 r2 running-healthy']);
  });

  it('a new container that never becomes healthy is removed; nginx was never pointed at it', async () => {
    await release('r3');
    await writeFile(join(stub, 'broken'), '');
    const r = run();
    await unlink(join(stub, 'broken'));
    assert.equal(r.code, 1);
    assert.match(r.err, /last log line of c3\n/);
    assert.match(r.err, /the new web container c3 of r3 never became healthy and was removed; nginx still sends everything to port 40002/);
    assert.ok(!r.calls.some((c) => c.startsWith('nginx')), 'nginx untouched');
    assert.equal(await upstreamPort(), '40002');
    assert.deepEqual(await containers(), ['c2 web 40002 r2 running-healthy']);
  });

  it('nginx -t failing at the switch: upstream put back, the new container removed, the old one serving', async () => {
    await release('r4');
    await writeFile(join(stub, 'nginx-t-fails'), '');
    const r = run();
    await unlink(join(stub, 'nginx-t-fails'));
    assert.equal(r.code, 1);
    assert.match(r.err, /nginx: \[emerg\] stub: bad config\nnginx -t failed: the upstream and site were put back\nthe new container c4 was removed; nginx still sends everything to port 40002/);
    assert.equal(await upstreamPort(), '40002');
    assert.deepEqual(await containers(), ['c2 web 40002 r2 running-healthy']);
  });

  it('a release without front settings is a plain up; a front left for the app is taken out first', async () => {
    await release('r5', false);
    const r = run();
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /r5 has no zero-downtime front: the nginx site and upstream of shop were removed/);
    assert.equal(r.calls.at(-1), 'docker-compose -p shop up -d --build --remove-orphans');
    assert.deepEqual([existsSync(site()), existsSync(link()), existsSync(join(stub, 'up.conf'))], [false, false, false]);
  });
});
