#!/usr/bin/env bash
# The release workflow's Linux job: the bundle, the .deb and the AppImage, each installed and
# self-tested offline. Needs sudo (apt-get; the .deb is installed system-wide).
set -euo pipefail
cd "$(dirname "$0")/../.."
sudo apt-get update
sudo DEBIAN_FRONTEND=noninteractive apt-get install -y \
  $(grep -v '^#' build_scripts/installers/linux/build-packages.txt)
python -m pip install -e ".[build]"
python build_scripts/build.py
python build_scripts/installers/make_deb.py --compression xz
python build_scripts/installers/make_appimage.py
sudo bash build_scripts/installers/check_deb.sh dist/installers/consensus-desktop-*.deb
bash build_scripts/installers/check_appimage.sh dist/installers/consensus-desktop-*.AppImage
