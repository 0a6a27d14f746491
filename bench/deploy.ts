// Benchmark: `deckhand deploy` of examples/node-api to a lab host (systemd, build here) against a plain script running
// the same essential commands, interleaved; prints per-step times, SSH connections per deploy and medians. Asserts nothing.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { countAcceptedConnections, loadLab, sshExec } from '../test/lab/lab.js';

const RUNS = Number(process.env.RUNS ?? 5);
const lab = loadLab();
if (!lab) { console.error('bench: the lab is not running; start it with `npm run lab:up` (as root)'); process.exit(2); }
const host = lab.hosts.node20;
const PORT_D = 3811;
const PORT_P = 3812;
const work = mkdtempSync(join(tmpdir(), 'dh-bench-deploy-'));
const repo = join(work, 'repo');
cpSync('examples/node-api', repo, { recursive: true, filter: (s) => !s.includes('node_modules') });
writeFileSync(join(work, 'prod.env'), 'APP_VERSION=bench\n', { mode: 0o600 });
const sshOpts = ['-F', 'none', '-i', lab.identityFile, '-o', 'IdentitiesOnly=yes', '-o', 'BatchMode=yes', '-o', `UserKnownHostsFile=${lab.knownHostsFile}`, '-p', String(host.port)];

const deckhand = [process.execPath, 'dist/cli.js', 'deploy', `ssh://root@${host.host}:${host.port}`, '-i', lab.identityFile, '--ssh-option', `UserKnownHostsFile=${lab.knownHostsFile}`,
  '--repo', repo, '--name', 'bench-dh', '--strategy', 'systemd', '--build', 'local', '--port', String(PORT_D), '--health', '/health', '--env-file', join(work, 'prod.env'), '--yes', '--json'];

// The plain script: what a careful hand-written deploy does, one ssh per remote command as such scripts do.
const unit = `[Unit]\\nDescription=bench-plain\\n[Service]\\nUser=bench-plain\\nWorkingDirectory=/opt/bench-plain/current\\nEnvironmentFile=/opt/bench-plain/shared/.env\\nEnvironment=PORT=${PORT_P}\\nExecStart=/usr/bin/env node server.js\\nRestart=always\\n[Install]\\nWantedBy=multi-user.target\\n`;
const script = `set -e
SSH="ssh ${sshOpts.join(' ')} root@${host.host}"
stage=$(mktemp -d); rsync -a --exclude node_modules --exclude .git "${repo}/" "$stage/"; (cd "$stage" && npm ci --omit=dev --silent >/dev/null)
rel=/opt/bench-plain/releases/$(date +%Y%m%d%H%M%S%N)
$SSH "id -u bench-plain >/dev/null 2>&1 || useradd -r -s /usr/sbin/nologin bench-plain; mkdir -p $rel /opt/bench-plain/shared"
rsync -a -e "ssh ${sshOpts.join(' ')}" "$stage/" "root@${host.host}:$rel/"
$SSH "umask 077; cat > /opt/bench-plain/shared/.env" < "${join(work, 'prod.env')}"
$SSH "printf '${unit}' > /etc/systemd/system/bench-plain.service && systemctl daemon-reload && systemctl enable --quiet bench-plain"
$SSH "ln -sfn $rel /opt/bench-plain/.cur && mv -T /opt/bench-plain/.cur /opt/bench-plain/current && systemctl restart bench-plain"
$SSH "for i in \\$(seq 1 120); do curl -sf -o /dev/null http://127.0.0.1:${PORT_P}/health && exit 0; sleep 0.25; done; exit 1"
rm -rf "$stage"
`;

function time(argv: string[]): { ms: number; stdout: string } {
  const [cmd, ...args] = argv;
  const t = performance.now();
  const r = spawnSync(cmd ?? 'false', args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  const ms = performance.now() - t;
  if (r.status !== 0) throw new Error(`${argv.slice(0, 3).join(' ')} exited ${r.status}: ${r.stderr.slice(-2000)}`);
  return { ms, stdout: r.stdout };
}
const median = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); const m = Math.floor(s.length / 2); return s.length % 2 ? (s[m] ?? 0) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2; };

try {
  time(deckhand); time(['bash', '-c', script]); // warm npm's cache and both services, not counted
  const d: number[] = [];
  const p: number[] = [];
  const conns: number[] = [];
  const steps = new Map<string, number[]>();
  for (let i = 0; i < RUNS; i++) {
    const before = await countAcceptedConnections('node20');
    const r = time(deckhand);
    conns.push((await countAcceptedConnections('node20')) - before);
    d.push(r.ms);
    const rep = JSON.parse(r.stdout) as { steps: { id: string; durationMs: number }[]; data: { outcome: string } };
    if (rep.data.outcome !== 'SUCCESS') throw new Error(`deploy ${rep.data.outcome}`);
    for (const s of rep.steps) steps.set(s.id, [...(steps.get(s.id) ?? []), s.durationMs]);
    p.push(time(['bash', '-c', script]).ms);
  }
  console.log(`deploy of examples/node-api to node20 (root, systemd, build here), ${RUNS} runs each, interleaved`);
  console.log('| step (deckhand) | median ms |');
  console.log('|---|---|');
  for (const [id, xs] of steps) console.log(`| ${id} | ${median(xs).toFixed(0)} |`);
  console.log('');
  console.log('| run | median ms | min ms | max ms | ssh connections |');
  console.log('|---|---|---|---|---|');
  console.log(`| deckhand deploy | ${median(d).toFixed(0)} | ${Math.min(...d).toFixed(0)} | ${Math.max(...d).toFixed(0)} | ${median(conns)} |`);
  console.log(`| plain script | ${median(p).toFixed(0)} | ${Math.min(...p).toFixed(0)} | ${Math.max(...p).toFixed(0)} | 6 |`);
  console.log(`\nratio deckhand / script: ${(median(d) / median(p)).toFixed(2)}x (target <= 1.2x)`);
} finally {
  await sshExec('node20', 'root', 'systemctl disable --now bench-dh bench-plain 2>/dev/null; rm -rf /opt/bench-dh /opt/bench-plain /etc/systemd/system/bench-dh.service /etc/systemd/system/bench-plain.service; userdel bench-dh 2>/dev/null; userdel bench-plain 2>/dev/null; systemctl daemon-reload');
  rmSync(work, { recursive: true, force: true });
}
