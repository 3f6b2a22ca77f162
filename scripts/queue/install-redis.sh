#!/usr/bin/env bash
# Installs Debian's redis-server package when redis-server is missing (as root; otherwise says what to do).
# The package's own service is not started here: in containers policy-rc.d usually forbids it, and the
# queue-mode test starts its own throwaway server in the foreground.
set -euo pipefail

if command -v redis-server >/dev/null 2>&1; then exit 0; fi
[[ "$(id -u)" == 0 ]] || { echo "redis: redis-server not found and not root: install Debian's redis-server package" >&2; exit 1; }
echo "redis: installing Debian's redis-server package" >&2
# One installer at a time; apt waits for another apt that holds dpkg's lock.
exec 9>/tmp/.redis-install.lock
flock 9
if ! command -v redis-server >/dev/null 2>&1; then
	apt-get -o DPkg::Lock::Timeout=300 update >&2
	DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y redis-server >&2
fi
command -v redis-server >/dev/null 2>&1 || { echo "redis: redis-server still not found after installing" >&2; exit 1; }
