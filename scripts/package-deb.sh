#!/usr/bin/env bash
# Builds the Debian package bcrp-edge_<version>_<arch>.deb with dpkg-deb from this checkout: the built dist/, the
# production-only node_modules for that architecture, models/manifest.json, the web assets, the systemd unit,
# firmware-config and the maintainer scripts in packaging/deb/. Then runs lintian (no errors allowed).
#
#   npm run build && npm run package:deb                 the machine's architecture, into build/deb/
#   scripts/package-deb.sh --arch arm64                  the arm64 package (better-sqlite3 cross-compiled with
#                                                        Debian's aarch64 toolchain against Node's own headers)
# Options: --out DIR (default build/deb), --no-lintian, --rebuild-native (compile better-sqlite3 even when this
# checkout's node_modules holds a build for the same architecture and version), --models-from BASE_URL (a stand-in
# for the face model's upstream URL, as `models fetch --from`; default $BCRP_EDGE_MODELS_FROM, else upstream),
# --require-model (fail instead of building a package without YuNet; for releases).
# The YuNet face model is fetched by the program's own `models fetch yunet` (pinned SHA-256 from
# models/manifest.json) and shipped in /usr/lib/bcrp-edge/models; postinst installs it into the data dir with
# `models add`. When it cannot be fetched the package is built without it and says so: the version gets the suffix
# ~noyunet (bcrp-edge_<version>~noyunet_<arch>.deb, lower than the full package's), the description a paragraph.
# BCRP_DEB_XZ_LEVEL (0-9, default 6, dpkg-deb's own): CI builds its throwaway test package at 1, which is several
# times faster on two cores and gives a slightly larger file; release packages keep the default.
#
# Nothing is downloaded outside the npm registry: `npm ci --ignore-scripts` brings the packages (sharp's libvips and
# onnxruntime's libraries for both Linux architectures ship inside their npm packages), and better-sqlite3 is
# compiled here from its npm source tarball with node-gyp instead of fetching a prebuilt binary.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
ARCH=$(dpkg --print-architecture)
OUT=$ROOT/build/deb
LINTIAN=1
REBUILD=0
MODELS_FROM=${BCRP_EDGE_MODELS_FROM:-}
REQUIRE_MODEL=0
die() { echo "package-deb.sh: $*" >&2; exit 1; }
while [ $# -gt 0 ]; do
  case "$1" in
    --arch) ARCH=${2:?--arch needs amd64 or arm64}; shift ;;
    --out) OUT=${2:?--out needs a directory}; shift ;;
    --no-lintian) LINTIAN=0 ;;
    --rebuild-native) REBUILD=1 ;;
    --models-from) MODELS_FROM=${2:?--models-from needs a base URL}; shift ;;
    --require-model) REQUIRE_MODEL=1 ;;
    -h|--help) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
  shift
done
case "$ARCH" in
  amd64) NPM_CPU=x64; GNU=x86_64-linux-gnu ;;
  arm64) NPM_CPU=arm64; GNU=aarch64-linux-gnu ;;
  *) die "--arch must be amd64 or arm64 (got $ARCH)" ;;
esac
HOST_ARCH=$(dpkg --print-architecture)
[ -f "$ROOT/dist/main.js" ] || die "dist/main.js is missing: run 'npm run build' first"
command -v dpkg-deb >/dev/null || die "dpkg-deb is missing (apt-get install dpkg)"

VERSION=$(node -p "require('$ROOT/package.json').version")
# Reproducible: every timestamp in the package is the last commit's.
SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git -C "$ROOT" log -1 --format=%ct 2>/dev/null || date +%s)}
export SOURCE_DATE_EPOCH
export ONNXRUNTIME_NODE_INSTALL=skip
started=$(date +%s)

work=$(mktemp -d "${TMPDIR:-/tmp}/bcrp-edge-deb.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$OUT"

# The face model first: whether the package carries it decides its version and name.
echo "== face model (YuNet)"
model_data=$work/model-data
fetch_args=(models fetch yunet --data-dir "$model_data" --json)
[ -z "$MODELS_FROM" ] || fetch_args+=(--from "$MODELS_FROM")
if BCRP_EDGE_MODELS_FROM='' node "$ROOT/dist/main.js" "${fetch_args[@]}" > "$work/model.json" 2> "$work/model.err"; then
  MODEL_FILE=$(node -p "require('$work/model.json').path")
  PKG_VERSION=$VERSION
  echo "  $(node -p "const m = require('$work/model.json'); m.id + ' from ' + m.from + ', SHA-256 ' + m.sha256 + ' checked'")"
else
  MODEL_FILE=
  PKG_VERSION=${VERSION}~noyunet
  [ $REQUIRE_MODEL = 0 ] || { cat "$work/model.err" >&2; die "--require-model: the YuNet model could not be fetched"; }
  echo "  WITHOUT the YuNet model: $(tr '\n' ' ' < "$work/model.err")"
  echo "  The package is labelled ${PKG_VERSION}: an appliance installed from it runs the weaker BlazeFace until"
  echo "  'bcrp-edge models fetch yunet' (or 'models add FILE') is run on it."
fi
DEB_NAME=bcrp-edge_${PKG_VERSION}_${ARCH}.deb
# One package per version and architecture in OUT: the one with the model or the labelled one without it.
rm -f "$OUT/bcrp-edge_${VERSION}_${ARCH}.deb" "$OUT/bcrp-edge_${VERSION}~noyunet_${ARCH}.deb"

echo "== production node_modules for linux-$NPM_CPU"
app=$work/app
mkdir -p "$app/scripts"
cp "$ROOT/package.json" "$ROOT/package-lock.json" "$app/"
cp -R "$ROOT/scripts/unity-stub" "$app/scripts/"
(cd "$app" && npm ci --omit=dev --ignore-scripts --no-audit --no-fund --prefer-offline \
  --cpu="$NPM_CPU" --os=linux --libc=glibc >/dev/null)
[ -d "$app/node_modules/@img/sharp-linux-$NPM_CPU" ] || die "sharp's linux-$NPM_CPU binary package did not install"
ort=$app/node_modules/onnxruntime-node/bin/napi-v6/linux/$NPM_CPU
[ -f "$ort/onnxruntime_binding.node" ] || die "onnxruntime-node has no linux/$NPM_CPU binding"

echo "== better-sqlite3 for $ARCH"
bs=$app/node_modules/better-sqlite3
bs_version=$(node -p "require('$bs/package.json').version")
local_bs=$ROOT/node_modules/better-sqlite3
if [ $REBUILD = 0 ] && [ "$ARCH" = "$HOST_ARCH" ] && [ -f "$local_bs/build/Release/better_sqlite3.node" ] \
   && [ "$(node -p "require('$local_bs/package.json').version")" = "$bs_version" ]; then
  mkdir -p "$bs/build/Release"
  cp "$local_bs/build/Release/better_sqlite3.node" "$bs/build/Release/"
  echo "  reused this checkout's build of better-sqlite3 $bs_version (npm ci compiled it here with node-gyp)"
elif [ $REBUILD = 0 ] && [ -f "$ROOT/build/native/$ARCH/better_sqlite3-$bs_version.node" ]; then
  mkdir -p "$bs/build/Release"
  cp "$ROOT/build/native/$ARCH/better_sqlite3-$bs_version.node" "$bs/build/Release/better_sqlite3.node"
  echo "  reused build/native/$ARCH/better_sqlite3-$bs_version.node (compiled here by an earlier run)"
else
  npm_dir=$(dirname "$(readlink -f "$(command -v npm)")")/..
  gyp=$npm_dir/node_modules/node-gyp/bin/node-gyp.js
  [ -f "$gyp" ] || die "node-gyp not found beside npm ($gyp)"
  nodedir=$(npm config get nodedir 2>/dev/null || true)
  [ -f "${nodedir:-/nonexistent}/include/node/node.h" ] || nodedir=$(dirname "$(dirname "$(command -v node)")")
  [ -f "$nodedir/include/node/node.h" ] || die "Node's headers are missing under $nodedir/include/node"
  gyp_env=()
  if [ "$ARCH" != "$HOST_ARCH" ]; then
    command -v "$GNU-g++" >/dev/null || die "$GNU-g++ is missing: apt-get install g++-$GNU (scripts/apt-packages.txt)"
    gyp_env=(CC="$GNU-gcc" CXX="$GNU-g++" LINK="$GNU-g++" AR="$GNU-ar" RANLIB="$GNU-ranlib")
  fi
  t0=$(date +%s)
  (cd "$bs" && env "${gyp_env[@]}" node "$gyp" rebuild --release --arch="$NPM_CPU" --nodedir="$nodedir" \
    --jobs=2 >"$work/gyp.log" 2>&1) || { tail -30 "$work/gyp.log"; die "better-sqlite3 did not compile"; }
  echo "  compiled better-sqlite3 $bs_version from source for $ARCH in $(( $(date +%s) - t0 )) s"
  install -D -m 0644 "$bs/build/Release/better_sqlite3.node" "$ROOT/build/native/$ARCH/better_sqlite3-$bs_version.node"
fi
case "$(file -b "$bs/build/Release/better_sqlite3.node")" in
  *x86-64*) [ "$ARCH" = amd64 ] || die "better_sqlite3.node is x86-64, not $ARCH" ;;
  *aarch64*) [ "$ARCH" = arm64 ] || die "better_sqlite3.node is aarch64, not $ARCH" ;;
  *) die "better_sqlite3.node is not an ELF object for $ARCH" ;;
esac

echo "== tree"
pkg=$work/pkg
lib=$pkg/usr/lib/bcrp-edge
mkdir -p "$lib/models" "$lib/src/web" "$lib/src/adapters/nvr/emulator"
cp "$ROOT/package.json" "$lib/"
cp -R "$ROOT/dist" "$lib/dist"
find "$lib/dist" \( -name '*.d.ts' -o -name '*.map' -o -name '*.tsbuildinfo' \) -delete
cp "$ROOT/models/manifest.json" "$lib/models/"
[ -z "$MODEL_FILE" ] || cp "$MODEL_FILE" "$lib/models/"
cp -R "$ROOT/src/web/static" "$lib/src/web/static"
cp "$ROOT/src/adapters/nvr/emulator/rtsp-server.py" "$lib/src/adapters/nvr/emulator/"
mv "$app/node_modules" "$lib/node_modules"
nm=$lib/node_modules
bs=$nm/better-sqlite3
# Only this architecture's native parts; no build intermediates, sources of the native addon, or npm's .bin links.
rm -rf "$nm/.bin" "$nm/.package-lock.json"
find "$nm/onnxruntime-node/bin/napi-v6" -mindepth 1 -maxdepth 1 ! -name linux -exec rm -rf {} +
find "$nm/onnxruntime-node/bin/napi-v6/linux" -mindepth 1 -maxdepth 1 ! -name "$NPM_CPU" -exec rm -rf {} +
find "$bs" -mindepth 1 -maxdepth 1 ! -name build ! -name lib ! -name package.json ! -name LICENSE ! -name README.md \
  -exec rm -rf {} +
# Files npm packages carry for their own development (lint settings, tests, samples, HTML docs, type
# declarations): not loaded at run time, and lintian rightly refuses several of them in a Debian package.
find "$nm" \( -name '.eslintrc*' -o -name '.npmignore' -o -name '.gitattributes' -o -name '.husky' -o -name '.github' \
  -o -name '*.d.ts' -o -name '*.d.mts' -o -name '*.d.cts' -o -name '*.map' -o -name '*.sh' \) -prune \
  -exec rm -rf {} +
find "$nm" -name '*.html' ! -path '*/@fastify/swagger-ui/static/*' -delete   # the API page's own HTML stays
# Only at a package's top level (node_modules/PKG/test, node_modules/@SCOPE/PKG/test): deeper folders of these names
# can be code (yaml's dist/doc is), and the clean-install test loads every module the commands need.
for d in test tests sample samples example examples integration; do
  rm -rf "${nm:?}"/*/"$d" "${nm:?}"/@*/*/"$d"
done
find "$bs/build" -mindepth 1 ! -path "$bs/build/Release" ! -path "$bs/build/Release/better_sqlite3.node" -exec rm -rf {} + 2>/dev/null || true
# The addons and libraries are not executables; strip symbols the loader does not need.
strip_cmd="strip"; [ "$ARCH" = "$HOST_ARCH" ] || strip_cmd="$GNU-strip"
find "$nm" -type f \( -name '*.node' -o -name '*.so' -o -name '*.so.*' \) -print0 |
  xargs -0 -r "$strip_cmd" --strip-unneeded --remove-section=.comment --remove-section=.note

install -D -m 0755 "$ROOT/packaging/deb/bcrp-edge.sh" "$pkg/usr/bin/bcrp-edge"
# The unit as scripts/install.sh installs it, with the package's paths, a data directory for the service user
# alone, and no start before provisioning wrote the configuration.
unit=$pkg/usr/lib/systemd/system/bcrp-edge.service
install -d "$(dirname "$unit")"
# shellcheck disable=SC2016 # the backquotes are text in the unit's comment
sed -e 's#/opt/bcrp-edge/#/usr/lib/bcrp-edge/#g' \
    -e 's#^StateDirectoryMode=0750#StateDirectoryMode=0700#' \
    -e 's#Installed by scripts/install.sh#Installed by the bcrp-edge Debian package#' \
    -e 's|^StartLimitBurst=5$|StartLimitBurst=5\n# Enabled at install, started once `bcrp-edge provision` has written the configuration.\nConditionPathExists=/etc/bcrp-edge/config.yaml|' \
    "$ROOT/systemd/bcrp-edge.service" > "$unit"
grep -q '^ConditionPathExists=/etc/bcrp-edge/config.yaml' "$unit" || die "could not add the provisioning condition to the unit"
grep -q '/opt/' "$unit" && die "the packaged unit still names /opt"
install -D -m 0644 "$ROOT/packaging/deb/journald.conf" "$pkg/usr/lib/systemd/journald.conf.d/50-bcrp-edge.conf"
install -D -m 0644 "$ROOT/packaging/deb/logrotate" "$pkg/etc/logrotate.d/bcrp-edge"
share=$pkg/usr/share/bcrp-edge
mkdir -p "$share/systemd"
cp -R "$ROOT/firmware-config" "$share/firmware-config"
sed 's#/opt/bcrp-edge/#/usr/lib/bcrp-edge/#g' "$ROOT/systemd/bcrp-edge-hub.service" > "$share/systemd/bcrp-edge-hub.service"
cp "$ROOT/systemd/devices.conf.in" "$share/systemd/"
doc=$pkg/usr/share/doc/bcrp-edge
mkdir -p "$doc"
cp "$ROOT/packaging/deb/copyright" "$doc/"
cp "$ROOT/README.md" "$doc/"
cp -R "$ROOT/docs" "$doc/docs"
when=$(date -u -R -d "@$SOURCE_DATE_EPOCH")
cat > "$doc/changelog.gz.txt" <<EOF
bcrp-edge ($PKG_VERSION) unstable; urgency=medium

  * Release $VERSION, built from commit $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)$([ -n "$MODEL_FILE" ] || printf ',\n    without the YuNet face model').

 -- BCRP Edge maintainers <maintainers@bcrp-edge.invalid>  $when
EOF
gzip -9n < "$doc/changelog.gz.txt" > "$doc/changelog.gz"; rm "$doc/changelog.gz.txt"
# A manual page from the program's own --help.
man=$pkg/usr/share/man/man1
mkdir -p "$man"
{
  echo ".TH BCRP-EDGE 1 \"$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%d)\" \"bcrp-edge $VERSION\" \"User Commands\""
  echo ".SH NAME"
  echo "bcrp-edge \\- capture, redact and share CCTV stills with the Business Crime Reduction Partnership"
  echo ".SH SYNOPSIS"
  echo ".B bcrp-edge"
  echo ".I COMMAND"
  echo "[options]"
  echo ".SH COMMANDS"
  node "$ROOT/dist/main.js" --help | sed -n '/^commands:/,$p' | tail -n +2 | sed -n 's/^  \([a-z][a-z -]*[a-z]\)  *\(.*\)$/.TP\n.B \1\n\2/p' |
    sed 's/^\([^.]\)/\1/; s/\\/\\\\/g; s/^-/\\-/'
  echo ".SH FILES"
  echo "/etc/bcrp-edge/config.yaml, /var/lib/bcrp-edge, /usr/share/doc/bcrp-edge/docs/installation.md"
} | gzip -9n > "$man/bcrp-edge.1.gz"

# Modes: directories 0755, files 0644, the command and shell scripts 0755.
find "$pkg" -type d -exec chmod 0755 {} +
find "$pkg" -type f -exec chmod 0644 {} +
chmod 0755 "$pkg/usr/bin/bcrp-edge" "$lib/dist/main.js"
# npm packages' command-line scripts keep their execute bit (as npm installs them).
# shellcheck disable=SC2016 # perl's own variables
find "$nm" -type f \( -name '*.js' -o -name '*.mjs' -o -name '*.cjs' -o -path '*/bin/*' \) ! -name '*.so*' ! -name '*.node' \
  -print0 | xargs -0 -r perl -e 'for (@ARGV) { open(my $f, "<", $_) or next; read($f, my $b, 2); chmod(0755, $_) if $b eq "#!" }'
install -D -m 0644 "$ROOT/packaging/deb/lintian-overrides" "$pkg/usr/share/lintian/overrides/bcrp-edge"
find "$share/firmware-config" \( -name '*.sh' -o -name '*.nft' \) -exec grep -lZ '^#!' {} + | xargs -0 -r chmod 0755

echo "== control"
mkdir -p "$pkg/DEBIAN"
for s in postinst prerm postrm; do install -m 0755 "$ROOT/packaging/deb/$s" "$pkg/DEBIAN/$s"; done
install -m 0644 "$ROOT/packaging/deb/conffiles" "$pkg/DEBIAN/conffiles"
# The C libraries the native parts link against, from the highest symbol versions they use.
objdump=objdump; [ "$ARCH" = "$HOST_ARCH" ] || objdump=$GNU-objdump
maxver() { sort -t. -k1,1n -k2,2n -k3,3n | tail -1; }
elfs=$(find "$nm" -type f \( -name '*.node' -o -name '*.so' -o -name '*.so.*' \))
# shellcheck disable=SC2086
syms=$($objdump -T $elfs 2>/dev/null)
glibc=$(grep -o 'GLIBC_[0-9.]*' <<< "$syms" | sed 's/GLIBC_//' | maxver)
depends="libc6 (>= $glibc), libgcc-s1, libstdc++6"
# The Debian packages the appliance itself needs (scripts/apt-packages.txt marks them "appliance").
appliance=$(sed -n 's/^\([a-z0-9.+-]*\)[[:space:]].*# *appliance\b.*/\1/p' "$ROOT/scripts/apt-packages.txt" | sort -u | paste -sd, - | sed 's/,/, /g')
[ -n "$appliance" ] || die "scripts/apt-packages.txt marks no appliance packages"
depends="nodejs (>= 20), $appliance, adduser, $depends"
size=$(du -sk --exclude=DEBIAN "$pkg" | cut -f1)
sed -e "s/@VERSION@/$PKG_VERSION/" -e "s/@ARCH@/$ARCH/" -e "s/@SIZE@/$size/" -e "s/@DEPENDS@/$depends/" \
  "$ROOT/packaging/deb/control.in" > "$pkg/DEBIAN/control"
if [ -n "$MODEL_FILE" ]; then
  printf ' .\n %s\n %s\n' 'It carries the YuNet face detector (libfacedetection.train, Apache-2.0),' \
    'installed into /var/lib/bcrp-edge/models at configure time.' >> "$pkg/DEBIAN/control"
else
  printf ' .\n %s\n %s\n %s\n' 'THIS BUILD DOES NOT CARRY THE YUNET FACE MODEL: the appliance runs the weaker' \
    'BlazeFace detector (context stills held for review) until an installer runs' \
    '"bcrp-edge models fetch yunet".' >> "$pkg/DEBIAN/control"
fi
(cd "$pkg" && find . -path ./DEBIAN -prune -o -type f -print0 | sort -z | xargs -0 md5sum | sed 's# \./# #' > DEBIAN/md5sums)
chmod 0644 "$pkg/DEBIAN/md5sums"
find "$pkg" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +

echo "== dpkg-deb"
xz_level=${BCRP_DEB_XZ_LEVEL:-6}
case $xz_level in [0-9]) ;; *) die "BCRP_DEB_XZ_LEVEL must be 0-9, not '$xz_level'" ;; esac
dpkg-deb --root-owner-group -Zxz -z"$xz_level" --build "$pkg" "$OUT/$DEB_NAME" >/dev/null
echo "built $OUT/$DEB_NAME: $(du -h "$OUT/$DEB_NAME" | cut -f1) ($(( $(stat -c %s "$OUT/$DEB_NAME") / 1024 )) KiB), installed $((size / 1024)) MiB, in $(( $(date +%s) - started )) s"
echo "Depends: $depends"
if [ -n "$MODEL_FILE" ]; then echo "face model: YuNet included"; else echo "face model: NOT included (labelled $PKG_VERSION)"; fi

if [ $LINTIAN = 1 ]; then
  echo "== lintian"
  if ! command -v lintian >/dev/null; then
    echo "skipped: lintian is not installed (apt-get install lintian; scripts/apt-packages.txt lists it)"
  else
    lintian --fail-on error --tag-display-limit 0 \
      "$OUT/$DEB_NAME" | tee "$OUT/lintian-$ARCH.txt" || die "lintian reported errors (above)"
    echo "lintian: $(grep -c '^E:' "$OUT/lintian-$ARCH.txt" || true) errors, $(grep -c '^W:' "$OUT/lintian-$ARCH.txt" || true) warnings"
  fi
fi
