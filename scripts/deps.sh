#!/usr/bin/env bash
# Makes sure the Debian packages parc needs are installed. As root it installs what is
# missing (apt-get); otherwise it prints the exact apt-get line and fails.
# Usage: scripts/deps.sh [build|test|bench]   (test adds what the test suite needs; bench adds
# to that what the benchmarks compare against: mpi4py, ipyparallel, matplotlib)
set -euo pipefail
want=(cmake make gcc pkg-config libzmq3-dev libjansson-dev libssl-dev libopenmpi-dev
      openmpi-bin libopenblas-dev libscalapack-openmpi-dev librandom123-dev libcairo2-dev zlib1g-dev fonts-dejavu-core
      python3-jupyter-client jupyter-client
      jupyter-console
      jupyter-notebook python3-zmq python3-numpy)
if [ "${1:-build}" = test ] || [ "${1:-build}" = bench ]; then
    want+=(python3-nbclient python3-nbformat python3-jupyter-kernel-test python3-ipykernel
           jupyter-nbconvert clang clang-format procps chromium python3-pil python3-scipy)
fi
if [ "${1:-build}" = bench ]; then
    want+=(python3-mpi4py python3-ipyparallel python3-matplotlib)
fi
missing=()
for p in "${want[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ]; then
    echo "parc: installing ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >&2
    apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
else
    echo "parc needs these Debian packages; install them with:" >&2
    echo "  sudo apt-get install -y ${missing[*]}" >&2
    exit 1
fi
