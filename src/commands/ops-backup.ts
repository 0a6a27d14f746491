// Pure builder for `deckhand ops backup-verify`: one script that restores a dump into a throwaway PostgreSQL server and counts rows.
import type { Command } from '../core/command.js';

export interface RestoreSpec {
  /** A dump file (or pg_dump directory) on the target, or null to take one with pg_dump from `sourceUrl`. */
  dump: string | null;
  /** postgres:// URL without its password (the password travels on stdin), for a fresh pg_dump. */
  sourceUrl: string | null;
  /** Directory the sandbox is made in (mktemp -d). */
  workDir: string;
  /** Upper bound of the whole run; a detached watchdog removes the sandbox if the run is killed before cleaning up. */
  timeoutSec: number;
}

/** Format, compression and size of the dump; `trailer=1` when a plain dump ends with pg_dump's "complete" line. */
const DETECT = [
  'cat_dump() { if [ "$gz" = 1 ]; then gzip -dc "$dump"; else cat "$dump"; fi; }',
  'detect() {',
  '  gz=0; fmt=unknown',
  '  if [ -d "$dump" ]; then [ -f "$dump/toc.dat" ] && fmt=pg-directory; echo "size=$(du -sb "$dump" 2>/dev/null | cut -f1)"; echo "format=$fmt"; echo "compressed=none"; return; fi',
  '  echo "size=$(wc -c < "$dump")"',
  '  [ "$(od -An -tx1 -N2 "$dump" | tr -d " \\n")" = 1f8b ] && gz=1',
  '  head5=$(cat_dump 2>/dev/null | head -c 5)',
  '  if [ "$head5" = PGDMP ]; then fmt=pg-custom',
  '  elif [ "$(cat_dump 2>/dev/null | head -c 7)" = toc.dat ]; then fmt=pg-tar',
  '  else',
  '    head=$(cat_dump 2>/dev/null | head -c 65536)',
  '    case "$head" in',
  '      *"PostgreSQL database dump"*) fmt=pg-plain; if cat_dump 2>/dev/null | tail -c 4096 | grep -q "PostgreSQL database dump complete"; then echo trailer=1; else echo trailer=0; fi;;',
  '      *"MySQL dump"*|*"MariaDB dump"*) fmt=mysql;;',
  '    esac',
  '  fi',
  '  echo "format=$fmt"; if [ "$gz" = 1 ]; then echo compressed=gzip; else echo compressed=none; fi',
  '}',
].join('\n');

/**
 * The watchdog's script ($1 seconds, $2 sandbox): when the run ends normally it is sent TERM and stops its sleep;
 * otherwise it stops the server (SIGQUIT to the postmaster: immediate shutdown) and removes the sandbox.
 */
const WATCHDOG = [
  'sleep "$1" & s=$!',
  'trap \'kill "$s" 2>/dev/null; exit 0\' TERM',
  'wait "$s"',
  'p=$(head -n 1 "$2/data/postmaster.pid" 2>/dev/null); [ -n "$p" ] && kill -QUIT "$p" 2>/dev/null; sleep 3; rm -rf "$2"',
].join('\n');

/** Roles a plain dump names as owners or grantees: created empty in the sandbox, so ALTER … OWNER TO and GRANT … TO work. */
const PLAIN_ROLES = 'cat_dump | sed -n -e "s/^ALTER .* OWNER TO \\(.*\\);$/\\1/p" -e "s/^GRANT .* TO \\(.*\\);$/\\1/p" | tr "," "\\n" | sed "s/^ *//; s/ *$//" | grep -v -i -x -e public -e "" | sort -u';

/**
 * The check: every table outside the system schemas with its exact row count (a temporary function runs
 * count(*) per table), and the restored database's size. Tab-separated: schema, table, rows.
 */
export const COUNT_SQL = [
  "CREATE FUNCTION pg_temp.deckhand_rows(regclass) RETURNS bigint LANGUAGE plpgsql AS $f$ DECLARE n bigint; BEGIN EXECUTE 'SELECT count(*) FROM ' || $1::text INTO n; RETURN n; END $f$;",
  "SELECT n.nspname, c.relname, pg_temp.deckhand_rows(c.oid) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%' AND NOT c.relispartition ORDER BY 1, 2 LIMIT 1000;",
].join(' ');

/**
 * One round trip: find PostgreSQL's server binaries (never the system cluster: a new one is made), optionally take
 * a fresh pg_dump, detect the dump's format, initdb a cluster in a private temp dir as an unprivileged user (the
 * `postgres` account, else nobody, when connected as root), start it on a Unix socket in that dir only (no TCP
 * listener), restore, count rows, stop it and remove the dir. Every step prints `@@<step> <exit>` with its
 * output; `@@t <name> <uptime>` marks time. A trap cleans up on every exit; a detached watchdog does it if the
 * run is killed outright.
 */
export function restoreCheckCommand(s: RestoreSpec): Command {
  const script = [
    'dump="$1"; url="$2"; workdir="$3"; limit="$4"; WATCHDOG="$6"',
    'PATH="$PATH:/usr/sbin:/sbin"',
    'mark() { echo "@@t $1 $(cut -d " " -f 1 /proc/uptime 2>/dev/null)"; }',
    'say() { tail -n 12 "$1" 2>/dev/null | sed "s/^/  /"; }',
    'pgbin=; for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t / -k 5 -n -r); do if [ -x "$d/initdb" ]; then pgbin=$d; break; fi; done',
    '[ -z "$pgbin" ] && command -v initdb >/dev/null 2>&1 && pgbin=$(dirname "$(command -v initdb)")',
    'tool() { if [ -n "$pgbin" ] && [ -x "$pgbin/$1" ]; then echo "$pgbin/$1"; else command -v "$1" 2>/dev/null; fi; }',
    'echo "uid=$(id -u)"; echo "pgbin=$pgbin"; echo "mysqld=$(command -v mariadbd || command -v mysqld || true)"',
    DETECT,
    '[ -n "$pgbin" ] && echo "pgversion=$("$pgbin/postgres" --version 2>/dev/null)"',
    'if [ -z "$dump" ] && [ -z "$(tool pg_dump)" ]; then echo "@@missing pg_dump"; exit 0; fi',
    'if [ -n "$dump" ]; then',
    '  if [ ! -e "$dump" ]; then echo "@@nodump"; exit 0; fi',
    '  if [ ! -r "$dump" ]; then echo "@@unreadable"; exit 0; fi',
    '  echo @@detect; detect',
    '  case "$fmt" in mysql) echo "@@mysql"; exit 0;; unknown) echo "@@unknown"; exit 0;; esac',
    'fi',
    'if [ -z "$pgbin" ]; then echo "@@missing initdb"; exit 0; fi',
    'u=$(id -un); AS=',
    'if [ "$(id -u)" = 0 ]; then',
    '  u=postgres; id -u postgres >/dev/null 2>&1 || u=nobody',
    '  command -v runuser >/dev/null 2>&1 || { echo "@@missing runuser"; exit 0; }',
    '  AS="runuser -u $u --"',
    'fi',
    'echo "server_user=$u"',
    'sb=$(mktemp -d "$workdir/deckhand-restore.XXXXXX") || { echo "@@mktemp 1"; exit 0; }',
    'echo "sandbox=$sb"',
    'started=0',
    'cleanup() {',
    '  if [ "$started" = 1 ]; then $AS "$pgbin/pg_ctl" -D "$sb/data" -m immediate -w -t 30 stop >/dev/null 2>&1; echo "@@stop $?"; fi',
    '  rm -rf "$sb"; if [ -e "$sb" ]; then echo "@@removed 1"; else echo "@@removed 0"; fi',
    '  [ -n "$wd" ] && kill "$wd" 2>/dev/null',
    '}',
    'wd=; trap cleanup EXIT; trap "exit 130" INT TERM HUP',
    // Detached (own session): it outlives a run killed with its process group, stops the server and removes the dir.
    'if command -v setsid >/dev/null 2>&1; then',
    '  setsid sh -c "$WATCHDOG" deckhand-restore-watchdog "$((limit + 60))" "$sb" </dev/null >/dev/null 2>&1 &',
    '  wd=$!',
    'fi',
    '[ "$(id -u)" = 0 ] && chown "$u" "$sb"; chmod 700 "$sb"',
    'mark initdb',
    '$AS "$pgbin/initdb" -D "$sb/data" -U deckhand --auth=trust --no-sync -E UTF8 --locale=C >"$sb/initdb.log" 2>&1; rc=$?',
    'echo "@@initdb $rc"; [ "$rc" = 0 ] || { say "$sb/initdb.log"; exit 0; }',
    'mark start',
    '$AS "$pgbin/pg_ctl" -D "$sb/data" -l "$sb/data/server.log" -w -t 60 -o "-c listen_addresses= -k $sb -c fsync=off -c full_page_writes=off -c synchronous_commit=off" start >"$sb/start.log" 2>&1; rc=$?',
    'started=1; echo "@@start $rc"; [ "$rc" = 0 ] || { say "$sb/start.log"; say "$sb/data/server.log"; exit 0; }',
    'psql=$(tool psql); restore=$(tool pg_restore)',
    'q() { "$psql" -h "$sb" -U deckhand -X -q -v ON_ERROR_STOP=1 "$@"; }',
    'if [ -z "$dump" ]; then',
    '  mark dump',
    '  IFS= read -r PGPASSWORD || true; export PGPASSWORD; [ -n "$PGPASSWORD" ] || unset PGPASSWORD',
    '  $(tool pg_dump) -Fc -f "$sb/fresh.dump" -d "$url" >"$sb/dump.log" 2>&1; rc=$?; unset PGPASSWORD',
    '  echo "@@pgdump $rc"; [ "$rc" = 0 ] || { say "$sb/dump.log"; exit 0; }',
    '  dump="$sb/fresh.dump"; echo @@detect; detect',
    'fi',
    'q -d postgres -c "CREATE DATABASE restored" >/dev/null 2>"$sb/create.log" || { echo "@@createdb 1"; say "$sb/create.log"; exit 0; }',
    'mark restore',
    'case "$fmt" in',
    '  pg-plain)',
    `    for r in $(${PLAIN_ROLES}); do q -d postgres -c "CREATE ROLE $r" >/dev/null 2>&1; done`,
    '    cat_dump | q -d restored >/dev/null 2>"$sb/restore.log"; rc=$?;;',
    '  *)',
    '    if [ "$gz" = 1 ]; then gzip -dc "$dump" | "$restore" -h "$sb" -U deckhand -d restored --no-owner --no-privileges --exit-on-error >/dev/null 2>"$sb/restore.log"; rc=$?',
    '    else "$restore" -h "$sb" -U deckhand -d restored --no-owner --no-privileges --exit-on-error "$dump" >/dev/null 2>"$sb/restore.log"; rc=$?; fi;;',
    'esac',
    'mark restored',
    'echo "@@restore $rc"; say "$sb/restore.log"; [ "$rc" = 0 ] || exit 0',
    'echo "@@tables"',
    'q -d restored -A -t -F "$(printf "\\t")" -c "$5" 2>&1; echo "@@count $?"',
    'echo "dbsize=$(q -d restored -A -t -c "SELECT pg_database_size(current_database())" 2>/dev/null)"',
    'mark checked',
    'echo "@@done"',
  ].join('\n');
  return {
    argv: ['sh', '-c', script, 'deckhand-backup-verify', s.dump ?? '', s.sourceUrl ?? '', s.workDir, String(s.timeoutSec), COUNT_SQL, WATCHDOG],
    mutates: true, timeoutMs: s.timeoutSec * 1000,
    description: s.dump !== null
      ? `restore ${s.dump} into a throwaway PostgreSQL server in ${s.workDir}, count rows, remove it`
      : `pg_dump the app's database, restore it into a throwaway PostgreSQL server in ${s.workDir}, count rows, remove it`,
  };
}
