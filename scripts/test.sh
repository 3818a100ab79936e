#!/usr/bin/env bash
# Installs what is missing, builds everything and runs every test (unit,
# integration, and the demo itself as a smoke test) with ctest, beside a
# throwaway PostgreSQL cluster (scripts/with-postgres.sh) so that the
# storage tests run on both SQLite and PostgreSQL.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${BUILD_DIR:-$root/build}
"$root/scripts/setup.sh"
cd "$build_dir"
"$root/scripts/with-postgres.sh" ctest --output-on-failure --timeout 600 "$@"
