#!/usr/bin/env bash
# Installs the Debian packages bcrp-edge needs to run its demo and its tests (ffmpeg, mosquitto, GStreamer's RTSP
# server, Chromium, PostgreSQL, jq). Idempotent: prints "all packages present" when there is nothing to do.
# Needs root (or sudo). The list is scripts/apt-packages.txt (--all: also the tools of the scripts run outside CI).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
export DEBIAN_FRONTEND=noninteractive
sudo=; [ "$(id -u)" = 0 ] || sudo=sudo
# The list's last block (after "# outside CI") is for scripts run by hand; --all installs it too.
all=0; [ "${1:-}" = --all ] && all=1
missing=()
while read -r p; do
  [ $all = 0 ] && [[ "$p" == '# outside CI'* ]] && break
  p=${p%%#*}; p=${p//[[:space:]]/}; [ -n "$p" ] || continue
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done < "$here/apt-packages.txt"
if [ ${#missing[@]} -eq 0 ]; then echo "all packages present"; exit 0; fi
echo "installing: ${missing[*]}"
need_update=0
for p in "${missing[@]}"; do
  cand=$(apt-cache policy "$p" 2>/dev/null | awk '/Candidate:/{print $2}')
  { [ -z "$cand" ] || [ "$cand" = "(none)" ]; } && need_update=1
done
[ $need_update = 1 ] && $sudo apt-get update -q
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
echo "installed: ${missing[*]}"
