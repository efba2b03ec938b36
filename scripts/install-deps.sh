#!/usr/bin/env bash
# Installs the Debian packages improvementd builds and runs with. Idempotent; needs root or sudo.
set -euo pipefail
PACKAGES=(libsqlite3-dev libxgboost-dev libsvm-dev liblinear-dev libopenblas-dev libsystemd-dev
          pkg-config systemd python3-venv time chromium)
missing=()
for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -eq 0 ] && [ "${CI:-}" != "true" ]; then
    exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends "${PACKAGES[@]}"
