// Pure builder for the pre-deploy probe: who we are, what the host has, and the app's state, in one round trip.
import type { Command } from '../core/command.js';

export const STATE_TOOLS = ['rsync', 'tar', 'node', 'npm', 'python3', 'pm2', 'docker', 'git', 'curl', 'systemd-analyze', 'nginx', 'go', 'java'] as const;

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
