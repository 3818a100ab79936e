#!/usr/bin/env bash
# Installs the Debian 12 packages the project needs (only when one is
# missing), unpacks Debian's kubectl for the manifest test, then configures
# and builds the given targets (all when none). postgresql is for the tests
# (scripts/with-postgres.sh starts a throwaway cluster); the server itself
# needs only libpq, and neither the demo nor a server on SQLite uses a
# PostgreSQL server.
#   scripts/setup.sh [TARGET...]
# Environment: BUILD_DIR (default build), BUILD_TYPE (default Release).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${BUILD_DIR:-$root/build}

packages=(
  build-essential cmake ninja-build pkg-config ca-certificates
  protobuf-compiler protobuf-compiler-grpc libprotobuf-dev libgrpc++-dev
  libabsl-dev libcurl4-openssl-dev rapidjson-dev libsqlite3-dev libssl-dev
  libcpp-httplib-dev prometheus-cpp-dev libgtest-dev libgmock-dev libpq-dev
  postgresql
)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null |
      grep -q "install ok installed"; then
    missing+=("$package")
  fi
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  sudo=""
  if [ "$(id -u)" != 0 ]; then sudo=sudo; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
fi

# Debian's kubectl (kubernetes-client: kubectl 1.20 with kustomize built
# in) renders deploy/k8s in the manifest test. It is unpacked into the
# build folder instead of installed, since its /usr/bin/kubectl would
# collide with another kubectl the machine may have.
kubectl_dir=$build_dir/tools/kubernetes-client
if [ ! -x "$kubectl_dir/usr/bin/kubectl" ]; then
  download=$(mktemp -d)
  if ! (cd "$download" && apt-get download -q kubernetes-client >/dev/null 2>&1); then
    sudo=""
    if [ "$(id -u)" != 0 ]; then sudo=sudo; fi
    $sudo apt-get update -qq
    (cd "$download" && apt-get download -q kubernetes-client >/dev/null)
  fi
  mkdir -p "$kubectl_dir"
  dpkg-deb -x "$download"/kubernetes-client_*.deb "$kubectl_dir"
  rm -rf "$download"
fi

if [ ! -f "$build_dir/build.ninja" ]; then
  cmake -S "$root" -B "$build_dir" -G Ninja \
    -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-Release}" >/dev/null
fi
# Two cores: more jobs only thrash.
if (($#)); then
  cmake --build "$build_dir" --parallel 2 --target "$@"
else
  cmake --build "$build_dir" --parallel 2
fi
