#!/bin/sh
# `pnpm start`: install what the lockfile names, build, make sure there is a Redis, then become the
# service (exec, so SIGTERM reaches it and it stops with its own clean exit code).
set -eu
export TURBO_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1
cd "$(dirname "$0")/.."
pnpm install --frozen-lockfile --prefer-offline --reporter=silent
pnpm exec turbo run build --filter=@giotto/registry... --output-logs=errors-only >&2
if [ -z "${REDIS_URL:-}" ]; then
  REDIS_URL=$(sh scripts/local-redis.sh start)
  export REDIS_URL
fi
exec node services/registry/dist/main.js
