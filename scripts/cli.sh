#!/bin/sh
# `pnpm cli <command>`: the operator CLI (builds it first if needed), run from where pnpm was called.
set -eu
root="$(cd "$(dirname "$0")/.." && pwd)"
export TURBO_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1
(cd "$root" && pnpm exec turbo run build --filter=@giotto/cli... --output-logs=errors-only >/dev/null) || {
  echo "giotto-registry: the build failed; run pnpm install, then pnpm build, to see why" >&2
  exit 1
}
cd "${INIT_CWD:-$PWD}"
exec node "$root/packages/cli/dist/main.js" "$@"
