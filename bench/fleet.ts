// Benchmark: `deckhand deploy --to ...` of examples/node-api (systemd, built here once) to 1, 4 and 8 lab fleet hosts, interleaved;
// prints wall time, the build and batch times, SSH connections per host, and the 8-host / 1-host ratio. Asserts nothing.
// Needs the lab with 8 fleet hosts: DECKHAND_LAB_FLEET=8 bash test/lab/lab.sh up
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { countAcceptedConnections, labHostOf, loadLab, sshExec, type FleetHostName } from '../test/lab/lab.js';

const RUNS = Number(process.env.RUNS ?? 3);
const SIZES = [1, 4, 8];
const APP = 'bench-fleet';
const PORT = 3921;
const WINDOW = process.env.WINDOW ?? '5s';
const lab = loadLab();
if (!lab) { console.error('bench: the lab is not running; start it with `DECKHAND_LAB_FLEET=8 bash test/lab/lab.sh up` (as root)'); process.exit(2); }
if (lab.fleet.length < 8) { console.error(`bench: needs 8 fleet hosts, the lab has ${lab.fleet.length}; restart it with DECKHAND_LAB_FLEET=8 bash test/lab/lab.sh up`); process.exit(2); }
const fleet = lab.fleet.slice(0, 8) as FleetHostName[];
const work = mkdtempSync(join(tmpdir(), 'dh-bench-fleet-'));
const repo = join(work, 'repo');
cpSync('examples/node-api', repo, { recursive: true, filter: (s) => !s.includes('node_modules') });
writeFileSync(join(work, 'prod.env'), 'APP_VERSION=bench\n', { mode: 0o600 });
spawnSync('git', ['-C', repo, 'init', '-q']);
spawnSync('git', ['-C', repo, '-c', 'user.email=b@deckhand.test', '-c', 'user.name=b', 'add', '-A']);
spawnSync('git', ['-C', repo, '-c', 'user.email=b@deckhand.test', '-c', 'user.name=b', 'commit', '-qm', 'bench']);

const argv = (n: number): string[] => [process.execPath, 'dist/cli.js', 'deploy',
  ...fleet.slice(0, n).flatMap((h) => { const x = labHostOf(lab, h); return ['--to', `ssh://root@${x.host}:${x.port}`]; }),
  '-i', lab.identityFile, '--ssh-option', `UserKnownHostsFile=${lab.knownHostsFile}`, '--repo', repo, '--name', APP, '--strategy', 'systemd', '--build', 'local',
  '--port', String(PORT), '--health', '/health', '--env-file', join(work, 'prod.env'), '--window', WINDOW, '--yes', '--json'];

interface Rep { data: { outcome: string; build: { durationMs: number | null }; hosts: { durationMs: number | null }[] }; steps: { id: string; durationMs: number }[] }

function deploy(n: number): { ms: number; rep: Rep } {
  const [cmd, ...args] = argv(n);
  const t = performance.now();
  const r = spawnSync(cmd ?? 'false', args, { encoding: 'utf8', maxBuffer: 64 << 20, timeout: 600_000 });
  const ms = performance.now() - t;
  if (r.status !== 0) throw new Error(`deploy to ${n} hosts exited ${r.status}: ${r.stderr.slice(-2000)}`);
  return { ms, rep: JSON.parse(r.stdout) as Rep };
}
const median = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); const m = Math.floor(s.length / 2); return s.length % 2 ? (s[m] ?? 0) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2; };

try {
  deploy(8); // warm npm's cache and every host (first release, service user, unit), not counted
  const wall = new Map<number, number[]>(SIZES.map((n) => [n, []]));
  const build = new Map<number, number[]>(SIZES.map((n) => [n, []]));
  const host = new Map<number, number[]>(SIZES.map((n) => [n, []]));
  const conns = new Map<number, number[]>(SIZES.map((n) => [n, []]));
  for (let i = 0; i < RUNS; i++) {
    for (const n of SIZES) {
      const hosts = fleet.slice(0, n);
      const before = await Promise.all(hosts.map((h) => countAcceptedConnections(h)));
      const { ms, rep } = deploy(n);
      if (rep.data.outcome !== 'VERIFIED') throw new Error(`deploy to ${n} hosts: ${rep.data.outcome}`);
      const after = await Promise.all(hosts.map((h) => countAcceptedConnections(h)));
      wall.get(n)?.push(ms);
      build.get(n)?.push(rep.data.build.durationMs ?? 0);
      host.get(n)?.push(Math.max(...rep.data.hosts.map((h) => h.durationMs ?? 0)));
      conns.get(n)?.push(Math.max(...after.map((a, j) => a - (before[j] ?? 0))));
    }
  }
  console.log(`deploy of examples/node-api (systemd, built here once) to 1, 4 and 8 lab hosts in one batch, verification window ${WINDOW}; ${RUNS} runs each, interleaved; ${spawnSync('nproc', { encoding: 'utf8' }).stdout.trim()} CPUs`);
  console.log('| hosts | median wall ms | min | max | build here ms | slowest host (deploy + verify) ms | max ssh connections per host |');
  console.log('|---|---|---|---|---|---|---|');
  for (const n of SIZES) {
    const w = wall.get(n) ?? [];
    console.log(`| ${n} | ${median(w).toFixed(0)} | ${Math.min(...w).toFixed(0)} | ${Math.max(...w).toFixed(0)} | ${median(build.get(n) ?? []).toFixed(0)} | ${median(host.get(n) ?? []).toFixed(0)} | ${Math.max(...(conns.get(n) ?? []))} |`);
  }
  const one = median(wall.get(1) ?? []);
  console.log(`\nratio 4 hosts / 1 host: ${(median(wall.get(4) ?? []) / one).toFixed(2)}x; 8 hosts / 1 host: ${(median(wall.get(8) ?? []) / one).toFixed(2)}x (target: 8 hosts at most 1.5x)`);
} finally {
  await Promise.all(fleet.map((h) => sshExec(h, 'root', `systemctl disable --now ${APP}.service; rm -rf /opt/${APP} /etc/systemd/system/${APP}.service; userdel ${APP}; systemctl daemon-reload`).catch(() => undefined)));
  rmSync(work, { recursive: true, force: true });
}
