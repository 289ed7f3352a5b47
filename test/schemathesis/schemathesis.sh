#!/usr/bin/env bash
# Runs schemathesis (PyPI) against the real incident API, driven by its /openapi.json:
#   test/schemathesis/schemathesis.sh [extra schemathesis options, e.g. --max-examples 50]
# Creates the project-local venv .stack/venv on first use, points the API at a database and topic of
# its own (schemathesis_api, schemathesis.events) on the running local stack, starts `mcp-audit api`
# with an admin key, runs every check, and stops the API again. Exit status is schemathesis's.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"
NODE="$ROOT/node_modules/.bin/node"
VENV="$ROOT/.stack/venv"
PORT="${SCHEMATHESIS_API_PORT:-18080}"

if [ ! -x "$VENV/bin/schemathesis" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --upgrade pip
  "$VENV/bin/pip" install --quiet 'schemathesis>=4,<5'
fi

export MCP_AUDIT_CLICKHOUSE_DATABASE=schemathesis_api
export MCP_AUDIT_TOPIC_EVENTS=schemathesis.events
export MCP_AUDIT_API_PORT="$PORT"
export MCP_AUDIT_API_HOST=127.0.0.1
# schemathesis sends thousands of requests with one key; the per-key limit is tested elsewhere.
export MCP_AUDIT_API_RATE_LIMIT_MAX=1000000
export MCP_AUDIT_LOG_LEVEL="${MCP_AUDIT_LOG_LEVEL:-warn}"

eval "$("$NODE" test/schemathesis/schemathesis.setup.ts)"
LOG="$ROOT/.stack/schemathesis-api.log"
"$NODE" bin/mcp-audit.js api >"$LOG" 2>&1 &
API_PID=$!
trap 'kill "$API_PID" 2>/dev/null; wait "$API_PID" 2>/dev/null || true' EXIT

for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break
  sleep 0.2
done

"$VENV/bin/schemathesis" --config-file "$ROOT/test/schemathesis/schemathesis.toml" run "http://127.0.0.1:$PORT/openapi.json" \
  --checks all \
  -H "Authorization: Bearer $KEY" \
  "$@" && status=0 || status=$?
echo "API log: $LOG (errors: $(grep -c '"level":5' "$LOG" || true))"
exit $status
