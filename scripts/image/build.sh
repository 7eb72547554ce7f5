#!/usr/bin/env bash
# Builds one service's production tree, exactly as its image does (the Dockerfile runs this):
# the service and the libs compiled to dist/, then production dependencies only.
#   scripts/image/build.sh gateway /out     →  /out/services/gateway: node dist/main.js
# Expects `npm ci` to have run in the source tree (it generates the contracts).
set -euo pipefail
service="${1:?usage: build.sh SERVICE OUT_DIR}"
out="${2:?usage: build.sh SERVICE OUT_DIR}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
[ -d "services/$service" ] || { echo "no such service: $service" >&2; exit 1; }

NX_DAEMON=false NX_NO_CLOUD=true npx nx run "@sms-inbox/${service}-service:build" --output-style=stream >&2

mkdir -p "$out"
cp package.json package-lock.json "$out/"
# Every workspace's manifest (npm ci checks the lockfile against all of them); dist/ of the
# libs and of this service only.
for dir in libs/* services/*; do
  mkdir -p "$out/$dir"
  cp "$dir/package.json" "$out/$dir/"
done
for dir in libs/* "services/$service"; do
  [ -d "$dir/dist" ] && cp -r "$dir/dist" "$out/$dir/"
done
(cd "$out" && npm ci --omit=dev --ignore-scripts --no-audit --no-fund --workspace "services/$service" >&2)
echo "$out/services/$service"
