// Builds a throwaway BusyBox userland that looks like an Alpine host and runs a script in it (chroot + private mount namespace).
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readlinkSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const HOST_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const BUSYBOX_CANDIDATES = ['/bin/busybox', '/usr/bin/busybox'];
/** The Debian package that provides a busybox whose sh runs applets only through their links, as Alpine's does. */
export const BUSYBOX_APT_PACKAGE = 'busybox';

export interface RootRun { stdout: string; stderr: string; status: number | null; signal: NodeJS.Signals | null; ms: number }

export interface BusyboxRoot {
  dir: string;
  busybox: string;
  applets: readonly string[];
  /**
   * The busybox sh prefers its built-in applets over PATH (FEATURE_SH_STANDALONE, as in Debian's busybox-static):
   * a removed applet link then changes nothing, so "applet missing" cannot be modelled.
   */
  standalone: boolean;
  removeApplet(name: string): void;
  restoreApplet(name: string): void;
  /**
   * Runs `/bin/sh -s` inside the root with `script` on stdin, with a real /proc and /dev/null.
   * `rootIsMount: false` leaves / out of the chroot's mount table (df then cannot find its mount point).
   */
  run(script: string, opts?: { rootIsMount?: boolean; timeoutMs?: number }): RootRun;
  /** Mount points of this root left in this process's mount namespace (there should be none). */
  leakedMounts(): string[];
  cleanup(): void;
}

export type BusyboxSetup = { ok: true; root: BusyboxRoot } | { ok: false; reason: string };

function which(cmd: string): string | null {
  const r = spawnSync('sh', ['-c', 'command -v "$1"', 'which', cmd], { encoding: 'utf8', env: { ...process.env, PATH: HOST_PATH } });
  const p = r.status === 0 ? r.stdout.trim() : '';
  return p.startsWith('/') ? p : null;
}

function findBusybox(): string | null {
  return BUSYBOX_CANDIDATES.find((p) => existsSync(p)) ?? null;
}

function installBusybox(): string | null {
  const env = { ...process.env, PATH: HOST_PATH, DEBIAN_FRONTEND: 'noninteractive' };
  const install = (): ReturnType<typeof spawnSync> =>
    spawnSync('apt-get', ['install', '-y', '--no-install-recommends', BUSYBOX_APT_PACKAGE], { encoding: 'utf8', env, timeout: 300_000 });
  let r = install();
  if (r.status !== 0) {
    spawnSync('apt-get', ['update'], { encoding: 'utf8', env, timeout: 300_000 });
    r = install();
  }
  if (r.status !== 0) return `apt-get install ${BUSYBOX_APT_PACKAGE} failed: ${String(r.stderr).trim().split('\n').slice(-3).join(' | ')}`;
  return null;
}

/** Shared libraries (and the ELF interpreter) a dynamic busybox needs inside the chroot; [] when static. */
function sharedLibraries(binary: string): string[] | { error: string } {
  const ldd = which('ldd');
  if (!ldd) return [];
  const r = spawnSync(ldd, [binary], { encoding: 'utf8' });
  const out = `${r.stdout}${r.stderr}`;
  if (/not a dynamic executable|statically linked/.test(out)) return [];
  if (r.status !== 0) return { error: `ldd ${binary}: ${out.trim()}` };
  const libs: string[] = [];
  for (const line of out.split('\n')) {
    const m = /=>\s+(\/\S+)/.exec(line) ?? /^\s*(\/\S+)\s+\(/.exec(line);
    if (m?.[1]) libs.push(m[1]);
  }
  return libs;
}

export function makeBusyboxRoot(): BusyboxSetup {
  if (process.platform !== 'linux') return { ok: false, reason: `needs Linux (this is ${process.platform})` };
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return { ok: false, reason: 'needs root (chroot and a private mount namespace)' };
  const tools: Record<string, string | null> = { unshare: which('unshare'), chroot: which('chroot'), mount: which('mount') };
  const missing = Object.entries(tools).filter(([, p]) => p === null).map(([n]) => n);
  if (missing.length > 0) return { ok: false, reason: `host commands missing: ${missing.join(', ')} (util-linux, coreutils)` };

  let busybox = findBusybox();
  if (!busybox) {
    if (!which('apt-get')) return { ok: false, reason: `no busybox binary and no apt-get to install the ${BUSYBOX_APT_PACKAGE} package` };
    const err = installBusybox();
    if (err) return { ok: false, reason: err };
    busybox = findBusybox();
    if (!busybox) return { ok: false, reason: `the ${BUSYBOX_APT_PACKAGE} package installed no busybox at ${BUSYBOX_CANDIDATES.join(' or ')}` };
  }
  const list = spawnSync(busybox, ['--list'], { encoding: 'utf8' });
  if (list.status !== 0) return { ok: false, reason: `${busybox} --list failed: ${list.stderr.trim()}` };
  const applets = list.stdout.split('\n').map((s) => s.trim()).filter((s) => s.length > 0 && s !== 'busybox' && !s.includes('/'));
  const libs = sharedLibraries(busybox);
  if (!Array.isArray(libs)) return { ok: false, reason: libs.error };
  const standalone = spawnSync(busybox, ['sh', '-c', 'command -v awk'], { encoding: 'utf8', env: { PATH: '/nonexistent' } }).status === 0;

  const dir = mkdtempSync(join(tmpdir(), 'dh-busybox-'));
  const cleanup = (): void => {
    // Processes still chrooted here (the probe's timeout fallback leaves its watchdog `sleep`s behind): ended by PID.
    for (const pid of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
      let r: string;
      try { r = readlinkSync(`/proc/${pid}/root`); } catch { continue; }
      if (r === dir || r.startsWith(`${dir}/`)) { try { process.kill(Number(pid), 'SIGKILL'); } catch { /* already gone */ } }
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (const d of ['bin', 'etc', 'proc', 'sys', 'dev', 'tmp', 'root']) mkdirSync(join(dir, d));
    chmodSync(join(dir, 'tmp'), 0o1777);
    chmodSync(join(dir, 'root'), 0o700);
    copyFileSync(busybox, join(dir, 'bin/busybox'));
    chmodSync(join(dir, 'bin/busybox'), 0o755);
    for (const a of applets) symlinkSync('busybox', join(dir, 'bin', a));
    for (const lib of libs) {
      mkdirSync(join(dir, dirname(lib)), { recursive: true });
      copyFileSync(lib, join(dir, lib));
    }
    writeFileSync(join(dir, 'etc/os-release'), [
      'NAME="Alpine Linux"', 'ID=alpine', 'VERSION_ID=3.20.0', 'PRETTY_NAME="Alpine Linux v3.20"',
      'HOME_URL="https://alpinelinux.org/"', 'BUG_REPORT_URL="https://gitlab.alpinelinux.org/alpine/aports/-/issues"', '',
    ].join('\n'));
    writeFileSync(join(dir, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
    writeFileSync(join(dir, 'etc/group'), 'root:x:0:root\n');
    // The mount target for the host's /dev/null: every real host has one, and the probe redirects to it throughout.
    writeFileSync(join(dir, 'dev/null'), '');
  } catch (e) {
    cleanup();
    return { ok: false, reason: `could not build the root in ${dir}: ${(e as Error).message}` };
  }

  const root: BusyboxRoot = {
    dir, busybox, applets, standalone,
    removeApplet: (name) => unlinkSync(join(dir, 'bin', name)),
    restoreApplet: (name) => { if (!existsSync(join(dir, 'bin', name))) symlinkSync('busybox', join(dir, 'bin', name)); },
    run(script, opts = {}) {
      const inner = [
        'set -e',
        // Binding the root onto itself makes it a mount point, so / appears in the chroot's /proc/mounts as on a real host.
        opts.rootIsMount === false ? ':' : 'mount --bind "$1" "$1"',
        'mount -t proc proc "$1/proc"',
        'mount --bind /dev/null "$1/dev/null"',
        'exec chroot "$1" /bin/sh -s',
      ].join('\n');
      const t0 = performance.now();
      const r = spawnSync(tools.unshare ?? 'unshare', ['--mount', '--propagation', 'private', 'sh', '-c', inner, 'busybox-root', dir], {
        input: script, encoding: 'utf8', timeout: opts.timeoutMs ?? 60_000, killSignal: 'SIGKILL', maxBuffer: 16 * 1024 * 1024,
        env: { PATH: HOST_PATH, HOME: '/root', LC_ALL: 'C' },
      });
      return { stdout: r.stdout ?? '', stderr: r.stderr ?? '', status: r.status, signal: r.signal, ms: performance.now() - t0 };
    },
    leakedMounts() {
      const r = spawnSync('cat', ['/proc/self/mountinfo'], { encoding: 'utf8' });
      return r.stdout.split('\n').filter((l) => l.includes(dir));
    },
    cleanup,
  };

  // The whole mechanism must work here before any test relies on it (unshare can be refused inside containers).
  const probe = root.run('echo "ok $(grep -c "^ID=alpine$" /etc/os-release) $(ls /proc/self/fd | wc -l)"');
  if (probe.status !== 0 || !/^ok 1 \d+/.test(probe.stdout)) {
    cleanup();
    return { ok: false, reason: `cannot run a shell in the BusyBox root (exit ${String(probe.status)}): ${probe.stderr.trim().slice(0, 300)}` };
  }
  return { ok: true, root };
}
