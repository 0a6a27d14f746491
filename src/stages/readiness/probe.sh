# deckhand readiness probe: one POSIX sh script, one round trip, every probe bounded by a timeout.
# Parameters (DH_*) are set by the generated prelude above this line, every value shell-quoted.
# Output: sections "@@begin NAME" ... "@@end NAME rc=N", parsed by parse.ts.
LC_ALL=C
export LC_ALL
# Non-login sessions often lack the sbin directories where nginx and sshd live.
PATH="$PATH:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
export PATH
umask 077

T=$(mktemp -d 2>/dev/null) || { T="/tmp/deckhand-probe.$$"; mkdir -m 700 "$T" || exit 90; }
trap 'rm -rf "$T"' EXIT
trap 'rm -rf "$T"; exit 130' INT TERM

# to SECONDS CMD...: run CMD bounded in time, with GNU, BusyBox or no timeout(1).
if timeout 2 true >/dev/null 2>&1; then
  to() { timeout "$@"; }
elif timeout -t 2 true >/dev/null 2>&1; then
  to() { _ts=$1; shift; timeout -t "$_ts" "$@"; }
else
  # Names are prefixed: sh has no local variables and callers use short ones.
  to() {
    _ts=$1; shift
    "$@" &
    _tp=$!
    # The watchdog kills its own sleep when it is stopped, so no stray sleeps outlive the probe.
    ( trap 'kill "$_tz" 2>/dev/null; exit 0' TERM; sleep "$_ts" & _tz=$!; wait "$_tz" && kill -9 "$_tp" ) >/dev/null 2>&1 &
    _tw=$!
    wait "$_tp"; _tr=$?
    kill "$_tw" >/dev/null 2>&1
    return "$_tr"
  }
fi

has() { command -v "$1" >/dev/null 2>&1; }

# sect NAME CMD...: run CMD now and print it as a section.
# CMD runs in this shell and may set any short name (env_probe loops with n): sect's own names are prefixed.
sect() {
  _sn=$1; shift
  printf '@@begin %s\n' "$_sn"
  "$@" 2>&1
  _sr=$?
  printf '\n@@end %s rc=%s\n' "$_sn" "$_sr"
}

# job NAME CMD...: run CMD in the background into a file; printed after `wait`.
JOBS=""
job() {
  n=$1; shift
  JOBS="$JOBS $n"
  ( "$@" >"$T/$n.out" 2>&1; echo $? >"$T/$n.rc" ) </dev/null &
}

# tjob NAME TOOL CMD...: like job, but an absent TOOL is recorded at once, without starting a process.
# Forks are the probe's main cost on a small host, and most tools are absent on most hosts.
tjob() {
  n=$1; t=$2; shift 2
  if has "$t"; then job "$n" "$@"; return; fi
  JOBS="$JOBS $n"
  echo "@@absent" >"$T/$n.out"
  echo 127 >"$T/$n.rc"
}

# ---- tools: versions, read from package.json where that avoids starting an interpreter ----
pkgver() {
  b=$(command -v "$1") || { echo "@@absent"; return 127; }
  echo "path=$b"
  r=$(readlink -f "$b" 2>/dev/null) || r=$b
  d=${r%/*}
  for f in "$d/../package.json" "$d/../../package.json"; do
    [ -f "$f" ] || continue
    # One awk reads name and version: the file must be the tool's own (a corepack shim is not).
    v=$(awk -v want="$1" '
      !n && /"name"[[:space:]]*:/ { n = $0; sub(/^[^:]*:[[:space:]]*"/, "", n); sub(/".*/, "", n) }
      !v && /"version"[[:space:]]*:/ { v = $0; sub(/^[^:]*:[[:space:]]*"/, "", v); sub(/".*/, "", v) }
      END { if (n == want && v != "") print v }' "$f" 2>/dev/null)
    if [ -n "$v" ]; then echo "version=$v"; echo "source=$f"; return 0; fi
  done
  to 10 "$1" --version
}

ver() {
  t=$1; shift
  b=$(command -v "$t") || { echo "@@absent"; return 127; }
  echo "path=$b"
  to 10 "$t" "$@"
}

# pip's version from its dist-info directory beside the interpreter named in the shebang; starting pip takes ~0.5 s.
pipver() {
  b=$(command -v pip3) || b=$(command -v pip) || { echo "@@absent"; return 127; }
  echo "path=$b"
  i=$(sed -n '1s/^#![[:space:]]*\([^[:space:]]*\).*/\1/p' "$b" 2>/dev/null)
  case "$i" in
    */python*)
      r=$(readlink -f "$i" 2>/dev/null) || r=$i
      for d in "$(dirname "$r")"/../lib/python3*/site-packages/pip-*.dist-info; do
        if [ -d "$d" ]; then v=${d##*/pip-}; echo "version=${v%.dist-info}"; echo "source=$d"; return 0; fi
      done
      case "$r" in /usr/bin/python3*)
        for d in /usr/lib/python3/dist-packages/pip-*.dist-info; do
          if [ -d "$d" ]; then v=${d##*/pip-}; echo "version=${v%.dist-info}"; echo "source=$d"; return 0; fi
        done ;;
      esac ;;
  esac
  to 10 "$b" --version
}

docker_daemon() {
  has docker || { echo "@@absent"; return 127; }
  to 8 docker info --format 'server={{.ServerVersion}}|root={{.DockerRootDir}}|swarm={{.Swarm.LocalNodeState}}|manager={{.Swarm.ControlAvailable}}' || return $?
  # The swarm routing mesh (ingress publishing) needs IPVS; dockerd loads it when it can.
  if [ -e /proc/net/ip_vs ]; then echo "ipvs=1"; else echo "ipvs=0"; fi
}

compose_v2() {
  has docker || { echo "@@absent"; return 127; }
  to 8 docker compose version --short
}

sudo_probe() {
  if [ "$(id -u)" = 0 ]; then echo "root"; return 0; fi
  has sudo || { echo "@@absent"; return 127; }
  to 5 sudo -n true
}

nginx_test() {
  has nginx || { echo "@@absent"; return 127; }
  if [ "$(id -u)" = 0 ]; then echo "as=root"; to 10 nginx -t
  elif has sudo && to 5 sudo -n true >/dev/null 2>&1; then echo "as=sudo"; to 10 sudo -n nginx -t
  else echo "as=user"; to 10 nginx -t
  fi
}

systemd_state() {
  c=$(cat /proc/1/comm 2>/dev/null)
  echo "pid1=$c"
  if [ "$c" = systemd ] && has systemctl; then to 5 systemctl is-system-running; fi
}

tjob node node ver node --version
tjob npm npm pkgver npm
tjob pnpm pnpm pkgver pnpm
tjob yarn yarn pkgver yarn
tjob bun bun ver bun --version
tjob python3 python3 ver python3 --version
if has pip3; then tjob pip pip3 pipver; else tjob pip pip pipver; fi
tjob uv uv ver uv --version
tjob go go ver go version
tjob java java ver java -version
tjob docker docker ver docker --version
tjob docker-daemon docker docker_daemon
tjob compose-v2 docker compose_v2
tjob compose-v1 docker-compose ver docker-compose --version
tjob pm2 pm2 pkgver pm2
tjob nginx nginx ver nginx -v
tjob nginx-test nginx nginx_test
tjob certbot certbot ver certbot --version
tjob rsync rsync ver rsync --version
tjob git git ver git --version
tjob curl curl ver curl --version
job systemd systemd_state
job sudo sudo_probe

# ---- system facts (fast, read from /proc and small tools) ----
sect uname uname -srm
osrel() { while IFS= read -r l || [ -n "$l" ]; do printf '%s\n' "$l"; done </etc/os-release; }
sect os-release osrel
ids() { echo "user=$(id -un)"; echo "uid=$(id -u)"; echo "groups=$(id -Gn)"; echo "home=$HOME"; }
sect id ids
cpus() { if has nproc; then nproc; else grep -c "^processor" /proc/cpuinfo; fi; }
sect cpu cpus
loadavg() { read -r l </proc/loadavg && printf '%s\n' "$l"; }
sect loadavg loadavg
sect meminfo grep -E '^(MemTotal|MemAvailable|MemFree|Buffers|Cached):' /proc/meminfo
cgmem() {
  if [ -r /sys/fs/cgroup/memory.max ]; then echo "v2=$(cat /sys/fs/cgroup/memory.max)"
  elif [ -r /sys/fs/cgroup/memory/memory.limit_in_bytes ]; then echo "v1=$(cat /sys/fs/cgroup/memory/memory.limit_in_bytes)"
  else echo none; fi
}
sect cgroup-mem cgmem

# ---- disks: the nearest existing directory of each path, bytes and inodes ----
disk() {
  p=$1
  while [ ! -e "$p" ] && [ "$p" != / ]; do p=$(dirname "$p"); done
  echo "probed=$p"
  echo "@@df"
  to 5 df -Pk "$p" || return $?
  echo "@@dfi"
  to 5 df -Pi "$p"
}
printf '%s\n' "$DH_DISKS" | while IFS='|' read -r purpose path; do
  [ -n "$path" ] || continue
  sect "disk:$purpose" disk "$path"
done

# ---- ports: who listens, through ss, or /proc when ss is missing ----
proc_owner() {
  pid=$1
  c=$(cat "/proc/$pid/comm" 2>/dev/null)
  u=$(stat -c %U "/proc/$pid" 2>/dev/null)
  # Only the program, never its arguments: arguments can carry secrets.
  a0=$(tr '\000' '\n' <"/proc/$pid/cmdline" 2>/dev/null | head -n 1)
  echo "owner pid=$pid user=$u comm=$c exe=$a0"
}

port_proc() {
  P=$1
  hex=$(printf '%04X' "$P")
  inodes=""
  found=0
  readable=0
  for f in /proc/net/tcp /proc/net/tcp6; do
    [ -r "$f" ] || continue
    readable=1
    # A failed awk (missing, as on a trimmed BusyBox) must not read as "no listener".
    l=$(awk -v h=":$hex" '$4 == "0A" && substr($2, length($2) - 4) == h { print $10 }' "$f") || { echo "proc=awk-failed"; return 3; }
    for ino in $l; do inodes="$inodes $ino"; found=1; done
  done
  [ "$readable" = 1 ] || { echo "proc=unreadable"; return 3; }
  if [ "$found" = 0 ]; then echo "listen=no"; return 0; fi
  echo "listen=yes"
  echo "inodes=$inodes"
  # One ls over every fd table instead of one readlink per descriptor.
  # shellcheck disable=SC2012
  ls -l /proc/[0-9]*/fd/ 2>/dev/null | awk -v list="$inodes" '
    BEGIN { n = split(list, a, " "); for (i = 1; i <= n; i++) want["socket:[" a[i] "]"] = 1 }
    /^\/proc\/[0-9]+\/fd\/?:$/ { split($0, p, "/"); pid = p[3]; next }
    { t = $NF; if (pid != "" && t in want) print pid }' | sort -u | while read -r pid; do proc_owner "$pid"; done
}

port_probe() {
  P=$1
  if has ss; then
    echo "via=ss"
    out=$(to 5 ss -ltnpH "sport = :$P" 2>&1)
    r=$?
    printf '%s\n' "$out"
    [ "$r" = 0 ] || return "$r"
    # A socket shared by several processes (nginx master and workers) lists every pid on one line.
    for pid in $(printf '%s\n' "$out" | tr ',' '\n' | sed -n 's/^pid=\([0-9][0-9]*\)$/\1/p' | sort -u); do proc_owner "$pid"; done
    return 0
  fi
  echo "via=proc"
  port_proc "$P"
}
for P in $DH_PORTS; do sect "port:$P" port_probe "$P"; done

# ---- permissions: the deploy base directory ----
write_probe() {
  d=$1
  e=$d
  while [ ! -e "$e" ] && [ "$e" != / ]; do e=$(dirname "$e"); done
  if [ -e "$d" ]; then echo "exists=yes"; else echo "exists=no"; fi
  echo "checked=$e"
  if [ -d "$e" ]; then echo "isdir=yes"; else echo "isdir=no"; fi
  if [ -w "$e" ]; then echo "writable=yes"; else echo "writable=no"; fi
}
sect "base:primary" write_probe "$DH_BASE"
if [ -n "$DH_APP" ]; then sect "base:home" write_probe "$HOME/.deckhand/apps/$DH_APP"; fi

# ---- network dependencies: TCP reachability from this host ----
reach() {
  h=$1; p=$2
  if has bash; then echo "via=bash"; to 4 bash -c 'exec 3<>"/dev/tcp/$1/$2"' deckhand-reach "$h" "$p"
  elif has python3; then echo "via=python3"; to 4 python3 -c 'import socket,sys; socket.create_connection((sys.argv[1], int(sys.argv[2])), 3).close()' "$h" "$p"
  elif has nc; then echo "via=nc"; to 4 nc -z -w 3 "$h" "$p"
  else echo "via=none"; return 126
  fi
}
printf '%s\n' "$DH_REACH" | while IFS='|' read -r h p; do
  [ -n "$h" ] || continue
  sect "reach:$h:$p" reach "$h" "$p"
done

# ---- required secrets: names only; values are never printed ----
env_probe() {
  f=$DH_ENV_FILE
  G="grep"
  if [ ! -e "$f" ]; then
    if [ "$(id -u)" != 0 ] && has sudo && to 5 sudo -n test -e "$f" 2>/dev/null; then G="sudo -n grep"; else echo "file=missing"; return 0; fi
  elif [ ! -r "$f" ]; then
    if has sudo && to 5 sudo -n true >/dev/null 2>&1; then G="sudo -n grep"; else echo "file=unreadable"; return 0; fi
  fi
  echo "file=readable"
  for n in $DH_ENV_NAMES; do
    if $G -Eq "^[[:space:]]*(export[[:space:]]+)?$n=" "$f" >/dev/null 2>&1; then
      if $G -Eq "^[[:space:]]*(export[[:space:]]+)?$n=[[:space:]]*(\"\"|'')?[[:space:]]*$" "$f" >/dev/null 2>&1; then echo "name $n empty"; else echo "name $n present"; fi
    else echo "name $n absent"
    fi
  done
}
if [ -n "$DH_ENV_FILE" ]; then sect env env_probe; fi

# ---- collect the background jobs ----
wait
# Shell builtins only: two forks per job here would cost more than the jobs themselves.
for n in $JOBS; do
  printf '@@begin tool:%s\n' "$n"
  if [ -r "$T/$n.out" ]; then
    while IFS= read -r l || [ -n "$l" ]; do printf '%s\n' "$l"; done <"$T/$n.out"
  fi
  r=255
  if [ -r "$T/$n.rc" ]; then read -r r <"$T/$n.rc" || r=255; fi
  printf '\n@@end tool:%s rc=%s\n' "$n" "$r"
done

# Docker's storage directory is known only once the daemon answered.
if [ -n "$DH_DOCKER_DISK" ]; then
  dr=$(sed -n 's/.*|root=\(.*\)$/\1/p' "$T/docker-daemon.out" 2>/dev/null | head -n 1)
  if [ -n "$dr" ]; then sect "disk:docker" disk "$dr"; fi
fi
echo "@@done"
