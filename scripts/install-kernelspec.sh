#!/usr/bin/env bash
# Installs the "parc" kernelspec for this user, pointing at BUILD_DIR's parc-kernel.
# Usage: scripts/install-kernelspec.sh BUILD_DIR
set -euo pipefail
build=$(cd "${1:-build}" && pwd)
[ -x "$build/parc-kernel" ] || { echo "no parc-kernel in $build: build first" >&2; exit 1; }
/usr/bin/jupyter kernelspec install --user --replace --name parc "$build/kernelspec" >/dev/null
echo "parc kernelspec installed (kernel: $build/parc-kernel)"
/usr/bin/jupyter kernelspec list | grep -w parc
