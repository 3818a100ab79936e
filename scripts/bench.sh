#!/usr/bin/env bash
# Builds the benchmarks (Release, in build-bench/) and runs them, printing
# one Markdown table each on standard output (progress goes to standard
# error). See PERFORMANCE.md for what they measure and the latest figures.
#   scripts/bench.sh                  # all four, about two minutes
#   scripts/bench.sh mapping import   # some: mapping import throughput memory
# Environment: BUILD_DIR (default build-bench). Everything runs on
# loopback; each benchmark stops the fake-lever and leverconnect-server
# processes it starts.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export BUILD_DIR=${BUILD_DIR:-$root/build-bench}
export BUILD_TYPE=Release

all=(mapping import throughput memory)
selected=("$@")
if ((${#selected[@]} == 0)); then selected=("${all[@]}"); fi
for name in "${selected[@]}"; do
  case " ${all[*]} " in
    *" $name "*) ;;
    *) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
  esac
done

# Packages and a first configure as scripts/setup.sh does them, then the
# benchmarks switched on (a cheap re-configure), then the build.
"$root/scripts/setup.sh" fake-lever >&2
cmake -S "$root" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DLEVERCONNECT_BUILD_BENCH=ON >/dev/null
targets=()
for name in "${selected[@]}"; do targets+=("bench_$name"); done
"$root/scripts/setup.sh" "${targets[@]}" >&2

status=0
for name in "${selected[@]}"; do
  echo "bench: running bench_$name" >&2
  if ! "$BUILD_DIR/bench/bench_$name"; then
    echo "bench: bench_$name failed" >&2
    status=1
  fi
done
exit "$status"
