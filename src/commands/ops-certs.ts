// Pure builders for `deckhand ops certs`: the certificate inventory, TLS handshakes with SNI, certbot renewal of one lineage.
import type { Command } from '../core/command.js';

export const DEFAULT_LETSENCRYPT = '/etc/letsencrypt';

/**
 * Runs `script` as root when possible, decided on the target in the same round trip: root as is, passwordless
 * sudo through `sudo -n`, anyone else as themselves (reading what they can). The script sees $DH_PRIV.
 */
function asRootIfPossible(script: string, name: string, args: readonly string[], extra: Omit<Command, 'argv'>): Command {
  const wrap = [
    's="$1"; shift',
    'if [ "$(id -u)" = 0 ]; then DH_PRIV=root exec sh -c "$s" "$0" "$@"',
    'elif command -v sudo >/dev/null 2>&1 && sudo -n true >/dev/null 2>&1; then exec sudo -n env DH_PRIV=sudo sh -c "$s" "$0" "$@"',
    'else DH_PRIV=none exec sh -c "$s" "$0" "$@"; fi',
  ].join('\n');
  return { argv: ['sh', '-c', wrap, name, script, ...args], ...extra };
}

/** openssl's view of one PEM file (its first certificate): subject, issuer, dates, fingerprint, then the SAN extension. */
const READ_CERT = [
  'readcert() {',
  '  $to openssl x509 -in "$1" -noout -subject -issuer -startdate -enddate -fingerprint -sha256 -nameopt RFC2253 2>&1; echo "rc=$?"',
  // -ext needs OpenSSL 1.1.1; an older one only loses the SAN list.
  '  $to openssl x509 -in "$1" -noout -ext subjectAltName 2>/dev/null | tail -n +2 | tr -d " " | sed "s/^/san=/"',
  '}',
].join('\n');

/**
 * One round trip for everything on disk: tools, the target's clock, `nginx -T` (the whole configuration, as nginx
 * reads it), each certbot lineage (live/<name>/fullchain.pem and whether renewal/<name>.conf exists), and each
 * file an `ssl_certificate` line names, read with openssl. Sections: @@nginx, @@lineage <name>, @@file <path>.
 */
export function certInventoryCommand(letsencryptDir: string, nginxConf: string | null): Command {
  const script = [
    'PATH="$PATH:/usr/sbin:/sbin"; le="$1"; main="$2"',
    'echo "priv=$DH_PRIV"; echo "now=$(date +%s)"',
    'to=; command -v timeout >/dev/null 2>&1 && to="timeout 20"',
    'for t in openssl certbot nginx; do if command -v "$t" >/dev/null 2>&1; then echo "tool.$t=1"; else echo "tool.$t=0"; fi; done',
    READ_CERT,
    'files=',
    'if command -v nginx >/dev/null 2>&1; then',
    '  if [ -n "$main" ]; then set -- -c "$main"; else set --; fi',
    '  out=$($to nginx -T "$@" 2>&1); rc=$?',
    '  echo "@@nginx $rc"; printf "%s\\n" "$out"',
    // The files `ssl_certificate` lines name (not ssl_certificate_key), quotes removed, each once.
    '  files=$(printf "%s\\n" "$out" | sed -n "s/^[[:space:]]*ssl_certificate[[:space:]][[:space:]]*\\([^;]*\\);.*/\\1/p" | tr -d "\\"\'" | sort -u)',
    'fi',
    'if command -v openssl >/dev/null 2>&1; then',
    '  for d in "$le"/live/*/; do',
    '    [ -d "$d" ] || continue; n=$(basename "$d")',
    '    echo "@@lineage $n"; echo "path=$d""fullchain.pem"; echo "real=$(readlink -f "$d""fullchain.pem")"',
    '    if [ -f "$le/renewal/$n.conf" ]; then echo renewal=1; else echo renewal=0; fi',
    '    readcert "$d""fullchain.pem"',
    '  done',
    '  printf "%s\\n" "$files" | while IFS= read -r f; do',
    '    [ -n "$f" ] || continue',
    '    echo "@@file $f"; echo "real=$(readlink -f "$f")"',
    '    case "$f" in *\\$*) echo "variable=1"; continue;; esac',
    '    readcert "$f"',
    '  done',
    'fi',
    'echo @@end',
  ].join('\n');
  return asRootIfPossible(script, 'deckhand-certs-inventory', [letsencryptDir, nginxConf ?? ''], {
    mutates: false, timeoutMs: 120_000, description: `list certificates: ${letsencryptDir}/live/*, nginx -T ssl_certificate files (openssl x509)`,
  });
}

/** Where to shake hands: the name sent as SNI, the address and port nginx listens on, the fingerprint hoped for (or ''). */
export interface HandshakeSpec { domain: string; host: string; port: number; expect: string }

/**
 * TLS handshakes with SNI against the target's own listeners, each reduced to the served certificate's
 * fingerprint, dates and subject. With `expect`, a handshake is repeated (1 s apart, up to `attempts`) until that
 * fingerprint is served: after a reload, old workers finish their connections while new ones take over.
 */
export function handshakesCommand(specs: readonly HandshakeSpec[], attempts: number): Command {
  const script = [
    'n="$1"; shift',
    'to=; command -v timeout >/dev/null 2>&1 && to="timeout 15"',
    'for spec in "$@"; do',
    '  d=${spec%%|*}; r=${spec#*|}; h=${r%%|*}; r=${r#*|}; p=${r%%|*}; want=${r#*|}',
    '  i=0',
    '  while :; do',
    '    out=$($to openssl s_client -connect "$h:$p" -servername "$d" </dev/null 2>&1)',
    '    info=$(printf "%s\\n" "$out" | openssl x509 -noout -fingerprint -sha256 -enddate -subject -issuer -nameopt RFC2253 2>/dev/null)',
    '    got=$(printf "%s\\n" "$info" | sed -n "s/^sha256 Fingerprint=//p")',
    '    i=$((i+1))',
    '    if [ -z "$want" ] || [ "$got" = "$want" ] || [ "$i" -ge "$n" ]; then break; fi',
    '    sleep 1',
    '  done',
    '  echo "@@served $d $h $p"; echo "attempts=$i"',
    '  if [ -n "$info" ]; then printf "%s\\n" "$info"; else printf "%s\\n" "$out" | grep -iE "error|errno|refused|unreachable|timed out|no peer certificate" | head -n 3 | sed "s/^/error=/"; fi',
    'done',
    'echo @@end',
  ].join('\n');
  const n = Math.max(1, Math.floor(attempts));
  return {
    argv: ['sh', '-c', script, 'deckhand-certs-served', String(n), ...specs.map((s) => `${s.domain}|${s.host}|${s.port}|${s.expect}`)],
    mutates: false, timeoutMs: 30_000 + specs.length * n * 17_000,
    description: `TLS handshake with SNI: ${specs.map((s) => `${s.domain} at ${s.host}:${s.port}`).join(', ')}`,
  };
}

export interface RenewSpec {
  certName: string;
  letsencryptDir: string;
  /** ACME directory URL; null keeps the one the lineage was issued from. */
  server: string | null;
  /** PEM file on the target that certbot trusts for the ACME server (a private CA such as pebble's). */
  caBundle: string | null;
}

/** certbot's directories: its defaults for /etc/letsencrypt, else work and logs beside the lineages (certbot locks its work dir). */
export function certbotDirArgs(letsencryptDir: string): string[] {
  if (letsencryptDir === DEFAULT_LETSENCRYPT) return [];
  return ['--config-dir', letsencryptDir, '--work-dir', `${letsencryptDir}/work`, '--logs-dir', `${letsencryptDir}/logs`];
}

/**
 * `certbot renew` of one lineage, forced (deckhand's window decided it is due), without certbot's random delay of
 * up to 8 minutes for non-interactive runs; then the lineage's certificate as openssl reads it (@@after).
 * REQUESTS_CA_BUNDLE goes through `env` inside argv: sudo resets the environment.
 */
export function certbotRenewCommand(s: RenewSpec): Command {
  const certbot = [
    ...(s.caBundle ? ['env', `REQUESTS_CA_BUNDLE=${s.caBundle}`] : []),
    'certbot', 'renew', '--cert-name', s.certName, '--force-renewal', '--non-interactive', '--no-random-sleep-on-renew',
    ...certbotDirArgs(s.letsencryptDir), ...(s.server ? ['--server', s.server] : []),
  ];
  const script = [
    'le="$1"; name="$2"; shift 2',
    'to=; command -v timeout >/dev/null 2>&1 && to="timeout 20"',
    READ_CERT,
    '"$@" 2>&1; rc=$?',
    'echo "@@certbot $rc"',
    'echo "@@after"; echo "real=$(readlink -f "$le/live/$name/fullchain.pem")"; readcert "$le/live/$name/fullchain.pem"',
    'echo @@end',
  ].join('\n');
  return {
    argv: ['sh', '-c', script, 'deckhand-certs-renew', s.letsencryptDir, s.certName, ...certbot],
    mutates: true, timeoutMs: 300_000, description: `renew the certificate ${s.certName} with certbot (forced: it expires within the window)`,
  };
}
