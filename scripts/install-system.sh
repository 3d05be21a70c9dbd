#!/usr/bin/env bash
# System packages the tests need, from Debian: headless Chromium and its driver (browser tests),
# PostgreSQL server binaries (a throwaway cluster, scripts/services.sh), OpenJDK 17 and Maven
# (the Cassandra node, scripts/cassandra.sh), strace (tests/ingest/test_power_cut.py watches the
# order of a pass's disk writes). Quick no-op when everything is present.
# `install-system.sh demo` installs only what the demo needs: Chromium, for PDF/PNG exports.
set -euo pipefail
if [ "${1:-}" = demo ]; then
  PACKAGES=(chromium)
else
  PACKAGES=(chromium chromium-driver postgresql openjdk-17-jdk-headless maven strace)
fi
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "install-system.sh: missing ${missing[*]}; run as root (or: sudo $0)" >&2
  exit 1
fi
echo "install-system.sh: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
