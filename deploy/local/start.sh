#!/usr/bin/env bash
# Starts the whole sms-inbox stack on this machine with embedded defaults: installs what is
# missing (npm packages, FerretDB), then runs NATS, FerretDB and all six services, creates a demo
# shop and prints URLs and credentials. Ctrl-C stops everything. Environment variables of API.md
# (GATEWAY_PORT, INGESTION_PORT, NATS_URL, MONGODB_URI, SHOPIFY_*, TWILIO_*, PUBLIC_BASE_URL, …) win.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "[start] installing npm packages (npm ci)..." >&2
  npm ci --no-audit --no-fund
fi
bash scripts/ensure-tools.sh runtime
# shellcheck source=../../scripts/node-env.sh
source scripts/node-env.sh
npm run --silent codegen
exec node --conditions=development --import tsx deploy/local/stack.ts
