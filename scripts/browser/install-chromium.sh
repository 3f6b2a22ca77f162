#!/usr/bin/env bash
# Installs Debian's Chromium for the browser test when it is missing (no browser download: playwright-core drives it).
set -euo pipefail

if [[ -x /usr/bin/chromium ]]; then exit 0; fi
[[ "$(id -u)" == 0 ]] || { echo "chromium: /usr/bin/chromium is missing and this is not root: apt-get install chromium" >&2; exit 1; }
echo "chromium: installing Debian's chromium package" >&2
exec 9>/tmp/.chromium-install.lock
flock 9
if [[ ! -x /usr/bin/chromium ]]; then
	apt-get update >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y chromium fonts-liberation >&2
fi
/usr/bin/chromium --version >&2
