#!/usr/bin/env bash
# Check the AppImage as a user without FUSE would run it:
#   bash build_scripts/installers/check_appimage.sh dist/installers/consensus-desktop-*.AppImage
# Its header marks a type-2 AppImage; squashfs-tools reads the image at the runtime's offset;
# --appimage-extract gives the AppDir (AppRun, a valid .desktop entry, the icon); the app
# self-tests through --appimage-extract-and-run with no network and leaves no folder behind.
set -euo pipefail
image=$(realpath "$1")
fail() { echo "check_appimage: $*" >&2; exit 1; }
work=$(mktemp -d /tmp/cd-appimage-XXXX)
trap 'rm -rf "$work"' EXIT

[ "$(head -c 11 "$image" | tail -c 3 | od -An -tx1 | tr -d ' ')" = 414902 ] ||
  fail "no AppImage type-2 magic (AI 02) at offset 8"
offset=$("$image" --appimage-offset)
unsquashfs -o "$offset" -ll "$image" AppRun | grep -q "AppRun -> consensus-desktop" ||
  fail "squashfs-tools finds no AppRun in the image at offset $offset"

(cd "$work" && "$image" --appimage-extract >/dev/null)
root="$work/squashfs-root"
[ -x "$root/AppRun" ] && [ -f "$root/consensus-desktop.svg" ] || fail "AppDir incomplete"
desktop-file-validate "$root/consensus-desktop.desktop"

# a fresh user, no network, no FUSE needed: the runtime extracts to $TMPDIR and cleans up
mkdir -p "$work/home" "$work/tmp"
net=(); if unshare -n true 2>/dev/null; then net=(unshare -n); fi
started=$(date +%s%N)
env -i HOME="$work/home" TMPDIR="$work/tmp" PATH=/usr/bin:/bin LANG=C.UTF-8 \
  QT_QPA_PLATFORM=offscreen "${net[@]}" "$image" --appimage-extract-and-run --self-test \
  >"$work/self-test.txt" 2>&1 || true
seconds=$(awk "BEGIN { printf \"%.1f\", ($(date +%s%N) - $started) / 1e9 }")
tail -1 "$work/self-test.txt"
grep -q "^SELF-TEST PASSED: backend " "$work/self-test.txt" ||
  { cat "$work/self-test.txt"; fail "the self-test failed"; }
[ -z "$(ls -A "$work/tmp")" ] || fail "the extracted folder was left in TMPDIR"
echo "check_appimage: self-test through --appimage-extract-and-run (${net[*]:-with network}) in $seconds s, cold start"
echo "check_appimage: passed ($(($(stat -c %s "$image") / 1000000)) MB, runtime $offset bytes)"
