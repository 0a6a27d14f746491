#!/bin/sh
# Initialise the cluster in $PGDATA on first start, then run PostgreSQL in the foreground.
#   POSTGRES_PASSWORD  required on first start: password of POSTGRES_USER (scram-sha-256)
#   POSTGRES_USER      superuser to create (default app)
#   POSTGRES_DB        database to create, owned by POSTGRES_USER (default app)
set -eu

PGBIN=${PGBIN:-/usr/local/lib/postgresql-bin}
PGDATA=${PGDATA:-/var/lib/postgresql/data}
POSTGRES_USER=${POSTGRES_USER:-app}
POSTGRES_DB=${POSTGRES_DB:-app}
SOCKET_DIR=${PGSOCKET_DIR:-/run/postgresql}
export PGDATA

# "docker run IMAGE -c key=value" passes server options; any other command runs as given.
case "${1:-postgres}" in
  -*) ;;
  postgres) [ "$#" -gt 0 ] && shift ;;
  *) exec "$@" ;;
esac

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  if [ -z "${POSTGRES_PASSWORD:-}" ]; then
    echo "db: POSTGRES_PASSWORD must be set to initialise the database" >&2
    exit 1
  fi
  echo "db: initialising the cluster in $PGDATA"
  pwfile=$(mktemp)
  printf '%s\n' "$POSTGRES_PASSWORD" >"$pwfile"
  "$PGBIN/initdb" --pgdata="$PGDATA" --username="$POSTGRES_USER" --pwfile="$pwfile" \
    --auth-local=peer --auth-host=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 >/dev/null
  rm -f "$pwfile"

  # Peer auth maps the OS user postgres to the superuser for the setup below and for pg_isready.
  cat >"$PGDATA/pg_ident.conf" <<IDENT
local postgres $POSTGRES_USER
IDENT
  sed -i "s/^local\(\s\+all\s\+all\s\+\)peer\$/local\1peer map=local/" "$PGDATA/pg_hba.conf"
  # Clients on the compose network authenticate with the password.
  printf 'host all all 0.0.0.0/0 scram-sha-256\nhost all all ::/0 scram-sha-256\n' >>"$PGDATA/pg_hba.conf"
  cat >>"$PGDATA/postgresql.conf" <<CONF
listen_addresses = '*'
unix_socket_directories = '$SOCKET_DIR'
password_encryption = scram-sha-256
CONF

  if [ "$POSTGRES_DB" != "postgres" ]; then
    "$PGBIN/pg_ctl" --pgdata="$PGDATA" --wait --silent -o "-c listen_addresses=''" start
    "$PGBIN/createdb" --host="$SOCKET_DIR" --username="$POSTGRES_USER" --owner="$POSTGRES_USER" "$POSTGRES_DB" \
      || { "$PGBIN/pg_ctl" --pgdata="$PGDATA" --wait --silent stop; exit 1; }
    "$PGBIN/pg_ctl" --pgdata="$PGDATA" --wait --silent stop
  fi
  echo "db: cluster initialised (user $POSTGRES_USER, database $POSTGRES_DB)"
fi

exec "$PGBIN/postgres" -D "$PGDATA" "$@"
