#!/usr/bin/env bash
# deckhand integration-test lab: systemd+sshd containers (node18, node20) and a loopback "Docker host".
#
#   bash test/lab/lab.sh up       start everything (idempotent; cached images -> seconds)
#   bash test/lab/lab.sh down     remove lab containers, stop what the lab started (images stay cached)
#   bash test/lab/lab.sh status   print state (exit 0 = fully up, 3 = not up)
#
# Needs root and the packages from .ci/lab-deps.sh. Writes test/lab/.state/lab.json (the contract
# read by test/lab/lab.ts). Only loopback ports are published.
#
# Environment (all optional):
#   DECKHAND_LAB_STATE     state dir             (default: test/lab/.state)
#   DECKHAND_LAB_CACHE     rootfs/apt cache dir  (default: /var/cache/deckhand-lab)
#   DECKHAND_LAB_MIRROR    Debian mirror URL     (default: first bookworm "main" source in apt's config)
#   DECKHAND_LAB_TIMEOUT   seconds to wait for hosts to accept SSH (default: 90)
#   DECKHAND_LAB_FLEET     how many fleet hosts (fleet1..fleetN, node20 image, for multi-host deploys;
#                          default: 4, at most 8; the multi-host benchmark wants 8)
set -euo pipefail

LAB_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
STATE_DIR="${DECKHAND_LAB_STATE:-$LAB_DIR/.state}"
CACHE_DIR="${DECKHAND_LAB_CACHE:-/var/cache/deckhand-lab}"
READY_TIMEOUT="${DECKHAND_LAB_TIMEOUT:-90}"

SUITE=bookworm
# Bump when the image recipe changes in a way the hashes below don't capture.
LAB_REV=1
BASE_PACKAGES="systemd,systemd-sysv,libpam-systemd,dbus,openssh-server,nginx,sudo,curl,rsync,logrotate,iproute2,procps,ca-certificates,python3,less"

IMG_ROOTFS=deckhand-lab/rootfs
IMG_BASE=deckhand-lab/base
IMG_NODE18=deckhand-lab/node18
IMG_NODE20=deckhand-lab/node20
PM2_VERSION=6.0.14   # the pm2 on the node20 host (the pm2 strategy over SSH)

HOSTS=(node18 node20)
declare -A PORT=([node18]=2218 [node20]=2220 [docker]=2222)
declare -A IMAGE=([node18]="$IMG_NODE18" [node20]="$IMG_NODE20")
# Fleet hosts: identical node20 machines on 127.0.0.1:2231.., for rolling and canary deploys across hosts.
FLEET_SIZE="${DECKHAND_LAB_FLEET:-4}"
[[ "$FLEET_SIZE" =~ ^[0-8]$ ]] || { printf 'lab: ERROR: DECKHAND_LAB_FLEET must be 0..8 (got %s)\n' "$FLEET_SIZE" >&2; exit 2; }
FLEET=()
for ((i = 1; i <= FLEET_SIZE; i++)); do
  FLEET+=("fleet$i"); HOSTS+=("fleet$i"); PORT[fleet$i]=$((2230 + i)); IMAGE[fleet$i]="$IMG_NODE20"
done
CONTAINER_PREFIX=deckhand-lab-
LAB_USERS=(root deploy nosudo)
TINY_MOUNT=/mnt/tiny

KEY="$STATE_DIR/id_ed25519"
KNOWN_HOSTS="$STATE_DIR/known_hosts"
LAB_JSON="$STATE_DIR/lab.json"
KEYS_DIR="$STATE_DIR/keys"                       # mounted read-only at /etc/ssh/lab-keys in containers
DOCKERD_LOG="$STATE_DIR/dockerd.log"
DOCKERD_PIDREC="$STATE_DIR/dockerd.pid"          # present only if the lab started dockerd
CONTAINERD_PIDREC="$STATE_DIR/containerd.pid"    # dockerd-managed containerd, if the lab started dockerd
SSHD_DIR="$STATE_DIR/docker-host"
SSHD_CONFIG="$SSHD_DIR/sshd_config"
SSHD_HOSTKEY="$SSHD_DIR/ssh_host_ed25519_key"
SSHD_AUTHKEYS="$SSHD_DIR/authorized_keys"
SSHD_PID="$STATE_DIR/sshd.pid"
SSHD_LOG="$STATE_DIR/sshd.log"

log() { printf 'lab: %s\n' "$*"; }
warn() { printf 'lab: WARNING: %s\n' "$*" >&2; }
die() { printf 'lab: ERROR: %s\n' "$*" >&2; exit 1; }

now() { date +%s; }

pid_alive() { [[ -n "${1:-}" ]] && kill -0 "$1" 2>/dev/null; }

# pid_matches PID NEEDLE: the process is alive and its command line contains NEEDLE.
pid_matches() {
  local pid="$1" needle="$2" cmd
  pid_alive "$pid" || return 1
  cmd="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" || return 1
  [[ "$cmd" == *"$needle"* ]]
}

# stop_pid PID NAME TIMEOUT: TERM, wait (bounded), then KILL.
stop_pid() {
  local pid="$1" name="$2" limit="$3" deadline
  pid_alive "$pid" || return 0
  log "stopping $name (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  deadline=$(($(now) + limit))
  while pid_alive "$pid"; do
    if (($(now) >= deadline)); then
      warn "$name (pid $pid) did not exit within ${limit}s; sending KILL"
      kill -KILL "$pid" 2>/dev/null || true
      sleep 1
      break
    fi
    sleep 0.2
  done
}

port_listening() { [[ -n "$(ss -Hltn "sport = :$1" 2>/dev/null)" ]]; }

sha() { sha256sum | cut -c1-16; }

# ---------------------------------------------------------------------------------------------
# preflight

need_cmds() {
  local missing=() c
  for c in "$@"; do command -v "$c" >/dev/null 2>&1 || missing+=("$c"); done
  if ((${#missing[@]})); then
    die "missing commands: ${missing[*]} (install with: bash .ci/lab-deps.sh)"
  fi
}

preflight() {
  [[ "$(uname -s)" == Linux ]] || die "the lab needs Linux"
  ((EUID == 0)) || die "the lab needs root (docker, debootstrap, sshd)"
  need_cmds docker dockerd debootstrap ssh ssh-keygen ssh-keyscan ss setsid flock timeout tar node sha256sum findmnt chroot
  [[ -x /usr/sbin/sshd ]] || die "missing /usr/sbin/sshd (install with: bash .ci/lab-deps.sh)"
  mkdir -p "$STATE_DIR" "$CACHE_DIR"
  chmod 0700 "$STATE_DIR"
}

take_lock() {
  exec 9>"$STATE_DIR/.lock"
  flock -w 1200 9 || die "another lab.sh is running (lock $STATE_DIR/.lock held for 20 min)"
}

# ---------------------------------------------------------------------------------------------
# docker engine

docker_ok() { timeout 10 docker info >/dev/null 2>&1; }

ensure_dockerd() {
  if docker_ok; then
    if [[ -f "$DOCKERD_PIDREC" ]] && pid_matches "$(cat "$DOCKERD_PIDREC")" dockerd; then
      log "dockerd running (pid $(cat "$DOCKERD_PIDREC"), started by the lab)"
    else
      rm -f "$DOCKERD_PIDREC" "$CONTAINERD_PIDREC"
      log "dockerd already running (not started by the lab; down will leave it alone)"
    fi
    return 0
  fi
  if [[ -f "$DOCKERD_PIDREC" ]] && pid_matches "$(cat "$DOCKERD_PIDREC")" dockerd; then
    log "dockerd started by the lab (pid $(cat "$DOCKERD_PIDREC")) is not answering yet; waiting"
  else
    rm -f "$DOCKERD_PIDREC" "$CONTAINERD_PIDREC"
    if pgrep -x dockerd >/dev/null 2>&1; then
      die "a dockerd not started by the lab is running but 'docker info' fails; fix or stop it first"
    fi
    log "starting dockerd (storage driver vfs), log: $DOCKERD_LOG"
    printf '\n===== %s lab.sh up: starting dockerd =====\n' "$(date -Is)" >>"$DOCKERD_LOG"
    setsid dockerd --storage-driver=vfs </dev/null >>"$DOCKERD_LOG" 2>&1 9>&- &
    echo "$!" >"$DOCKERD_PIDREC"
  fi
  local deadline=$(($(now) + 60)) pid
  pid="$(cat "$DOCKERD_PIDREC")"
  until docker_ok; do
    pid_alive "$pid" || { tail -n 20 "$DOCKERD_LOG" >&2 || true; rm -f "$DOCKERD_PIDREC"; die "dockerd exited; see $DOCKERD_LOG"; }
    (($(now) < deadline)) || { tail -n 20 "$DOCKERD_LOG" >&2 || true; die "dockerd did not answer within 60s; see $DOCKERD_LOG"; }
    sleep 0.5
  done
  # dockerd writes its real pid to /var/run/docker.pid; prefer it (setsid may have forked).
  if [[ -s /var/run/docker.pid ]] && pid_matches "$(cat /var/run/docker.pid)" dockerd; then
    cat /var/run/docker.pid >"$DOCKERD_PIDREC"
  fi
  if [[ -s /var/run/docker/containerd/containerd.pid ]]; then
    cat /var/run/docker/containerd/containerd.pid >"$CONTAINERD_PIDREC"
  fi
  log "dockerd up (pid $(cat "$DOCKERD_PIDREC"))"
}

# ---------------------------------------------------------------------------------------------
# images

# Debian mirror for debootstrap: the bookworm "main" source configured for apt.
detect_mirror() {
  if [[ -n "${DECKHAND_LAB_MIRROR:-}" ]]; then printf '%s\n' "$DECKHAND_LAB_MIRROR"; return; fi
  local f url=""
  for f in /etc/apt/sources.list.d/*.sources; do
    [[ -f "$f" ]] || continue
    url="$(awk -v suite="$SUITE" '
      BEGIN { RS = ""; FS = "\n" }
      {
        types = ""; uris = ""; suites = ""; comps = ""; enabled = "yes"
        for (i = 1; i <= NF; i++) {
          line = $i
          if (line ~ /^[ \t]*#/) continue
          if (match(line, /^[A-Za-z-]+:/)) {
            key = tolower(substr(line, 1, RLENGTH - 1)); val = substr(line, RLENGTH + 1)
            gsub(/^[ \t]+|[ \t]+$/, "", val)
            if (key == "types") types = val
            else if (key == "uris") uris = val
            else if (key == "suites") suites = val
            else if (key == "components") comps = val
            else if (key == "enabled") enabled = tolower(val)
          }
        }
        if (enabled == "no") next
        if ((" " types " ") !~ / deb /) next
        if ((" " suites " ") !~ (" " suite " ")) next
        if ((" " comps " ") !~ / main /) next
        split(uris, u, /[ \t]+/); print u[1]; exit
      }' "$f")"
    [[ -n "$url" ]] && break
  done
  if [[ -z "$url" ]]; then
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
      [[ -f "$f" ]] || continue
      url="$(awk -v suite="$SUITE" '
        $1 == "deb" {
          i = 2
          if ($i ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
          if ($(i + 1) == suite) { for (j = i + 2; j <= NF; j++) if ($j == "main") { print $i; exit } }
        }' "$f")"
      [[ -n "$url" ]] && break
    done
  fi
  [[ -n "$url" ]] || url="http://deb.debian.org/debian"
  printf '%s\n' "$url"
}

image_label() { # image label-key -> value (empty if image or label missing)
  docker image inspect -f "{{ index .Config.Labels \"$2\" }}" "$1" 2>/dev/null || true
}

# Remove directory trees we created under the cache dir, unmounting anything debootstrap left behind.
remove_tree() {
  local dir="$1" m
  [[ -d "$dir" ]] || return 0
  while read -r m; do
    if [[ -n "$m" ]]; then umount -l "$m" 2>/dev/null || true; fi
  done < <(findmnt -rn -o TARGET | awk -v d="$dir" 'index($0, d "/") == 1' | sort -r)
  rm -rf --one-file-system "$dir"
}

BUILD_LOG="$CACHE_DIR/build.log"
ROOTFS_KEY="$(printf '%s\n' "$SUITE" minbase "$BASE_PACKAGES" | sha)"
ROOTFS_TAR="$CACHE_DIR/rootfs-$SUITE-minbase-$ROOTFS_KEY.tar"

ensure_rootfs_tar() {
  if [[ -s "$ROOTFS_TAR" ]]; then
    log "rootfs tarball cached: $ROOTFS_TAR"
    return 0
  fi
  local mirror dir t0
  mirror="$(detect_mirror)"
  dir="$(mktemp -d "$CACHE_DIR/debootstrap.XXXXXX")"
  chmod 0755 "$dir"   # becomes the image's "/": mktemp's 0700 would lock non-root users out
  trap 'remove_tree "'"$dir"'"' EXIT
  t0=$(now)
  log "debootstrap $SUITE (minbase + ${BASE_PACKAGES//,/ }) from $mirror (a few minutes; log: $CACHE_DIR/debootstrap.log)"
  if ! timeout 1800 debootstrap --variant=minbase --components=main --include="$BASE_PACKAGES" \
      "$SUITE" "$dir" "$mirror" >"$CACHE_DIR/debootstrap.log" 2>&1; then
    tail -n 30 "$CACHE_DIR/debootstrap.log" >&2 || true
    [[ -f "$dir/debootstrap/debootstrap.log" ]] && tail -n 30 "$dir/debootstrap/debootstrap.log" >&2
    die "debootstrap failed; see $CACHE_DIR/debootstrap.log"
  fi
  # Downloaded .debs are not needed in the image; keep apt lists so flavours can install offline.
  rm -f "$dir"/var/cache/apt/archives/*.deb "$dir"/var/cache/apt/*.bin
  tar --numeric-owner --xattrs -C "$dir" -cf "$ROOTFS_TAR.tmp" .
  mv -f "$ROOTFS_TAR.tmp" "$ROOTFS_TAR"
  remove_tree "$dir"
  trap - EXIT
  log "rootfs tarball built in $(($(now) - t0))s: $ROOTFS_TAR ($(du -h "$ROOTFS_TAR" | cut -f1))"
}

# Runs inside a container made from the debootstrap rootfs; result is committed as deckhand-lab/base.
BASE_CONFIGURE=$(cat <<'CONFIGURE'
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

for u in deploy nosudo; do
  id "$u" >/dev/null 2>&1 || useradd --create-home --shell /bin/bash "$u"
  usermod -p '*' "$u"            # no usable password, but not "locked" (sshd pubkey logins work)
  install -d -m 0700 -o "$u" -g "$u" "/home/$u/.ssh"
done
install -d -m 0700 /root/.ssh
printf 'deploy ALL=(ALL:ALL) NOPASSWD: ALL\n' >/etc/sudoers.d/90-deploy
chmod 0440 /etc/sudoers.d/90-deploy
visudo -cq

# Lab key: the public key is mounted (read-only) at /etc/ssh/lab-keys/authorized_keys at run time.
install -d -m 0755 /etc/ssh/lab-keys
cat >/etc/ssh/sshd_config.d/50-deckhand-lab.conf <<'EOF'
PubkeyAuthentication yes
AuthorizedKeysFile .ssh/authorized_keys /etc/ssh/lab-keys/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication yes
KbdInteractiveAuthentication no
UseDNS no
LogLevel VERBOSE
EOF
mkdir -p /run/sshd && /usr/sbin/sshd -t && rm -rf /run/sshd

# Keep every log line (tests count sshd "Accepted publickey" lines); journal lives in /run.
mkdir -p /etc/systemd/journald.conf.d
cat >/etc/systemd/journald.conf.d/50-deckhand-lab.conf <<'EOF'
[Journal]
Storage=volatile
RateLimitIntervalSec=0
RateLimitBurst=0
EOF

# Units that cannot work (or only make noise) inside a container.
systemctl mask \
  systemd-udevd.service systemd-udevd-control.socket systemd-udevd-kernel.socket \
  systemd-udev-trigger.service systemd-udev-settle.service \
  getty.target getty@tty1.service console-getty.service serial-getty@.service \
  systemd-modules-load.service kmod-static-nodes.service systemd-remount-fs.service \
  systemd-hwdb-update.service systemd-firstboot.service \
  sys-kernel-config.mount sys-kernel-debug.mount sys-kernel-tracing.mount \
  sys-fs-fuse-connections.mount dev-hugepages.mount \
  apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer e2scrub_reap.service fstrim.timer >/dev/null 2>&1
systemctl enable ssh.service nginx.service >/dev/null 2>&1
systemctl set-default multi-user.target >/dev/null 2>&1

# Each container gets its own machine id at first boot.
: >/etc/machine-id
rm -f /var/lib/dbus/machine-id
ln -s /etc/machine-id /var/lib/dbus/machine-id
rm -f /etc/ssh/ssh_host_*_key.pub.orig
echo "base configured"
CONFIGURE
)

NODE18_CONFIGURE=$(cat <<'CONFIGURE'
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
mkdir -p /var/cache/apt/archives/partial
install_node() { apt-get install -y -q --no-install-recommends nodejs; }
install_node || { apt-get update -q && install_node; }
rm -f /var/cache/apt/*.bin
node --version
CONFIGURE
)

# Runs in the node20 image after the machine's node is copied in: Debian's Flask and gunicorn for the Python
# example (venvs made with --system-site-packages then need no network), installed from the cached apt lists.
NODE20_CONFIGURE=$(cat <<'CONFIGURE'
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
mkdir -p /var/cache/apt/archives/partial
install_py() { apt-get install -y -q --no-install-recommends python3-flask gunicorn python3-venv; }
install_py || { apt-get update -q && install_py; }
rm -f /var/cache/apt/*.bin
python3 -c 'import flask; print("flask", flask.__version__)'
gunicorn --version
pm2 --version
CONFIGURE
)

COMMIT_CHANGES=(
  --change 'CMD ["/lib/systemd/systemd"]'
  --change 'ENV container=docker'
)

# commit_run FROM TO RECIPE NETWORK [docker run args...] < script: run script in FROM, commit as TO
commit_run() {
  local from="$1" to="$2" recipe="$3" network="$4"; shift 4
  local name="${CONTAINER_PREFIX}build-$$"
  docker rm -f "$name" >/dev/null 2>&1 || true
  printf '\n===== %s building %s =====\n' "$(date -Is)" "$to" >>"$BUILD_LOG"
  if ! docker run -i --name "$name" --network "$network" "$@" \
      "$from" /bin/bash -s >>"$BUILD_LOG" 2>&1; then
    tail -n 30 "$BUILD_LOG" >&2 || true
    docker rm -f "$name" >/dev/null 2>&1 || true
    die "building $to failed; see $BUILD_LOG"
  fi
  commit_and_remove "$name" "$to" "$recipe"
}

commit_and_remove() { # container image recipe
  if ! docker commit "${COMMIT_CHANGES[@]}" --change "LABEL deckhand.lab.recipe=$3" "$1" "$2:latest" >/dev/null; then
    docker rm -f "$1" >/dev/null 2>&1 || true
    die "committing $2 failed"
  fi
  docker rm -f "$1" >/dev/null
}

ensure_images() {
  local t0 base_recipe node18_recipe node20_recipe node_bin node_ver npm_dir
  base_recipe="$(printf '%s\n' "$LAB_REV" "$ROOTFS_KEY" "$BASE_CONFIGURE" "${COMMIT_CHANGES[@]}" | sha)"

  if [[ "$(image_label "$IMG_BASE" deckhand.lab.recipe)" != "$base_recipe" ]]; then
    t0=$(now)
    if [[ "$(image_label "$IMG_ROOTFS:$ROOTFS_KEY" deckhand.lab.rootfs)" != "$ROOTFS_KEY" ]]; then
      ensure_rootfs_tar
      log "importing $ROOTFS_TAR as $IMG_ROOTFS:$ROOTFS_KEY"
      docker import --change "LABEL deckhand.lab.rootfs=$ROOTFS_KEY" "$ROOTFS_TAR" "$IMG_ROOTFS:$ROOTFS_KEY" >/dev/null
    fi
    log "building $IMG_BASE"
    commit_run "$IMG_ROOTFS:$ROOTFS_KEY" "$IMG_BASE" "$base_recipe" none <<<"$BASE_CONFIGURE"
    log "built $IMG_BASE in $(($(now) - t0))s"
  else
    log "image $IMG_BASE cached"
  fi

  node18_recipe="$(printf '%s\n' "$base_recipe" "$NODE18_CONFIGURE" | sha)"
  if [[ "$(image_label "$IMG_NODE18" deckhand.lab.recipe)" != "$node18_recipe" ]]; then
    t0=$(now)
    log "building $IMG_NODE18 (Debian nodejs; .debs cached in $CACHE_DIR/apt-archives)"
    mkdir -p "$CACHE_DIR/apt-archives/partial"
    # host network: apt talks to the same Debian mirror the machine uses.
    commit_run "$IMG_BASE" "$IMG_NODE18" "$node18_recipe" host \
      -v "$CACHE_DIR/apt-archives:/var/cache/apt/archives" <<<"$NODE18_CONFIGURE"
    log "built $IMG_NODE18 in $(($(now) - t0))s"
  else
    log "image $IMG_NODE18 cached"
  fi

  node_bin="$(readlink -f "$(command -v node)")"
  node_ver="$("$node_bin" --version)"
  [[ "$node_ver" == v20.* ]] || warn "machine node is $node_ver (expected v20.x); node20 host will run $node_ver"
  npm_dir="$(dirname "$node_bin")/../lib/node_modules/npm"
  node20_recipe="$(printf '%s\n' "$base_recipe" "$node_ver" "$(sha256sum "$node_bin")" "$([[ -d "$npm_dir" ]] && echo npm)" "pm2@$PM2_VERSION" "$NODE20_CONFIGURE" | sha)"
  if [[ "$(image_label "$IMG_NODE20" deckhand.lab.recipe)" != "$node20_recipe" ]]; then
    t0=$(now)
    log "building $IMG_NODE20 (machine's $node_bin $node_ver; Debian python3-flask, gunicorn, python3-venv; pm2 from npm)"
    local stage name="${CONTAINER_PREFIX}build-$$"
    stage="$(mktemp -d "$CACHE_DIR/node20.XXXXXX")"
    install -D -m 0755 "$node_bin" "$stage/usr/local/bin/node"
    if [[ -d "$npm_dir" ]]; then
      mkdir -p "$stage/usr/local/lib/node_modules"
      cp -a "$(readlink -f "$npm_dir")" "$stage/usr/local/lib/node_modules/npm"
      ln -s ../lib/node_modules/npm/bin/npm-cli.js "$stage/usr/local/bin/npm"
      ln -s ../lib/node_modules/npm/bin/npx-cli.js "$stage/usr/local/bin/npx"
    fi
    # pm2 for the pm2 strategy over SSH: installed once on this machine (its npm setup reaches the registry), cached, copied in.
    if [[ ! -x "$CACHE_DIR/pm2-$PM2_VERSION/bin/pm2" ]]; then
      rm -rf "$CACHE_DIR/pm2-$PM2_VERSION.tmp"
      npm install -g --prefix "$CACHE_DIR/pm2-$PM2_VERSION.tmp" --no-audit --no-fund --loglevel=error "pm2@$PM2_VERSION" >>"$BUILD_LOG" 2>&1 \
        || die "npm install pm2@$PM2_VERSION failed; see $BUILD_LOG"
      mv "$CACHE_DIR/pm2-$PM2_VERSION.tmp" "$CACHE_DIR/pm2-$PM2_VERSION"
    fi
    mkdir -p "$stage/usr/local/lib/node_modules"
    cp -a "$CACHE_DIR/pm2-$PM2_VERSION/lib/node_modules/pm2" "$stage/usr/local/lib/node_modules/pm2"
    ln -s ../lib/node_modules/pm2/bin/pm2 "$stage/usr/local/bin/pm2"
    docker rm -f "$name" >/dev/null 2>&1 || true
    mkdir -p "$CACHE_DIR/apt-archives/partial"
    # One container: node copied in first, then the flavour script (host network, .debs cached like node18's).
    docker create -i --name "$name" --network host -v "$CACHE_DIR/apt-archives:/var/cache/apt/archives" \
      "$IMG_BASE" /bin/bash -s >/dev/null
    tar --numeric-owner --owner=0 --group=0 -C "$stage" -c . | docker cp - "$name:/"
    rm -rf --one-file-system "$stage"
    printf '\n===== %s building %s =====\n' "$(date -Is)" "$IMG_NODE20" >>"$BUILD_LOG"
    if ! docker start -ai "$name" <<<"$NODE20_CONFIGURE" >>"$BUILD_LOG" 2>&1; then
      tail -n 30 "$BUILD_LOG" >&2 || true
      docker rm -f "$name" >/dev/null 2>&1 || true
      die "building $IMG_NODE20 failed; see $BUILD_LOG"
    fi
    commit_and_remove "$name" "$IMG_NODE20" "$node20_recipe"
    log "built $IMG_NODE20 in $(($(now) - t0))s"
  else
    log "image $IMG_NODE20 cached"
  fi
  # Older builds of the lab images that lost their tag (vfs keeps full copies: reclaim the space).
  docker image prune -f --filter label=deckhand.lab.recipe >/dev/null 2>&1 || true
}

# ---------------------------------------------------------------------------------------------
# key, containers, docker host sshd

ensure_key() {
  if [[ ! -s "$KEY" || ! -s "$KEY.pub" ]]; then
    rm -f "$KEY" "$KEY.pub"
    ssh-keygen -q -t ed25519 -N '' -C deckhand-lab -f "$KEY"
    log "generated lab key $KEY"
  fi
  chmod 0600 "$KEY"
  install -d -m 0755 "$KEYS_DIR"
  install -m 0644 "$KEY.pub" "$KEYS_DIR/authorized_keys"
}

key_fingerprint() { ssh-keygen -l -f "$KEY.pub" | awk '{print $2}'; }

container_label() { # container label-key
  docker container inspect -f "{{ index .Config.Labels \"$2\" }}" "$1" 2>/dev/null || true
}

ensure_containers() {
  local h name image_id want running fp pid pids=() run_args=()
  fp="$(key_fingerprint)"
  for h in "${HOSTS[@]}"; do
    name="$CONTAINER_PREFIX$h"
    image_id="$(docker image inspect -f '{{.Id}}' "${IMAGE[$h]}")"
    # Real root has CAP_SYS_PTRACE (needed to read other users' /proc/PID/fd, e.g. for `ss -p`); Docker drops it.
    # shellcheck disable=SC2054  # commas are tmpfs mount options
    run_args=(
      --hostname "lab-$h"
      --cap-add SYS_ADMIN --cap-add NET_ADMIN --cap-add SYS_PTRACE
      --security-opt seccomp=unconfined --security-opt apparmor=unconfined
      -v /sys/fs/cgroup:/sys/fs/cgroup:rw
      --tmpfs /run --tmpfs /run/lock --tmpfs /tmp:rw,exec,nosuid,nodev,mode=1777
      --tmpfs "$TINY_MOUNT:rw,exec,nosuid,nodev,size=16m,mode=1777"
      -v "$KEYS_DIR:/etc/ssh/lab-keys:ro"
      --stop-signal SIGRTMIN+3 -p "127.0.0.1:${PORT[$h]}:22"
    )
    want="$(printf '%s\n' "$image_id" "$fp" "${run_args[@]}" | sha)"
    running="$(docker container inspect -f '{{.State.Running}}' "$name" 2>/dev/null || true)"
    running="${running//[[:space:]]/}"
    [[ -n "$running" ]] || running=absent
    if [[ "$running" == true && "$(container_label "$name" deckhand.lab.spec)" == "$want" ]]; then
      log "container $name running (127.0.0.1:${PORT[$h]})"
      continue
    fi
    if [[ "$running" != absent ]]; then
      log "recreating container $name (stale or stopped)"
      docker rm -f "$name" >/dev/null
    fi
    if port_listening "${PORT[$h]}"; then
      die "port 127.0.0.1:${PORT[$h]} is already in use by something else: $(ss -Hltnp "sport = :${PORT[$h]}" | head -n1)"
    fi
    log "starting container $name from ${IMAGE[$h]} on 127.0.0.1:${PORT[$h]}"
    # Started in parallel (vfs copies the whole image per container: a few seconds each).
    docker run -d --name "$name" \
      --label deckhand.lab=1 --label "deckhand.lab.host=$h" --label "deckhand.lab.spec=$want" \
      "${run_args[@]}" "${IMAGE[$h]}" /lib/systemd/systemd >/dev/null &
    pids+=("$!")
  done
  for pid in "${pids[@]}"; do
    wait "$pid" || die "starting a lab container failed (see the docker error above)"
  done
}

write_sshd_config() {
  install -d -m 0700 "$SSHD_DIR"
  if [[ ! -s "$SSHD_HOSTKEY" ]]; then
    ssh-keygen -q -t ed25519 -N '' -C deckhand-lab-docker-host -f "$SSHD_HOSTKEY"
  fi
  install -m 0600 "$KEY.pub" "$SSHD_AUTHKEYS"
  cat >"$SSHD_CONFIG.tmp" <<EOF
# deckhand lab "Docker host": the machine's own sshd on loopback, root by the lab key only.
Port ${PORT[docker]}
ListenAddress 127.0.0.1
HostKey "$SSHD_HOSTKEY"
PidFile "$SSHD_PID"
AuthorizedKeysFile "$SSHD_AUTHKEYS"
StrictModes no
AllowUsers root
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM yes
UseDNS no
LogLevel VERBOSE
PrintMotd no
AcceptEnv LANG LC_*
Subsystem sftp /usr/lib/openssh/sftp-server
EOF
  mv -f "$SSHD_CONFIG.tmp" "$SSHD_CONFIG"
}

sshd_running() { [[ -s "$SSHD_PID" ]] && pid_matches "$(cat "$SSHD_PID")" "$SSHD_CONFIG"; }

ensure_host_sshd() {
  write_sshd_config
  if sshd_running; then
    log "docker-host sshd running (pid $(cat "$SSHD_PID"), 127.0.0.1:${PORT[docker]})"
    return 0
  fi
  rm -f "$SSHD_PID"
  port_listening "${PORT[docker]}" && die "port 127.0.0.1:${PORT[docker]} is already in use: $(ss -Hltnp "sport = :${PORT[docker]}" | head -n1)"
  mkdir -p /run/sshd
  chmod 0755 /run/sshd
  /usr/sbin/sshd -t -f "$SSHD_CONFIG" || die "sshd config check failed ($SSHD_CONFIG)"
  log "starting docker-host sshd on 127.0.0.1:${PORT[docker]}, log: $SSHD_LOG"
  # sshd daemonizes itself (and detaches with setsid); -E sends its log to a file.
  setsid /usr/sbin/sshd -f "$SSHD_CONFIG" -E "$SSHD_LOG" </dev/null 9>&-
  local deadline=$(($(now) + 10))
  until sshd_running; do
    (($(now) < deadline)) || { tail -n 20 "$SSHD_LOG" >&2 || true; die "docker-host sshd did not start; see $SSHD_LOG"; }
    sleep 0.2
  done
}

# ---------------------------------------------------------------------------------------------
# readiness

ssh_base() { # port -> ssh options (uses the lab known_hosts once written)
  printf '%s\n' -F none -i "$KEY" -o IdentitiesOnly=yes -o BatchMode=yes -o ConnectTimeout=5 \
    -o LogLevel=ERROR -o "UserKnownHostsFile=$KNOWN_HOSTS" -o StrictHostKeyChecking=yes -p "$1"
}

lab_ssh() { # port user command...
  local port="$1" user="$2"; shift 2
  local opts
  mapfile -t opts < <(ssh_base "$port")
  timeout 20 ssh "${opts[@]}" "$user@127.0.0.1" "$@" </dev/null
}

wait_ready() {
  local deadline=$(($(now) + READY_TIMEOUT)) name port u state h scan
  local -a all=("${HOSTS[@]}" docker)
  local kh_tmp="$KNOWN_HOSTS.tmp"
  : >"$kh_tmp"
  for h in "${all[@]}"; do
    port="${PORT[$h]}"
    until scan="$(ssh-keyscan -T 3 -t ed25519,ecdsa,rsa -p "$port" 127.0.0.1 2>/dev/null)" && [[ -n "$scan" ]]; do
      if [[ "$h" != docker ]] && [[ "$(docker container inspect -f '{{.State.Running}}' "$CONTAINER_PREFIX$h" 2>/dev/null || true)" != true* ]]; then
        docker logs --tail 20 "$CONTAINER_PREFIX$h" >&2 || true
        die "$h: container $CONTAINER_PREFIX$h is not running (see docker logs above)"
      fi
      (($(now) < deadline)) || die "$h: no SSH server answered on 127.0.0.1:$port within ${READY_TIMEOUT}s"
      sleep 0.5
    done
    printf '%s\n' "$scan" >>"$kh_tmp"
  done
  mv -f "$kh_tmp" "$KNOWN_HOSTS"
  chmod 0644 "$KNOWN_HOSTS"

  for h in "${all[@]}"; do
    port="${PORT[$h]}"
    local users=("${LAB_USERS[@]}")
    [[ "$h" == docker ]] && users=(root)
    for u in "${users[@]}"; do
      until lab_ssh "$port" "$u" true 2>/dev/null; do
        if (($(now) >= deadline)); then
          lab_ssh "$port" "$u" true || true
          die "$h: $u@127.0.0.1:$port does not accept the lab key within ${READY_TIMEOUT}s"
        fi
        sleep 0.5
      done
    done
  done

  for h in "${HOSTS[@]}"; do
    name="$CONTAINER_PREFIX$h"
    while :; do
      state="$(docker exec "$name" systemctl is-system-running 2>/dev/null || true)"
      case "$state" in
        running) break ;;
        degraded)
          warn "$h: systemd is degraded; failed units: $(docker exec "$name" systemctl --failed --no-legend --plain 2>/dev/null | awk '{print $1}' | xargs)"
          break ;;
      esac
      (($(now) < deadline)) || die "$h: systemd still '$state' after ${READY_TIMEOUT}s"
      sleep 0.5
    done
  done
}

declare -A NODE_VERSION=()

write_lab_json() {
  local tmp="$LAB_JSON.tmp" h
  for h in "${HOSTS[@]}"; do
    NODE_VERSION[$h]="$(lab_ssh "${PORT[$h]}" root node --version 2>/dev/null || echo unknown)"
  done
  LAB_KEY="$KEY" LAB_KH="$KNOWN_HOSTS" LAB_SSHLOG="$SSHD_LOG" LAB_TINY="$TINY_MOUNT" \
  LAB_P18="${PORT[node18]}" LAB_P20="${PORT[node20]}" LAB_PD="${PORT[docker]}" \
  LAB_C18="${CONTAINER_PREFIX}node18" LAB_C20="${CONTAINER_PREFIX}node20" \
  LAB_N18="${NODE_VERSION[node18]}" LAB_N20="${NODE_VERSION[node20]}" LAB_ND="$(node --version)" LAB_OUT="$tmp" \
  LAB_FLEET="$(for h in "${FLEET[@]}"; do printf '%s:%s:%s:%s\n' "$h" "${PORT[$h]}" "$CONTAINER_PREFIX$h" "${NODE_VERSION[$h]}"; done)" \
  node -e '
    const e = process.env;
    const users = ["root", "deploy", "nosudo"];
    const fleet = {};
    for (const line of (e.LAB_FLEET || "").split("\n").filter(Boolean)) {
      const [name, port, container, nodeVersion] = line.split(":");
      fleet[name] = { host: "127.0.0.1", port: Number(port), container, users, tinyMount: e.LAB_TINY, nodeVersion };
    }
    const lab = {
      identityFile: e.LAB_KEY,
      knownHostsFile: e.LAB_KH,
      hosts: {
        node18: { host: "127.0.0.1", port: Number(e.LAB_P18), container: e.LAB_C18, users, tinyMount: e.LAB_TINY, nodeVersion: e.LAB_N18 },
        node20: { host: "127.0.0.1", port: Number(e.LAB_P20), container: e.LAB_C20, users, tinyMount: e.LAB_TINY, nodeVersion: e.LAB_N20 },
        docker: { host: "127.0.0.1", port: Number(e.LAB_PD), container: null, users: ["root"], sshLog: e.LAB_SSHLOG, nodeVersion: e.LAB_ND },
        ...fleet,
      },
      fleet: Object.keys(fleet),
      startedAt: new Date().toISOString(),
    };
    require("node:fs").writeFileSync(e.LAB_OUT, JSON.stringify(lab, null, 2) + "\n");
  '
  mv -f "$tmp" "$LAB_JSON"
}

summary() {
  local h
  log "lab is up ($LAB_JSON)"
  printf '  %-7s %-16s %-22s %-10s %s\n' HOST ADDRESS CONTAINER NODE USERS
  for h in "${HOSTS[@]}"; do
    printf '  %-7s %-16s %-22s %-10s %s\n' "$h" "127.0.0.1:${PORT[$h]}" "$CONTAINER_PREFIX$h" \
      "${NODE_VERSION[$h]}" "${LAB_USERS[*]}"
  done
  printf '  %-7s %-16s %-22s %-10s %s\n' docker "127.0.0.1:${PORT[docker]}" "(this machine)" "$(node --version)" root
  log "try: ssh -F none -i $KEY -o UserKnownHostsFile=$KNOWN_HOSTS -p ${PORT[node18]} deploy@127.0.0.1"
}

# ---------------------------------------------------------------------------------------------
# commands

cmd_up() {
  local t0; t0=$(now)
  preflight
  take_lock
  rm -f "$LAB_JSON"
  ensure_dockerd
  ensure_images
  ensure_key
  ensure_containers
  ensure_host_sshd
  log "waiting (up to ${READY_TIMEOUT}s) for every host to accept the lab key"
  wait_ready
  write_lab_json
  summary
  log "up took $(($(now) - t0))s"
}

cmd_down() {
  local t0 ids p pid; t0=$(now)
  preflight
  take_lock
  rm -f "$LAB_JSON"
  if docker_ok; then
    ids="$( (docker ps -aq --filter label=deckhand.lab=1; docker ps -aq --filter "name=^${CONTAINER_PREFIX}build-") | sort -u | xargs)"
    if [[ -n "$ids" ]]; then
      log "removing lab containers: $(docker ps -a --format '{{.Names}}' --filter label=deckhand.lab=1 | xargs)"
      # shellcheck disable=SC2086
      docker rm -f $ids >/dev/null || warn "could not remove every lab container"
    fi
  else
    log "docker engine not answering; no containers to remove"
  fi
  if sshd_running; then
    stop_pid "$(cat "$SSHD_PID")" "docker-host sshd" 10
  fi
  rm -f "$SSHD_PID"
  if [[ -s "$DOCKERD_PIDREC" ]]; then
    pid="$(cat "$DOCKERD_PIDREC")"
    if pid_matches "$pid" dockerd; then
      stop_pid "$pid" "dockerd (started by the lab)" 60
    fi
    if [[ -s "$CONTAINERD_PIDREC" ]] && pid_matches "$(cat "$CONTAINERD_PIDREC")" containerd; then
      stop_pid "$(cat "$CONTAINERD_PIDREC")" "containerd (started by the lab's dockerd)" 20
    fi
    rm -f "$DOCKERD_PIDREC" "$CONTAINERD_PIDREC"
  elif docker_ok; then
    log "leaving dockerd running (not started by the lab)"
  fi
  for p in "${PORT[@]}"; do
    port_listening "$p" && warn "something still listens on port $p: $(ss -Hltnp "sport = :$p" | head -n1)"
  done
  log "down took $(($(now) - t0))s (images stay cached; 'docker rmi' them to force a rebuild)"
}

cmd_status() {
  local ok=0 h name st img
  [[ -d "$STATE_DIR" ]] || mkdir -p "$STATE_DIR"
  log "state dir: $STATE_DIR"
  if docker_ok; then
    if [[ -s "$DOCKERD_PIDREC" ]] && pid_matches "$(cat "$DOCKERD_PIDREC")" dockerd; then
      log "dockerd: running (pid $(cat "$DOCKERD_PIDREC"), started by the lab)"
    else
      log "dockerd: running (not started by the lab)"
    fi
    for img in "$IMG_BASE" "$IMG_NODE18" "$IMG_NODE20"; do
      if docker image inspect "$img" >/dev/null 2>&1; then
        log "image $img: $(docker image inspect -f '{{.Id}} {{.Created}}' "$img" | awk '{print substr($1, 8, 12), substr($2, 1, 19)}')"
      else
        log "image $img: missing"
      fi
    done
    for h in "${HOSTS[@]}"; do
      name="$CONTAINER_PREFIX$h"
      st="$(docker container inspect -f '{{.State.Status}}' "$name" 2>/dev/null || true)"
      st="${st//[[:space:]]/}"
      [[ -n "$st" ]] || st=absent
      if [[ "$st" == running ]]; then
        log "container $name: running, 127.0.0.1:${PORT[$h]}, systemd $(docker exec "$name" systemctl is-system-running 2>/dev/null || true)"
      else
        log "container $name: $st"; ok=1
      fi
    done
  else
    log "dockerd: not running"; ok=1
  fi
  if sshd_running; then
    log "docker-host sshd: running (pid $(cat "$SSHD_PID"), 127.0.0.1:${PORT[docker]})"
  else
    log "docker-host sshd: not running"; ok=1
  fi
  if [[ -s "$LAB_JSON" ]]; then log "lab.json: $LAB_JSON"; else log "lab.json: absent (run: npm run lab:up)"; ok=1; fi
  if [[ -s "$ROOTFS_TAR" ]]; then log "rootfs cache: $ROOTFS_TAR"; else log "rootfs cache: absent"; fi
  if ((ok == 0)); then log "lab is up"; return 0; fi
  log "lab is not (fully) up"
  return 3
}

case "${1:-}" in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
