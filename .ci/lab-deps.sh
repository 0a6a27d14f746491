#!/usr/bin/env bash
# Installs what the integration lab (test/lab/lab.sh) needs on a fresh Debian 12 machine. Idempotent; run as root.
#   bash .ci/lab-deps.sh
# Extra Debian packages for other tests can be added with LAB_EXTRA_PACKAGES="docker-compose pebble certbot".
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

if [[ "$(id -u)" -ne 0 ]]; then
  echo "lab-deps: must run as root" >&2
  exit 1
fi
command -v apt-get >/dev/null 2>&1 || { echo "lab-deps: apt-get not found (the lab needs Debian 12)" >&2; exit 1; }

packages=(
  docker.io              # dockerd + docker CLI (pulls containerd, runc, iptables, tini)
  debootstrap            # builds the bookworm rootfs for the lab images
  debian-archive-keyring # lets debootstrap verify the mirror
  ca-certificates
  openssh-server         # /usr/sbin/sshd for the loopback "Docker host"
  openssh-client         # ssh, ssh-keygen, ssh-keyscan
  rsync
  iproute2               # ss
  procps                 # pgrep
  util-linux             # setsid, flock, findmnt
  coreutils tar
)
# shellcheck disable=SC2206
extra=(${LAB_EXTRA_PACKAGES:-})

apt_opts=(-y -q -o Acquire::Retries=3 -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)
echo "lab-deps: apt-get update"
apt-get update -q -o Acquire::Retries=3
echo "lab-deps: installing ${packages[*]} ${extra[*]}"
apt-get install "${apt_opts[@]}" --no-install-recommends --no-upgrade "${packages[@]}" "${extra[@]}"

command -v node >/dev/null 2>&1 || echo "lab-deps: WARNING: node not on PATH (the lab copies the machine's Node 20 into the node20 host)" >&2
echo "lab-deps: done"
