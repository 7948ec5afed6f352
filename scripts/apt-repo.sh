#!/usr/bin/env bash
# The partnership's apt repository: a reprepro layout (dists/, pool/) holding the given bcrp-edge .debs, with
# Release signed by the partnership's key (InRelease and Release.gpg), and that key's public half as
# bcrp-partnership.gpg beside it for the appliances' `signed-by=`. Publishing is copying DIR to any web server.
#
#   scripts/apt-repo.sh --out DIR --key KEYID [--suite trixie] DEB...
#
# The signing key lives in the partnership's GnuPG home (GNUPGHOME), never in this project; tests make a throwaway
# one (scripts/test-clean-install.sh). Re-running with new .debs adds them (reprepro replaces a package of the same
# name with the newer version and keeps the pool consistent). Origin/Label are what unattended-upgrades matches
# (firmware-config/apt/52bcrp-edge-unattended-upgrades: origin=BCRP Partnership,label=bcrp-edge).
set -euo pipefail
OUT="" KEY="" SUITE=trixie
die() { echo "apt-repo.sh: $*" >&2; exit 1; }
while [ $# -gt 0 ]; do
  case "$1" in
    --out) OUT=${2:?}; shift ;;
    --key) KEY=${2:?}; shift ;;
    --suite) SUITE=${2:?}; shift ;;
    -h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) die "unknown option $1" ;;
    *) break ;;
  esac
  shift
done
{ [ -n "$OUT" ] && [ -n "$KEY" ] && [ $# -gt 0 ]; } || die "usage: apt-repo.sh --out DIR --key KEYID [--suite trixie] DEB..."
command -v reprepro >/dev/null || die "reprepro is missing (apt-get install reprepro; scripts/apt-packages.txt lists it)"
gpg --batch --list-secret-keys "$KEY" >/dev/null 2>&1 || die "no secret key $KEY in ${GNUPGHOME:-~/.gnupg}"

mkdir -p "$OUT/conf"
cat > "$OUT/conf/distributions" <<CONF
Origin: BCRP Partnership
Label: bcrp-edge
Suite: $SUITE
Codename: $SUITE
Architectures: amd64 arm64
Components: main
Description: BCRP Edge appliance packages, signed by the partnership
SignWith: $KEY
CONF
printf 'verbose\nbasedir %s\n' "$(cd "$OUT" && pwd)" > "$OUT/conf/options"
for deb in "$@"; do
  [ -f "$deb" ] || die "$deb is missing"
  reprepro -b "$OUT" --silent includedeb "$SUITE" "$deb"
done
reprepro -b "$OUT" --silent export "$SUITE"
gpg --batch --yes --export "$KEY" > "$OUT/bcrp-partnership.gpg"
{ [ -f "$OUT/dists/$SUITE/InRelease" ] && [ -f "$OUT/dists/$SUITE/Release.gpg" ]; } || die "reprepro did not sign the Release file"
echo "repository $OUT: $(reprepro -b "$OUT" list "$SUITE" | tr '\n' ';' | sed 's/;$//'); signed by $KEY"
