#!/bin/sh
# fuse_vs_numpy.sh [n] [build dir]: runs bench_fuse under mpiexec -n 2 and the same
# expression in NumPy (Debian's /usr/bin/python3) on this machine; prints the ratio.
N=${1:-100000000}
B=${2:-$(dirname "$0")/../build}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
P=$(mpiexec --oversubscribe -n 2 "$B/bench_fuse" "$N" | tee /dev/stderr | sed -n 's/.*time=\([0-9.]*\).*/\1/p')
NP=$(/usr/bin/python3 -c "
import numpy as np, time
n = $N
x = np.random.uniform(-1, 1, n); y = np.random.uniform(-1, 1, n)
best = 1e30
for _ in range(3):
    t = time.perf_counter(); c = np.count_nonzero(np.hypot(x, y) <= 1); best = min(best, time.perf_counter() - t)
print(best)")
/usr/bin/python3 -c "print(\"numpy time=%s s  parc (2 engines) time=%s s  ratio=%.1fx\" % ($NP, $P, $NP / $P))"
