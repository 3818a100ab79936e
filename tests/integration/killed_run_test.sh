#!/usr/bin/env bash
# The server is killed with SIGKILL while a run into Pigment is extracting,
# then started again on the same state folder: the run shows as failed
# ("interrupted"), its partial file is gone and Pigment received nothing. A
# new run then succeeds, and one whose rows Pigment skips is shown with
# Pigment's reasons by `leverctl imports get`.
#   killed_run_test.sh BUILD_DIR
set -euo pipefail

build_dir=$1
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
work=$(mktemp -d)
source "$root/scripts/processes.sh"

fail() {
  echo "killed_run_test: $*" >&2
  for log in "$work"/*.log; do echo "--- $log" >&2; tail -20 "$log" >&2; done
  exit 1
}

# Polls `command` (a function) until it succeeds, for at most ten seconds.
await() {
  for _ in $(seq 200); do
    if "$@"; then return 0; fi
    sleep 0.05
  done
  fail "timed out waiting for: $*"
}

# GET /_stats of the fake on port $1, without curl.
stats() {
  exec 3<>"/dev/tcp/127.0.0.1/$1"
  printf 'GET /_stats HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&3
  cat <&3
  exec 3<&-
}

lever_key=lvr_killed_run_key_0001
pigment_key=pgm_killed_run_key_0001
printf '%s\n' "$pigment_key" > "$work/pigment.key"
head -c 32 /dev/urandom > "$work/master.key"
config=cfg-requisitions
skipping=cfg-skipping

# Slow pages keep the run extracting long enough to be killed.
start_process "$work/fake-lever.log" "$build_dir/tests/fakes/fake-lever" \
  --listen 127.0.0.1:0 --port-file "$work/lever.port" --generate 2000 \
  --latency-ms 150 \
  --api-key "$lever_key=requisitions:read,requisition_fields:read,users:read"
lever_port=$(wait_for_port "$work/lever.port" "$last_pid" "$work/fake-lever.log")
start_process "$work/fake-pigment.log" "$build_dir/tests/fakes/fake-pigment" \
  --listen 127.0.0.1:0 --port-file "$work/pigment.port" \
  --api-key "$pigment_key" --status-polls 0 \
  --configuration "$config=Requisition ID,Title" \
  --configuration "$skipping=Requisition ID,Title:number"
pigment_port=$(wait_for_port "$work/pigment.port" "$last_pid" "$work/fake-pigment.log")

start_server() {
  rm -f "$work/server.port"
  start_process "$work/server.log" "$build_dir/server/leverconnect-server" \
    --listen 127.0.0.1:0 --port-file "$work/server.port" \
    --state-dir "$work/state" --master-key-file "$work/master.key" --no-auth \
    --lever-production-url "http://127.0.0.1:$lever_port/v1" \
    --pigment-url "http://127.0.0.1:$pigment_port" \
    --pigment-key-file "$work/pigment.key"
  server_pid=$last_pid
  server_port=$(wait_for_port "$work/server.port" "$server_pid" "$work/server.log")
  export LEVERCONNECT_SERVER=127.0.0.1:$server_port
}

leverctl=$build_dir/client/leverctl
start_server
LEVER_API_KEY=$lever_key "$leverctl" connections create acme \
  --environment production --application planning --skip-key-check >/dev/null

start_run() {
  "$leverctl" imports start --connection acme --application planning \
    --pigment-config "$1" --column "id=Requisition ID" --column name=Title \
    "${@:2}"
}
run=$(start_run "$config" -o json | sed -n 's/.*"name":"\([^"]*\)".*/\1/p')
[ -n "$run" ] || fail "no run name in the answer of imports start"

# Waits until the run has written rows to its spool file.
extracting_with_rows() {
  "$leverctl" imports get "$run" -o json >"$work/run.json" 2>/dev/null &&
    grep -q '"state":"IMPORT_RUN_STATE_EXTRACTING"' "$work/run.json" &&
    grep -q '"rows":"[1-9]' "$work/run.json"
}
await extracting_with_rows
ls "$work/state/spool" | grep -q '\.part$' || fail "no partial spool file"

kill -KILL "$server_pid"
wait "$server_pid" 2>/dev/null || true
start_server

"$leverctl" imports get "$run" -o json >"$work/run.json"
grep -q '"state":"IMPORT_RUN_STATE_FAILED"' "$work/run.json" ||
  fail "the killed run is not failed: $(cat "$work/run.json")"
grep -q '"reason":"interrupted"' "$work/run.json" ||
  fail "the killed run is not interrupted: $(cat "$work/run.json")"
[ -z "$(ls -A "$work/state/spool")" ] || fail "spool files left: $(ls "$work/state/spool")"
stats "$pigment_port" | grep -q '"pushes":0' ||
  fail "Pigment received a push: $(stats "$pigment_port")"
echo "killed run: failed as interrupted, nothing pushed"

# Started again, the import completes.
start_run "$config" --wait >"$work/again.txt" ||
  fail "the new run did not succeed: $(cat "$work/again.txt")"
grep -q "2000 inserted" "$work/again.txt" || fail "$(cat "$work/again.txt")"
echo "started again: 2000 rows in Pigment"

# Pigment skips every row of a file whose titles are not numbers; get
# shows why.
status=0
start_run "$skipping" --wait >/dev/null || status=$?
[ "$status" = 0 ] || fail "imports start --wait exited $status"
skipped=$("$leverctl" imports list --connection acme --state succeeded-with-skipped-rows -o json |
  sed -n 's/.*"name":"\([^"]*\)".*/\1/p')
"$leverctl" imports get "$skipped" >"$work/skipped.txt"
grep -q "^State: *succeeded with skipped rows" "$work/skipped.txt" || fail "$(cat "$work/skipped.txt")"
grep -Eq "^ *2000 +ParsingError +Title +" "$work/skipped.txt" || fail "$(cat "$work/skipped.txt")"
echo "skipped rows shown by imports get:"
cat "$work/skipped.txt"
