// Runs blue-green slot scripts for real against stub systemctl, nginx, pm2, docker, curl, ss, journalctl and pgrep that keep their state in files.
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from '../../src/core/command.js';
import {
  renderUpstream, slotDrainCommand, slotStartCommand, slotSwitchCommand, slotWaitCommand, upstreamPath, type SlotTools,
} from '../../src/commands/blue-green.js';
import { waitHealthyCommand } from '../../src/commands/health.js';

/**
 * How nginx runs on the simulated host: under systemd (`/run/systemd/system` exists, reloads go through
 * systemctl) or plain (a master whose pid is in /run/nginx.pid, reloaded with `nginx -s reload`). Each script
 * runs in a mount namespace of its own with an empty /run, so the host's /run never leaks into the test.
 */
export type NginxMode = 'systemd' | 'plain';

/** `unshare -m` with a private /run needs root (CAP_SYS_ADMIN); the tests that need it skip without it. */
export function canIsolateRun(): boolean {
  return spawnSync('unshare', ['-m', 'sh', '-c', 'mount -t tmpfs deckhand-test /run'], { stdio: 'ignore' }).status === 0;
}

export interface SlotRun { code: number | null; out: string; err: string; calls: string[] }

export interface SlotLab {
  dir: string;
  base: string;
  /** The upstream file the scripts see in place of /etc/nginx/conf.d/<app>-upstream.conf. */
  up: string;
  /** Runs a slot command (its upstream path redirected) and returns what the stubs were asked to change. */
  run(c: Command): Promise<SlotRun>;
  /** Points `current` at releases/<rel>. */
  point(rel: string): Promise<void>;
  /** Creates or removes a marker file in the stub state directory (bad-<port>, nginx-bad, unhealthy-<name>). */
  mark(name: string, on: boolean): Promise<void>;
  read(rel: string): Promise<string>;
  cleanup(): Promise<void>;
}

/** pm2 jlist from the state files (one JSON object per app), after a notice line as the real pm2 sometimes prints. */
const PM2_JLIST_JS = "const fs=require('fs'),p=require('path');const d=process.argv[1];const a=fs.readdirSync(d).sort().map((n,i)=>{const s=JSON.parse(fs.readFileSync(p.join(d,n),'utf8'));return {name:n,pm_id:i,pid:100+i,pm2_env:{status:s.status,restart_time:0,unstable_restarts:0,exec_mode:'fork_mode',pm_cwd:s.cwd}}});console.log('>>>> In-memory PM2 is out-of-date, do:');console.log(JSON.stringify(a))";
/** pm2 start FILE: loads the ecosystem file for real (it reads <base>/shared/.env) and records what pm2 would run. */
const PM2_START_JS = "const m=require(process.argv[1]);const a=m.apps[0];console.log(JSON.stringify({name:a.name,status:'online',cwd:a.cwd,exec_mode:a.exec_mode,instances:a.instances,script:a.script,env:a.env,pid_file:a.pid_file}))";
/** Reads one field of the JSON line on stdin. */
const FIELD_JS = "let d='';process.stdin.on('data',c=>d+=c).on('end',()=>process.stdout.write(String(JSON.parse(d)[process.argv[1]]||'')))";

const STUBS: Record<string, string> = {
  systemctl: [
    'while [ "${1#-}" != "$1" ]; do shift; done; cmd=$1; shift',
    'unit=; for a in "$@"; do case "$a" in -*) ;; *) unit=$a;; esac; done',
    'case "$cmd" in',
    '  is-active) [ "$unit" = nginx.service ] || [ -e "$S/units/$unit" ];;',
    '  restart) touch "$S/units/$unit";;',
    '  stop) rm -f "$S/units/$unit";;',
    '  list-units) ls "$S/units" | while read -r u; do echo "$u loaded active running x"; done;;',
    '  *) exit 0;;',
    'esac',
  ].join('\n'),
  nginx: '[ "$1" = -t ] && [ -e "$S/nginx-bad" ] && { echo "nginx: [emerg] bad config" >&2; exit 1; }; exit 0',
  // curl -s -o /dev/null -m 3 -w "%{http_code}" URL: a slot port answers while its unit, pm2 app or container exists; the proxy port always; bad-<port> makes it 500.
  curl: [
    'for a; do url=$a; done; p=${url#http://127.0.0.1:}; p=${p%%/*}',
    'up=; for f in "$S"/units/*@"$p".service "$S"/pm2/*-"$p" "$S"/ctr/*-"$p"; do [ -e "$f" ] && up=1; done',
    'if [ -e "$S/bad-$p" ]; then printf 500; elif [ "$p" = "$PROXY" ] || [ -n "$up" ]; then printf 200; else printf 000; fi',
  ].join('\n'),
  pm2: [
    'cmd=$1; shift',
    'case "$cmd" in',
    `  jlist) node -e "${PM2_JLIST_JS}" "$S/pm2";;`,
    // Like pm2's daemon: the app's pid_file, named X-<pm_id>.pid, holds a live pid (init's, so kill -0 finds it) while it runs.
    `  start) out=$(node -e "${PM2_START_JS}" "$1") || exit 1; name=$(printf "%s" "$out" | node -e "${FIELD_JS}" name); pid=$(printf "%s" "$out" | node -e "${FIELD_JS}" pid_file)`,
    '    printf "%s\\n" "$out" > "$S/pm2/$name"; printf "%s" "$pid" > "$S/pm2-pid-$name"; mkdir -p "${pid%/*}"; echo 1 > "${pid%.pid}-0.pid";;',
    '  delete) [ -e "$S/pm2/$1" ] || { echo "[PM2][ERROR] Process or Namespace $1 not found" >&2; exit 1; }; pid=$(cat "$S/pm2-pid-$1"); rm -f "$S/pm2/$1" "${pid%.pid}-0.pid";;',
    '  save) exit 0;;',
    'esac',
  ].join('\n'),
  docker: [
    'case "$1" in',
    '  image) for a; do img=$a; done; [ -e "$S/images/$img" ];;',
    '  run) shift; name=; rec=',
    '    while [ $# -gt 0 ]; do case "$1" in',
    '      --name) name=$2; shift;; -p) rec="$rec\\npublish $2"; shift;; --label) rec="$rec\\nlabel $2"; shift;; --restart) rec="$rec\\nrestart $2"; shift;; -d) ;;',
    // -e NAME takes the value from docker's own environment, as the real CLI does.
    '      -e) case "$2" in *=*) rec="$rec\\nenv $2";; *) eval "v=\\${$2-}"; rec="$rec\\nenv $2=$v";; esac; shift;;',
    '      *) rec="$rec\\nimage $1";; esac; shift; done',
    '    printf "%b\\n" "$rec" > "$S/ctr/$name"; echo 0123abcd;;',
    '  rm) shift; [ "$1" = -f ] && shift; rm -f "$S/ctr/$1";;',
    '  stop) exit 0;;',
    '  inspect) for a; do n=$a; done; [ -e "$S/ctr/$n" ] || { echo "Error: No such object: $n" >&2; exit 1; }; if [ -e "$S/unhealthy-$n" ]; then echo true/unhealthy; else echo true/; fi;;',
    '  container) for a; do n=$a; done; [ -e "$S/ctr/$n" ];;',
    '  ps) for f in "$S"/ctr/*; do [ -e "$f" ] && sed -n "s/^label deckhand.slot=//p" "$f"; done; exit 0;;',
    '  logs) echo "stub container log line";;',
    'esac',
  ].join('\n'),
  // ss -Htln "( sport = :P )" lists a listener on P while listen-P is marked; established connections: none.
  ss: 'case "$1" in *l*) p=$(printf "%s" "$*" | sed -n "s/.*sport = :\\([0-9]*\\).*/\\1/p"); [ -e "$S/listen-$p" ] && echo "LISTEN 0 511 *:$p *:*";; esac; exit 0',
  journalctl: 'echo "stub journal line"',
  pgrep: 'exit 1',
};

/** The calls that change something (queries such as is-active, jlist or inspect are left out). */
function changes(log: string): string[] {
  return log.split('\n').filter((l) => /^(systemctl|nginx|pm2|docker) /.test(l) || l === 'nginx')
    .filter((l) => !/^systemctl (is-active|list-units|cat)|^pm2 jlist|^docker (inspect|container|ps|image|logs)/.test(l));
}

export async function slotLab(app: string, opts: { mode: NginxMode; slots: readonly [number, number]; proxyPort: number; releases: readonly string[] }): Promise<SlotLab> {
  const dir = await mkdtemp(join(tmpdir(), 'dh-slots-'));
  const bin = join(dir, 'bin');
  const base = join(dir, 'base');
  const up = join(dir, 'upstream.conf');
  for (const d of [bin, join(dir, 'units'), join(dir, 'pm2'), join(dir, 'ctr'), join(dir, 'images'), join(dir, 'pm2home'), join(base, '.deckhand'), join(base, 'shared')]) await mkdir(d, { recursive: true });
  for (const r of opts.releases) await mkdir(join(base, 'releases', r), { recursive: true });
  for (const [name, body] of Object.entries(STUBS)) {
    await writeFile(join(bin, name), `#!/bin/sh\nS="${dir}"; PROXY=${opts.proxyPort}\necho "${name}${'${1:+ }'}$*" >> "$S/log"\n${body}\n`, { mode: 0o755 });
  }
  // A live pid, so the scripts take the user's pm2 daemon as running.
  await writeFile(join(dir, 'pm2home', 'pm2.pid'), String(process.pid));
  await writeFile(up, renderUpstream(app, opts.slots[0], true));
  const setup = opts.mode === 'systemd' ? 'mkdir -p /run/systemd/system' : 'echo $$ > /run/nginx.pid';
  return {
    dir, base, up,
    async run(c) {
      await writeFile(join(dir, 'log'), '');
      const argv = c.argv.map((a) => (a === upstreamPath(app) ? up : a));
      const r = spawnSync('unshare', ['-m', 'sh', '-c', `mount -t tmpfs deckhand-test /run && ${setup} && exec "$@"`, 'deckhand-test', ...argv], {
        encoding: 'utf8', timeout: 60_000, env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}`, PM2_HOME: join(dir, 'pm2home') },
      });
      return { code: r.status, out: r.stdout, err: r.stderr, calls: changes(await readFile(join(dir, 'log'), 'utf8')) };
    },
    async point(rel) {
      await unlink(join(base, 'current')).catch(() => undefined);
      await symlink(`releases/${rel}`, join(base, 'current'));
    },
    async mark(name, on) {
      if (on) await writeFile(join(dir, name), '');
      else await rm(join(dir, name), { force: true });
    },
    read: (rel) => readFile(join(dir, rel), 'utf8'),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

/** The post-start wait's script, as the planner passes it to the slot commands. */
export const WAIT_SCRIPT = waitHealthyCommand({ aliveCheck: '', port: null, path: null, timeoutSec: 0, successes: 1 }).argv[2] ?? '';

/** The four start commands of a deploy, revert or rollback, with short bounds: start, wait (1 s), switch, drain. */
export function startCommands(t: SlotTools): [Command, Command, Command, Command] {
  return [
    slotStartCommand(t), slotWaitCommand(t, WAIT_SCRIPT, { path: '/health', timeoutSec: 1, successes: 2 }),
    slotSwitchCommand(t, WAIT_SCRIPT, { path: '/health', checkSec: 1 }), slotDrainCommand(t),
  ];
}

/** Starts releases/<rel> on the idle slot, then runs the switch while `nginx -t` fails; returns the switch's run. */
export async function switchWithBrokenNginx(lab: SlotLab, t: SlotTools, rel: string): Promise<SlotRun> {
  await lab.point(rel);
  const [start, , sw] = startCommands(t);
  const s = await lab.run(start);
  if (s.code !== 0) throw new Error(`the start failed: ${s.err}`);
  await lab.mark('nginx-bad', true);
  try { return await lab.run(sw); } finally { await lab.mark('nginx-bad', false); }
}
