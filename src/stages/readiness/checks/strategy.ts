// What the chosen strategy needs beyond tools: a usable Docker daemon, systemd as PID 1, root or sudo, nginx.
import type { Finding } from '../../../report/common.js';
import type { HostFacts, Requirements } from '../../../report/readiness.js';
import { finding } from './finding.js';
import { checkSwarm } from './swarm.js';

export function checkDockerDaemon(f: HostFacts): Finding {
  const d = f.docker;
  const evidence = `docker info: ${d.detail}`;
  const title = 'Docker daemon';
  switch (d.daemon) {
    case 'usable': return finding('runtime.docker-daemon', 'runtimes', title, 'pass', `v${d.serverVersion ?? '?'} reachable and usable by ${f.user.name ?? 'this user'}`, { evidence });
    case 'permission-denied': return finding('runtime.docker-daemon', 'runtimes', title, 'block', `running, but ${f.user.name ?? 'this user'} may not use its socket`, {
      required: true, evidence, remedy: `add ${f.user.name ?? 'the deploy user'} to the docker group (usermod -aG docker ${f.user.name ?? 'USER'}) and log in again`,
    });
    case 'not-running': return finding('runtime.docker-daemon', 'runtimes', title, 'block', 'not running (no daemon answered on the socket)', { required: true, evidence, remedy: 'start the Docker engine (systemctl start docker) or install it' });
    case 'absent': return finding('runtime.docker-daemon', 'runtimes', title, 'block', 'docker is not installed', { required: true, evidence, remedy: 'install the Docker engine (docker.io or docker-ce)' });
    default: return finding('runtime.docker-daemon', 'runtimes', title, 'unknown', `could not tell whether the daemon is usable: ${d.detail}`, { required: true, evidence, remedy: 'run `docker info` on the host' });
  }
}

export function checkSystemd(f: HostFacts): Finding {
  const s = f.systemd;
  const evidence = `/proc/1/comm: ${s.pid1 ?? '?'}${s.state ? `; systemctl is-system-running: ${s.state}` : ''}`;
  if (s.isSystemd === null) return finding('runtime.systemd', 'runtimes', 'systemd', 'unknown', 'could not read /proc/1/comm', { required: true, evidence, remedy: 'check the init system by hand' });
  if (!s.isSystemd) return finding('runtime.systemd', 'runtimes', 'systemd', 'block', `not running as PID 1 (PID 1 is ${s.pid1})`, { required: true, evidence, remedy: 'use a host booted with systemd, or choose --strategy pm2 or docker' });
  if (s.state && !/^(running|degraded)$/.test(s.state)) {
    return finding('runtime.systemd', 'runtimes', 'systemd', 'warn', `PID 1, state ${s.state}`, { evidence, remedy: 'check `systemctl --failed` and `systemctl is-system-running`' });
  }
  return finding('runtime.systemd', 'runtimes', 'systemd', 'pass', `PID 1, state ${s.state ?? 'unknown'}`, { evidence });
}

export function checkSudo(f: HostFacts, why: string): Finding {
  const s = f.sudo;
  const evidence = `sudo -n true: ${s.detail}`;
  const user = f.user.name ?? 'this user';
  switch (s.state) {
    case 'root': return finding('permissions.sudo', 'permissions', 'Root / sudo', 'pass', `running as root (${why})`, { evidence: `id -u: 0` });
    case 'passwordless': return finding('permissions.sudo', 'permissions', 'Root / sudo', 'pass', `passwordless sudo for ${user} (${why})`, { evidence });
    case 'unknown': return finding('permissions.sudo', 'permissions', 'Root / sudo', 'unknown', `could not tell whether ${user} has passwordless sudo`, { required: true, evidence, remedy: 'run `sudo -n true` as the deploy user' });
    default: return finding('permissions.sudo', 'permissions', 'Root / sudo', 'block', `${user} is not root and has no passwordless sudo (${s.state}); ${why}`, {
      required: true, evidence, remedy: `connect as root, or grant ${user} passwordless sudo (a file in /etc/sudoers.d with "${user} ALL=(ALL) NOPASSWD:ALL", or narrower)`,
    });
  }
}

export function checkNginx(f: HostFacts, why: string): Finding[] {
  const t = f.tools.nginx;
  if (!t?.present) {
    return [finding('runtime.nginx', 'runtimes', 'nginx', t?.present === false ? 'block' : 'unknown', `not installed; ${why}`, { required: true, evidence: t?.raw ?? 'no probe output', remedy: 'install nginx' })];
  }
  const n = f.nginx;
  const evidence = `nginx -t: ${n.detail}`;
  const base = `v${t.version ?? '?'} installed`;
  if (n.configTest === 'ok') return [finding('runtime.nginx', 'runtimes', 'nginx', 'pass', `${base}, nginx -t passes`, { evidence })];
  if (n.configTest === 'failed') return [finding('runtime.nginx', 'runtimes', 'nginx', 'block', `${base}, but nginx -t fails`, { required: true, evidence, remedy: 'fix the nginx configuration first: a reload would fail' })];
  return [finding('runtime.nginx', 'runtimes', 'nginx', 'unknown', `${base}; could not run nginx -t (${n.detail.slice(0, 120)})`, { required: true, evidence, remedy: 'run `sudo nginx -t` on the host' })];
}

export function checkStrategy(f: HostFacts, r: Requirements): Finding[] {
  const out: Finding[] = [];
  const s = r.strategy;
  if (s === 'docker' || s === 'compose' || s === 'swarm') out.push(checkDockerDaemon(f));
  if (s === 'swarm') out.push(...checkSwarm(f));
  // blue-green is systemd slots behind nginx: both sets of needs.
  if (s === 'systemd' || s === 'blue-green') { out.push(checkSystemd(f)); out.push(checkSudo(f, 'systemd units need root')); }
  if (s === 'static' || s === 'blue-green' || r.proxy) out.push(...checkNginx(f, s === 'static' ? 'the static strategy serves through nginx' : s === 'blue-green' ? 'blue-green switches slots through an nginx upstream' : 'the reverse proxy is nginx'));
  if (r.proxy && s !== 'systemd') out.push(checkSudo(f, 'configuring nginx needs root'));
  return out;
}
