#!/usr/bin/env bash
# Starts a throwaway PostgreSQL for tests and prints its connection string (the last line of stdout).
#   scripts/postgres/start.sh [--tls] [FOLDER]     FOLDER defaults to a new temporary folder
# Data, log and unix socket all live in FOLDER; the server listens on a free loopback port, with a
# password user "ledger" (who may create databases and roles) owning the database "ledger". Stop it with
# scripts/postgres/stop.sh FOLDER.
# --tls: the server also offers TLS, with a certificate for IP 127.0.0.1 signed by a throwaway CA whose
# certificate is FOLDER/tls/ca.crt (openssl, Debian's package, is installed when missing).
# PostgreSQL refuses to run as root: as root, the server runs as the "postgres" user that Debian's
# package creates (installed here when missing).
set -euo pipefail

log() { echo "postgres: $*" >&2; }

tls=false
if [[ "${1:-}" == --tls ]]; then tls=true; shift; fi

# ensure_package PACKAGE CHECK...: installs Debian's PACKAGE unless CHECK succeeds, one installer at a
# time: concurrent test files may start here together.
ensure_package() {
	local package="$1"
	shift
	"$@" && return 0
	[[ "$(id -u)" == 0 ]] || { log "$package not found and not root: install Debian's $package package"; exit 1; }
	exec 9>/tmp/.postgres-install.lock
	flock 9
	if ! "$@"; then
		log "installing Debian's $package package"
		apt-get update >&2
		DEBIAN_FRONTEND=noninteractive apt-get install -y "$package" >&2
	fi
	exec 9>&-
}

find_bin() {
	local dir
	for dir in ${PG_BIN:-} /usr/lib/postgresql/15/bin $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -rV); do
		if [[ -x "$dir/initdb" && -x "$dir/pg_ctl" ]]; then echo "$dir"; return 0; fi
	done
	return 1
}

has_server() { find_bin >/dev/null; }
has_openssl() { command -v openssl >/dev/null; }
ensure_package postgresql has_server
$tls && ensure_package openssl has_openssl
bin="$(find_bin)"

folder="${1:-$(mktemp -d /tmp/ledger-postgres.XXXXXX)}"
mkdir -p "$folder"
folder="$(cd "$folder" && pwd)"

if [[ "$(id -u)" == 0 ]]; then
	chown postgres: "$folder"
	as_server() { runuser -u postgres -- "$@"; }
else
	as_server() { "$@"; }
fi

password="$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
as_server "$bin/initdb" -D "$folder/data" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
	--encoding=UTF8 --locale=C.UTF-8 >"$folder/initdb.log" 2>&1 || { cat "$folder/initdb.log" >&2; exit 1; }
mkdir -p "$folder/socket" && [[ "$(id -u)" != 0 ]] || chown postgres: "$folder/socket"

options="-c listen_addresses=127.0.0.1 -c unix_socket_directories=$folder/socket"
if $tls; then
	mkdir -p "$folder/tls"
	(
		cd "$folder/tls"
		openssl req -x509 -newkey rsa:2048 -nodes -days 7 -subj "/CN=Throwaway CA of a test PostgreSQL" \
			-addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" -keyout ca.key -out ca.crt
		openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout server.key -out server.csr
		openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 7 -out server.crt \
			-extfile <(printf 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n')
	) >"$folder/tls.log" 2>&1 || { cat "$folder/tls.log" >&2; exit 1; }
	# The server refuses a key file others may read.
	chmod 600 "$folder/tls/server.key"
	[[ "$(id -u)" != 0 ]] || chown -R postgres: "$folder/tls"
	options+=" -c ssl=on -c ssl_cert_file=$folder/tls/server.crt -c ssl_key_file=$folder/tls/server.key"
fi

free_port() { node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }

# Another process may take the free port before the server binds it: try a few.
for attempt in 1 2 3 4 5; do
	port="$(free_port)"
	if as_server "$bin/pg_ctl" -D "$folder/data" -l "$folder/server.log" -w -t 60 \
		-o "$options -p $port" start >/dev/null; then
		break
	fi
	[[ $attempt == 5 ]] && { tail -20 "$folder/server.log" >&2; exit 1; }
	log "port $port was taken, trying another"
done
echo "$port" >"$folder/port"

as_server "$bin/psql" -X -q -v ON_ERROR_STOP=1 -h "$folder/socket" -p "$port" -U postgres -d postgres >/dev/null <<SQL
CREATE ROLE ledger LOGIN CREATEDB CREATEROLE PASSWORD '$password';
CREATE DATABASE ledger OWNER ledger;
SQL

log "running in $folder on 127.0.0.1:$port$($tls && echo ", with TLS")"
echo "postgresql://ledger:$password@127.0.0.1:$port/ledger"
