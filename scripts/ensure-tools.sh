#!/usr/bin/env bash
# Installs the tools the project needs into the git-ignored .tools/ folder when they are missing:
# FerretDB (the MongoDB-wire server) built from its Go module, with our ferretdb-indexer beside
# it, nats-server, and promtool (from Debian's prometheus package) for the alert-rule tests.
# Safe to run again: what is already there is kept. `runtime`: only what the stack runs on.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="$root/.tools/bin"
mkdir -p "$tools"

FERRETDB_VERSION="v1.24.2"
HELM_VERSION="v3.22.0"

say() { printf '[tools] %s\n' "$*" >&2; }

ensure_ferretdb() {
  # (Output captured first: `… | grep -q` would end the pipe early and fail it under pipefail.)
  if [ -x "$tools/ferretdb" ] && [[ "$("$tools/ferretdb" --version 2>/dev/null || true)" == *"${FERRETDB_VERSION}"* ]]; then
    return
  fi
  command -v go >/dev/null || { say "Go is needed to build FerretDB (go.dev/doc/install)"; exit 1; }
  say "building FerretDB ${FERRETDB_VERSION} from the Go module proxy (first time only, about 2-3 minutes)..."
  local src work
  # `go install …/cmd/ferretdb@version` builds a binary that panics at start, because the module
  # ships without build/version/version.txt; build from the module's source with that file added.
  src="$(cd /tmp && GOFLAGS=-mod=mod go mod download -json "github.com/FerretDB/FerretDB@${FERRETDB_VERSION}" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  [ -n "$src" ] || { say "could not download the FerretDB module"; exit 1; }
  work="$(mktemp -d)"
  cp -r "$src/." "$work/"
  chmod -R u+w "$work"
  echo "${FERRETDB_VERSION}" > "$work/build/version/version.txt"
  (cd "$work" && go build -trimpath -o "$tools/ferretdb" ./cmd/ferretdb)
  rm -rf "$work"
  say "FerretDB installed at .tools/bin/ferretdb"
}

ensure_ferretdb_indexer() {
  # Our companion to FerretDB's SQLite backend (deploy/local/ferretdb-indexer): rebuilt when its
  # source changes.
  local src="$root/deploy/local/ferretdb-indexer" stamp
  stamp="$(cat "$src/main.go" "$src/go.mod" "$src/go.sum" | sha256sum | cut -c1-16)"
  if [ -x "$tools/ferretdb-indexer" ] && [ "$(cat "$tools/ferretdb-indexer.stamp" 2>/dev/null)" = "$stamp" ]; then
    return
  fi
  command -v go >/dev/null || { say "Go is needed to build ferretdb-indexer"; exit 1; }
  say "building ferretdb-indexer..."
  (cd "$src" && go build -trimpath -o "$tools/ferretdb-indexer" .)
  echo "$stamp" > "$tools/ferretdb-indexer.stamp"
}

ensure_nats() {
  if command -v nats-server >/dev/null || [ -x "$tools/nats-server" ]; then
    return
  fi
  command -v go >/dev/null || { say "nats-server is missing and Go is not installed to build it"; exit 1; }
  say "installing nats-server from the Go module proxy..."
  GOBIN="$tools" go install github.com/nats-io/nats-server/v2@v2.10.29
}

ensure_helm() {
  if [ -x "$tools/helm" ] && [[ "$("$tools/helm" version --short 2>/dev/null || true)" == *"${HELM_VERSION%.*}"* ]]; then
    return
  fi
  command -v go >/dev/null || { say "Go is needed to build helm"; exit 1; }
  say "building helm ${HELM_VERSION} from the Go module proxy (first time only)..."
  GOBIN="$tools" go install "helm.sh/helm/v3/cmd/helm@${HELM_VERSION}"
}

ensure_promtool() {
  if command -v promtool >/dev/null; then
    return
  fi
  local sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  command -v apt-get >/dev/null || { say "promtool is missing: install Prometheus's promtool"; exit 1; }
  say "installing promtool (Debian's prometheus package)..."
  $sudo apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends prometheus >/dev/null
}

ensure_ferretdb
ensure_ferretdb_indexer
ensure_nats
# `ensure-tools.sh runtime` (npm start) stops here; the tests also need helm and promtool.
if [ "${1:-all}" != "runtime" ]; then
  ensure_helm
  ensure_promtool
fi
