#!/usr/bin/env bash
# arm64 proof under qemu-user (outside CI; results in docs/installation.md): a Debian 13 arm64 root, Node alone, each
# native part of the arm64 package alone (better-sqlite3, sharp, onnxruntime-node), then `bcrp-edge --version` and a
# redaction of a drawn still (three faces) with the package's YuNet, timed under emulation.
#
#   scripts/test-arm64-install.sh [--qemu PATH] [--extract] [DEB]
#     DEB        default build/deb-arm64/bcrp-edge_<version>[~noyunet]_arm64.deb (package-deb.sh --arch arm64 --out …)
#     --qemu     a static qemu-aarch64 to run the arm64 programs with (copied into the root and named explicitly),
#                e.g. Debian 13's (qemu-user 10.0: `apt-get download qemu-user` from trixie, `dpkg-deb -x`); default:
#                the one binfmt_misc has registered (Debian 12's qemu-user-static is 7.2)
#     --extract  unpack the package (dpkg-deb -x) instead of `apt-get install` with its ~250 dependencies, which takes
#                15 minutes or more under emulation; enough to prove the arm64 binaries load and redact
# The root is kept in $BCRP_EDGE_ARM64_ROOT (default /var/tmp/bcrp-edge-arm64/root) and reused. Needs root,
# mmdebstrap, arch-test and binfmt_misc with qemu-aarch64 (qemu-user-static, binfmt-support).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
QEMU="" EXTRACT=0
while [ $# -gt 0 ]; do
  case "$1" in
    --qemu) QEMU=${2:?--qemu needs a path}; shift ;;
    --extract) EXTRACT=1 ;;
    -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) break ;;
  esac
  shift
done
VERSION=$(node -p "require('$ROOT/package.json').version")
DEB=${1:-$ROOT/build/deb-arm64/bcrp-edge_${VERSION}_arm64.deb}
[ -n "${1:-}" ] || [ -f "$DEB" ] || DEB=$ROOT/build/deb-arm64/bcrp-edge_${VERSION}~noyunet_arm64.deb
R=${BCRP_EDGE_ARM64_ROOT:-/var/tmp/bcrp-edge-arm64/root}
die() { echo "FAIL: $*" >&2; exit 1; }
ok() { echo "ok: $*"; }
[ "$(id -u)" = 0 ] || die "needs root"
[ -f "$DEB" ] || die "$DEB is missing: scripts/package-deb.sh --arch arm64 --out build/deb-arm64"
[ -e /proc/sys/fs/binfmt_misc/register ] || mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
[ -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ] || update-binfmts --enable qemu-aarch64 || die "qemu-aarch64 is not registered"

if [ ! -x "$R/usr/bin/node" ]; then
  echo "== a Debian 13 arm64 root with Debian's nodejs in $R (about 10-40 minutes under emulation)"
  mirror=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
  mirror=${mirror:-$(awk '$1=="deb" {print $2; exit}' /etc/apt/sources.list)}
  mkdir -p "$(dirname "$R")"
  mmdebstrap --quiet --variant=minbase --architectures=arm64 --include=nodejs,ca-certificates \
    trixie "$R" "deb $mirror trixie main" "deb $mirror trixie-updates main"
fi
run=()
if [ -n "$QEMU" ]; then cp "$QEMU" "$R/qemu-aarch64"; run=(/qemu-aarch64); fi
if [ -n "$QEMU" ]; then qemu_version=$("$QEMU" --version | head -1)
else qemu_version="binfmt_misc's qemu-aarch64 ($(qemu-aarch64-static --version 2>/dev/null | head -1 || echo 'version unknown'))"; fi
mountpoint -q "$R/proc" || mount -t proc proc "$R/proc"
cleanup() { umount "$R/proc" 2>/dev/null || true; rm -f "$R/qemu-aarch64"; }
trap cleanup EXIT
timed() { # label, command...: runs it in the root under qemu, prints the time
  local label=$1 t0; shift
  t0=$(date +%s)
  chroot "$R" "${run[@]}" "$@" > "$R/tmp/out.log" 2>&1 || { tail -5 "$R/tmp/out.log"; die "$label (exit $?)"; }
  ok "$label in $(( $(date +%s) - t0 )) s: $(grep -v -e cpuinfo -e cpuid_info "$R/tmp/out.log" | tail -1 | cut -c1-160)"
}
echo "== under $qemu_version; load: $(cut -d' ' -f1-3 /proc/loadavg)"
timed "node -e (Node alone)" /usr/bin/node -e 'console.log(process.arch, process.version)'

if [ $EXTRACT = 1 ]; then
  dpkg-deb -x "$DEB" "$R"
  ok "unpacked $(basename "$DEB") (--extract: not installed with apt)"
else
  cp "$DEB" "$R/tmp/bcrp-edge.deb"
  t0=$(date +%s)
  # mmdebstrap leaves no package lists behind.
  chroot "$R" apt-get update -q > "$R/tmp/install.log" 2>&1 || { tail -5 "$R/tmp/install.log"; die "apt-get update"; }
  chroot "$R" apt-get install -y -q --no-install-recommends /tmp/bcrp-edge.deb >> "$R/tmp/install.log" 2>&1 ||
    { tail -20 "$R/tmp/install.log"; die "apt-get install"; }
  ok "apt-get install ./bcrp-edge.deb with its dependencies in $(( $(date +%s) - t0 )) s"
fi
nm=/usr/lib/bcrp-edge/node_modules
timed "better-sqlite3 alone" /usr/bin/node -e "const D=require('$nm/better-sqlite3'); console.log('sqlite', new D(':memory:').prepare('select sqlite_version() v').get().v)"
timed "sharp alone" /usr/bin/node -e "require('$nm/sharp')({create:{width:8,height:8,channels:3,background:'red'}}).jpeg().toBuffer().then(b=>console.log('sharp jpeg', b.length, 'bytes'))"
timed "onnxruntime-node alone" /usr/bin/node -e "const o=require('$nm/onnxruntime-node'); console.log('onnxruntime backends', Object.keys(o).length)"
timed "bcrp-edge --version" /usr/bin/node /usr/lib/bcrp-edge/dist/main.js --version

(cd "$ROOT" && npx tsx scripts/clean-install/make-still.ts "$R/tmp/still.jpg")
data=/var/tmp/arm64-test-data
mkdir -p "$R$data/models"
if [ -f "$R/usr/lib/bcrp-edge/models/yunet_n_dynamic.onnx" ]; then
  cp "$R/usr/lib/bcrp-edge/models/yunet_n_dynamic.onnx" "$R$data/models/"
  model_args=()
else
  echo "skipped: YuNet: the package does not carry it; redacting with --model blazeface"
  model_args=(--model blazeface)
fi
timed "redact (real inference on arm64)" /usr/bin/node /usr/lib/bcrp-edge/dist/main.js redact /tmp/still.jpg \
  -o /tmp/redacted.jpg --data-dir "$data" --json "${model_args[@]}"
node -e "
  const r = JSON.parse(require('fs').readFileSync('$R/tmp/out.log', 'utf8').split('\n').find((l) => l.startsWith('{')));
  if (r.facesFound < 3 || r.facesRedacted < 3) { console.error('FAIL: found', r.facesFound, 'redacted', r.facesRedacted); process.exit(1); }
  console.log('ok: ' + r.model.id + ': ' + r.facesFound + ' faces found, ' + r.facesRedacted + ' redacted, ' + r.verification.result +
    '; ms: ' + Object.entries(r.timingsMs).map(([k, v]) => k + ' ' + Math.round(v)).join(', '));
"
rm -rf "${R:?}$data" "$R/tmp/still.jpg" "$R/tmp/redacted.jpg"
echo "arm64 test passed"
