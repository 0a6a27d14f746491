// The deploy paths measured under load: what each deploys where, where the load goes, which command moves traffic, how to clean up.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { LabState } from '../../test/lab/lab.js';
import { APP_PY, appComposeFile, appDockerfile } from '../../test/helpers/container-app.js';
import { labHost, thisMachine, type BenchHost } from './hosts.js';

export interface Scenario {
  name: string;
  app: string;
  host(lab: LabState): BenchHost;
  /** The port the load hits on that host's loopback: nginx in front of the app, or the app itself. */
  loadPort: number;
  /** The example copied as the repository (null: only `files`). */
  example: string | null;
  /** Files written into the repository copy (deckhand.yml, a Dockerfile, …). */
  files: Record<string, string>;
  /** `deckhand deploy` flags; `dir` is the scenario's own work directory (the target, --env-file and --out are added per run). */
  flags(dir: string): string[];
  /** Environment for the deckhand runs (e.g. a private PM2_HOME). */
  env?(dir: string): NodeJS.ProcessEnv;
  /** The report command that moves traffic to the new release, and what its duration covers. */
  isSwitch(command: string): boolean;
  switchCovers: string;
  /** Shell on the host, as its user, that removes everything the scenario deployed; safe to run twice. */
  cleanup(dir: string): string;
  /** Nginx on this machine must run (it is not under systemd here), and the files the deploys create for it. */
  localNginxFiles?: string[];
}

const NODE_API = 'examples/node-api';
const sudo = (cmds: string[]): string => cmds.map((c) => `sudo -n ${c}`).join('; ');
const nginxFiles = (app: string): string[] => [`/etc/nginx/conf.d/${app}-upstream.conf`, `/etc/nginx/sites-enabled/${app}`, `/etc/nginx/sites-available/${app}`];
const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
const SLOT_SWITCH = 'the slot switch: upstream rewrite, nginx -t, graceful reload, old workers gone, checked through nginx';

/** Everything the blue-green strategy creates for `app` on a systemd host, removed as the deploying user (sudo). */
function blueGreenSystemdCleanup(app: string): string {
  return [
    `for u in $(systemctl list-units --all --plain --no-legend '${app}@*' | awk '{print $1}'); do sudo -n systemctl disable --now "$u"; done`,
    sudo([
      `rm -f /etc/systemd/system/${app}@.service /etc/systemd/system/*.wants/${app}@*.service ${nginxFiles(app).join(' ')} /var/log/nginx/${app}.access.log /var/log/nginx/${app}.error.log`,
      'systemctl daemon-reload',
    ]),
    'sudo -n nginx -t 2>/dev/null && sudo -n systemctl reload nginx',
    sudo([`rm -rf /opt/${app}`, `userdel ${app} 2>/dev/null`]),
    'true',
  ].join('; ');
}

/** As root on this machine: the app's nginx files (then a reload when nginx runs), its base directory and the given docker work. */
function dockerHostCleanup(app: string, docker: string[]): string {
  return [
    ...docker.map((c) => `${c} >/dev/null 2>&1`),
    `rm -f ${nginxFiles(app).join(' ')} /var/log/nginx/${app}.access.log /var/log/nginx/${app}.error.log`,
    'p=$(cat /run/nginx.pid 2>/dev/null) && kill -0 "$p" 2>/dev/null && nginx -t >/dev/null 2>&1 && nginx -s reload',
    `rm -rf /opt/${app}`,
    'true',
  ].join('; ');
}

const PM2 = createRequire(import.meta.url).resolve('pm2/bin/pm2');

export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'blue-green systemd',
    app: 'zdb-bg',
    host: (lab) => labHost(lab, 'node20', 'deploy'),
    loadPort: 8841,
    example: NODE_API,
    files: { 'deckhand.yml': 'blue_green:\n  ports: [3841, 3842]\n  drain: 5s\nproxy_port: 8841\n' },
    flags: () => ['--name', 'zdb-bg', '--strategy', 'blue-green', '--build', 'local', '--health', '/health'],
    isSwitch: (c) => c.includes('deckhand-slot-switch'),
    switchCovers: SLOT_SWITCH,
    cleanup: () => blueGreenSystemdCleanup('zdb-bg'),
  },
  {
    name: 'blue-green docker',
    app: 'zdb-docker',
    host: (lab) => thisMachine(lab, true),
    loadPort: 8851,
    example: null,
    files: { 'app.py': APP_PY, Dockerfile: appDockerfile({ healthcheck: true }), 'deckhand.yml': 'blue_green:\n  ports: [3851, 3852]\n  drain: 5s\nproxy_port: 8851\n' },
    flags: () => ['--name', 'zdb-docker', '--strategy', 'docker', '--zero-downtime', '--health', '/health', '--start-timeout', '90'],
    isSwitch: (c) => c.includes('deckhand-slot-switch'),
    switchCovers: SLOT_SWITCH,
    cleanup: () => dockerHostCleanup('zdb-docker', ['docker rm -f zdb-docker-3851 zdb-docker-3852', 'docker image ls -q zdb-docker | sort -u | xargs -r docker rmi -f']),
    localNginxFiles: nginxFiles('zdb-docker'),
  },
  {
    name: 'compose replacement',
    app: 'zdb-compose',
    host: (lab) => thisMachine(lab, true),
    loadPort: 8861,
    example: null,
    files: { 'app.py': APP_PY, Dockerfile: appDockerfile({ healthcheck: true }), 'docker-compose.yml': appComposeFile(8862), 'deckhand.yml': 'proxy_port: 8861\ncompose:\n  drain: 5s\n' },
    flags: () => ['--name', 'zdb-compose', '--strategy', 'compose', '--zero-downtime', '--health', '/health', '--start-timeout', '90'],
    isSwitch: (c) => c.includes('deckhand-compose-release'),
    switchCovers: 'the whole replacement: the new container started and healthy, the nginx switch, the old one drained and removed',
    cleanup: () => dockerHostCleanup('zdb-compose', [
      'docker rm -f $(docker ps -aq --filter label=com.docker.compose.project=zdb-compose)',
      'docker image ls -q --filter reference=\'zdb-compose*\' | sort -u | xargs -r docker rmi -f',
      'docker network rm zdb-compose_default',
    ]),
    localNginxFiles: nginxFiles('zdb-compose'),
  },
  {
    name: 'pm2 reload',
    app: 'zdb-pm2',
    host: (lab) => thisMachine(lab, false),
    loadPort: 3881,
    example: NODE_API,
    files: {},
    flags: (dir) => ['--name', 'zdb-pm2', '--strategy', 'pm2', '--instances', '2', '--port', '3881', '--health', '/health', '--start-timeout', '40', '--base-dir', join(dir, 'base')],
    env: (dir) => ({ PM2_HOME: join(dir, 'pm2-home') }),
    isSwitch: (c) => / deckhand-pm2 /.test(c),
    switchCovers: 'pm2 startOrReload of the cluster (instances replaced one by one, each waited for) and pm2 save',
    // Only a daemon that was started is killed (pm2 kill alone would first spawn one).
    cleanup: (dir) => {
      const home = q(join(dir, 'pm2-home'));
      return `[ -f ${home}/pm2.pid ] && PM2_HOME=${home} ${q(process.execPath)} ${q(PM2)} kill >/dev/null 2>&1; rm -rf ${q(join(dir, 'base'))} ${home}; true`;
    },
  },
  {
    name: 'systemctl restart (baseline)',
    app: 'zdb-restart',
    host: (lab) => labHost(lab, 'node20', 'deploy'),
    loadPort: 3871,
    example: NODE_API,
    files: {},
    flags: () => ['--name', 'zdb-restart', '--strategy', 'systemd', '--port', '3871', '--build', 'local', '--health', '/health'],
    isSwitch: (c) => c.includes('deckhand-restart'),
    switchCovers: 'systemctl enable + restart (returns once the new process is started, before it listens)',
    cleanup: () => [
      sudo(['systemctl disable --now zdb-restart.service 2>/dev/null', 'rm -f /etc/systemd/system/zdb-restart.service', 'systemctl daemon-reload', 'systemctl reset-failed zdb-restart.service 2>/dev/null']),
      sudo(['rm -rf /opt/zdb-restart', 'userdel zdb-restart 2>/dev/null']),
      'true',
    ].join('; '),
  },
];
