#!/usr/bin/env bash
# Install the .deb as a facilitator would, over an older version, and check it (run as root):
#   bash build_scripts/installers/check_deb.sh dist/installers/consensus-desktop-*.deb
# apt pulls the declared Depends; the installed command self-tests with no network; a reinstall,
# a removal and a purge all leave the user's library (in ~/.local/share) as it was; with a
# system library hidden, the app names it instead of crashing.
set -euo pipefail
deb=$(realpath "$1")
fixture=$(realpath "$(dirname "$0")/../../tests/fixtures/schema_v1.sqlite")  # has "Old session"
export DEBIAN_FRONTEND=noninteractive
user=$(mktemp -d /tmp/cd-deb-user-XXXX)
library="$user/.local/share/consensus-desktop/library.sqlite"
as_user() { env -i HOME="$user" PATH=/usr/bin:/bin LANG=C.UTF-8 QT_QPA_PLATFORM=offscreen "$@"; }
fail() { echo "check_deb: $*" >&2; exit 1; }
same_library() { [ "$(sha256sum <"$library")" = "$1" ] || fail "the library changed after $2"; }

apt-get purge -y consensus-desktop >/dev/null 2>&1 || true

# an older version (a stand-in 0.0.1 of the same package) with the user's library beside it
old=$(mktemp -d /tmp/cd-deb-old-XXXX)
mkdir -p "$old/DEBIAN" "$old/opt/consensus-desktop" "$old/usr/bin"
printf 'Package: consensus-desktop\nVersion: 0.0.1\nArchitecture: %s\nMaintainer: ci <ci@localhost>\nDescription: stand-in for an older release\n' \
  "$(dpkg --print-architecture)" >"$old/DEBIAN/control"
printf '#!/bin/sh\necho consensus-desktop 0.0.1\n' >"$old/opt/consensus-desktop/consensus-desktop"
chmod 755 "$old/opt/consensus-desktop/consensus-desktop"
ln -s /opt/consensus-desktop/consensus-desktop "$old/usr/bin/consensus-desktop"
dpkg-deb --root-owner-group -Zgzip --build "$old" "$old.deb" >/dev/null
apt-get install -y "$old.deb" >/dev/null
mkdir -p "$(dirname "$library")" && cp "$fixture" "$library"

started=$(date +%s)
apt-get install -y "$deb"
echo "check_deb: installed over 0.0.1 in $(($(date +%s) - started)) s"
[ "$(dpkg-query -W -f='${Version}' consensus-desktop)" != 0.0.1 ] || fail "0.0.1 was not upgraded"
[ -x /usr/bin/consensus-desktop ] || fail "no /usr/bin/consensus-desktop command"
desktop-file-validate /usr/share/applications/consensus-desktop.desktop
[ -f /usr/share/icons/hicolor/scalable/apps/consensus-desktop.svg ] || fail "no icon"
if [ -x /usr/bin/update-mime-database ]; then  # shared-mime-info's trigger registered the type
  [ -f /usr/share/mime/application/x-consensus-desktop-session.xml ] || fail "MIME type not registered"
fi

as_user consensus-desktop session list | grep -q "Old session" || fail "the upgraded app lost the library"
sum=$(sha256sum <"$library")

# the self-test of the installed command, in a network namespace with no interface (cold start)
net=(); if unshare -n true 2>/dev/null; then net=(unshare -n); fi
started=$(date +%s%N)
as_user "${net[@]}" consensus-desktop --self-test >"$user/self-test.txt" || true
tail -1 "$user/self-test.txt"
grep -q "^SELF-TEST PASSED: backend " "$user/self-test.txt" || { cat "$user/self-test.txt"; fail "the self-test failed"; }
seconds=$(awk "BEGIN { printf \"%.1f\", ($(date +%s%N) - $started) / 1e9 }")
echo "check_deb: self-test of the installed app (${net[*]:-with network}) in $seconds s, cold start"
sum=$(sha256sum <"$library")

# a system library the window needs, hidden (bind-mounted over in a private mount namespace):
# the installed app names it in one sentence, exit 2, not Qt's core dump
egl=$(readlink -f "$(ldconfig -p | awk '/libEGL\.so\.1 / { print $NF; exit }')")
if [ -f "$egl" ] && unshare -m true 2>/dev/null; then
  code=0
  unshare -m sh -c "mount --bind /dev/null '$egl' && exec env -i HOME='$user' PATH=/usr/bin:/bin \
    QT_QPA_PLATFORM=xcb DISPLAY=:99 consensus-desktop" >"$user/missing.txt" 2>&1 || code=$?
  [ "$code" = 2 ] && grep -q "libraries are missing: libEGL.so.1\." "$user/missing.txt" &&
    ! grep -q Traceback "$user/missing.txt" || { cat "$user/missing.txt"; fail "libEGL.so.1 hidden: exit $code"; }
  echo "check_deb: with libEGL.so.1 hidden the app says: $(cat "$user/missing.txt")"
fi
# no display at all (DISPLAY unset, X11 chosen): one sentence, exit 2, not Qt's abort
code=0
env -i HOME="$user" PATH=/usr/bin:/bin QT_QPA_PLATFORM=xcb consensus-desktop \
  >"$user/nodisplay.txt" 2>&1 || code=$?
[ "$code" = 2 ] && grep -q "no display was found" "$user/nodisplay.txt" ||
  { cat "$user/nodisplay.txt"; fail "no display: exit $code"; }
echo "check_deb: with no display the app says: $(cat "$user/nodisplay.txt")"

apt-get install -y --reinstall "$deb" >/dev/null && same_library "$sum" "a reinstall"
apt-get remove -y consensus-desktop >/dev/null && same_library "$sum" "apt-get remove"
[ ! -e /opt/consensus-desktop ] && [ ! -e /usr/bin/consensus-desktop ] || fail "files left after remove"
dpkg --purge consensus-desktop >/dev/null && same_library "$sum" "dpkg --purge"
apt-get install -y "$deb" >/dev/null
as_user consensus-desktop session list | grep -q "Old session" || fail "the library was lost"
apt-get purge -y consensus-desktop >/dev/null
rm -rf "$old" "$old.deb" "$user"
echo "check_deb: passed (upgrade, self-test offline, reinstall, remove, purge: library kept)"
