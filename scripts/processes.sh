# Sourced by the scripts that start the fakes and the server: background
# processes stopped on exit, and a wait for a port file.
#
#   source "$root/scripts/processes.sh"
#   start_process "$work/fake-lever.log" fake-lever --port-file "$work/p" ...
#   port=$(wait_for_port "$work/p" "$last_pid" "$work/fake-lever.log")

pids=()
last_pid=

# Stops every process start_process started, then removes $work when set.
stop_processes() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ -n "${work:-}" ]; then rm -rf "$work"; fi
}
trap stop_processes EXIT

# Runs the command in the background, its stderr to LOG; sets last_pid.
start_process() {
  local log=$1
  shift
  "$@" 2> "$log" &
  last_pid=$!
  pids+=("$last_pid")
}

# Prints the port a process writes to FILE once it listens; fails (showing
# its LOG) when the process PID exits first, or after ten seconds.
wait_for_port() {
  local file=$1 pid=$2 log=$3
  for _ in $(seq 200); do
    if [ -s "$file" ]; then cat "$file"; return 0; fi
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "${0##*/}: a process exited early; its log:" >&2
      cat "$log" >&2
      return 1
    fi
    sleep 0.05
  done
  echo "${0##*/}: timed out waiting for $file" >&2
  return 1
}
