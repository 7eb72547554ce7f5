#!/usr/bin/env bash
# Runs every test of sms-inbox (unit, integration, end-to-end, crash), installing what is missing
# first: npm packages, FerretDB, generated contracts. Ends with one line "jest: N passed, N failed".
# Extra arguments go to jest (e.g. `npm test -- libs/bus`).
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "[test] installing npm packages (npm ci)..." >&2
  npm ci --no-audit --no-fund || { echo "jest: 0 passed, 1 failed"; exit 1; }
fi
bash scripts/ensure-tools.sh || { echo "jest: 0 passed, 1 failed"; exit 1; }
# shellcheck source=node-env.sh
source scripts/node-env.sh
npm run --silent codegen || { echo "jest: 0 passed, 1 failed"; exit 1; }

results="$(mktemp)"
node scripts/jest.mjs --ci --forceExit --json --outputFile="$results" "$@"
rc=$?
node -e '
  const fs = require("fs");
  let r = null;
  try { r = JSON.parse(fs.readFileSync(process.argv[1], "utf8")); } catch {}
  const passed = r?.numPassedTests ?? 0;
  let failed = (r?.numFailedTests ?? 0) + (r?.numRuntimeErrorTestSuites ?? 0);
  // jest failing without a failed test (no results, a crash) still counts as a failure.
  if (failed === 0 && process.argv[2] !== "0") failed = 1;
  console.log(`jest: ${passed} passed, ${failed} failed`);
' "$results" "$rc"
rm -f "$results"
exit $rc
