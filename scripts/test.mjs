// The test command (`npm test`): build, bring the lab up when this machine can, run every test, take the lab down.
// Ends with the line "N passed, N failed, N skipped". Under CI=true a lab that cannot start fails the run.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const args = process.argv.slice(2);
const noLab = args.includes('--no-lab');
const ci = process.env.CI === 'true';

function sh(cmd, cmdArgs, opts = {}) {
  const r = spawnSync(cmd, cmdArgs, { stdio: 'inherit', ...opts });
  return r.status ?? 1;
}

function files(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.test.ts') ? [p] : [];
  }).sort();
}

function labBlocker() {
  if (noLab) return 'lab disabled with --no-lab';
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return 'the lab needs root (it runs dockerd and containers)';
  if (spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status !== 0) return 'the lab needs apt-get (Debian or Ubuntu) to install its parts';
  return null;
}

if (sh('npm', ['run', '--silent', 'build']) !== 0) { console.log('0 passed, 1 failed'); process.exit(1); }

let labStarted = false;
let reason = labBlocker();
if (!reason) {
  console.log('lab: starting (test/lab/lab.sh up)');
  if (sh('bash', ['test/lab/lab.sh', 'up']) === 0) labStarted = true;
  else reason = 'test/lab/lab.sh up failed (see the output above)';
}
if (reason) {
  console.log(`lab: SKIPPED — ${reason}; lab tests will be skipped${ci ? ' (and fail, because CI=true)' : ''}`);
  process.env.DECKHAND_LAB_UNAVAILABLE = reason;
}

const testFiles = [...files('test/unit'), ...files('test/integration')];
let passed = 0, failed = 0, skipped = 0;
const code = await new Promise((resolve) => {
  const child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...testFiles], { stdio: ['ignore', 'pipe', 'inherit'], env: process.env });
  let buf = '';
  child.stdout.on('data', (d) => {
    process.stdout.write(d);
    buf += d.toString();
  });
  child.on('close', (c) => {
    // The spec reporter's summary: "ℹ pass N", "ℹ fail N", "ℹ skipped N".
    const num = (k) => Number(new RegExp(`^\\S*\\s*${k} (\\d+)$`, 'm').exec(buf)?.[1] ?? 0);
    passed = num('pass'); failed = num('fail'); skipped = num('skipped');
    resolve(c ?? 1);
  });
});

if (labStarted && !process.env.DECKHAND_KEEP_LAB) sh('bash', ['test/lab/lab.sh', 'down']);
if (reason && ci && !noLab) failed += 1;
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(code !== 0 || failed > 0 ? 1 : 0);
