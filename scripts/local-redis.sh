#!/bin/sh
# The zero-setup Redis: a redis-server of this machine, on 127.0.0.1, with its data under the
# project's data folder. `local-redis.sh start` prints the REDIS_URL to use; `stop` shuts it down.
set -eu
data_dir=${REGISTRY_DATA_DIR:-.data}
port=${LOCAL_REDIS_PORT:-6380}
dir="$data_dir/redis"

answers() { redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null | grep -q PONG; }

case "${1:-start}" in
start)
  if ! command -v redis-server >/dev/null 2>&1; then
    cat >&2 <<MSG
giotto-registry: REDIS_URL is not set and there is no redis-server on this machine.
  Either install one:   sudo apt-get install redis-server   (Debian/Ubuntu)
                        brew install redis                  (macOS)
  or point at a Redis you have:   REDIS_URL=redis://host:6379 pnpm start
  or run one in Docker:           docker run -d -p 6379:6379 redis:7 && REDIS_URL=redis://127.0.0.1:6379 pnpm start
MSG
    exit 1
  fi
  mkdir -p "$dir"
  if ! answers; then
    redis-server --port "$port" --bind 127.0.0.1 --dir "$(cd "$dir" && pwd)" \
      --appendonly yes --appendfsync everysec --save "" --hash-max-listpack-value 1024 \
      --daemonize yes --pidfile "$(cd "$dir" && pwd)/redis.pid" --logfile "$(cd "$dir" && pwd)/redis.log"
    i=0
    until answers; do
      i=$((i + 1))
      if [ "$i" -gt 50 ]; then
        echo "giotto-registry: the local redis-server did not start on 127.0.0.1:$port; see $dir/redis.log (set LOCAL_REDIS_PORT to use another port)" >&2
        exit 1
      fi
      sleep 0.1
    done
    echo "giotto-registry: started a local redis-server on 127.0.0.1:$port (data in $dir; stop it with: pnpm redis:stop)" >&2
  fi
  echo "redis://127.0.0.1:$port"
  ;;
stop)
  if answers; then redis-cli -h 127.0.0.1 -p "$port" shutdown >/dev/null 2>&1 || true; echo "stopped the local redis-server on port $port" >&2; fi
  ;;
*)
  echo "usage: local-redis.sh start|stop" >&2
  exit 2
  ;;
esac
