# Sourced by scripts that start servers in the background (demo.sh,
# tests/deploy/sigterm_test.sh). Sets `work`, a fresh folder, and `pids`;
# at exit, kills every process in `pids` and removes `work`. Messages
# start with $script_name.

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# wait_for_port FILE PID LOG: prints the port a server wrote to FILE once
# it is there; fails, printing LOG, if the process PID died first, or
# after about ten seconds.
wait_for_port() {
  local file=$1 pid=$2 log=$3
  for _ in $(seq 200); do
    if [ -s "$file" ]; then cat "$file"; return 0; fi
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "$script_name: a server exited early; its log:" >&2
      cat "$log" >&2
      return 1
    fi
    sleep 0.05
  done
  echo "$script_name: timed out waiting for $file" >&2
  return 1
}
