#!/usr/bin/env bash
# SIGTERM to the real leverconnect-server binary in the middle of a
# streamed import: the import ends with UNAVAILABLE "server shutting down;
# retry" (leverctl exits 1 and prints it), the server logs its stop within
# the grace and exits 0.
#
# fake-lever answers each request after 300 ms and pages hold 10 rows, so
# the import is mid-stream for seconds; the first CSV record, read from a
# FIFO, says when it is. Every line the server logged, gRPC's own
# included, must be a JSON object starting with time, severity and
# message.
set -euo pipefail

build_dir=${BUILD_DIR:?BUILD_DIR names the build folder}
work=$(mktemp -d)
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/processes.sh"

api_key=sigterm-test-key
(umask 077 && head -c 32 /dev/urandom > "$work/master.key")

"$build_dir/tests/fakes/fake-lever" --listen 127.0.0.1:0 \
  --port-file "$work/lever.port" --generate 500 --latency-ms 300 \
  --api-key "$api_key=requisitions:read,requisition_fields:read,users:read" \
  2> "$work/fake-lever.log" &
pids+=($!)
lever_port=$(wait_for_port "$work/lever.port" "${pids[-1]}" "$work/fake-lever.log")

"$build_dir/server/leverconnect-server" --listen 127.0.0.1:0 --no-auth \
  --port-file "$work/server.port" --state-dir "$work/state" \
  --master-key-file "$work/master.key" --shutdown-grace 10s \
  --lever-production-url "http://127.0.0.1:$lever_port/v1" \
  --lever-sandbox-url "http://127.0.0.1:$lever_port/v1" \
  2> "$work/server.log" &
server_pid=$!
pids+=("$server_pid")
server_port=$(wait_for_port "$work/server.port" "$server_pid" "$work/server.log")

export LEVERCONNECT_SERVER=127.0.0.1:$server_port
leverctl=$build_dir/client/leverctl
LEVER_API_KEY=$api_key "$leverctl" connections create shutdown \
  --environment production --application app --skip-key-check >/dev/null

mkfifo "$work/rows"
"$leverctl" requisitions import --connection shutdown --application app \
  --columns requisition_code --page-size 10 --read-mode one-cursor \
  --output csv > "$work/rows" 2> "$work/leverctl.err" &
leverctl_pid=$!
exec 3< "$work/rows"
read -r header <&3
read -r first_row <&3
echo "import under way: $header / $first_row"

start=$(date +%s%N)
kill -TERM "$server_pid"
cat <&3 > /dev/null
exec 3<&-
leverctl_status=0
wait "$leverctl_pid" || leverctl_status=$?
server_status=0
wait "$server_pid" || server_status=$?
elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
echo "leverctl exited $leverctl_status, the server $server_status, ${elapsed_ms} ms after SIGTERM"

failed=0
if [ "$server_status" != 0 ]; then
  echo "sigterm_test: the server exited $server_status, not 0" >&2
  failed=1
fi
if [ "$leverctl_status" != 1 ] ||
    ! grep -q "UNAVAILABLE: server shutting down; retry" "$work/leverctl.err"; then
  echo "sigterm_test: leverctl did not end with the shutdown status:" >&2
  cat "$work/leverctl.err" >&2
  failed=1
fi
if [ "$elapsed_ms" -ge 10000 ]; then
  echo "sigterm_test: the shutdown took longer than its grace" >&2
  failed=1
fi
if ! grep -q '"message":"server stopped"' "$work/server.log"; then
  echo "sigterm_test: no \"server stopped\" line; the server's log:" >&2
  cat "$work/server.log" >&2
  failed=1
fi
if grep -vqE '^\{"time":"[0-9T:.-]+Z","severity":"(DEBUG|INFO|WARNING|ERROR)","message":"([^"\\]|\\.)*"[,}]' "$work/server.log"; then
  echo "sigterm_test: log lines without time, severity and message:" >&2
  grep -vE '^\{"time":"[0-9T:.-]+Z","severity":"(DEBUG|INFO|WARNING|ERROR)","message":"([^"\\]|\\.)*"[,}]' "$work/server.log" >&2
  failed=1
fi
exit "$failed"
