// Pure builder for `deckhand ops upgrade-prep`: one on-target script that reads runtime, dependencies, outdated packages and migrations.
import type { Command } from '../core/command.js';
import { PM2_FILTER } from './verify-probe.js';

export interface UpgradePrepProbeSpec {
  app: string;
  base: string;
  /** The current release's strategy, as the ledger records it. */
  strategy: string;
  /** User the service runs as (systemd strategies), '' for the connecting user. */
  serviceUser: string;
  /** The ecosystem discovery found for the repository, '' when none: preferred when the release has its marker file. */
  ecosystemHint: string;
  /** Registry / index URL for the outdated queries, '' for each tool's own configuration. */
  registry: string;
  /** Skip the queries that need a registry. */
  offline: boolean;
  /** Hard bound of each outdated query, seconds. */
  outdatedTimeoutSec: number;
  pm2: string;
}

/**
 * The script. Output: `@@begin NAME` … `@@end NAME rc=N` sections (the readiness probe's format); a command's
 * stderr, when any, follows in a `NAME.err` section. Everything is read-only for the app: release files, the
 * process's executable through /proc, `--version` runs, the package tools' listing and outdated queries (which
 * only write their own caches), and the status commands of migration tools that never write the database.
 */
const SCRIPT = [
  'app="$1"; base="$2"; strategy="$3"; svc="$4"; hint="$5"; registry="$6"; offline="$7"; otmo="$8"; pm2="$9"; pm2f="${10}"',
  'uid=$(id -u); S=; if [ "$uid" = 0 ]; then priv=root; elif command -v sudo >/dev/null 2>&1 && sudo -n true >/dev/null 2>&1; then priv=sudo; S="sudo -n"; else priv=none; fi',
  'err=$(mktemp 2>/dev/null || echo /tmp/deckhand-upgrade-prep.$$); trap \'rm -f "$err"\' EXIT',
  // Every command under a hard bound when timeout(1) exists; the executor bounds the whole script regardless.
  'T() { s=$1; shift; if command -v timeout >/dev/null 2>&1; then timeout "$s" "$@"; else "$@"; fi; }',
  'say() { sn=$1; shift; echo "@@begin $sn"; printf "%s\\n" "$*"; echo "@@end $sn rc=0"; }',
  'cap() { n=$1; s=$2; shift 2; echo "@@begin $n"; T "$s" "$@" 2>"$err" </dev/null; r=$?; echo; echo "@@end $n rc=$r"; if [ -s "$err" ]; then echo "@@begin $n.err"; tail -n 20 "$err"; echo; echo "@@end $n.err rc=0"; fi; : >"$err"; }',
  'say priv "$priv"; say user "$(id -un)"',
  'rel=$(readlink -f "$base/current" 2>/dev/null)',
  'if [ -z "$rel" ] || ! cd "$rel" 2>/dev/null; then say release.error "$base/current does not lead to a release directory this user can enter"; exit 0; fi',
  'say release "$rel"; say release.id "${rel##*/}"',
  'echo "@@begin files"; for f in package.json package-lock.json npm-shrinkwrap.json yarn.lock pnpm-lock.yaml node_modules requirements.txt pyproject.toml Pipfile.lock poetry.lock .venv manage.py go.mod pom.xml build.gradle build.gradle.kts Gemfile Gemfile.lock bin/rails db/migrate prisma/schema.prisma knexfile.js knexfile.ts .sequelizerc; do [ -e "$f" ] && echo "$f"; done; echo "@@end files rc=0"',
  // The release's own files decide the ecosystem; discovery's answer wins only when the release has its marker.
  'has_eco() { case "$1" in node) [ -f package.json ];; python) [ -f requirements.txt ] || [ -f pyproject.toml ] || [ -f Pipfile.lock ] || [ -f manage.py ];; go) [ -f go.mod ];; jvm) [ -f pom.xml ] || [ -f build.gradle ] || [ -f build.gradle.kts ];; ruby) [ -f Gemfile ];; *) false;; esac; }',
  'eco=; if [ -n "$hint" ] && has_eco "$hint"; then eco=$hint; else for e in node python go jvm ruby; do if has_eco "$e"; then eco=$e; break; fi; done; fi',
  'say ecosystem "$eco"',
  'case "$eco" in node) rt=node;; python) rt=python3;; jvm) rt=java;; ruby) rt=ruby;; *) rt=;; esac',
  'vflag=--version; [ "$eco" = jvm ] && vflag=-version',
  // The docker CLI this user reaches the daemon with, only for container strategies.
  'D=; case "$strategy" in docker|compose) if T 15 docker version >/dev/null 2>&1; then D=docker; elif [ -n "$S" ] && T 15 sudo -n docker version >/dev/null 2>&1; then D="sudo -n docker"; fi; say docker "${D:-unreachable}";; esac',
  // The service's main process per strategy; pm2 is asked only when its daemon runs (jlist would start one).
  'pids=; ctr=; rc_ctr=',
  'case "$strategy" in',
  '  systemd) pids=$(systemctl show -p MainPID --value "$app.service" 2>/dev/null); say unit "$app.service";;',
  '  blue-green) port=$(sed -n "s/^[[:space:]]*server 127\\.0\\.0\\.1:\\([0-9][0-9]*\\);.*/\\1/p" "/etc/nginx/conf.d/$app-upstream.conf" 2>/dev/null | head -n 1)',
  '    say unit "$app@${port:-?}.service"; [ -n "$port" ] && pids=$(systemctl show -p MainPID --value "$app@$port.service" 2>/dev/null);;',
  '  pm2) if ! command -v "$pm2" >/dev/null 2>&1; then say pm2.problem "pm2 is not on PATH for $(id -un)"',
  '    elif ! kill -0 "$(cat "${PM2_HOME:-$HOME/.pm2}/pm2.pid" 2>/dev/null)" 2>/dev/null; then say pm2.problem "no pm2 daemon runs for $(id -un)"',
  '    else L=$(T 20 sh -c \'"$1" jlist 2>/dev/null | node -e "$2" "$3"\' deckhand-pm2 "$pm2" "$pm2f" "$app" 2>&1); echo "@@begin pm2"; printf "%s\\n" "$L"; echo "@@end pm2 rc=0"',
  '      pids=$(printf "%s\\n" "$L" | awk -F "\\t" \'$1 == "pm2" && $3 == "online" { print $6 }\'); fi;;',
  '  docker) [ -n "$D" ] && ctr=$app;;',
  '  compose) [ -n "$D" ] && ctr=$(T 15 $D ps -q --filter "label=com.docker.compose.project=$app" --filter label=com.docker.compose.oneoff=False 2>/dev/null);;',
  'esac',
  'say upstream "$([ -f "/etc/nginx/conf.d/$app-upstream.conf" ] && echo present || echo absent)"',
  // The main PID and its descendants (npm start → sh → node): the runtime is the first executable that matches it.
  // MainPID 0 means no process: its "children" would be every daemon on the host.
  'all=; q=; for p in $pids; do [ "$p" != 0 ] && q="$q $p"; done; d=0',
  'while [ -n "$q" ] && [ "$d" -lt 4 ]; do all="$all $q"; nx=; for p in $q; do nx="$nx $(ps -eo pid=,ppid= 2>/dev/null | awk -v p="$p" \'$2 == p { print $1 }\')"; done; q=$(echo $nx); d=$((d+1)); done',
  'pick=; echo "@@begin procs"; for p in $all; do [ "$p" = 0 ] && continue; x=$($S readlink "/proc/$p/exe" 2>/dev/null); echo "$p $x"',
  '  b=${x##*/}; b=${b% (deleted)}; [ -z "$pick" ] && case "$eco:$b" in node:node|node:nodejs|python:python*|jvm:java|ruby:ruby*) pick=$p;; go:sh|go:bash|go:dash|go:) ;; go:*) pick=$p;; esac',
  'done; echo "@@end procs rc=0"',
  'if [ -n "$pick" ]; then',
  '  x=$($S readlink "/proc/$pick/exe" 2>/dev/null); say running.pid "$pick"; say running.exe "$x"',
  // A binary replaced on disk since the start: only /proc/PID/exe still names the one that runs (readable by root).
  '  case "$x" in',
  '    *" (deleted)") if [ "$eco" = go ]; then cap running 15 $S go version "/proc/$pick/exe"; else cap running 15 $S "/proc/$pick/exe" $vflag; fi;;',
  '    *) if [ "$eco" = go ]; then if command -v go >/dev/null 2>&1; then cap running 15 go version "$x"; else say running.problem "go is not installed on the target, so the Go version built into $x cannot be read"; fi; else cap running 15 "$x" $vflag; fi;;',
  '  esac',
  'elif [ -n "$ctr" ] && [ -n "$rt" ]; then',
  '  for c in $ctr; do if T 20 $D exec "$c" "$rt" $vflag >/dev/null 2>&1; then rc_ctr=$c; say running.container "$c"; cap running 20 $D exec "$c" "$rt" $vflag; break; fi; done',
  'fi',
  // What the next start would run: the venv's interpreter for Python, else the runtime on PATH.
  'case "$eco" in',
  '  python) if [ -x .venv/bin/python ]; then say path.exe "$(readlink -f .venv/bin/python)"; cap path 15 .venv/bin/python --version; elif command -v python3 >/dev/null 2>&1; then say path.exe "$(command -v python3)"; cap path 15 python3 --version; fi;;',
  '  go) command -v go >/dev/null 2>&1 && { say path.exe "$(command -v go)"; cap path 15 go version; };;',
  '  *) [ -n "$rt" ] && command -v "$rt" >/dev/null 2>&1 && { say path.exe "$(command -v "$rt")"; cap path 15 "$rt" $vflag; };;',
  'esac',
  // Dependencies of the current release, and the ecosystem's own outdated query.
  'case "$eco" in',
  '  node)',
  '    echo "@@begin package.json"; head -c 262144 package.json; echo; echo "@@end package.json rc=0"',
  '    if [ -d node_modules ]; then echo "@@begin installed"; for m in node_modules/*/ node_modules/@*/*/; do f="${m}package.json"; [ -r "$f" ] || continue; v=$(grep -m 1 -o \'"version"[[:space:]]*:[[:space:]]*"[^"]*"\' "$f" | sed \'s/.*"\\([^"]*\\)"$/\\1/\'); n=${m#node_modules/}; echo "${n%/} $v"; done | head -n 5000; echo "@@end installed rc=0"',
  '    elif [ -f package-lock.json ]; then echo "@@begin locked"; awk \'/^    "node_modules\\/[^"]*": [{]/ { n = $0; sub(/^ *"node_modules\\//, "", n); sub(/": [{].*/, "", n); if (n ~ /\\/node_modules\\//) n = ""; next } n != "" && /^      "version": "/ { v = $0; sub(/^ *"version": "/, "", v); sub(/".*/, "", v); print n, v; n = "" }\' package-lock.json | head -n 5000; echo "@@end locked rc=0"; fi',
  '    if [ "$offline" = 1 ]; then :; elif ! command -v npm >/dev/null 2>&1; then say outdated.problem "npm is not on PATH for $(id -un)"',
  '    else cap outdated "$otmo" npm outdated --json --fetch-retries=0 --fetch-timeout=15000 --logs-max=0 --no-update-notifier ${registry:+--registry="$registry"}; fi;;',
  '  python)',
  '    [ -f requirements.txt ] && { echo "@@begin requirements.txt"; head -c 65536 requirements.txt; echo; echo "@@end requirements.txt rc=0"; }',
  '    if [ -x .venv/bin/python ]; then cap pip-list 60 .venv/bin/python -m pip list --format json --disable-pip-version-check',
  // pip prints an empty list, exit 0, when the index cannot be reached: the index is tried first, on its own.
  '      if [ "$offline" != 1 ]; then idx=$registry; [ -z "$idx" ] && idx=$(T 15 .venv/bin/python -m pip config get global.index-url 2>/dev/null); idx=${idx:-https://pypi.org/simple}',
  '        if T 20 .venv/bin/python -c "import sys, urllib.request; urllib.request.urlopen(sys.argv[1].rstrip(\'/\') + \'/pip/\', timeout=10).read(1)" "$idx" >/dev/null 2>"$err"; then say pip-index "$idx"',
  '          cap outdated "$otmo" .venv/bin/python -m pip list --outdated --format json --disable-pip-version-check --timeout 10 --retries 0 --index-url "$idx"',
  '        else say outdated.problem "the package index $idx cannot be reached from the target: $(tail -n 1 "$err")"; : >"$err"; fi',
  '      fi',
  '    else say deps.problem "no virtualenv (.venv) in the release: the packages the app imports cannot be told from the system\'s"; fi;;',
  '  go)',
  '    echo "@@begin go.mod"; head -c 65536 go.mod; echo; echo "@@end go.mod rc=0"',
  '    if [ "$offline" = 1 ]; then :; elif ! command -v go >/dev/null 2>&1; then say outdated.problem "go is not installed on the target"',
  '    else cap outdated "$otmo" env ${registry:+GOPROXY="$registry"} go list -m -u -f "{{if and (not .Main) .Update}}{{.Path}} {{.Version}} {{.Update.Version}}{{end}}" all; fi;;',
  'esac',
  // Migrations: detected from the release; only status commands that never write run, as the service user with its env file.
  'mig=; mcmd=; why=',
  'case "$eco" in',
  '  node) if [ -f prisma/schema.prisma ]; then if [ -x node_modules/.bin/prisma ]; then mig=prisma; mcmd="node_modules/.bin/prisma migrate status"; else why="prisma/schema.prisma is there but the prisma CLI is not installed in the release (a production install leaves it out)"; fi',
  '    elif [ -f knexfile.js ] || [ -f knexfile.ts ]; then why="knex: its migrate:list creates the knex_migrations table when missing, so deckhand does not run it"',
  '    elif [ -f .sequelizerc ] || [ -x node_modules/.bin/sequelize ]; then why="sequelize: db:migrate:status creates the SequelizeMeta table when missing, so deckhand does not run it"; fi;;',
  '  python) if [ -f manage.py ]; then mig=django; py=python3; [ -x .venv/bin/python ] && py=.venv/bin/python; mcmd="$py manage.py showmigrations --plan"; fi;;',
  '  ruby) if [ -x bin/rails ] && [ -d db/migrate ]; then mig=rails; mcmd="bin/rails db:migrate:status"; fi;;',
  'esac',
  'say migrations.tool "$mig"; [ -n "$mcmd" ] && say migrations.command "$mcmd"; [ -n "$why" ] && say migrations.problem "$why"',
  'if [ -n "$mig" ]; then',
  '  envf="$base/shared/.env"',
  // Read so that deckhand masks its values in whatever the tool prints; it never leaves deckhand unmasked.
  '  echo "@@begin envfile"; $S cat "$envf" 2>/dev/null; echo; echo "@@end envfile rc=0"',
  '  me=$(id -un); as=; if [ -n "$svc" ] && [ "$svc" != "$me" ]; then if [ "$uid" = 0 ]; then as="runuser -u $svc --"; elif [ -n "$S" ]; then as="sudo -n -u $svc --"; else as=none; fi; fi',
  '  if [ "$as" = none ]; then say migrations.problem "$me cannot run commands as $svc (not root, no passwordless sudo)"',
  '  elif [ -n "$rc_ctr" ]; then cap migrations 60 $D exec "$rc_ctr" $mcmd',
  '  elif [ -n "$ctr" ]; then say migrations.problem "no container of $app answered with its runtime, so deckhand could not tell where to run $mcmd"',
  // The deploy step loads the env file the same way before it migrates.
  '  else cap migrations 60 $as sh -c \'if [ -r "$1" ]; then set -a; . "$1"; set +a; fi; shift; exec "$@"\' deckhand-env "$envf" $mcmd; fi',
  'fi',
].join('\n');

export function upgradePrepProbeCommand(s: UpgradePrepProbeSpec): Command {
  const otmo = Math.max(5, Math.round(s.outdatedTimeoutSec));
  return {
    argv: [
      'sh', '-c', SCRIPT, 'deckhand-upgrade-prep', s.app, s.base, s.strategy, s.serviceUser, s.ecosystemHint, s.registry, s.offline ? '1' : '0',
      String(otmo), s.pm2, PM2_FILTER,
    ],
    mutates: false,
    // Runtime and listing probes (~15 s each at worst), the outdated query, the migration status (60 s).
    timeoutMs: (otmo + 180) * 1000,
    description: `read the runtime, dependencies, outdated packages and migrations of ${s.app} in ${s.base}/current`,
  };
}
