#!/bin/sh
# `pnpm bench [--quick] [--write docs/BENCHMARKS.md]`: builds, then runs the benchmark on loopback.
set -eu
cd "$(dirname "$0")/.."
export TURBO_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1
pnpm install --frozen-lockfile --prefer-offline --reporter=silent
pnpm exec turbo run build --filter=@giotto/bench... --output-logs=errors-only >&2
exec node packages/bench/dist/main.js "$@"
