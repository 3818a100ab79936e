#!/usr/bin/env bash
# Runs a command beside a throwaway PostgreSQL cluster, then removes it.
#   scripts/with-postgres.sh COMMAND [ARG...]
# The cluster lives in a temporary folder, listens on 127.0.0.1 only (and
# on a Unix socket in that folder), on a free port, and trusts local
# connections; the command finds it in LEVERCONNECT_TEST_POSTGRES_URL,
# and in LEVERCONNECT_TEST_POSTGRES_CTL a script that stops the cluster
# ("CTL stop", fast shutdown) and starts it again ("CTL start", same port
# and options), or freezes its processes ("CTL freeze": connections stay
# open, nothing answers) and thaws them ("CTL thaw"), for tests of an
# outage. Such a test must run under a with-postgres.sh of its own, not
# share the cluster with other tests.
# As root, the cluster runs as the unprivileged user "nobody", since
# PostgreSQL refuses to run as root. It is made for tests: fsync is off.
set -euo pipefail

bin=${POSTGRES_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
  echo "with-postgres: PostgreSQL server binaries not found (apt-get install postgresql)" >&2
  exit 1
fi

as_owner=()
if [ "$(id -u)" = 0 ]; then as_owner=(setpriv --reuid=nobody --regid=nogroup --clear-groups --); fi

work=$(mktemp -d "${TMPDIR:-/tmp}/leverconnect-pg.XXXXXX")
chmod 700 "$work"
if ((${#as_owner[@]})); then chown nobody:nogroup "$work"; fi
data=$work/data
started=""

stop() {
  if [ -n "$started" ]; then
    # A cluster a test left frozen would not stop.
    if [ -x "$work/ctl" ]; then "$work/ctl" thaw 2>/dev/null || true; fi
    "${as_owner[@]}" "$bin/pg_ctl" -D "$data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
}
trap stop EXIT
trap 'exit 130' INT TERM

(cd "$work" && "${as_owner[@]}" "$bin/initdb" -D "$data" -U postgres \
  --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$work/initdb.log" 2>&1) || {
  cat "$work/initdb.log" >&2
  exit 1
}

server_options() {
  echo "-c listen_addresses=127.0.0.1 -p $1 -k $work -c fsync=off -c full_page_writes=off -c max_connections=200"
}

# A free port: try random ones until the server binds one.
for _ in $(seq 20); do
  port=$((20000 + RANDOM % 30000))
  if (cd "$work" && "${as_owner[@]}" "$bin/pg_ctl" -D "$data" -l "$work/server.log" -w -t 30 \
      -o "$(server_options "$port")" start >/dev/null 2>&1); then
    started=1
    break
  fi
  "${as_owner[@]}" "$bin/pg_ctl" -D "$data" -m immediate -w stop >/dev/null 2>&1 || true
done
if [ -z "$started" ]; then
  echo "with-postgres: PostgreSQL did not start; its log:" >&2
  cat "$work/server.log" >&2 || true
  exit 1
fi

"$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -q -v ON_ERROR_STOP=1 \
  -c "CREATE DATABASE leverconnect_test" >/dev/null
# The control script; its commands are fixed now, quoted for the shell.
pg_ctl_command=$(printf '%q ' "${as_owner[@]}" "$bin/pg_ctl" -D "$data")
cat >"$work/ctl" <<CTL
#!/usr/bin/env bash
# Stops or starts the throwaway cluster of scripts/with-postgres.sh.
set -euo pipefail
cd $(printf '%q' "$work")
case "\${1:-}" in
  stop) exec $pg_ctl_command -m fast -w stop >/dev/null ;;
  start) exec $pg_ctl_command -l $(printf '%q' "$work/server.log") -w -t 30 \\
    -o $(printf '%q' "$(server_options "$port")") start >/dev/null ;;
  freeze | thaw)
    # SIGSTOP or SIGCONT to the postmaster and its children: a server that
    # keeps its connections open but answers nothing, then resumes.
    signal=STOP
    if [ "\$1" = thaw ]; then signal=CONT; fi
    postmaster=\$(head -n 1 $(printf '%q' "$data/postmaster.pid"))
    pids=("\$postmaster")
    for status in /proc/[0-9]*/status; do
      if grep -qs "^PPid:[[:space:]]*\$postmaster\$" "\$status"; then
        pid=\${status#/proc/}
        pids+=("\${pid%/status}")
      fi
    done
    kill -"\$signal" "\${pids[@]}" 2>/dev/null || true ;;
  *) echo "usage: \$0 stop|start|freeze|thaw" >&2; exit 2 ;;
esac
CTL
chmod 755 "$work/ctl"
export LEVERCONNECT_TEST_POSTGRES_CTL=$work/ctl
export LEVERCONNECT_TEST_POSTGRES_URL="postgresql://postgres@127.0.0.1:$port/leverconnect_test?sslmode=disable"
echo "with-postgres: PostgreSQL on 127.0.0.1:$port" >&2
"$@"
