#!/usr/bin/env bash
# Installs BCRP Edge on Debian / Raspberry Pi OS: system packages, the bcrp-edge user, the app under /opt/bcrp-edge,
# directories with their permissions, the hardened systemd unit (plus a device drop-in when a GPIO or USB button is
# used), journald and logrotate limits. Idempotent: a second run changes nothing and says so.
#
#   sudo scripts/install.sh                      install from this checkout (run `npm ci && npm run build` first)
#   scripts/install.sh --root /tmp/r --no-packages   install into a staging root (tests, image builds); no apt,
#                                                    no useradd, no systemctl, no chown
#   scripts/install.sh --dry-run                 print what would be done, change nothing
# Options: --hub (also the hub unit), --gpio-chip gpiochip0 / --input (open the device policy for a GPIO chip or
#          USB keyboard-type button), --source DIR (checkout to install from), --prefix DIR (default /opt/bcrp-edge)
set -euo pipefail

ROOT=""
DRY=0
PACKAGES=1
HUB=0
GPIO_CHIP=""
INPUT=0
SOURCE=$(cd "$(dirname "$0")/.." && pwd)
PREFIX=/opt/bcrp-edge
USER_NAME=bcrp-edge
PKGS=(ffmpeg openssl gpiod chrony nftables logrotate ca-certificates)

die() { echo "install.sh: $*" >&2; exit 1; }
while [ $# -gt 0 ]; do
  case "$1" in
    --root) ROOT=${2:?--root needs a directory}; shift ;;
    --root=*) ROOT=${1#*=} ;;
    --dry-run) DRY=1 ;;
    --no-packages) PACKAGES=0 ;;
    --hub) HUB=1 ;;
    --gpio-chip) GPIO_CHIP=${2:?--gpio-chip needs a chip name}; shift ;;
    --input) INPUT=1 ;;
    --source) SOURCE=${2:?--source needs a directory}; shift ;;
    --prefix) PREFIX=${2:?--prefix needs a directory}; shift ;;
    -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
  shift
done
[[ -z "$GPIO_CHIP" || "$GPIO_CHIP" =~ ^gpiochip[0-9]+$ ]] || die "--gpio-chip must look like gpiochip0"
ROOT=${ROOT%/}
STAGING=0; [ -n "$ROOT" ] && STAGING=1
if [ $STAGING = 0 ] && [ $DRY = 0 ] && [ "$(id -u)" != 0 ]; then die "run as root (sudo), or use --root DIR / --dry-run"; fi
[ -f "$SOURCE/dist/main.js" ] || die "$SOURCE/dist/main.js is missing: run 'npm ci && npm run build' in the checkout first"

changed=0
say() { echo "  $*"; }
run() { # a command with effects on the live system: skipped in staging, printed in dry-run
  if [ $DRY = 1 ]; then say "would run: $*"; return 0; fi
  if [ $STAGING = 1 ]; then say "skipped in --root mode: $*"; return 0; fi
  "$@"
}
mkd() { # mkd MODE OWNER:GROUP DIR
  local mode=$1 owner=$2 d="$ROOT$3"
  if [ -d "$d" ] && [ "$(stat -c %a "$d")" = "${mode#0}" ]; then return 0; fi
  if [ $DRY = 1 ]; then say "would create $3 ($mode $owner)"; changed=$((changed + 1)); return 0; fi
  mkdir -p "$d"; chmod "$mode" "$d"
  [ $STAGING = 1 ] || chown "$owner" "$d"
  say "directory $3 ($mode $owner)"; changed=$((changed + 1))
}
put() { # put MODE SRC DEST: copies when different
  local mode=$1 src=$2 dest="$ROOT$3"
  if [ -f "$dest" ] && cmp -s "$src" "$dest" && [ "$(stat -c %a "$dest")" = "${mode#0}" ]; then return 0; fi
  if [ $DRY = 1 ]; then say "would install $3"; changed=$((changed + 1)); return 0; fi
  mkdir -p "$(dirname "$dest")"
  install -m "$mode" "$src" "$dest"
  say "installed $3"; changed=$((changed + 1))
}
text() { # text MODE DEST <<< content
  local tmp; tmp=$(mktemp); cat > "$tmp"; put "$1" "$tmp" "$2"; rm -f "$tmp"
}

echo "== packages"
if [ $PACKAGES = 1 ] && [ $STAGING = 0 ]; then
  missing=()
  for p in "${PKGS[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p"); done
  if [ ${#missing[@]} -gt 0 ]; then
    run apt-get update -q
    run env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
    changed=$((changed + 1))
  else say "all present: ${PKGS[*]}"; fi
  node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
  [ "$node_major" -ge 20 ] || die "Node.js 20 or newer is needed at /usr/bin/node (found: ${node_major}); see docs/installation.md"
else say "skipped (--no-packages or --root)"; fi

echo "== user"
if [ $STAGING = 0 ] && id "$USER_NAME" >/dev/null 2>&1; then say "$USER_NAME exists"
else
  run useradd --system --user-group --home-dir /var/lib/bcrp-edge --no-create-home --shell /usr/sbin/nologin "$USER_NAME"
  [ $STAGING = 1 ] || changed=$((changed + 1))
fi
groups=()
for g in gpio input; do
  if [ $STAGING = 1 ] || getent group "$g" >/dev/null; then groups+=("$g"); fi
done
for g in "${groups[@]}"; do
  if [ $STAGING = 0 ] && id -nG "$USER_NAME" 2>/dev/null | tr ' ' '\n' | grep -qx "$g"; then continue; fi
  run usermod -aG "$g" "$USER_NAME"
done

echo "== application ($PREFIX)"
mkd 0755 root:root "$PREFIX"
for d in dist systemd firmware-config docs models; do
  [ -d "$SOURCE/$d" ] || continue
  dest="$ROOT$PREFIX/$d"
  if diff -rq "$SOURCE/$d" "$dest" >/dev/null 2>&1; then continue; fi
  if [ $DRY = 1 ]; then say "would update $PREFIX/$d"; changed=$((changed + 1)); continue; fi
  rm -rf "$dest"; cp -R "$SOURCE/$d" "$dest"; chmod -R u=rwX,go=rX "$dest"
  say "updated $PREFIX/$d"; changed=$((changed + 1))
done
put 0644 "$SOURCE/package.json" "$PREFIX/package.json"
[ ! -f "$SOURCE/package-lock.json" ] || put 0644 "$SOURCE/package-lock.json" "$PREFIX/package-lock.json"
if [ -d "$SOURCE/node_modules" ] && [ $STAGING = 0 ]; then
  if [ $DRY = 1 ]; then say "would copy node_modules"
  elif ! diff -rq "$SOURCE/node_modules" "$ROOT$PREFIX/node_modules" >/dev/null 2>&1; then
    rm -rf "$ROOT$PREFIX/node_modules"; cp -aL "$SOURCE/node_modules" "$ROOT$PREFIX/node_modules"
    say "copied node_modules"; changed=$((changed + 1))
  fi
fi
text 0755 /usr/local/bin/bcrp-edge <<EOS
#!/bin/sh
# bcrp-edge command line (installed by scripts/install.sh)
exec /usr/bin/node $PREFIX/dist/main.js "\$@"
EOS

echo "== directories"
mkd 0750 "root:$USER_NAME" /etc/bcrp-edge
mkd 0750 "root:$USER_NAME" /etc/bcrp-edge/secrets
mkd 0750 "$USER_NAME:$USER_NAME" /var/lib/bcrp-edge
mkd 0750 "$USER_NAME:$USER_NAME" /var/log/bcrp-edge

echo "== systemd"
put 0644 "$SOURCE/systemd/bcrp-edge.service" /etc/systemd/system/bcrp-edge.service
[ $HUB = 0 ] || put 0644 "$SOURCE/systemd/bcrp-edge-hub.service" /etc/systemd/system/bcrp-edge-hub.service
dropin=/etc/systemd/system/bcrp-edge.service.d/10-devices.conf
if [ -n "$GPIO_CHIP" ] || [ $INPUT = 1 ]; then
  dev_groups=""; [ -z "$GPIO_CHIP" ] || dev_groups="gpio"; [ $INPUT = 0 ] || dev_groups="${dev_groups:+$dev_groups }input"
  tmp=$(mktemp)
  sed -e "s/@GPIOCHIP@/${GPIO_CHIP:-gpiochip0}/" -e "s/@GROUPS@/$dev_groups/" "$SOURCE/systemd/devices.conf.in" > "$tmp"
  [ -n "$GPIO_CHIP" ] || sed -i '/^DeviceAllow=\/dev\/gpiochip/d' "$tmp"
  [ $INPUT = 1 ] || sed -i '/^DeviceAllow=char-input/d' "$tmp"
  put 0644 "$tmp" "$dropin"; rm -f "$tmp"
elif [ -f "$ROOT$dropin" ]; then
  if [ $DRY = 1 ]; then say "would remove $dropin"; else rm -f "$ROOT$dropin"; say "removed $dropin (no device buttons)"; fi
  changed=$((changed + 1))
fi

echo "== journald and logrotate"
text 0644 /etc/systemd/journald.conf.d/50-bcrp-edge.conf <<'EOS'
# BCRP Edge: keep the journal on disk but small, so logs can never fill the card that holds the evidence.
[Journal]
Storage=persistent
SystemMaxUse=200M
SystemKeepFree=1G
MaxRetentionSec=31day
EOS
text 0644 /etc/logrotate.d/bcrp-edge <<'EOS'
# BCRP Edge files under /var/log/bcrp-edge (exports, bench results); the service itself logs to the journal.
/var/log/bcrp-edge/*.log {
    su bcrp-edge bcrp-edge
    daily
    rotate 14
    maxsize 20M
    compress
    delaycompress
    missingok
    notifempty
    copytruncate
}
EOS

echo "== enable"
if [ $changed -gt 0 ]; then run systemctl daemon-reload; fi
run systemctl enable bcrp-edge.service
[ $HUB = 0 ] || run systemctl enable bcrp-edge-hub.service
if [ -f "$ROOT/etc/bcrp-edge/config.yaml" ]; then
  [ $changed = 0 ] || run systemctl restart bcrp-edge.service
else
  say "not started: provision first (sudo bcrp-edge provision ... --owner $USER_NAME), then: systemctl start bcrp-edge"
fi
if [ $DRY = 1 ]; then echo "dry run: $changed change(s) would be made"
elif [ $changed = 0 ]; then echo "nothing changed: already installed"
else echo "done: $changed change(s)"; fi
