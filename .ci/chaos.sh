#!/usr/bin/env bash
# The chaos suite (test/chaos, docs/CHAOS.md) at its bounded size: kill -9, transient faults, Postgres restarts,
# malformed answers, hostile data and echoed secrets, on the embedded store and, when the Postgres server on
# 127.0.0.1:5432 answers, on Postgres too (each scenario makes its own database; the restart scenario starts a
# private cluster). Must finish in under 10 minutes on a 2-core machine; the `timeout` below enforces it.
# Longer runs: CHAOS_ROUNDS=50 CHAOS_SEED=7 .ci/chaos.sh (no time limit then). A failure names its scenario and seed.
set -euo pipefail
cd "$(dirname "$0")/.."

export CHAOS_ROUNDS="${CHAOS_ROUNDS:-1}"
export CHAOS_SEED="${CHAOS_SEED:-1}"
if pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
  export TEST_DATABASE_URL="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
fi
echo "chaos: CHAOS_ROUNDS=$CHAOS_ROUNDS CHAOS_SEED=$CHAOS_SEED stores: pglite${TEST_DATABASE_URL:+ postgres}"

limit=()
if [ "$CHAOS_ROUNDS" = 1 ]; then limit=(timeout --signal=TERM --kill-after=30 600); fi
started=$SECONDS
"${limit[@]}" npm run test:chaos
echo "chaos: finished in $((SECONDS - started)) s"
