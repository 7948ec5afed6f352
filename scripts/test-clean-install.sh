#!/usr/bin/env bash
# Clean-install proof: a fresh Debian 13 (trixie) root made by mmdebstrap from the Debian archive this machine's apt
# is configured with (read from its apt sources at run time), then scripts/clean-install/inside.sh in it: apt-get
# install ./bcrp-edge_*.deb, --version, provision, config validate, redact (real inference; YuNet when the package
# carries it), audit verify, an upgrade from a signed repository (refused unsigned and tampered), remove (data kept)
# and purge (nothing left, checked against a file list taken before the install).
#
#   scripts/test-clean-install.sh [DEB]      default: build/deb/bcrp-edge_<version>[~noyunet]_<machine arch>.deb
#   scripts/test-clean-install.sh --arch arm64 [DEB]   the arm64 package in an arm64 root under qemu-user-static
#                                            (binfmt_misc is mounted and qemu-aarch64 registered when needed)
# The downloaded .debs are kept in $BCRP_EDGE_PKG_CACHE (default /var/cache/bcrp-edge-pkgtest), so a second run
# downloads nothing. Needs root and mmdebstrap; without them it prints "skipped: <why>" and exits 0 (CI has both).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
ARCH=$(dpkg --print-architecture)
if [ "${1:-}" = --arch ]; then ARCH=${2:?--arch needs amd64 or arm64}; shift 2; fi
VERSION=$(node -p "require('$ROOT/package.json').version")
# package-deb.sh leaves one of the two: with the YuNet model, or labelled ~noyunet without it.
DEB=${1:-$ROOT/build/deb/bcrp-edge_${VERSION}_${ARCH}.deb}
[ -n "${1:-}" ] || [ -f "$DEB" ] || DEB=$ROOT/build/deb/bcrp-edge_${VERSION}~noyunet_${ARCH}.deb
CACHE=${BCRP_EDGE_PKG_CACHE:-/var/cache/bcrp-edge-pkgtest}/$ARCH
SUITE=trixie
skip() { echo "skipped: clean-install test: $*"; exit 0; }
die() { echo "test-clean-install.sh: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || skip "needs root (mmdebstrap's root mode mounts /proc and /dev in the new root)"
command -v mmdebstrap >/dev/null || skip "mmdebstrap is not installed (apt-get install mmdebstrap; scripts/apt-packages.txt lists it)"
if [ "$ARCH" != "$(dpkg --print-architecture)" ]; then
  command -v qemu-aarch64-static >/dev/null || skip "qemu-user-static is not installed (apt-get install qemu-user-static binfmt-support)"
  [ -e /proc/sys/fs/binfmt_misc/register ] || mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc ||
    skip "binfmt_misc cannot be mounted here"
  [ -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ] || update-binfmts --enable qemu-aarch64 ||
    skip "qemu-aarch64 could not be registered with binfmt_misc"
fi
[ -f "$DEB" ] || die "$DEB is missing: run 'npm run build && npm run package:deb' first"

# The Debian archive and its security archive as this machine's apt uses them (deb822 .sources and one-line lists).
sources() {
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    awk '/^URIs:/{u=$2} /^Suites:/{s=$0} /^$/{if(u&&s)print u" "s; u=s=""} END{if(u&&s)print u" "s}' "$f"
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] && awk '$1=="deb" && $2 !~ /^\[/ {print $2" Suites: "$3}' "$f"
  done
  return 0
}
mirror=$(sources | { grep -v -- '-security' || true; } | { grep -E 'Suites: .*(bookworm|trixie|forky|sid|stable|testing)' || true; } | head -1 | cut -d' ' -f1)
security=$(sources | { grep -- '-security' || true; } | head -1 | cut -d' ' -f1)
[ -n "$mirror" ] || skip "no Debian archive found in this machine's apt sources"
lists=("deb $mirror $SUITE main" "deb $mirror $SUITE-updates main")
[ -z "$security" ] || lists+=("deb $security $SUITE-security main")

still=$(mktemp -d)
trap 'rm -rf "$still"' EXIT
(cd "$ROOT" && npx tsx scripts/clean-install/make-still.ts "$still/still.jpg")
cp "$DEB" "$still/bcrp-edge.deb"
cp "$ROOT/scripts/clean-install/inside.sh" "$still/inside.sh"
# The partnership's signed repository holding this package (scripts/apt-repo.sh), signed with a throwaway key made
# here and deleted at the end: inside.sh upgrades from it and checks that apt refuses it unsigned or tampered with.
if command -v reprepro >/dev/null && command -v gpg >/dev/null; then
  export GNUPGHOME=$still/gnupg
  mkdir -m 0700 "$GNUPGHOME"
  gpg --batch --quiet --passphrase '' --quick-gen-key 'BCRP Partnership (test key) <test@bcrp-edge.invalid>' ed25519 sign 1d 2>/dev/null
  key=$(gpg --batch --list-secret-keys --with-colons 2>/dev/null | awk -F: '$1=="fpr" {print $10; exit}')
  bash "$ROOT/scripts/apt-repo.sh" --out "$still/repo-build" --key "$key" "$DEB" | tail -1
  mkdir "$still/repo"
  cp -a "$still/repo-build/dists" "$still/repo-build/pool" "$still/repo-build/bcrp-partnership.gpg" "$still/repo/"
  rm -rf "$still/repo-build" "$GNUPGHOME"
else
  echo "skipped: signed repository check: reprepro or gpg is not installed (scripts/apt-packages.txt lists them)"
fi
mkdir -p "$CACHE"
echo "== clean install in a fresh Debian 13 $ARCH root ($(du -h "$DEB" | cut -f1) package; load: $(cut -d' ' -f1-3 /proc/loadavg))"
start=$(date +%s)
# shellcheck disable=SC2016 # "$1" is the new root, expanded by mmdebstrap's hooks
# --skip=essential/unlink keeps the essential set's .debs for the cache; the root itself is thrown away (/dev/null).
mmdebstrap --quiet --variant=minbase --architectures="$ARCH" --skip=essential/unlink \
  --setup-hook='mkdir -p "$1"/var/cache/apt/archives/' \
  --setup-hook="sync-in $CACHE /var/cache/apt/archives/" \
  --customize-hook="mkdir -p \"\$1/tmp/pkgtest\"" \
  --customize-hook="sync-in $still /tmp/pkgtest" \
  --customize-hook='chroot "$1" sh /tmp/pkgtest/inside.sh || touch "$1/tmp/pkgtest/failed"' \
  --customize-hook="sync-out /var/cache/apt/archives $CACHE" \
  --customize-hook='if [ -e "$1/tmp/pkgtest/failed" ]; then echo "clean-install test FAILED (above)" >&2; exit 1; fi' \
  "$SUITE" /dev/null "${lists[@]}"
echo "clean-install test passed in $(( $(date +%s) - start )) s (cache: $(du -sh "$CACHE" | cut -f1))"
