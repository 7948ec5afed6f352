#!/usr/bin/env bash
# Applies firmware-config/ to this host (run by the installer after scripts/install.sh, docs/installation.md):
# firewall with the site's addresses, chrony, unattended security upgrades, SSH keys-only, radios off (and on a
# Pi in firmware too). --root DIR writes into a staging root instead (image builds, tests) and starts nothing.
#   sudo firmware-config/apply.sh --shop-lan 192.168.1.0/24 --nvr 192.168.1.64 --broker 203.0.113.10 \
#        [--broker-port 8883] [--dns 192.168.1.1] [--web-port 8443] [--root DIR]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
ROOT="" SHOP_LAN="" NVR="" BROKER="" BROKER_PORT=8883 DNS="" WEB_PORT=8443
die() { echo "apply.sh: $*" >&2; exit 1; }
while [ $# -gt 0 ]; do
  case "$1" in
    --root) ROOT=${2%/}; shift ;;
    --shop-lan) SHOP_LAN=$2; shift ;;
    --nvr) NVR=$2; shift ;;
    --broker) BROKER=$2; shift ;;
    --broker-port) BROKER_PORT=$2; shift ;;
    --dns) DNS=$2; shift ;;
    --web-port) WEB_PORT=$2; shift ;;
    -h|--help) sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option $1" ;;
  esac
  shift
done
ip4='^([0-9]{1,3}\.){3}[0-9]{1,3}$'
[[ "$SHOP_LAN" =~ ^([0-9]{1,3}\.){3}[0-9]{1,3}/[0-9]{1,2}$ ]] || die "--shop-lan must be an IPv4 network like 192.168.1.0/24"
[[ "$NVR" =~ $ip4 ]] || die "--nvr must be the NVR's IPv4 address"
[[ "$BROKER" =~ $ip4 ]] || die "--broker must be the broker's IPv4 address (the firewall cannot follow a DNS name)"
[[ "$BROKER_PORT" =~ ^[0-9]{1,5}$ && "$WEB_PORT" =~ ^[0-9]{1,5}$ ]] || die "ports are numbers"
DNS=${DNS:-${SHOP_LAN%.*/*}.1}
[[ "$DNS" =~ $ip4 ]] || die "--dns must be an IPv4 address"

# apt downloads as _apt (APT::Sandbox::User): the firewall lets it out to the update sources by uid.
APT_UID=$(awk -F: '$1=="_apt" {print $3}' "$ROOT/etc/passwd" 2>/dev/null || true); APT_UID=${APT_UID:-42}

put() { mkdir -p "$(dirname "$ROOT$2")"; install -m "$3" "$1" "$ROOT$2"; echo "  $2"; }
tmp=$(mktemp)
sed -e "s#^define SHOP_LAN = .*#define SHOP_LAN = $SHOP_LAN#" -e "s#^define NVR_ADDR = .*#define NVR_ADDR = $NVR#" \
    -e "s#^define BROKER_ADDR = .*#define BROKER_ADDR = $BROKER#" -e "s#^define BROKER_PORT = .*#define BROKER_PORT = $BROKER_PORT#" \
    -e "s#^define DNS_SERVERS = .*#define DNS_SERVERS = { $DNS }#" -e "s#^define WEB_PORT = .*#define WEB_PORT = $WEB_PORT#" \
    -e "s#^define APT_UID = .*#define APT_UID = $APT_UID#" \
    "$here/nftables/site.nft.example" > "$tmp"
put "$tmp" /etc/nftables.d/bcrp-edge-site.nft 0644; rm -f "$tmp"
put "$here/nftables/bcrp-edge.nft" /etc/nftables.conf 0755
put "$here/chrony/bcrp-edge.conf" /etc/chrony/chrony.conf 0644
# Egress to NTP and updates: the addresses of the servers chrony now names and of apt's sources, refreshed hourly.
put "$here/nftables/egress.sh" /usr/local/sbin/bcrp-edge-egress 0755
put "$here/nftables/bcrp-edge-egress.service" /etc/systemd/system/bcrp-edge-egress.service 0644
put "$here/nftables/bcrp-edge-egress.timer" /etc/systemd/system/bcrp-edge-egress.timer 0644
"$here/nftables/egress.sh" ${ROOT:+--root "$ROOT"} --out "$ROOT/etc/nftables.d/bcrp-edge-egress.nft"
echo "  /etc/nftables.d/bcrp-edge-egress.nft ($(grep -c "^add element" "$ROOT/etc/nftables.d/bcrp-edge-egress.nft") lines of addresses)"
put "$here/apt/20auto-upgrades" /etc/apt/apt.conf.d/20auto-upgrades 0644
put "$here/apt/52bcrp-edge-unattended-upgrades" /etc/apt/apt.conf.d/52bcrp-edge-unattended-upgrades 0644
put "$here/ssh/50-bcrp-edge.conf" /etc/ssh/sshd_config.d/50-bcrp-edge.conf 0644
put "$here/radio/bcrp-edge-radios.service" /etc/systemd/system/bcrp-edge-radios.service 0644
if [ -f "$ROOT/boot/firmware/config.txt" ] && ! grep -q 'disable-wifi' "$ROOT/boot/firmware/config.txt"; then
  cat "$here/raspberry-pi/config.txt.append" >> "$ROOT/boot/firmware/config.txt"; echo "  /boot/firmware/config.txt (radios off)"
fi
if [ -n "$ROOT" ]; then echo "written into $ROOT; nothing started"; exit 0; fi
getent group bcrp-admin >/dev/null || groupadd --system bcrp-admin
nft -c -f /etc/nftables.conf
systemctl daemon-reload
systemctl enable --now nftables.service chrony.service bcrp-edge-radios.service bcrp-edge-egress.timer
systemctl enable unattended-upgrades.service
systemctl reload ssh.service || true
echo "applied: firewall (NVR $NVR, broker $BROKER:$BROKER_PORT, web UI from $SHOP_LAN; NTP and updates only to the configured servers), chrony, upgrades, SSH, radios"
