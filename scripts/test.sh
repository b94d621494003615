#!/bin/sh
# `pnpm test`: the whole suite (unit and integration against real redis-server and mosquitto),
# ending with one line 'tests: N passed, N failed'.
set -eu
cd "$(dirname "$0")/.."
export TURBO_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1
pnpm install --frozen-lockfile --prefer-offline --reporter=silent
find packages services -maxdepth 2 -name .vitest-report.json -delete
status=0
pnpm exec turbo run test --output-logs=full "$@" || status=$?
node scripts/test-summary.mjs || status=1
exit "$status"
