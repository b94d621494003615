#!/bin/sh
# Creates (or updates) the mosquitto password file for mosquitto.conf's users, with passwords from
# the environment, or random ones it prints once. Needs mosquitto_passwd (Debian: mosquitto).
#   sh scripts/mosquitto-users.sh deploy/mosquitto/passwd
#   REGISTRY_PASSWORD=… THING_PASSWORD=… NODE_PASSWORD=… CONSUMER_PASSWORD=… sh scripts/mosquitto-users.sh FILE
set -eu
file=${1:?usage: mosquitto-users.sh <password file>}
command -v mosquitto_passwd >/dev/null 2>&1 || { echo "mosquitto_passwd not found: sudo apt-get install mosquitto" >&2; exit 1; }
[ -f "$file" ] || { : > "$file"; chmod 600 "$file"; }
for user in registry thing node consumer; do
  var=$(echo "$user" | tr '[:lower:]' '[:upper:]')_PASSWORD
  eval "password=\${$var:-}"
  if [ -z "$password" ]; then
    password=$(od -An -N18 -tx1 /dev/urandom | tr -d ' \n')
    echo "$user: $password" >&2
  fi
  mosquitto_passwd -b "$file" "$user" "$password"
done
echo "wrote $file (users: registry, thing, node, consumer)" >&2
