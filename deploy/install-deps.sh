#!/usr/bin/env bash
# Install everything binlog2kafka needs on a fresh Debian 12 (bookworm):
# build toolchain and libraries, MariaDB server/client for the tests, kcat,
# Java + Maven for the local Kafka broker (deploy/kafka.sh), and the JDK that
# compiles the interop checkers (tests/interop).
#
# Idempotent: asks dpkg which packages are missing and installs only those
# (running `apt-get update` only then). When it installs mariadb-server, it
# leaves the system MariaDB service stopped and disabled (Debian's package
# enables it at boot) and says so: the project's servers run from
# deploy/mariadb.sh with their own data directory, never /var/lib/mysql. A
# mariadb-server that was installed before is left as it is.
#
# Usage: deploy/install-deps.sh        (as root, or a user with sudo)
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build pkg-config
  libcaf-dev librdkafka-dev default-libmysqlclient-dev libspdlog-dev libfmt-dev
  libzstd-dev zlib1g-dev libdeflate-dev nlohmann-json3-dev libcpp-httplib-dev
  libssl-dev openssl
  mariadb-server mariadb-client kcat
  clang libclang-rt-14-dev clang-format
  openjdk-17-jre-headless openjdk-17-jdk-headless maven
  python3 procps iproute2 sysbench curl chromium util-linux
  systemd python3-yaml
)
# The status page's browser test drives Chromium with playwright-core from
# npm: Node.js and npm, from Debian unless another Node.js is installed.
command -v npm >/dev/null 2>&1 || PACKAGES+=(nodejs npm)

die() { echo "install-deps: $*" >&2; exit 1; }

if [[ $(id -u) -eq 0 ]]; then
  SUDO=()
elif command -v sudo >/dev/null 2>&1; then
  SUDO=(sudo)
else
  die "not root and sudo is not installed: run this script as root"
fi

if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
  die "dpkg-query/apt-get not found: this script is for Debian 12"
fi

missing=()
for p in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
  [[ $status == installed ]] || missing+=("$p")
done

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-deps: all ${#PACKAGES[@]} packages already installed"
  exit 0
fi

echo "install-deps: installing ${#missing[@]} missing package(s): ${missing[*]}"

# mariadbd processes that do not come from deploy/mariadb.sh (which always
# passes --defaults-file=...): a system service.
system_mariadbd_pids() {
  local pid cmd
  for pid in $(pgrep -x mariadbd 2>/dev/null; pgrep -x mysqld 2>/dev/null); do
    cmd=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null || true)
    [[ $cmd == *--defaults-file=* ]] || echo "$pid"
  done
}
before=$(system_mariadbd_pids | sort)

# Keep maintainer scripts from starting services (the system MariaDB above
# all). Containers usually already have a policy-rc.d that denies everything;
# only add (and later remove) ours when there is none.
policy=/usr/sbin/policy-rc.d
added_policy=0
cleanup() {
  if [[ $added_policy -eq 1 ]]; then "${SUDO[@]}" rm -f "$policy"; fi
}
trap cleanup EXIT
if [[ ! -e $policy ]]; then
  printf '#!/bin/sh\n# added by binlog2kafka deploy/install-deps.sh for the install only\nexit 101\n' |
    "${SUDO[@]}" tee "$policy" >/dev/null
  "${SUDO[@]}" chmod 755 "$policy"
  added_policy=1
fi

export DEBIAN_FRONTEND=noninteractive
rc=0
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q || rc=$?
[[ $rc -eq 0 ]] || die "apt-get update failed (exit $rc): check the network and /etc/apt/sources.list"
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
  apt-get install -y -q --no-install-recommends "${missing[@]}" || rc=$?
[[ $rc -eq 0 ]] || die "apt-get install failed (exit $rc) for: ${missing[*]}"

# If the install started a system mariadbd anyway (a host with systemd that
# ignores policy-rc.d), stop it again: the project never uses it.
after=$(system_mariadbd_pids | sort)
new=$(comm -13 <(echo "$before") <(echo "$after") | sed '/^$/d' || true)
if [[ -n $new ]]; then
  echo "install-deps: the install started the system MariaDB (pid $(echo "$new" | tr '\n' ' ')); stopping it"
  if [[ -d /run/systemd/system ]]; then
    "${SUDO[@]}" systemctl stop mariadb.service || true
  else
    "${SUDO[@]}" service mariadb stop || true
  fi
  for _ in $(seq 1 30); do
    [[ -z $(system_mariadbd_pids) ]] && break
    sleep 1
  done
  [[ -z $(comm -13 <(echo "$before") <(system_mariadbd_pids | sort) | sed '/^$/d') ]] ||
    die "the system MariaDB service is still running after the install; stop it with: systemctl stop mariadb"
fi

# Debian's mariadb-server enables its service at boot: disable it again, but
# only when this run installed it (a MariaDB someone set up is theirs).
if printf '%s\n' "${missing[@]}" | grep -qx mariadb-server; then
  if command -v systemctl >/dev/null 2>&1; then
    # Works without a running systemd too (it edits the links, SysV's too).
    "${SUDO[@]}" systemctl disable mariadb.service >/dev/null 2>&1 || true
  fi
  if command -v update-rc.d >/dev/null 2>&1 && [[ -e /etc/init.d/mariadb ]]; then
    "${SUDO[@]}" update-rc.d mariadb disable >/dev/null 2>&1 || true
  fi
  if command -v systemctl >/dev/null 2>&1 &&
    [[ $(systemctl is-enabled mariadb.service 2>/dev/null || true) == enabled ]]; then
    die "could not disable the system MariaDB service: systemctl disable mariadb"
  fi
  echo "install-deps: the system MariaDB service (mariadb.service) is stopped and disabled; binlog2kafka's demo and tests run their own (deploy/mariadb.sh)"
fi

still=()
for p in "${missing[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
  [[ $status == installed ]] || still+=("$p")
done
[[ ${#still[@]} -eq 0 ]] || die "still not installed after apt-get: ${still[*]}"
echo "install-deps: done"
