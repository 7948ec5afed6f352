#!/usr/bin/env bash
# Removes BCRP Edge. By default the data (/var/lib/bcrp-edge), the configuration (/etc/bcrp-edge) and the user are
# KEPT, so a reinstall carries on where it stopped. --purge deletes them too, after asking, and only once the audit
# log has been closed with a final row (`bcrp-edge audit note`) and exported (`bcrp-edge audit export`).
#
#   sudo scripts/uninstall.sh                         remove the program and the units, keep the data
#   sudo scripts/uninstall.sh --purge [--export-dir DIR] [--yes]
#   scripts/uninstall.sh --root DIR ...               act on a staging root (tests); --dry-run changes nothing
# BCRP_EDGE_BIN overrides how the bcrp-edge command is run (default: bcrp-edge on PATH).
set -euo pipefail

ROOT=""
DRY=0
PURGE=0
YES=0
EXPORT_DIR=""
PREFIX=/opt/bcrp-edge
USER_NAME=bcrp-edge
die() { echo "uninstall.sh: $*" >&2; exit 1; }
while [ $# -gt 0 ]; do
  case "$1" in
    --root) ROOT=${2:?--root needs a directory}; shift ;;
    --dry-run) DRY=1 ;;
    --purge) PURGE=1 ;;
    --yes) YES=1 ;;
    --export-dir) EXPORT_DIR=${2:?--export-dir needs a directory}; shift ;;
    --prefix) PREFIX=${2:?--prefix needs a directory}; shift ;;
    -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
  shift
done
ROOT=${ROOT%/}
STAGING=0; [ -n "$ROOT" ] && STAGING=1
if [ $STAGING = 0 ] && [ $DRY = 0 ] && [ "$(id -u)" != 0 ]; then die "run as root (sudo), or use --root DIR / --dry-run"; fi
DATA="$ROOT/var/lib/bcrp-edge"
read -r -a BIN <<< "${BCRP_EDGE_BIN:-bcrp-edge}"

say() { echo "  $*"; }
run() {
  if [ $DRY = 1 ]; then say "would run: $*"; return 0; fi
  if [ $STAGING = 1 ]; then say "skipped in --root mode: $*"; return 0; fi
  "$@"
}
del() { # del PATH...
  for p in "$@"; do
    [ -e "$ROOT$p" ] || continue
    case "$p" in /?*) ;; *) die "refusing to remove '$p'" ;; esac
    if [ $DRY = 1 ]; then say "would remove $p"; else rm -rf -- "$ROOT$p"; say "removed $p"; fi
  done
}

if [ $PURGE = 1 ]; then
  echo "== purge: closing and exporting the audit log"
  if [ -f "$DATA/bcrp-edge.sqlite" ]; then
    if [ $YES = 0 ]; then
      echo "This deletes every capture, key, account and the audit log in $DATA and the configuration in $ROOT/etc/bcrp-edge."
      printf 'Type PURGE to go on: '
      answer=""; read -r answer || true
      [ "$answer" = PURGE ] || die "not purged (nothing was changed)"
    fi
    EXPORT_DIR=${EXPORT_DIR:-$ROOT/root}
    stamp=$(date -u +%Y%m%dT%H%M%SZ)
    out="$EXPORT_DIR/bcrp-edge-audit-$(hostname)-$stamp.jsonl"
    if [ $DRY = 1 ]; then say "would note the purge in the audit log and export it to $out"
    else
      mkdir -p "$EXPORT_DIR"
      "${BIN[@]}" audit note "appliance purged by scripts/uninstall.sh: data, keys and configuration deleted" \
        --actor installer --subject appliance --data-dir "$DATA" >/dev/null \
        || die "could not record the final audit row; nothing was deleted"
      "${BIN[@]}" audit export -o "$out" --actor installer --data-dir "$DATA" \
        || die "could not export the audit log; nothing was deleted"
      [ -s "$out" ] || die "the audit export $out is empty; nothing was deleted"
      chmod 0600 "$out"
      say "audit log exported to $out (keep it with the partnership's records)"
    fi
  else say "no audit log at $DATA (nothing to export)"; fi
fi

echo "== service"
run systemctl disable --now bcrp-edge.service bcrp-edge-hub.service || true
del /etc/systemd/system/bcrp-edge.service /etc/systemd/system/bcrp-edge-hub.service /etc/systemd/system/bcrp-edge.service.d
run systemctl daemon-reload || true

echo "== program"
del "$PREFIX" /usr/local/bin/bcrp-edge /etc/logrotate.d/bcrp-edge /etc/systemd/journald.conf.d/50-bcrp-edge.conf

if [ $PURGE = 1 ]; then
  echo "== data, configuration and user"
  del /var/lib/bcrp-edge /etc/bcrp-edge /var/log/bcrp-edge
  if [ $STAGING = 0 ] && id "$USER_NAME" >/dev/null 2>&1; then run userdel "$USER_NAME"; fi
  echo "purged"
else
  echo "kept: /var/lib/bcrp-edge (captures, keys, audit log), /etc/bcrp-edge (configuration, secrets), user $USER_NAME"
  echo "removed the program; reinstall with scripts/install.sh, or delete everything with --purge"
fi
