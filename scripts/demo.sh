#!/usr/bin/env bash
# The main job, end to end, on this machine: builds what is needed, starts
# fake-lever with Lever requisitions and the leverconnect server on
# loopback, registers a connection with leverctl, tests it, prints the
# schema and the imported requisitions, then stops what it started.
#
# Data: the recorded Lever sandbox exchanges in ../shared/lever/recorded
# when they are there (or in LEVER_DATA_DIR), else the project's own demo
# data in tests/data. The users are the project's own (tests/data/
# demo_users.json) either way: the recording holds no user directory, so
# the names of its requisitions' people stay empty.
# DEMO_CHECK_SECRETS=1 also fails when the demo's API key or caller token
# appears in any log or in the database files.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${BUILD_DIR:-$root/build}
"$root/scripts/setup.sh" leverconnect-server leverctl fake-lever

data_dir=${LEVER_DATA_DIR:-$root/../shared/lever/recorded}
requisitions=$data_dir/list_requisitions.json
fields=$data_dir/list_requisition_fields.json
users=$root/tests/data/demo_users.json
users_note=" (none of them created the recorded requisitions: names stay empty)"
if [ ! -f "$requisitions" ]; then
  requisitions=$root/tests/data/demo_requisitions.json
  fields=$root/tests/data/demo_requisition_fields.json
  users_note=""
fi

script_name=demo
source "$root/scripts/background_servers.sh"

api_key="demo_$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
(umask 077 && head -c 32 /dev/urandom > "$work/master.key")

# One admin caller; the server keeps only its token's SHA-256.
admin_entry=$(TOKEN_FILE="$work/admin.token" "$root/scripts/new-token.sh" demo-admin admin)
printf '{"principals": [%s]}\n' "$admin_entry" > "$work/principals.json"
export LEVERCONNECT_TOKEN
LEVERCONNECT_TOKEN=$(cat "$work/admin.token")

"$build_dir/tests/fakes/fake-lever" --listen 127.0.0.1:0 \
  --port-file "$work/lever.port" \
  --requisitions "$requisitions" --requisition-fields "$fields" \
  --users-file "$users" \
  --api-key "$api_key=requisitions:read,requisition_fields:read,users:read" \
  2> "$work/fake-lever.log" &
pids+=($!)
lever_port=$(wait_for_port "$work/lever.port" "${pids[-1]}" "$work/fake-lever.log")

"$build_dir/server/leverconnect-server" --listen 127.0.0.1:0 \
  --port-file "$work/server.port" --state-dir "$work/state" \
  --master-key-file "$work/master.key" --principals-file "$work/principals.json" \
  --lever-production-url "http://127.0.0.1:$lever_port/v1" \
  --lever-sandbox-url "http://127.0.0.1:$lever_port/v1" \
  2> "$work/server.log" &
pids+=($!)
server_port=$(wait_for_port "$work/server.port" "${pids[-1]}" "$work/server.log")

export LEVERCONNECT_SERVER=127.0.0.1:$server_port
leverctl=$build_dir/client/leverctl
echo "== fake Lever on port $lever_port, leverconnect on port $server_port"
echo "== data: $requisitions"
echo "== users: $users$users_note"
echo
echo "== leverctl connections create demo"
LEVER_API_KEY=$api_key "$leverctl" connections create demo \
  --environment production --application demo-app \
  --display-name "Demo (fake Lever)"
echo
echo "== leverctl connections test demo"
"$leverctl" connections test demo
echo
echo "== leverctl requisitions schema"
"$leverctl" requisitions schema --connection demo --application demo-app
echo
echo "== leverctl requisitions import"
"$leverctl" requisitions import --connection demo --application demo-app \
  --columns requisition_code,name,status,headcount_total,headcount_hired,location,team,compensation_band_min,compensation_band_max,created_at,hiring_manager_name

if [ "${DEMO_CHECK_SECRETS:-0}" = 1 ]; then
  kill -TERM "${pids[1]}"
  wait "${pids[1]}" || true
  for secret in "$api_key" "$LEVERCONNECT_TOKEN"; do
    if grep -rqF "$secret" "$work/server.log" "$work/fake-lever.log" "$work/state"; then
      echo "demo: a secret leaked into a log or the database" >&2
      exit 1
    fi
  done
  echo "== neither the API key nor the token appears in any log line or database file"
fi
