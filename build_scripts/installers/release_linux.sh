#!/usr/bin/env bash
# The release workflow's Linux job (ubuntu-22.04, so the app needs glibc 2.35, not newer): the
# bundle, the .deb and the AppImage, each installed and self-tested offline. Needs sudo and
# docker: the AppImage runtime is static and compiled in a Debian 12 container, which has
# squashfuse's static library.
set -euo pipefail
cd "$(dirname "$0")/../.."
packages=build_scripts/installers/linux
sudo apt-get update
sudo DEBIAN_FRONTEND=noninteractive apt-get install -y $(grep -v '^#' $packages/build-packages.txt)
mkdir -p dist/installers
docker run --rm -v "$PWD:/src" -w /src debian:12 bash -c "apt-get update && \
  DEBIAN_FRONTEND=noninteractive apt-get install -y python3 \$(grep -v '^#' $packages/runtime-packages.txt) && \
  python3 build_scripts/installers/make_appimage.py --runtime-only dist/appimage-runtime"
python -m pip install -e ".[build]"
python build_scripts/build.py
python build_scripts/installers/make_deb.py --compression xz
python build_scripts/installers/make_appimage.py --runtime dist/appimage-runtime
sudo bash build_scripts/installers/check_deb.sh dist/installers/consensus-desktop-*.deb
bash build_scripts/installers/check_appimage.sh dist/installers/consensus-desktop-*.AppImage
