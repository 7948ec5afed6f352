#!/bin/sh
# Runs inside a fresh Debian 13 root (scripts/test-clean-install.sh): installs the package with apt, provisions,
# validates, redacts a still with the installed model, verifies the audit log, upgrades over itself, removes
# (data kept) and purges (nothing left). Each check prints "ok: ..." or stops with "FAIL: ...".
set -eu
export DEBIAN_FRONTEND=noninteractive
T=/tmp/pkgtest
deb=$T/bcrp-edge.deb
fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { echo "ok: $*"; }
# Everything on the file system outside the package manager's own state, plus the account files' contents.
snapshot() {
  find / -xdev \( -path /proc -o -path /sys -o -path /dev -o -path /run -o -path /tmp -o -path /var/cache \
    -o -path /var/lib/apt -o -path /var/lib/dpkg -o -path /var/log -o -path /var/tmp \) -prune -o -print | sort
  for f in /etc/passwd /etc/group /etc/shadow /etc/gshadow; do printf '%s %s\n' "$(md5sum < "$f")" "$f"; done
}
svc() { runuser -u bcrp-edge -- "$@"; }
# The test still must be readable by the service user.
chmod 0755 $T; chmod 0644 $T/still.jpg

t0=$(date +%s)
# The package's own Depends first (apt resolves them), so the purge check below compares like with like.
apt-get satisfy -y -q --no-install-recommends "$(dpkg-deb -f "$deb" Depends)" > $T/satisfy.log 2>&1 ||
  { tail -20 $T/satisfy.log; fail "apt could not satisfy the package's dependencies"; }
ok "dependencies from Debian 13: $(grep -c '^Setting up' $T/satisfy.log) packages in $(( $(date +%s) - t0 )) s"
snapshot > $T/before.txt
t1=$(date +%s)
apt-get install -y -q --no-install-recommends "$deb" > $T/install.log 2>&1 || { tail -20 $T/install.log; fail "apt-get install"; }
grep -q 'not started\|provision it' $T/install.log || fail "postinst did not say the service waits for provisioning"
ok "apt-get install ./bcrp-edge.deb in $(( $(date +%s) - t1 )) s (node $(node --version))"

v=$(bcrp-edge --version) || fail "bcrp-edge --version"
ok "bcrp-edge --version: $v"
[ "$(stat -c '%a %U' /var/lib/bcrp-edge)" = "700 bcrp-edge" ] || fail "/var/lib/bcrp-edge is $(stat -c '%a %U' /var/lib/bcrp-edge)"
[ "$(stat -c '%a %U:%G' /etc/bcrp-edge)" = "750 root:bcrp-edge" ] || fail "/etc/bcrp-edge is $(stat -c '%a %U:%G' /etc/bcrp-edge)"
[ -L /etc/systemd/system/multi-user.target.wants/bcrp-edge.service ] || fail "the unit is not enabled"
ok "user, directories (0700 data, 0750 config) and the enabled unit"

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout $T/ca.key -out $T/ca.pem \
  -subj '/CN=Test Partnership CA' -days 30 2>/dev/null
printf 'nvr-password-for-test\n' > $T/nvr-pw
printf 'manager-password-for-test\n' > $T/mgr-pw
bcrp-edge provision --owner bcrp-edge --no-input --site-id shop-042 --site-name 'Corner Shop' \
  --nvr-host 192.0.2.64 --nvr-password-file $T/nvr-pw --camera 1:Till \
  --broker-url mqtts://broker.partnership.test:8883 --broker-ca $T/ca.pem \
  --manager alice --manager-password-file $T/mgr-pw --web-bind 192.0.2.20 --enrolment-code ABCD-1234 \
  > $T/provision.log 2>&1 || { cat $T/provision.log; fail "provision"; }
ok "provision: $(grep -m1 'provisioned' $T/provision.log)"
svc bcrp-edge config validate /etc/bcrp-edge/config.yaml > $T/validate.log 2>&1 || { cat $T/validate.log; fail "config validate"; }
ok "config validate as bcrp-edge: $(head -1 $T/validate.log)"

# redact as the service user with the provisioned configuration (model: yunet) or with --model blazeface; checks
# that all three drawn faces were found and redacted and which model ran. Arguments: label, then redact's options.
redact_check() {
  label=$1; shift
  t2=$(date +%s)
  svc bcrp-edge redact $T/still.jpg -o /var/lib/bcrp-edge/redacted.jpg --json "$@" > $T/redact.json 2> $T/redact.err ||
    { cat $T/redact.err; fail "redact ($label)"; }
  found=$(node -p "require('$T/redact.json').facesFound")
  redacted=$(node -p "require('$T/redact.json').facesRedacted")
  model=$(node -p "require('$T/redact.json').model.id")
  { [ "$found" -ge 3 ] && [ "$redacted" -ge 3 ]; } || fail "redact ($label) found $found faces and redacted $redacted (3 drawn)"
  ok "redact, $label (ONNX inference in the installed package): $model, $found faces found, $redacted redacted in $(( $(date +%s) - t2 )) s"
  rm -f /var/lib/bcrp-edge/redacted.jpg
}
# BlazeFace ships inside every package (npm); YuNet when the build could fetch it (otherwise the version says ~noyunet).
redact_check "BlazeFace" --model blazeface
[ "$model" = blazeface-back-256 ] || fail "--model blazeface ran $model"
if [ -f /usr/lib/bcrp-edge/models/yunet_n_dynamic.onnx ]; then
  [ "$(stat -c '%U %a' /var/lib/bcrp-edge/models/yunet_n_dynamic.onnx 2>/dev/null)" = "bcrp-edge 644" ] ||
    fail "postinst did not install YuNet into /var/lib/bcrp-edge/models"
  redact_check "the configured default"
  [ "$model" = yunet-n-dynamic ] || fail "the configured default ran $model, not YuNet"
  if grep -q 'weaker face detector\|instead of the configured' $T/redact.err; then cat $T/redact.err; fail "redact warned of a weaker detector"; fi
  ok "YuNet: shipped in the package, installed into the data dir by postinst, run by default without a weaker-detector warning"
else
  case "$(dpkg-query -W -f='${Version}' bcrp-edge)" in
    *~noyunet) echo "skipped: YuNet check: this package was built without the model (version $(dpkg-query -W -f='${Version}' bcrp-edge))" ;;
    *) fail "the package is not labelled ~noyunet but carries no YuNet model" ;;
  esac
fi

svc bcrp-edge audit verify --data-dir /var/lib/bcrp-edge > $T/verify.log 2>&1 || { cat $T/verify.log; fail "audit verify"; }
ok "audit verify: $(head -1 $T/verify.log)"

# An upgrade (the same version over itself runs the same maintainer script paths): migrations as the service user,
# recorded in the audit chain. With a repository (scripts/apt-repo.sh, signed by a throwaway partnership key made by
# the host script) the upgrade comes from it, as unattended-upgrades would fetch it, after apt has refused the same
# repository unsigned and tampered with.
if [ -d $T/repo ]; then
  chmod -R a+rX $T/repo
  install -m 0644 $T/repo/bcrp-partnership.gpg /usr/share/keyrings/bcrp-partnership.gpg
  # SOURCE_DIR -> the sources file for it, with the partnership key as signed-by.
  use_repo() {
    printf 'Types: deb\nURIs: file:%s\nSuites: trixie\nComponents: main\nSigned-By: /usr/share/keyrings/bcrp-partnership.gpg\n' "$1" \
      > /etc/apt/sources.list.d/bcrp-partnership.sources
  }
  refused() { # label, the repository copy to try
    use_repo "$2"
    if apt-get update -q -o APT::Update::Error-Mode=any > $T/apt-update.log 2>&1; then
      cat $T/apt-update.log; fail "apt accepted the $1 repository"
    fi
    ok "apt refuses the $1 repository: $(grep -m1 -E '^(E|W): ' $T/apt-update.log | cut -c1-150)"
  }
  cp -a $T/repo $T/repo-unsigned; rm $T/repo-unsigned/dists/trixie/InRelease $T/repo-unsigned/dists/trixie/Release.gpg
  refused unsigned $T/repo-unsigned
  cp -a $T/repo $T/repo-packages
  # As an attacker would: the index changed and compressed again, the signed Release left as it was.
  for f in "$T"/repo-packages/dists/trixie/main/binary-*/Packages; do
    echo 'Description: changed after signing' >> "$f"; gzip -9nc "$f" > "$f.gz"
  done
  refused "tampered (Packages changed after signing)" $T/repo-packages
  cp -a $T/repo $T/repo-release; sed -i 's/^Label: bcrp-edge/Label: bcrp-edge-changed/' $T/repo-release/dists/trixie/InRelease
  rm $T/repo-release/dists/trixie/Release.gpg
  refused "tampered (InRelease changed after signing)" $T/repo-release
  rm -rf $T/repo-unsigned $T/repo-packages $T/repo-release
  use_repo $T/repo
  apt-get update -q -o APT::Update::Error-Mode=any > $T/apt-update.log 2>&1 || { cat $T/apt-update.log; fail "apt-get update of the signed repository"; }
  apt-cache policy bcrp-edge | grep -q 'file:/tmp/pkgtest/repo trixie/main' || { apt-cache policy bcrp-edge; fail "apt does not see bcrp-edge in the repository"; }
  apt-get install -y -q --reinstall bcrp-edge > $T/upgrade.log 2>&1 || { cat $T/upgrade.log; fail "upgrade from the repository"; }
  grep -q 'Unpacking bcrp-edge .* over ' $T/upgrade.log || { cat $T/upgrade.log; fail "apt did not install bcrp-edge from the repository"; }
  ok "signed repository (signed-by=/usr/share/keyrings/bcrp-partnership.gpg): apt-get update, bcrp-edge installed from it"
  rm -f /etc/apt/sources.list.d/bcrp-partnership.sources /usr/share/keyrings/bcrp-partnership.gpg
  apt-get update -q > /dev/null 2>&1 || true
else
  echo "skipped: signed repository check (the host had no reprepro or gpg)"
  dpkg -i "$deb" > $T/upgrade.log 2>&1 || { cat $T/upgrade.log; fail "upgrade"; }
fi
svc bcrp-edge audit export -o /var/lib/bcrp-edge/audit.jsonl --data-dir /var/lib/bcrp-edge > /dev/null || fail "audit export"
grep -q 'package upgraded from' /var/lib/bcrp-edge/audit.jsonl || fail "the upgrade left no audit row"
svc bcrp-edge audit verify --data-dir /var/lib/bcrp-edge > /dev/null || fail "audit verify after the upgrade"
rm -f /var/lib/bcrp-edge/audit.jsonl
ok "upgrade: store migrated as bcrp-edge, the upgrade is in the audit chain, which still verifies"

dpkg --remove bcrp-edge > $T/remove.log 2>&1 || { cat $T/remove.log; fail "dpkg --remove"; }
if [ -e /usr/bin/bcrp-edge ] || [ -e /usr/lib/bcrp-edge ]; then fail "remove left the program"; fi
if [ ! -f /var/lib/bcrp-edge/bcrp-edge.sqlite ] || [ ! -f /etc/bcrp-edge/config.yaml ] || ! getent passwd bcrp-edge >/dev/null; then
  fail "remove lost the data, the configuration or the user"
fi
ok "remove: program gone; store, configuration and user kept"

dpkg --purge bcrp-edge > $T/purge.log 2>&1 || { cat $T/purge.log; fail "dpkg --purge"; }
grep -q '^WARNING: purging bcrp-edge deletes' $T/purge.log || fail "purge gave no warning"
snapshot > $T/after.txt
if ! diff $T/before.txt $T/after.txt > $T/left.diff; then cat $T/left.diff; fail "purge left the differences above"; fi
ok "purge: warned, then the file system and the account files are as before the install ($(wc -l < $T/before.txt) paths compared)"
echo "inside: $(( $(date +%s) - t0 )) s"
