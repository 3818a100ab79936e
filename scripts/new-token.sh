#!/usr/bin/env bash
# Makes a bearer token for a leverconnect caller and prints the entry that
# goes into the server's principals file. Only the token's SHA-256 is kept
# by the server; give the token itself to the caller (for leverctl:
# LEVERCONNECT_TOKEN or --token-file) and do not keep it anywhere else.
#   scripts/new-token.sh ID admin
#   scripts/new-token.sh ID member APPLICATION [APPLICATION...]
# The token goes to the file named by TOKEN_FILE (mode 600) when set, else
# to standard error; the principals entry goes to standard output.
set -euo pipefail

if (($# < 2)) || { [ "$2" != admin ] && [ "$2" != member ]; } ||
    { [ "$2" = member ] && (($# < 3)); }; then
  sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
fi
id=$1 role=$2
shift 2

token="lct_$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
hash=$(printf '%s' "$token" | sha256sum | cut -d' ' -f1)
if [ -n "${TOKEN_FILE:-}" ]; then
  (umask 077 && printf '%s\n' "$token" > "$TOKEN_FILE")
else
  printf 'token for %s: %s\n' "$id" "$token" >&2
fi

applications=""
for application in "$@"; do
  applications+="${applications:+, }\"$application\""
done
printf '{"id": "%s", "role": "%s", ' "$id" "$role"
if [ -n "$applications" ]; then
  printf '"applications": [%s], ' "$applications"
fi
printf '"token_sha256": "%s"}\n' "$hash"
