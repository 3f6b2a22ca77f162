#!/usr/bin/env bash
# Stops a PostgreSQL started by start.sh and deletes its folder.
#   scripts/postgres/stop.sh FOLDER
set -euo pipefail

folder="${1:?usage: stop.sh FOLDER (the folder start.sh used)}"
[[ -d "$folder/data" ]] || { echo "postgres: no server data in $folder" >&2; exit 1; }

bin=""
for dir in ${PG_BIN:-} /usr/lib/postgresql/15/bin $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -rV); do
	if [[ -x "$dir/pg_ctl" ]]; then bin="$dir"; break; fi
done
[[ -n "$bin" ]] || { echo "postgres: pg_ctl not found" >&2; exit 1; }

if [[ "$(id -u)" == 0 ]]; then
	runuser -u postgres -- "$bin/pg_ctl" -D "$folder/data" -m fast -w stop >/dev/null || true
else
	"$bin/pg_ctl" -D "$folder/data" -m fast -w stop >/dev/null || true
fi
rm -rf "$folder"
