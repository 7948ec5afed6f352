#!/usr/bin/env bash
# Optional: makes the root file system read-only with a RAM overlay (Raspberry Pi OS: raspi-config's overlayfs), so
# a power cut cannot corrupt the system and nothing written outside the data partition survives a reboot.
# Refuses unless /var/lib/bcrp-edge is its own mount point: on the overlay the audit log and the outbox would
# vanish at every reboot, which would break the appliance's promises (nothing lost, every action logged).
# Updates then need: sudo raspi-config nonint disable_overlayfs && reboot, upgrade, enable again.
set -euo pipefail
DATA=${BCRP_EDGE_DATA_DIR:-/var/lib/bcrp-edge}
if ! mountpoint -q "$DATA"; then
  echo "refusing: $DATA is not a separate partition. Give it one (fstab: a partition or USB SSD mounted at $DATA)," >&2
  echo "or the audit log and unsent incidents are lost at every reboot." >&2
  exit 1
fi
for d in /var/log/journal /etc/bcrp-edge; do
  mountpoint -q "$d" || echo "note: $d is on the overlay: changes there are lost at reboot" >&2
done
if command -v raspi-config >/dev/null; then
  raspi-config nonint enable_overlayfs
  echo "overlay enabled; reboot to apply"
else
  echo "raspi-config not found: on Debian use the overlayroot approach in docs/installation.md" >&2
  exit 1
fi
