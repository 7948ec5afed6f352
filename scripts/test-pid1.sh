#!/usr/bin/env bash
# systemd as PID 1 (outside CI; docs/installation.md has the results): boots a Debian 13 root with the package
# installed and provisioned under systemd-nspawn --boot, and checks the hardened unit for real: READY through
# sd_notify (Type=notify), watchdog pings, the sandbox in force (read-only system for the service even as root in its
# mount namespace, writable state and log dirs, private /tmp, no capabilities, no new privileges),
# `systemd-analyze security`, `bcrp-edge doctor` as the service user, and `systemctl stop` within 10 s.
#
#   scripts/test-pid1.sh [DEB]          default: build/deb/bcrp-edge_<version>[~noyunet]_amd64.deb
# The root is kept in $BCRP_EDGE_PID1_ROOT (default /var/tmp/bcrp-edge-pid1/root) and reused; the package is
# (re)installed into it each run. Needs root, mmdebstrap and systemd-nspawn (systemd-container).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
VERSION=$(node -p "require('$ROOT/package.json').version")
DEB=${1:-$ROOT/build/deb/bcrp-edge_${VERSION}_amd64.deb}
[ -n "${1:-}" ] || [ -f "$DEB" ] || DEB=$ROOT/build/deb/bcrp-edge_${VERSION}~noyunet_amd64.deb
R=${BCRP_EDGE_PID1_ROOT:-/var/tmp/bcrp-edge-pid1/root}
MACHINE=bcrp-pid1
die() { echo "FAIL: $*" >&2; exit 1; }
ok() { echo "ok: $*"; }
[ "$(id -u)" = 0 ] || die "needs root"
command -v systemd-nspawn >/dev/null || die "systemd-nspawn is missing (apt-get install systemd-container)"
[ -f "$DEB" ] || die "$DEB is missing: run 'npm run build && npm run package:deb' first"

if [ ! -x "$R/usr/bin/systemctl" ]; then
  echo "== a Debian 13 root with systemd and the package's dependencies in $R"
  mirror=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
  mirror=${mirror:-$(awk '$1=="deb" {print $2; exit}' /etc/apt/sources.list)}
  mkdir -p "$(dirname "$R")"
  # shellcheck disable=SC2016 # "$1" is the new root, expanded by mmdebstrap's hook
  mmdebstrap --quiet --variant=minbase --include=systemd-sysv,dbus \
    --customize-hook="chroot \"\$1\" apt-get satisfy -y -q --no-install-recommends '$(dpkg-deb -f "$DEB" Depends)'" \
    trixie "$R" "deb $mirror trixie main" "deb $mirror trixie-updates main"
fi

# No systemd runs this machine (the container's own PID 1 is not systemd): nspawn must neither register with machined
# nor ask the host's systemd for a scope unit.
nspawn_opts=(--quiet -D "$R" "--machine=$MACHINE" --register=no --keep-unit)
in_root() { systemd-nspawn "${nspawn_opts[@]}" --pipe "$@"; }

echo "== the package, provisioned"
cp "$DEB" "$R/var/tmp/bcrp-edge.deb"
in_root apt-get install -y -q --no-install-recommends /var/tmp/bcrp-edge.deb > /dev/null 2>&1 ||
  { in_root apt-get install -y -q --no-install-recommends /var/tmp/bcrp-edge.deb; die "apt-get install"; }
rm "$R/var/tmp/bcrp-edge.deb"
if [ ! -f "$R/etc/bcrp-edge/config.yaml" ]; then
  in_root sh -c '
    set -e; cd /root
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.pem \
      -subj "/CN=Test Partnership CA" -days 30 2>/dev/null
    printf "nvr-password-for-test\n" > nvr-pw; printf "manager-password-for-test\n" > mgr-pw
    bcrp-edge provision --owner bcrp-edge --no-input --site-id shop-042 --site-name "Corner Shop" \
      --nvr-host 192.0.2.64 --nvr-password-file nvr-pw --camera 1:Till \
      --broker-url mqtts://broker.partnership.test:8883 --broker-ca ca.pem \
      --manager alice --manager-password-file mgr-pw --web-bind 127.0.0.1 --enrolment-code ABCD-1234' > /dev/null
fi
ok "installed $(dpkg-deb -f "$DEB" Version) and provisioned"

echo "== boot"
log=$(mktemp)
# --private-network: the service's NVR and broker are unreachable, as in a shop with the cable out; nothing leaves.
systemd-nspawn "${nspawn_opts[@]}" --private-network --console=passive --boot > "$log" 2>&1 &
nspawn=$!
cleanup() { kill "$nspawn" 2>/dev/null || true; wait "$nspawn" 2>/dev/null || true; }
trap cleanup EXIT
# The container's PID 1: the process under systemd-nspawn whose command is systemd.
leader=
for _ in $(seq 150); do
  leader=$(ps -e -o pid=,ppid=,comm= | awk -v top="$nspawn" '
    { parent[$1] = $2; comm[$1] = $3 }
    END { for (p in comm) if (comm[p] == "systemd") { q = p; while (q in parent && q != top) q = parent[q]; if (q == top) print p } }' | head -1)
  [ -n "$leader" ] && break
  if ! kill -0 "$nspawn" 2>/dev/null; then cat "$log"; die "systemd-nspawn exited (above)"; fi
  sleep 0.2
done
[ -n "$leader" ] || { cat "$log"; die "no systemd under systemd-nspawn"; }
inside() { nsenter -t "$leader" -a -- env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin "$@"; }
t0=$(date +%s)
state=$(timeout 180 nsenter -t "$leader" -a -- env -i PATH=/usr/sbin:/usr/bin systemctl is-system-running --wait 2>&1 || true)
ok "booted systemd $(inside systemctl --version | head -1 | cut -d' ' -f2) as PID 1 in $(( $(date +%s) - t0 )) s: $state"
[ "$state" = running ] || inside systemctl --failed --no-legend || true

show() { inside systemctl show bcrp-edge -p "$1" --value; }
for _ in $(seq 60); do [ "$(show ActiveState)" = activating ] || break; sleep 1; done
[ "$(show Type)" = notify ] || die "the unit is not Type=notify"
[ "$(show ActiveState)" = active ] || { inside journalctl -u bcrp-edge --no-pager | tail -30; die "bcrp-edge is $(show ActiveState)/$(show SubState)"; }
start=$(show ExecMainStartTimestampMonotonic); ready=$(show ActiveEnterTimestampMonotonic)
ok "READY: bcrp-edge active (Type=notify, NotifyAccess=$(show NotifyAccess)) $(( (ready - start) / 1000 )) ms after its start"

pid=$(show MainPID)
w1=$(show WatchdogTimestampMonotonic)
echo "   waiting 40 s for a watchdog ping (WatchdogSec=$(show WatchdogUSec))"
sleep 40
w2=$(show WatchdogTimestampMonotonic)
{ [ "$w2" != "$w1" ] && [ "$w2" -gt 0 ]; } || die "no watchdog ping in 40 s ($w1 -> $w2)"
ok "watchdog: pinged (last ping moved by $(( (w2 - w1) / 1000000 )) s), still the same process $pid: $([ "$(show MainPID)" = "$pid" ] && echo yes || echo NO)"

# The sandbox, seen from inside the service's own mount namespace.
svcns() { inside nsenter -t "$pid" -m -- "$@"; }
as_svc() { inside nsenter -t "$pid" -m -- setpriv --reuid bcrp-edge --regid bcrp-edge --clear-groups -- "$@"; }
for p in /usr/lib/bcrp-edge /usr/bin /etc /var/lib; do
  if svcns touch "$p/.pid1-write-test" 2>/dev/null; then svcns rm -f "$p/.pid1-write-test"; die "root in the service's namespace could write $p"; fi
done
ok "ProtectSystem=strict: even root in the service's mount namespace cannot write /usr, /etc or /var/lib"
# ConfigurationDirectory= exempts /etc/bcrp-edge from ProtectSystem (systemd.exec(5)); the directory's owner and mode
# (root:bcrp-edge 0750) are what keep the service out of it.
if as_svc touch /etc/bcrp-edge/.pid1-write-test 2>/dev/null; then die "the service user could write /etc/bcrp-edge"; fi
cfg_mount=$(svcns findmnt -n -o OPTIONS /etc/bcrp-edge | cut -d, -f1)
ok "/etc/bcrp-edge: mounted ${cfg_mount:-?} in the service's namespace (ConfigurationDirectory=), not writable by bcrp-edge (root:bcrp-edge 0750)"
for p in /var/lib/bcrp-edge /var/log/bcrp-edge; do
  as_svc touch "$p/.pid1-write-test" || die "the service user cannot write $p"
  as_svc rm "$p/.pid1-write-test"
done
if as_svc ls /root > /dev/null 2>&1 || as_svc ls /home > /dev/null 2>&1; then die "the service can list /root or /home"; fi
as_svc touch /tmp/.pid1-private
if [ -e "$R/tmp/.pid1-private" ] || inside test -e /tmp/.pid1-private; then die "the service's /tmp is the system's"; fi
ok "writable: /var/lib/bcrp-edge and /var/log/bcrp-edge only; /root and /home hidden; /tmp private"
# shellcheck disable=SC2016 # awk's own fields
caps=$(inside awk '/^CapEff|^CapBnd|^NoNewPrivs/ {printf "%s %s ", $1, $2}' "/proc/$pid/status")
case "$caps" in *"CapEff: 0000000000000000"*"CapBnd: 0000000000000000"*"NoNewPrivs: 1"*) ;; *) die "capabilities: $caps" ;; esac
ok "no capabilities, no new privileges ($caps)"

score=$(inside systemd-analyze security bcrp-edge --no-pager 2>/dev/null | sed -n 's/.*Overall exposure level for bcrp-edge.service: //p')
ok "systemd-analyze security: $score"

inside runuser -u bcrp-edge -- bcrp-edge doctor > "$log.doctor" 2>&1 || true
sed 's/^/   /' "$log.doctor"
grep -q '^ok.*service' "$log.doctor" || grep -qi 'service.*running' "$log.doctor" || die "doctor does not see the running service"
ok "doctor ran as bcrp-edge (the NVR and broker are unreachable on purpose: --private-network)"

t1=$(date +%s%N)
inside systemctl stop bcrp-edge
ms=$(( ($(date +%s%N) - t1) / 1000000 ))
[ "$ms" -lt 10000 ] || die "stop took $ms ms"
ok "systemctl stop: $ms ms, result $(show Result), exit status $(show ExecMainStatus)"
inside systemctl poweroff || true
wait "$nspawn" 2>/dev/null || true
echo "PID 1 test passed"
