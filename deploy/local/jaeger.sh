#!/usr/bin/env bash
# Opt-in trace viewer for the one-machine stack: Jaeger's all-in-one binary, built from the Go
# module proxy into .tools/bin the first time (a few minutes), receiving OTLP on 4318.
#   deploy/local/jaeger.sh                                  # terminal 1
#   OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318 npm start   # terminal 2
#   open http://127.0.0.1:16686                             # search service sms-inbox-ingestion…
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
tools="$root/.tools/bin"
version="v1.76.0"
mkdir -p "$tools"
if [ ! -x "$tools/jaeger" ]; then
  command -v go >/dev/null || { echo "Go is needed to build Jaeger" >&2; exit 1; }
  echo "[jaeger] building Jaeger ${version} from the Go module proxy (first time only)..." >&2
  # The module has replace directives, so `go install …@version` refuses it: build from its source.
  src="$(cd /tmp && GOFLAGS=-mod=mod go mod download -json "github.com/jaegertracing/jaeger@${version}" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  [ -n "$src" ] || { echo "[jaeger] could not download the Jaeger module" >&2; exit 1; }
  (cd "$src" && go build -trimpath -o "$tools/jaeger" ./cmd/jaeger)
fi
exec "$tools/jaeger"
