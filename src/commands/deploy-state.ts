// Pure builder for the pre-deploy probe: who we are, what the host has, and the app's state, in one round trip.
import type { Command } from '../core/command.js';

export const STATE_TOOLS = ['rsync', 'tar', 'node', 'npm', 'python3', 'pm2', 'docker', 'git', 'curl', 'systemd-analyze', 'nginx', 'go', 'java'] as const;

/**
 * Docker access and compose flavour, as tool.* flags: docker-direct (the daemon answers this user: root or the
 * docker group), docker-sudo (only through `sudo -n`), compose-v2 (plugin), compose-wait (its `up --wait`),
 * compose-v1 (docker-compose), swarm-manager (the engine is a swarm manager: the swarm strategy needs one). Bounded by `timeout` so a hung daemon cannot stall the probe.
 */
const DOCKER_PROBE = [
  'to=; command -v timeout >/dev/null 2>&1 && to="timeout 15"; dd=0; ds=0; c2=0; cw=0; c1=0; sm=0',
  'if command -v docker >/dev/null 2>&1; then',
  '  if $to docker version --format "{{.Server.Version}}" >/dev/null 2>&1; then dd=1; elif [ "$uid" != 0 ] && [ "$s" = 1 ] && $to sudo -n docker version --format "{{.Server.Version}}" >/dev/null 2>&1; then ds=1; fi',
  '  if [ "$dd" = 1 ]; then dk=docker; else dk="sudo -n docker"; fi',
  '  if [ "$dd$ds" != 00 ] && [ "$($to $dk info --format "{{.Swarm.ControlAvailable}}" 2>/dev/null)" = true ]; then sm=1; fi',
  '  if $to docker compose version >/dev/null 2>&1; then c2=1; $to docker compose up --help 2>/dev/null | grep -q -e "--wait" && cw=1; fi',
  'fi',
  'if command -v docker-compose >/dev/null 2>&1 && $to docker-compose version >/dev/null 2>&1; then c1=1; fi',
  'echo "tool.docker-direct=$dd"; echo "tool.docker-sudo=$ds"; echo "tool.compose-v2=$c2"; echo "tool.compose-wait=$cw"; echo "tool.compose-v1=$c1"; echo "tool.swarm-manager=$sm"',
];

/**
 * Prints key=value lines and @@name … @@end sections. The base directory is decided here when not given:
 * /opt/<app> when the user is root or has passwordless sudo, else ~/.deckhand/apps/<app> (DESIGN §5).
 */
export function deployStateCommand(app: string, baseOverride: string | null): Command {
  const script = [
    'app="$1"; b="$2"; uid=$(id -u)',
    'echo "user=$(id -un)"; echo "uid=$uid"; echo "home=$HOME"; echo "hostname=$(hostname 2>/dev/null || uname -n)"',
    'if [ "$uid" = 0 ]; then s=1; elif command -v sudo >/dev/null 2>&1 && sudo -n true >/dev/null 2>&1; then s=1; else s=0; fi; echo "sudo=$s"',
    '[ -d /run/systemd/system ] && echo systemd=1 || echo systemd=0',
    `for t in ${STATE_TOOLS.join(' ')}; do if command -v "$t" >/dev/null 2>&1; then echo "tool.$t=1"; else echo "tool.$t=0"; fi; done`,
    ...DOCKER_PROBE,
    'if [ -z "$b" ]; then if [ "$s" = 1 ]; then b="/opt/$app"; else b="$HOME/.deckhand/apps/$app"; fi; fi; echo "base=$b"',
    '[ -d "$b" ] && echo base_exists=1 || echo base_exists=0',
    'echo "current=$(readlink "$b/current" 2>/dev/null)"',
    'echo @@ledger; cat "$b/.deckhand/ledger.json" 2>/dev/null; echo; echo @@end',
    'echo @@lock; cat "$b/.deckhand/lock" 2>/dev/null; echo @@end',
    'echo @@releases; ls -1 "$b/releases" 2>/dev/null; echo @@end',
    'u="/etc/systemd/system/$app.service"; if [ -f "$u" ]; then echo "unit=$(cksum < "$u" | tr " " -)"; else echo unit=; fi',
  ].join('\n');
  return { argv: ['sh', '-c', script, 'deckhand-state', app, baseOverride ?? ''], mutates: false, timeoutMs: 30_000, description: 'read the target state' };
}
