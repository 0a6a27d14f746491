// Compose service names as dependency hosts: they resolve only on the project's network, so the handshake goes to the container's address there.
import type { Command } from '../../../core/command.js';

/** One container of the project and its addresses on the networks it is attached to. */
export interface ComposeContainer {
  /** Container name, without the leading slash. */
  name: string;
  service: string;
  /** running, exited, restarting, … */
  status: string;
  networks: { name: string; ip: string; aliases: string[] }[];
}

/** The project's containers, or why they could not be listed (docker missing or not answering this user). */
export type ComposeServices = { ok: true; containers: ComposeContainer[] } | { ok: false; reason: string };

/** How a compose host is reached: the container's address on one of the project's networks, or why there is none. */
export type ComposeRoute =
  | { kind: 'address'; service: string; container: string; network: string; ip: string }
  | { kind: 'down'; service: string; container: string; status: string };

/**
 * One line per container: `c|<name>|<service>|<status>|<network>=<ip>=<alias,alias>;…`. Names and aliases per
 * network are what Docker's embedded DNS answers for on that network. One-off `run` containers are left out.
 */
const FORMAT = 'c|{{.Name}}|{{index .Config.Labels "com.docker.compose.service"}}|{{.State.Status}}|'
  + '{{range $n, $v := .NetworkSettings.Networks}}{{$n}}={{$v.IPAddress}}={{join $v.Aliases ","}};{{end}}';

const SCRIPT = [
  'p=$1; f=$2; to=; command -v timeout >/dev/null 2>&1 && to="timeout 20"',
  'if ! command -v docker >/dev/null 2>&1; then echo docker=missing; exit 0; fi',
  'if $to docker version --format "{{.Server.Version}}" >/dev/null 2>&1; then D=docker',
  'elif [ "$(id -u)" != 0 ] && $to sudo -n docker version --format "{{.Server.Version}}" >/dev/null 2>&1; then D="sudo -n docker"',
  'else echo docker=unreachable; exit 0; fi',
  'echo docker=ok',
  'ids=$($to $D ps -aq --filter "label=com.docker.compose.project=$p" --filter label=com.docker.compose.oneoff=False) || { echo docker=unreachable; exit 0; }',
  '[ -n "$ids" ] && $to $D inspect -f "$f" $ids',
  'exit 0',
].join('\n');

/** Lists the compose project's containers with their network addresses (read-only, one round trip). */
export function composeServicesCommand(project: string): Command {
  return {
    argv: ['sh', '-c', SCRIPT, 'deckhand-compose-services', project, FORMAT],
    mutates: false, timeoutMs: 45_000, description: `list the containers of compose project ${project} and their network addresses`,
  };
}

export function parseComposeServices(stdout: string): ComposeServices {
  const lines = stdout.split('\n').map((l) => l.trim());
  if (lines.includes('docker=missing')) return { ok: false, reason: 'docker is not installed on the target' };
  if (lines.includes('docker=unreachable') || !lines.includes('docker=ok')) return { ok: false, reason: 'the docker daemon does not answer this user' };
  const containers: ComposeContainer[] = [];
  for (const l of lines) {
    if (!l.startsWith('c|')) continue;
    const [, name = '', service = '', status = '', nets = ''] = l.split('|');
    const networks = nets.split(';').filter((n) => n !== '').map((n) => {
      const [net = '', ip = '', aliases = ''] = n.split('=');
      return { name: net, ip, aliases: aliases.split(',').filter((a) => a !== '') };
    });
    containers.push({ name: name.replace(/^\//, ''), service, status, networks });
  }
  return { ok: true, containers };
}

/**
 * The route to `host` when it names a service of the project (or a container, or a network alias), as the
 * app's containers would resolve it; null when it does not, so the host is resolved on the target as usual.
 * A running container wins over a stopped one of the same service; a network where the name is an alias wins
 * over the container's other networks. A container on the host's network has no project address: null.
 */
export function composeRoute(host: string, containers: readonly ComposeContainer[]): ComposeRoute | null {
  const h = host.toLowerCase();
  const named = (c: ComposeContainer): boolean => c.service.toLowerCase() === h || c.name.toLowerCase() === h
    || c.networks.some((n) => n.aliases.some((a) => a.toLowerCase() === h));
  const matches = containers.filter(named).sort((a, b) => Number(b.status === 'running') - Number(a.status === 'running') || a.name.localeCompare(b.name));
  const c = matches[0];
  if (!c) return null;
  if (c.status !== 'running') return { kind: 'down', service: c.service, container: c.name, status: c.status };
  const withIp = c.networks.filter((n) => n.ip !== '').sort((a, b) => a.name.localeCompare(b.name));
  const net = withIp.find((n) => n.aliases.some((a) => a.toLowerCase() === h)) ?? withIp[0];
  if (!net) return null;
  return { kind: 'address', service: c.service, container: c.name, network: net.name, ip: net.ip };
}
