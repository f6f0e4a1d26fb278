#!/usr/bin/env bash
# A throwaway hub on this machine, for trying the team desk: starts PostgreSQL (Debian's binaries,
# installed when missing) in a temporary directory with a unix socket there and no TCP port,
# creates the hub, adds two desks, and prints how each joins. Stop it with the line it prints.
#
#   scripts/local-hub.sh            # uses `zhuqi` from PATH, else the release build
set -euo pipefail

zhuqi=${ZHUQI:-$(command -v zhuqi || echo "$(dirname "$0")/../target/release/zhuqi")}
if [ ! -x "$zhuqi" ]; then
  (cd "$(dirname "$0")/.." && cargo build --release --quiet)
  zhuqi="$(dirname "$0")/../target/release/zhuqi"
fi
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
if [ -z "$bin" ]; then
  sudo=$([ "$(id -u)" = 0 ] && echo "" || echo sudo)
  $sudo apt-get update -qq && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
fi

dir=$(mktemp -d /tmp/zhuqi-hub-XXXXXX)
password=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
run=()
if [ "$(id -u)" = 0 ]; then
  # initdb refuses root: the cluster belongs to nobody.
  chown nobody "$dir"
  run=(runuser -u nobody --)
fi
echo "$password" > "$dir/pw"
[ "$(id -u)" = 0 ] && chown nobody "$dir/pw"
"${run[@]}" "$bin/initdb" -D "$dir/data" -U zhuqi_admin --pwfile "$dir/pw" --auth=scram-sha-256 -E UTF8 >/dev/null
rm -f "$dir/pw"
"${run[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -o "-k $dir -c listen_addresses=''" -w start >/dev/null
PGPASSWORD=$password "$bin/psql" -h "$dir" -U zhuqi_admin -d postgres -qc "CREATE DATABASE hub" >/dev/null

admin="host=$dir user=zhuqi_admin password=$password dbname=hub"
"$zhuqi" hub init "$admin"
echo
echo "Administrator's address (keep it to yourself):"
echo "  $admin"
echo
"$zhuqi" hub desk add "$admin" laptop-1 --role officer
echo
"$zhuqi" hub desk add "$admin" district --role supervisor
echo
echo "Each desk joins with its own data directory, e.g.:"
echo "  zhuqi --data-dir ~/zhuqi-laptop hub join \"…the address above…\""
echo "Stop and remove the hub:"
echo "  ${run[*]} $bin/pg_ctl -D $dir/data -m fast stop && rm -rf $dir"
